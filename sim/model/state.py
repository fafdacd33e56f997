"""The state of one replication: carriers, firms and the records the metrics are computed from.

Firms and carriers are plain mutable records owned by the ``World``; the rule modules
(arrivals, carriers, incubation, outside, statuses) change them and append ``Event`` rows.
The world holds the replication's plan (``sim.model.schedule``: every carrier it will ever
have, in the order both engines index them) and its per-firm rules as arrays
(``sim.model.encoding``), which the compiled rules read.
Scheduled firm events carry the firm's ``epoch`` at scheduling time: any state change bumps
the epoch, so an event scheduled for an old state is silently ignored (this is how competing
risks cancel each other without one SimPy process per firm).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from sim.model.draws import Stream, firm_key, status_key
from sim.model.encoding import FirmRules
from sim.model.schedule import Plan, PlannedCarrier
from sim.rng import name_key
from sim.scenario.schema import Scenario

STAGE_KINDS: dict[str, tuple[str, ...]] = {
    "team": ("maker_space",),
    "startup": ("incubator",),
    "growth": ("accelerator", "park"),
}
"""Which carrier kinds fit a stage (docs/design.md section 3, "Firms")."""

STAGE_INDEX: dict[str, int] = {"team": 0, "startup": 1, "growth": 2}

KIND_STAGE: dict[str, str] = {"maker_space": "team", "incubator": "startup",
                              "accelerator": "growth", "park": "growth"}

# Firm locations
QUEUE, CARRIER, OUTSIDE, EXITED, RELOCATED = "queue", "carrier", "outside", "exited", "relocated"
IN_REGION = (QUEUE, CARRIER, OUTSIDE)

FIRM_FLOWS = ("arrivals", "placed", "refused", "graduated", "closed_in_carrier",
              "closed_outside", "relocated")
"""Counted firm flows (Result.flows): firms and teams created by arrival sources; entries into
carriers; seekers left without a slot for lack of room (patience ran out in the queue, or a
graduate found no next-stage slot); graduations (incl. incorporation in a maker space);
closures inside carriers; closures outside; relocations away from the region."""

STATUS_FLOWS = ("granted", "renewed", "lapsed", "lost", "brought")
"""Counted certificate flows per status S (``granted:S`` ...): granted on application,
renewed at expiry, lapsed at expiry (not renewed), lost because the holder closed or relocated
while it was valid, brought by arriving firms."""


def flow_names(status_ids: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Every flow name of a scenario with these statuses, in a fixed order."""
    return FIRM_FLOWS + tuple(f"{kind}:{sid}" for sid in status_ids for kind in STATUS_FLOWS)


@dataclass
class Carrier:
    """One incubation carrier (孵化载体) and its counters."""

    index: int
    """Position in the replication's plan (both engines' carrier number)."""
    id: str
    kind: str
    level: str
    tags: set[str]
    zone: str | None
    sector: str | None
    area: float
    slots: int
    opened_at: float
    key: int
    """Name key of the carrier's evaluation draws."""
    is_open: bool = False
    occupants: set[int] = field(default_factory=set)
    by_stage: dict[str, int] = field(default_factory=lambda: {"team": 0, "startup": 0,
                                                              "growth": 0})
    graduates_cum: int = 0
    entries_cum: int = 0
    entries_by_stage: dict[str, int] = field(default_factory=lambda: {"team": 0, "startup": 0,
                                                                      "growth": 0})
    probation_since: float | None = None
    slot_pos: int = -1

    @property
    def free(self) -> int:
        """Free slots now (none while not open)."""
        return self.slots - len(self.occupants) if self.is_open else 0

    @classmethod
    def planned(cls, index: int, pc: PlannedCarrier) -> Carrier:
        """The record of a planned carrier (not yet open)."""
        return cls(index=index, id=pc.id, kind=pc.kind, level=pc.level, tags=set(pc.tags),
                   zone=pc.zone, sector=pc.sector, area=pc.area, slots=pc.slots,
                   opened_at=pc.opened, key=pc.key, graduates_cum=pc.graduates_cum,
                   entries_cum=pc.entries_cum,
                   # entries before the start count at the stage the carrier hosts
                   entries_by_stage={stage: pc.entries_cum if stage == KIND_STAGE[pc.kind] else 0
                                     for stage in STAGE_INDEX})


class SlotIndex:
    """Carriers fitting one stage in plan order, with their free slots, for proportional picks.

    Every planned carrier of the stage is indexed from the start with no free slot until it
    opens, so the order is the plan's whatever the order of openings (the kernel's too).
    """

    def __init__(self, carriers: list[Carrier]) -> None:
        self.carriers = carriers
        for pos, c in enumerate(carriers):
            c.slot_pos = pos
        self.free = np.zeros(len(carriers))
        self._masks: dict[str, np.ndarray] = {}

    def update(self, c: Carrier) -> None:
        """Refresh a carrier's free slots after it opens, or after an entry or exit."""
        self.free[c.slot_pos] = c.free

    def _mask(self, sector: str) -> np.ndarray:
        mask = self._masks.get(sector)
        if mask is None:
            mask = np.array([c.sector is None or c.sector == sector for c in self.carriers],
                            dtype=float)
            self._masks[sector] = mask
        return mask

    def pick(self, sector: str, u: float) -> Carrier | None:
        """A fitting carrier with room, chosen with probability proportional to free slots."""
        if not self.carriers:
            return None
        weights = self.free * self._mask(sector)
        cum = np.cumsum(weights)
        total = float(cum[-1])
        if total <= 0:
            return None
        i = int(np.searchsorted(cum, u * total, side="right"))
        return self.carriers[min(i, len(self.carriers) - 1)]


@dataclass(eq=False)
class Firm:
    """A firm or team: its attributes, where it is, and its certificates.

    Equal only to itself (a firm is an entity, not a value): a queue finds the firm that gives
    up by identity, not by comparing some twenty fields with every firm ahead of it.
    """

    id: int
    origin: str
    stage: str
    sector: str
    quality: float
    incorporated_at: float | None
    created_at: float
    life: Stream
    """The firm's life stream (``firm_key(replication, origin, index)``)."""
    location: str = OUTSIDE
    carrier: Carrier | None = None
    epoch: int = 0
    entered_carrier_at: float | None = None
    tenure_before_start: float = 0.0
    left_carrier_at: float | None = None
    left_region_at: float | None = None
    first_carrier_at: float | None = None
    valid: dict[str, float] = field(default_factory=dict)
    """Status id -> expiry time of the certificate held now."""
    pending: set[str] = field(default_factory=set)
    first_tech_at: float | None = None
    hnte_obtained_at: float | None = None
    incubated_tech_at: float | None = None
    incubated_hnte_at: float | None = None
    status_streams: dict[int, Stream] = field(default_factory=dict)

    def age(self, t: float) -> float:
        """Years since incorporation (0 for a team)."""
        return 0.0 if self.incorporated_at is None else t - self.incorporated_at

    @property
    def in_region(self) -> bool:
        """Still a firm of the region (not exited, not relocated)."""
        return self.location in IN_REGION


@dataclass(frozen=True)
class Event:
    """One row of the optional event log (used by tests and cohort statistics)."""

    t: float
    firm: int
    what: str
    carrier: str | None = None
    detail: Any = None


@dataclass
class Certificate:
    """A certificate's life, kept to test validity rules."""

    firm: int
    status: str
    start: float
    end: float = math.inf


class World:
    """Everything one replication knows: the scenario in force, state, streams and records."""

    def __init__(self, scenario: Scenario, plan: Plan, rules: FirmRules, rep_key: np.uint64,
                 env: simpy.Environment, record_events: bool):
        self.sc = scenario
        self.plan = plan
        self.rules = rules
        self.rep_key = rep_key
        self.env = env
        self.horizon = scenario.horizon_years
        self.carriers: list[Carrier] = [Carrier.planned(i, pc)
                                        for i, pc in enumerate(plan.carriers)]
        """Every carrier of the plan (open or not yet), in plan order."""
        self.slots: dict[str, SlotIndex] = {
            stage: SlotIndex([c for c in self.carriers if KIND_STAGE[c.kind] == stage])
            for stage in STAGE_KINDS}
        self.firms: list[Firm] = []
        self.region: dict[int, Firm] = {}
        """Firms of the region now (in carriers, waiting or outside), in creation order."""
        self.waiting: dict[str, list[Firm]] = {"team": [], "startup": [], "growth": []}
        self.record_events = record_events
        self.events: list[Event] = []
        self.certificates: list[Certificate] = []
        self.open_certificates: dict[tuple[int, str], Certificate] = {}
        self.counts: dict[str, int] = {"arrived": 0, "created": 0}
        self.flows: dict[str, int] = dict.fromkeys(flow_names(tuple(scenario.statuses)), 0)
        self.registered = [0, 0]
        """Firms whose first tech-firm registration is at the start / after it."""
        self.cum_by_sector: dict[str, dict[str, int]] = {
            "tech_firms_incubated_cum": {}, "hnte_from_incubated_cum": {}}
        self.spend = 0.0
        self.holders: dict[str, tuple[str, ...]] = {}
        self.status_ids: tuple[str, ...] = tuple(scenario.statuses)
        self.sector_ids: dict[str, int] = {s: i for i, s in enumerate(scenario.meta.sectors)}
        cap = 1024
        self.arr_stage = np.zeros(cap, dtype=np.int8)
        self.arr_sector = np.zeros(cap, dtype=np.int16)
        self.arr_region = np.zeros(cap, dtype=bool)
        self.arr_incorporated = np.full(cap, np.nan)
        self.arr_holds = np.zeros((len(self.status_ids), cap), dtype=bool)
        self.arr_countdown = np.zeros((len(self.status_ids), cap), dtype=np.int64)
        """Per status: eligible rounds left until the firm applies (0 = not drawn yet)."""
        self.stats: dict[str, list[float]] = {
            "graduate_tenure_years": [], "exit_kinds": [], "incubated": [],
        }

    def count(self, flow: str) -> None:
        """Add one to a counted flow (FIRM_FLOWS, STATUS_FLOWS)."""
        self.flows[flow] += 1

    def life_stream(self, origin: str, index: int) -> Stream:
        """The life stream of firm ``index`` of ``origin``."""
        return Stream(firm_key(self.rep_key, np.uint64(name_key(origin)), np.uint64(index)))

    def status_stream(self, firm: Firm, sid: str) -> Stream:
        """A firm's own stream for one status (created on first use)."""
        s = self.status_ids.index(sid)
        stream = firm.status_streams.get(s)
        if stream is None:
            stream = Stream(status_key(firm.life.key, s))
            firm.status_streams[s] = stream
        return stream

    def sync(self, firm: Firm) -> None:
        """Copy a firm's stage, sector, presence and statuses into the metric arrays.

        Called after every change of those, so monthly metrics read arrays, not objects.
        """
        i = firm.id
        if i >= self.arr_stage.size:
            grow = max(1024, self.arr_stage.size)
            self.arr_stage = np.concatenate([self.arr_stage, np.zeros(grow, np.int8)])
            self.arr_sector = np.concatenate([self.arr_sector, np.zeros(grow, np.int16)])
            self.arr_region = np.concatenate([self.arr_region, np.zeros(grow, bool)])
            self.arr_incorporated = np.concatenate([self.arr_incorporated,
                                                    np.full(grow, np.nan)])
            self.arr_holds = np.concatenate(
                [self.arr_holds, np.zeros((len(self.status_ids), grow), bool)], axis=1)
            self.arr_countdown = np.concatenate(
                [self.arr_countdown, np.zeros((len(self.status_ids), grow), np.int64)], axis=1)
        self.arr_stage[i] = STAGE_INDEX[firm.stage]
        self.arr_sector[i] = self.sector_ids[firm.sector]
        self.arr_region[i] = firm.in_region
        self.arr_incorporated[i] = (np.nan if firm.incorporated_at is None
                                    else firm.incorporated_at)
        valid = firm.valid.keys()
        if valid:
            self.arr_holds[:, i] = [not valid.isdisjoint(self.holders[sid])
                                    for sid in self.status_ids]
        else:  # most firms hold nothing: one write for every status
            self.arr_holds[:, i] = False

    def open_carrier(self, c: Carrier) -> None:
        """A planned carrier opens: its slots become available."""
        c.is_open = True
        self.slots[KIND_STAGE[c.kind]].update(c)

    @property
    def open_carriers(self) -> list[Carrier]:
        """The carriers open now, in plan order."""
        return [c for c in self.carriers if c.is_open]

    @property
    def now(self) -> float:
        """Model time in years."""
        return float(self.env.now)

    def log(self, firm: Firm, what: str, carrier: Carrier | None = None,
            detail: Any = None) -> None:
        """Append to the event log when recording is on."""
        if self.record_events:
            self.events.append(Event(self.now, firm.id, what,
                                     carrier.id if carrier else None, detail))

    def at(self, delay_years: float, firm: Firm, action: Callable[[Firm], None]) -> None:
        """Run ``action(firm)`` after a delay unless the firm's state changed meanwhile."""
        if not math.isfinite(delay_years) or self.now + delay_years > self.horizon + 1e-9:
            return
        epoch = firm.epoch
        ev = self.env.timeout(max(0.0, delay_years))

        def fire(_: simpy.Event) -> None:
            if firm.epoch == epoch:
                action(firm)

        ev.callbacks.append(fire)

    def later(self, delay_years: float, action: Callable[[], None]) -> None:
        """Run ``action()`` after a delay (for events not tied to a firm's state)."""
        if not math.isfinite(delay_years) or self.now + delay_years > self.horizon + 1e-9:
            return
        ev = self.env.timeout(max(0.0, delay_years))
        ev.callbacks.append(lambda _: action())
