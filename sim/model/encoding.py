"""The scenario's per-firm rules as arrays: the one encoding both engines draw with.

Every number a firm's draws are turned into (inverse-CDF tables, category CDFs, risk rates,
status probabilities) is computed here once per replication, from the scenario in force
(uncertainties drawn, levers applied). The reference engine's rule modules and the kernel
both read these arrays and pass them to the compiled rules of ``sim.model.hazards`` and
``sim.model.status_rules``, so the same draw gives the same number in both.

Fields (S statuses, G stock groups, R arrival sources, K sectors; stages 0 team, 1 start-up,
2 growth; -1 in a table row means "none"):

| field | dtype, shape | meaning |
|---|---|---|
| tabs | float, (tables, GRID) | inverse CDFs on the logit grid (``sim.model.tables``) |
| quality_tab, patience_tab | int | rows of firm quality and patience (months) |
| init_tenure_tab, init_age_tab | int | rows of initial incubatees' tenure (months; -1:
|   | | stationary occupants), age (years) |
| init_sector_cdf | float, (K,) | cumulative sector shares of initial incubatees |
| init_st_share, init_st_issued, init_st_growth | (1, S) | initial incubatees' baseline |
|   | | certificates: share (-1 none), ISSUED_* code, growth a year |
| g_count, g_stage, g_age_tab, g_key | (G,) | stock groups: firms, stage, age row, origin key |
| g_sector_cdf | float, (G, K) | their sector CDFs |
| g_st_share, g_st_issued, g_st_growth | (G, S) | their baseline certificates |
| s_stage_cdf | float, (R, 3) | arrival stage CDFs |
| s_sector_cdf | float, (R, K) | arrival sector CDFs |
| s_seek | float, (R,) | probability an arrival seeks a carrier |
| s_age_tab, s_key | (R,) | age row (-1: age 0), origin key |
| s_st_p | float, (R, S) | probability an arrival brings status s (-1 none) |
| s_st_issued, s_st_growth | (R, S) | brought certificates are dated at arrival (ISSUED_START) |
| in_type, in_rate, in_tab, in_prob | (3, 2) | risks inside carriers: [stage, good / bad] |
| max_stay_tab | int, (3,) | maximum stay (months) by stage |
| out_type, out_rate, out_tab, out_prob | (3, 3) | risks outside: [stage, good / bad / relocation] |
| exit_ages, exit_rates | float, (bands,) | exit hazard by age since incorporation |
| post_window, post_rate | float | post-exit failure window (years) and rate |
| p_seek_next, p_relocate | float | graduates seeking a next-stage slot; relocating when none |
| st_stage_mask, st_requires, st_holders | int, (S,) | bit sets: eligible stages; required |
|   | | statuses; statuses whose holding counts as holding s |
| st_min_age, st_p_round, st_p_success | float, (S,) | eligibility age, round probability, success |
| st_years, st_p_renew | float, (S,) | validity years, renewal probability |
| st_p_capable | float, (S,) | share of firms that could ever obtain the status (1: all) |
| st_delay_tab, st_validity | int, (S,) | delay row (months); validity code (``status_rules``) |
| st_in_carrier, st_qscaled | bool, (S,) | in carriers only; quality-scaled applications |
| tech_id, hnte_id | int | status numbers of ``tech_firm`` / ``hnte`` (-1 undeclared) |
| tech_registered0 | float | ``tech_firm.registered_at_start`` (-1: the holders at the start) |
| jan1 | float, (years,) | model times of every 1 January after the start |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np

from sim.model.hazards import RISK_DURATION, RISK_NONE, RISK_RATE
from sim.model.status_rules import ISSUED_SPREAD, ISSUED_START, VALIDITY_CODES
from sim.model.tables import TableSet
from sim.registry import STAGES
from sim.rng import name_key
from sim.scenario import Scenario
from sim.scenario.schema import Risk, StatusAtStart


def bits(names: Iterable[str] | None, vocabulary: tuple[str, ...] | list[str]) -> int:
    """A bit set of ``names`` by their position in ``vocabulary``."""
    out = 0
    for n in names or ():
        out |= 1 << list(vocabulary).index(n)
    return out


def category_cdf(shares: Mapping[str, float], order: Iterable[str]) -> np.ndarray:
    """Cumulative shares in ``order`` (negative shares count as 0)."""
    w = np.array([max(0.0, shares.get(n, 0.0)) for n in order], dtype=float)
    return np.cumsum(w / w.sum())


def _risk(risk: Risk | None, tables: TableSet) -> tuple[int, float, int, float]:
    if risk is None:
        return RISK_NONE, 0.0, -1, 1.0
    prob = risk.probability.value if risk.probability is not None else 1.0
    if risk.rate is not None:
        return RISK_RATE, risk.rate.value, -1, prob
    return RISK_DURATION, 0.0, tables.add(risk.duration_months), prob


def _statuses_rows(specs: Mapping[str, StatusAtStart], sids: list[str]
                   ) -> tuple[list[float], list[int], list[float]]:
    share, issued, growth = [], [], []
    for sid in sids:
        spec = specs.get(sid)
        share.append(-1.0 if spec is None else spec.share.value)
        issued.append(ISSUED_SPREAD if spec is not None and spec.issued == "spread_by_growth"
                      else ISSUED_START)
        growth.append(spec.growth_per_year.value if spec is not None and spec.growth_per_year
                      else 0.0)
    return share, issued, growth


def _mat(rows: Any, ncols: int, dtype: Any) -> np.ndarray:
    """A 2-D array of len(rows) x ncols, also when either is zero."""
    return np.array(rows, dtype=dtype).reshape(len(rows), ncols)


def holders_of(sc: Scenario, sid: str) -> list[str]:
    """Statuses whose holding counts as holding ``sid`` (itself first), by ``counts_as``."""
    out = [sid]
    changed = True
    while changed:
        changed = False
        for other, st in sc.statuses.items():
            if other not in out and any(c in out for c in st.counts_as):
                out.append(other)
                changed = True
    return out


def jan1_times(sc: Scenario) -> np.ndarray:
    """Model times of each 1 January from the year after the start to a few years past the end."""
    return np.array([sc.years(dt.date(y, 1, 1))
                     for y in range(sc.meta.start.year + 1, sc.meta.horizon_end.year + 6)],
                    dtype=float)


class FirmRules(NamedTuple):
    """The per-firm rules of one replication as arrays (fields: see the module docstring)."""

    tabs: np.ndarray
    quality_tab: int
    patience_tab: int
    init_tenure_tab: int
    init_age_tab: int
    init_sector_cdf: np.ndarray
    init_st_share: np.ndarray
    init_st_issued: np.ndarray
    init_st_growth: np.ndarray
    g_count: np.ndarray
    g_stage: np.ndarray
    g_age_tab: np.ndarray
    g_key: np.ndarray
    g_sector_cdf: np.ndarray
    g_st_share: np.ndarray
    g_st_issued: np.ndarray
    g_st_growth: np.ndarray
    s_stage_cdf: np.ndarray
    s_sector_cdf: np.ndarray
    s_seek: np.ndarray
    s_age_tab: np.ndarray
    s_key: np.ndarray
    s_st_p: np.ndarray
    s_st_issued: np.ndarray
    s_st_growth: np.ndarray
    in_type: np.ndarray
    in_rate: np.ndarray
    in_tab: np.ndarray
    in_prob: np.ndarray
    max_stay_tab: np.ndarray
    out_type: np.ndarray
    out_rate: np.ndarray
    out_tab: np.ndarray
    out_prob: np.ndarray
    exit_ages: np.ndarray
    exit_rates: np.ndarray
    post_window: float
    post_rate: float
    p_seek_next: float
    p_relocate: float
    st_stage_mask: np.ndarray
    st_requires: np.ndarray
    st_holders: np.ndarray
    st_min_age: np.ndarray
    st_p_round: np.ndarray
    st_p_success: np.ndarray
    st_years: np.ndarray
    st_p_renew: np.ndarray
    st_p_capable: np.ndarray
    st_delay_tab: np.ndarray
    st_validity: np.ndarray
    st_in_carrier: np.ndarray
    st_qscaled: np.ndarray
    tech_id: int
    hnte_id: int
    tech_registered0: float
    jan1: np.ndarray


def encode_firm_rules(sc: Scenario) -> FirmRules:
    """The per-firm rules of ``sc`` (uncertainties drawn, levers applied) as arrays."""
    tables = TableSet()
    sids = list(sc.statuses)
    sectors = list(sc.meta.sectors)
    fq = sc.firms
    d: dict[str, Any] = {}
    d["quality_tab"] = tables.add(fq.quality)
    d["patience_tab"] = tables.add(fq.patience_months)

    init = fq.initial_incubatees
    d["init_tenure_tab"] = tables.add(init.tenure_months)
    d["init_age_tab"] = tables.add(init.age_years)
    d["init_sector_cdf"] = category_cdf(init.sector_mix or dict.fromkeys(sectors, 1.0), sectors)
    share, issued, growth = _statuses_rows(init.statuses, sids)
    d["init_st_share"] = _mat([share], len(sids), float)
    d["init_st_issued"] = _mat([issued], len(sids), np.int64)
    d["init_st_growth"] = _mat([growth], len(sids), float)

    groups = list(fq.stock.items())
    d["g_count"] = np.array([int(g.count.value) for _, g in groups], dtype=np.int64)
    d["g_stage"] = np.array([STAGES.index(g.stage) for _, g in groups], dtype=np.int64)
    d["g_age_tab"] = np.array([tables.add(g.age_years) for _, g in groups], dtype=np.int64)
    d["g_key"] = np.array([name_key(f"stock:{n}") for n, _ in groups], dtype=np.uint64)
    d["g_sector_cdf"] = _mat([category_cdf(g.sector_mix or dict.fromkeys(sectors, 1.0), sectors)
                              for _, g in groups], len(sectors), float)
    rows_st = [_statuses_rows(g.statuses, sids) for _, g in groups]
    d["g_st_share"] = _mat([r[0] for r in rows_st], len(sids), float)
    d["g_st_issued"] = _mat([r[1] for r in rows_st], len(sids), np.int64)
    d["g_st_growth"] = _mat([r[2] for r in rows_st], len(sids), float)

    sources = list(fq.sources.items())
    d["s_stage_cdf"] = _mat([category_cdf(s.stage_mix.model_dump(), STAGES) for _, s in sources],
                            3, float)
    d["s_sector_cdf"] = _mat([category_cdf(s.sector_mix or dict.fromkeys(sectors, 1.0), sectors)
                              for _, s in sources], len(sectors), float)
    d["s_seek"] = np.array([s.p_seek_carrier.value for _, s in sources], dtype=float)
    d["s_age_tab"] = np.array([tables.add(s.age_years) for _, s in sources], dtype=np.int64)
    d["s_key"] = np.array([name_key(f"source:{n}") for n, _ in sources], dtype=np.uint64)
    d["s_st_p"] = _mat([[s.statuses_at_arrival[x].value if x in s.statuses_at_arrival else -1.0
                         for x in sids] for _, s in sources], len(sids), float)
    d["s_st_issued"] = np.full((len(sources), len(sids)), ISSUED_START, dtype=np.int64)
    d["s_st_growth"] = np.zeros((len(sources), len(sids)))

    in_rows, out_rows = [], []
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
    d["post_window"] = float(fq.post_exit.window_years.value)
    d["post_rate"] = float(fq.post_exit.failure_rate.value)
    d["p_seek_next"] = float(fq.graduation.p_seek_next.value)
    d["p_relocate"] = float(fq.graduation.p_relocate_if_no_room.value)

    sts = list(sc.statuses.values())
    d["st_stage_mask"] = np.array([bits(st.eligibility.stages, STAGES) for st in sts],
                                  dtype=np.int64)
    d["st_requires"] = np.array([bits(st.eligibility.requires, sids) for st in sts],
                                dtype=np.int64)
    d["st_holders"] = np.array([bits(holders_of(sc, s), sids) for s in sids], dtype=np.int64)
    d["st_min_age"] = np.array([st.eligibility.min_age_years.value for st in sts], dtype=float)
    d["st_p_round"] = np.array([1.0 - (1.0 - st.p_apply_year.value) ** (1.0 / len(st.rounds))
                                for st in sts], dtype=float)
    d["st_p_success"] = np.array([st.p_success.value for st in sts], dtype=float)
    d["st_years"] = np.array([st.validity_years.value if st.validity_years else 0.0
                              for st in sts], dtype=float)
    d["st_p_renew"] = np.array([st.p_renewal.value if st.p_renewal else 0.0 for st in sts],
                               dtype=float)
    d["st_p_capable"] = np.array([st.p_capable.value if st.p_capable else 1.0 for st in sts],
                                 dtype=float)
    d["st_delay_tab"] = np.array([tables.add(st.delay_months) for st in sts], dtype=np.int64)
    d["st_validity"] = np.array([VALIDITY_CODES[st.validity] for st in sts], dtype=np.int64)
    d["st_in_carrier"] = np.array([st.eligibility.in_carrier_only for st in sts], dtype=np.bool_)
    d["st_qscaled"] = np.array([st.quality_scaled for st in sts], dtype=np.bool_)
    d["tech_id"] = sids.index("tech_firm") if "tech_firm" in sids else -1
    d["hnte_id"] = sids.index("hnte") if "hnte" in sids else -1
    tech = sc.statuses.get("tech_firm")
    d["tech_registered0"] = (float(tech.registered_at_start.value)
                             if tech is not None and tech.registered_at_start is not None
                             else -1.0)
    d["jan1"] = jan1_times(sc)
    d["tabs"] = tables.array()
    return FirmRules(**d)
