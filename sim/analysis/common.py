"""Shared pieces of the lever analyses: checked inputs, one evaluator with common random numbers.

Every analysis (compare, sweep, goal-seek, budget split, attribution) evaluates the same
replication indices of the same root seed at several lever settings. ``Evaluator`` does that
and caches each setting, so a value visited twice (a bisection end point, a grid point) is
simulated once; its ``Outcomes`` carry the ``spend`` trajectory (yuan spent through levers)
for the cost axis.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.backends import Backend, make_backend
from sim.batch import Outcomes, evaluate
from sim.messages import Message
from sim.metrics import Query
from sim.scenario import Scenario
from sim.timeline import record_dates

SPEND = Query.of("spend")
INCUBATEES = Query.of("in_incubation")

ProgressFn = Callable[[str], None]


class AnalysisError(ValueError):
    """Bad input to an analysis (unknown lever or target, value outside bounds): one line."""


def check_levers(scenario: Scenario, values: Mapping[str, float] | None) -> dict[str, float]:
    """Every lever's value with ``values`` applied; AnalysisError names a bad lever or value."""
    from sim.levers import lever_values

    try:
        return lever_values(scenario, values)
    except KeyError as exc:
        raise AnalysisError(str(exc.args[0])) from None
    except ValueError as exc:
        raise AnalysisError(str(exc)) from None


def check_lever_name(scenario: Scenario, name: str) -> None:
    """AnalysisError unless ``name`` is a lever of the scenario."""
    if name not in scenario.levers:
        known = ", ".join(scenario.levers) or "none"
        raise AnalysisError(f"unknown lever '{name}' (levers of {scenario.meta.id}: {known})")


def select_targets(scenario: Scenario, ids: Sequence[str] | None) -> tuple[str, ...]:
    """The target ids asked for (all when empty); AnalysisError names an unknown id."""
    known = tuple(t.id for t in scenario.targets)
    if not ids:
        return known
    for tid in ids:
        if tid not in known:
            raise AnalysisError(f"unknown target '{tid}' (targets of {scenario.meta.id}: "
                                f"{', '.join(known)})")
    return tuple(dict.fromkeys(ids))


def target_date(scenario: Scenario, target_id: str) -> dt.date:
    """The date of a target."""
    for t in scenario.targets:
        if t.id == target_id:
            return t.date
    raise AnalysisError(f"unknown target '{target_id}'")


def record_index(scenario: Scenario, date: dt.date) -> int:
    """Index of the last monthly record at or before the end of ``date``."""
    dates = record_dates(scenario)
    idx = [i for i, d in enumerate(dates) if d <= date]
    if not idx:
        raise AnalysisError(f"{date} is before the scenario's base date {dates[0]}")
    return idx[-1]


def years_to(scenario: Scenario, date: dt.date) -> float:
    """Model years from the start to the end of ``date``."""
    return float(scenario.end_of_day(date))


def spend_at(outcomes: Outcomes, scenario: Scenario, date: dt.date) -> np.ndarray:
    """Cumulative lever spending (yuan) at ``date`` per replication."""
    return np.asarray(outcomes.series[SPEND.key][:, record_index(scenario, date)], dtype=float)


def joint_met(outcomes: Outcomes, target_ids: Sequence[str]) -> np.ndarray:
    """Per replication: all of ``target_ids`` met."""
    cols = [outcomes.column(t) for t in target_ids]
    return np.asarray(outcomes.met[:, cols].all(axis=1), dtype=bool)


def margin(scenario: Scenario, outcomes: Outcomes, target_ids: Sequence[str]) -> np.ndarray:
    """Per replication, the mean over targets of the signed relative margin.

    (value - threshold) / |threshold|, positive meaning 'beyond the target': a smooth
    tie-breaker for equal probabilities.
    """
    ops = {t.id: t.op for t in scenario.targets}
    parts = []
    for tid in target_ids:
        v, thr = outcomes.value_of(tid), outcomes.threshold[:, outcomes.column(tid)]
        scale = np.maximum(np.abs(thr), 1.0)
        sign = 1.0 if ops[tid] in (">=", ">") else -1.0
        parts.append(sign * (v - thr) / scale)
    return np.mean(np.vstack(parts), axis=0)


def yearly_cost(scenario: Scenario, lever: str, value: float, incubatees: float) -> float:
    """Yuan a year that ``lever`` at ``value`` costs with ``incubatees`` in carriers."""
    from sim.levers import spend_rate

    return float(spend_rate(scenario.levers[lever], value, incubatees))


@contextlib.contextmanager
def open_backend(backend: Backend | str, workers: int,
                 scheduler: str | None = None) -> Iterator[Backend | str]:
    """One backend for all the evaluations of an analysis (a pool started once)."""
    if not isinstance(backend, str) or backend == "serial":
        yield backend
        return
    with make_backend(backend, workers, scheduler) as b:
        yield b


def _key(levers: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((k, float(v)) for k, v in levers.items()))


@dataclass
class Evaluator:
    """Outcomes of fixed replications at lever settings (common random numbers, cached)."""

    scenario: Scenario
    reps: int
    seed: int = 0
    engine: str = "fast"
    backend: Backend | str = "serial"
    workers: int = 2
    extra_queries: tuple[Query, ...] = ()
    progress: ProgressFn | None = None
    cache: dict[tuple[tuple[str, float], ...], Outcomes] = field(default_factory=dict)

    def __call__(self, levers: Mapping[str, float] | None = None) -> Outcomes:
        """Outcomes at ``levers`` (others at their defaults); checked against the bounds."""
        full = check_levers(self.scenario, levers)
        key = _key(full)
        if key not in self.cache:
            if self.progress:
                changed = {k: v for k, v in full.items()
                           if v != self.scenario.levers[k].default}
                shown = ", ".join(f"{k}={v:g}" for k, v in changed.items())
                self.progress(Message("evaluating", reps=self.reps, levers=shown) if shown
                              else Message("evaluating_defaults", reps=self.reps))
            queries = (SPEND, INCUBATEES, *self.extra_queries)
            self.cache[key] = evaluate(self.scenario, self.reps, seed=self.seed, levers=full,
                                       engine=self.engine, backend=self.backend,
                                       workers=self.workers,
                                       queries=tuple(dict.fromkeys(queries)))
        return self.cache[key]

    @property
    def evaluations(self) -> int:
        """Distinct lever settings simulated so far."""
        return len(self.cache)


def mean_incubatees(outcomes: Outcomes, scenario: Scenario, date: dt.date) -> float:
    """Mean number in carriers over the months from the start to ``date`` (all replications)."""
    i = record_index(scenario, date)
    series = outcomes.series[INCUBATEES.key][:, : i + 1]
    return float(series.mean()) if series.size else 0.0


def fmt_value(x: float) -> str:
    """A lever value for folder names and messages (no trailing zeros)."""
    if math.isfinite(x) and float(x).is_integer():
        return str(int(x))
    return f"{x:g}"
