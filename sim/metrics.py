"""Metric definitions (docs/design.md section 3 glossary), computed from a snapshot of the state.

A ``Query`` is a metric name with filters; its ``key`` (``in_incubation[stage=firm]``) names a
column of the Result. Carrier metrics select carriers by their attributes at the date (kind,
level, ``level_at_least``, tag, zone, sector focus); firm metrics select firms of the region
by sector and stage (``stage: firm`` = incorporated, i.e. teams excluded). ``firms`` counts
incorporated firms unless ``stage: team`` is asked for. Cumulative metrics include the
baseline counts given in the scenario.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.model.carrier_filter import carrier_codes
from sim.model.carrier_filter import encode as encode_carrier_filter
from sim.model.carrier_filter import mask as carrier_mask
from sim.model.entered import count_entered
from sim.model.state import World
from sim.registry import METRICS
from sim.scenario.schema import Filters, Scenario

STAGE_INDEX = {"team": 0, "startup": 1, "growth": 2}


@dataclass(frozen=True)
class Query:
    """A metric with filters, e.g. carriers of level at least municipal."""

    metric: str
    filters: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, metric: str, filters: Filters | dict[str, Any] | None = None) -> Query:
        """Build from a Filters object or a plain dict, in canonical order."""
        if isinstance(filters, Filters):
            active = filters.active()
        else:
            active = {k: v for k, v in (filters or {}).items() if v is not None}
        norm = []
        for k in sorted(active):
            v = active[k]
            norm.append((k, tuple(v) if isinstance(v, list | tuple) else v))
        return cls(metric, tuple(norm))

    @property
    def key(self) -> str:
        """Column name: metric[name=value;...] (values of a list joined by commas)."""
        if not self.filters:
            return self.metric
        parts = []
        for k, v in self.filters:
            shown = ",".join(str(x) for x in v) if isinstance(v, tuple) else str(v)
            parts.append(f"{k}={shown}")
        return f"{self.metric}[{';'.join(parts)}]"

    def get(self, name: str) -> Any:
        """The value of one filter, or None."""
        return dict(self.filters).get(name)


def default_queries(sc: Scenario, extra: Iterable[Query] = ()) -> list[Query]:
    """Every registered metric unfiltered, every target's query, and any extra ones."""
    out: list[Query] = [Query.of(m) for m in METRICS if m != "status_valid"]
    for t in sc.targets:
        out.append(Query.of(t.metric, t.filters))
    out.extend(extra)
    seen: set[str] = set()
    unique = []
    for q in out:
        if q.key not in seen:
            seen.add(q.key)
            unique.append(q)
    return unique


@dataclass
class Snapshot:
    """Arrays describing carriers and firms at one instant, for fast filtering."""

    kind: np.ndarray  # carriers' codes (sim.model.carrier_filter): kind, level, tag bits,
    level: np.ndarray  # zone and sector focus (-1: none)
    tag_bits: np.ndarray
    zone: np.ndarray
    sector: np.ndarray
    area: np.ndarray
    occ: np.ndarray  # carriers x 3 stages
    entries: np.ndarray  # carriers x 3 stages
    graduates: np.ndarray
    firm_stage: np.ndarray
    firm_sector: np.ndarray
    holds: dict[str, np.ndarray] = field(default_factory=dict)
    cum: dict[str, dict[str, int]] = field(default_factory=dict)
    service: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    spend: float = 0.0
    zones: tuple[str, ...] = ()
    """The scenario's zones and sectors: the vocabularies a query's filters are encoded over."""
    sectors: tuple[str, ...] = ()
    registered: float = 0.0
    index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Each open carrier's number in the replication's plan."""
    n_planned: int = 0
    """Carriers in the plan (open or not)."""


def snapshot(world: World) -> Snapshot:
    """Capture what the metrics need from the world now."""
    cs = world.open_carriers
    n = len(world.firms)
    region = world.arr_region[:n]
    sv = world.sc.carrier_rules.service
    sectors = np.array(world.sc.meta.sectors, dtype=object)
    zone_ids, sector_ids = tuple(world.sc.meta.zones), tuple(world.sc.meta.sectors)
    codes = np.array([carrier_codes(c.kind, c.level, c.tags, c.zone, c.sector, zone_ids,
                                    sector_ids) for c in cs], dtype=np.int64).reshape(len(cs), 5)
    kind, level, tag_bits, zone, sector = (np.ascontiguousarray(codes[:, j]) for j in range(5))
    return Snapshot(
        kind=kind, level=level, tag_bits=tag_bits, zone=zone, sector=sector,
        area=np.array([c.area for c in cs], dtype=float),
        occ=np.array([[c.by_stage["team"], c.by_stage["startup"], c.by_stage["growth"]]
                      for c in cs], dtype=float).reshape(len(cs), 3),
        entries=np.array([[c.entries_by_stage["team"], c.entries_by_stage["startup"],
                           c.entries_by_stage["growth"]] for c in cs],
                         dtype=float).reshape(len(cs), 3),
        graduates=np.array([c.graduates_cum for c in cs], dtype=float),
        firm_stage=world.arr_stage[:n][region],
        firm_sector=sectors[world.arr_sector[:n][region]],
        holds={sid: world.arr_holds[k, :n][region] for k, sid in enumerate(world.status_ids)},
        cum={k: dict(v) for k, v in world.cum_by_sector.items()},
        service=(sv.mentors_per_carrier.value, sv.mentors_per_100_incubatees.value,
                 sv.staff_per_carrier.value, sv.staff_per_100_incubatees.value),
        spend=world.spend,
        zones=zone_ids,
        sectors=sector_ids,
        registered=float((world.rules.tech_registered0 if world.rules.tech_registered0 >= 0
                          else world.registered[0]) + world.registered[1]),
        index=np.array([c.index for c in cs], dtype=np.int64),
        n_planned=len(world.carriers),
    )


def _carrier_mask(s: Snapshot, q: Query) -> np.ndarray:
    """The open carriers that pass ``q``'s carrier filters (the kernel asks the same rule)."""
    f = encode_carrier_filter(dict(q.filters), s.zones, s.sectors)
    return carrier_mask(*f, s.kind, s.level, s.tag_bits, s.zone, s.sector)


def _stage_columns(stage: str | None) -> list[int]:
    if stage is None:
        return [0, 1, 2]
    if stage == "firm":
        return [1, 2]
    return [STAGE_INDEX[stage]]


def _firm_mask(s: Snapshot, q: Query, default_stage: str | None) -> np.ndarray:
    mask = np.ones(len(s.firm_stage), dtype=bool)
    stage = q.get("stage") or default_stage
    if stage is not None:
        mask &= np.isin(s.firm_stage, _stage_columns(stage))
    if (sectors := q.get("sector")) is not None:
        mask &= np.isin(s.firm_sector, list(sectors))
    return mask


def _running_sum(values: np.ndarray) -> float:
    """Sum in carrier order, one addition at a time (the kernel's order, so equal to the bit)."""
    return float(np.cumsum(values)[-1]) if values.size else 0.0


def entered(s: Snapshot, q: Query, marks: np.ndarray, qi: int, at_start: bool) -> float:
    """``carriers_entered_cum``: carriers that came to match ``q`` since the start.

    ``marks`` (queries x planned carriers) carries each carrier's mark from record to record
    (sim.model.entered, the kernel's arithmetic).
    """
    matched = np.zeros(s.n_planned, dtype=np.bool_)
    matched[s.index[_carrier_mask(s, q)]] = True
    return float(count_entered(matched, marks, qi, at_start))


def evaluate(s: Snapshot, q: Query) -> float:
    """The value of one query on a snapshot (``carriers_entered_cum``: ``entered``)."""
    m = q.metric
    if m == "carriers_entered_cum":
        raise ValueError("carriers_entered_cum needs the marks of earlier records: use entered()")
    if m in ("area", "carriers", "in_incubation", "entries_cum", "graduates_cum", "mentors",
             "staff"):
        mask = _carrier_mask(s, q)
        cols = _stage_columns(q.get("stage"))
        if m == "area":
            return _running_sum(s.area[mask])
        if m == "carriers":
            return float(mask.sum())
        if m == "in_incubation":
            return float(s.occ[mask][:, cols].sum())
        if m == "entries_cum":
            return float(s.entries[mask][:, cols].sum())
        if m == "graduates_cum":
            return float(s.graduates[mask].sum())
        per_carrier, per_100 = (s.service[0], s.service[1]) if m == "mentors" else (
            s.service[2], s.service[3])
        return _running_sum(per_carrier + per_100 * s.occ[mask].sum(axis=1) / 100.0)
    if m in ("tech_firms_incubated_cum", "hnte_from_incubated_cum"):
        counts = s.cum.get(m, {})
        sectors = q.get("sector")
        return float(sum(v for k, v in counts.items() if sectors is None or k in sectors))
    if m == "spend":
        return s.spend
    if m == "tech_firms_registered_cum":
        return s.registered
    if m == "firms":
        return float(_firm_mask(s, q, "firm").sum())
    mask = _firm_mask(s, q, None)
    if m == "tech_firms_valid":
        return float((mask & s.holds.get("tech_firm", np.zeros_like(mask))).sum())
    if m == "hnte_valid":
        return float((mask & s.holds.get("hnte", np.zeros_like(mask))).sum())
    if m == "status_valid":
        for sid in q.get("statuses") or ():
            mask = mask & s.holds[sid]
        return float(mask.sum())
    raise KeyError(f"metric {m!r} is not registered")
