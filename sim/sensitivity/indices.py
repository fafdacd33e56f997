"""Morris screening and Sobol indices with SALib, for any vectorised model of the factors.

``sobol(factors, model, n, seed=...)`` and ``morris(factors, model, n, seed=...)`` are the one
code path used both for the simulator (``model`` evaluates sample points with replications,
see ``sim.sensitivity.model``) and for test functions with known indices (Ishigami), so a test
of the analytic indices tests the code the simulator runs.

``model`` takes a (points x factors) matrix of real factor values (after each factor's ppf) and
returns one output per point, or a (points x outputs) matrix; each output column is analysed
separately with the same sample.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol
from SALib.sample import morris as salib_morris_sample
from SALib.sample import sobol as salib_sobol_sample

from sim.sensitivity.factors import Factor, salib_problem, to_values

Model = Callable[[np.ndarray], np.ndarray]

SAMPLE_STREAM = 8_100_001
"""Spawn-key tag of the sensitivity design's stream (sampling)."""
BOOTSTRAP_STREAM = 8_100_002
"""Spawn-key tag of the bootstrap stream (confidence intervals)."""

MORRIS_LEVELS = 4
CONF_LEVEL = 0.95
RESAMPLES = 1000


def generator(seed: int, stream: int, index: int = 0) -> np.random.Generator:
    """A Generator for one purpose of an analysis, derived from the root seed."""
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(seed, spawn_key=(stream, index))))


@dataclass(frozen=True)
class Design:
    """A sample of the unit hypercube and the matching real factor values."""

    method: str
    factors: tuple[Factor, ...]
    n: int
    """Base samples (Sobol) or trajectories (Morris)."""
    unit: np.ndarray
    values: np.ndarray

    @property
    def points(self) -> int:
        """Number of sample points (model evaluations)."""
        return int(self.unit.shape[0])


@dataclass(frozen=True)
class SobolIndices:
    """First- and total-order Sobol indices of one output, with confidence half-widths."""

    factors: tuple[Factor, ...]
    n: int
    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    output_var: float
    conf_level: float = CONF_LEVEL

    def order(self) -> np.ndarray:
        """Factor positions by decreasing total-order index."""
        return np.argsort(-self.ST, kind="stable")

    def rows(self, lang: str = "en") -> list[dict[str, Any]]:
        """Table rows, most influential first (the CSV columns)."""
        out = []
        for rank, j in enumerate(self.order(), start=1):
            f = self.factors[j]
            out.append({
                "rank": rank, "factor": f.name, "kind": f.kind, "label": f.label(lang),
                "S1": self.S1[j], "S1_conf": self.S1_conf[j],
                "S1_low": self.S1[j] - self.S1_conf[j], "S1_high": self.S1[j] + self.S1_conf[j],
                "ST": self.ST[j], "ST_conf": self.ST_conf[j],
                "ST_low": self.ST[j] - self.ST_conf[j], "ST_high": self.ST[j] + self.ST_conf[j],
            })
        return out


@dataclass(frozen=True)
class MorrisIndices:
    """Morris elementary-effect statistics of one output, with bootstrap intervals.

    Effects are per unit of the factor's probability scale: moving a factor from its 0.1% to
    its 99.9% quantile changes the output by about ``mu`` on average.
    """

    factors: tuple[Factor, ...]
    n: int
    mu: np.ndarray
    mu_star: np.ndarray
    mu_star_conf: np.ndarray
    """SALib's bootstrap half-width of mu* (resampling elementary effects)."""
    mu_star_low: np.ndarray
    mu_star_high: np.ndarray
    sigma: np.ndarray
    sigma_low: np.ndarray
    sigma_high: np.ndarray
    """Percentile bootstrap intervals of mu* and sigma, resampling whole trajectories."""
    conf_level: float = CONF_LEVEL

    def order(self) -> np.ndarray:
        """Factor positions by decreasing mu*."""
        return np.argsort(-self.mu_star, kind="stable")

    def rows(self, lang: str = "en") -> list[dict[str, Any]]:
        """Table rows, most influential first (the CSV columns)."""
        out = []
        for rank, j in enumerate(self.order(), start=1):
            f = self.factors[j]
            out.append({
                "rank": rank, "factor": f.name, "kind": f.kind, "label": f.label(lang),
                "mu": self.mu[j], "mu_star": self.mu_star[j],
                "mu_star_conf": self.mu_star_conf[j], "mu_star_low": self.mu_star_low[j],
                "mu_star_high": self.mu_star_high[j], "sigma": self.sigma[j],
                "sigma_low": self.sigma_low[j], "sigma_high": self.sigma_high[j],
            })
        return out


def _is_power_of_two(n: int) -> bool:
    return n >= 1 and n & (n - 1) == 0


def sobol_design(factors: Sequence[Factor], n: int, *, seed: int = 0) -> Design:
    """Saltelli's scheme on a scrambled Sobol sequence: n x (D + 2) points (no 2nd order)."""
    if not _is_power_of_two(n) or n < 2:
        raise ValueError(f"n = {n}: Sobol base samples must be a power of 2 (>= 2)")
    fs = tuple(factors)
    unit = salib_sobol_sample.sample(salib_problem(fs), n, calc_second_order=False, scramble=True,
                               seed=generator(seed, SAMPLE_STREAM))
    return Design("sobol", fs, n, unit, to_values(fs, unit))


def morris_design(factors: Sequence[Factor], n: int, *, seed: int = 0,
                  levels: int = MORRIS_LEVELS) -> Design:
    """``n`` Morris trajectories of D + 1 points each on a ``levels``-level grid."""
    if n < 2:
        raise ValueError(f"n = {n}: Morris needs at least 2 trajectories")
    fs = tuple(factors)
    unit = salib_morris_sample.sample(salib_problem(fs), n, num_levels=levels,
                                seed=generator(seed, SAMPLE_STREAM))
    return Design("morris", fs, n, unit, to_values(fs, unit))


def _columns(y: np.ndarray, points: int) -> np.ndarray:
    arr = np.asarray(y, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != points:
        raise ValueError(f"model returned shape {np.shape(y)} for {points} points")
    if not np.all(np.isfinite(arr)):
        raise ValueError("model returned non-finite outputs")
    return arr


def sobol_analyze(design: Design, y: np.ndarray, *, seed: int = 0,
                  conf_level: float = CONF_LEVEL,
                  resamples: int = RESAMPLES) -> list[SobolIndices]:
    """Sobol indices of each output column (SALib's estimators and bootstrap intervals)."""
    cols = _columns(y, design.points)
    problem = salib_problem(design.factors)
    out = []
    for k in range(cols.shape[1]):
        yk = cols[:, k]
        if np.ptp(yk) == 0.0:  # a constant output: every index is zero, exactly
            z = np.zeros(len(design.factors))
            out.append(SobolIndices(design.factors, design.n, z, z, z, z, 0.0, conf_level))
            continue
        si = salib_sobol.analyze(problem, yk, calc_second_order=False,
                                   num_resamples=resamples, conf_level=conf_level,
                                   seed=generator(seed, BOOTSTRAP_STREAM, k))
        out.append(SobolIndices(design.factors, design.n, np.asarray(si["S1"]),
                                np.asarray(si["S1_conf"]), np.asarray(si["ST"]),
                                np.asarray(si["ST_conf"]), float(np.var(yk)), conf_level))
    return out


def morris_analyze(design: Design, y: np.ndarray, *, seed: int = 0,
                   conf_level: float = CONF_LEVEL, resamples: int = RESAMPLES,
                   levels: int = MORRIS_LEVELS) -> list[MorrisIndices]:
    """Morris mu, mu*, sigma of each output column, with bootstrap intervals.

    mu* gets SALib's interval; mu* and sigma also get percentile intervals from resampling
    whole trajectories (sigma has no interval in SALib): each resample's mu* and sigma are
    SALib's formulas (mean of |EE|, standard deviation of EE with ddof 1) over the picked
    trajectories' elementary effects, computed once (``elementary_effects``).
    """
    cols = _columns(y, design.points)
    problem = salib_problem(design.factors)
    n = design.n
    alpha = (1.0 - conf_level) / 2.0
    out = []
    for k in range(cols.shape[1]):
        yk = cols[:, k]
        rng = generator(seed, BOOTSTRAP_STREAM, k)
        si = salib_morris.analyze(problem, design.unit, yk, num_resamples=resamples,
                                    conf_level=conf_level, num_levels=levels, seed=rng)
        ee = elementary_effects(design.unit, yk, n, levels)
        picked = ee[:, rng.integers(0, n, (resamples, n))]  # factor x resample x trajectory
        boot_mu_star = np.abs(picked).mean(axis=2).T
        with np.errstate(invalid="ignore", divide="ignore"):  # one trajectory: no sigma
            boot_sigma = np.nan_to_num(picked.std(axis=2, ddof=1).T)
        out.append(MorrisIndices(
            design.factors, n, np.asarray(si["mu"]), np.asarray(si["mu_star"]),
            np.asarray(si["mu_star_conf"]),
            np.quantile(boot_mu_star, alpha, axis=0), np.quantile(boot_mu_star, 1 - alpha, axis=0),
            np.nan_to_num(np.asarray(si["sigma"], dtype=float)),
            np.quantile(boot_sigma, alpha, axis=0), np.quantile(boot_sigma, 1 - alpha, axis=0),
            conf_level))
    return out


def elementary_effects(unit: np.ndarray, y: np.ndarray, n: int, levels: int) -> np.ndarray:
    """Each factor's elementary effect in each of ``n`` trajectories (factors x trajectories).

    SALib's definition: along a trajectory each step moves one factor by +-delta on the unit
    grid, delta = levels / (2 (levels - 1)); the effect is the output's change over +delta
    (a step down counts with its sign turned). Why not SALib's ``analyze`` per resample: it
    recomputes everything, its own interval included (~8 ms a call, 1,000 calls per target).
    """
    d = unit.shape[1]
    delta = levels / (2.0 * (levels - 1))
    steps = np.diff(unit.reshape(n, d + 1, d), axis=1)  # trajectory x step x factor
    dy = np.diff(y.reshape(n, d + 1), axis=1)  # trajectory x step
    ee = np.zeros((d, n))
    t_idx, s_idx, f_idx = np.nonzero(steps)
    sign = np.where(steps[t_idx, s_idx, f_idx] > 0, 1.0, -1.0)
    ee[f_idx, t_idx] = sign * dy[t_idx, s_idx] / delta
    return ee


def sobol(factors: Sequence[Factor], model: Model, n: int, *, seed: int = 0,
          conf_level: float = CONF_LEVEL, resamples: int = RESAMPLES) -> list[SobolIndices]:
    """Sobol indices of ``model`` over ``factors`` with ``n`` base samples (n x (D + 2) runs)."""
    design = sobol_design(factors, n, seed=seed)
    return sobol_analyze(design, model(design.values), seed=seed, conf_level=conf_level,
                         resamples=resamples)


def morris(factors: Sequence[Factor], model: Model, n: int, *, seed: int = 0,
           conf_level: float = CONF_LEVEL, resamples: int = RESAMPLES,
           levels: int = MORRIS_LEVELS) -> list[MorrisIndices]:
    """Morris screening of ``model`` with ``n`` trajectories (n x (D + 1) runs)."""
    design = morris_design(factors, n, seed=seed, levels=levels)
    return morris_analyze(design, model(design.values), seed=seed, conf_level=conf_level,
                          resamples=resamples, levels=levels)
