"""The fast engine: the reference model's rules compiled with numba, one replication per call.

``simulate(scenario, seed, ...)`` has the reference engine's signature and returns the same
Result, identical for the same scenario and seed: the replication's rules
(``sim.model.encoding``) and plan (``sim.model.schedule``) are computed by the same code as
the reference's, and every per-firm draw comes from the same keyed counter streams
(``sim.model.draws``). Design: docs/fast-engine.md.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np

from sim.engines.fast.compile import compile_replication
from sim.engines.fast.kernel import EXITED, Cohort, KernelOutput, simulate_kernel
from sim.engines.fast.kernel_lock import kernel_lock
from sim.engines.reference import as_seed_sequence, prepare
from sim.messages import both
from sim.metrics import Query, default_queries
from sim.model import schedule
from sim.model.draws import replication_key
from sim.model.encoding import encode_firm_rules
from sim.model.state import flow_names
from sim.registry import KINDS
from sim.result import POPULATION, Result
from sim.rng import Streams
from sim.scenario import Scenario
from sim.signals import signals_held

ENGINE = "fast"
FIRST_COMPILE_NOTICE = both("first_compile")
COMPILE_TICK_SECONDS = 30.0
"""How often a compile that takes long says it is still going (nothing else moves meanwhile)."""


class KernelInputs(NamedTuple):
    """One replication prepared for the kernel, and what is needed to read its outputs."""

    scenario: Scenario  # after the replication's uncertainty draws and levers
    values: dict[str, float]  # the uncertainty draws
    levers: dict[str, float]
    queries: list[Query]
    compiled: Any  # the flat arrays simulate_kernel takes (sim/engines/fast/compile.py)
    key: np.uint64  # the replication's key for the per-firm streams
    dates: list[dt.date]
    times: np.ndarray


def kernel_inputs(scenario: Scenario, seed: int | np.random.SeedSequence = 0, *,
                  uncertainty_values: Mapping[str, float] | None = None,
                  levers: Mapping[str, float] | None = None,
                  queries: Iterable[Query] | None = None) -> KernelInputs:
    """Replication ``seed`` of ``scenario`` as the kernel takes it (draws as the reference's)."""
    seq = as_seed_sequence(seed)
    streams = Streams(seq)
    sc, values, lv = prepare(scenario, streams, uncertainty_values, levers)
    qs = default_queries(sc, queries or ())
    rules = encode_firm_rules(sc)
    plan = schedule.plan(sc, streams, lv, rules.jan1)
    compiled = compile_replication(sc, rules, plan, lv, qs)
    return KernelInputs(sc, values, lv, qs, compiled, replication_key(seq), plan.dates,
                        plan.record_times)


def simulate(scenario: Scenario, seed: int | np.random.SeedSequence = 0, *,
             uncertainty_values: Mapping[str, float] | None = None,
             levers: Mapping[str, float] | None = None,
             queries: Iterable[Query] | None = None,
             record_events: bool = False, keep_firms: bool = False) -> Result:
    """Run one replication of ``scenario`` with the compiled engine."""
    if record_events:
        raise ValueError("the fast engine keeps no event log; use the reference engine")
    inputs = kernel_inputs(scenario, seed, uncertainty_values=uncertainty_values,
                           levers=levers, queries=queries)
    compiled, key = inputs.compiled, inputs.key
    if not kernel_loaded():  # not while Ctrl-C is held: a compile takes minutes
        load_kernel(inputs)
    with signals_held():
        out = simulate_kernel(compiled, key, 0)
    return read_outputs(inputs, out, keep_firms)


def read_outputs(inputs: KernelInputs, out: KernelOutput, keep_firms: bool = False) -> Result:
    """The Result of one replication from the kernel's outputs (named as the reference's)."""
    sc, values, lv, qs, compiled = (inputs.scenario, inputs.values, inputs.levers,
                                    inputs.queries, inputs.compiled)
    series, population, flows, cohort = out.series, out.population, out.flows, out.cohort
    firms = None
    if keep_firms:
        firms = {name: getattr(cohort, name) for name in (
            "stage", "location", "incorporated", "first_carrier", "first_tech", "left_region",
            "draws")}
    return Result(
        scenario_id=sc.meta.id, engine=ENGINE, times=inputs.times, dates=inputs.dates,
        series={q.key: series[i] for i, q in enumerate(qs)}, params=values, levers=lv,
        population={name: population[i] for i, name in enumerate(POPULATION)},
        flows={name: flows[i] for i, name in enumerate(flow_names(tuple(sc.statuses)))},
        cohort=cohort_statistics(cohort, compiled.c_kind, compiled.c_area, sc.horizon_years),
        firms=firms,
    )


def cohort_statistics(cohort: Cohort, c_kind: np.ndarray, c_area: np.ndarray,
                      horizon: float) -> dict[str, float]:
    """The reference engine's cohort statistics, from the kernel's end-of-run arrays.

    Same definitions as sim.engines.reference.cohort_statistics.
    """
    tenure, carrier_exits, stage = cohort.tenures, cohort.carrier_exits, cohort.stage
    first_car, first_tech, inc = cohort.first_carrier, cohort.first_tech, cohort.incorporated
    loc, gone, c_open, c_occ = cohort.location, cohort.left_region, cohort.c_open, cohort.c_occ
    nan = float("nan")
    ever = ~np.isnan(first_car) & (stage != 0)
    with np.errstate(invalid="ignore"):
        base = (inc >= 0) & (inc + 3 <= horizon)
        closed3 = (loc == EXITED) & (gone - inc <= 3.0)
    n_base = int(base.sum())
    incubating = c_open & np.isin(c_kind, (KINDS.index("maker_space"), KINDS.index("incubator")))
    area = float(c_area[incubating].sum())
    incubatees = int(c_occ[incubating].sum())
    return {
        "graduate_tenure_mean_years": float(tenure.mean()) if tenure.size else nan,
        "graduate_tenure_median_years": float(np.median(tenure)) if tenure.size else nan,
        "graduation_share_of_exits": tenure.size / carrier_exits if carrier_exits else nan,
        "survival_3y_new_firms": float((base & ~closed3).sum()) / n_base if n_base else nan,
        "share_incubatees_tech_firm": (float((ever & ~np.isnan(first_tech)).sum())
                                       / int(ever.sum())) if ever.any() else nan,
        "area_per_incubatee": area / incubatees if incubatees else nan,
    }


def kernel_loaded() -> bool:
    """Whether this process already holds the compiled kernel (compiled, or loaded from cache).

    Reads the dispatcher's table of compiled versions (``signatures`` would hash every field
    type of the kernel's inputs: 0.2 ms, asked once per replication).
    """
    return bool(simulate_kernel.overloads)


def warm_up(scenario: Scenario, notify: Callable[[str], None] | None = None, *,
            after: float = 2.0) -> bool:
    """Compile the kernel now, or load it from numba's cache; True if there was anything to do.

    Why: on a machine where the engine never ran, numba compiles the kernel (one to two
    minutes). Called in the parent before worker processes start, it is compiled once and
    cached, the workers load it instead of each compiling it, and if it takes longer than
    ``after`` seconds ``notify`` (default: a line on stderr) says why nothing moves yet.
    It runs a replication of ``scenario`` cut off before its first event, so it costs
    nothing else and returns no result.
    """
    if kernel_loaded():
        return False
    inputs = kernel_inputs(scenario)
    say = notify or (lambda message: print(message, file=sys.stderr, flush=True))
    done = threading.Event()

    def tell() -> None:  # the notice after ``after`` s, then how long so far every 30 s
        if done.wait(after):
            return
        say(FIRST_COMPILE_NOTICE)
        t0 = time.monotonic() - after
        while not done.wait(COMPILE_TICK_SECONDS):
            spent = int(time.monotonic() - t0)
            say(both("still_compiling", minutes=spent // 60, seconds=spent % 60))

    teller = threading.Thread(target=tell, name="compile-notice", daemon=True)
    teller.start()
    try:
        load_kernel(inputs)
    finally:
        done.set()
    return True


def load_kernel(inputs: KernelInputs) -> None:
    """Compile the kernel or load it from numba's cache, one process at a time.

    Another process compiling it meanwhile is waited for (``kernel_lock``); then numba finds
    that process's cache and loads it. The call is a replication cut off before its first
    event (a horizon before time 0): the loop stops at once.
    """
    with kernel_lock():
        if not kernel_loaded():
            simulate_kernel(inputs.compiled._replace(horizon=-1.0), inputs.key, 0)
