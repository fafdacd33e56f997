"""The ``score`` command: ended plans' ex-ante probabilities against what happened."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from sim import PROJECT_ROOT
from sim.analysis.common import open_backend
from sim.batch import evaluate
from sim.calibration.figures import FigureError, read_figures
from sim.calibration.score import (
    Scored,
    brier,
    how_text,
    judge,
    read_outcomes,
    reliability_points,
    trend_forecast,
)
from sim.cli.analysis import RunOptions, _bad, _load
from sim.cli.commands import EXIT_OK
from sim.engines import ready
from sim.messages import CLI_TEXT, in_both, label
from sim.store import atomic_write_bytes, atomic_write_json, csv_bytes, png_bytes
from sim.targets import query_of

COLUMNS = ("scenario", "target_id", "label", "date", "threshold", "p_model", "p_half",
           "p_trend", "trend_how", "outcome", "how", "source_title", "source_url")

TEXT = CLI_TEXT
"""The labels of this module's tables, plot and README (the catalogue, sim/messages.py)."""
FORECASTERS = ("model", "always_50", "pre_plan_trend")
"""The model and the two naive forecasters it is scored against, in the order shown."""


def ended_scenarios(today: dt.date) -> list[Path]:
    """Shipped scenarios whose plan period ended on or before ``today``."""
    from sim.scenario import load_scenario

    out = []
    for path in sorted((PROJECT_ROOT / "scenarios").glob("*.yaml")):
        if load_scenario(path).meta.horizon_end <= today:
            out.append(path)
    return out


def score(paths: list[Path], opts: RunOptions, out: Path | None,
          today: dt.date | None = None) -> int:
    """`score [SCENARIO...]`: Brier score of the ex-ante P(met) over known outcomes."""
    if (msg := opts.problem()) is not None:
        return _bad(msg)
    today = today or dt.date.today()
    paths = paths or ended_scenarios(today)
    lang = opts.lang
    rows: list[dict[str, Any]] = []
    scored: list[Scored] = []
    with open_backend(opts.backend, opts.workers, opts.scheduler) as backend:
        for path in paths:
            sc = _load(path, opts)
            if isinstance(sc, int):
                return sc
            region_id = sc.meta.id.split("_")[0]
            outcomes_path = PROJECT_ROOT / "calibration" / "outcomes" / f"{region_id}.csv"
            record_path = PROJECT_ROOT / "calibration" / "data" / f"{region_id}.csv"
            try:
                outcomes = {o.target_id: o for o in read_outcomes(outcomes_path)}
                record = read_figures(record_path) if record_path.is_file() else []
            except FigureError as exc:
                return _bad(str(exc))
            ready(opts.engine, sc, backend)
            queries = [query_of(t) for t in sc.targets]
            res = evaluate(sc, opts.reps, seed=opts.seed, engine=opts.engine, backend=backend,
                           workers=opts.workers, queries=queries)
            for j, t in enumerate(sc.targets):
                threshold = float(np.mean(res.threshold[:, j]))
                p = float(np.mean(res.met[:, j]))
                base = float(np.median(res.series[query_of(t).key][:, 0]))
                p_trend, trend_how = trend_forecast(t, threshold, record, sc, base)
                o = outcomes.get(t.id)
                met, how = (None, how_text("no_row", lang)) if o is None else \
                    judge(o, t, threshold, lang)
                target_label = t.label.zh if lang == "zh" else t.label.en
                outcome = "unknown" if met is None else ("met" if met else "missed")
                if met is None and o is not None and o.status == "value":
                    outcome = "interim"
                rows.append({"scenario": sc.meta.id, "target_id": t.id, "label": target_label,
                             "date": t.date.isoformat(), "threshold": threshold,
                             "p_model": round(p, 4), "p_half": 0.5, "p_trend": p_trend,
                             "trend_how": trend_how, "outcome": outcome, "how": how,
                             "source_title": o.source_title if o else "",
                             "source_url": o.source_url if o else ""})
                if met is not None:
                    scored.append(Scored(sc.meta.id, t.id, target_label, p, 0.5, p_trend, trend_how,
                                         met, how))
    folder = out or Path("runs") / "score"
    summary = _summary(scored, rows)
    _write(folder, rows, summary, lang)
    _print(rows, summary, lang)
    return EXIT_OK


def _summary(scored: list[Scored], rows: list[dict[str, Any]]) -> dict[str, Any]:
    o = np.array([1.0 if s.met else 0.0 for s in scored])
    out: dict[str, Any] = {"known": len(scored), "targets": len(rows),
                           "unknown": sum(r["outcome"] == "unknown" for r in rows),
                           "interim": sum(r["outcome"] == "interim" for r in rows)}
    for name, attr in (("model", "p_model"), ("always_50", "p_half"),
                       ("pre_plan_trend", "p_trend")):
        p = np.array([getattr(s, attr) for s in scored])
        out[name] = brier(p, o)
        out[name]["reliability_diagram"] = reliability_points(p, o) if p.size else []
    return out


def _finite(obj: Any) -> Any:
    """The summary with NaN (no known outcome) as null, so the file is strict JSON."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _write(folder: Path, rows: list[dict[str, Any]], summary: dict[str, Any],
           lang: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / "score.csv", csv_bytes(COLUMNS, rows))
    atomic_write_json(folder / "summary.json", _finite(summary))
    known = summary["known"]
    counts = "; ".join(f"{in_both(TEXT, key)}: {summary[field]}" for key, field in (
        ("n_targets", "targets"), ("n_public", "known"), ("n_interim", "interim"),
        ("n_unknown", "unknown")))
    lines = [f"# {in_both(TEXT, 'score_readme_title')}", "",
             f"- {counts} (score.csv lists each with how it was decided)."]
    if known:
        for name in FORECASTERS:
            b = summary[name]
            lines.append(f"- Brier {label(TEXT, 'forecaster_' + name, 'zh')} / {name}: "
                         f"{b['brier']:.3f} (reliability "
                         f"{b['reliability']:.3f}, resolution {b['resolution']:.3f}, "
                         f"uncertainty {b['uncertainty']:.3f})")
    lines.append("")
    atomic_write_bytes(folder / "README.md", "\n".join(lines).encode("utf-8"))
    if known:
        atomic_write_bytes(folder / "plots" / "reliability.png",
                           _reliability_png(summary, lang))


def _reliability_png(summary: dict[str, Any], lang: str) -> bytes:
    from sim.plots import _ax

    ax = _ax(None, (5.5, 5.0))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
    for key, marker in zip(FORECASTERS, ("o", "s", "^"), strict=True):
        pts = summary[key]["reliability_diagram"]
        if pts:
            x, y, n = zip(*pts, strict=True)
            ax.scatter(x, y, s=[30 + 30 * c for c in n], marker=marker,
                       label=label(TEXT, f"forecaster_{key}", lang), alpha=0.7)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(label(TEXT, "forecast_p", lang))
    ax.set_ylabel(label(TEXT, "observed_share", lang))
    ax.set_title(label(TEXT, "reliability", lang))
    ax.legend(loc="upper left", fontsize=8)
    return png_bytes(ax)


def _print(rows: list[dict[str, Any]], summary: dict[str, Any], lang: str) -> None:
    table = Table(title=label(TEXT, "score_title", lang))
    for head in ("scenario", "target", "p_ex_ante", "outcome", "how_decided"):
        table.add_column(label(TEXT, head, lang), overflow="fold")
    for r in rows:
        table.add_row(r["scenario"], r["target_id"], f"{100 * r['p_model']:.0f}%",
                      label(TEXT, f"outcome_{r['outcome']}", lang), r["how"])
    console = Console(highlight=False, width=170)
    console.print(table)
    if summary["known"]:
        b = summary
        console.print("Brier " + " / ".join(label(TEXT, f"forecaster_{name}", lang)
                                            for name in FORECASTERS)
                      + f": {b['model']['brier']:.3f} / {b['always_50']['brier']:.3f} / "
                      f"{b['pre_plan_trend']['brier']:.3f} (n = {b['known']})")
