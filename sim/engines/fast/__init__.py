"""The fast engine: the reference model's rules compiled with numba, one replication per call.

``simulate(scenario, seed, ...)`` has the reference engine's signature and returns the same
Result type. Uncertainty draws, carriers, pipeline and arrivals come from the same keyed
numpy streams as the reference (sim/engines/fast/compile.py); per-firm draws come from keyed
counter streams inside the kernel (sim/engines/fast/keyed.py). Design: docs/fast-engine.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from sim.engines.fast.compile import compile_replication
from sim.engines.fast.kernel import simulate_kernel
from sim.engines.fast.keyed import replication_key
from sim.engines.reference import as_seed_sequence, prepare
from sim.metrics import Query, default_queries
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
    series, population = simulate_kernel(compiled, replication_key(seq))
    return Result(
        scenario_id=sc.meta.id, engine=ENGINE, times=times, dates=dates,
        series={q.key: series[i] for i, q in enumerate(qs)}, params=values, levers=lv,
        population={name: population[i] for i, name in enumerate(POPULATION)},
    )
