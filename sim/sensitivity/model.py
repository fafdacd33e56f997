"""The simulator as a vectorised model of its factors, for SALib.

Each sample point (a value for every uncertainty, and for the levers under study) is run with
the same K replication indices ``0 .. K-1`` of the root seed: common random numbers across
points, so two points differ only through the factors (the engine draws nothing for the
uncertainties: their values are passed through ``uncertainty_values``). The output of a point
for a target is either

* ``p``: the share of its K replications that met the target (an estimate of P(met)), or
* ``value``: the mean over its K replications of the target's metric at the target date.

Points are batched into tasks of several points each and mapped over one backend (one pool
for the whole design), then put back in point order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.backends import Backend, imap_on
from sim.batch import BatchTask, run_batch_task
from sim.engines import ready
from sim.levers import lever_values
from sim.scenario import Scenario
from sim.sensitivity.factors import Factor

Output = Literal["p", "value"]
OUTPUTS: tuple[str, ...] = ("p", "value")
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class PointsTask:
    """Several sample points, each run over the same replication indices (picklable)."""

    first: int
    """Index of the first point of the task in the design."""
    tasks: tuple[BatchTask, ...]


@dataclass(frozen=True)
class PointsResult:
    """Per point of a task: mean value and share met over its replications, per target."""

    first: int
    value: np.ndarray
    met: np.ndarray


def run_points(task: PointsTask) -> PointsResult:
    """Run every point of a task (a pure function of the task)."""
    value, met = [], []
    for t in task.tasks:
        o = run_batch_task(t)
        value.append(o.value.mean(axis=0))
        met.append(o.met.mean(axis=0))
    return PointsResult(task.first, np.vstack(value), np.vstack(met))


@dataclass
class PointOutcomes:
    """Per point and target: P(met) over the K replications and the mean value at the date."""

    target_ids: tuple[str, ...]
    reps: int
    p: np.ndarray
    value: np.ndarray

    def of(self, output: str, target_ids: Sequence[str]) -> np.ndarray:
        """The (points x targets) matrix of one output for the named targets."""
        cols = [self.target_ids.index(t) for t in target_ids]
        return (self.p if output == "p" else self.value)[:, cols]


def split_point(factors: Sequence[Factor],
                row: np.ndarray) -> tuple[dict[str, float], dict[str, float]]:
    """(uncertainty values, lever values) of one sample point."""
    unc: dict[str, float] = {}
    lev: dict[str, float] = {}
    for f, v in zip(factors, row, strict=True):
        (lev if f.kind == "lever" else unc)[f.name] = float(v)
    return unc, lev


def evaluate_points(scenario: Scenario, factors: Sequence[Factor], values: np.ndarray, *,
                    reps: int, seed: int = 0, levers: Mapping[str, float] | None = None,
                    engine: str = "fast", backend: Backend | str = "serial", workers: int = 2,
                    points_per_task: int | None = None,
                    progress: ProgressFn | None = None) -> PointOutcomes:
    """Run every point of ``values`` (points x factors) with replications ``0 .. reps-1``.

    Uncertainties not among the factors are not allowed (every point fixes all of them);
    ``levers`` gives fixed values for levers that are not factors (default: their defaults).
    """
    if reps < 1:
        raise ValueError(f"reps = {reps}: need at least one replication per point")
    names = {f.name for f in factors if f.kind == "uncertainty"}
    missing = [u for u in scenario.uncertainties if u not in names]
    if missing:
        raise ValueError(f"every uncertainty must be a factor (missing: {', '.join(missing)})")
    base_levers = dict(levers or {})
    lever_values(scenario, base_levers)  # unknown names and out-of-bounds values fail here
    rep_idx = tuple(range(reps))
    batch: list[BatchTask] = []
    for row in np.asarray(values, dtype=float):
        unc, lev = split_point(factors, row)
        lv = lever_values(scenario, {**base_levers, **lev})
        batch.append(BatchTask(scenario, seed, rep_idx, (unc,) * reps, lv, engine, ()))
    n_workers = workers if isinstance(backend, str) else getattr(backend, "workers", workers)
    per = points_per_task or max(1, min(math.ceil(50 / reps),
                                        math.ceil(len(batch) / (4 * max(1, n_workers)))))
    tasks = [PointsTask(k, tuple(batch[k:k + per])) for k in range(0, len(batch), per)]
    n_targets = len(scenario.targets)
    value = np.empty((len(batch), n_targets))
    met = np.empty((len(batch), n_targets))

    ready(engine, scenario, backend)
    done = 0
    if progress:  # the engine is ready: rates count from here
        progress(0, len(batch) * reps)
    for res in imap_on(backend, workers, run_points, tasks):
        k = res.value.shape[0]
        value[res.first:res.first + k] = res.value
        met[res.first:res.first + k] = res.met
        done += k * reps
        if progress:
            progress(done, len(batch) * reps)
    return PointOutcomes(tuple(t.id for t in scenario.targets), reps, met, value)
