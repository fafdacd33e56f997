"""Monte Carlo experiments: replications in chunks, on a backend, into a resumable store.

Replication i of a run with root seed S uses ``SeedSequence(S, spawn_key=(i,))`` whatever the
chunking, the backend or the number of workers, and whatever lever values a variant sets
(common random numbers). Uncertainties are drawn per replication from that replication's own
sub-stream (``mc``) or, with ``lhs``, stratified over each batch of replications from a
stream of their own; the values are passed to the engine and stored in ``params``.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sim import rng as rngmod
from sim.attainment import half_width, summarize_target
from sim.backends import make_backend
from sim.engines import get_engine, ready
from sim.levers import lever_values
from sim.metrics import Query, default_queries
from sim.result import POPULATION
from sim.scenario import Scenario, scenario_hash
from sim.store import (
    ChunkData,
    RunStore,
    StoreError,
    atomic_write_json,
    float32_columns,
    run_identity,
    versions,
)
from sim.targets import judge, query_of
from sim.uncertainty import sample_lhs

LHS_STREAM = 7_000_001
"""Spawn-key tag of the Latin hypercube streams (one per batch of replications)."""


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to run a chunk of replications (picklable)."""

    scenario: Scenario
    root_seed: int
    index: int
    reps: tuple[int, ...]
    uncertainty_values: tuple[dict[str, float] | None, ...]
    levers: dict[str, float]
    engine: str
    keys: tuple[str, ...] | None
    """Trajectory columns to keep (None = every recorded one: ``--store full``)."""


def run_chunk(task: ChunkTask) -> ChunkData:
    """Run one chunk of replications and return its tables (a pure function of the task)."""
    t0 = time.perf_counter()
    simulate = get_engine(task.engine)
    sc = task.scenario
    traj: dict[str, list[np.ndarray]] = {}
    rep_col: list[np.ndarray] = []
    month_col: list[np.ndarray] = []
    outcome_rows: dict[str, list[Any]] = {k: [] for k in (
        "rep", "target_id", "value", "threshold", "met", "first_reached")}
    param_rows: list[dict[str, float]] = []
    keys = task.keys if task.keys is not None else full_keys(sc)
    for rep, values in zip(task.reps, task.uncertainty_values, strict=True):
        seq = rngmod.replication(task.root_seed, rep)
        result = simulate(sc, seq, uncertainty_values=values, levers=task.levers)
        n = len(result.times)
        rep_col.append(np.full(n, rep, dtype=np.int32))
        month_col.append(np.arange(n, dtype=np.int16))
        for key in keys:
            if key.startswith("population:"):
                arr = result.population[key.split(":", 1)[1]]
            else:
                arr = result.series[key]
            traj.setdefault(key, []).append(arr)
        for t in sc.targets:
            o = judge(t, result)
            outcome_rows["rep"].append(rep)
            outcome_rows["target_id"].append(t.id)
            outcome_rows["value"].append(o.value)
            outcome_rows["threshold"].append(o.threshold)
            outcome_rows["met"].append(o.met)
            outcome_rows["first_reached"].append(
                o.first_reached if o.first_reached is not None else math.nan)
        param_rows.append({"rep": float(rep), **{f"u:{k}": v for k, v in result.params.items()},
                           **{f"lever:{k}": v for k, v in result.levers.items()}})
    columns: dict[str, Any] = {"rep": pa.array(np.concatenate(rep_col)),
                               "month": pa.array(np.concatenate(month_col))}
    columns.update(float32_columns({k: np.concatenate(v) for k, v in traj.items()}))
    params = {k: pa.array([row.get(k, math.nan) for row in param_rows],
                          type=pa.int32() if k == "rep" else pa.float64())
              for k in param_rows[0]}
    return ChunkData(
        index=task.index,
        trajectories=pa.table(columns),
        outcomes=pa.table({
            "rep": pa.array(outcome_rows["rep"], type=pa.int32()),
            "target_id": pa.array(outcome_rows["target_id"], type=pa.string()),
            "value": pa.array(outcome_rows["value"], type=pa.float64()),
            "threshold": pa.array(outcome_rows["threshold"], type=pa.float64()),
            "met": pa.array(outcome_rows["met"], type=pa.bool_()),
            "first_reached": pa.array(outcome_rows["first_reached"], type=pa.float64()),
        }),
        params=pa.table(params),
        seconds=time.perf_counter() - t0,
    )


@dataclass
class RunConfig:
    """How to run an experiment (the CLI's options)."""

    reps: int = 200
    seed: int = 0
    engine: str = "fast"
    backend: str = "processes"  # or serial, dask, auto (choose_backend)
    workers: int = 2
    scheduler: str | None = None
    sampling: str = "mc"
    precision: float | None = None
    max_reps: int = 5000
    resume: bool = False
    overwrite: bool = False
    store: str = "default"
    chunk_size: int | None = None
    levers: dict[str, float] = field(default_factory=dict)


def stored_keys(sc: Scenario) -> tuple[str, ...]:
    """The compact default: the metric-and-filter columns the targets need."""
    keys: list[str] = []
    for t in sc.targets:
        k = query_of(t).key
        if k not in keys:
            keys.append(k)
    return tuple(keys)


def full_keys(sc: Scenario) -> tuple[str, ...]:
    """Every recorded column (``--store full``): each default query's series, then the rows.

    The rows are the population's, stored as ``population:<row>``.
    """
    return (*(q.key for q in default_queries(sc)), *(f"population:{k}" for k in POPULATION))


def default_chunk_size(reps: int, workers: int) -> int:
    """Enough chunks to keep workers busy and balanced, few enough to keep overhead small."""
    return max(1, min(25, math.ceil(reps / (4 * max(1, workers)))))


def _identity(sc: Scenario, cfg: RunConfig, chunk_size: int) -> dict[str, Any]:
    return {
        "scenario_id": sc.meta.id,
        "scenario_hash": scenario_hash(sc),
        "seed": cfg.seed,
        "engine": cfg.engine,
        "sampling": cfg.sampling,
        "store": cfg.store,
        "chunk_size": chunk_size,
        "levers": lever_values(sc, cfg.levers),
    }


def _check_resume(old: dict[str, Any], new: dict[str, Any], cfg: RunConfig, root: Path) -> None:
    """Whether the stored parts are replications of the run now asked for.

    The chunk layout, the backend and the number of workers do not change any replication
    (each is a function of the scenario, the seed and its index), so they may differ; the
    stored layout is kept. Fewer replications than stored would discard finished work, and
    Latin hypercube samples depend on the number of replications, so those are refused.
    """
    for key in ("scenario_hash", "seed", "engine", "sampling", "store", "levers"):
        if old.get(key) != new.get(key):
            what = {"scenario_hash": "the scenario changed since the run started"}.get(
                key, f"{key} differs")
            raise StoreError(
                f"{root}: cannot resume: {what} (stored {old.get(key)!r}, now {new.get(key)!r}); "
                "use another --out, or --overwrite to start again")
    if cfg.chunk_size is not None and cfg.chunk_size != old.get("chunk_size"):
        raise StoreError(f"{root}: cannot resume: chunk size {cfg.chunk_size} asked, the stored "
                         f"run uses {old.get('chunk_size')}; leave the chunk size out, or use "
                         "--overwrite to start again")
    stored = int(old.get("reps_requested") or 0)
    if cfg.reps < stored:
        raise StoreError(f"{root}: holds a run of {stored} replications; --reps {cfg.reps} would "
                         f"discard finished ones: ask for {stored} or more, use another --out, "
                         "or --overwrite to start again")
    if cfg.sampling == "lhs" and cfg.reps != stored:
        raise StoreError(f"{root}: its Latin hypercube sample was drawn for {stored} "
                         f"replications and depends on that number: use --reps {stored}, "
                         "another --out, or --overwrite to start again")


ProgressFn = Callable[[int, int], None]


def run_experiment(scenario: Scenario, out: Path, cfg: RunConfig,
                   progress: ProgressFn | None = None,
                   scenario_file: str | None = None) -> dict[str, Any]:
    """Run (or resume) the replications of ``scenario`` into ``out``; return the manifest."""
    store = RunStore(out)
    chunk_size = cfg.chunk_size or default_chunk_size(cfg.reps, cfg.workers)
    ident = _identity(scenario, cfg, chunk_size)
    if store.exists():
        old = store.read_manifest()
        if not _is_run_manifest(old):
            raise StoreError(f"{out}: its manifest.json is not one of a run of this tool; "
                             "nothing was changed (choose another --out)")
        if cfg.overwrite:
            _clear(out)
        elif cfg.resume or old.get("status") == "complete":
            _check_resume(old, ident, cfg, out)
            chunk_size = int(old["chunk_size"])
            ident["chunk_size"] = chunk_size
        else:
            raise StoreError(
                f"{out}: holds an unfinished run; add --resume to continue it, --overwrite to "
                "start again, or choose another --out")
    elif cfg.resume:
        raise StoreError(f"{out}: nothing to resume (no {store.manifest_path.name})")
    elif store.has_parts():
        if not cfg.overwrite:
            raise StoreError(f"{out}: holds parts of a run without its manifest (their seed and "
                             "scenario are unknown, so they are not reused); add --overwrite to "
                             "start again, or choose another --out")
        _clear(out)
    out.mkdir(parents=True, exist_ok=True)
    store.identity = run_identity({k: v for k, v in ident.items() if k != "scenario_id"})
    atomic_write_json(out / "scenario.json", scenario.model_dump(mode="json", by_alias=True))
    manifest: dict[str, Any] = {
        **ident,
        "scenario_file": scenario_file,
        "reps_requested": cfg.reps,
        "backend": cfg.backend,
        "workers": cfg.workers,
        "precision": cfg.precision,
        "max_reps": cfg.max_reps,
        "versions": versions(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "status": "running",
    }
    if store.exists():
        prior = store.read_manifest()
        manifest["started"] = prior.get("started", manifest["started"])
        manifest["wall_seconds_before_resume"] = prior.get("wall_seconds", 0.0)
    store.write_manifest(manifest)
    keys = None if cfg.store == "full" else stored_keys(scenario)
    t0 = time.perf_counter()
    total = cfg.reps
    step = cfg.reps
    if cfg.precision is not None:  # batches of whole chunks, so a chunk is never partial
        step = math.ceil(cfg.reps / chunk_size) * chunk_size
        total = min(cfg.max_reps, step)
    used = choose_backend(scenario, cfg, total - len(store.done_chunks()) * chunk_size)
    manifest["backend_used"] = used
    with make_backend(used, cfg.workers, cfg.scheduler) as backend:
        ready(cfg.engine, scenario, backend)  # before any task: workers load, not compile
        batch = 0
        while True:
            tasks = _tasks(scenario, cfg, chunk_size, total, store, keys, batch_reps=step)
            done_reps = len(store.done_chunks()) * chunk_size
            if progress:
                progress(min(done_reps, total), total)
            for chunk in backend.imap(run_chunk, tasks):
                store.write_chunk(chunk)
                done_reps = min(total, len(store.done_chunks()) * chunk_size)
                if progress:
                    progress(done_reps, total)
            if cfg.precision is None or total >= cfg.max_reps:
                break
            if _precise_enough(scenario, store, cfg.precision):
                break
            batch += 1
            total = min(cfg.max_reps, total + step)
    store.consolidate()
    manifest.update({
        "status": "complete",
        "reps_done": int(store.read_parts("params", ["rep"]).num_rows),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "wall_seconds": manifest.get("wall_seconds_before_resume", 0.0)
        + time.perf_counter() - t0,
    })
    store.write_manifest(manifest)
    return manifest


WORKER_START_SECONDS = 2.0
"""derived: what a worker process costs before its first replication here: it imports the
simulation (~1.5 s) and loads the compiled kernel (~0.4 s) (benchmarks/README.md, the fixed
cost of a run)."""


def choose_backend(scenario: Scenario, cfg: RunConfig, reps: int) -> str:
    """The backend to run ``reps`` replications on: ``cfg.backend``, unless it is ``auto``.

    ``auto`` runs in this process when that is quicker than starting worker processes: one
    replication of the fast engine is timed here (t seconds; it is not stored), and ``reps``
    replications take t x reps here against start + t x reps / workers on the pool (the
    reference engine, seconds a replication, always goes to the pool). Results do not depend on
    the backend (each replication is a function of the seed and its index).
    """
    if cfg.backend != "auto":
        return cfg.backend
    if cfg.workers <= 1:
        return "serial"
    if cfg.precision is not None or reps <= 0 or cfg.engine != "fast":
        return "processes"  # a reference replication takes seconds: not worth timing one
    ready(cfg.engine, scenario)
    simulate = get_engine(cfg.engine)
    t0 = time.perf_counter()
    simulate(scenario, rngmod.replication(cfg.seed, 0), levers=lever_values(scenario, cfg.levers))
    per_rep = time.perf_counter() - t0
    serial = per_rep * reps
    pooled = WORKER_START_SECONDS + per_rep * reps / cfg.workers
    return "serial" if serial <= pooled else "processes"


def _is_run_manifest(manifest: Any) -> bool:
    """Whether a manifest was written by this tool (so its folder may be cleared or resumed)."""
    return isinstance(manifest, dict) and {"scenario_hash", "chunk_size", "seed"} <= set(manifest)


def _clear(out: Path) -> None:
    for name in ("trajectories", "outcomes", "params", "plots", "checksums"):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in ("manifest.json", "outcomes.parquet", "params.parquet", "attainment.csv",
                 "summary.json"):
        (out / name).unlink(missing_ok=True)


def _tasks(sc: Scenario, cfg: RunConfig, chunk_size: int, total: int, store: RunStore,
           keys: tuple[str, ...] | None, batch_reps: int) -> list[ChunkTask]:
    done = set(store.done_chunks())
    lever_set = lever_values(sc, cfg.levers)
    n_chunks = math.ceil(total / chunk_size)
    lhs = _lhs_values(sc, cfg, total, batch_reps) if cfg.sampling == "lhs" else None
    tasks = []
    for k in range(n_chunks):
        reps = tuple(range(k * chunk_size, min(total, (k + 1) * chunk_size)))
        if k in done and store.chunk_reps(k) == len(reps):
            continue  # (a run asked for more replications redoes its short last chunk)
        values = tuple(lhs[r] if lhs is not None else None for r in reps)
        tasks.append(ChunkTask(sc, cfg.seed, k, reps, values, lever_set, cfg.engine, keys))
    return tasks


def _lhs_values(sc: Scenario, cfg: RunConfig, total: int,
                batch_reps: int) -> list[dict[str, float]]:
    """LHS draws for replications 0..total-1, stratified within each batch of ``batch_reps``."""
    out: list[dict[str, float]] = []
    batch = 0
    while len(out) < total:
        seq = np.random.SeedSequence(cfg.seed, spawn_key=(LHS_STREAM, batch))
        out.extend(sample_lhs(sc, np.random.Generator(np.random.PCG64(seq)), batch_reps))
        batch += 1
    return out[:total]


def _precise_enough(sc: Scenario, store: RunStore, precision: float) -> bool:
    table = store.read_parts("outcomes", ["target_id", "met", "value", "threshold",
                                          "first_reached"])
    ids = np.asarray(table.column("target_id").to_pylist())
    met = np.asarray(table.column("met").to_pylist(), dtype=bool)
    for t in sc.targets:
        m = ids == t.id
        s = summarize_target(t.op, met[m], np.zeros(m.sum()), np.zeros(m.sum()),
                             np.full(m.sum(), np.nan))
        if half_width(s) > precision:
            return False
    return True


def variant_levers(values: Mapping[str, float]) -> dict[str, float]:
    """Lever overrides as plain floats (for manifests and comparisons)."""
    return {k: float(v) for k, v in values.items()}


__all__ = ["ChunkTask", "Query", "RunConfig", "full_keys", "run_chunk", "run_experiment",
           "stored_keys"]
