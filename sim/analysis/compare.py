"""Paired comparison of two variants on common random numbers.

``compare(A, B)`` evaluates the same replication indices of the same root seed for both
variants (two scenario files, or one scenario at two lever settings). Per target it reports
P(met) of each, the paired difference with Newcombe's paired interval, the interval two
independent runs of the same size would give, the difference of the mean value at the date
(paired t interval), and the variance ratio Var(B - A) / (Var A + Var B) of the met indicator
and of the value: what pairing saves (0.25 means the paired estimate needs a quarter of the
replications that independent runs need for the same precision).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.common import (
    AnalysisError,
    Evaluator,
    ProgressFn,
    check_levers,
    joint_met,
    open_backend,
    spend_at,
)
from sim.analysis.stats import Interval, mean_difference, newcombe_difference, variance_ratio
from sim.backends import Backend
from sim.batch import Outcomes
from sim.messages import ANALYSIS_PLOT_TEXT
from sim.scenario import Scenario

JOINT = "__all__"
"""Row id of the joint outcome (all compared targets met)."""


@dataclass(frozen=True)
class TargetComparison:
    """One target (or the joint outcome) compared between A and B."""

    target_id: str
    label_zh: str
    label_en: str
    p_a: float
    p_b: float
    diff: Interval
    """P(B) - P(A), paired (Newcombe hybrid score)."""
    diff_independent: Interval
    """The same difference with the interval of two independent runs of the same size."""
    var_ratio_met: float
    value_a: float
    value_b: float
    value_diff: Interval
    value_diff_independent: Interval
    var_ratio_value: float
    spend_a: float
    spend_b: float

    def row(self) -> dict[str, Any]:
        """A flat CSV row."""
        return {
            "target_id": self.target_id, "label_zh": self.label_zh, "label_en": self.label_en,
            "p_a": self.p_a, "p_b": self.p_b, "p_diff": self.diff.estimate,
            "p_diff_low": self.diff.low, "p_diff_high": self.diff.high,
            "p_diff_low_independent": self.diff_independent.low,
            "p_diff_high_independent": self.diff_independent.high,
            "var_ratio_met": self.var_ratio_met,
            "value_a_mean": self.value_a, "value_b_mean": self.value_b,
            "value_diff": self.value_diff.estimate, "value_diff_low": self.value_diff.low,
            "value_diff_high": self.value_diff.high,
            "value_diff_low_independent": self.value_diff_independent.low,
            "value_diff_high_independent": self.value_diff_independent.high,
            "var_ratio_value": self.var_ratio_value,
            "spend_a_mean": self.spend_a, "spend_b_mean": self.spend_b,
        }


@dataclass
class Comparison:
    """Result of ``compare``: one row per target plus the joint outcome."""

    name_a: str
    name_b: str
    reps: int
    seed: int
    engine: str
    levers_a: dict[str, float]
    levers_b: dict[str, float]
    rows: list[TargetComparison] = field(default_factory=list)
    outcomes_a: Outcomes | None = None
    outcomes_b: Outcomes | None = None

    def table(self) -> list[dict[str, Any]]:
        """CSV rows."""
        return [r.row() for r in self.rows]

    def summary(self) -> dict[str, Any]:
        """The small JSON."""
        return {"analysis": "compare", "a": self.name_a, "b": self.name_b, "reps": self.reps,
                "seed": self.seed, "engine": self.engine, "levers_a": self.levers_a,
                "levers_b": self.levers_b, "common_random_numbers": True,
                "interval": "95%, Newcombe hybrid score for paired proportions (method 10); "
                            "paired t for values",
                "targets": self.table()}


def _labels(sc: Scenario, tid: str) -> tuple[str, str]:
    for t in sc.targets:
        if t.id == tid:
            return t.label.zh, t.label.en
    if tid == JOINT:
        return ANALYSIS_PLOT_TEXT["all_compared_jointly"]
    return tid, tid


def compare_outcomes(sc_a: Scenario, out_a: Outcomes, out_b: Outcomes,
                     target_ids: Sequence[str], *, sc_b: Scenario | None = None
                     ) -> list[TargetComparison]:
    """Per-target paired comparison of two Outcomes over the same replication indices."""
    if not np.array_equal(out_a.reps, out_b.reps):
        raise ValueError("paired comparison needs the same replication indices in A and B")
    sc_b = sc_b or sc_a
    rows = []
    dates = {t.id: t.date for t in sc_a.targets}
    for tid in target_ids:
        ma, mb = out_a.met_of(tid), out_b.met_of(tid)
        va, vb = out_a.value_of(tid), out_b.value_of(tid)
        sa, sb = spend_at(out_a, sc_a, dates[tid]), spend_at(out_b, sc_b, dates[tid])
        zh, en = _labels(sc_a, tid)
        rows.append(TargetComparison(
            tid, zh, en, float(ma.mean()), float(mb.mean()),
            newcombe_difference(ma, mb), newcombe_difference(ma, mb, paired=False),
            variance_ratio(ma, mb), float(va.mean()), float(vb.mean()),
            mean_difference(va, vb), mean_difference(va, vb, paired=False),
            variance_ratio(va, vb), float(sa.mean()), float(sb.mean())))
    if len(target_ids) > 1:
        ja, jb = joint_met(out_a, target_ids), joint_met(out_b, target_ids)
        nan_i = Interval(float("nan"), float("nan"), float("nan"))
        last = max(dates[t] for t in target_ids)
        zh, en = _labels(sc_a, JOINT)
        rows.append(TargetComparison(
            JOINT, zh, en, float(ja.mean()), float(jb.mean()),
            newcombe_difference(ja, jb), newcombe_difference(ja, jb, paired=False),
            variance_ratio(ja, jb), float("nan"), float("nan"), nan_i, nan_i, float("nan"),
            float(spend_at(out_a, sc_a, last).mean()),
            float(spend_at(out_b, sc_b, last).mean())))
    return rows


def _common_targets(sc_a: Scenario, sc_b: Scenario, ids: Sequence[str] | None) -> list[str]:
    a_ids = [t.id for t in sc_a.targets]
    b = {t.id: t for t in sc_b.targets}
    common = [t for t in a_ids if t in b]
    if ids:
        for tid in ids:
            if tid not in common:
                raise AnalysisError(f"target '{tid}' is not in both scenarios (common targets: "
                                    f"{', '.join(common) or 'none'})")
        common = list(dict.fromkeys(ids))
    if not common:
        raise AnalysisError(f"{sc_a.meta.id} and {sc_b.meta.id} have no target id in common")
    a_by = {t.id: t for t in sc_a.targets}
    for tid in common:
        if a_by[tid].date != b[tid].date or a_by[tid].metric != b[tid].metric:
            raise AnalysisError(f"target '{tid}' differs in metric or date between "
                                f"{sc_a.meta.id} and {sc_b.meta.id}")
    return common


def compare(scenario_a: Scenario, scenario_b: Scenario | None = None, *,
            levers_a: Mapping[str, float] | None = None,
            levers_b: Mapping[str, float] | None = None,
            targets: Sequence[str] | None = None, reps: int = 200, seed: int = 0,
            engine: str = "fast", backend: Backend | str = "serial", workers: int = 2,
            scheduler: str | None = None, progress: ProgressFn | None = None,
            name_a: str | None = None, name_b: str | None = None) -> Comparison:
    """Compare B against A on common random numbers (B defaults to A with ``levers_b``).

    ``compare(sc, levers_b={"area_build": 20000})`` compares the default levers with the set;
    ``compare(sc_a, sc_b)`` two scenario files (targets matched by id, same metric and date).
    """
    sc_b = scenario_b or scenario_a
    if scenario_b is None and not levers_b and not levers_a:
        raise AnalysisError("nothing to compare: give a second scenario or lever values (--set)")
    la, lb = check_levers(scenario_a, levers_a), check_levers(sc_b, levers_b)
    ids = _common_targets(scenario_a, sc_b, targets)
    with open_backend(backend, workers, scheduler) as b:
        ev_a = Evaluator(scenario_a, reps, seed, engine, b, workers, progress=progress)
        ev_b = ev_a if sc_b is scenario_a else Evaluator(sc_b, reps, seed, engine, b, workers,
                                                          progress=progress)
        out_a, out_b = ev_a(la), ev_b(lb)
    res = Comparison(name_a or scenario_a.meta.id, name_b or sc_b.meta.id, reps, seed, engine,
                     la, lb, outcomes_a=out_a, outcomes_b=out_b)
    res.rows = compare_outcomes(scenario_a, out_a, out_b, ids, sc_b=sc_b)
    return res
