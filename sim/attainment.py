"""Attainment statistics over replications (docs/design.md section 4).

P(met) with a 95% Wilson score interval, the value at the target date (median, 5%, 95%),
the mean shortfall when missed, the distribution of the first date reached, and joint
probabilities (all targets; all targets sharing a date). Pure functions on arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

Z95 = float(special.ndtri(0.975))
"""The standard normal's 97.5% quantile (scipy.special, not scipy.stats: the same number, and
scipy.stats costs about a second of every command's start)."""


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (0 <= successes <= n, n > 0)."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


def shortfall(op: str, value: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """How far each value is from meeting the threshold (0 when met), in the metric's unit."""
    gap = threshold - value if op in (">=", ">") else value - threshold
    return np.maximum(gap, 0.0)


@dataclass(frozen=True)
class TargetSummary:
    """One target's attainment over n replications."""

    p: float
    ci_low: float
    ci_high: float
    n: int
    median: float
    q05: float
    q95: float
    mean_shortfall: float
    first_reached_median: float
    """Median first-reach time (years) among replications that reached it (nan if none)."""
    p_reached_ever: float
    """Share of replications that reached it at some month-end of the whole horizon (after
    the target date too)."""
    p_reached_by_date: float = float("nan")
    """Share that reached it at some month-end up to the target date (>= p: a stock may dip
    below the threshold again before the date)."""


def summarize_target(op: str, met: np.ndarray, value: np.ndarray, threshold: np.ndarray,
                     first_reached: np.ndarray, by: float | None = None) -> TargetSummary:
    """Summarise one target's outcomes (arrays over replications).

    ``by`` is the target's judging time in model years; without it ``p_reached_by_date`` is NaN.
    """
    n = int(met.size)
    k = int(met.sum())
    lo, hi = wilson(k, n)
    missed = ~met
    short = shortfall(op, value[missed], threshold[missed])
    reached = first_reached[np.isfinite(first_reached)]
    return TargetSummary(
        p=k / n if n else float("nan"), ci_low=lo, ci_high=hi, n=n,
        median=float(np.median(value)), q05=float(np.quantile(value, 0.05)),
        q95=float(np.quantile(value, 0.95)),
        mean_shortfall=float(short.mean()) if short.size else 0.0,
        first_reached_median=float(np.median(reached)) if reached.size else float("nan"),
        p_reached_ever=reached.size / n if n else float("nan"),
        p_reached_by_date=(int(np.sum(reached <= by + 1e-9)) / n if n and by is not None
                           else float("nan")),
    )


def joint(met_matrix: np.ndarray) -> tuple[float, float, float]:
    """P(all targets met) with its Wilson interval; ``met_matrix`` is reps x targets."""
    all_met = met_matrix.all(axis=1)
    k, n = int(all_met.sum()), int(all_met.size)
    lo, hi = wilson(k, n)
    return (k / n if n else float("nan"), lo, hi)


def half_width(summary: TargetSummary) -> float:
    """Half the width of the interval (the stopping rule of --precision)."""
    return 0.5 * (summary.ci_high - summary.ci_low)
