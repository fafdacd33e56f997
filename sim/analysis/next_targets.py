"""Targets for the next plan: the value a region reaches by a date with a given probability.

For a metric (with filters) and a date, the value v reached with probability p is the one with
P(value at the date >= v) = p, i.e. the (1 - p) quantile of the simulated values. Its 95%
interval is the distribution-free interval of that quantile from the order statistics
(binomial ranks). With a lever swept over values on common random numbers, the P = 0.8 value
moves with the lever and its yearly cost.

The date may lie after the scenario's horizon: the scenario is then run on to it (a variant
whose horizon ends at the date, its pipeline and inflows as they are; its own targets kept).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.batch import evaluate
from sim.metrics import Query
from sim.scenario import Scenario, to_data, validate_data
from sim.timeline import record_dates


def extend_horizon(sc: Scenario, date: dt.date) -> Scenario:
    """The scenario run on to ``date`` (unchanged if its horizon already reaches it)."""
    if date <= sc.meta.horizon_end:
        return sc
    data = to_data(sc)
    data["meta"]["horizon_end"] = date.isoformat()
    return validate_data(data, default_file=f"<{sc.meta.id} run on to {date}>")


def quantile_interval(values: np.ndarray, q: float, level: float = 0.95
                      ) -> tuple[float, float, float]:
    """(estimate, low, high) of the q quantile: order-statistic interval with binomial ranks."""
    from scipy import stats  # here, not at import: scipy.stats takes about a second to load

    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    est = float(np.quantile(x, q))
    a = (1 - level) / 2
    lo_rank = int(stats.binom.ppf(a, n, q))
    hi_rank = int(stats.binom.ppf(1 - a, n, q))
    return est, float(x[max(0, min(n - 1, lo_rank - 1))]), float(x[max(0, min(n - 1, hi_rank))])


@dataclass
class Reachable:
    """The value reached with each probability for one metric, date and lever setting."""

    query: Query
    date: dt.date
    levers: dict[str, float]
    values: np.ndarray
    """The simulated values at the date (one per replication)."""
    cost_per_year: float
    """Yuan a year all levers cost over the run at this setting (the spend metric at the date /
    years), including levers whose default is not 0: compare settings by their difference."""
    rows: list[dict[str, Any]] = field(default_factory=list)

    def at(self, p: float) -> tuple[float, float, float]:
        """(value, low, high): the value reached with probability ``p``, with its interval."""
        return quantile_interval(self.values, 1.0 - p)


def reachable(sc: Scenario, queries: Sequence[Query], date: dt.date, *, reps: int,
              seed: int = 0, levers: Mapping[str, float] | None = None,
              lever_name: str | None = None, lever_values: Sequence[float] = (),
              engine: str = "fast", backend: Any = "serial", workers: int = 2,
              ) -> list[Reachable]:
    """Values reached by ``date`` for each query, at the lever settings (CRN across them)."""
    run = extend_horizon(sc, date)
    dates = record_dates(run)
    idx = max(i for i, d in enumerate(dates) if d <= date)
    settings: list[dict[str, float]] = [dict(levers or {})]
    if lever_name is not None:
        settings = [{**(levers or {}), lever_name: float(v)} for v in lever_values]
    spend = Query.of("spend")
    years = max(run.end_of_day(date), 1e-9)
    out: list[Reachable] = []
    for setting in settings:
        res = evaluate(run, reps, seed=seed, levers=setting or None, engine=engine,
                       backend=backend, workers=workers, queries=[*queries, spend])
        cost = float(np.mean(res.series[spend.key][:, idx])) / years
        for q in queries:
            out.append(Reachable(q, date, setting, res.series[q.key][:, idx], cost))
    return out


def round_for_plan(value: float) -> float:
    """A figure a plan can state: rounded down to two significant digits (P stays >= p)."""
    if value <= 0 or not math.isfinite(value):
        return max(0.0, value)
    mag = 10 ** max(0, math.floor(math.log10(value)) - 1)
    return math.floor(value / mag) * mag
