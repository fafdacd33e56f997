"""Goal-seek: the least lever value with P(target met) >= p, on common random numbers.

With the replication indices fixed, each replication's outcome is a step function of the
lever, and the estimate P(x) (their mean) is a step function too, free of the sampling noise
that independent runs at each x would add. The search:

1. evaluate the lower bound; if P >= p there, the answer is the lower bound;
2. evaluate the upper bound; if P < p there, no value within the bounds reaches p (reported
   with the P at the upper bound and its interval: not an error, the answer is "none");
3. bisection on [lo, hi] keeping P(lo) < p <= P(hi) until hi - lo <= tol; the answer is the
   final hi, a value that was evaluated and reached p.

The criterion is the point estimate by default, or the lower end of the 95% Wilson interval
with ``conservative=True``. Bisection assumes P rises with the lever (every shipped lever's
response does); the evaluated points are all returned, and a dip among them is flagged.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.analysis.common import (
    AnalysisError,
    Evaluator,
    ProgressFn,
    check_lever_name,
    check_levers,
    joint_met,
    margin,
    mean_incubatees,
    open_backend,
    select_targets,
    spend_at,
    target_date,
    yearly_cost,
)
from sim.attainment import wilson
from sim.backends import Backend
from sim.batch import Outcomes
from sim.scenario import Scenario


@dataclass(frozen=True)
class Point:
    """One evaluated lever value."""

    value: float
    p: float
    ci_low: float
    ci_high: float
    n: int
    spend_mean: float
    """Yuan spent through all levers from the start to the (last) target date, mean."""
    cost_per_year: float
    """Yuan a year this lever costs at this value (per-incubatee levers: at the mean
    number in carriers over the period in this evaluation)."""


def point_of(scenario: Scenario, out: Outcomes, lever: str, value: float,
             target_ids: Sequence[str]) -> Point:
    """P (jointly over ``target_ids``), interval, spend and yearly cost at one value."""
    met = joint_met(out, target_ids)
    k, n = int(met.sum()), int(met.size)
    lo, hi = wilson(k, n)
    last = max(target_date(scenario, t) for t in target_ids)
    cost = yearly_cost(scenario, lever, value, mean_incubatees(out, scenario, last))
    return Point(value, k / n, lo, hi, n, float(spend_at(out, scenario, last).mean()), cost)


@dataclass
class GoalSeekResult:
    """The least lever value reaching P >= p, or why there is none within the bounds."""

    scenario_id: str
    lever: str
    target_ids: tuple[str, ...]
    p_required: float
    conservative: bool
    bounds: tuple[float, float]
    tol: float
    reps: int
    seed: int
    engine: str
    found: bool = False
    answer: Point | None = None
    below: Point | None = None
    """The largest evaluated value below the answer (it missed p): the answer is within
    (below.value, answer.value]."""
    status: str = ""
    message: str = ""
    points: list[Point] = field(default_factory=list)
    monotone: bool = True

    def table(self) -> list[dict[str, Any]]:
        """Every evaluated value, in lever order, as CSV rows."""
        rows = []
        for pt in sorted(self.points, key=lambda q: q.value):
            rows.append({"lever": self.lever, "value": pt.value, "p": pt.p,
                         "ci_low": pt.ci_low, "ci_high": pt.ci_high, "n": pt.n,
                         "reaches_p": self._meets(pt), "cost_per_year": pt.cost_per_year,
                         "spend_mean": pt.spend_mean,
                         "is_answer": self.answer is not None and pt is self.answer})
        return rows

    def _meets(self, pt: Point) -> bool:
        return (pt.ci_low if self.conservative else pt.p) >= self.p_required

    def summary(self) -> dict[str, Any]:
        """The small JSON (``found`` false with ``status`` when no value reaches p)."""
        a = self.answer
        return {
            "analysis": "goal-seek", "scenario": self.scenario_id, "lever": self.lever,
            "targets": list(self.target_ids), "p_required": self.p_required,
            "criterion": "95% Wilson lower bound" if self.conservative else "point estimate",
            "bounds": list(self.bounds), "tol": self.tol, "reps": self.reps, "seed": self.seed,
            "engine": self.engine, "found": self.found, "status": self.status,
            "message": self.message, "value": a.value if a else None,
            "p": a.p if a else None, "ci_low": a.ci_low if a else None,
            "ci_high": a.ci_high if a else None,
            "cost_per_year": a.cost_per_year if a else None,
            "spend_mean": a.spend_mean if a else None,
            "value_below": self.below.value if self.below else None,
            "p_below": self.below.p if self.below else None,
            "p_at_upper_bound": max(self.points, key=lambda q: q.value).p if self.points
            else None,
            "evaluations": len(self.points), "monotone_over_evaluated": self.monotone,
            "common_random_numbers": True,
        }


def goal_seek(scenario: Scenario, lever: str, targets: Sequence[str], p: float = 0.8, *,
              tol: float | None = None, conservative: bool = False,
              bounds: tuple[float, float] | None = None, reps: int = 200, seed: int = 0,
              engine: str = "fast", backend: Backend | str = "serial", workers: int = 2,
              scheduler: str | None = None, progress: ProgressFn | None = None
              ) -> GoalSeekResult:
    """The least value of ``lever`` with P(all ``targets`` met) >= ``p`` (see module doc).

    ``tol`` defaults to 1% of the bound range; ``bounds`` to the lever's bounds.
    """
    check_lever_name(scenario, lever)
    if not targets:
        raise AnalysisError("goal-seek needs at least one target (--target ID)")
    ids = select_targets(scenario, targets)
    if not 0.0 < p < 1.0:
        raise AnalysisError(f"--p {p:g}: expected a probability strictly between 0 and 1")
    lo, hi = bounds if bounds is not None else scenario.levers[lever].bounds
    check_levers(scenario, {lever: lo})
    check_levers(scenario, {lever: hi})
    if hi < lo:
        raise AnalysisError(f"lever '{lever}': empty search range [{lo:g}, {hi:g}]")
    tol = tol if tol is not None else max((hi - lo) / 100.0, 1e-12)
    if tol <= 0:
        raise AnalysisError(f"--tol {tol:g}: expected a positive tolerance")
    res = GoalSeekResult(scenario.meta.id, lever, ids, p, conservative, (lo, hi), tol, reps,
                         seed, engine)
    with open_backend(backend, workers, scheduler) as b:
        ev = Evaluator(scenario, reps, seed, engine, b, workers, progress=progress)

        def at(x: float) -> Point:
            pt = point_of(scenario, ev({lever: x}), lever, x, ids)
            res.points.append(pt)
            return pt

        p_lo = at(lo)
        if res._meets(p_lo):
            res.found, res.answer, res.status = True, p_lo, "reached_at_lower_bound"
            res.message = (f"P >= {p:g} already at the lower bound {lever} = {lo:g} "
                           f"(P = {p_lo.p:.3f} [{p_lo.ci_low:.3f}, {p_lo.ci_high:.3f}])")
            return res
        p_hi = at(hi) if hi > lo else p_lo
        if not res._meets(p_hi):
            res.status = "not_reachable_within_bounds"
            res.message = (f"no value of {lever} within [{lo:g}, {hi:g}] reaches P >= {p:g}: "
                           f"at the upper bound {hi:g}, P = {p_hi.p:.3f} "
                           f"[{p_hi.ci_low:.3f}, {p_hi.ci_high:.3f}] (n = {p_hi.n})")
            return res
        below, above = p_lo, p_hi
        for _ in range(200):
            if above.value - below.value <= tol:
                break
            mid = at(0.5 * (below.value + above.value))
            if res._meets(mid):
                above = mid
            else:
                below = mid
        res.found, res.answer, res.below, res.status = True, above, below, "found"
        res.message = (f"least {lever} with P >= {p:g}: {above.value:g} "
                       f"(P = {above.p:.3f} [{above.ci_low:.3f}, {above.ci_high:.3f}]); "
                       f"at {below.value:g}, P = {below.p:.3f}")
    ordered = sorted(res.points, key=lambda q: q.value)
    res.monotone = all(b.p >= a.p - 1e-12 for a, b in itertools.pairwise(ordered))
    if not res.monotone:
        res.message += " (P is not monotone over the evaluated values: check with a sweep)"
    return res


def simplex_grid(m: int, k: int) -> list[tuple[float, ...]]:
    """All shares (i_1/k, ..., i_m/k) with non-negative integers summing to k."""
    if m == 1:
        return [(1.0,)]
    out: list[tuple[float, ...]] = []

    def rec(prefix: tuple[int, ...], left: int) -> None:
        if len(prefix) == m - 1:
            out.append(tuple(i / k for i in (*prefix, left)))
            return
        for i in range(left + 1):
            rec((*prefix, i), left - i)

    rec((), k)
    return out


@dataclass
class Split:
    """One evaluated budget split."""

    shares: tuple[float, ...]
    yuan: tuple[float, ...]
    """Yuan a year actually spent above the default on each lever (<= share x budget)."""
    values: tuple[float, ...]
    p: float
    ci_low: float
    ci_high: float
    margin: float
    spend_mean: float

    @property
    def key(self) -> tuple[float, float]:
        """Order: P first, then the mean margin beyond the targets (tie-breaker)."""
        return (self.p, self.margin)


@dataclass
class BudgetResult:
    """The best split of a yearly budget across levers, and every split evaluated."""

    scenario_id: str
    budget: float
    levers: tuple[str, ...]
    target_ids: tuple[str, ...]
    unit_costs: tuple[float, ...]
    """Yuan a year per unit of each lever (per-incubatee levers: at the default run's mean
    number in carriers)."""
    incubatees: float
    reps: int
    seed: int
    engine: str
    baseline: Split | None = None
    best: Split | None = None
    splits: list[Split] = field(default_factory=list)

    def table(self) -> list[dict[str, Any]]:
        """Every split evaluated, best first."""
        rows = []
        for s in sorted(self.splits, key=lambda q: q.key, reverse=True):
            row: dict[str, Any] = {}
            for name, share, y, v in zip(self.levers, s.shares, s.yuan, s.values, strict=True):
                row[f"{name}_share"] = share
                row[f"{name}_yuan_per_year"] = y
                row[f"{name}_value"] = v
            row.update({"total_yuan_per_year": sum(s.yuan), "p": s.p, "ci_low": s.ci_low,
                        "ci_high": s.ci_high, "mean_margin": s.margin,
                        "spend_mean": s.spend_mean, "is_best": s is self.best})
            rows.append(row)
        return rows

    def summary(self) -> dict[str, Any]:
        """The small JSON."""
        b = self.best
        return {
            "analysis": "budget-split", "scenario": self.scenario_id, "budget": self.budget,
            "levers": list(self.levers), "targets": list(self.target_ids),
            "unit_costs_per_year": list(self.unit_costs),
            "incubatees_for_per_incubatee_levers": self.incubatees,
            "reps": self.reps, "seed": self.seed, "engine": self.engine,
            "p_default": self.baseline.p if self.baseline else None,
            "best": None if b is None else {
                "yuan_per_year": dict(zip(self.levers, b.yuan, strict=True)),
                "values": dict(zip(self.levers, b.values, strict=True)),
                "total_yuan_per_year": sum(b.yuan), "p": b.p, "ci_low": b.ci_low,
                "ci_high": b.ci_high},
            "evaluations": len(self.splits), "common_random_numbers": True,
            "budget_meaning": "yuan a year above the levers' defaults",
        }


def budget_split(scenario: Scenario, budget: float, levers: Sequence[str],
                 targets: Sequence[str], *, grid: int = 4, refine: int = 2, reps: int = 200,
                 seed: int = 0, engine: str = "fast", backend: Backend | str = "serial",
                 workers: int = 2, scheduler: str | None = None,
                 progress: ProgressFn | None = None) -> BudgetResult:
    """Split ``budget`` yuan a year across ``levers`` to maximise P(all ``targets`` met).

    Each lever gets a share of the budget above its default: value = default + share x budget
    / unit cost a year (capped at the upper bound; money beyond the cap is left unspent).
    A coarse simplex grid of shares (step 1/grid), then ``refine`` rounds of local moves of
    half the previous step between pairs of levers from the best split. Common random numbers
    throughout; ties in P are broken by the mean margin beyond the targets.
    """
    if not budget > 0 or not math.isfinite(budget):
        raise AnalysisError(f"--budget {budget:g}: expected a positive number of yuan a year")
    if not levers:
        raise AnalysisError("--levers: name at least one lever")
    if len(set(levers)) != len(levers):
        raise AnalysisError("--levers: a lever is named twice")
    for name in levers:
        check_lever_name(scenario, name)
        if scenario.levers[name].unit_cost.value <= 0:
            raise AnalysisError(f"lever '{name}' has no unit cost: a budget cannot buy it")
    if grid < 1:
        raise AnalysisError(f"--grid {grid}: expected at least 1")
    ids = select_targets(scenario, targets)
    last = max(target_date(scenario, t) for t in ids)
    with open_backend(backend, workers, scheduler) as b:
        ev = Evaluator(scenario, reps, seed, engine, b, workers, progress=progress)
        base_out = ev({})
        incub = mean_incubatees(base_out, scenario, last)
        costs = tuple(yearly_cost(scenario, name, 1.0, incub) for name in levers)
        for name, c in zip(levers, costs, strict=True):
            if c <= 0:
                raise AnalysisError(f"lever '{name}' costs nothing a year at the default run's "
                                    f"{incub:.0f} incubatees: a budget cannot buy it")
        res = BudgetResult(scenario.meta.id, float(budget), tuple(levers), ids, costs, incub,
                           reps, seed, engine)
        seen: dict[tuple[float, ...], Split] = {}

        def evaluate_split(shares: tuple[float, ...]) -> Split:
            key = tuple(round(s, 12) for s in shares)
            if key in seen:
                return seen[key]
            values, yuan = [], []
            for name, share, c in zip(levers, shares, costs, strict=True):
                lv = scenario.levers[name]
                x = min(lv.default + share * budget / c, lv.bounds[1])
                values.append(x)
                yuan.append(max(0.0, (x - lv.default) * c))
            assert sum(yuan) <= budget * (1 + 1e-9), "a split spent more than the budget"
            out = ev(dict(zip(levers, values, strict=True)))
            met = joint_met(out, ids)
            k, n = int(met.sum()), int(met.size)
            lo, hi = wilson(k, n)
            s = Split(tuple(shares), tuple(yuan), tuple(values), k / n, lo, hi,
                      float(margin(scenario, out, ids).mean()),
                      float(spend_at(out, scenario, last).mean()))
            seen[key] = s
            res.splits.append(s)
            return s

        met0 = joint_met(base_out, ids)
        lo0, hi0 = wilson(int(met0.sum()), int(met0.size))
        res.baseline = Split(tuple(0.0 for _ in levers), tuple(0.0 for _ in levers),
                             tuple(scenario.levers[n].default for n in levers),
                             float(met0.mean()), lo0, hi0,
                             float(margin(scenario, base_out, ids).mean()),
                             float(spend_at(base_out, scenario, last).mean()))
        best = max((evaluate_split(s) for s in simplex_grid(len(levers), grid)),
                   key=lambda q: q.key)
        step = 1.0 / grid
        for _ in range(refine if len(levers) > 1 else 0):
            step /= 2.0
            improved = True
            while improved:
                improved = False
                for i in range(len(levers)):
                    for j in range(len(levers)):
                        if i == j or best.shares[i] < step - 1e-12:
                            continue
                        shares = list(best.shares)
                        shares[i] -= step
                        shares[j] += step
                        cand = evaluate_split(tuple(max(0.0, s) for s in shares))
                        if cand.key > best.key:
                            best, improved = cand, True
        res.best = best
    return res

