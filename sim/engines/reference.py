"""The SimPy reference engine: ``simulate(scenario, seed) -> Result``.

It defines what the model means (docs/model.md). One replication: draw the uncertainties
(unless given), apply the lever values, build the world (baseline carriers and incubatees,
the region's stock, the pipeline), start one process per rule family (arrivals per source,
promotions, delisting, designations, status rounds, build levers, the monthly recorder) and
run to the end of the horizon. Firms' own events are plain scheduled events, not processes.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from typing import Any

import numpy as np
import simpy

from sim.levers import apply_levers, build_orders, lever_values, spend_rate
from sim.metrics import Query, default_queries, evaluate, snapshot
from sim.model import arrivals, carriers, statuses
from sim.model.state import IN_REGION, World
from sim.result import Result
from sim.rng import UNCERTAINTY, Streams
from sim.scenario import Scenario
from sim.timeline import record_dates, record_times
from sim.uncertainty import apply_uncertainties, sample_one

RECORD_LAG = 1e-9
"""Records are taken just after the month end so that events due at it are included."""

ENGINE = "reference"


def as_seed_sequence(seed: int | np.random.SeedSequence) -> np.random.SeedSequence:
    """Accept a plain integer (seed 0 included) or a replication's SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(int(seed))


def prepare(scenario: Scenario, streams: Streams,
            uncertainty_values: Mapping[str, float] | None,
            levers: Mapping[str, float] | None) -> tuple[Scenario, dict[str, float],
                                                         dict[str, float]]:
    """The scenario in force for one replication: uncertainties drawn, levers applied."""
    if uncertainty_values is None:
        values = sample_one(scenario, streams.generator(UNCERTAINTY))
    else:
        values = dict(uncertainty_values)
    drawn = apply_uncertainties(scenario, values)
    lv = lever_values(drawn, levers)
    return apply_levers(drawn, lv), values, lv


def simulate(scenario: Scenario, seed: int | np.random.SeedSequence = 0, *,
             uncertainty_values: Mapping[str, float] | None = None,
             levers: Mapping[str, float] | None = None,
             queries: Iterable[Query] | None = None,
             record_events: bool = False) -> Result:
    """Run one replication of ``scenario``; a pure function of its arguments."""
    streams = Streams(as_seed_sequence(seed))
    sc, values, lv = prepare(scenario, streams, uncertainty_values, levers)
    env = simpy.Environment()
    world = World(sc, streams, env, record_events)
    world.holders = {sid: statuses.holders_of(world, sid) for sid in sc.statuses}
    qs = default_queries(sc, queries or ())

    placed = carriers.setup_existing(world)
    arrivals.create_initial_incubatees(world, placed)
    arrivals.create_stock(world)
    carriers.schedule_pipeline(world)
    for name, src in sc.firms.sources.items():
        env.process(arrivals.source_process(world, name, src))
    for rule in sc.carrier_rules.promotions:
        env.process(carriers.promotion_process(world, rule))
    env.process(carriers.delisting_process(world))
    for des in sc.carrier_rules.designations:
        env.process(carriers.designation_process(world, des))
    for sid, st in sc.statuses.items():
        env.process(statuses.rounds_process(world, sid))
        if st.validity == "calendar_year":
            env.process(statuses.calendar_process(world, sid))
    for order in build_orders(sc, lv):
        env.process(carriers.build_process(world, order))

    dates = record_dates(sc)
    times = np.array(record_times(sc, dates))
    series = {q.key: np.zeros(len(times)) for q in qs}
    population = {k: np.zeros(len(times)) for k in ("created", *IN_REGION, "exited",
                                                    "relocated")}
    flows = {name: np.zeros(len(times)) for name in world.flows}
    env.process(_recorder(world, lv, qs, times, series, population, flows))
    env.run(until=world.horizon + 2 * RECORD_LAG)

    return Result(
        scenario_id=sc.meta.id, engine=ENGINE, times=times, dates=dates, series=series,
        params=values, levers=lv, cohort=cohort_statistics(world), population=population,
        flows=flows,
        events=world.events if record_events else None,
        certificates=world.certificates if record_events else None,
    )


def _recorder(world: World, lv: Mapping[str, float], qs: list[Query], times: np.ndarray,
              series: dict[str, np.ndarray],
              population: dict[str, np.ndarray],
              flows: dict[str, np.ndarray]) -> Generator[simpy.Event, Any, None]:
    """Record every query at each month end; accrue lever spending in between."""
    last = 0.0
    for i, t in enumerate(times):
        yield world.env.timeout(max(0.0, t + RECORD_LAG - world.now))
        incubatees = sum(len(c.occupants) for c in world.carriers)
        for name, lever in world.sc.levers.items():
            world.spend += spend_rate(lever, lv[name], incubatees) * (t - last)
        last = t
        snap = snapshot(world)
        for q in qs:
            series[q.key][i] = evaluate(snap, q)
        counts = {k: 0 for k in population}
        counts["created"] = len(world.firms)
        for f in world.firms:
            counts[f.location] += 1
        for k, v in counts.items():
            population[k][i] = v
        for k, n in world.flows.items():
            flows[k][i] = n


def cohort_statistics(world: World) -> dict[str, float]:
    """Statistics for calibration computed from the run's records (DESIGN.md section 3)."""
    st = world.stats
    tenure = np.array(st["graduate_tenure_years"])
    exits = np.array(st["exit_kinds"])
    ever = [f for f in world.firms if f.first_carrier_at is not None and f.stage != "team"]
    survival_base = [f for f in world.firms
                     if f.incorporated_at is not None and f.incorporated_at >= 0
                     and f.incorporated_at + 3 <= world.horizon]
    alive3 = [f for f in survival_base if not _closed_within(f, 3.0)]
    area = sum(c.area for c in world.carriers if c.kind in ("maker_space", "incubator"))
    incubatees = sum(len(c.occupants) for c in world.carriers
                     if c.kind in ("maker_space", "incubator"))
    nan = float("nan")
    return {
        "graduate_tenure_mean_years": float(tenure.mean()) if tenure.size else nan,
        "graduate_tenure_median_years": float(np.median(tenure)) if tenure.size else nan,
        "graduation_share_of_exits": float(exits.mean()) if exits.size else nan,
        "survival_3y_new_firms": len(alive3) / len(survival_base) if survival_base else nan,
        "share_incubatees_tech_firm": (sum(1 for f in ever if f.first_tech_at is not None)
                                       / len(ever)) if ever else nan,
        "area_per_incubatee": area / incubatees if incubatees else nan,
    }


def _closed_within(firm: Any, years: float) -> bool:
    """Whether a firm closed (not relocated) within ``years`` of incorporating."""
    return bool(firm.location == "exited" and firm.left_region_at is not None
                and firm.left_region_at - firm.incorporated_at <= years)
