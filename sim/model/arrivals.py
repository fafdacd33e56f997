"""Firm arrivals and the firms present at the start (docs/design.md section 3, "Firms").

* Arrival times come from the replication's plan (``sim.model.schedule``: each source a
  Poisson stream with rate(t) = rate x (1 + growth)^t x step multiplier, by time rescaling).
* An arriving firm draws from its own life stream, in this order: stage (``stage_mix``), sector
  (``sector_mix``; uniform over ``meta.sectors`` when not given), quality, age since
  incorporation (firms only), whether it seeks a carrier, its patience; then one draw per
  status it may bring (``statuses_at_arrival``, in the scenario's status order); then, if it
  seeks, the draw that picks its carrier.
* Firms present at the start: the incubatees of every baseline carrier (stage from the
  carrier's kind; sector, age, then quality and the stay under way from
  ``firms.initial_incubatees``: in the carrier's stationary state,
  ``sim.model.hazards.stationary_occupant``, unless ``tenure_months`` is given) and the
  region's stock outside carriers (``firms.stock``), each with baseline certificates
  (``sim.model.statuses.give_at_start``).

Numbers come from the encoded rules (``world.rules``, ``sim.model.encoding``) through the
compiled inversions of ``sim.model.tables``, as in the kernel.
"""

from __future__ import annotations

from sim.model import incubation, outside, statuses
from sim.model.draws import Stream
from sim.model.hazards import stationary_occupant
from sim.model.state import KIND_STAGE, Carrier, Firm, World
from sim.model.tables import pick, ppf
from sim.registry import STAGES


def new_firm(world: World, origin: str, stage: str, sector: str, quality: float,
             incorporated_at: float | None, life: Stream) -> Firm:
    """Register a firm in the world (it is not yet placed anywhere)."""
    firm = Firm(id=len(world.firms), origin=origin, stage=stage, sector=sector,
                quality=quality, incorporated_at=incorporated_at, created_at=world.now,
                life=life)
    world.firms.append(firm)
    world.region[firm.id] = firm
    world.counts["created"] += 1
    world.sync(firm)
    return firm


def arrive(world: World, k: int) -> None:
    """Arrival number ``k`` of the plan enters the region now."""
    r = world.rules
    arrivals = world.plan.arrivals
    src = int(arrivals.source[k])
    name = list(world.sc.firms.sources)[src]
    origin = f"source:{name}"
    life = world.life_stream(origin, int(arrivals.ordinal[k]))
    u = [life.random() for _ in range(6)]
    stage = STAGES[pick(r.s_stage_cdf[src], u[0])]
    sector = world.sc.meta.sectors[pick(r.s_sector_cdf[src], u[1])]
    quality = ppf(r.tabs, r.quality_tab, u[2])
    incorporated: float | None = None
    if stage != "team":
        age = ppf(r.tabs, r.s_age_tab[src], u[3]) if r.s_age_tab[src] >= 0 else 0.0
        incorporated = world.now - age
    firm = new_firm(world, origin, stage, sector, quality, incorporated, life)
    world.counts["arrived"] += 1
    world.count("arrivals")
    world.log(firm, "arrive", detail=name)
    statuses.give_at_arrival(world, firm, r.s_st_p[src])
    patience = ppf(r.tabs, r.patience_tab, u[5])
    if u[4] < r.s_seek[src]:
        incubation.seek(world, firm, life.random(), patience)
    else:
        outside.go_outside(world, firm)


def create_initial_incubatees(world: World, c: Carrier) -> None:
    """Put carrier ``c``'s baseline incubatees into it at time 0."""
    r = world.rules
    origin = f"initial:{c.id}"
    stage = KIND_STAGE[c.kind]
    for k in range(world.plan.carriers[c.index].incubatees):
        life = world.life_stream(origin, k)
        u_sector, u_age = life.random(), life.random()
        sector = c.sector or world.sc.meta.sectors[pick(r.init_sector_cdf, u_sector)]
        fate: tuple[int, float] | None = None
        if r.init_tenure_tab >= 0:
            quality = ppf(r.tabs, r.quality_tab, life.random())
            tenure_months = ppf(r.tabs, r.init_tenure_tab, life.random())
        else:
            quality, what, years_left, tenure_months = stationary_occupant(
                r.in_type, r.in_rate, r.in_tab, r.in_prob, r.max_stay_tab, r.tabs,
                r.quality_tab, STAGES.index(stage), life.keys, life.counters, 0)
            fate = (what, years_left)
        incorporated: float | None = None
        if stage != "team":
            incorporated = -max(ppf(r.tabs, r.init_age_tab, u_age), tenure_months / 12.0)
        firm = new_firm(world, origin, stage, sector, quality, incorporated, life)
        statuses.give_at_start(world, firm, r.init_st_share[0], r.init_st_issued[0],
                               r.init_st_growth[0])
        incubation.enter(world, firm, c, tenure_months=tenure_months, initial=True, fate=fate)


def create_stock(world: World, g: int) -> None:
    """Stock group number ``g``: the region's firms outside carriers, with certificates."""
    r = world.rules
    name = list(world.sc.firms.stock)[g]
    origin = f"stock:{name}"
    stage = STAGES[int(r.g_stage[g])]
    for k in range(int(r.g_count[g])):
        life = world.life_stream(origin, k)
        u = [life.random() for _ in range(3)]
        sector = world.sc.meta.sectors[pick(r.g_sector_cdf[g], u[0])]
        quality = ppf(r.tabs, r.quality_tab, u[1])
        incorporated = -ppf(r.tabs, int(r.g_age_tab[g]), u[2])
        firm = new_firm(world, origin, stage, sector, quality, incorporated, life)
        statuses.give_at_start(world, firm, r.g_st_share[g], r.g_st_issued[g],
                               r.g_st_growth[g])
        outside.go_outside(world, firm)
