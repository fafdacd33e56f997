"""Shortfall attribution: which flows make up the gap of a missed target.

The engines count flows cumulatively from the start (``Outcomes.flows``, replications x
records): ``arrivals``, ``placed`` (entries into carriers), ``refused`` (left the queue
without a place), ``graduated``, ``closed_in_carrier``, ``closed_outside``, ``relocated``, and
per status S ``granted:S``, ``renewed:S``, ``lapsed:S`` (expired, not renewed), ``lost:S``
(holder closed or relocated while valid), ``brought:S`` (held by arriving firms).

For a stock metric the flows obey an identity, value(date) = value(base) + inflows -
outflows; the flows an identity does not cover exactly (exits at the maximum stay, statuses
counted through another, ...) are one residual row, so the table always adds up:

* ``in_incubation``: + placed - graduated - closed_in_carrier + other (residual: exits at the
  maximum stay);
* ``entries_cum``: + placed;  ``graduates_cum``: + graduated;
* ``hnte_valid`` / ``tech_firms_valid`` / ``status_valid`` of status S: + granted:S +
  brought:S - lapsed:S - lost:S + other (residual; e.g. a valid HNTE counting as a tech firm).

Other metrics (area, carriers, cumulative incubated counts, filtered metrics) have no such
identity: their table lists the flows without signs. Flows outside the identity that a
planner can act on (``refused``: demand turned away for lack of space; ``lapsed``; ``lost``)
are listed as well.

For each flow: the mean count to the target date in replications that missed (and that as a
share of their mean gap: refusals worth 10% of the gap mean that space alone cannot close
it), in those that met, and its contribution = sign x (mean in met - mean in missed): the
part of the difference in the value at the date between the met and missed futures that this
flow accounts for (contributions add up to that difference). With no replication meeting the
target there is no such reference; the table then gives the missed futures' flows and the
waterfall their path to the value at the date, and the gap to the threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.common import (
    AnalysisError,
    Evaluator,
    ProgressFn,
    check_levers,
    open_backend,
    record_index,
    select_targets,
)
from sim.attainment import shortfall
from sim.backends import Backend
from sim.batch import Outcomes
from sim.messages import FLOW_TEXT, msg
from sim.scenario import Scenario
from sim.targets import query_of

BASE = "base_value"
RESIDUAL = "other"
FIRM_FLOWS = ("arrivals", "placed", "refused", "graduated", "closed_in_carrier",
              "closed_outside", "relocated")
STATUS_FLOWS = ("granted", "renewed", "lapsed", "lost", "brought")

FLOW_LABELS = FLOW_TEXT
"""Each counted flow's label (the catalogue, sim/messages.py)."""


def flow_label(key: str, lang: str) -> str:
    """A flow's label; status flows name their status (granted:hnte -> 'granted (hnte)')."""
    name, _, status = key.partition(":")
    zh, en = FLOW_LABELS.get(name, (name, name))
    text = zh if lang == "zh" else en
    return f"{text} ({status})" if status else text


def identity(metric: str, filters: Mapping[str, Any]) -> list[tuple[str, float]] | None:
    """(flow, sign) pairs of the metric's stock-flow identity, or None if it has none."""
    extra = {k: v for k, v in filters.items() if k != "status"}
    if metric == "in_incubation" and not filters:
        return [("placed", 1.0), ("graduated", -1.0), ("closed_in_carrier", -1.0)]
    if metric == "entries_cum" and not filters:
        return [("placed", 1.0)]
    if metric == "graduates_cum" and not filters:
        return [("graduated", 1.0)]
    status = {"hnte_valid": "hnte", "tech_firms_valid": "tech_firm"}.get(metric)
    if metric == "status_valid" and not extra:
        status = filters.get("status")
    elif extra:
        status = None
    if status:
        return [(f"granted:{status}", 1.0), (f"brought:{status}", 1.0),
                (f"lapsed:{status}", -1.0), (f"lost:{status}", -1.0)]
    return None


@dataclass
class AttributionResult:
    """Flows of the replications that missed a target, against those that met it."""

    scenario_id: str
    target_id: str
    label_zh: str
    label_en: str
    metric: str
    threshold: float
    n: int
    n_missed: int
    value_missed: float
    value_met: float
    base_missed: float
    base_met: float
    mean_gap: float
    has_identity: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """The note as message keys and fields (sim.messages), for the reader's language."""

    def note_in(self, lang: str) -> str:
        """The note in ``lang`` (empty when there is nothing to say)."""
        return "; ".join(msg(key, lang, **fields) for key, fields in self.notes)

    def table(self) -> list[dict[str, Any]]:
        """CSV rows: flow, sign, mean counts in missed / met replications, contribution."""
        return list(self.rows)

    def summary(self) -> dict[str, Any]:
        """The small JSON."""
        return {"analysis": "attribution", "scenario": self.scenario_id,
                "target": self.target_id, "metric": self.metric, "threshold": self.threshold,
                "n": self.n, "n_missed": self.n_missed, "p": 1 - self.n_missed / self.n,
                "value_mean_missed": self.value_missed, "value_mean_met": self.value_met,
                "mean_gap_missed": self.mean_gap, "identity": self.has_identity,
                "note": self.note, "flows": self.rows}


def attribute(scenario: Scenario, target_id: str, out: Outcomes) -> AttributionResult:
    """Attribution of one target's shortfall from Outcomes that carry ``flows``."""
    (tid,) = select_targets(scenario, [target_id])
    target = next(t for t in scenario.targets if t.id == tid)
    flows: Mapping[str, np.ndarray] | None = getattr(out, "flows", None)
    if not flows:
        raise AnalysisError("the engine recorded no flows (Outcomes.flows is empty): "
                            "attribution needs an engine that counts them")
    i = record_index(scenario, target.date)
    met = out.met_of(tid)
    missed = ~met
    value = out.value_of(tid)
    thr = out.threshold[:, out.column(tid)]
    q = query_of(target)
    ident = identity(q.metric, dict(q.filters))
    base_key = q.key
    base = (out.series[base_key][:, 0] if base_key in out.series
            else np.full(out.n, np.nan))

    def mean(x: np.ndarray, mask: np.ndarray) -> float:
        return float(x[mask].mean()) if mask.any() else float("nan")

    gap = shortfall(target.op, value[missed], thr[missed])
    res = AttributionResult(
        scenario.meta.id, tid, target.label.zh, target.label.en, q.metric,
        float(np.median(thr)), out.n, int(missed.sum()), mean(value, missed),
        mean(value, met), mean(base, missed), mean(base, met),
        float(gap.mean()) if gap.size else 0.0, ident is not None)
    have_met = bool(met.any())

    def add(key: str, sign: float, counts: np.ndarray, role: str) -> None:
        m_miss, m_met = mean(counts, missed), mean(counts, met)
        contrib = sign * (m_met - m_miss) if have_met and sign else float("nan")
        share = m_miss / res.mean_gap if res.mean_gap > 0 and key != BASE else float("nan")
        res.rows.append({"flow": key, "role": role, "sign": sign, "mean_missed": m_miss,
                         "mean_met": m_met, "contribution": contrib, "gap_share": share})

    statuses = tuple(scenario.statuses)
    known = [*FIRM_FLOWS, *(f"{f}:{s}" for s in statuses for f in STATUS_FLOWS)]
    at = {k: np.asarray(v, dtype=float)[:, i] for k, v in flows.items()}
    if ident is not None:
        missing = [k for k, _ in ident if k not in at]
        if missing:
            raise AnalysisError(f"the engine recorded no flow {', '.join(missing)} "
                                f"(recorded: {', '.join(sorted(at))})")
        add(BASE, 1.0, base, "identity")
        net = np.zeros(out.n)
        for key, sign in ident:
            add(key, sign, at[key], "identity")
            net += sign * at[key]
        add(RESIDUAL, 1.0, value - base - net, "identity")
    used = {k for k, _ in ident} if ident else set()
    for key in known:
        if key in at and key not in used:
            add(key, 0.0, at[key], "context")
    if not have_met:
        res.notes.append(("attr_no_met", {}))
    elif not res.n_missed:
        res.notes.append(("attr_all_met", {}))
    if ident is None:
        res.notes.append(("attr_no_identity", {"metric": q.key}))
    res.note = res.note_in("en")
    return res


def attribution(scenario: Scenario, target_id: str, *, levers: Mapping[str, float] | None = None,
                reps: int = 200, seed: int = 0, engine: str = "fast",
                backend: Backend | str = "serial", workers: int = 2,
                scheduler: str | None = None, progress: ProgressFn | None = None
                ) -> AttributionResult:
    """Simulate ``reps`` replications and attribute ``target_id``'s shortfall to flows."""
    (tid,) = select_targets(scenario, [target_id])
    target = next(t for t in scenario.targets if t.id == tid)
    lv = check_levers(scenario, levers)
    with open_backend(backend, workers, scheduler) as b:
        out = Evaluator(scenario, reps, seed, engine, b, workers,
                        extra_queries=(query_of(target),), progress=progress)(lv)
    return attribute(scenario, target_id, out)
