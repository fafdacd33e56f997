"""Statistical equivalence of two engines (or two builds of one) on a scenario.

DESIGN.md section 5 asks the fast engine to match the reference in distribution, not draw for
draw. This module samples every target's metric at its date and at intermediate month ends
from each engine, and tests each pair of samples with Welch's t-test (means) and the
two-sample Kolmogorov-Smirnov test (distributions), controlling the family-wise error with
Holm's step-down procedure. ``required_reps`` gives the replications per engine for which a
shift of ``effect`` standard deviations is detected with the requested power.
``compare_paired`` does the same for replication-matched samples (replication i of both
engines shares its inputs), where a paired t-test reaches that power with fewer replications.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from sim import rng as rngmod
from sim.scenario import Scenario
from sim.targets import query_of


def required_reps(effect: float = 0.1, alpha: float = 0.05, power: float = 0.8,
                  tests: int = 1) -> int:
    """Replications per arm for a two-sided two-sample test of a mean shift of ``effect`` SD.

    Normal approximation, n = 2 (z_{1 - a/2} + z_{power})^2 / effect^2, with a = alpha / tests
    (the first, strictest, step of Holm's procedure).
    """
    a = alpha / max(1, tests)
    z = stats.norm.ppf(1 - a / 2) + stats.norm.ppf(power)
    return math.ceil(2 * z * z / (effect * effect))


def checkpoints(sc: Scenario, per_target_intermediate: int = 1,
                extra_keys: Sequence[str] = ()) -> list[tuple[str, dt.date]]:
    """(query key, date) pairs: each target at its date and at intermediate month ends.

    ``extra_keys`` (e.g. every unfiltered metric) are checked at the same dates.
    """
    from sim.timeline import record_dates

    dates = record_dates(sc)
    out: list[tuple[str, dt.date]] = []
    for t in sc.targets:
        key = query_of(t).key
        before = [d for d in dates[1:] if d < t.date]
        picks = [before[int(len(before) * (k + 1) / (per_target_intermediate + 1)) - 1]
                 for k in range(per_target_intermediate) if before]
        for d in [*picks, t.date]:
            for k in (key, *extra_keys):
                if (k, d) not in out:
                    out.append((k, d))
    return out


ALL_METRICS: tuple[str, ...] = (
    "area", "carriers", "in_incubation", "entries_cum", "graduates_cum",
    "tech_firms_incubated_cum", "tech_firms_valid", "hnte_valid", "hnte_from_incubated_cum",
    "firms", "mentors", "staff",
)
"""Unfiltered metrics every engine records (sim.metrics.default_queries)."""


def sample(simulate: Callable[..., Any], sc: Scenario, reps: int, root_seed: int,
           points: Sequence[tuple[str, dt.date]], first_rep: int = 0) -> dict[str, np.ndarray]:
    """Values of each (query, date) over ``reps`` replications of one engine.

    The queries are target queries, which every engine records.
    """
    values: dict[str, list[float]] = {f"{k}@{d}": [] for k, d in points}
    for i in range(first_rep, first_rep + reps):
        result = simulate(sc, rngmod.replication(root_seed, i))
        for key, date in points:
            values[f"{key}@{date}"].append(float(result.series[key][result.index_at(date)]))
    # rounded to 1e-6 so that sums which differ only in floating-point order (the same carriers
    # added in another order) tie exactly, instead of misleading the KS test
    return {k: np.round(np.asarray(v), 6) for k, v in values.items()}


def _sample_task(task: tuple[str, Scenario, int, int, int, tuple[tuple[str, dt.date], ...]]
                 ) -> tuple[int, dict[str, np.ndarray]]:
    from sim.engines import get_engine

    engine, sc, reps, root_seed, first, points = task
    return first, sample(get_engine(engine), sc, reps, root_seed, points, first_rep=first)


def sample_parallel(engine: str, sc: Scenario, reps: int, root_seed: int,
                    points: Sequence[tuple[str, dt.date]], backend: str = "processes",
                    workers: int = 2, chunk: int | None = None, first_rep: int = 0
                    ) -> dict[str, np.ndarray]:
    """``sample`` spread over a backend; the same values as one serial ``sample`` call.

    ``first_rep`` starts at that replication, so a long sample can be built in pieces.
    """
    from sim.backends import imap_on
    from sim.engines import ready

    ready(engine, sc, backend)  # compiled once here, not by every worker
    if chunk is None:  # enough chunks to keep every worker busy, at most 50 replications each
        chunk = max(1, min(50, math.ceil(reps / (4 * max(1, workers)))))

    tasks = [(engine, sc, min(chunk, first_rep + reps - first), root_seed, first, tuple(points))
             for first in range(first_rep, first_rep + reps, chunk)]
    parts: dict[int, dict[str, np.ndarray]] = {}
    for first, part in imap_on(backend, workers, _sample_task, tasks):  # in completion order
        parts[first] = part
    ordered = [parts[k] for k in sorted(parts)]
    return {key: np.concatenate([p[key] for p in ordered]) for key in ordered[0]}


@dataclass(frozen=True)
class PairTest:
    """One checkpoint's comparison."""

    key: str
    mean_a: float
    mean_b: float
    sd_pooled: float
    p_welch: float
    p_ks: float
    rejected: bool


def compare(a: dict[str, np.ndarray], b: dict[str, np.ndarray],
            alpha: float = 0.05) -> list[PairTest]:
    """Welch and KS tests per checkpoint, Holm-corrected over all of them together."""
    rows: list[tuple[str, float, float, float, float, float]] = []
    for key in a:
        x, y = a[key], b[key]
        sd = float(np.sqrt(0.5 * (x.var(ddof=1) + y.var(ddof=1))))
        if sd == 0.0:  # both constant: equal or not, no test needed
            p = 1.0 if x.mean() == y.mean() else 0.0
            rows.append((key, float(x.mean()), float(y.mean()), sd, p, p))
            continue
        p_w = float(stats.ttest_ind(x, y, equal_var=False).pvalue)
        p_k = float(stats.ks_2samp(x, y).pvalue)
        rows.append((key, float(x.mean()), float(y.mean()), sd, p_w, p_k))
    pvals = [p for r in rows for p in (r[4], r[5])]
    reject = holm(pvals, alpha)
    out = []
    for i, r in enumerate(rows):
        out.append(PairTest(r[0], r[1], r[2], r[3], r[4], r[5],
                            reject[2 * i] or reject[2 * i + 1]))
    return out


@dataclass(frozen=True)
class PairedTest:
    """One checkpoint's comparison of replication-matched samples."""

    key: str
    mean_a: float
    mean_b: float
    sd_pooled: float  # of the two marginal samples: the unit of "a shift of 0.1 SD"
    sd_diff: float  # of the per-replication differences
    p_paired: float
    p_ks: float
    detectable: float  # mean shift in sd_pooled detected with the requested power
    rejected: bool


def compare_paired(a: dict[str, np.ndarray], b: dict[str, np.ndarray], alpha: float = 0.05,
                   power: float = 0.8) -> list[PairedTest]:
    """Paired t-test and KS test per checkpoint, Holm-corrected over all of them together.

    For samples where replication i of ``a`` and of ``b`` share their inputs: the engines draw
    uncertainties, carriers, pipeline and arrival times from the same streams, so the pairs are
    correlated and the paired t-test on their differences sees a mean shift with far fewer
    replications than two independent samples (the pairs are independent of each other, which
    is all the test needs). ``detectable`` is the shift, in units of the marginal SD, that the
    paired test detects with ``power`` at Holm's strictest step, from the observed SD of the
    differences; it is the power statement for this sample. The KS test compares the marginal
    distributions as in :func:`compare` (unpaired, so weaker).
    """
    rows: list[tuple[str, float, float, float, float, float, float]] = []
    for key in a:
        x, y = a[key], b[key]
        if x.size != y.size:
            raise ValueError(f"{key}: {x.size} and {y.size} replications cannot be paired")
        d = y - x
        sd = float(np.sqrt(0.5 * (x.var(ddof=1) + y.var(ddof=1))))
        sd_d = float(d.std(ddof=1))
        tol = 1e-9 * max(sd, float(np.abs(x).max()), float(np.abs(y).max()))
        if sd_d <= tol:  # every pair equal, or differing by the same constant (up to rounding)
            sd_d = 0.0
            p = 1.0 if abs(float(d.mean())) <= tol else 0.0
            p_k = 1.0 if sd == 0.0 else float(stats.ks_2samp(x, y).pvalue)
            rows.append((key, float(x.mean()), float(y.mean()), sd, 0.0, p, min(p, p_k)))
            continue
        p_t = float(stats.ttest_rel(x, y).pvalue)
        p_k = float(stats.ks_2samp(x, y).pvalue) if sd > 0 else 1.0
        rows.append((key, float(x.mean()), float(y.mean()), sd, sd_d, p_t, p_k))
    tests = 2 * len(rows)
    z = stats.norm.ppf(1 - alpha / max(1, tests) / 2) + stats.norm.ppf(power)
    reject = holm([p for r in rows for p in (r[5], r[6])], alpha)
    out = []
    for i, r in enumerate(rows):
        n = a[r[0]].size
        detectable = (z * r[4] / math.sqrt(n) / r[3]) if r[3] > 0 else 0.0
        out.append(PairedTest(r[0], r[1], r[2], r[3], r[4], r[5], r[6], float(detectable),
                              reject[2 * i] or reject[2 * i + 1]))
    return out


def holm(pvalues: Sequence[float], alpha: float) -> list[bool]:
    """Holm's step-down procedure: which hypotheses are rejected at family-wise ``alpha``."""
    order = np.argsort(pvalues)
    m = len(pvalues)
    rejected = [False] * m
    for rank, idx in enumerate(order):
        if pvalues[idx] <= alpha / (m - rank):
            rejected[idx] = True
        else:
            break
    return rejected
