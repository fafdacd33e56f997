"""Seasonal arrivals: a source's monthly weights shape when its firms arrive, not how many.

Arrivals are a Poisson process whose rate is the yearly rate times the month's factor, so the
count in month m over Y years is Poisson with mean Y x rate x factor_m x days_m / 365; the tests
compare counts with those means at 3.5 standard deviations (a false alarm about 1 in 2,000
per comparison).
"""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest

from sim import rng
from sim.model.schedule import MONTH_DAYS, seasonal_factor, source_arrival_times
from sim.rng import Streams
from sim.scenario import ScenarioError, validate_data
from tests.factory import A, queue_scenario

WEIGHTS = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2.305, 2.305]


def _seasonal(weights: list[float], rate: float = 1200.0, years: int = 8):  # type: ignore[no-untyped-def]
    from sim.scenario.variants import to_data

    data = to_data(queue_scenario(rate=rate, slots=5, stay={"rate": {"value": 50.0,
                                                                       "source": A}},
                                  years=years))
    data["firms"]["sources"]["teams"]["seasonality"] = {"weights": weights, "source": A}
    return validate_data(copy.deepcopy(data))


def test_a_year_keeps_its_total_and_months_get_their_share() -> None:
    sc = _seasonal(WEIGHTS)
    years, rate = 8, 1200.0
    times = source_arrival_times(sc, Streams(rng.replication(0, 3)), "teams",
                                 sc.firms.sources["teams"])
    months = (np.datetime64(sc.meta.start, "D")
              + np.floor(times * 365.25).astype("timedelta64[D]")).astype("datetime64[M]")
    by_month = np.bincount(months.astype(int) % 12, minlength=12)
    w = np.asarray(WEIGHTS) * 365.0 / np.dot(WEIGHTS, MONTH_DAYS)
    expected = years * rate * w * np.asarray(MONTH_DAYS) / 365.0
    assert np.all(np.abs(by_month - expected) <= 3.5 * np.sqrt(expected)), (by_month, expected)
    total = years * rate
    assert abs(times.size - total) <= 3.5 * np.sqrt(total)


def test_the_factor_follows_the_calendar() -> None:
    sc = _seasonal(WEIGHTS)
    t = np.array([sc.years(dt.date(2020, 1, 15)), sc.years(dt.date(2020, 11, 2)),
                  sc.years(dt.date(2021, 12, 31))])
    f = seasonal_factor(sc, sc.firms.sources["teams"].seasonality, t)
    assert f[1] == pytest.approx(2.305 * f[0]) and f[2] == pytest.approx(f[1])
    assert np.dot(np.asarray(WEIGHTS) * f[0], MONTH_DAYS) == pytest.approx(365.0)


def test_only_december_means_every_arrival_in_december() -> None:
    sc = _seasonal([0] * 11 + [1], rate=100.0, years=3)
    times = source_arrival_times(sc, Streams(rng.replication(0, 0)), "teams",
                                 sc.firms.sources["teams"])
    months = (np.datetime64(sc.meta.start, "D")
              + np.floor(times * 365.25).astype("timedelta64[D]")).astype("datetime64[M]")
    # the daily grid interpolates across the 30 November -> 1 December boundary
    assert np.mean(months.astype(int) % 12 == 11) > 0.97


@pytest.mark.parametrize("weights, what", [([1] * 11, "at least 12"), ([0] * 12, "> 0"),
                                            ([1] * 11 + [-1], ">= 0")])
def test_bad_weights_are_refused(weights: list[float], what: str) -> None:
    with pytest.raises(ScenarioError, match="seasonality") as exc:
        _seasonal(weights)
    assert what in str(exc.value)
