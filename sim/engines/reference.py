"""The SimPy reference engine: ``simulate(scenario, seed) -> Result``.

It defines what the model means (docs/model.md). One replication: draw the uncertainties
(unless given), apply the lever values, plan the replication (``sim.model.schedule``: its
carriers, arrivals and calendar) and encode its per-firm rules (``sim.model.encoding``),
then walk the calendar: before each item, SimPy runs the firms' own events due strictly
before it; the item's rule (``sim.model`` modules) then runs. Items at one instant come
before the firms' events due at it, as in the kernel, so both engines return the identical
result for the same scenario and seed (tests/test_engine_equality.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import simpy

from sim.levers import apply_levers, lever_values, spend_rates
from sim.metrics import Query, default_queries, entered, evaluate, snapshot
from sim.model import arrivals, carriers, schedule, statuses
from sim.model.draws import replication_key
from sim.model.encoding import encode_firm_rules, holders_of
from sim.model.state import STAGE_INDEX, World
from sim.result import LOCATIONS, POPULATION, Result
from sim.rng import UNCERTAINTY, Streams
from sim.scenario import Scenario
from sim.uncertainty import apply_uncertainties, sample_one

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
             record_events: bool = False, keep_firms: bool = False,
             keep_world: bool = False) -> Result:
    """Run one replication of ``scenario``; a pure function of its arguments.

    ``keep_world`` returns the final state too (``Result.world``: carriers and firms as
    objects), for building a scenario that starts where this replication ended
    (``sim.update``).
    """
    seq = as_seed_sequence(seed)
    streams = Streams(seq)
    sc, values, lv = prepare(scenario, streams, uncertainty_values, levers)
    rules = encode_firm_rules(sc)
    plan = schedule.plan(sc, streams, lv, rules.jan1)
    env = simpy.Environment()
    world = World(sc, plan, rules, replication_key(seq), env, record_events)
    world.holders = {sid: tuple(holders_of(sc, sid)) for sid in sc.statuses}
    qs = default_queries(sc, queries or ())
    for c in world.carriers:
        if plan.carriers[c.index].open_at <= 0.0:
            world.open_carrier(c)

    times = plan.record_times
    series = {q.key: np.zeros(len(times)) for q in qs}
    population = {k: np.zeros(len(times)) for k in POPULATION}
    flows = {name: np.zeros(len(times)) for name in world.flows}
    recorder = _Recorder(world, spend_rates(sc, lv), qs, series, population, flows)
    handlers: dict[int, Callable[[int, int], None]] = {
        schedule.OPEN: lambda a, b: carriers.open_carrier(world, world.carriers[a]),
        schedule.CREATE_INITIAL:
            lambda a, b: arrivals.create_initial_incubatees(world, world.carriers[a]),
        schedule.CREATE_STOCK: lambda a, b: arrivals.create_stock(world, a),
        schedule.ARRIVAL: lambda a, b: arrivals.arrive(world, a),
        schedule.ROUND: lambda a, b: statuses.application_round(world, a),
        schedule.PROMOTION: lambda a, b: carriers.promotion(world, a, b),
        schedule.DELISTING: lambda a, b: carriers.delisting_review(world),
        schedule.DESIGNATION: lambda a, b: carriers.designation(world, a, b),
        schedule.RECORD: lambda a, b: recorder.record(a),
        schedule.CALENDAR: lambda a, b: statuses.calendar_expiry(world, a),
    }
    cal = plan.calendar
    for t, kind, a, b in zip(cal.t.tolist(), cal.kind.tolist(), cal.a.tolist(), cal.b.tolist(),
                             strict=True):
        if t > env.now:
            env.run(until=t)  # the firms' events due strictly before this item
        handlers[kind](a, b)
    env.run()  # the firms' events after the last item, up to the horizon

    return Result(
        scenario_id=sc.meta.id, engine=ENGINE, times=times, dates=plan.dates, series=series,
        params=values, levers=lv, cohort=cohort_statistics(world), population=population,
        flows=flows,
        events=world.events if record_events else None,
        certificates=world.certificates if record_events else None,
        firms=firm_table(world) if keep_firms else None,
        world=world if keep_world else None,
    )


def firm_table(world: World) -> dict[str, np.ndarray]:
    """Every firm's final state (``Result.firms``), to locate where two runs part."""
    nan = float("nan")
    firms = world.firms

    def col(values: list[float]) -> np.ndarray:
        return np.array(values, dtype=float)

    return {
        "stage": np.array([STAGE_INDEX[f.stage] for f in firms], dtype=np.int64),
        "location": np.array([LOCATIONS.index(f.location) for f in firms], dtype=np.int64),
        "incorporated": col([nan if f.incorporated_at is None else f.incorporated_at
                             for f in firms]),
        "first_carrier": col([nan if f.first_carrier_at is None else f.first_carrier_at
                              for f in firms]),
        "first_tech": col([nan if f.first_tech_at is None else f.first_tech_at for f in firms]),
        "left_region": col([nan if f.left_region_at is None else f.left_region_at
                            for f in firms]),
        "draws": np.array([int(f.life.counters[0]) for f in firms], dtype=np.int64),
    }


class _Recorder:
    """The monthly record (a calendar item): every query, the population, the flows, spend."""

    def __init__(self, world: World, rates: tuple[float, float], qs: list[Query],
                 series: dict[str, np.ndarray], population: dict[str, np.ndarray],
                 flows: dict[str, np.ndarray]) -> None:
        self.world, self.rates, self.qs = world, rates, qs
        self.series, self.population, self.flows = series, population, flows
        self.last = 0.0
        self.marks: np.ndarray | None = None  # carriers_entered_cum (sim.model.entered)

    def record(self, i: int) -> None:
        """Record index ``i`` (taken now, just after its month end)."""
        world = self.world
        now = world.now
        incubatees = sum(len(c.occupants) for c in world.open_carriers)
        fixed, per100 = self.rates
        world.spend += (fixed + per100 * incubatees / 100.0) * (now - self.last)
        self.last = now
        snap = snapshot(world)
        if self.marks is None:
            self.marks = np.zeros((len(self.qs), len(world.carriers)), dtype=np.int8)
        for qi, q in enumerate(self.qs):
            self.series[q.key][i] = (entered(snap, q, self.marks, qi, i == 0)
                                     if q.metric == "carriers_entered_cum" else evaluate(snap, q))
        counts = dict.fromkeys(self.population, 0)
        counts["created"] = len(world.firms)
        for f in world.firms:
            counts[f.location] += 1
        for k, v in counts.items():
            self.population[k][i] = v
        for k, n in world.flows.items():
            self.flows[k][i] = n


def cohort_statistics(world: World) -> dict[str, float]:
    """Statistics for calibration computed from the run's records (docs/design.md section 3)."""
    st = world.stats
    tenure = np.array(st["graduate_tenure_years"])
    exits = np.array(st["exit_kinds"])
    ever = [f for f in world.firms if f.first_carrier_at is not None and f.stage != "team"]
    survival_base = [f for f in world.firms
                     if f.incorporated_at is not None and f.incorporated_at >= 0
                     and f.incorporated_at + 3 <= world.horizon]
    alive3 = [f for f in survival_base if not _closed_within(f, 3.0)]
    incubating = [c for c in world.open_carriers if c.kind in ("maker_space", "incubator")]
    area = float(np.array([c.area for c in incubating], dtype=float).sum())
    incubatees = sum(len(c.occupants) for c in incubating)
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
