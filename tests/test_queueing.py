"""Exact queueing formulas on degenerate scenarios, with tolerances from a correct standard error.

Each check averages one statistic per replication (a time average over the run after a
warm-up, or a count), so replications are independent and the standard error of the mean is
the sample standard deviation over sqrt(R); monthly records within a run are never treated as
independent. The tolerance is the two-sided 99.5% t quantile times that standard error (the
t distribution because R is small), so each check raises a false alarm with probability 1%
when the model is right (the expected values are exact, not approximations, as each
docstring says). Both engines run each scenario; tests/test_engine_equality.py shows they are
identical, so the second run costs little and guards the claim.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from sim import rng
from sim.engines.fast import simulate as fast
from sim.engines.reference import simulate as reference
from tests.factory import q, queue_scenario

FALSE_ALARM = 0.01


def erlang_b(c: int, a: float) -> float:
    """Erlang loss probability B(c, a) by the stable recursion."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def _close(samples: np.ndarray, expected: float) -> tuple[bool, str]:
    """Whether the mean of independent per-replication values is within the 1% band."""
    r = samples.size
    se = samples.std(ddof=1) / math.sqrt(r)
    t = stats.t.ppf(1 - FALSE_ALARM / 2, r - 1)
    return abs(samples.mean() - expected) <= t * se, (
        f"mean {samples.mean():.4f} vs exact {expected:.4f} (se {se:.4f}, R {r})")


ENGINES = [pytest.param(fast, id="fast"), pytest.param(reference, id="reference")]


@pytest.mark.parametrize("simulate", ENGINES)
def test_erlang_loss_occupancy_and_littles_law(simulate) -> None:
    """One carrier of c slots, Poisson arrivals, exponential stays, no waiting (M/M/c/c).
    Exact: the time-average occupancy is lambda (1 - B(c, a)) / mu, and by Little's law it
    equals the accepted arrival rate times the mean stay 1/mu (the stays do not depend on
    blocking). Per replication: the average of the monthly records after two years (which
    estimates the time average without bias once stationary; mu = 2 a year forgets the empty
    start in months) and the accepted entries a year over the same span."""
    lam, mu, c = 40.0, 2.0, 20
    sc = queue_scenario(rate=lam, slots=c, stay={"rate": q(mu)}, years=10)
    occ, little = [], []
    for s in range(40):
        r = simulate(sc, rng.replication(7, s))
        keep = r.times >= 2.0
        occ.append(r.series["in_incubation"][keep].mean())
        placed = r.flows["placed"]
        years = r.times[-1] - r.times[keep][0]
        little.append((placed[-1] - placed[keep][0]) / years / mu)
    ok, why = _close(np.array(occ), lam * (1 - erlang_b(c, lam / mu)) / mu)
    assert ok, why
    ok, why = _close(np.array(occ) - np.array(little), 0.0)
    assert ok, "Little's law: " + why


@pytest.mark.parametrize("simulate", ENGINES)
def test_mg_infinity_mean_occupancy_with_lognormal_stays(simulate) -> None:
    """Ample capacity, Poisson arrivals, lognormal stays (M/G/inf) from an empty start. Exact:
    E[N(t)] = lambda * integral_0^t P(S > s) ds at every record t; per replication the mean of
    (N(t) - E[N(t)]) over the records after one year is 0 in expectation."""
    lam, mu_log, sigma = 30.0, math.log(6.0), 0.8  # stays in months
    stay = {"duration_months": {"dist": "lognormal", "mu": mu_log, "sigma": sigma,
                                "source": "assumption: test"}}
    sc = queue_scenario(rate=lam, slots=100_000, stay=stay, years=6)
    dist = stats.lognorm(s=sigma, scale=math.exp(mu_log))

    def expected(t_years: float) -> float:
        value, _ = integrate.quad(lambda m: dist.sf(m), 0, 12 * t_years, limit=200)
        return lam * value / 12

    r0 = simulate(sc, rng.replication(9, 0))
    keep = r0.times >= 1.0
    exact = np.array([expected(t) for t in r0.times[keep]])
    gaps = []
    for s in range(40):
        r = r0 if s == 0 else simulate(sc, rng.replication(9, s))
        gaps.append(float(np.mean(r.series["in_incubation"][keep] - exact)))
    ok, why = _close(np.array(gaps), 0.0)
    assert ok, why
