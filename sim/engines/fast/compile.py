"""Encode one replication (its rules, plan and queries) into the flat arrays of the kernel.

What a replication holds is computed once for both engines: the per-firm rules by
``sim.model.encoding`` (its fields are listed there) and the plan (carriers, arrivals,
calendar) by ``sim.model.schedule``. This module only turns the plan's carriers, carrier
rules and queries into arrays and adds them to the rules' fields:

| field | dtype, shape | meaning |
|---|---|---|
| horizon, n_sectors | float, int | run length in years; number of sectors |
| c_kind, c_stage, c_level | int, (C,) | carriers in plan order: kind, stage served, level |
| c_tags, c_zone, c_sector | int, (C,) | tag bits, zone (-1 none), sector focus (-1 none) |
| c_area, c_slots | (C,) | area, slots |
| c_open_at, c_opened_real | float, (C,) | model time it opens; model time it opened |
| c_inc0, c_grads0 | int, (C,) | incubatees and graduates at the start |
| c_key, c_eval_key | uint64, (C,) | origin key of its incubatees; its evaluation key |
| c_entries0 | int, (C, 3) | entries before the start by stage |
| stage_carriers, stage_ptr | int | carriers grouped by stage (plan order) and each stage's start |
| a_time, a_src, a_index | (A,) | arrivals: time, source, index within source |
| sched_t, sched_kind, sched_a, sched_b | (I,) | the calendar (``sim.model.schedule.Calendar``) |
| pr_*, dl_*, ds_* | | promotion rules, delisting rule, designation rules (``carrier_rules``) |
| service | float, (4,) | mentors per carrier, per 100 incubatees; staff likewise |
| spend_fixed, spend_per100 | float | yuan a year the levers cost (``sim.levers.spend_rates``) |
| rec_t | float, (T,) | record times |
| q_* | int, (Q,) | the queries: metric code and filter bit sets (``_encode``) |
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.engines.fast import kernel as K
from sim.levers import spend_rates
from sim.metrics import Query
from sim.model import carrier_filter
from sim.model.encoding import FirmRules, bits
from sim.model.schedule import Plan
from sim.model.state import KIND_STAGE as MODEL_KIND_STAGE
from sim.model.state import STAGE_INDEX
from sim.registry import KINDS, LEVELS, STAGES, TAGS
from sim.rng import name_key
from sim.scenario import Scenario

KIND_STAGE = {kind: STAGE_INDEX[stage] for kind, stage in MODEL_KIND_STAGE.items()}
"""The stage index each carrier kind hosts (the model's KIND_STAGE, as array columns)."""
METRIC_CODES = {
    "area": K.M_AREA, "carriers": K.M_CARRIERS, "carriers_entered_cum": K.M_ENTERED,
    "in_incubation": K.M_IN_INC,
    "entries_cum": K.M_ENTRIES, "graduates_cum": K.M_GRADS,
    "tech_firms_incubated_cum": K.M_TECH_INC, "tech_firms_valid": K.M_TECH,
    "tech_firms_registered_cum": K.M_TECH_REG,
    "hnte_valid": K.M_HNTE, "hnte_from_incubated_cum": K.M_HNTE_INC,
    "status_valid": K.M_STATUS, "firms": K.M_FIRMS, "mentors": K.M_MENTORS,
    "staff": K.M_STAFF, "spend": K.M_SPEND,
}

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


def compile_replication(sc: Scenario, rules: FirmRules, plan: Plan,
                        lever_values: Mapping[str, float], queries: list[Query]) -> Any:
    """The kernel's named tuple for one replication."""
    sectors = list(sc.meta.sectors)
    zones = list(sc.meta.zones)
    d: dict[str, Any] = dict(rules._asdict())
    d["horizon"] = sc.horizon_years
    d["n_sectors"] = len(sectors)

    cs = plan.carriers
    codes = [carrier_filter.carrier_codes(c.kind, c.level, c.tags, c.zone, c.sector, zones,
                                          sectors) for c in cs]
    for j, name in enumerate(("c_kind", "c_level", "c_tags", "c_zone", "c_sector")):
        d[name] = np.array([row[j] for row in codes], dtype=np.int64)
    d["c_stage"] = np.array([KIND_STAGE[c.kind] for c in cs], dtype=np.int64)
    d["c_area"] = np.array([c.area for c in cs], dtype=float)
    d["c_slots"] = np.array([c.slots for c in cs], dtype=np.int64)
    d["c_open_at"] = np.array([c.open_at for c in cs], dtype=float)
    d["c_opened_real"] = np.array([c.opened for c in cs], dtype=float)
    d["c_inc0"] = np.array([c.incubatees for c in cs], dtype=np.int64)
    d["c_grads0"] = np.array([c.graduates_cum for c in cs], dtype=np.int64)
    entries0 = np.zeros((len(cs), 3), dtype=np.int64)
    for i, c in enumerate(cs):
        entries0[i, KIND_STAGE[c.kind]] = c.entries_cum
    d["c_entries0"] = entries0
    d["c_key"] = np.array([name_key(f"initial:{c.id}") for c in cs], dtype=np.uint64)
    d["c_eval_key"] = np.array([c.key for c in cs], dtype=np.uint64)
    stages_of = d["c_stage"]
    d["stage_carriers"] = np.argsort(stages_of, kind="stable").astype(np.int64)
    d["stage_ptr"] = np.searchsorted(stages_of[d["stage_carriers"]], np.arange(4)).astype(
        np.int64)

    d["a_time"], d["a_src"], d["a_index"] = plan.arrivals
    cal = plan.calendar
    d["sched_t"], d["sched_kind"], d["sched_a"], d["sched_b"] = cal.t, cal.kind, cal.a, cal.b
    d["rec_t"] = plan.record_times

    cr = sc.carrier_rules
    pr = cr.promotions
    d["pr_kinds"] = np.array([bits(r.kinds, KINDS) for r in pr], dtype=np.int64)
    d["pr_from"] = np.array([bits(r.from_levels, LEVELS) for r in pr], dtype=np.int64)
    d["pr_to"] = np.array([LEVELS.index(r.to_level) for r in pr], dtype=np.int64)
    d["pr_years"] = np.array([r.min_years_operating.value for r in pr], dtype=float)
    d["pr_area"] = np.array([r.min_area.value for r in pr], dtype=float)
    d["pr_inc"] = np.array([r.min_incubatees.value for r in pr], dtype=float)
    d["pr_grads"] = np.array([r.min_graduates_cum.value if r.min_graduates_cum else -1.0
                              for r in pr], dtype=float)
    d["pr_share"] = np.array([r.min_tech_firm_share.value if r.min_tech_firm_share else -1.0
                              for r in pr], dtype=float)
    d["pr_p"] = np.array([r.p_approval.value for r in pr], dtype=float)
    dl = cr.delisting
    d["dl_levels"] = bits(dl.levels, LEVELS) if dl else 0
    d["dl_occ"] = dl.min_occupancy.value if dl else 0.0
    d["dl_rereview"] = dl.rereview_months / 12.0 if dl else 0.0
    d["dl_demote"] = LEVELS.index(dl.demote_to) if dl else 0
    ds = cr.designations
    d["ds_tag"] = np.array([TAGS.index(r.tag) for r in ds], dtype=np.int64)
    d["ds_kinds"] = np.array([bits(r.kinds, KINDS) for r in ds], dtype=np.int64)
    d["ds_level_min"] = np.array([LEVELS.index(r.level_at_least) if r.level_at_least else -1
                                  for r in ds], dtype=np.int64)
    d["ds_area"] = np.array([r.min_area.value for r in ds], dtype=float)
    d["ds_inc"] = np.array([r.min_incubatees.value for r in ds], dtype=float)
    d["ds_grads"] = np.array([r.min_graduates_cum.value if r.min_graduates_cum else -1.0
                              for r in ds], dtype=float)
    d["ds_p"] = np.array([r.p_grant.value for r in ds], dtype=float)
    d["ds_max"] = np.array([r.max_per_round or -1 for r in ds], dtype=np.int64)
    sv = cr.service
    d["service"] = np.array([sv.mentors_per_carrier.value, sv.mentors_per_100_incubatees.value,
                             sv.staff_per_carrier.value, sv.staff_per_100_incubatees.value])
    d["spend_fixed"], d["spend_per100"] = spend_rates(sc, lever_values)

    sids = list(sc.statuses)
    enc = [_encode(q, sc, sids, sectors, zones) for q in queries]
    for j, name in enumerate(("q_metric", "q_kinds", "q_levels", "q_level_min", "q_tag",
                              "q_zones", "q_csectors", "q_stage", "q_fsectors", "q_status")):
        d[name] = np.array([e[j] for e in enc], dtype=np.int64)
    fields = tuple(sorted(d))
    return _compiled_class(fields)(**{key: d[key] for key in fields})


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
        status = bits(f.get("statuses"), sids)
    cf = carrier_filter.encode(f, zones, sectors)
    return (
        metric, cf.kinds, cf.levels, cf.level_min, cf.tag, cf.zones,
        cf.sectors if carrier_metric else 0,
        stage_code,
        0 if carrier_metric else cf.sectors,
        status,
    )
