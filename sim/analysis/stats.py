"""Intervals for differences between two variants evaluated on the same replications.

With common random numbers the outcomes of variant A and B in replication i are paired
(same firms, same fate draws), so the difference of two probabilities is estimated from the
paired 2x2 table rather than from two independent samples. The interval is Newcombe's hybrid
score interval for paired proportions (Newcombe 1998, Statistics in Medicine 17:2635, method
10): Wilson limits of each margin, combined with the phi correlation of the pairs. With
phi = 0 it is Newcombe's interval for two independent proportions (his 1998 method 10 for
unpaired data), which is what two independent runs of the same size would give; comparing
the two shows what pairing buys. Differences of values at the date use the mean of the
per-replication differences with a Student t interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.attainment import wilson


@dataclass(frozen=True)
class Interval:
    """An estimate with a 95% interval."""

    estimate: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return 0.5 * (self.high - self.low)


def _phi(a: int, b: int, c: int, d: int) -> float:
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    if denom <= 0:
        return 0.0
    return (a * d - b * c) / math.sqrt(denom)


def newcombe_difference(met_a: np.ndarray, met_b: np.ndarray, *,
                        paired: bool = True) -> Interval:
    """P(B met) - P(A met) with a 95% interval (paired, or as if independent)."""
    a_ = np.asarray(met_a, dtype=bool)
    b_ = np.asarray(met_b, dtype=bool)
    if a_.shape != b_.shape or a_.size == 0:
        raise ValueError("paired outcomes need two non-empty arrays of the same length")
    n = int(a_.size)
    both = int(np.sum(a_ & b_))
    only_b = int(np.sum(b_ & ~a_))
    only_a = int(np.sum(a_ & ~b_))
    neither = n - both - only_a - only_b
    p1 = (both + only_b) / n          # B
    p2 = (both + only_a) / n          # A
    l1, u1 = wilson(both + only_b, n)
    l2, u2 = wilson(both + only_a, n)
    # the 2x2 table with B as the first variable: a=both, b=B only, c=A only, d=neither
    phi = _phi(both, only_b, only_a, neither) if paired else 0.0
    theta = p1 - p2
    low = theta - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2)
                                + (u2 - p2) ** 2))
    high = theta + math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2)
                                 + (p2 - l2) ** 2))
    return Interval(theta, max(-1.0, low), min(1.0, high))


def mean_difference(x_a: np.ndarray, x_b: np.ndarray, *, paired: bool = True) -> Interval:
    """mean(B) - mean(A) with a 95% t interval (paired differences, or independent samples)."""
    a = np.asarray(x_a, dtype=float)
    b = np.asarray(x_b, dtype=float)
    n = int(a.size)
    est = float(b.mean() - a.mean())
    if n < 2:
        return Interval(est, -math.inf, math.inf)
    if paired:
        se = float(np.std(b - a, ddof=1)) / math.sqrt(n)
        dof = n - 1
    else:
        se = math.sqrt(float(np.var(a, ddof=1) + np.var(b, ddof=1)) / n)
        dof = 2 * n - 2
    from scipy import stats  # here, not at import: scipy.stats takes about a second to load

    q = float(stats.t.ppf(0.975, dof))
    return Interval(est, est - q * se, est + q * se)


def variance_ratio(x_a: np.ndarray, x_b: np.ndarray) -> float:
    """Var(B - A) / (Var A + Var B): the paired difference's variance relative to independent runs.

    Below 1, common random numbers help; nan when both variants are constant.
    """
    a = np.asarray(x_a, dtype=float)
    b = np.asarray(x_b, dtype=float)
    indep = float(np.var(a, ddof=1) + np.var(b, ddof=1)) if a.size > 1 else 0.0
    if indep <= 0:
        return math.nan
    return float(np.var(b - a, ddof=1)) / indep
