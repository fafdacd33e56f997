"""One replication's plan: its carriers, its arrivals and its calendar, computed once.

Both engines consume this plan (docs/design.md section 5): the reference engine walks the calendar
with SimPy carrying the firms' own events, the kernel receives it encoded as arrays. What it
holds is drawn before any firm exists, each from its own keyed numpy stream:

* **Carriers**, in one fixed order that both engines index by: the baseline groups (a group of
  n becomes ``id#1`` .. ``id#n``, sharing the area equally; ages drawn from ``(CARRIER, id)``),
  then pipeline projects (delivered with ``p_delivery`` at ``planned`` + delay, drawn from
  ``(PIPELINE, id)``; undelivered or later-than-horizon ones are left out), then the blocks
  that build levers open at the lever's month each year.
* **Arrivals** of every source: unit Poisson points of ``(ARRIVALS, source)`` mapped through the
  integrated rate (time rescaling), merged in time order (ties keep source order).
* **The calendar**: every timed routine as an item (time, kind, a, b).

Events at the same instant happen in this documented order: first the calendar's items, by
kind in the order of ``KINDS`` (carrier openings, firms present at the start, arrivals,
application rounds, promotions, delisting reviews, designation rounds, the monthly record,
calendar-year expiries), items of one kind in the order listed; then the firms' own events
due at that instant, first scheduled first. Records are taken ``RECORD_LAG`` after each month
end, so that everything due at the month end is in them; calendar-year certificates expire
just after the 31 December record (the year's count includes every firm valid during it;
lapses take effect after).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.kept import Kept
from sim.levers import build_orders
from sim.rng import ARRIVALS, CARRIER, PIPELINE, Streams, name_key
from sim.scenario import Scenario
from sim.scenario.schema import ArrivalSource, Seasonality
from sim.timeline import record_dates, record_times

OPEN, CREATE_INITIAL, CREATE_STOCK, ARRIVAL, ROUND, PROMOTION, DELISTING, DESIGNATION, \
    RECORD, CALENDAR = range(10)
KINDS = ("open", "create_initial", "create_stock", "arrival", "round", "promotion",
         "delisting", "designation", "record", "calendar")
"""Calendar item kinds, in their order at one instant. Arguments (a, b): open (carrier, -),
create_initial (carrier, -), create_stock (stock group, -), arrival (arrival number, -),
round (status, -), promotion (rule, round), delisting (-, -), designation (rule, round),
record (record index, -), calendar (status, -)."""
RECORD_LAG = 1e-9
"""Records are taken just after the month end so that events due at it are included."""
EPS = 1e-9


@dataclass(frozen=True)
class PlannedCarrier:
    """A carrier of the replication: baseline, pipeline or built by a lever."""

    id: str
    kind: str
    level: str
    tags: tuple[str, ...]
    zone: str | None
    sector: str | None
    area: float
    area_per_slot: float
    open_at: float
    """Model time it opens (0 for the baseline's carriers)."""
    opened: float
    """Model time it opened or opens (negative for baseline carriers: their years operating)."""
    incubatees: int = 0
    graduates_cum: int = 0
    entries_cum: int = 0

    @property
    def slots(self) -> int:
        """Capacity: floor(area / area per slot)."""
        return int(self.area // self.area_per_slot)

    @property
    def key(self) -> int:
        """The carrier's name key (its evaluation draws)."""
        return name_key(self.id)


class Arrivals(NamedTuple):
    """Every arrival of the replication in time order."""

    time: np.ndarray
    source: np.ndarray
    """Source number (the scenario's order of ``firms.sources``)."""
    ordinal: np.ndarray
    """The arrival's number within its source (names its firm's streams)."""


class Calendar(NamedTuple):
    """The timed routines of the replication, sorted by (time, kind, listed order)."""

    t: np.ndarray
    kind: np.ndarray
    a: np.ndarray
    b: np.ndarray


class Plan(NamedTuple):
    """Carriers, arrivals, calendar and record dates of one replication."""

    carriers: list[PlannedCarrier]
    arrivals: Arrivals
    calendar: Calendar
    dates: list[dt.date]
    record_times: np.ndarray


def month_end_times(sc: Scenario, month: int) -> list[float]:
    """Model times of the end of ``month`` in every year of the horizon."""
    out = []
    for year in range(sc.meta.start.year, sc.meta.horizon_end.year + 1):
        t = sc.years(dt.date(year + (month == 12), month % 12 + 1, 1))
        if 0 < t <= sc.horizon_years + EPS:
            out.append(t)
    return out


def _split(total: int, n: int, k: int) -> int:
    """Carrier k's share of a group total split as evenly as possible."""
    return total // n + (1 if k < total % n else 0)


def plan_carriers(sc: Scenario, streams: Streams,
                  lever_values: Mapping[str, float]) -> list[PlannedCarrier]:
    """Baseline carriers, delivered pipeline projects and lever-built blocks, in that order."""
    out: list[PlannedCarrier] = []
    for g in sc.carriers:
        n = g.count
        for k in range(n):
            cid = g.id if n == 1 else f"{g.id}#{k + 1}"
            if g.opened is not None:
                opened = sc.years(g.opened)
            else:
                assert g.age_years is not None
                opened = -g.age_years.sample_one(streams.generator(CARRIER, name_key(cid)))
            area = g.total_area.value / n
            slots = int(area // g.area_per_slot.value)
            out.append(PlannedCarrier(
                cid, g.kind, g.level, tuple(g.tags), g.zone, g.sector, area,
                g.area_per_slot.value, 0.0, opened,
                incubatees=min(slots, _split(int(g.incubatees.value), n, k)),
                graduates_cum=_split(int(g.graduates_cum.value) if g.graduates_cum else 0, n, k),
                entries_cum=_split(int(g.entries_cum.value) if g.entries_cum else 0, n, k)))
    for p in sc.pipeline:
        for k in range(p.count):
            cid = p.id if p.count == 1 else f"{p.id}#{k + 1}"
            rng = streams.generator(PIPELINE, name_key(cid))
            u_deliver = rng.random()
            delay = p.delay_months.sample_one(rng)
            if u_deliver >= p.p_delivery.value:
                continue
            t_open = sc.years(p.planned) + delay / 12.0
            if t_open > sc.horizon_years + EPS:
                continue
            out.append(PlannedCarrier(cid, p.kind, p.level, tuple(p.tags), p.zone, p.sector,
                                      p.area.value / p.count, p.area_per_slot.value, t_open,
                                      t_open))
    for build in build_orders(sc, lever_values):
        eff = build.effect
        built = 0
        for year_index, t in enumerate(month_end_times(sc, eff.month), start=1):
            due = math.floor(build.area_per_year * year_index / eff.unit_area.value + 1e-9)
            while built < due:
                built += 1
                out.append(PlannedCarrier(f"{build.lever}@{built}", eff.kind, eff.level,
                                          tuple(eff.tags), eff.zone, eff.sector,
                                          eff.unit_area.value, eff.area_per_slot.value, t, t))
    return out


MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def seasonal_factor(sc: Scenario, season: Seasonality | None, t: np.ndarray) -> np.ndarray:
    """Each model time's month factor: weights scaled so a 365-day year keeps its total."""
    if season is None:
        return np.ones_like(t)
    w = np.asarray(season.weights, dtype=float)
    w = w * 365.0 / float(np.dot(w, MONTH_DAYS))
    days = np.floor(t * 365.25 + 1e-9).astype("timedelta64[D]")
    month = (np.datetime64(sc.meta.start, "D") + days).astype("datetime64[M]").astype(int) % 12
    return w[month]


def daily_grid(horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """Model times of a daily grid over the horizon, and its steps (kept per horizon).

    Shared between replications: read-only.
    """
    def make() -> tuple[np.ndarray, np.ndarray]:
        n = max(2, int(np.ceil(horizon * 365)) + 1)
        t = np.linspace(0.0, horizon, n)
        steps = np.diff(t)
        t.flags.writeable = steps.flags.writeable = False
        return t, steps

    return _GRIDS.get(horizon, make)


_GRIDS: Kept[tuple[np.ndarray, np.ndarray]] = Kept(16)


def source_arrival_times(sc: Scenario, streams: Streams, name: str,
                         src: ArrivalSource) -> np.ndarray:
    """Arrival times of one source: rate(t) = rate (1 + growth)^t x step x month factor.

    Unit Poisson points from the source's own stream are mapped through the integrated rate
    (daily trapezoids), so a lever that scales the rate moves arrival k in time but keeps it
    the same firm (common random numbers).
    """
    t, dt_ = daily_grid(sc.horizon_years)
    growth = src.growth.value if src.growth is not None else 0.0
    base = src.rate.value * (1.0 + growth) ** t
    rate = base
    for step in sorted(src.steps, key=lambda s: s.start):
        rate = np.where(t >= sc.years(step.start), base * step.multiplier.value, rate)
    if src.seasonality is not None:
        rate = rate * seasonal_factor(sc, src.seasonality, t)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) * dt_)])
    total = float(cum[-1])
    if total <= 0:
        return np.empty(0)
    rng = streams.generator(ARRIVALS, name_key(name))
    points: list[np.ndarray] = []
    last = 0.0
    batch = int(total * 1.2) + 16
    while last <= total:
        pts = last + np.cumsum(rng.standard_exponential(batch))
        points.append(pts)
        last = float(pts[-1])
    unit = np.concatenate(points)
    return np.interp(unit[unit <= total], cum, t)


def plan_arrivals(sc: Scenario, streams: Streams) -> Arrivals:
    """Every source's arrivals merged in time order (ties: source order, then index)."""
    times, src_idx, index = [], [], []
    for si, (name, src) in enumerate(sc.firms.sources.items()):
        at = source_arrival_times(sc, streams, name, src)
        times.append(at)
        src_idx.append(np.full(at.size, si, dtype=np.int64))
        index.append(np.arange(at.size, dtype=np.int64))
    if not times:
        return Arrivals(np.empty(0), np.empty(0, np.int64), np.empty(0, np.int64))
    a_time = np.concatenate(times)
    order = np.argsort(a_time, kind="stable")
    return Arrivals(a_time[order], np.concatenate(src_idx)[order], np.concatenate(index)[order])


def plan_calendar(sc: Scenario, carriers: list[PlannedCarrier], arrivals: Arrivals,
                  rec_t: np.ndarray, jan1: np.ndarray) -> Calendar:
    """Every timed routine as (t, kind, a, b), sorted by time, kind, listed order."""
    items: list[tuple[float, int, int, int]] = []
    for c, pc in enumerate(carriers):
        if pc.open_at > 0:
            items.append((pc.open_at, OPEN, c, 0))
    for c, pc in enumerate(carriers):
        if pc.incubatees > 0:
            items.append((0.0, CREATE_INITIAL, c, 0))
    n_a = arrivals.time.size
    listed = np.concatenate([np.array(items, dtype=float).reshape(-1, 4),
                             routine_items(sc, rec_t, jan1)])
    all_t = np.concatenate([listed[:, 0], arrivals.time])
    all_kind = np.concatenate([listed[:, 1].astype(np.int64), np.full(n_a, ARRIVAL, np.int64)])
    all_a = np.concatenate([listed[:, 2].astype(np.int64), np.arange(n_a, dtype=np.int64)])
    all_b = np.concatenate([listed[:, 3].astype(np.int64), np.zeros(n_a, np.int64)])
    seq = np.arange(all_t.size, dtype=np.int64)
    order = np.lexsort((seq, all_kind, all_t))
    return Calendar(all_t[order], all_kind[order], all_a[order], all_b[order])


def routine_items(sc: Scenario, rec_t: np.ndarray, jan1: np.ndarray) -> np.ndarray:
    """The routines that do not depend on the replication's draws, as rows (t, kind, a, b).

    Stock groups, application rounds, promotions, delisting reviews, designations, records
    and calendar-year expiries, in their listed order. Kept per distinct calendar (every
    value they are made from is in the key), since every replication of a run has the same.
    """
    cr = sc.carrier_rules
    dl = cr.delisting
    key = (sc.meta.start, sc.meta.horizon_end, len(sc.firms.stock),
           tuple((tuple(st.rounds), st.validity) for st in sc.statuses.values()),
           tuple(rule.month for rule in cr.promotions),
           None if dl is None else (dl.month, dl.review_interval_years),
           tuple(des.month for des in cr.designations), rec_t.tobytes(), jan1.tobytes())

    def make() -> np.ndarray:
        rows = _routine_items(sc, rec_t, jan1)
        rows.flags.writeable = False
        return rows

    return _ROUTINES.get(key, make)


_ROUTINES: Kept[np.ndarray] = Kept(16)


def record_calendar(sc: Scenario) -> tuple[list[dt.date], np.ndarray]:
    """Record dates and their model times (fresh copies of what is kept per start and end)."""
    def make() -> tuple[tuple[dt.date, ...], np.ndarray]:
        dates = record_dates(sc)
        return tuple(dates), np.array(record_times(sc, dates), dtype=float)

    dates, times = _RECORDS.get((sc.meta.start, sc.meta.horizon_end), make)
    return list(dates), times.copy()


_RECORDS: Kept[tuple[tuple[dt.date, ...], np.ndarray]] = Kept(16)


def _routine_items(sc: Scenario, rec_t: np.ndarray, jan1: np.ndarray) -> np.ndarray:
    items: list[tuple[float, int, int, int]] = []
    for g in range(len(sc.firms.stock)):
        items.append((0.0, CREATE_STOCK, g, 0))
    for s, st in enumerate(sc.statuses.values()):
        for t in sorted(t for m in st.rounds for t in month_end_times(sc, m)):
            items.append((t, ROUND, s, 0))
    cr = sc.carrier_rules
    for i, rule in enumerate(cr.promotions):
        for j, t in enumerate(month_end_times(sc, rule.month)):
            items.append((t, PROMOTION, i, j))
    if cr.delisting is not None:
        dl = cr.delisting
        for i, t in enumerate(month_end_times(sc, dl.month), start=1):
            if i % dl.review_interval_years == 0:
                items.append((t, DELISTING, 0, 0))
    for i, des in enumerate(cr.designations):
        for j, t in enumerate(month_end_times(sc, des.month)):
            items.append((t, DESIGNATION, i, j))
    for i, t in enumerate(rec_t):
        items.append((float(t) + RECORD_LAG, RECORD, i, 0))
    for s, st in enumerate(sc.statuses.values()):
        if st.validity == "calendar_year":
            for t in jan1:
                if t < sc.horizon_years - EPS:
                    items.append((float(t) + RECORD_LAG, CALENDAR, s, 0))
    return np.array(items, dtype=float).reshape(-1, 4)


def plan(sc: Scenario, streams: Streams, lever_values: Mapping[str, float],
         jan1: np.ndarray) -> Plan:
    """The plan of one replication of ``sc`` (uncertainties drawn, levers applied)."""
    carriers = plan_carriers(sc, streams, lever_values)
    arrivals = plan_arrivals(sc, streams)
    dates, rec_t = record_calendar(sc)
    return Plan(carriers, arrivals, plan_calendar(sc, carriers, arrivals, rec_t, jan1), dates,
                rec_t)
