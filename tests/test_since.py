"""Targets of a plan issued mid-period: a cumulative count from a date of the plan's own.

"2021年以来累计孵化…" in a plan issued in 2023: with ``since`` on or before the scenario start
the count is the sourced ``count_before_start`` plus the simulated count from the start; after
the start, the simulated count from the end of the day before ``since``. Exact arithmetic on
one replication's own series; ``validate`` refuses what cannot be counted, in one line.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sim.engines.fast import simulate
from sim.scenario import ScenarioError, validate_data
from sim.scenario.yamlio import load_with_includes
from sim.targets import judge, query_of

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"


def _with_target(**fields: Any):  # type: ignore[no-untyped-def]
    raw, _ = load_with_includes(MINIMAL)
    raw = copy.deepcopy(raw)
    target = {"id": "entries_since", "label": {"zh": "累计入孵", "en": "entries"},
              "metric": "entries_cum", "op": ">=", "value": 50,
              "date": dt.date(2026, 12, 31), "source": "assumption: test target"}
    target.update(fields)
    raw["targets"].append(target)
    return validate_data(raw, default_file="since-test")


def test_since_before_the_start_adds_the_count_until_then() -> None:
    sc = _with_target(since=dt.date(2021, 1, 1),
                      count_before_start={"value": 120, "source": "assumption: test count"})
    t = sc.targets[-1]
    res = simulate(sc, 3)
    raw = res.series[query_of(t).key]
    i = res.index_at(t.date)
    assert judge(t, res).value == pytest.approx(120 + raw[i] - raw[0])


def test_since_after_the_start_counts_from_that_date() -> None:
    sc = _with_target(since=dt.date(2025, 1, 1))
    t = sc.targets[-1]
    res = simulate(sc, 3)
    raw = res.series[query_of(t).key]
    i, j = res.index_at(t.date), res.index_at(dt.date(2024, 12, 31))
    assert judge(t, res).value == pytest.approx(raw[i] - raw[j])


@pytest.mark.parametrize("fields, what", [
    ({"since": dt.date(2021, 1, 1)}, "count_before_start: {value: N"),
    ({"since": dt.date(2025, 1, 1),
      "count_before_start": {"value": 5, "source": "assumption: test"}}, "is after the start"),
    ({"since": dt.date(2025, 1, 1), "metric": "area"}, "not a cumulative count"),
    ({"count_before_start": {"value": 5, "source": "assumption: test"}}, "without since"),
])
def test_what_cannot_be_counted_is_refused(fields: dict[str, Any], what: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        _with_target(**fields)
    assert what in str(exc.value) and str(exc.value).count("\n") == 0
