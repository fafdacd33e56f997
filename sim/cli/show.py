"""Rich tables of a scenario: targets, unmodelled targets, levers, uncertainties, baseline.

Everything printed carries its source, so a planner can check each figure against the plan.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sim import messages
from sim.messages import SHOW_TEXT, unit_in
from sim.registry import METRICS
from sim.scenario.documents import cited, describe
from sim.scenario.schema import Quantity, Scenario, Target, text_in

TEXT = SHOW_TEXT
"""This module's labels: one catalogue, sim/messages.py."""


def _t(key: str, lang: str) -> str:
    return messages.label(TEXT, key, lang)  # `label` below names a local


def threshold_text(t: Target, lang: str) -> str:
    """The target's comparison as a planner reads it (op, value or range, or 2 x baseline)."""
    if t.double_of is not None:
        return f"{t.op} {_t('double', lang)}"
    if t.range is not None:
        lo, hi = t.range
        return f"{t.op} {lo:,.0f} ({_t('stretch', lang)} {hi:,.0f})"
    assert t.value is not None
    if t.relative_to is not None:
        return f"{t.op} {_t('plus', lang)} {t.value:,.0f}"
    return f"{t.op} {t.value:,.0f}{_since_text(t, lang)}"


def _since_text(t: Target, lang: str) -> str:
    """``(自2021-01-01起累计, 基期前120)`` for a target counted from its own date."""
    if t.since is None:
        return ""
    text = f" ({_t('since', lang)} {t.since}"
    if t.count_before_start is not None:
        text += f", {_t('before_start', lang)} {t.count_before_start.value:,.0f}"
    return text + ")"


def _q(q: Quantity | None) -> str:
    return "" if q is None else f"{q.value:,.6g}"


def _filters(t: Target) -> str:
    parts = []
    for k, v in t.filters.active().items():
        shown = ",".join(v) if isinstance(v, tuple) else str(v)
        parts.append(f"{k}={shown}")
    return "; ".join(parts)


def print_scenario(sc: Scenario, lang: str, console: Console) -> None:
    """Print all tables of a scenario.

    Each cited document's title is printed beside the figure; its number, date and address
    in the last table.
    """
    label = (lambda lb: lb.zh) if lang == "zh" else (lambda lb: lb.en)

    def src(text: str) -> str:
        return describe(text, sc.documents, lang, with_url=False)

    m = sc.meta
    console.rule(f"{label(m.name)} — {label(m.region)}")
    console.print(f"{_t('period', lang)}: {m.start} → {m.horizon_end}    "
                  f"{_t('plan', lang)}: {src(m.seed_file)}")

    tab = Table(title=_t("targets", lang), show_lines=False)
    for key in ("id", "label", "metric", "filters", "threshold", "date", "note", "source"):
        tab.add_column(_t(key, lang), overflow="fold")
    for t in sc.targets:
        spec = METRICS.get(t.metric)
        metric = f"{t.metric} ({spec.zh if lang == 'zh' else spec.en})" if spec else t.metric
        tab.add_row(t.id, label(t.label), metric, _filters(t), threshold_text(t, lang),
                    str(t.date), text_in(t.note, lang), src(t.source))
    console.print(tab)

    if m.unmodelled:
        tab = Table(title=f"{_t('unmodelled', lang)} ({_t('not_modelled', lang)})")
        for key in ("id", "label", "value", "date", "reason"):
            tab.add_column(_t(key, lang), overflow="fold")
        for u in m.unmodelled:
            tab.add_row(u.id, label(u.label), u.value, str(u.date or ""),
                        f"{_t('not_modelled', lang)}: {text_in(u.reason, lang)}")
        console.print(tab)

    if sc.levers:
        tab = Table(title=_t("levers", lang))
        for key in ("id", "label", "unit", "default", "bounds", "cost", "drives", "source"):
            tab.add_column(_t(key, lang), overflow="fold")
        for name, lv in sc.levers.items():
            build = _t("build", lang)
            drives = ", ".join(getattr(e, "param", None) or f"{build} {getattr(e, 'kind', '')}"
                               for e in lv.effects)
            tab.add_row(name, label(lv.label), unit_in(lv.unit, lang), f"{lv.default:g}",
                        f"[{lv.bounds[0]:g}, {lv.bounds[1]:g}]",
                        f"{lv.unit_cost.value:,.0f} ({unit_in(lv.cost_basis, lang)})", drives,
                        src(f"{lv.source}; cost: {lv.unit_cost.source}"))
        console.print(tab)

    if sc.uncertainties:
        tab = Table(title=_t("uncertainties", lang))
        for key in ("id", "label", "distribution", "sets", "source"):
            tab.add_column(_t(key, lang), overflow="fold")
        for name, unc in sc.uncertainties.items():
            d = unc.distribution.model_dump(by_alias=True, exclude_none=True)
            d.pop("source", None)
            kind = d.pop("dist")
            dist = f"{kind}({', '.join(f'{k}={v:g}' if isinstance(v, float | int) else f'{k}={v}' for k, v in d.items())}); mean {unc.distribution.mean:.4g}"  # noqa: E501
            tab.add_row(name, label(unc.label) if unc.label else "", dist,
                        "\n".join(unc.sets), src(unc.source))
        console.print(tab)

    tab = Table(title=_t("carriers", lang))
    for key in ("id", "kind", "level", "count", "area", "incubatees", "source"):
        tab.add_column(_t(key, lang), overflow="fold")
    for c in sc.carriers:
        tags = f" [{','.join(c.tags)}]" if c.tags else ""
        tab.add_row(c.id, c.kind + tags, c.level, str(c.count), _q(c.total_area),
                    _q(c.incubatees),
                    src(f"{c.source}; area: {c.total_area.source}; "
                        f"incubatees: {c.incubatees.source}"))
    console.print(tab)

    if sc.pipeline:
        tab = Table(title=_t("pipeline", lang))
        for key in ("id", "kind", "level", "area", "planned", "p_delivery", "source"):
            tab.add_column(_t(key, lang), overflow="fold")
        for p in sc.pipeline:
            tab.add_row(p.id, p.kind, p.level, _q(p.area), str(p.planned), _q(p.p_delivery),
                        src(f"{p.source}; area: {p.area.source}"))
        console.print(tab)

    if sc.firms.stock:
        tab = Table(title=_t("stock", lang))
        for key in ("id", "label", "count", "source"):
            tab.add_column(_t(key, lang), overflow="fold")
        for name, g in sc.firms.stock.items():
            held = ", ".join(f"{sid} {s.share.value:.0%}" for sid, s in g.statuses.items())
            tab.add_row(name, label(g.label) + (f" ({held})" if held else ""), _q(g.count),
                        src(f"{g.source}; count: {g.count.source}"))
        console.print(tab)

    tab = Table(title=_t("sources", lang))
    for key in ("id", "label", "rate", "source"):
        tab.add_column(_t(key, lang), overflow="fold")
    for name, s in sc.firms.sources.items():
        tab.add_row(name, label(s.label), _q(s.rate), src(f"{s.source}; rate: {s.rate.source}"))
    console.print(tab)

    _print_documents(sc, lang, console)


def _print_documents(sc: Scenario, lang: str, console: Console) -> None:
    """The documents the scenario's sources cite: title, number, date and public address."""
    from sim.scenario.loading import scenario_sources

    ids = [d for d in cited(scenario_sources(sc)) if d in sc.documents]
    if not ids:
        return
    tab = Table(title=_t("documents", lang))
    for key in ("id", "title", "number", "date", "address"):
        tab.add_column(_t(key, lang), overflow="fold")
    for doc in ids:
        d = sc.documents[doc]
        tab.add_row(f"doc:{doc}", d.title.zh if lang == "zh" else d.title.en, d.number or "",
                    str(d.date or ""), d.url or "")
    console.print(tab)
