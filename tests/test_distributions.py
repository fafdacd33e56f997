"""Every distribution kind: sample mean vs exact mean, inverse CDF and support.

Distributions are built from the dicts a planner writes in YAML (through the discriminated
``Distribution`` union), sampled with a seeded ``numpy.random.Generator``, and the sample mean of
200k draws must agree with the exact ``.mean`` within 4 standard errors (sample sd).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from sim.distributions import DIST_KINDS, Distribution

N = 200_000
ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)

CASES: dict[str, dict[str, Any]] = {
    "fixed": {"dist": "fixed", "value": 48},
    "uniform": {"dist": "uniform", "low": 2, "high": 5},
    "triangular": {"dist": "triangular", "low": 12, "mode": 24, "high": 48},
    "triangular_mode_at_low": {"dist": "triangular", "low": 0, "mode": 0, "high": 12},
    "triangular_mode_at_high": {"dist": "triangular", "low": 0.5, "mode": 0.9, "high": 0.9},
    "normal": {"dist": "normal", "mean": 10, "sd": 2},
    "normal_truncated": {"dist": "normal", "mean": 1, "sd": 0.5, "low": 0, "high": 1.2},
    "normal_truncated_below": {"dist": "normal", "mean": 0.5, "sd": 1, "low": 0},
    "normal_truncated_far_tail": {"dist": "normal", "mean": 0, "sd": 1, "low": 3, "high": 5},
    "lognormal": {"dist": "lognormal", "mu": -0.08, "sigma": 0.4},
    "beta": {"dist": "beta", "a": 2, "b": 5},
    "beta_rescaled": {"dist": "beta", "a": 0.7, "b": 1.5, "low": 10, "high": 20},
    "exponential": {"dist": "exponential", "mean": 3},
    "gamma": {"dist": "gamma", "shape": 2, "scale": 1.5},
    "gamma_small_shape": {"dist": "gamma", "shape": 0.5, "scale": 4},
    "choice": {"dist": "choice", "values": [1, 2, 5]},
    "choice_weighted": {"dist": "choice", "values": [1, 2, 5], "weights": [2, 3, 5]},
}

EXACT_MEANS: dict[str, float] = {
    "fixed": 48,
    "uniform": 3.5,
    "triangular": 28,
    "triangular_mode_at_low": 4,
    "triangular_mode_at_high": 2.3 / 3,
    "normal": 10,
    "lognormal": math.exp(-0.08 + 0.08),
    "beta": 2 / 7,
    "beta_rescaled": 10 + 10 * 0.7 / 2.2,
    "exponential": 3,
    "gamma": 3,
    "gamma_small_shape": 2,
    "choice": 8 / 3,
    "choice_weighted": 0.2 + 0.6 + 2.5,
}
"""Means worked out by hand (the truncated normals are checked against scipy via .mean)."""


def build(name: str) -> Any:
    return ADAPTER.validate_python(CASES[name])


def test_every_kind_is_covered() -> None:
    assert {spec["dist"] for spec in CASES.values()} == set(DIST_KINDS)


@pytest.mark.parametrize("name", sorted(EXACT_MEANS))
def test_exact_mean_matches_the_formula(name: str) -> None:
    assert build(name).mean == pytest.approx(EXACT_MEANS[name], rel=1e-12)


def test_truncated_normal_mean_lies_inside_and_moves_the_right_way() -> None:
    below = build("normal_truncated_below")
    assert below.mean > 0.5  # cutting off the left tail raises the mean
    tail = build("normal_truncated_far_tail")
    assert 3 < tail.mean < 3.5  # mass piles up near the lower bound
    both = build("normal_truncated")
    assert 0 < both.mean < 1  # the upper cut is closer than the lower


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_mean_agrees_with_exact_mean(name: str) -> None:
    d = build(name)
    rng = np.random.default_rng(20240101)
    x = d.sample(rng, N)
    assert x.shape == (N,)
    assert np.all(np.isfinite(x))
    sd = float(x.std(ddof=1))
    if sd == 0.0:  # a fixed value: every draw is the mean
        assert np.all(x == d.mean)
        return
    se = sd / math.sqrt(N)
    assert abs(float(x.mean()) - d.mean) <= 4 * se, (
        f"{name}: sample mean {x.mean():.6g} vs exact {d.mean:.6g} (se {se:.3g})")


@pytest.mark.parametrize("name", sorted(CASES))
def test_samples_lie_within_support(name: str) -> None:
    d = build(name)
    lo, hi = d.support
    x = d.sample(np.random.default_rng(7), 50_000)
    assert lo <= x.min() and x.max() <= hi
    one = d.sample_one(np.random.default_rng(7))
    assert isinstance(one, float) and lo <= one <= hi


@pytest.mark.parametrize("name", sorted(CASES))
def test_ppf_is_monotone_and_within_support(name: str) -> None:
    d = build(name)
    lo, hi = d.support
    u = np.concatenate([[0.0, 1e-12, 1e-6], np.linspace(0.0, 1.0, 2001), [1 - 1e-6, 1.0]])
    u.sort()
    q = d.ppf(u)
    assert q.shape == u.shape
    assert not np.any(np.isnan(q))
    assert np.all(q[1:] >= q[:-1]), f"{name}: ppf decreases somewhere"
    assert np.all((q >= lo) & (q <= hi)), f"{name}: ppf leaves the support [{lo}, {hi}]"
    inner = q[(u > 0) & (u < 1)]
    assert np.all(np.isfinite(inner))


@pytest.mark.parametrize("name", sorted(CASES))
def test_ppf_median_splits_the_samples(name: str) -> None:
    d = build(name)
    median = float(d.ppf(np.array([0.5]))[0])
    x = d.sample(np.random.default_rng(11), N)
    below, at_or_below = float(np.mean(x < median)), float(np.mean(x <= median))
    assert below - 0.01 <= 0.5 <= at_or_below + 0.01


def test_same_seed_same_draws() -> None:
    d = build("triangular")
    a = d.sample(np.random.default_rng(3), 100)
    b = d.sample(np.random.default_rng(3), 100)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("spec", [
    {"dist": "uniform", "low": 5, "high": 1},
    {"dist": "triangular", "low": 0, "mode": 5, "high": 4},
    {"dist": "normal", "mean": 0, "sd": 0},
    {"dist": "normal", "mean": 0, "sd": 1, "low": 2, "high": 1},
    {"dist": "normal", "mean": 0, "sd": 1, "low": 60, "high": 70},
    {"dist": "lognormal", "mu": 0, "sigma": -1},
    {"dist": "beta", "a": 0, "b": 1},
    {"dist": "beta", "a": 1, "b": 1, "low": 1, "high": 1},
    {"dist": "exponential", "mean": 0},
    {"dist": "gamma", "shape": 1, "scale": 0},
    {"dist": "choice", "values": []},
    {"dist": "choice", "values": [1, 2], "weights": [1]},
    {"dist": "choice", "values": [1, 2], "weights": [0, 0]},
    {"dist": "weibull", "shape": 1},
    {"dist": "fixed", "value": 1, "extra": 2},
])
def test_invalid_parameters_are_refused(spec: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ADAPTER.validate_python(spec)


@pytest.mark.parametrize("name", sorted(CASES))
def test_single_draw_matches_the_vector_path(name: str) -> None:
    d = build(name)
    for seed in range(20):
        one = d.sample_one(np.random.default_rng(seed))
        vec = float(d.sample(np.random.default_rng(seed), 1)[0])
        assert one == pytest.approx(vec, rel=1e-9, abs=1e-12), f"{name}, seed {seed}"


@pytest.mark.parametrize(("low", "high"), [
    (0.0, 1.2), (-math.inf, -0.5), (0.2, math.inf), (3.0, 5.0), (-5.0, -3.0), (6.0, 6.5),
    (-7.0, -6.8), (-0.1, 0.1), (-1.5, 2.0),
])
def test_truncated_normal_inverse_cdf_agrees_with_scipy(low: float, high: float) -> None:
    """The closed form (Phi^-1 of a shifted Phi, mirrored above the mean) against scipy's
    log-space ``truncnorm.ppf``, including intervals 6-7 sd out in either tail: the values
    differ only by rounding (a few ulps of the interval's width)."""
    from scipy import stats

    d = ADAPTER.validate_python({"dist": "normal", "mean": 0.0, "sd": 1.0, "low": low,
                                 "high": high})
    u = np.concatenate([[0.0, 1e-12, 0.5, 1 - 1e-12], np.linspace(0.001, 0.999, 999)])
    ours = d.ppf(u)
    theirs = stats.truncnorm.ppf(u, low, high)
    width = min(high, 40.0) - max(low, -40.0)
    same = ours == theirs  # also the infinite end of a one-sided interval at u = 0
    assert np.all(same | (np.abs(ours - theirs) <= 1e-9 * width)), (low, high)
    assert np.all((ours >= low) & (ours <= high))
