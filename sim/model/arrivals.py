"""Firm arrivals and the firms present at the start (DESIGN.md section 3, "Firms").

* Each source is a Poisson stream with rate(t) = rate x (1 + growth)^t x (multiplier of the
  latest step started). Arrival k happens when the integrated rate reaches the k-th point of a
  unit-rate Poisson process drawn from the source's own stream (time rescaling), so a lever
  that scales a rate moves arrivals in time but keeps firm k the same firm with the same fate
  draws (common random numbers).
* An arriving firm draws, from its own stream: stage (stage_mix), sector (sector_mix; uniform
  over meta.sectors when not given), quality, age since incorporation (firms only), whether it
  seeks a carrier, its patience, and the statuses it brings.
* Firms present at the start: the incubatees of every baseline carrier (stage from the
  carrier's kind, tenure and age from ``firms.initial_incubatees``) and the region's stock
  outside carriers (``firms.stock``), with baseline certificates (sim.model.statuses).
"""

from __future__ import annotations

import bisect
from collections.abc import Generator
from functools import lru_cache
from typing import Any

import numpy as np
import simpy

from sim.model import incubation, outside, statuses
from sim.model.state import KIND_STAGE, Carrier, Firm, World
from sim.rng import ARRIVALS, FIRM, name_key
from sim.scenario.schema import ArrivalSource

STAGE_ORDER = ("team", "startup", "growth")
GRID_PER_YEAR = 365


def rate_grid(world: World, src: ArrivalSource) -> tuple[np.ndarray, np.ndarray]:
    """Times (daily) and the integrated rate at those times over the horizon."""
    n = max(2, int(np.ceil(world.horizon * GRID_PER_YEAR)) + 1)
    t = np.linspace(0.0, world.horizon, n)
    growth = src.growth.value if src.growth is not None else 0.0
    rate = src.rate.value * (1.0 + growth) ** t
    for step in sorted(src.steps, key=lambda s: s.start):
        rate = np.where(t >= world.sc.years(step.start), src.rate.value * (1.0 + growth) ** t
                        * step.multiplier.value, rate)
    mid = 0.5 * (rate[1:] + rate[:-1])
    cum = np.concatenate([[0.0], np.cumsum(mid * np.diff(t))])
    return t, cum


def arrival_times(world: World, name: str, src: ArrivalSource) -> np.ndarray:
    """All arrival times of a source within the horizon (time-rescaled unit Poisson points)."""
    t, cum = rate_grid(world, src)
    total = float(cum[-1])
    if total <= 0:
        return np.empty(0)
    rng = world.streams.generator(ARRIVALS, name_key(name))
    points: list[np.ndarray] = []
    last = 0.0
    batch = int(total * 1.2) + 16
    while last <= total:
        gaps = rng.standard_exponential(batch)
        pts = last + np.cumsum(gaps)
        points.append(pts)
        last = float(pts[-1])
    unit = np.concatenate(points)
    unit = unit[unit <= total]
    return np.interp(unit, cum, t)


@lru_cache(maxsize=256)
def _cdf(items: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    names = tuple(n for n, _ in items)
    weights = [max(0.0, w) for _, w in items]
    total = sum(weights)
    acc, cdf = 0.0, []
    for w in weights:
        acc += w / total
        cdf.append(acc)
    return names, tuple(cdf)


def _pick(u: float, shares: dict[str, float]) -> str:
    """The category whose cumulative share first exceeds ``u`` (inversion)."""
    names, cdf = _cdf(tuple(shares.items()))
    return names[min(bisect.bisect_right(cdf, u), len(names) - 1)]


def _sector_mix(world: World, mix: dict[str, float] | None) -> dict[str, float]:
    return mix if mix else {s: 1.0 for s in world.sc.meta.sectors}


def new_firm(world: World, origin: str, index: int, stage: str, sector: str,
             quality: float, incorporated_at: float | None,
             life: np.random.Generator) -> Firm:
    """Register a firm in the world (it is not yet placed anywhere)."""
    firm = Firm(id=len(world.firms), origin=origin, stage=stage, sector=sector,
                quality=quality, incorporated_at=incorporated_at, created_at=world.now,
                key=(name_key(origin), index), life=life)
    world.firms.append(firm)
    world.region[firm.id] = firm
    world.counts["created"] += 1
    world.sync(firm)
    return firm


def firm_life(world: World, origin: str, index: int) -> np.random.Generator:
    """The main stream of firm ``index`` of ``origin``."""
    return world.streams.generator(FIRM, name_key(origin), index, 0)


def source_process(world: World, name: str,
                   src: ArrivalSource) -> Generator[simpy.Event, Any, None]:
    """Bring the source's firms into the region at their arrival times."""
    origin = f"source:{name}"
    stage_mix = src.stage_mix.model_dump()
    sector_mix = _sector_mix(world, src.sector_mix)
    fq = world.sc.firms
    for k, t in enumerate(arrival_times(world, name, src)):
        yield world.env.timeout(float(t) - world.now)
        life = firm_life(world, origin, k)
        u = life.random(6)
        stage = _pick(float(u[0]), stage_mix)
        sector = _pick(float(u[1]), sector_mix)
        quality = fq.quality.ppf1(float(u[2]))
        if stage == "team":
            incorporated: float | None = None
        else:
            age = src.age_years.ppf1(float(u[3])) if src.age_years is not None else 0.0
            incorporated = world.now - age
        firm = new_firm(world, origin, k, stage, sector, quality, incorporated, life)
        world.counts["arrived"] += 1
        world.count("arrivals")
        world.log(firm, "arrive", detail=name)
        statuses.give_at_arrival(world, firm, dict(src.statuses_at_arrival))
        patience = fq.patience_months.ppf1(float(u[5]))
        if u[4] < src.p_seek_carrier.value:
            incubation.seek(world, firm, float(life.random()), patience)
        else:
            outside.go_outside(world, firm)


def create_initial_incubatees(world: World, placed: list[tuple[Carrier, int]]) -> None:
    """Put the baseline incubatees into their carriers at time 0."""
    init = world.sc.firms.initial_incubatees
    fq = world.sc.firms
    sector_mix = _sector_mix(world, init.sector_mix)
    for c, n in placed:
        origin = f"initial:{c.id}"
        stage = KIND_STAGE[c.kind]
        for k in range(n):
            life = firm_life(world, origin, k)
            u = life.random(4)
            sector = c.sector or _pick(float(u[0]), sector_mix)
            quality = fq.quality.ppf1(float(u[1]))
            tenure_months = init.tenure_months.ppf1(float(u[2]))
            incorporated: float | None = None
            if stage != "team":
                age = max(init.age_years.ppf1(float(u[3])), tenure_months / 12.0)
                incorporated = -age
            firm = new_firm(world, origin, k, stage, sector, quality, incorporated, life)
            statuses.give_at_start(world, firm, dict(init.statuses))
            incubation.enter(world, firm, c, tenure_months=tenure_months, initial=True)


def create_stock(world: World) -> None:
    """The region's existing firms outside carriers, with their baseline certificates."""
    fq = world.sc.firms
    for name, group in fq.stock.items():
        origin = f"stock:{name}"
        sector_mix = _sector_mix(world, group.sector_mix)
        for k in range(int(group.count.value)):
            life = firm_life(world, origin, k)
            u = life.random(3)
            sector = _pick(float(u[0]), sector_mix)
            quality = fq.quality.ppf1(float(u[1]))
            age = group.age_years.ppf1(float(u[2]))
            firm = new_firm(world, origin, k, group.stage, sector, quality, -age, life)
            statuses.give_at_start(world, firm, dict(group.statuses))
            outside.go_outside(world, firm)
