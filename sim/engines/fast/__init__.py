"""The fast engine: the reference model's rules compiled with numba, one replication per call.

``simulate(scenario, seed, ...)`` has the reference engine's signature and returns the same
Result type. Uncertainty draws, carriers, pipeline and arrivals come from the same keyed
numpy streams as the reference (sim/engines/fast/compile.py); per-firm draws come from keyed
counter streams inside the kernel (sim/engines/fast/keyed.py). Design: docs/fast-engine.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from sim.engines.fast.compile import compile_replication
from sim.engines.fast.kernel import EXITED, simulate_kernel
from sim.engines.fast.keyed import replication_key
from sim.engines.reference import as_seed_sequence, prepare
from sim.metrics import Query, default_queries
from sim.model.state import flow_names
from sim.registry import KINDS
from sim.result import Result
from sim.rng import Streams
from sim.scenario import Scenario

ENGINE = "fast"
POPULATION = ("created", "queue", "carrier", "outside", "exited", "relocated")


def simulate(scenario: Scenario, seed: int | np.random.SeedSequence = 0, *,
             uncertainty_values: Mapping[str, float] | None = None,
             levers: Mapping[str, float] | None = None,
             queries: Iterable[Query] | None = None,
             record_events: bool = False) -> Result:
    """Run one replication of ``scenario`` with the compiled engine."""
    if record_events:
        raise ValueError("the fast engine keeps no event log; use the reference engine")
    seq = as_seed_sequence(seed)
    streams = Streams(seq)
    sc, values, lv = prepare(scenario, streams, uncertainty_values, levers)
    qs = default_queries(sc, queries or ())
    compiled, dates, times = compile_replication(sc, streams, lv, qs)
    series, population, flows, cohort, _ = simulate_kernel(compiled, replication_key(seq), 0)
    return Result(
        scenario_id=sc.meta.id, engine=ENGINE, times=times, dates=dates,
        series={q.key: series[i] for i, q in enumerate(qs)}, params=values, levers=lv,
        population={name: population[i] for i, name in enumerate(POPULATION)},
        flows={name: flows[i] for i, name in enumerate(flow_names(tuple(sc.statuses)))},
        cohort=cohort_statistics(cohort, compiled.c_kind, compiled.c_area, sc.horizon_years),
    )


def cohort_statistics(cohort: tuple[Any, ...], c_kind: np.ndarray, c_area: np.ndarray,
                      horizon: float) -> dict[str, float]:
    """The reference engine's cohort statistics, from the kernel's end-of-run arrays.

    Same definitions as sim.engines.reference.cohort_statistics.
    """
    (tenure, carrier_exits, stage, first_car, first_tech, inc, loc, gone, c_open,
     c_occ) = cohort
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
