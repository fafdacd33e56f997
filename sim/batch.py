"""In-memory batches of replications, as arrays rather than a run folder on disk.

The building block of compare, sweep, goal-seek, calibration and sensitivity.

``evaluate(scenario, reps, ...)`` runs replications ``reps`` (indices into the root seed's
children, exactly as ``run`` numbers them) and returns an ``Outcomes`` of arrays
replications x targets. Two calls with the same seed and replication indices share every
random number whatever the lever or uncertainty values (common random numbers), so paired
differences between variants carry only the effect of the change. Pass an open backend
(``with make_backend(...) as b``) to reuse one worker pool across many calls.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sim import rng as rngmod
from sim.attainment import wilson
from sim.backends import Backend, imap_on
from sim.engines import get_engine, ready
from sim.metrics import Query
from sim.scenario import Scenario
from sim.targets import judge

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class BatchTask:
    """A slice of replications for one worker (picklable)."""

    scenario: Scenario
    root_seed: int
    reps: tuple[int, ...]
    uncertainty_values: tuple[Mapping[str, float] | None, ...]
    levers: Mapping[str, float]
    engine: str
    queries: tuple[Query, ...]


@dataclass
class Outcomes:
    """Replications x targets outcome arrays (rows in the order of ``reps``)."""

    target_ids: tuple[str, ...]
    reps: np.ndarray
    value: np.ndarray
    """Metric value at each target's date, shape (n, n_targets)."""
    threshold: np.ndarray
    met: np.ndarray
    params: dict[str, np.ndarray] = field(default_factory=dict)
    """Sampled uncertainty values per replication, by uncertainty name."""
    series: dict[str, np.ndarray] = field(default_factory=dict)
    """Monthly trajectories (n, months) of the requested extra queries, by query key."""
    cohort: dict[str, np.ndarray] = field(default_factory=dict)
    """Cohort statistics per replication, by name (sim.engines.reference.cohort_statistics)."""
    flows: dict[str, np.ndarray] = field(default_factory=dict)
    """Cumulative flow counts (n, months) by flow name (sim.model.state.flow_names)."""
    times: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n(self) -> int:
        """Number of replications."""
        return int(self.reps.size)

    def column(self, target_id: str) -> int:
        """Column index of a target (KeyError naming the known ids)."""
        try:
            return self.target_ids.index(target_id)
        except ValueError:
            raise KeyError(f"unknown target '{target_id}' (targets: "
                           f"{', '.join(self.target_ids)})") from None

    def met_of(self, target_id: str) -> np.ndarray:
        """Boolean outcome per replication of one target."""
        return self.met[:, self.column(target_id)]

    def value_of(self, target_id: str) -> np.ndarray:
        """Value at the date per replication of one target."""
        return self.value[:, self.column(target_id)]

    def p(self, target_id: str | None = None) -> tuple[float, float, float]:
        """P(met) of one target, or jointly of all (None), with its 95% Wilson interval."""
        hits = self.met.all(axis=1) if target_id is None else self.met_of(target_id)
        k, n = int(hits.sum()), int(hits.size)
        lo, hi = wilson(k, n)
        return (k / n if n else math.nan, lo, hi)


def run_batch_task(task: BatchTask) -> Outcomes:
    """Run one slice of replications (a pure function of the task)."""
    simulate = get_engine(task.engine)
    sc = task.scenario
    ids = tuple(t.id for t in sc.targets)
    n = len(task.reps)
    value = np.empty((n, len(ids)))
    thr = np.empty((n, len(ids)))
    met = np.empty((n, len(ids)), dtype=bool)
    params: dict[str, list[float]] = {}
    cohort: dict[str, list[float]] = {}
    series: dict[str, list[np.ndarray]] = {q.key: [] for q in task.queries}
    flows: dict[str, list[np.ndarray]] = {}
    times = np.zeros(0)
    for i, (rep, values) in enumerate(zip(task.reps, task.uncertainty_values, strict=True)):
        result = simulate(sc, rngmod.replication(task.root_seed, rep),
                          uncertainty_values=values, levers=task.levers,
                          queries=task.queries)
        times = result.times
        for j, t in enumerate(sc.targets):
            o = judge(t, result)
            value[i, j], thr[i, j], met[i, j] = o.value, o.threshold, o.met
        for k, v in result.params.items():
            params.setdefault(k, []).append(v)
        for k, v in result.cohort.items():
            cohort.setdefault(k, []).append(v)
        for q in task.queries:
            series[q.key].append(result.series[q.key])
        for k, v in result.flows.items():
            flows.setdefault(k, []).append(v)
    return Outcomes(
        target_ids=ids, reps=np.asarray(task.reps, dtype=np.int64), value=value,
        threshold=thr, met=met,
        params={k: np.asarray(v) for k, v in params.items()},
        series={k: np.vstack(v) if v else np.zeros((0, times.size)) for k, v in series.items()},
        cohort={k: np.asarray(v) for k, v in cohort.items()},
        flows={k: np.vstack(v) for k, v in flows.items()}, times=times)


def concat(parts: Sequence[Outcomes]) -> Outcomes:
    """Join slices and order the rows by replication index."""
    if not parts:
        raise ValueError("no replications to join")
    reps = np.concatenate([p.reps for p in parts])
    order = np.argsort(reps, kind="stable")

    def stack(arrays: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(arrays)[order]

    first = parts[0]
    return Outcomes(
        target_ids=first.target_ids, reps=reps[order],
        value=stack([p.value for p in parts]), threshold=stack([p.threshold for p in parts]),
        met=stack([p.met for p in parts]),
        params={k: stack([p.params[k] for p in parts]) for k in first.params},
        series={k: stack([p.series[k] for p in parts]) for k in first.series},
        cohort={k: stack([p.cohort[k] for p in parts]) for k in first.cohort},
        flows={k: stack([p.flows[k] for p in parts]) for k in first.flows},
        times=first.times)


def _rep_indices(reps: int | Iterable[int]) -> tuple[int, ...]:
    if isinstance(reps, int):
        if reps < 1:
            raise ValueError(f"reps = {reps}: need at least one replication")
        return tuple(range(reps))
    out = tuple(int(r) for r in reps)
    if not out:
        raise ValueError("no replication indices given")
    return out


def evaluate(scenario: Scenario, reps: int | Iterable[int], *, seed: int = 0,
             levers: Mapping[str, float] | None = None,
             uncertainty_values: Sequence[Mapping[str, float] | None] | None = None,
             engine: str = "fast", backend: Backend | str = "serial", workers: int = 2,
             queries: Iterable[Query] = (), chunk_size: int | None = None,
             progress: ProgressFn | None = None) -> Outcomes:
    """Outcomes of replications ``reps`` (a count, or explicit indices) of ``scenario``.

    ``uncertainty_values[i]`` fixes the uncertainties of the i-th replication (None: drawn
    from its own stream, as ``run`` does); ``levers`` overrides lever values (checked against
    the bounds). ``backend`` is a name (a pool is started and stopped here) or an open Backend.
    """
    from sim.levers import lever_values

    idx = _rep_indices(reps)
    values: tuple[Mapping[str, float] | None, ...]
    if uncertainty_values is None:
        values = (None,) * len(idx)
    else:
        values = tuple(uncertainty_values)
        if len(values) != len(idx):
            raise ValueError(f"{len(values)} uncertainty draws for {len(idx)} replications")
    lv = lever_values(scenario, levers)
    qs = tuple(queries)
    n_workers = getattr(backend, "workers", workers) if not isinstance(backend, str) else workers
    size = chunk_size or max(1, min(50, math.ceil(len(idx) / (4 * max(1, n_workers)))))
    tasks = [BatchTask(scenario, seed, idx[k:k + size], values[k:k + size], lv, engine, qs)
             for k in range(0, len(idx), size)]
    ready(engine, scenario, backend)
    parts: list[Outcomes] = []
    done = 0
    if progress:  # the engine is ready: rates count from here
        progress(0, len(idx))
    for part in imap_on(backend, workers, run_batch_task, tasks):
        parts.append(part)
        done += part.n
        if progress:
            progress(done, len(idx))
    return concat(parts)
