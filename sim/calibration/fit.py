"""Fitting free parameters to observed figures: simulated method of moments and ABC.

Both use an ``Evaluator``: for a parameter vector it runs the same replication indices of the
same root seed (common random numbers), with every other uncertainty drawn exactly as ``run``
would draw it for that replication, and returns the simulated value of every figure in every
replication.

SMM minimises ``Q(theta) = sum_i ((mean_sim_i(theta) - obs_i) / s_i)^2`` where
``s_i^2 = sd_obs_i^2 + var_sim_i (1 + 1/R)`` at the starting point (``sd_obs`` from the
figure's confidence, ``var_sim`` the model's own spread: the observed figure is one
realisation of the process), by ``scipy.optimize`` (bounded Brent for one parameter,
bounded Nelder-Mead for several) in the unit cube of the bounds. Standard errors come from a
finite-difference Jacobian ``G``: ``cov = (1 + 1/R) (G' W G)^-1`` with ``W = diag(1/s^2)``.

ABC (rejection) draws ``particles`` parameter vectors from the prior (Latin hypercube on the
prior quantiles), computes the same distance ``sqrt(Q)`` for each, keeps the closest
``accept`` fraction and weights them with the Epanechnikov kernel on the distance.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from sim import rng as rngmod
from sim.backends import Backend
from sim.batch import Outcomes, evaluate
from sim.calibration.figures import FLOW_METRICS, Figure
from sim.calibration.params import FreeParam, uncertainty_overrides, variant
from sim.metrics import Query
from sim.scenario import Scenario, ScenarioError, to_data, validate_data
from sim.timeline import record_dates
from sim.uncertainty import sample_one

Progress = Callable[[str], None]


def truncate(scenario: Scenario, last: dt.date) -> Scenario:
    """A copy that stops at the month end after ``last`` (same draws, same prefix).

    Pipeline projects planned later are moved to the new horizon, so they cannot open before
    it; targets later than it are re-dated to it (they are not used by a fit). Returns the
    scenario unchanged if that would not shorten it or cannot be validated.
    """
    nxt = dt.date(last.year + (last.month >= 11), (last.month + 1) % 12 + 1, 1)
    end = nxt - dt.timedelta(days=1)
    if end >= scenario.meta.horizon_end:
        return scenario
    data = to_data(scenario)
    data["meta"]["horizon_end"] = end.isoformat()
    cutoff = data["meta"].get("calibration_cutoff")
    if cutoff is not None and dt.date.fromisoformat(str(cutoff)) > end:
        data["meta"]["calibration_cutoff"] = end.isoformat()
    for t in data.get("targets", []):
        if dt.date.fromisoformat(str(t["date"])) > end:
            t["date"] = end.isoformat()
    for p in data.get("pipeline", []):
        if dt.date.fromisoformat(str(p["planned"])) > end:
            p["planned"] = end.isoformat()
    try:
        return validate_data(data, default_file="<truncated>", probe_supports=False)
    except ScenarioError:
        return scenario


def base_draws(scenario: Scenario, seed: int, reps: Sequence[int]) -> list[dict[str, float]]:
    """Each replication's uncertainty draws, exactly as ``run`` draws them."""
    return [sample_one(scenario, rngmod.Streams(rngmod.replication(seed, r)).generator(
        rngmod.UNCERTAINTY)) for r in reps]


@dataclass
class Simulated:
    """Simulated figures: ``values[r, i]`` for replication r and figure i (NaN: not computed)."""

    values: np.ndarray
    outcomes: Outcomes
    dates: list[dt.date]

    def mean(self) -> np.ndarray:
        """Mean over replications per figure (ignoring NaN)."""
        with np.errstate(all="ignore"):
            return np.asarray([np.nanmean(c) if np.isfinite(c).any() else np.nan
                               for c in self.values.T])

    def sd(self) -> np.ndarray:
        """Standard deviation over replications per figure."""
        with np.errstate(all="ignore"):
            return np.asarray([np.nanstd(c, ddof=1) if np.isfinite(c).sum() > 1 else 0.0
                               for c in self.values.T])

    def quantile(self, q: float) -> np.ndarray:
        """A quantile over replications per figure."""
        return np.asarray([np.nanquantile(c, q) if np.isfinite(c).any() else np.nan
                           for c in self.values.T])


def _index(dates: list[dt.date], day: dt.date) -> int:
    """Index of the last record at or before the end of ``day``."""
    idx = [i for i, d in enumerate(dates) if d <= day]
    return idx[-1] if idx else 0


def figure_series(f: Figure, outcomes: Outcomes) -> np.ndarray:
    """The monthly series (replications x records) a stock or flow figure is read from."""
    if f.metric in FLOW_METRICS:
        return np.sum([outcomes.flows[name] for name in FLOW_METRICS[f.metric].flows], axis=0)
    q = f.query
    assert q is not None
    return outcomes.series[q.key]


def figure_values(figures: Sequence[Figure], outcomes: Outcomes,
                  dates: list[dt.date]) -> np.ndarray:
    """Per replication, the simulated counterpart of each figure (NaN if not computable)."""
    out = np.full((outcomes.n, len(figures)), np.nan)
    last = dates[-1]
    for j, f in enumerate(figures):
        if f.kind == "ratio":
            col = outcomes.cohort.get(f.metric)
            if col is not None:
                out[:, j] = col
            continue
        if f.date > last or f.date < dates[0] or not f.in_model:
            continue
        series = figure_series(f, outcomes)
        end = series[:, _index(dates, f.date)]
        if f.kind == "flow":
            assert f.start is not None
            out[:, j] = end - series[:, _index(dates, f.start - dt.timedelta(days=1))]
        else:
            out[:, j] = end
    return out


@dataclass
class Evaluator:
    """Simulate the figures for parameter vectors with common random numbers."""

    scenario: Scenario
    params: Sequence[FreeParam]
    figures: Sequence[Figure]
    reps: Sequence[int]
    seed: int = 0
    engine: str = "fast"
    backend: Backend | str = "serial"
    workers: int = 2
    progress: Progress | None = None
    evaluations: int = 0
    _draws: list[dict[str, float]] = field(default_factory=list)
    _cache: dict[tuple[float, ...], Simulated] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Draw each replication's uncertainties once (shared by every candidate)."""
        self._draws = base_draws(self.scenario, self.seed, self.reps)

    @property
    def queries(self) -> list[Query]:
        """The metric queries the figures need (once each)."""
        seen: dict[str, Query] = {}
        for f in self.figures:
            q = f.query
            if q is not None:
                seen.setdefault(q.key, q)
        return list(seen.values())

    def simulate(self, theta: Sequence[float]) -> Simulated:
        """Simulated figures at ``theta`` (cached)."""
        key = tuple(round(float(v), 12) for v in theta)
        if key in self._cache:
            return self._cache[key]
        sc = variant(self.scenario, self.params, theta)
        over = uncertainty_overrides(self.params, theta)
        values = [{**d, **over} for d in self._draws]
        outcomes = evaluate(sc, list(self.reps), seed=self.seed, uncertainty_values=values,
                            engine=self.engine, backend=self.backend, workers=self.workers,
                            queries=self.queries)
        dates = record_dates(sc)
        sim = Simulated(figure_values(self.figures, outcomes, dates), outcomes, dates)
        self.evaluations += 1
        if self.progress:
            shown = ", ".join(f"{p.name}={v:.4g}" for p, v in zip(self.params, theta,
                                                                     strict=True))
            self.progress(f"evaluation {self.evaluations}: {shown}")
        self._cache[key] = sim
        return sim


def scales(figures: Sequence[Figure], sim: Simulated) -> np.ndarray:
    """``s_i``: the figure's standard error combined with the model's own spread."""
    r = max(1, sim.values.shape[0])
    sd_obs = np.array([f.sd for f in figures])
    return np.sqrt(sd_obs ** 2 + sim.sd() ** 2 * (1 + 1 / r))


def objective(figures: Sequence[Figure], sim: Simulated, s: np.ndarray) -> float:
    """Weighted squared distance between simulated means and observed figures."""
    obs = np.array([f.value for f in figures])
    z = (sim.mean() - obs) / s
    if not np.isfinite(z).all():
        return math.inf
    return float(np.sum(z ** 2))


@dataclass
class FitResult:
    """What a fit found."""

    method: str
    params: list[FreeParam]
    estimate: list[float]
    sd: list[float]
    objective: float
    evaluations: int
    start_objective: float
    posterior: np.ndarray | None = None
    """ABC: all particles (n, k)."""
    distances: np.ndarray | None = None
    weights: np.ndarray | None = None
    """ABC: kernel weights (0 for rejected particles)."""
    notes: list[str] = field(default_factory=list)
    converged: bool = True
    """SMM: the optimizer met its tolerance (False: it stopped at its evaluation limit)."""
    objective_mc_se: float = math.nan
    """SMM: Monte Carlo standard error of the objective at the estimate (delta method: the
    spread over replications of each one's first-order contribution, ``_gradient_rows``)."""
    objective_step: float = math.nan
    """SMM: the least change of the objective one tolerance step away from the estimate."""
    objective_step_se: float = math.nan
    """SMM: Monte Carlo standard error of that change, paired over the common replications
    (what decides whether the optimizer's steps are steps of the objective or of noise)."""


def smm(ev: Evaluator, *, max_evals: int = 40, tol: float = 0.005) -> FitResult:
    """Simulated method of moments with common random numbers (see the module docstring)."""
    figs = list(ev.figures)
    k = len(ev.params)
    x0 = np.array([p.to_unit(p.start) for p in ev.params])
    sim0 = ev.simulate([p.start for p in ev.params])
    s = scales(figs, sim0)
    q0 = objective(figs, sim0, s)

    def q(x: np.ndarray) -> float:
        return objective(figs, ev.simulate(_theta(ev, np.atleast_1d(x))), s)

    notes: list[str] = []
    if k == 1:
        res = optimize.minimize_scalar(lambda v: q(np.array([v])), bounds=(0.0, 1.0),
                                       method="bounded",
                                       options={"xatol": tol, "maxiter": max_evals})
        x_best = np.array([float(res.x)])
    else:
        res = optimize.minimize(q, x0, method="Nelder-Mead", bounds=[(0.0, 1.0)] * k,
                                options={"xatol": tol, "fatol": 0.01, "maxfev": max_evals,
                                         "initial_simplex": _simplex(x0)})
        x_best = np.asarray(res.x, dtype=float)
    if not res.success:
        notes.append(f"optimizer stopped: {res.message}")
    # the best point seen (Brent and Nelder-Mead report it, but guard against cache order)
    q_best = q(x_best)
    if q0 < q_best:
        x_best, q_best = x0, q0
    theta = _theta(ev, x_best)
    mc_se, step, step_se = _objective_noise(ev, figs, x_best, s, q, tol)
    if not step_se < step:
        notes.append(f"the Monte Carlo error of one optimizer step's change of the objective "
                     f"({step_se:.3g}, common random numbers) is not below the change "
                     f"({step:.3g}): raise --reps")
    sds = _standard_errors(ev, figs, x_best, s)
    for p, v, sd in zip(ev.params, x_best, sds, strict=True):
        if not math.isfinite(sd) or sd > 0.25 * (p.high - p.low):
            notes.append(f"{p.name} is weakly identified by these figures (se {sd:.3g} against "
                         f"bounds [{p.low:g}, {p.high:g}]): the estimate is not informative")
        if v < 0.01 or v > 0.99:
            notes.append(f"{p.name} is at a bound of [{p.low:g}, {p.high:g}]: the figures "
                         "push it further; widen the bounds or question the figures")
    return FitResult("smm", list(ev.params), theta, sds, q_best, ev.evaluations, q0,
                     notes=notes, converged=bool(res.success), objective_mc_se=mc_se,
                     objective_step=step, objective_step_se=step_se)


def _theta(ev: Evaluator, x: np.ndarray) -> list[float]:
    """The parameter values of a point ``x`` of the unit cube the optimizer works in."""
    return [p.from_unit(float(v)) for p, v in zip(ev.params, x, strict=True)]


def _gradient_rows(figs: list[Figure], sim: Simulated, s: np.ndarray) -> np.ndarray:
    """Each replication's first-order contribution to the objective (delta method).

    ``Q = sum_i z_i^2`` with ``z_i = (mean_i - obs_i) / s_i``, so a replication's values enter
    as ``sum_i 2 z_i v_ri / s_i``; the spread of these over replications divided by
    ``sqrt(R)`` is the objective's Monte Carlo standard error.
    """
    obs = np.array([f.value for f in figs])
    z = (sim.mean() - obs) / s
    v = np.where(np.isfinite(sim.values), sim.values, sim.mean())
    return np.asarray(v @ (2.0 * z / s), dtype=float)


def _objective_noise(ev: Evaluator, figs: list[Figure], x: np.ndarray, s: np.ndarray,
                     q: Callable[[np.ndarray], float], tol: float
                     ) -> tuple[float, float, float]:
    """The objective's Monte Carlo error at ``x``, its least change per step, and that change's.

    The step is the change of the objective over one tolerance step along any parameter
    (measured over 20 steps). Every candidate runs the same replications (common random
    numbers), so what decides whether the optimizer's steps are steps of the objective or of
    the noise is the Monte Carlo error of the *difference* between two candidates (paired
    replication by replication), returned third; the objective's own error, returned first,
    is larger and is reported beside it.
    """
    sim = ev.simulate(_theta(ev, x))
    r = max(1, sim.values.shape[0])
    here = _gradient_rows(figs, sim, s)
    mc_se = float(np.std(here, ddof=1) / math.sqrt(r)) if r > 1 else math.inf
    q_here = q(x)
    changes: list[tuple[float, float]] = []
    for i in range(x.size):
        for d in (tol, -tol):
            y = x.copy()
            y[i] = min(1.0, max(0.0, y[i] + 20 * d))
            if y[i] != x[i]:
                there = ev.simulate(_theta(ev, y))
                diff = _gradient_rows(figs, there, s) - here
                se = float(np.std(diff, ddof=1) / math.sqrt(r)) if r > 1 else math.inf
                changes.append((abs(q(y) - q_here) / 20.0, se / 20.0))
    if not changes:
        return mc_se, math.nan, math.nan
    step, step_se = min(changes)
    return mc_se, step, step_se


def _simplex(x0: np.ndarray) -> np.ndarray:
    """A starting simplex of a quarter of the unit cube around ``x0``, inside the bounds."""
    k = x0.size
    pts = [x0.copy()]
    for i in range(k):
        p = x0.copy()
        p[i] = p[i] + 0.25 if p[i] + 0.25 <= 1.0 else p[i] - 0.25
        pts.append(p)
    return np.array(pts)


def _standard_errors(ev: Evaluator, figs: list[Figure], x: np.ndarray,
                     s: np.ndarray) -> list[float]:
    """``sqrt(diag((1 + 1/R) (G' W G)^-1))`` by finite differences in the unit cube."""
    k = x.size
    h = 0.05
    theta = _theta(ev, x)
    base = ev.simulate(theta).mean()
    g = np.zeros((len(figs), k))
    for i, p in enumerate(ev.params):
        up = min(1.0, x[i] + h)
        lo = max(0.0, x[i] - h)
        tu = list(theta)
        tl = list(theta)
        tu[i] = p.from_unit(up)
        tl[i] = p.from_unit(lo)
        mu = ev.simulate(tu).mean() if up > x[i] else base
        ml = ev.simulate(tl).mean() if lo < x[i] else base
        step = tu[i] - tl[i]
        g[:, i] = (mu - ml) / step if step > 0 else 0.0
    w = np.diag(1.0 / s ** 2)
    r = len(ev.reps)
    info = g.T @ w @ g
    if not np.isfinite(info).all() or np.linalg.matrix_rank(info) < k:
        return [math.nan] * k
    cov = (1 + 1 / r) * np.linalg.inv(info)
    return [float(math.sqrt(max(v, 0.0))) for v in np.diag(cov)]


def abc(ev: Evaluator, *, particles: int = 40, accept: float = 0.25,
        seed: int = 0) -> FitResult:
    """ABC rejection over a Latin hypercube of the prior (see the module docstring)."""
    figs = list(ev.figures)
    k = len(ev.params)
    sim0 = ev.simulate([p.start for p in ev.params])
    s = scales(figs, sim0)
    q0 = objective(figs, sim0, s)
    gen = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7, 1)))
    u = (np.argsort(gen.random((particles, k)), axis=0) + gen.random((particles, k))) / particles
    theta = np.array([[p.prior_ppf(float(u[n, i])) for i, p in enumerate(ev.params)]
                      for n in range(particles)])
    dist = np.array([math.sqrt(objective(figs, ev.simulate(row), s)) for row in theta])
    n_keep = max(2, round(accept * particles))
    order = np.argsort(dist)
    eps = float(dist[order[min(n_keep, particles - 1)]]) if particles > n_keep else float(
        dist.max()) * 1.0001
    weights = np.where(dist < eps, 1 - (dist / eps) ** 2, 0.0) if eps > 0 else np.zeros(
        particles)
    if weights.sum() <= 0:
        weights[order[0]] = 1.0
    weights = weights / weights.sum()
    mean = weights @ theta
    var = weights @ (theta - mean) ** 2
    best = theta[order[0]]
    notes = [f"ABC rejection: {particles} particles, kept the closest {n_keep} "
             f"(distance < {eps:.3g}), Epanechnikov weights"]
    return FitResult("abc", list(ev.params), [float(v) for v in mean],
                     [float(math.sqrt(v)) for v in var],
                     objective(figs, ev.simulate(list(best)), s), ev.evaluations, q0,
                     posterior=theta, distances=dist, weights=weights, notes=notes)
