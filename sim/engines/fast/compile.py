"""Flatten a scenario (uncertainties drawn, levers applied) into the arrays of the kernel.

Draws that the reference engine makes once per carrier, project or source outside the event
loop (carrier ages, pipeline delivery and delay, arrival times) are made here with the very
same keyed numpy generators, so both engines see the same carriers and arrivals for a given
replication; everything per firm is drawn in the kernel from keyed counter streams.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import namedtuple
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from sim.engines.fast import kernel as K
from sim.engines.fast.tables import TableSet
from sim.levers import build_orders
from sim.metrics import Query
from sim.registry import KINDS, LEVELS, STAGES, TAGS
from sim.rng import ARRIVALS, CARRIER, PIPELINE, Streams, name_key
from sim.scenario import Scenario
from sim.scenario.schema import ArrivalSource, Risk, StatusAtStart
from sim.timeline import record_dates, record_times

KIND_STAGE = {"maker_space": 0, "incubator": 1, "accelerator": 2, "park": 2}
METRIC_CODES = {
    "area": K.M_AREA, "carriers": K.M_CARRIERS, "in_incubation": K.M_IN_INC,
    "entries_cum": K.M_ENTRIES, "graduates_cum": K.M_GRADS,
    "tech_firms_incubated_cum": K.M_TECH_INC, "tech_firms_valid": K.M_TECH,
    "hnte_valid": K.M_HNTE, "hnte_from_incubated_cum": K.M_HNTE_INC,
    "status_valid": K.M_STATUS, "firms": K.M_FIRMS, "mentors": K.M_MENTORS,
    "staff": K.M_STAFF, "spend": K.M_SPEND,
}
RECORD_LAG = 1e-9
CREATE_INITIAL = 200
CREATE_STOCK = 201

_COMPILED: dict[tuple[str, ...], type] = {}


def _compiled_class(fields: tuple[str, ...]) -> type:
    """One named-tuple class per field list and process.

    Numba types a named tuple by its class: reusing one class lets it compile the kernel once
    (and load it from its disk cache in later processes) instead of once per replication.
    """
    if fields not in _COMPILED:
        made: Any = namedtuple("Compiled", fields)  # type: ignore[misc]
        made.__module__ = __name__
        _COMPILED[fields] = made
        globals()["Compiled"] = made
    return _COMPILED[fields]


def _mat(rows: Any, ncols: int, dtype: Any) -> np.ndarray:
    """A 2-D array of len(rows) x ncols, also when either is zero."""
    return np.array(rows, dtype=dtype).reshape(len(rows), ncols)


def _month_end_times(sc: Scenario, month: int) -> list[float]:
    out = []
    for year in range(sc.meta.start.year, sc.meta.horizon_end.year + 1):
        t = sc.years(dt.date(year + (month == 12), month % 12 + 1, 1))
        if 0 < t <= sc.horizon_years + 1e-9:
            out.append(t)
    return out


def _bits(names: Iterable[str] | None, vocabulary: tuple[str, ...] | list[str]) -> int:
    if not names:
        return 0
    out = 0
    for n in names:
        out |= 1 << list(vocabulary).index(n)
    return out


def _cdf(shares: Mapping[str, float], order: list[str] | tuple[str, ...]) -> np.ndarray:
    w = np.array([max(0.0, shares.get(n, 0.0)) for n in order], dtype=float)
    return np.cumsum(w / w.sum())


def _risk(risk: Risk | None, tables: TableSet) -> tuple[int, float, int, float]:
    if risk is None:
        return 0, 0.0, -1, 1.0
    prob = risk.probability.value if risk.probability is not None else 1.0
    if risk.rate is not None:
        return 1, risk.rate.value, -1, prob
    return 2, 0.0, tables.add(risk.duration_months), prob


def _arrival_times(sc: Scenario, streams: Streams, name: str, src: ArrivalSource) -> np.ndarray:
    """The reference engine's arrival times (sim.model.arrivals.arrival_times)."""
    horizon = sc.horizon_years
    n = max(2, int(np.ceil(horizon * 365)) + 1)
    t = np.linspace(0.0, horizon, n)
    growth = src.growth.value if src.growth is not None else 0.0
    rate = src.rate.value * (1.0 + growth) ** t
    for step in sorted(src.steps, key=lambda s: s.start):
        rate = np.where(t >= sc.years(step.start),
                        src.rate.value * (1.0 + growth) ** t * step.multiplier.value, rate)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) * np.diff(t))])
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


def _statuses_rows(specs: Mapping[str, StatusAtStart], sids: list[str]
                   ) -> tuple[list[float], list[int], list[float]]:
    share, issued, growth = [], [], []
    for sid in sids:
        spec = specs.get(sid)
        share.append(-1.0 if spec is None else spec.share.value)
        issued.append(0 if spec is None or spec.issued == "spread_by_growth" else 1)
        growth.append(spec.growth_per_year.value if spec is not None and spec.growth_per_year
                      else 0.0)
    return share, issued, growth


def compile_replication(sc: Scenario, streams: Streams, lever_values: Mapping[str, float],
                        queries: list[Query]) -> tuple[Any, list[dt.date], np.ndarray]:
    """The kernel's named tuple for one replication, with the record dates and times."""
    tables = TableSet()
    sids = list(sc.statuses)
    sectors = list(sc.meta.sectors)
    zones = list(sc.meta.zones)
    fq = sc.firms
    horizon = sc.horizon_years
    d: dict[str, Any] = {"horizon": horizon}
    d["quality_tab"] = tables.add(fq.quality)
    d["patience_tab"] = tables.add(fq.patience_months)
    d["n_sectors"] = len(sectors)

    # carriers: existing, pipeline, build levers (sim.model.carriers)
    rows: list[dict[str, Any]] = []
    sched: list[tuple[float, int, int, int]] = []

    def carrier(cid: str, kind: str, level: str, tags: Iterable[str], zone: str | None,
                sector: str | None, area: float, per_slot: float, open_at: float,
                inc0: int = 0, grads0: int = 0, entries0: int = 0) -> int:
        entries = [0, 0, 0]
        entries[KIND_STAGE[kind]] = entries0
        rows.append(dict(kind=KINDS.index(kind), stage=KIND_STAGE[kind],
                         level=LEVELS.index(level), tags=_bits(tags, TAGS),
                         zone=zones.index(zone) if zone else -1,
                         sector=sectors.index(sector) if sector else -1, area=area,
                         slots=int(area // per_slot), open_at=open_at, inc0=inc0,
                         grads0=grads0, entries0=entries, key=name_key(cid),
                         okey=name_key(f"initial:{cid}")))
        return len(rows) - 1

    for g in sc.carriers:
        n = g.count
        for k in range(n):
            cid = g.id if n == 1 else f"{g.id}#{k + 1}"
            rng = streams.generator(CARRIER, name_key(cid))
            if g.opened is not None:
                opened = sc.years(g.opened)
            else:
                assert g.age_years is not None
                opened = -g.age_years.sample_one(rng)
            area = g.total_area.value / n
            slots = int(area // g.area_per_slot.value)

            def split(total: float | None, k: int = k, n: int = n) -> int:
                tot = int(total or 0)
                return tot // n + (1 if k < tot % n else 0)

            inc0 = min(slots, split(g.incubatees.value))
            carrier(cid, g.kind, g.level, g.tags, g.zone, g.sector, area, g.area_per_slot.value,
                    min(opened, 0.0), inc0,
                    split(g.graduates_cum.value if g.graduates_cum else 0),
                    split(g.entries_cum.value if g.entries_cum else 0))
            rows[-1]["opened"] = opened
    for p in sc.pipeline:
        for k in range(p.count):
            cid = p.id if p.count == 1 else f"{p.id}#{k + 1}"
            rng = streams.generator(PIPELINE, name_key(cid))
            u_deliver = rng.random()
            delay = p.delay_months.sample_one(rng)
            if u_deliver >= p.p_delivery.value:
                continue
            t_open = sc.years(p.planned) + delay / 12.0
            if t_open > horizon + 1e-9:
                continue
            c = carrier(cid, p.kind, p.level, p.tags, p.zone, p.sector, p.area.value / p.count,
                        p.area_per_slot.value, t_open)
            rows[-1]["opened"] = t_open
            sched.append((t_open, K.S_OPEN, c, 0))
    for build in build_orders(sc, lever_values):
        eff = build.effect
        built = 0
        for year_index, t in enumerate(_month_end_times(sc, eff.month), start=1):
            due = math.floor(build.area_per_year * year_index / eff.unit_area.value + 1e-9)
            while built < due:
                built += 1
                c = carrier(f"{build.lever}@{built}", eff.kind, eff.level, eff.tags, eff.zone,
                            eff.sector, eff.unit_area.value, eff.area_per_slot.value, t)
                rows[-1]["opened"] = t
                sched.append((t, K.S_OPEN, c, 0))
    for key, dtype in (("kind", np.int64), ("stage", np.int64), ("level", np.int64),
                       ("tags", np.int64), ("zone", np.int64), ("sector", np.int64),
                       ("area", float), ("slots", np.int64), ("open_at", float),
                       ("inc0", np.int64), ("grads0", np.int64), ("key", np.uint64)):
        d[f"c_{key}"] = np.array([r[key] for r in rows], dtype=dtype)
    d["c_opened_real"] = np.array([r["opened"] for r in rows], dtype=float)
    stages_of = np.array([r["stage"] for r in rows], dtype=np.int64)
    d["stage_carriers"] = np.argsort(stages_of, kind="stable").astype(np.int64)
    d["stage_ptr"] = np.searchsorted(stages_of[d["stage_carriers"]], np.arange(4)).astype(
        np.int64)
    d["c_entries0"] = _mat([r["entries0"] for r in rows], 3, np.int64)
    d["c_key"] = np.array([r["okey"] for r in rows], dtype=np.uint64)  # its incubatees' origin
    d["c_eval_key"] = np.array([r["key"] for r in rows], dtype=np.uint64)

    # initial incubatees and stock (sim.model.arrivals)
    init = fq.initial_incubatees
    d["init_tenure_tab"] = tables.add(init.tenure_months)
    d["init_age_tab"] = tables.add(init.age_years)
    d["init_sector_cdf"] = _cdf(init.sector_mix or dict.fromkeys(sectors, 1.0), sectors)
    share, issued, growth = _statuses_rows(init.statuses, sids)
    d["init_st_share"] = np.array([share], dtype=float).reshape(1, len(sids))
    d["init_st_issued"] = np.array([issued], dtype=np.int64).reshape(1, len(sids))
    d["init_st_growth"] = np.array([growth], dtype=float).reshape(1, len(sids))
    groups = list(fq.stock.items())
    d["g_count"] = np.array([int(g.count.value) for _, g in groups], dtype=np.int64)
    d["g_stage"] = np.array([STAGES.index(g.stage) for _, g in groups], dtype=np.int64)
    d["g_age_tab"] = np.array([tables.add(g.age_years) for _, g in groups], dtype=np.int64)
    d["g_sector_cdf"] = _mat([_cdf(g.sector_mix or dict.fromkeys(sectors, 1.0), sectors)
                              for _, g in groups], len(sectors), float)
    rows_st = [_statuses_rows(g.statuses, sids) for _, g in groups]
    d["g_st_share"] = _mat([r[0] for r in rows_st], len(sids), float)
    d["g_st_issued"] = _mat([r[1] for r in rows_st], len(sids), np.int64)
    d["g_st_growth"] = _mat([r[2] for r in rows_st], len(sids), float)
    d["g_key"] = np.array([name_key(f"stock:{n}") for n, _ in groups], dtype=np.uint64)
    for c, r in enumerate(rows):
        if r["inc0"] > 0:
            sched.append((0.0, CREATE_INITIAL, c, 0))
    for gi in range(len(groups)):
        sched.append((0.0, CREATE_STOCK, gi, 0))

    # arrivals
    sources = list(fq.sources.items())
    times, src_idx, index = [], [], []
    for si, (name, src) in enumerate(sources):
        at = _arrival_times(sc, streams, name, src)
        times.append(at)
        src_idx.append(np.full(at.size, si, dtype=np.int64))
        index.append(np.arange(at.size, dtype=np.int64))
    a_time = np.concatenate(times) if times else np.empty(0)
    order = np.argsort(a_time, kind="stable")
    d["a_time"] = a_time[order]
    d["a_src"] = (np.concatenate(src_idx) if src_idx else np.empty(0, np.int64))[order]
    d["a_index"] = (np.concatenate(index) if index else np.empty(0, np.int64))[order]
    arrivals_at = len(sched)  # arrivals sit here in the listed order (ties: see below)
    d["s_stage_cdf"] = _mat([_cdf(s.stage_mix.model_dump(), STAGES) for _, s in sources], 3,
                            float)
    d["s_sector_cdf"] = _mat([_cdf(s.sector_mix or dict.fromkeys(sectors, 1.0), sectors)
                              for _, s in sources], len(sectors), float)
    d["s_seek"] = np.array([s.p_seek_carrier.value for _, s in sources], dtype=float)
    d["s_age_tab"] = np.array([tables.add(s.age_years) for _, s in sources], dtype=np.int64)
    d["s_st_p"] = _mat([[s.statuses_at_arrival[x].value if x in s.statuses_at_arrival else -1.0
                         for x in sids] for _, s in sources], len(sids), float)
    d["s_st_issued"] = np.ones((len(sources), len(sids)), dtype=np.int64)
    d["s_st_growth"] = np.zeros((len(sources), len(sids)))
    d["s_key"] = np.array([name_key(f"source:{n}") for n, _ in sources], dtype=np.uint64)

    # hazards (sim.model.incubation, sim.model.outside)
    in_rows = []
    out_rows = []
    for stage in STAGES:
        rules = getattr(fq.stages, stage)
        ic, oc = rules.in_carrier, rules.outside
        pair = ((ic.incorporation, ic.dissolution) if stage == "team"
                else (ic.graduation, ic.failure))
        in_rows.append([_risk(r, tables) for r in pair])
        if stage == "team":
            outs = (oc.incorporation, oc.dissolution, None)
        elif stage == "startup":
            outs = (oc.maturation, None, oc.relocation)
        else:
            outs = (None, None, oc.relocation)
        out_rows.append([_risk(r, tables) for r in outs])
    for prefix, table in (("in", in_rows), ("out", out_rows)):
        d[f"{prefix}_type"] = np.array([[r[0] for r in row] for row in table], dtype=np.int64)
        d[f"{prefix}_rate"] = np.array([[r[1] for r in row] for row in table], dtype=float)
        d[f"{prefix}_tab"] = np.array([[r[2] for r in row] for row in table], dtype=np.int64)
        d[f"{prefix}_prob"] = np.array([[r[3] for r in row] for row in table], dtype=float)
    d["max_stay_tab"] = np.array([tables.add(getattr(fq.stages, s).in_carrier.max_stay_months)
                                  for s in STAGES], dtype=np.int64)
    d["exit_ages"] = np.array([s.from_age_years for s in fq.exit_by_age], dtype=float)
    d["exit_rates"] = np.array([s.rate.value for s in fq.exit_by_age], dtype=float)
    d["post_window"] = fq.post_exit.window_years.value
    d["post_rate"] = fq.post_exit.failure_rate.value
    d["p_seek_next"] = fq.graduation.p_seek_next.value
    d["p_relocate"] = fq.graduation.p_relocate_if_no_room.value

    # statuses (sim.model.statuses)
    def holders(sid: str) -> int:
        out = [sid]
        changed = True
        while changed:
            changed = False
            for other, st in sc.statuses.items():
                if other not in out and any(c in out for c in st.counts_as):
                    out.append(other)
                    changed = True
        return _bits(out, sids)

    sts = list(sc.statuses.values())
    d["st_stage_mask"] = np.array([_bits(st.eligibility.stages, STAGES) for st in sts],
                                  dtype=np.int64)
    d["st_min_age"] = np.array([st.eligibility.min_age_years.value for st in sts], dtype=float)
    d["st_requires"] = np.array([_bits(st.eligibility.requires, sids) for st in sts],
                                dtype=np.int64)
    d["st_in_carrier"] = np.array([st.eligibility.in_carrier_only for st in sts], dtype=np.bool_)
    d["st_p_round"] = np.array([1.0 - (1.0 - st.p_apply_year.value) ** (1.0 / len(st.rounds))
                                for st in sts], dtype=float)
    d["st_p_success"] = np.array([st.p_success.value for st in sts], dtype=float)
    d["st_delay_tab"] = np.array([tables.add(st.delay_months) for st in sts], dtype=np.int64)
    d["st_validity"] = np.array([{"calendar_year": 0, "years": 1, "permanent": 2}[st.validity]
                                 for st in sts], dtype=np.int64)
    d["st_years"] = np.array([st.validity_years.value if st.validity_years else 0.0
                              for st in sts], dtype=float)
    d["st_p_renew"] = np.array([st.p_renewal.value if st.p_renewal else 0.0 for st in sts],
                               dtype=float)
    d["st_holders"] = np.array([holders(s) for s in sids], dtype=np.int64)
    d["st_qscaled"] = np.array([st.quality_scaled for st in sts], dtype=np.bool_)
    d["tech_id"] = sids.index("tech_firm") if "tech_firm" in sids else -1
    d["hnte_id"] = sids.index("hnte") if "hnte" in sids else -1
    for s, st in enumerate(sts):
        for t in sorted(t for m in st.rounds for t in _month_end_times(sc, m)):
            sched.append((t, K.S_ROUND, s, 0))
    jan1 = [sc.years(dt.date(y, 1, 1))
            for y in range(sc.meta.start.year + 1, sc.meta.horizon_end.year + 6)]
    d["jan1"] = np.array(jan1, dtype=float)
    for s, st in enumerate(sts):
        if st.validity == "calendar_year":
            for t in jan1:
                if t <= horizon + 1e-9:
                    sched.append((t, K.S_CALENDAR, s, 0))

    # carrier rules
    cr = sc.carrier_rules
    pr = cr.promotions
    d["pr_kinds"] = np.array([_bits(r.kinds, KINDS) for r in pr], dtype=np.int64)
    d["pr_from"] = np.array([_bits(r.from_levels, LEVELS) for r in pr], dtype=np.int64)
    d["pr_to"] = np.array([LEVELS.index(r.to_level) for r in pr], dtype=np.int64)
    d["pr_years"] = np.array([r.min_years_operating.value for r in pr], dtype=float)
    d["pr_area"] = np.array([r.min_area.value for r in pr], dtype=float)
    d["pr_inc"] = np.array([r.min_incubatees.value for r in pr], dtype=float)
    d["pr_grads"] = np.array([r.min_graduates_cum.value if r.min_graduates_cum else -1.0
                              for r in pr], dtype=float)
    d["pr_share"] = np.array([r.min_tech_firm_share.value if r.min_tech_firm_share else -1.0
                              for r in pr], dtype=float)
    d["pr_p"] = np.array([r.p_approval.value for r in pr], dtype=float)
    for i, rule in enumerate(pr):
        for j, t in enumerate(_month_end_times(sc, rule.month)):
            sched.append((t, K.S_PROMO, i, j))
    dl = cr.delisting
    d["dl_levels"] = _bits(dl.levels, LEVELS) if dl else 0
    d["dl_occ"] = dl.min_occupancy.value if dl else 0.0
    d["dl_rereview"] = dl.rereview_months / 12.0 if dl else 0.0
    d["dl_demote"] = LEVELS.index(dl.demote_to) if dl else 0
    if dl:
        for i, t in enumerate(_month_end_times(sc, dl.month), start=1):
            if i % dl.review_interval_years == 0:
                sched.append((t, K.S_DELIST, 0, 0))
    ds = cr.designations
    d["ds_tag"] = np.array([TAGS.index(r.tag) for r in ds], dtype=np.int64)
    d["ds_kinds"] = np.array([_bits(r.kinds, KINDS) for r in ds], dtype=np.int64)
    d["ds_level_min"] = np.array([LEVELS.index(r.level_at_least) if r.level_at_least else -1
                                  for r in ds], dtype=np.int64)
    d["ds_area"] = np.array([r.min_area.value for r in ds], dtype=float)
    d["ds_inc"] = np.array([r.min_incubatees.value for r in ds], dtype=float)
    d["ds_grads"] = np.array([r.min_graduates_cum.value if r.min_graduates_cum else -1.0
                              for r in ds], dtype=float)
    d["ds_p"] = np.array([r.p_grant.value for r in ds], dtype=float)
    d["ds_max"] = np.array([r.max_per_round or -1 for r in ds], dtype=np.int64)
    for i, des in enumerate(ds):
        for j, t in enumerate(_month_end_times(sc, des.month)):
            sched.append((t, K.S_DESIG, i, j))
    sv = cr.service
    d["service"] = np.array([sv.mentors_per_carrier.value, sv.mentors_per_100_incubatees.value,
                             sv.staff_per_carrier.value, sv.staff_per_100_incubatees.value])
    fixed = per100 = 0.0
    for name, lever in sc.levers.items():
        x = lever_values.get(name, lever.default)
        if lever.cost_basis == "per_100_incubatees_year":
            per100 += lever.unit_cost.value * x
        else:
            fixed += lever.unit_cost.value * x
    d["spend_fixed"] = fixed
    d["spend_per100"] = per100

    # records and queries (sim.metrics)
    dates = record_dates(sc)
    rec_t = np.array(record_times(sc, dates))
    d["rec_t"] = rec_t
    for i, t in enumerate(rec_t):
        sched.append((float(t) + RECORD_LAG, K.S_RECORD, i, 0))
    enc = [_encode(q, sc, sids, sectors, zones) for q in queries]
    for j, name in enumerate(("q_metric", "q_kinds", "q_levels", "q_level_min", "q_tag",
                              "q_zones", "q_csectors", "q_stage", "q_fsectors", "q_status")):
        d[name] = np.array([e[j] for e in enc], dtype=np.int64)

    # Time order; ties keep the listed order (creation first, then arrivals, then the rest).
    n_a = d["a_time"].size
    listed = np.array(sched, dtype=float).reshape(-1, 4)
    seq = np.arange(len(sched), dtype=np.int64)
    seq[arrivals_at:] += n_a
    all_t = np.concatenate([listed[:, 0], d["a_time"]])
    all_seq = np.concatenate([seq, arrivals_at + np.arange(n_a, dtype=np.int64)])
    order = np.lexsort((all_seq, all_t))
    d["sched_t"] = all_t[order]
    d["sched_kind"] = np.concatenate([listed[:, 1].astype(np.int64),
                                      np.full(n_a, K.S_ARRIVAL, np.int64)])[order]
    d["sched_a"] = np.concatenate([listed[:, 2].astype(np.int64),
                                   np.arange(n_a, dtype=np.int64)])[order]
    d["sched_b"] = np.concatenate([listed[:, 3].astype(np.int64),
                                   np.zeros(n_a, np.int64)])[order]
    d["tabs"] = tables.array()
    d["c_area"] = d["c_area"].astype(float)
    fields = tuple(sorted(d))
    return _compiled_class(fields)(**{key: d[key] for key in fields}), dates, rec_t


def _encode(q: Query, sc: Scenario, sids: list[str], sectors: list[str],
            zones: list[str]) -> tuple[int, ...]:
    f = dict(q.filters)
    metric = METRIC_CODES[q.metric]
    carrier_metric = metric <= K.M_GRADS or metric in (K.M_MENTORS, K.M_STAFF)
    stage = f.get("stage")
    stage_code = -1 if stage is None else (3 if stage == "firm" else STAGES.index(stage))
    status = 0
    fixed = {"tech_firms_valid": "tech_firm", "hnte_valid": "hnte"}.get(q.metric)
    if fixed is not None:  # -1: the status is not declared, so nobody holds it
        status = 1 << sids.index(fixed) if fixed in sids else -1
    elif q.metric == "status_valid":
        status = _bits(f.get("statuses"), sids)
    sector_bits = _bits(f.get("sector"), sectors)
    return (
        metric,
        _bits(f.get("kind"), KINDS),
        _bits(f.get("level"), LEVELS),
        LEVELS.index(f["level_at_least"]) if f.get("level_at_least") else -1,
        TAGS.index(f["tag"]) if f.get("tag") else -1,
        _bits(f.get("zone"), zones),
        sector_bits if carrier_metric else 0,
        stage_code,
        0 if carrier_metric else sector_bits,
        status,
    )
