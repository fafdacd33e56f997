"""Lever sweeps: P(met) per target against one lever (or a grid of two), on common random numbers.

Every value is evaluated on the same replication indices, so the curve of P against the lever
moves only through the lever's effect (no independent noise between neighbouring values). The
cost axis is the ``spend`` metric: yuan spent through all levers from the start to the
target's date (mean over replications), and that divided by the years to the date. Plotting P
against it gives the investment frontier.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.common import (
    AnalysisError,
    Evaluator,
    ProgressFn,
    check_lever_name,
    check_levers,
    joint_met,
    open_backend,
    select_targets,
    spend_at,
    target_date,
    years_to,
)
from sim.attainment import wilson
from sim.backends import Backend
from sim.scenario import Scenario

JOINT = "__all__"


@dataclass
class SweepResult:
    """Rows (one per lever point and target, plus the joint outcome) of a sweep."""

    scenario_id: str
    levers: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    target_ids: tuple[str, ...]
    reps: int
    seed: int
    engine: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def of(self, target_id: str) -> list[dict[str, Any]]:
        """Rows of one target (or JOINT), in sweep order."""
        return [r for r in self.rows if r["target_id"] == target_id]

    def p_grid(self, target_id: str = JOINT) -> np.ndarray:
        """P of one target (default: joint) as an array len(values[0]) x len(values[1])."""
        shape = tuple(len(v) for v in self.values)
        grid = np.full(shape, np.nan)
        index = [{v: i for i, v in enumerate(vals)} for vals in self.values]
        for r in self.of(target_id):
            pos = tuple(index[k][r[name]] for k, name in enumerate(self.levers))
            grid[pos] = r["p"]
        return grid

    def summary(self) -> dict[str, Any]:
        """The small JSON."""
        return {"analysis": "sweep", "scenario": self.scenario_id, "levers": list(self.levers),
                "values": [list(v) for v in self.values], "targets": list(self.target_ids),
                "reps": self.reps, "seed": self.seed, "engine": self.engine,
                "common_random_numbers": True, "interval": "95% Wilson",
                "cost": "spend metric: yuan spent through all levers from the start to the "
                        "target date (mean over replications)"}


def sweep(scenario: Scenario, levers: Sequence[str], values: Sequence[Sequence[float]], *,
          targets: Sequence[str] | None = None, reps: int = 200, seed: int = 0,
          engine: str = "fast", backend: Backend | str = "serial", workers: int = 2,
          scheduler: str | None = None, base_levers: dict[str, float] | None = None,
          progress: ProgressFn | None = None) -> SweepResult:
    """Evaluate every combination of ``values[k]`` for ``levers[k]`` (one or two levers)."""
    if not 1 <= len(levers) <= 2 or len(levers) != len(values):
        raise AnalysisError("a sweep takes one or two levers, each with its list of values")
    if len(set(levers)) != len(levers):
        raise AnalysisError(f"lever '{levers[0]}' given twice")
    for name, vals in zip(levers, values, strict=True):
        check_lever_name(scenario, name)
        if not vals:
            raise AnalysisError(f"lever '{name}': no values to sweep")
        for v in vals:
            check_levers(scenario, {**(base_levers or {}), name: v})
    ids = select_targets(scenario, targets)
    vals_t = tuple(tuple(dict.fromkeys(float(v) for v in vs)) for vs in values)
    res = SweepResult(scenario.meta.id, tuple(levers), vals_t, ids, reps, seed, engine)
    last = max(target_date(scenario, t) for t in ids)
    with open_backend(backend, workers, scheduler) as b:
        ev = Evaluator(scenario, reps, seed, engine, b, workers, progress=progress)
        for point in itertools.product(*vals_t):
            setting = {**(base_levers or {}), **dict(zip(levers, point, strict=True))}
            out = ev(setting)
            lever_cols = dict(zip(levers, point, strict=True))
            for tid in (*ids, JOINT):
                met = joint_met(out, ids) if tid == JOINT else out.met_of(tid)
                date = last if tid == JOINT else target_date(scenario, tid)
                k, n = int(met.sum()), int(met.size)
                lo, hi = wilson(k, n)
                spend = spend_at(out, scenario, date)
                value = (out.value_of(tid) if tid != JOINT else np.full(n, np.nan))
                years = years_to(scenario, date)
                res.rows.append({
                    **lever_cols, "target_id": tid, "date": date.isoformat(), "p": k / n,
                    "ci_low": lo, "ci_high": hi, "n": n,
                    "value_median": float(np.median(value)) if tid != JOINT else np.nan,
                    "value_q05": float(np.quantile(value, 0.05)) if tid != JOINT else np.nan,
                    "value_q95": float(np.quantile(value, 0.95)) if tid != JOINT else np.nan,
                    "spend_mean": float(spend.mean()),
                    "spend_per_year_mean": float(spend.mean() / years) if years > 0 else np.nan,
                })
    return res
