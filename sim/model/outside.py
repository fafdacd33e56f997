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

from sim.model.hazards import latent_years, piecewise_first_time
from sim.model.state import CARRIER, EXITED, OUTSIDE, RELOCATED, Firm, World


def exit_time(world: World, firm: Firm, e: float) -> float:
    """Absolute time of the firm's exit given unit exponential ``e`` (inf for teams)."""
    if firm.incorporated_at is None:
        return math.inf
    q = firm.quality
    post = world.sc.firms.post_exit
    steps = world.sc.firms.exit_by_age
    segments: list[tuple[float, float]] = []  # (start time, hazard) contiguous from now
    t = world.now
    if firm.left_carrier_at is not None:
        window_end = firm.left_carrier_at + post.window_years.value
        if t < window_end:
            segments.append((t, post.failure_rate.value / q))
            t = window_end
    for i, step in enumerate(steps):
        seg_start = firm.incorporated_at + step.from_age_years
        seg_end = (firm.incorporated_at + steps[i + 1].from_age_years
                   if i + 1 < len(steps) else math.inf)
        if seg_end > t:
            segments.append((max(seg_start, t), step.rate.value / q))
    return piecewise_first_time(world.now, e, [s for s, _ in segments],
                                [r for _, r in segments])


def go_outside(world: World, firm: Firm) -> None:
    """The firm continues in the region outside carriers; draw what happens next."""
    firm.location = OUTSIDE
    firm.carrier = None
    firm.epoch += 1
    world.log(firm, "outside")
    rules = getattr(world.sc.firms.stages, firm.stage).outside
    rng, q = firm.life, firm.quality
    if firm.stage == "team":
        risks = [("incorporation", latent_years(rules.incorporation, "incorporation", q, rng)),
                 ("dissolution", latent_years(rules.dissolution, "dissolution", q, rng))]
    else:
        maturation = rules.maturation if firm.stage == "startup" else None
        risks = [("maturation", latent_years(maturation, "maturation", q, rng)),
                 ("relocation", latent_years(rules.relocation, "relocation", q, rng)),
                 ("exit", exit_time(world, firm, float(rng.standard_exponential())) - world.now)]
    what, delay = min(risks, key=lambda r: r[1])
    if math.isfinite(delay):
        world.at(delay, firm, lambda f: _happen(world, f, what))


def _happen(world: World, firm: Firm, what: str) -> None:
    if what == "incorporation":
        firm.stage = "startup"
        firm.incorporated_at = world.now
        world.sync(firm)
        world.log(firm, "incorporate_outside")
        go_outside(world, firm)
    elif what == "maturation":
        firm.stage = "growth"
        world.sync(firm)
        world.log(firm, "mature")
        go_outside(world, firm)
    elif what == "relocation":
        leave_region(world, firm, RELOCATED, "relocation")
    else:  # dissolution of a team or exit of a firm
        leave_region(world, firm, EXITED, what)


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
