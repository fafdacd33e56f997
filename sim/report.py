"""A self-contained HTML report of a run, in Chinese or English (docs/design.md section 4).

``write_report(run_dir, lang)`` reads a run folder (manifest, stored scenario, outcomes,
plots, and any ``compare-*``, ``sweep-*``, ``goal-seek-*``, ``attribution-*``,
``sensitivity-*``, ``calibration-*`` or ``discovery-*`` sub-folders) and writes one HTML file
with every image inlined as a base64 data URI, inline CSS and no script, so it opens offline
and can be forwarded as one file.

The page is rendered by Jinja2 with autoescaping on: every string that comes from a scenario
file (labels, sources, notes, reasons) is escaped, never marked safe. Numbers are formatted
here, once, by language-independent functions, so the Chinese and English reports show the
same figures.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from sim.brief import brief
from sim.messages import REPORT_TEXT, label, unit_in
from sim.report_font import embed_font
from sim.scenario import Scenario
from sim.scenario.documents import describe
from sim.scenario.schema import Quantity, Target, text_in
from sim.store import atomic_write_bytes
from sim.summary import RunSummary, joint_note

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE = "report.html.j2"
REPORT_NAME = "report.html"
"""The Chinese report's file name; other languages add theirs (report.en.html)."""


def report_name(lang: str) -> str:
    """File name of the report in ``lang``: one language never overwrites another's report."""
    return REPORT_NAME if lang == "zh" else f"report.{lang}.html"
FIRST_REACH_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
MAX_CSV_ROWS = 200
MAX_TEXT_CHARS = 20_000

EXTRA_SECTIONS = (
    ("backtest", "backtest"),
    ("compare-", "comparison"),
    ("sweep-", "sweep"),
    ("goal-seek-", "goal_seek"),
    ("attribution-", "attribution"),
    ("sensitivity-", "sensitivity"),
    ("calibration-", "calibration"),
    ("discovery-", "discovery"),
)

TEXT = REPORT_TEXT
"""This module's labels: one catalogue, sim/messages.py."""


# ------------------------------------------------------------------------- number formats
def fmt_pct(p: float) -> str:
    """A probability as a percentage with one decimal (the same in every language)."""
    return "—" if p is None or not math.isfinite(p) else f"{p:.1%}"


def fmt_num(v: float | None) -> str:
    """A figure: thousands separators from 1,000 up, four significant digits below."""
    if v is None or not math.isfinite(v):
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


COUNT_UNITS = ("firms", "carriers", "people")
"""Metric units that count whole things (registry.MetricSpec.unit_en)."""


def fmt_count(v: float | None) -> str:
    """A number of firms, carriers or people: whole (a median of counts may fall halfway)."""
    if v is None or not math.isfinite(v):
        return "—"
    return f"{math.floor(v + 0.5):,.0f}"  # half up, as people round


def _cell(text: str) -> str:
    """A CSV cell as a reader sees it: floats to four significant digits, the rest as is."""
    try:
        v = float(text)
    except ValueError:
        return text
    if "." not in text and "e" not in text.lower():
        return text
    return fmt_num(v)


def markdown_blocks(text: str) -> list[dict[str, Any]]:
    """An analysis README as blocks the template shows (code, heading, list, paragraph).

    Just the forms our README writers use; everything stays text (escaped by the template).
    """
    blocks: list[dict[str, Any]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            blocks.append({"kind": "code", "text": "\n".join(lines[i + 1:j])})
            i = j + 1
        elif line.startswith("#"):
            blocks.append({"kind": "heading", "text": line.lstrip("#").strip()})
            i += 1
        elif line.lstrip().startswith(("- ", "* ")):
            items = []
            while i < len(lines) and lines[i].lstrip().startswith(("- ", "* ")):
                items.append(lines[i].lstrip()[2:].replace("`", ""))
                i += 1
            blocks.append({"kind": "list", "entries": items})
        elif line.strip():
            para = []
            while (i < len(lines) and lines[i].strip()
                   and not lines[i].startswith(("```", "#"))
                   and not lines[i].lstrip().startswith(("- ", "* "))):
                para.append(lines[i].strip().replace("`", ""))
                i += 1
            blocks.append({"kind": "para", "text": " ".join(para)})
        else:
            i += 1
    return blocks


def band(p: float) -> str:
    """The probability band of docs/design.md section 4: high (>= 0.8), mid (>= 0.5) or low."""
    if p >= 0.8:
        return "high"
    if p >= 0.5:
        return "mid"
    return "low"


def _data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


# ------------------------------------------------------------------------------- plots
def _mirror(run_dir: Path, into: Path) -> bool:
    """Symlink every entry of the run folder except plots/ into ``into``; False if impossible."""
    try:
        for entry in run_dir.iterdir():
            if entry.name != "plots":
                (into / entry.name).symlink_to(entry.resolve(), entry.is_dir())
    except OSError:
        return False
    return True


def plot_images(s: RunSummary, run_dir: Path, lang: str, redraw: bool = True) -> dict[str, bytes]:
    """The run's plots as PNG bytes, keyed by file name.

    With ``redraw`` the plots are drawn afresh in ``lang`` (by ``sim.summary.write_plots`` into
    a temporary mirror of the run folder, so the run folder is not touched); otherwise, or if
    the mirror cannot be made, the PNG files already under ``run_dir/plots`` are used.
    """
    from sim.summary import write_plots

    if redraw:
        with tempfile.TemporaryDirectory(prefix="report-plots-") as tmp:
            mirror = Path(tmp)
            if _mirror(run_dir, mirror):
                paths = write_plots(s, mirror, lang)
                return {p.name: p.read_bytes() for p in paths}
    folder = run_dir / "plots"
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.png"))} if folder.is_dir() else {}


# ----------------------------------------------------------------------------- scenario
def _dist_text(d: Any) -> str:
    data = d.model_dump(by_alias=True, exclude_none=True)
    data.pop("source", None)
    kind = data.pop("dist")
    args = ", ".join(f"{k}={v:g}" if isinstance(v, float | int) else f"{k}={v}"
                     for k, v in data.items())
    return f"{kind}({args})"


def _q(q: Quantity | None) -> str:
    return "" if q is None else fmt_num(q.value)


def _filters_text(t: Target) -> str:
    parts = []
    for k, v in t.filters.active().items():
        parts.append(f"{k}={','.join(v) if isinstance(v, tuple) else v}")
    return "; ".join(parts)


def sourced_figures(model: BaseModel) -> list[dict[str, str]]:
    """Every number and distribution in the scenario with its dotted path and source."""
    from sim.distributions import _Dist

    rows: list[dict[str, str]] = []

    def walk(obj: Any, path: str) -> None:
        if isinstance(obj, Quantity):
            unit = f" {obj.unit}" if obj.unit else ""
            rows.append({"path": path, "value": fmt_num(obj.value) + unit, "source": obj.source})
        elif isinstance(obj, _Dist):
            rows.append({"path": path, "value": _dist_text(obj), "source": obj.source or ""})
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), f"{path}.{name}" if path else name)
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, f"{path}.{k}")
        elif isinstance(obj, tuple | list):
            for i, v in enumerate(obj):
                key = getattr(v, "id", None) if isinstance(v, BaseModel) else None
                walk(v, f"{path}.{key}" if isinstance(key, str) else f"{path}[{i}]")

    walk(model, "")
    return rows


def _validity(st: Any, lang: str) -> str:
    if st.validity == "years" and st.validity_years is not None:
        return label(TEXT, "validity_years", lang, years=fmt_num(st.validity_years.value))
    key = f"validity_{st.validity}"
    return label(TEXT, key, lang) if key in TEXT else str(st.validity)


def _assumptions(sc: Scenario, manifest: dict[str, Any], lang: str) -> dict[str, Any]:
    def lab(x: Any) -> str:
        return "" if x is None else (x.zh if lang == "zh" else x.en)

    run_levers = manifest.get("levers") or {}
    levers = []
    for name, lv in sc.levers.items():
        drives = ", ".join(getattr(e, "param", None) or f"build {getattr(e, 'kind', '')}"
                           for e in lv.effects)
        levers.append({
            "id": name, "label": lab(lv.label), "unit": unit_in(lv.unit, lang),
            "value": fmt_num(float(run_levers.get(name, lv.default))),
            "default": fmt_num(lv.default),
            "bounds": f"[{fmt_num(lv.bounds[0])}, {fmt_num(lv.bounds[1])}]",
            "cost": fmt_num(lv.unit_cost.value), "drives": drives,
            "sources": [lv.source, lv.unit_cost.source],
        })
    uncertainties = [{
        "id": name, "label": lab(u.label), "distribution": _dist_text(u.distribution),
        "mean": fmt_num(u.distribution.mean), "sets": list(u.sets), "sources": [u.source],
    } for name, u in sc.uncertainties.items()]
    carriers = [{
        "id": c.id, "label": lab(c.name), "kind": label(TEXT, f"kind_{c.kind}", lang),
        "level": label(TEXT, f"level_{c.level}", lang), "count": str(c.count),
        "area": _q(c.total_area), "incubatees": _q(c.incubatees),
        "sources": [c.source, c.total_area.source, c.incubatees.source],
    } for c in sc.carriers]
    pipeline = [{
        "id": p.id, "label": lab(p.name), "kind": label(TEXT, f"kind_{p.kind}", lang),
        "level": label(TEXT, f"level_{p.level}", lang), "count": str(p.count), "area": _q(p.area),
        "planned": p.planned.isoformat(), "p_delivery": fmt_pct(p.p_delivery.value),
        "sources": [p.source, p.area.source, p.p_delivery.source],
    } for p in sc.pipeline]
    arrivals = [{
        "id": name, "label": lab(a.label), "rate": _q(a.rate),
        "growth": fmt_pct(a.growth.value) if a.growth else "",
        "sources": [a.source, a.rate.source] + ([a.growth.source] if a.growth else []),
    } for name, a in sc.firms.sources.items()]
    stock = [{
        "id": name, "label": lab(g.label), "count": _q(g.count),
        "sources": [g.source, g.count.source],
    } for name, g in sc.firms.stock.items()]
    statuses = [{
        "id": name, "label": lab(st.label), "p_apply": fmt_pct(st.p_apply_year.value),
        "p_success": fmt_pct(st.p_success.value),
        "validity": _validity(st, lang),
        "sources": [st.source, st.p_apply_year.source, st.p_success.source],
    } for name, st in sc.statuses.items()]
    out: dict[str, list[dict[str, Any]]] = {
           "levers": levers, "uncertainties": uncertainties, "carriers": carriers,
           "pipeline": pipeline, "arrivals": arrivals, "stock": stock, "statuses": statuses,
           "figures": sourced_figures(sc)}
    for rows in out.values():  # each cited document's title, number and address beside it
        for row in rows:
            if "sources" in row:
                row["sources"] = [describe(t, sc.documents, lang) for t in row["sources"]]
            if "source" in row:
                row["source"] = describe(row["source"], sc.documents, lang)
    return out


# ------------------------------------------------------------------------------ sections
def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _csv_table(path: Path, lang: str) -> dict[str, Any]:
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        rows = list(csv.reader(fh))
    head, body = (rows[0], rows[1:]) if rows else ([], [])
    more = max(0, len(body) - MAX_CSV_ROWS)
    return {
        "name": path.name, "head": head,
        "rows": [[{"text": _cell(c), "num": _is_number(c)} for c in r]
                 for r in body[:MAX_CSV_ROWS]],
        "more": label(TEXT, "rows_more", lang, n=more) if more else "",
    }


def _read_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    return text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS] + "\n…"


def extra_sections(run_dir: Path, lang: str) -> list[dict[str, Any]]:
    """Sections for analysis sub-folders (compare-*, sweep-*, ...) present in the run folder.

    Each sub-folder is shown generically: its README.md and summary.json as text, every
    *.csv as a table, every *.png inline.
    """
    sections = []
    for prefix, key in EXTRA_SECTIONS:
        folders = sorted(p for p in run_dir.glob(prefix + "*") if p.is_dir())
        if not folders:
            continue
        items = []
        for folder in folders:
            texts = []  # the README as text blocks; summary.json stays a file for programs
            readme = folder / "README.md"
            if readme.is_file():
                texts.append({"name": readme.name,
                              "blocks": markdown_blocks(_read_text(readme))})
            tables = [_csv_table(p, lang) for p in sorted(folder.rglob("*.csv"))]
            images = [{"src": _data_uri(p.read_bytes()), "alt": str(p.relative_to(folder))}
                      for p in sorted(folder.rglob("*.png"))]
            items.append({"name": folder.name, "texts": texts, "tables": tables,
                          "images": images})
        sections.append({"key": key, "title": label(TEXT, key, lang), "folders": items})
    return sections


# ------------------------------------------------------------------------------- context
def build_context(run_dir: Path, lang: str = "zh", summary: RunSummary | None = None,
                  redraw: bool = True) -> dict[str, Any]:
    """Everything the template shows, as plain strings, lists and dicts."""
    from sim.cli.show import threshold_text
    from sim.plots import band_colour
    from sim.registry import METRICS
    from sim.summary import _date_of, summarize

    if lang not in ("zh", "en"):
        raise ValueError(f"{lang!r}: unknown language (expected zh or en)")
    s = summary if summary is not None else summarize(run_dir)
    sc, m = s.scenario, s.manifest

    def lab(x: Any) -> str:
        return x.zh if lang == "zh" else x.en

    images = plot_images(s, run_dir, lang, redraw)
    n = max(ts.n for ts in s.targets.values())
    targets: list[dict[str, Any]] = []
    for t in sc.targets:
        ts = s.targets[t.id]
        spec = METRICS.get(t.metric)
        unit = (spec.unit_zh if lang == "zh" else spec.unit_en) if spec else ""
        metric = (spec.zh if lang == "zh" else spec.en) if spec else t.metric
        f = s.first_reached[t.id]
        reached = f[np.isfinite(f)]
        fmt = fmt_count if spec is not None and spec.unit_en in COUNT_UNITS else fmt_num
        fan = images.get(f"fan_{t.id}.png")
        first = images.get(f"first_reach_{t.id}.png")
        targets.append({
            "id": t.id, "label": lab(t.label), "metric": metric, "unit": unit,
            "filters": _filters_text(t), "date": t.date.isoformat(),
            "threshold_text": threshold_text(t, lang),
            "threshold": fmt_num(s.thresholds[t.id]),
            "stretch": fmt_num(t.stretch) if t.stretch is not None else "",
            "p_value": ts.p, "p": fmt_pct(ts.p), "ci_low": fmt_pct(ts.ci_low),
            "ci_high": fmt_pct(ts.ci_high), "n": ts.n,
            "bar_low": round(100 * ts.ci_low, 2), "bar_p": round(100 * ts.p, 2),
            "bar_width": round(100 * (ts.ci_high - ts.ci_low), 2),
            "band": band(ts.p), "colour": band_colour(ts.p),
            "median": fmt(ts.median), "q05": fmt(ts.q05), "q95": fmt(ts.q95),
            "shortfall": fmt_num(ts.mean_shortfall) if ts.p < 1 else "—",
            "note": text_in(t.note, lang), "source": t.source,
            "evidence": s.evidence[t.id].grade_name(lang)
            if t.id in s.evidence else "—",
            "evidence_shares": s.evidence[t.id].shares_line(lang) if t.id in s.evidence
            else "",
            "evidence_sentence": s.evidence[t.id].sentence(lang) if t.id in s.evidence else "",
            "p_ever": fmt_pct(ts.p_reached_by_date),
            "first_dates": [_date_of(sc.meta.start, float(np.quantile(reached, q)))
                            if reached.size else "—" for q in FIRST_REACH_QUANTILES],
            "fan": _data_uri(fan) if fan else None,
            # A histogram of nothing says less than the table's "not reached".
            "first_img": _data_uri(first) if first and reached.size else None,
        })
    groups = []
    for key in ("high", "mid", "low"):
        members = sorted((t for t in targets if t["band"] == key),
                         key=lambda t: -t["p_value"])
        groups.append({"key": key, "title": label(TEXT, f"band_{key}", lang),
                       "range": {"high": "≥ 80%", "mid": "50%–80%", "low": "< 50%"}[key],
                       "colour": band_colour({"high": 0.9, "mid": 0.6, "low": 0.1}[key]),
                       "targets": members})
    jp, jlo, jhi = s.joint_all
    joint_by_date = [{"date": d, "p": fmt_pct(v[0]), "ci_low": fmt_pct(v[1]),
                      "ci_high": fmt_pct(v[2]), "colour": band_colour(v[0]),
                      "n_targets": sum(1 for t in sc.targets if t.date.isoformat() == d)}
                     for d, v in s.joint_by_date.items()]
    unmodelled = [{"id": u.id, "label": lab(u.label), "value": u.value,
                   "date": u.date.isoformat() if u.date else "", "reason": text_in(u.reason, lang)}
                  for u in sc.meta.unmodelled]
    versions = dict(m.get("versions") or {})
    try:
        import importlib.metadata as md

        versions.setdefault("jinja2", md.version("jinja2"))
        versions.setdefault("matplotlib", md.version("matplotlib"))
    except Exception:  # pragma: no cover - metadata missing only in broken installs
        pass
    wall = m.get("wall_seconds")
    provenance = [
        ("scenario_id", sc.meta.id), ("scenario_file", m.get("scenario_file") or ""),
        ("plan_source", sc.meta.seed_file), ("scenario_hash", m.get("scenario_hash", "")),
        ("seed", m.get("seed", "")), ("engine", m.get("engine", "")),
        ("backend", m.get("backend", "")), ("workers", m.get("workers", "")),
        ("sampling", m.get("sampling", "")), ("reps_requested", m.get("reps_requested", "")),
        ("reps_done", m.get("reps_done", n)),
        ("precision", "" if m.get("precision") is None else m.get("precision")),
        ("wall", f"{wall:.1f}" if isinstance(wall, int | float) else ""),
        ("started", m.get("started", "")), ("finished", m.get("finished", "")),
        ("status", m.get("status", "")),
    ]
    attainment = images.get("attainment.png")
    return {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "T": {k: label(TEXT, k, lang) for k in TEXT},
        "name": lab(sc.meta.name), "region": lab(sc.meta.region),
        "description": lab(sc.meta.description) if sc.meta.description else "",
        "start": sc.meta.start.isoformat(), "end": sc.meta.horizon_end.isoformat(),
        "seed_file": sc.meta.seed_file, "n": n, "n_targets": len(targets),
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "joint": {"p": fmt_pct(jp), "ci_low": fmt_pct(jlo), "ci_high": fmt_pct(jhi),
                  "colour": band_colour(jp), "band": band(jp), "note": joint_note(sc, lang)},
        "joint_by_date": joint_by_date,
        "brief": brief(s, lang, m.get("scenario_file")),
        "groups": groups,
        "targets": targets,
        "attainment_img": _data_uri(attainment) if attainment else None,
        "quantile_heads": [f"{q:.0%}" for q in FIRST_REACH_QUANTILES],
        "unmodelled": unmodelled,
        "assumptions": _assumptions(sc, m, lang),
        "sections": extra_sections(run_dir, lang),
        "provenance": [(label(TEXT, k, lang), str(v)) for k, v in provenance],
        "versions": sorted(versions.items()),
    }


def render(context: dict[str, Any]) -> str:
    """The HTML page for a context (autoescaping on: no scenario string is trusted)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(TEMPLATE).render(**context)


def write_report(run_dir: Path, lang: str = "zh", out: Path | None = None,
                 summary: RunSummary | None = None, redraw: bool = True) -> Path:
    """Render the report of ``run_dir`` and write it atomically; return its path."""
    out = out if out is not None else run_dir / report_name(lang)
    html = embed_font(render(build_context(run_dir, lang, summary, redraw)))
    atomic_write_bytes(out, html.encode("utf-8"))
    return out


__all__ = ["build_context", "extra_sections", "render", "sourced_figures", "write_report"]
