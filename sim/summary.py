"""Summaries of a stored run: attainment.csv, summary.json and the plots.

``attainment.csv`` has the columns
``target_id,label,metric,op,value,date,p,ci_low,ci_high,n,median,q05,q95,mean_shortfall``
(``value`` is the threshold: the target's value, the lower end of a range, or the mean of
2 x baseline for a doubling target), followed by the evidence columns of ``sim.evidence``
(``evidence, var_share_assumption, var_share_derived, var_share_data,
baseline_source``). ``summary.json`` holds the same rows plus the joint
probability of all targets, the joint probability per target date, stretch values, and the
first-reach distribution.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.parquet as pq

from sim.attainment import TargetSummary, joint, summarize_target
from sim.evidence import EVIDENCE_COLUMNS, Evidence, target_evidence
from sim.messages import SUMMARY_TEXT, label
from sim.scenario import Scenario, scenario_hash, validate_data
from sim.scenario.documents import stored_scenario
from sim.scenario.schema import text_data
from sim.store import RunStore, atomic_write_bytes, atomic_write_json, csv_encode
from sim.targets import query_of, since_base
from sim.timeline import record_dates

if TYPE_CHECKING:
    from sim.plot_jobs import PlotJob

ATTAINMENT_COLUMNS = ("target_id", "label", "metric", "op", "value", "date", "p", "ci_low",
                      "ci_high", "n", "median", "q05", "q95", "mean_shortfall")


@dataclass
class RunSummary:
    """Everything the tables, plots and report need from a run."""

    scenario: Scenario
    manifest: dict[str, Any]
    targets: dict[str, TargetSummary]
    thresholds: dict[str, float]
    joint_all: tuple[float, float, float]
    joint_by_date: dict[str, tuple[float, float, float]]
    first_reached: dict[str, np.ndarray]
    evidence: dict[str, Evidence] = field(default_factory=dict)


def load_run_scenario(run_dir: Path) -> Scenario:
    """The scenario a run used (stored with it, so a later edit of the YAML does not matter)."""
    data = json.loads((run_dir / "scenario.json").read_text(encoding="utf-8"))
    with stored_scenario():  # sources were checked when it ran; old runs stay readable
        return validate_data(data, default_file=str(run_dir / "scenario.json"))


def joint_note(sc: Scenario, lang: str) -> str:
    """Which targets the joint probability runs over (one reading per plan sentence)."""
    alt = [t.id for t in sc.targets if t.reading_of is not None]
    n = len(sc.targets) - len(alt)
    text = label(SUMMARY_TEXT, "joint_over", lang, n=n)
    if alt:
        ids = label(SUMMARY_TEXT, "id_separator", lang).join(alt)
        text += label(SUMMARY_TEXT, "joint_left_out", lang, ids=ids)
    return text


def summarize(run_dir: Path, scenario: Scenario | None = None) -> RunSummary:
    """Compute attainment statistics from a run folder's outcomes.

    ``scenario``: the scenario in memory that just ran into ``run_dir``; used when it is the
    one the run stored (same hash), which saves reading and validating it again.
    """
    store = RunStore(run_dir)
    manifest = store.read_manifest()
    if scenario is not None and manifest.get("scenario_hash") == scenario_hash(scenario):
        sc = scenario
    else:
        sc = load_run_scenario(run_dir)
    path = run_dir / "outcomes.parquet"
    table = pq.read_table(path) if path.is_file() else store.read_parts("outcomes")
    ids = np.asarray(table.column("target_id").to_pylist())
    reps = np.asarray(table.column("rep").to_pylist())
    met = np.asarray(table.column("met").to_pylist(), dtype=bool)
    value = np.asarray(table.column("value").to_pylist(), dtype=float)
    thr = np.asarray(table.column("threshold").to_pylist(), dtype=float)
    first = np.asarray(table.column("first_reached").to_pylist(), dtype=float)
    rep_ids = np.unique(reps)
    params = _params_by_rep(run_dir, store, rep_ids)
    evidence: dict[str, Evidence] = {}
    targets: dict[str, TargetSummary] = {}
    thresholds: dict[str, float] = {}
    firsts: dict[str, np.ndarray] = {}
    met_matrix = np.zeros((rep_ids.size, len(sc.targets)), dtype=bool)
    for j, t in enumerate(sc.targets):
        m = ids == t.id
        order = np.argsort(reps[m])
        targets[t.id] = summarize_target(t.op, met[m][order], value[m][order], thr[m][order],
                                         first[m][order], by=sc.end_of_day(t.date))
        thresholds[t.id] = float(np.mean(thr[m]))
        firsts[t.id] = first[m][order]
        met_matrix[:, j] = met[m][order]
        evidence[t.id] = target_evidence(sc, t, value[m][order], params)
    # one reading per plan sentence: alternative readings (reading_of) are left out
    primary = [j for j, t in enumerate(sc.targets) if t.reading_of is None]
    by_date: dict[str, tuple[float, float, float]] = {}
    for date in sorted({t.date for t in sc.targets}):
        cols = [j for j in primary if sc.targets[j].date == date]
        if cols:
            by_date[date.isoformat()] = joint(met_matrix[:, cols])
    return RunSummary(sc, manifest, targets, thresholds, joint(met_matrix[:, primary]), by_date,
                      firsts, evidence)


def _params_by_rep(run_dir: Path, store: RunStore, rep_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Each uncertainty's draws, in replication order (for the evidence grade)."""
    path = run_dir / "params.parquet"
    try:
        table = pq.read_table(path) if path.is_file() else store.read_parts("params")
    except Exception:  # a run without stored draws gets no variance shares
        return {}
    reps = np.asarray(table.column("rep").to_pylist(), dtype=float)
    order = np.argsort(reps)
    if reps.size != rep_ids.size:
        return {}
    return {name[2:]: np.asarray(table.column(name).to_pylist(), dtype=float)[order]
            for name in table.column_names if name.startswith("u:")}


def attainment_rows(s: RunSummary, lang: str) -> list[dict[str, Any]]:
    """One row per target with the contract columns."""
    rows = []
    for t in s.scenario.targets:
        ts = s.targets[t.id]
        rows.append({
            "target_id": t.id, "label": t.label.zh if lang == "zh" else t.label.en,
            "metric": query_of(t).key, "op": t.op, "value": s.thresholds[t.id],
            "date": t.date.isoformat(), "p": ts.p, "ci_low": ts.ci_low, "ci_high": ts.ci_high,
            "n": ts.n, "median": ts.median, "q05": ts.q05, "q95": ts.q95,
            "mean_shortfall": ts.mean_shortfall,
            **_evidence_columns(s.evidence.get(t.id)),
        })
    return rows


def _evidence_columns(ev: Evidence | None) -> dict[str, Any]:
    if ev is None:
        return dict.fromkeys(EVIDENCE_COLUMNS, "")
    return {"evidence": ev.grade, "var_share_assumption": ev.shares.get("assumption", 0.0),
            "var_share_derived": ev.shares.get("derived", 0.0),
            "var_share_data": ev.shares.get("data", 0.0), "baseline_source": ev.baseline}


def write_tables(s: RunSummary, run_dir: Path, lang: str) -> None:
    """Write attainment.csv and summary.json atomically."""
    rows = attainment_rows(s, lang)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[*ATTAINMENT_COLUMNS, *EVIDENCE_COLUMNS],
                       lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
    atomic_write_bytes(run_dir / "attainment.csv", csv_encode(buf.getvalue()))
    start = s.scenario.meta.start
    extra = {}
    for t in s.scenario.targets:
        f = s.first_reached[t.id]
        reached = f[np.isfinite(f)]
        extra[t.id] = {
            "stretch": t.stretch,
            "double_of": t.double_of,
            "relative_to": t.relative_to,
            "reading_of": t.reading_of,
            "since": t.since.isoformat() if t.since else None,
            "note": text_data(t.note),
            "evidence_sentence": {lang_: s.evidence[t.id].sentence(lang_)
                                  for lang_ in ("zh", "en")} if t.id in s.evidence else {},
            "first_reached": {
                "p_ever": asdict(s.targets[t.id])["p_reached_ever"],
                "p_by_date": asdict(s.targets[t.id])["p_reached_by_date"],
                "quantiles": {str(q): _date_of(start, float(np.quantile(reached, q)))
                              for q in (0.05, 0.25, 0.5, 0.75, 0.95)} if reached.size else {},
            },
        }
    atomic_write_json(run_dir / "summary.json", {
        "scenario_id": s.scenario.meta.id,
        "n": int(max(ts.n for ts in s.targets.values())),
        "targets": [{**row, **extra[row["target_id"]]} for row in rows],
        "joint_all": dict(zip(("p", "ci_low", "ci_high"), s.joint_all, strict=True)),
        "joint_by_date": {d: dict(zip(("p", "ci_low", "ci_high"), v, strict=True))
                          for d, v in s.joint_by_date.items()},
        "manifest": {k: s.manifest.get(k) for k in ("scenario_hash", "seed", "engine",
                                                      "backend", "reps_done", "wall_seconds")},
    })


def _date_of(start: dt.date, years: float) -> str:
    return (start + dt.timedelta(days=round(years * 365.25)) - dt.timedelta(days=1)).isoformat()


def fan_quantiles(run_dir: Path, key: str, n_months: int) -> dict[float, np.ndarray]:
    """Monthly quantiles of one stored column over all replications (one column read)."""
    store = RunStore(run_dir)
    values: list[np.ndarray] = []
    for part in store.iter_parts("trajectories", ["rep", "month", key]):
        month = part.column("month").to_numpy()
        v = part.column(key).to_numpy().astype(float)
        values.append(v.reshape(-1, n_months) if month.size % n_months == 0 else v[None, :])
    stack = np.vstack(values)
    return {q: np.quantile(stack, q, axis=0) for q in (0.05, 0.25, 0.5, 0.75, 0.95)}


def _drawn_threshold(t: Any, threshold: float, dates: Sequence[dt.date],
                     q: dict[float, np.ndarray]) -> float:
    """The threshold on the fan chart's scale (the median offset for a ``since`` target).

    The chart shows the metric counted from the start; a ``since`` target counts from its own
    date.
    """
    if t.since is None:
        return threshold
    i0, before = since_base(t, dates)
    return float(threshold - before + q[0.5][i0])


def write_plots(s: RunSummary, run_dir: Path, lang: str) -> list[Path]:
    """Fan charts per target, attainment bars and first-reach histograms under plots/.

    Drawn by ``sim.plot_jobs.draw_all`` (side by side in helper processes where cores are
    spare).
    """
    from sim.plot_jobs import draw_all

    return draw_all(plot_jobs(s, run_dir, lang), run_dir / "plots")


def plot_jobs(s: RunSummary, run_dir: Path, lang: str) -> list[PlotJob]:
    """The plots of a run as jobs of plain data, in the order they are listed."""
    from sim.plot_jobs import PlotJob
    from sim.registry import METRICS

    sc = s.scenario
    dates = record_dates(sc)
    jobs: list[PlotJob] = []
    zh = lang == "zh"
    for t in sc.targets:
        key = query_of(t).key
        try:
            q = fan_quantiles(run_dir, key, len(dates))
        except KeyError:
            continue
        spec = METRICS[t.metric]
        label = t.label.zh if zh else t.label.en
        unit = spec.unit_zh if zh else spec.unit_en
        jobs.append(PlotJob(f"fan_{t.id}.png", "fan", (dates, q), dict(
            title=label, ylabel=f"{spec.zh if zh else spec.en} ({unit})",
            target_value=_drawn_threshold(t, s.thresholds[t.id], dates, q),
            target_date=t.date, stretch=t.stretch, lang=lang)))
        start = sc.meta.start
        f = s.first_reached[t.id]
        first_dates = [dt.date.fromisoformat(_date_of(start, float(v))) for v in f
                       if np.isfinite(v)]
        jobs.append(PlotJob(f"first_reach_{t.id}.png", "first_reach",
                            (first_dates, int((~np.isfinite(f)).sum())),
                            dict(title=label, target_date=t.date, lang=lang)))
    labels = [(t.label.zh if zh else t.label.en) for t in sc.targets]
    jobs.append(PlotJob("attainment.png", "attainment", (
        labels, [s.targets[t.id].p for t in sc.targets],
        [s.targets[t.id].ci_low for t in sc.targets],
        [s.targets[t.id].ci_high for t in sc.targets]),
        dict(title=(sc.meta.name.zh if zh else sc.meta.name.en), lang=lang)))
    return jobs
