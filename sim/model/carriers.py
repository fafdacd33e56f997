"""Carriers (孵化载体): existing ones, pipeline, build levers, yearly level and tag routines.

docs/design.md section 3, "Carriers".

* Capacity: floor(area / area_per_slot) slots per carrier; a group shares its area equally.
* Which carriers exist and when they open (baseline, pipeline delivered with ``p_delivery`` at
  planned date + delay, blocks of ``unit_area`` opened by build levers at their month) is the
  replication's plan (``sim.model.schedule``); opening serves the waiting firms.
* Promotions (annual, at the rule's month): a carrier of a listed kind and level meeting years
  operating, area, incubatees, cumulative graduates and tech-firm share is promoted with
  ``p_approval``. One uniform per carrier, rule and evaluation is keyed to them
  (``sim.model.draws.evaluation_uniform``), so draws stay aligned across variants.
* Delisting (摘牌): every ``review_interval_years`` an under-occupied carrier (occupancy below
  ``min_occupancy``) at a listed level is put on probation; if it is still under-occupied at
  the re-review ``rereview_months`` later, its level drops to ``demote_to``.
* Designations: in each round, a carrier without the tag that meets the criteria receives it
  with ``p_grant`` (at most ``max_per_round`` per round, lowest draws first).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from sim.model import incubation
from sim.model.draws import designation_code, evaluation_uniform, promotion_code
from sim.model.state import Carrier, World
from sim.registry import level_rank


def open_carrier(world: World, c: Carrier) -> None:
    """A planned carrier opens now: its slots go to waiting firms first."""
    c.opened_at = world.now
    world.open_carrier(c)
    incubation.serve_waiting(world, c)


def _draw(world: World, c: Carrier, code: int) -> float:
    return float(evaluation_uniform(world.rep_key, np.uint64(c.key), code))


def tech_share(world: World, c: Carrier) -> float:
    """Share of a carrier's incubatees holding a tech-firm registration themselves now."""
    if not c.occupants:
        return 0.0
    firms = world.firms
    held = sum(1 for i in c.occupants if "tech_firm" in firms[i].valid)
    return held / len(c.occupants)


def promotion(world: World, rule_index: int, round_index: int) -> None:
    """One yearly level evaluation under one published rule (a calendar item)."""
    rule = world.sc.carrier_rules.promotions[rule_index]
    t = world.now
    for c in world.open_carriers:
        u = _draw(world, c, promotion_code(rule_index, round_index))
        if (c.kind in rule.kinds
                and c.level in rule.from_levels
                and t - c.opened_at >= rule.min_years_operating.value
                and c.area >= rule.min_area.value
                and len(c.occupants) >= rule.min_incubatees.value
                and (rule.min_graduates_cum is None
                     or c.graduates_cum >= rule.min_graduates_cum.value)
                and (rule.min_tech_firm_share is None
                     or tech_share(world, c) >= rule.min_tech_firm_share.value)
                and u < rule.p_approval.value):
            c.level = rule.to_level


def _occupancy(c: Carrier) -> float:
    return len(c.occupants) / c.slots if c.slots > 0 else 0.0


def delisting_review(world: World) -> None:
    """An occupancy review (a calendar item): under-occupied carriers go on probation."""
    rule = world.sc.carrier_rules.delisting
    assert rule is not None
    for c in world.open_carriers:
        if c.level in rule.levels and _occupancy(c) < rule.min_occupancy.value:
            c.probation_since = world.now
            world.later(rule.rereview_months / 12.0, partial(_rereview, world, c))


def _rereview(world: World, c: Carrier) -> None:
    rule = world.sc.carrier_rules.delisting
    assert rule is not None
    if c.level in rule.levels and _occupancy(c) < rule.min_occupancy.value:
        c.level = rule.demote_to
    c.probation_since = None


def designation(world: World, rule_index: int, round_index: int) -> None:
    """One designation round granting a tag to qualifying carriers (a calendar item).

    Qualifying carriers whose draw is below ``p_grant`` win, lowest draws first (plan order
    on ties), at most ``max_per_round``.
    """
    rule = world.sc.carrier_rules.designations[rule_index]
    winners = []
    for c in world.open_carriers:
        u = _draw(world, c, designation_code(rule_index, round_index))
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
            winners.append((u, c.index, c))
    winners.sort(key=lambda w: (w[0], w[1]))
    if rule.max_per_round is not None:
        winners = winners[: rule.max_per_round]
    for _, _, c in winners:
        c.tags.add(rule.tag)
