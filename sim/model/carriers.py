"""Carriers (孵化载体): existing ones, pipeline, build levers, yearly level and tag routines.

DESIGN.md section 3, "Carriers".

* Capacity: floor(area / area_per_slot) slots per carrier; a group shares its area equally.
* Pipeline: each project is delivered with ``p_delivery`` at planned date + delay.
* Build levers: x m² a year opened at the lever's month in blocks of ``unit_area``.
* Promotions (annual, at the rule's month): a carrier of a listed kind and level meeting years
  operating, area, incubatees, cumulative graduates and tech-firm share is promoted with
  ``p_approval``. One uniform per rule and evaluation is drawn from the carrier's own stream
  whether or not it qualifies, so draws stay aligned across variants.
* Delisting (摘牌): every ``review_interval_years`` an under-occupied carrier (occupancy below
  ``min_occupancy``) at a listed level is put on probation; if it is still under-occupied at
  the re-review ``rereview_months`` later, its level drops to ``demote_to``.
* Designations: in each round, a carrier without the tag that meets the criteria receives it
  with ``p_grant`` (at most ``max_per_round`` per round, lowest draws first).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Generator
from functools import partial
from typing import Any

import simpy

from sim.levers import BuildOrder
from sim.model import incubation
from sim.model.state import KIND_STAGE, Carrier, World
from sim.registry import level_rank
from sim.rng import CARRIER, EVALUATION, PIPELINE, name_key
from sim.scenario.schema import Designation, Promotion

MONTH = 1.0 / 12.0


def month_end_times(world: World, month: int) -> list[float]:
    """Model times of the end of ``month`` in every year of the horizon."""
    start = world.sc.meta.start
    out = []
    for year in range(start.year, world.sc.meta.horizon_end.year + 1):
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        t = world.sc.years(nxt)
        if 0 < t <= world.horizon + 1e-9:
            out.append(t)
    return out


def new_carrier(world: World, cid: str, *, kind: str, level: str, tags: tuple[str, ...],
                zone: str | None, sector: str | None, area: float, area_per_slot: float,
                opened_at: float) -> Carrier:
    """Create a carrier record with its own random stream (keyed by its id)."""
    rng = world.streams.generator(CARRIER, name_key(cid))
    c = Carrier(id=cid, kind=kind, level=level, tags=set(tags), zone=zone, sector=sector,
                area=area, slots=int(area // area_per_slot), opened_at=opened_at, rng=rng)
    return c


def _split(total: int, n: int, k: int) -> int:
    return total // n + (1 if k < total % n else 0)


def setup_existing(world: World) -> list[tuple[Carrier, int]]:
    """Open the baseline carriers; return each with its number of incubatees at the start."""
    out = []
    for group in world.sc.carriers:
        n = group.count
        for k in range(n):
            cid = group.id if n == 1 else f"{group.id}#{k + 1}"
            c = new_carrier(world, cid, kind=group.kind, level=group.level, tags=group.tags,
                            zone=group.zone, sector=group.sector,
                            area=group.total_area.value / n,
                            area_per_slot=group.area_per_slot.value, opened_at=0.0)
            if group.opened is not None:
                c.opened_at = world.sc.years(group.opened)
            else:
                assert group.age_years is not None
                c.opened_at = -group.age_years.sample_one(c.rng)
            c.graduates_cum = _split(int(group.graduates_cum.value) if group.graduates_cum else 0,
                                     n, k)
            c.entries_cum = _split(int(group.entries_cum.value) if group.entries_cum else 0, n, k)
            c.entries_by_stage[KIND_STAGE[c.kind]] = c.entries_cum
            world.add_carrier(c)
            out.append((c, min(c.slots, _split(int(group.incubatees.value), n, k))))
    return out


def open_carrier(world: World, c: Carrier) -> None:
    """A carrier opens now: add it and let waiting firms in."""
    c.opened_at = world.now
    world.add_carrier(c)
    incubation.serve_waiting(world, c)


def schedule_pipeline(world: World) -> None:
    """Draw delivery and delay for each project and schedule its opening."""
    for p in world.sc.pipeline:
        for k in range(p.count):
            cid = p.id if p.count == 1 else f"{p.id}#{k + 1}"
            rng = world.streams.generator(PIPELINE, name_key(cid))
            u_deliver = rng.random()
            delay_months = p.delay_months.sample_one(rng)
            if u_deliver >= p.p_delivery.value:
                continue
            t_open = world.sc.years(p.planned) + delay_months / 12.0
            c = new_carrier(world, cid, kind=p.kind, level=p.level, tags=p.tags, zone=p.zone,
                            sector=p.sector, area=p.area.value / p.count,
                            area_per_slot=p.area_per_slot.value, opened_at=t_open)
            world.later(t_open - world.now, partial(open_carrier, world, c))


def build_process(world: World, order: BuildOrder) -> Generator[simpy.Event, Any, None]:
    """Each year at the lever's month, open the area ordered so far in whole blocks."""
    eff = order.effect
    built_blocks = 0
    for year_index, t in enumerate(month_end_times(world, eff.month), start=1):
        yield world.env.timeout(t - world.now)
        due = math.floor(order.area_per_year * year_index / eff.unit_area.value + 1e-9)
        while built_blocks < due:
            built_blocks += 1
            cid = f"{order.lever}@{built_blocks}"
            c = new_carrier(world, cid, kind=eff.kind, level=eff.level, tags=eff.tags,
                            zone=eff.zone, sector=eff.sector, area=eff.unit_area.value,
                            area_per_slot=eff.area_per_slot.value, opened_at=world.now)
            open_carrier(world, c)


def _eval_rng_draw(world: World, c: Carrier, key: str, t: float) -> float:
    """One uniform for (carrier, rule, evaluation time) from the carrier's evaluation stream."""
    rng = world.streams.generator(EVALUATION, name_key(c.id), name_key(key),
                                  round(t * 12))
    return float(rng.random())


def tech_share(world: World, c: Carrier) -> float:
    """Share of a carrier's incubatees holding a tech-firm registration now."""
    if not c.occupants:
        return 0.0
    firms = world.firms
    held = sum(1 for i in c.occupants if "tech_firm" in firms[i].valid)
    return held / len(c.occupants)


def _meets(world: World, c: Carrier, rule: Promotion) -> bool:
    t = world.now
    return (
        c.kind in rule.kinds
        and c.level in rule.from_levels
        and t - c.opened_at >= rule.min_years_operating.value
        and c.area >= rule.min_area.value
        and len(c.occupants) >= rule.min_incubatees.value
        and (rule.min_graduates_cum is None or c.graduates_cum >= rule.min_graduates_cum.value)
        and (rule.min_tech_firm_share is None
             or tech_share(world, c) >= rule.min_tech_firm_share.value)
    )


def promotion_process(world: World, rule: Promotion) -> Generator[simpy.Event, Any, None]:
    """Yearly level evaluation under one published rule."""
    for t in month_end_times(world, rule.month):
        yield world.env.timeout(t - world.now)
        for c in list(world.carriers):
            u = _eval_rng_draw(world, c, rule.id, t)
            if _meets(world, c, rule) and u < rule.p_approval.value:
                c.level = rule.to_level


def delisting_process(world: World) -> Generator[simpy.Event, Any, None]:
    """Occupancy reviews every few years; a second failure removes the level."""
    rule = world.sc.carrier_rules.delisting
    if rule is None:
        return
    times = month_end_times(world, rule.month)
    reviews = [t for i, t in enumerate(times, start=1) if i % rule.review_interval_years == 0]
    for t in reviews:
        yield world.env.timeout(t - world.now)
        for c in world.carriers:
            if c.level in rule.levels and _occupancy(c) < rule.min_occupancy.value:
                c.probation_since = world.now
                world.later(rule.rereview_months / 12.0, partial(_rereview, world, c))


def _occupancy(c: Carrier) -> float:
    return len(c.occupants) / c.slots if c.slots > 0 else 0.0


def _rereview(world: World, c: Carrier) -> None:
    rule = world.sc.carrier_rules.delisting
    assert rule is not None
    if c.level in rule.levels and _occupancy(c) < rule.min_occupancy.value:
        c.level = rule.demote_to
    c.probation_since = None


def designation_process(world: World, rule: Designation) -> Generator[simpy.Event, Any, None]:
    """Designation rounds granting a tag to qualifying carriers."""
    for t in month_end_times(world, rule.month):
        yield world.env.timeout(t - world.now)
        winners = []
        for c in world.carriers:
            u = _eval_rng_draw(world, c, rule.id, t)
            if rule.tag in c.tags or c.kind not in rule.kinds:
                continue
            if rule.level_at_least and level_rank(c.level) < level_rank(rule.level_at_least):
                continue
            if c.area < rule.min_area.value or len(c.occupants) < rule.min_incubatees.value:
                continue
            need_grads = rule.min_graduates_cum
            if need_grads is not None and c.graduates_cum < need_grads.value:
                continue
            if u < rule.p_grant.value:
                winners.append((u, c.id, c))
        winners.sort(key=lambda w: (w[0], w[1]))
        if rule.max_per_round is not None:
            winners = winners[: rule.max_per_round]
        for _, _, c in winners:
            c.tags.add(rule.tag)
