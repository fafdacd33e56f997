"""Incubation: finding a slot, life inside a carrier, and moving on (docs/design.md section 3).

* A firm seeks a slot in an open carrier of a kind fitting its stage (team -> maker space,
  start-up -> incubator, growth -> accelerator or park) whose sector focus, if any, is the
  firm's sector. Among carriers with room it picks one with probability proportional to free
  slots. With no room it joins the stage's FIFO queue and waits up to its patience; a slot
  that frees (or a carrier that opens) goes to the first waiting firm that fits. A firm whose
  patience runs out continues outside carriers.
* Inside, competing risks (``sim.model.hazards.carrier_fate``, shared with the kernel): teams
  incorporate or dissolve; start-ups and growth firms graduate or fail; everyone leaves at
  the maximum stay. The in-carrier failure hazard replaces the age-dependent exit hazard
  while inside.
* Incorporation in a maker space and graduation count as graduations of that carrier. The
  incorporated team or graduated start-up then moves on: with ``p_seek_next`` it looks for a
  next-stage slot (no waiting); finding none it relocates away with
  ``p_relocate_if_no_room`` or stays outside. Graduates of accelerators/parks and firms
  reaching the maximum stay go outside.
"""

from __future__ import annotations

import math

from sim.model import outside
from sim.model.hazards import IN_BAD, IN_GOOD, carrier_fate
from sim.model.state import (
    CARRIER,
    KIND_STAGE,
    QUEUE,
    STAGE_INDEX,
    STAGE_KINDS,
    Carrier,
    Firm,
    World,
)


def fits(c: Carrier, firm: Firm) -> bool:
    """Whether a carrier could host this firm (kind for its stage, sector focus)."""
    return c.kind in STAGE_KINDS[firm.stage] and (c.sector is None or c.sector == firm.sector)


def place(world: World, firm: Firm, u: float) -> bool:
    """Put the firm into a fitting carrier with room, chosen by ``u``; False if none."""
    chosen = world.slots[firm.stage].pick(firm.sector, u)
    if chosen is None:
        return False
    enter(world, firm, chosen)
    return True


def seek(world: World, firm: Firm, u_pick: float, patience_months: float) -> None:
    """Seek a slot now; otherwise wait up to ``patience_months`` in the stage's queue."""
    if place(world, firm, u_pick):
        return
    firm.location = QUEUE
    firm.epoch += 1
    world.waiting[firm.stage].append(firm)
    world.log(firm, "wait")
    world.at(patience_months / 12.0, firm, lambda f: _give_up(world, f))


def _give_up(world: World, firm: Firm) -> None:
    world.waiting[firm.stage].remove(firm)
    world.log(firm, "give_up")
    world.count("refused")
    outside.go_outside(world, firm)


def serve_waiting(world: World, c: Carrier) -> None:
    """Give free slots of ``c`` to the first waiting firms that fit it."""
    queue = world.waiting[KIND_STAGE[c.kind]]
    i = 0
    while c.free > 0 and i < len(queue):
        firm = queue[i]
        if fits(c, firm):
            queue.pop(i)
            enter(world, firm, c)
        else:
            i += 1


def enter(world: World, firm: Firm, c: Carrier, tenure_months: float = 0.0,
          initial: bool = False, fate: tuple[int, float] | None = None) -> None:
    """The firm takes a slot in ``c`` and draws its competing risks there.

    ``fate`` (what ends the stay, years left) is given for an occupant drawn in the carrier's
    stationary state at the start; otherwise the risks are drawn now, conditioned on
    ``tenure_months`` already spent.
    """
    assert c.free > 0, f"carrier {c.id} is full"
    firm.location = CARRIER
    firm.carrier = c
    firm.epoch += 1
    firm.entered_carrier_at = world.now - tenure_months / 12.0
    if firm.first_carrier_at is None:
        firm.first_carrier_at = world.now
    c.occupants.add(firm.id)
    c.by_stage[firm.stage] += 1
    world.slots[KIND_STAGE[c.kind]].update(c)
    if not initial:
        world.count("placed")
        c.entries_cum += 1
        c.entries_by_stage[firm.stage] += 1
    world.log(firm, "enter", c)
    from sim.model import statuses

    statuses.note_incubated(world, firm)
    r = world.rules
    if fate is None:
        fate = carrier_fate(r.in_type, r.in_rate, r.in_tab, r.in_prob, r.max_stay_tab, r.tabs,
                            STAGE_INDEX[firm.stage], firm.quality, tenure_months,
                            firm.life.keys, firm.life.counters, 0)
    what, delay = fate
    if math.isfinite(delay):
        world.at(delay, firm, lambda f: _leave_for(world, f, what))


def _vacate(world: World, firm: Firm) -> Carrier:
    c = firm.carrier
    assert c is not None
    c.occupants.discard(firm.id)
    c.by_stage[firm.stage] -= 1
    world.slots[KIND_STAGE[c.kind]].update(c)
    firm.carrier = None
    firm.left_carrier_at = world.now
    firm.epoch += 1
    return c


def _leave_for(world: World, firm: Firm, fate: int) -> None:
    c = _vacate(world, firm)
    assert firm.entered_carrier_at is not None
    tenure = world.now - firm.entered_carrier_at
    team = firm.stage == "team"
    what = (("incorporation" if team else "graduation") if fate == IN_GOOD
            else ("dissolution" if team else "failure") if fate == IN_BAD else "max_stay")
    world.log(firm, what, c, tenure)
    world.stats["exit_kinds"].append(1.0 if fate == IN_GOOD else 0.0)
    if fate == IN_GOOD:
        world.count("graduated")
        c.graduates_cum += 1
        world.stats["graduate_tenure_years"].append(tenure)
    if what == "incorporation":
        firm.stage = "startup"
        firm.incorporated_at = world.now
        world.sync(firm)
        move_on(world, firm)
    elif what == "graduation" and firm.stage == "startup":
        firm.stage = "growth"
        world.sync(firm)
        move_on(world, firm)
    elif what in ("dissolution", "failure"):
        outside.leave_region(world, firm, "exited", what)
    else:  # graduation of a growth firm, or the maximum stay
        outside.go_outside(world, firm)
    serve_waiting(world, c)


def move_on(world: World, firm: Firm) -> None:
    """After incorporating or graduating: seek a next-stage slot, else stay or relocate."""
    r = world.rules
    u_seek, u_pick, u_relocate = (firm.life.random() for _ in range(3))
    if u_seek < r.p_seek_next:
        if place(world, firm, u_pick):
            return
        world.count("refused")
        if u_relocate < r.p_relocate:
            outside.leave_region(world, firm, "relocated", "no_room")
            return
    outside.go_outside(world, firm)
