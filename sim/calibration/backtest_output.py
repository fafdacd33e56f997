"""Writing a backtest: ``backtest.csv``, ``summary.json``, ``README.md`` and fan charts.

The folder is ``runs/<id>/backtest/`` (the report of a run of the scenario shows it as
"模型检验 / Model check against the record"). CSVs are UTF-8 with a byte-order mark so
that Excel on Chinese Windows reads them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.calibration.backtest import BANDS, Backtest, Row
from sim.calibration.figures import Figure
from sim.messages import BACKTEST_TEXT, in_both, label
from sim.store import atomic_write_bytes, atomic_write_json, csv_bytes, png_bytes

COLUMNS = ("figure_id", "region", "metric", "filters", "date", "kind", "status", "reason",
           "observed", "sd_observed", "model_median", "median", "q05", "q25", "q75", "q95",
           "pit", "inside_50", "inside_90",
           "crps", "naive", "naive_how", "crps_naive", "confidence", "source_title",
           "source_url")
TEXT = BACKTEST_TEXT
"""This module's labels: one catalogue, sim/messages.py."""


def _t(key: str, lang: str) -> str:
    return label(TEXT, key, lang)


def _r(v: float, digits: int = 4) -> float | str:
    if v is None or not math.isfinite(v):
        return ""
    return float(f"{v:.{digits}g}")


def rows_table(bt: Backtest) -> list[dict[str, Any]]:
    """One row per figure after the cut-off: simulated ones first, then the rest with reasons."""
    out: list[dict[str, Any]] = []
    for r in bt.rows:
        f = r.figure
        out.append({
            "figure_id": f.id, "region": f.region, "metric": f.metric,
            "filters": f.filters_text, "date": f.date_text, "kind": f.kind,
            "status": "simulated", "reason": "", "observed": f.value,
            "sd_observed": _r(f.sd, 4),
            "model_median": _r(float(np.median(r.model)), 6) if r.model is not None else "",
            "median": _r(r.quantile(0.5), 6), "q05": _r(r.quantile(0.05), 6),
            "q25": _r(r.quantile(0.25), 6), "q75": _r(r.quantile(0.75), 6),
            "q95": _r(r.quantile(0.95), 6), "pit": _r(r.pit, 3),
            "inside_50": int(r.inside(BANDS[0])), "inside_90": int(r.inside(BANDS[1])),
            "crps": _r(r.crps, 4), "naive": _r(r.naive.value, 6) if r.naive else "",
            "naive_how": r.naive.how if r.naive else "none: no earlier figure of the series",
            "crps_naive": _r(r.crps_naive, 4), "confidence": f.confidence,
            "source_title": f.source_title, "source_url": f.source_url})
    for f, reason in bt.not_simulated:
        out.append({**dict.fromkeys(COLUMNS, ""), "figure_id": f.id, "region": f.region,
                    "metric": f.metric, "filters": f.filters_text, "date": f.date_text,
                    "kind": f.kind, "status": "not simulated", "reason": reason,
                    "observed": f.value, "confidence": f.confidence,
                    "source_title": f.source_title, "source_url": f.source_url})
    return out


def table_bytes(rows: Sequence[dict[str, Any]]) -> bytes:
    """CSV text, UTF-8 with BOM."""
    return csv_bytes(COLUMNS, rows)


def _skill(summary: dict[str, Any]) -> str:
    v = summary.get("crps_skill")
    return "—" if v is None else f"{v:.3f}"


def readme(bt: Backtest, summary: dict[str, Any], command: str, data: str) -> str:
    """A short bilingual README: what was tested, the coverage and the CRPS comparison."""
    sc = bt.scenario
    n = summary["figures"]

    def pct(key: str) -> str:
        v = summary.get(key)
        return "—" if v is None else f"{100 * v:.0f}%"

    def bullet(key: str, **fields: Any) -> str:
        return f"- {in_both(TEXT, key, **fields)}"

    lines = [f"# {in_both(TEXT, 'readme_title')} — {sc.meta.region.zh} ({sc.meta.id})", "",
             f"{in_both(TEXT, 'readme_command')}: `{command}`", "",
             bullet("readme_record", data=data, cutoff=sc.meta.cutoff, reps=bt.reps,
                    seed=bt.seed),
             bullet("readme_counts", n=n, not_simulated=len(bt.not_simulated))]
    if n:
        lines.append(bullet("readme_coverage", c90=pct("coverage_90"), i90=summary["inside_90"],
                            n=n, below=summary["below_90"], above=summary["above_90"],
                            c50=pct("coverage_50"), i50=summary["inside_50"]))
        if summary.get("figures_with_naive"):
            lines.append(bullet("readme_crps", k=summary["figures_with_naive"],
                                mean=summary["crps_mean"], naive=summary["crps_naive_mean"],
                                rel=summary["crps_relative_mean"],
                                naive_rel=summary["crps_naive_relative_mean"],
                                skill=_skill(summary)))
    else:
        lines.append(bullet("readme_none"))
    lines += ["", in_both(TEXT, "readme_columns", "\n\n", columns=", ".join(COLUMNS)), ""]
    return "\n".join(lines)


def fan_with_record(bt: Backtest, key: str, figures: Sequence[Figure], lang: str) -> bytes:
    """Fan chart of one series over the horizon with the record drawn on it (PNG bytes)."""
    import matplotlib.dates as mdates

    from sim.plots import _ax
    from sim.registry import METRICS

    series = bt.trajectories[key]
    ax = _ax(None, (8.0, 4.5))
    x = np.array(bt.dates, dtype="datetime64[D]")
    q = {p: np.quantile(series, p, axis=0) for p in (0.05, 0.25, 0.5, 0.75, 0.95)}
    ax.fill_between(x, q[0.05], q[0.95], color="#9ecae1", alpha=0.5, linewidth=0,
                    label=_t("band90", lang))
    ax.fill_between(x, q[0.25], q[0.75], color="#4292c6", alpha=0.6, linewidth=0,
                    label=_t("band50", lang))
    ax.plot(x, q[0.5], color="#08306b", linewidth=2, label=_t("median", lang))
    cutoff = bt.scenario.meta.cutoff
    same = [f for f in figures if f.kind == "stock" and f.query is not None
            and f.query.key == key and f.use == "evidence"
            and bt.scenario.meta.region.zh.endswith(f.region)]
    before = [f for f in same if f.date <= cutoff]
    after = [f for f in same if f.date > cutoff]
    if before:
        ax.plot([np.datetime64(f.date) for f in before], [f.value for f in before], "o",
                color="grey", label=_t("before", lang))
    if after:
        ax.plot([np.datetime64(f.date) for f in after], [f.value for f in after], "D",
                color="#cb181d", markersize=7, label=_t("after", lang))
    ax.axvline(float(mdates.date2num(cutoff)), color="black", linestyle=":", linewidth=1,
               label=_t("cutoff", lang))
    metric = key.split("[")[0]
    spec = METRICS.get(metric)
    name = (spec.zh if lang == "zh" else spec.en) if spec else metric
    ax.set_title(f"{bt.scenario.meta.region.zh if lang == 'zh' else bt.scenario.meta.region.en}"
                 f": {name}" + (f" [{key.split('[', 1)[1]}" if "[" in key else ""))
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return png_bytes(ax)


def write_backtest(bt: Backtest, folder: Path, figures: Sequence[Figure], command: str,
                   data: str, lang: str = "zh") -> dict[str, Any]:
    """Write the backtest folder; return its summary."""
    summary = bt.summary()
    summary.update({"scenario": bt.scenario.meta.id, "cutoff": bt.scenario.meta.cutoff.isoformat(),
                    "reps": bt.reps, "seed": bt.seed, "data": data, "command": command,
                    "not_simulated": len(bt.not_simulated)})
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / "backtest.csv", table_bytes(rows_table(bt)))
    atomic_write_json(folder / "summary.json", summary)
    atomic_write_bytes(folder / "README.md", readme(bt, summary, command, data).encode("utf-8"))
    plots = folder / "plots"
    keys = list(bt.trajectories)
    if keys:
        plots.mkdir(exist_ok=True)
    for i, key in enumerate(keys, start=1):
        safe = "".join(c if c.isalnum() or c in "_-" else "_" for c in key)[:60]
        atomic_write_bytes(plots / f"{i:02d}_{safe}.png", fan_with_record(bt, key, figures, lang))
    return summary


__all__ = ["COLUMNS", "Row", "rows_table", "write_backtest"]
