"""A scenario starts in the state it states, and a year's status count is read before lapses.

* Stationary start: occupants present at the start are drawn in the carrier's stationary
  state, so with a steady inflow equal to occupants / mean stay the expected occupancy is the
  stated baseline at every month (M/G/inf with a stationary initial population). Checked on
  the first 12 monthly records with stays that are not memoryless (lognormal, capped by a
  triangular maximum), where a wrong initial tenure shows at once.
* The 12-31 convention: a calendar-year status counts every firm valid during the year at
  its 31 December record; lapses take effect after it, so with no exits in December the
  12-31 count is never below the 11-30 count.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

import numpy as np
from scipy import integrate, stats

from sim import rng
from sim.batch import evaluate
from sim.distributions import Distribution
from sim.engines.fast import simulate as fast
from sim.engines.reference import simulate as reference
from sim.metrics import Query
from sim.scenario import Scenario, validate_data
from tests.factory import BASE, A, fixed, q

N0 = 300
STAY = {"dist": "lognormal", "mu": math.log(5.0), "sigma": 0.9, "source": A}
MAX_STAY = {"dist": "triangular", "low": 3, "mode": 6, "high": 24, "source": A}
REPS = 300
FAMILY_ALPHA = 0.01
"""False-alarm probability of the whole 12-month check (Bonferroni over 12 two-sided tests)."""


def _mean_stay_months() -> float:
    """E[min(D, M)] = integral of P(D > s) P(M > s) ds, D lognormal, M triangular."""
    from pydantic import TypeAdapter

    ta = TypeAdapter(Distribution)
    d, m = ta.validate_python(STAY), ta.validate_python(MAX_STAY)
    lo = stats.lognorm(s=0.9, scale=5.0)
    tri = stats.triang(c=(6 - 3) / (24 - 3), loc=3, scale=21)
    assert abs(lo.mean() - d.mean) < 1e-9 and abs(tri.mean() - m.mean) < 1e-9
    value, _ = integrate.quad(lambda s: lo.sf(s) * tri.sf(s), 0, 24, limit=200)
    return float(value)


def _occupied_space(tenure: dict[str, Any] | None) -> Scenario:
    d = copy.deepcopy(BASE)
    d["meta"]["horizon_end"] = dt.date(2021, 12, 31)
    d["targets"][0]["date"] = d["meta"]["horizon_end"]
    d["carriers"] = [{"id": "space", "kind": "maker_space", "level": "district",
                      "total_area": q(1e6), "area_per_slot": q(10.0),
                      "opened": dt.date(2019, 1, 1), "incubatees": q(N0), "source": A}]
    rate = N0 / (_mean_stay_months() / 12.0)
    d["firms"]["sources"] = {"teams": {"label": {"zh": "团队", "en": "teams"}, "rate": q(rate),
                                       "stage_mix": {"team": 1}, "p_seek_carrier": q(1.0),
                                       "source": A}}
    d["firms"]["stages"]["team"]["in_carrier"]["dissolution"] = {"duration_months": STAY}
    d["firms"]["stages"]["team"]["in_carrier"]["max_stay_months"] = MAX_STAY
    init = d["firms"]["initial_incubatees"]
    if tenure is None:
        del init["tenure_months"]
    else:
        init["tenure_months"] = tenure
    return validate_data(d)


def _largest_z(sc: Scenario) -> float:
    """The largest |mean - N0| / SE over the first 12 month ends, SE from replications."""
    q_occ = Query.of("in_incubation")
    occ = evaluate(sc, REPS, seed=11, queries=[q_occ], backend="serial").series[q_occ.key]
    months = occ[:, 1:13]
    se = months.std(axis=0, ddof=1) / math.sqrt(REPS)
    return float(np.max(np.abs(months.mean(axis=0) - N0) / se))


def test_occupancy_starts_stationary() -> None:
    """With stationary inflow the first 12 monthly occupancies stay at the baseline, within
    Monte Carlo error (family-wise false alarm 1%); the old rule (time already spent uniform
    over two years) fails the same check, so the check has power."""
    limit = stats.norm.ppf(1 - FAMILY_ALPHA / 24)
    assert _largest_z(_occupied_space(None)) < limit
    assert _largest_z(_occupied_space({"dist": "uniform", "low": 0, "high": 24,
                                       "source": A})) > limit


def _calendar_status() -> Scenario:
    d = copy.deepcopy(BASE)
    d["meta"]["horizon_end"] = dt.date(2023, 12, 31)
    d["targets"][0]["date"] = d["meta"]["horizon_end"]
    d["firms"]["stock"] = {"firms": {
        "label": {"zh": "企业", "en": "firms"}, "count": q(400), "stage": "startup",
        "age_years": fixed(3.0),
        "statuses": {"tech_firm": {"share": q(0.5), "issued": "start"}}, "source": A}}
    d["statuses"] = {"tech_firm": {
        "label": {"zh": "科技型企业", "en": "tech firm"},
        "eligibility": {"min_age_years": q(0), "stages": ["startup", "growth"]},
        "rounds": [3, 6, 9, 12], "p_apply_year": q(0.3), "p_success": q(0.8),
        "delay_months": {"dist": "uniform", "low": 0.5, "high": 2, "source": A},
        "validity": "calendar_year", "p_renewal": q(0.7), "source": A}}
    d["targets"][0].update({"metric": "tech_firms_valid"})
    return validate_data(d)


def test_calendar_year_count_is_read_before_the_lapses() -> None:
    """No firm exits, so in December the count can only rise: 31 December >= 30 November in
    every replication and year, in both engines; in January the lapses show."""
    sc = _calendar_status()
    drops = 0
    for seed in range(8):
        for simulate in (reference, fast):
            r = simulate(sc, rng.replication(0, seed))
            s = r.series["tech_firms_valid"]
            for year in (2020, 2021, 2022):
                i_nov = r.index_at(dt.date(year, 11, 30))
                i_dec = r.index_at(dt.date(year, 12, 31))
                assert s[i_dec] >= s[i_nov], (seed, year, s[i_nov], s[i_dec])
                drops += s[i_dec + 1] < s[i_dec]
    assert drops > 0
