"""Life outside carriers: the region's stock and everyone not (or no longer) incubated.

* Teams outside incorporate or dissolve at the ``outside`` rates of the team stage.
* Incorporated firms outside face the exit hazard by age since incorporation
  (``firms.exit_by_age``, piecewise constant). For ``post_exit.window_years`` after leaving a
  carrier, ``post_exit.failure_rate`` replaces it (failure of graduates, Schwartz 2009).
  Quality divides the exit hazard. Start-ups mature into growth firms at the ``maturation``
  rate; firms relocate away at the ``relocation`` rate of their stage.
* Leaving the region (exit or relocation) ends every certificate the firm holds.
Each re-entry into the outside state draws fresh latent times; with memoryless or exactly
inverted hazards this is the same process as drawing once.
"""

from __future__ import annotations

import math

from sim.model.hazards import OUT_BAD, OUT_EXIT, OUT_GOOD, OUT_RELOCATE, outside_fate
from sim.model.state import CARRIER, EXITED, OUTSIDE, RELOCATED, STAGE_INDEX, Firm, World


def go_outside(world: World, firm: Firm) -> None:
    """The firm continues in the region outside carriers; draw what happens next.

    ``sim.model.hazards.outside_fate`` (shared with the kernel) draws the competing risks.
    """
    firm.location = OUTSIDE
    firm.carrier = None
    firm.epoch += 1
    world.log(firm, "outside")
    r = world.rules
    nan = math.nan
    what, delay = outside_fate(
        r.out_type, r.out_rate, r.out_tab, r.out_prob, r.tabs, STAGE_INDEX[firm.stage],
        firm.quality, world.now,
        nan if firm.left_carrier_at is None else firm.left_carrier_at,
        nan if firm.incorporated_at is None else firm.incorporated_at,
        r.post_window, r.post_rate, r.exit_ages, r.exit_rates,
        firm.life.keys, firm.life.counters, 0)
    if math.isfinite(delay):
        world.at(delay, firm, lambda f: _happen(world, f, what))


def _happen(world: World, firm: Firm, fate: int) -> None:
    if fate == OUT_GOOD and firm.stage == "team":
        firm.stage = "startup"
        firm.incorporated_at = world.now
        world.sync(firm)
        world.log(firm, "incorporate_outside")
        go_outside(world, firm)
    elif fate == OUT_GOOD:
        firm.stage = "growth"
        world.sync(firm)
        world.log(firm, "mature")
        go_outside(world, firm)
    elif fate == OUT_RELOCATE:
        leave_region(world, firm, RELOCATED, "relocation")
    else:  # dissolution of a team or exit of a firm
        assert fate in (OUT_BAD, OUT_EXIT)
        leave_region(world, firm, EXITED, "dissolution" if fate == OUT_BAD else "exit")


def leave_region(world: World, firm: Firm, where: str, why: str) -> None:
    """The firm exits or relocates: it stops counting and its certificates end."""
    from sim.model import statuses

    # a firm closing inside a carrier still has location CARRIER here (incubation._vacate)
    world.count("relocated" if where == RELOCATED else
                "closed_in_carrier" if firm.location == CARRIER else "closed_outside")
    firm.location = where
    firm.left_region_at = world.now
    firm.carrier = None
    firm.epoch += 1
    world.region.pop(firm.id, None)
    firm.pending.clear()
    statuses.end_all(world, firm)
    world.log(firm, where, detail=why)
