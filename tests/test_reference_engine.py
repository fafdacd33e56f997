"""Model truths of the SimPy reference engine: conservation, capacity, certificate rules,
exact queueing formulas on degenerate scenarios, determinism."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from sim.engines.reference import simulate
from sim.scenario import load_scenario
from tests.factory import assert_conserved, q, queue_scenario

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"
LEAVING = {"incorporation", "dissolution", "graduation", "failure", "max_stay"}


def erlang_b(c: int, a: float) -> float:
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


@pytest.fixture(scope="module")
def minimal_runs():
    sc = load_scenario(MINIMAL)
    return sc, [simulate(sc, seed, record_events=True) for seed in (0, 1, 2)]


def test_conservation_of_firms_every_month(minimal_runs):
    _, runs = minimal_runs
    for r in runs:
        assert_conserved(r.population)
        p = r.population
        assert np.all(np.diff(p["created"]) >= 0)
        assert np.all(np.diff(p["exited"]) >= 0) and np.all(np.diff(p["relocated"]) >= 0)


def test_capacity_never_exceeded(minimal_runs):
    _, runs = minimal_runs
    slots = {"demo_incubator": 48, "demo_new_incubator": 64}
    slots.update({f"demo_maker_spaces#{k}": 25 for k in (1, 2, 3)})
    for r in runs:
        occ: dict[str, int] = defaultdict(int)
        for ev in r.events:
            if ev.what == "enter":
                occ[ev.carrier] += 1
                assert occ[ev.carrier] <= slots[ev.carrier], (ev, occ[ev.carrier])
            elif ev.what in LEAVING and ev.carrier is not None:
                occ[ev.carrier] -= 1
                assert occ[ev.carrier] >= 0


def test_no_stay_beyond_maximum(minimal_runs):
    _, runs = minimal_runs
    for r in runs:
        for ev in r.events:
            if ev.what in LEAVING and ev.carrier is not None:
                limit_years = 48 / 12 if "incubator" in ev.carrier else 24 / 12
                assert ev.detail <= limit_years + 1e-9


def test_certificates_never_valid_past_their_validity(minimal_runs):
    sc, runs = minimal_runs
    for r in runs:
        hnte = [c for c in r.certificates if c.status == "hnte"]
        assert hnte, "the scenario should produce HNTE certificates"
        for c in hnte:
            end = min(c.end, r.times[-1])
            assert end - c.start <= 3.0 + 1e-9
        start = sc.meta.start
        tech = [c for c in r.certificates if c.status == "tech_firm"]
        for c in tech:  # calendar-year validity: ends by the next 1 January
            issued = start + dt.timedelta(days=math.floor(c.start * 365.25 + 1e-6))
            limit = sc.years(dt.date(issued.year + 1, 1, 1))
            assert min(c.end, r.times[-1]) <= limit + 1e-9


def test_no_hnte_to_firm_younger_than_one_year(minimal_runs):
    _, runs = minimal_runs
    for r in runs:
        granted = [ev for ev in r.events if ev.what == "certified" and ev.detail[0] == "hnte"
                   and ev.t > 0 and not ev.detail[2]]
        assert granted
        for ev in granted:
            assert ev.detail[1] >= 1.0 - 1e-9, ev


def test_same_seed_same_table_different_seed_differs():
    sc = load_scenario(MINIMAL)
    for seed in (0, 7):
        a, b = simulate(sc, seed), simulate(sc, seed)
        assert a.series.keys() == b.series.keys()
        for k in a.series:
            np.testing.assert_array_equal(a.series[k], b.series[k])
        assert a.params == b.params
    c, d = simulate(sc, 0), simulate(sc, 1)
    assert any(not np.array_equal(c.series[k], d.series[k]) for k in c.series)


def _pool(results, warmup_years: float):
    arrivals = blocked = 0
    for r in results:
        for ev in r.events:
            if ev.t < warmup_years:
                continue
            if ev.what == "arrive":
                arrivals += 1
            elif ev.what == "wait":
                blocked += 1
    return arrivals, blocked


def test_erlang_b_blocking_and_littles_law():
    lam, mu, c = 40.0, 2.0, 20
    sc = queue_scenario(rate=lam, slots=c, stay={"rate": q(mu)}, years=12)
    runs = [simulate(sc, s, record_events=True) for s in range(8)]
    arrivals, blocked = _pool(runs, 2.0)
    p_hat = blocked / arrivals
    expected = erlang_b(c, lam / mu)
    se = math.sqrt(expected * (1 - expected) / arrivals)
    assert abs(p_hat - expected) < 4 * se + 0.01, (p_hat, expected)
    # Little's law: time-average occupancy = accepted rate x mean stay
    occ = np.concatenate([r.series["in_incubation"][r.times >= 2.0] for r in runs])
    little = lam * (1 - expected) / mu
    se_occ = occ.std() / math.sqrt(len(runs) * 4)
    assert abs(occ.mean() - little) < 4 * se_occ + 0.3, (occ.mean(), little)


def test_mg_infinity_mean_occupancy_lognormal_stays():
    lam, mu_log, sigma = 30.0, math.log(6.0), 0.8  # stays in months
    mean_stay_years = math.exp(mu_log + sigma**2 / 2) / 12
    stay = {"duration_months": {"dist": "lognormal", "mu": mu_log, "sigma": sigma,
                                "source": "assumption: test"}}
    sc = queue_scenario(rate=lam, slots=10_000, stay=stay, years=8)
    runs = [simulate(sc, s) for s in range(10)]
    occ = np.concatenate([r.series["in_incubation"][r.times >= 3.0] for r in runs])
    expected = lam * mean_stay_years
    # monthly occupancy is Poisson(expected) at each record; records within a run correlate,
    # so the standard error uses the number of runs times the records per stay-length
    se = math.sqrt(expected / (len(runs) * 5 * 12 * 0.5))
    assert abs(occ.mean() - expected) < 4 * se, (occ.mean(), expected)
    assert occ.var() == pytest.approx(expected, rel=0.35)


SHIPPED = [pytest.param(p, marks=pytest.mark.slow) if p.stem == "chongqing" else p
           for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
"""Chongqing's reference replication takes about two minutes: it runs with -m slow (and the
engines' equality on it is tests/test_engine_equality.py::test_engines_identical_on_chongqing)."""


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: Path(p).stem)
def test_every_shipped_scenario_runs_on_the_reference(path):
    """One reference replication of every shipped scenario: conservation and finite targets."""
    sc = load_scenario(path)
    r = simulate(sc, 0)
    assert_conserved(r.population)
    for t in sc.targets:
        assert math.isfinite(r.value(t.metric, t.filters, t.date))
