"""Judging targets on a replication's trajectory (docs/design.md section 2, "Reading the targets").

A target compares its metric (with filters) at the end of its date with its threshold:
``value``; the lower end of ``range`` (the upper end is a stretch value reported beside it);
or for ``double_of: baseline`` twice the metric's value at the scenario start (the base date);
with ``relative_to: baseline`` the start's value plus ``value``.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.metrics import Query
from sim.result import Result
from sim.scenario.schema import Target

OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
}


def query_of(target: Target) -> Query:
    """The metric-and-filter query a target is judged on."""
    return Query.of(target.metric, target.filters)


def threshold(target: Target, result: Result) -> float:
    """The number the target's metric is compared with in this replication."""
    if target.double_of is not None:
        return 2.0 * float(result.series[query_of(target).key][0])
    if target.relative_to is not None:
        assert target.value is not None
        return float(result.series[query_of(target).key][0]) + target.value
    value = target.threshold
    assert value is not None
    return value


@dataclass(frozen=True)
class Outcome:
    """A target judged on one replication."""

    target_id: str
    value: float
    threshold: float
    met: bool
    first_reached: float | None
    """Model time (years) of the first record at which the comparison held, if ever."""


def since_base(target: Target, dates: Sequence[dt.date]) -> tuple[int, float]:
    """Where a ``since`` target's count starts: (record index, count already made by then).

    On or before the scenario start (index 0 is the base date's end): the start, plus
    ``count_before_start``; after it: the last record before ``since``.
    """
    assert target.since is not None
    if target.since <= dates[0] + dt.timedelta(days=1):
        return 0, target.count_before_start.value if target.count_before_start else 0.0
    return max(i for i, d in enumerate(dates) if d < target.since), 0.0


def counted_series(target: Target, series: np.ndarray, result: Result) -> np.ndarray:
    """The target's metric as the plan counts it (``since``: from its own date), per record."""
    if target.since is None:
        return series
    i0, before = since_base(target, result.dates)
    return series - series[i0] + before


def judge(target: Target, result: Result) -> Outcome:
    """Whether the target is met at its date, and when it was first reached."""
    series = counted_series(target, result.series[query_of(target).key], result)
    thr = threshold(target, result)
    i = result.index_at(target.date)
    value = float(series[i])
    compare = OPS[target.op]
    hits = np.flatnonzero([compare(float(v), thr) for v in series[1:]])
    first = float(result.times[1 + hits[0]]) if hits.size else None
    return Outcome(target.id, value, thr, compare(value, thr), first)
