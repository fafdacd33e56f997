"""Statuses (certifications): one mechanism for every status a scenario declares.

Tech-firm registration, HNTE and any other status (DESIGN.md section 3, "Statuses").

* Rounds: at the end of each listed month, each eligible firm (stage allowed, incorporated at
  least ``min_age_years``, holding every required status, not holding or awaiting this one, in
  a carrier if ``in_carrier_only``) applies with p = 1 - (1 - p_apply_year)^(1 / rounds a year)
  (raised to the power q, the firm's quality, when ``quality_scaled``), independently from
  round to round — drawn from the firm's own stream for that status as the geometric number
  of eligible rounds until it applies — and succeeds with ``p_success`` (drawn from the same
  stream, with the delay). The certificate arrives ``delay_months`` later if the firm is
  still here.
* Validity: ``calendar_year`` to the end of the certificate's calendar year; ``years`` N
  years from the certificate date; ``permanent``. At expiry the holder renews with
  ``p_renewal`` (a new certificate from the expiry date) or lapses and may apply again later.
* ``counts_as``: holding a status counts as holding the listed ones (a valid HNTE counts as a
  tech firm), for metrics and for eligibility.
* Baseline holders: certificate dates spread over the validity window before the start in
  proportion to past issuance growing at ``growth_per_year`` (the expiry cliff), or all dated
  at the start.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Generator
from functools import partial
from typing import Any

import numpy as np
import simpy

from sim.model.state import CARRIER, STAGE_INDEX, Certificate, Firm, World
from sim.scenario.schema import Status, StatusAtStart

ROUND = 1
TECH = "tech_firm"
HNTE = "hnte"


def holders_of(world: World, sid: str) -> tuple[str, ...]:
    """Statuses whose holding counts as holding ``sid`` (itself included)."""
    out = [sid]
    changed = True
    while changed:
        changed = False
        for other, st in world.sc.statuses.items():
            if other not in out and any(c in out for c in st.counts_as):
                out.append(other)
                changed = True
    return tuple(out)


def holds(world: World, firm: Firm, sid: str) -> bool:
    """Whether the firm holds ``sid`` now, directly or through ``counts_as``."""
    return any(s in firm.valid for s in world.holders[sid])


def expiry_of(world: World, st: Status, start: float) -> float:
    """When a certificate issued at model time ``start`` expires."""
    if st.validity == "permanent":
        return math.inf
    if st.validity == "years":
        assert st.validity_years is not None
        return start + st.validity_years.value
    day = world.sc.meta.start + dt.timedelta(days=math.floor(start * 365.25 + 1e-6))
    return world.sc.years(dt.date(day.year + 1, 1, 1))


def issue(world: World, firm: Firm, sid: str, start: float, renewal: bool = False) -> None:
    """Give the firm a certificate dated ``start`` and schedule its expiry."""
    st = world.sc.statuses[sid]
    end = expiry_of(world, st, start)
    cert = Certificate(firm.id, sid, start)
    world.certificates.append(cert)
    world.open_certificates[(firm.id, sid)] = cert
    firm.valid[sid] = end
    world.sync(firm)
    _note_firsts(world, firm, sid)
    world.log(firm, "certified", detail=(sid, firm.age(world.now), renewal))
    if st.validity == "calendar_year":
        world.calendar_holders[sid].add(firm.id)  # expired together on 1 January
    elif math.isfinite(end):
        world.later(end - world.now, lambda: _expire(world, firm, sid, cert))


def _note_firsts(world: World, firm: Firm, sid: str) -> None:
    if firm.first_tech_at is None and TECH in world.sc.statuses and holds(world, firm, TECH):
        firm.first_tech_at = world.now
    if sid == HNTE and firm.hnte_obtained_at is None and world.now > 0:
        firm.hnte_obtained_at = world.now
    note_incubated(world, firm)


def note_incubated(world: World, firm: Firm) -> None:
    """Count the firm once among incubated tech firms / HNTE when both conditions hold."""
    if firm.first_carrier_at is None:
        return
    cum = world.cum_by_sector
    if firm.incubated_tech_at is None and firm.first_tech_at is not None:
        firm.incubated_tech_at = world.now
        bucket = cum["tech_firms_incubated_cum"]
        bucket[firm.sector] = bucket.get(firm.sector, 0) + 1
    if firm.incubated_hnte_at is None and firm.hnte_obtained_at is not None:
        firm.incubated_hnte_at = world.now
        bucket = cum["hnte_from_incubated_cum"]
        bucket[firm.sector] = bucket.get(firm.sector, 0) + 1


def _expire(world: World, firm: Firm, sid: str, cert: Certificate) -> None:
    if world.open_certificates.get((firm.id, sid)) is not cert:
        return
    cert.end = world.now
    del world.open_certificates[(firm.id, sid)]
    del firm.valid[sid]
    world.sync(firm)
    if not firm.in_region:
        return
    st = world.sc.statuses[sid]
    u = float(world.firm_stream(firm, ROUND, sid).random())
    assert st.p_renewal is not None
    if u < st.p_renewal.value:
        world.count(f"renewed:{sid}")
        issue(world, firm, sid, world.now, renewal=True)
    else:
        world.count(f"lapsed:{sid}")
        world.log(firm, "lapsed", detail=sid)


def end_all(world: World, firm: Firm) -> None:
    """Close every certificate of a firm leaving the region."""
    for sid in list(firm.valid):
        cert = world.open_certificates.pop((firm.id, sid), None)
        if cert is not None:
            world.count(f"lost:{sid}")
            cert.end = world.now
        del firm.valid[sid]
    world.sync(firm)


def round_times(world: World, st: Status) -> list[float]:
    """Model times of every application round of a status within the horizon."""
    from sim.model.carriers import month_end_times

    return sorted(t for m in st.rounds for t in month_end_times(world, m))


def eligible_ids(world: World, sid: str, st: Status) -> list[int]:
    """Ids of the firms that may apply for ``sid`` now (the eligibility rule).

    In the region, stage allowed, incorporated at least ``min_age_years`` ago, holding every
    required status, not holding ``sid`` (directly or through ``counts_as``), no application
    pending, and in a carrier when ``in_carrier_only``.
    """
    n = len(world.firms)
    k = world.status_ids.index(sid)
    el = st.eligibility
    stages = [STAGE_INDEX[s] for s in el.stages]
    with np.errstate(invalid="ignore"):
        mask = (world.arr_region[:n] & np.isin(world.arr_stage[:n], stages)
                & (world.now - world.arr_incorporated[:n] >= el.min_age_years.value)
                & ~world.arr_holds[k, :n])
    for req in el.requires:
        mask &= world.arr_holds[world.status_ids.index(req), :n]
    firms = world.firms
    return [int(i) for i in np.flatnonzero(mask)
            if sid not in firms[i].pending
            and (not el.in_carrier_only or firms[i].location == CARRIER)]


NEVER_ROUNDS = 2**30


def rounds_until(u: float, p: float) -> int:
    """Eligible rounds until a firm applies (geometric on 1, 2, ...), by inversion of ``u``.

    Applying with probability p at each eligible round, independently, is the same as waiting
    a geometric number of eligible rounds; drawing that number once per application keeps the
    firm's draws few and its own.
    """
    if p >= 1.0:
        return 1
    if p <= 0.0:
        return NEVER_ROUNDS
    return max(1, min(NEVER_ROUNDS, math.ceil(math.log1p(-u) / math.log1p(-p))))


def rounds_process(world: World, sid: str) -> Generator[simpy.Event, Any, None]:
    """Application rounds of one status."""
    st = world.sc.statuses[sid]
    p_round = 1.0 - (1.0 - st.p_apply_year.value) ** (1.0 / len(st.rounds))
    for t in round_times(world, st):
        yield world.env.timeout(t - world.now)
        ids = np.asarray(eligible_ids(world, sid, st), dtype=np.int64)
        countdown = world.arr_countdown[world.status_ids.index(sid)]
        for i in ids[countdown[ids] == 0]:  # newly eligible: rounds until the next application
            firm = world.firms[i]
            p = 1.0 - (1.0 - p_round) ** firm.quality if st.quality_scaled else p_round
            u = float(world.firm_stream(firm, ROUND, sid).random())
            countdown[i] = rounds_until(u, p)
        countdown[ids] -= 1
        for i in ids[countdown[ids] == 0]:  # these firms apply in this round
            firm = world.firms[i]
            u_success, u_delay = world.firm_stream(firm, ROUND, sid).random(2)
            if u_success < st.p_success.value:
                firm.pending.add(sid)
                months = st.delay_months.ppf1(float(u_delay))
                world.later(months / 12.0, partial(_grant, world, firm, sid))


def calendar_process(world: World, sid: str) -> Generator[simpy.Event, Any, None]:
    """Expire every calendar-year certificate of ``sid`` on each 1 January.

    Each then renews or lapses exactly as a single expiry would.
    """
    start = world.sc.meta.start
    for year in range(start.year + 1, world.sc.meta.horizon_end.year + 2):
        t = world.sc.years(dt.date(year, 1, 1))
        if t > world.horizon + 1e-9:
            return
        yield world.env.timeout(t - world.now)
        due = world.calendar_holders[sid]
        world.calendar_holders[sid] = set()
        for fid in sorted(due):
            firm = world.firms[fid]
            cert = world.open_certificates.get((fid, sid))
            if cert is not None and firm.valid.get(sid, math.inf) <= t + 1e-9:
                _expire(world, firm, sid, cert)
            elif cert is not None:
                world.calendar_holders[sid].add(fid)


def _grant(world: World, firm: Firm, sid: str) -> None:
    if sid not in firm.pending or not firm.in_region:
        return
    firm.pending.discard(sid)
    world.count(f"granted:{sid}")
    issue(world, firm, sid, world.now)


def years_back(u: float, window: float, a: float) -> float:
    """Inverse CDF of a certificate's age on [0, window) with density proportional to e^(-a s).

    Issuance that grew at rate g a year gives a = ln(1 + g): recent certificates are commoner.
    """
    if a == 0:
        return u * window
    return -math.log1p(u * math.expm1(-a * window)) / a


def give_at_start(world: World, firm: Firm, statuses: dict[str, StatusAtStart]) -> None:
    """Baseline certificates of a firm present at the start (share and date spread)."""
    for sid in sorted(statuses):
        spec = statuses[sid]
        u_hold, u_date = firm.life.random(2)
        if u_hold >= spec.share.value or firm.incorporated_at is None:
            continue
        st = world.sc.statuses[sid]
        start = 0.0
        if spec.issued == "spread_by_growth" and st.validity == "years":
            assert st.validity_years is not None
            window = st.validity_years.value
            g = spec.growth_per_year.value if spec.growth_per_year else 0.0
            start = -min(years_back(u_date, window, math.log1p(g)), window - 1e-9)
        issue(world, firm, sid, start)


def give_at_arrival(world: World, firm: Firm, shares: dict[str, Any]) -> None:
    """Certificates an arriving firm brings with it (e.g. attracted HNTE)."""
    for sid in sorted(shares):
        u = float(firm.life.random())
        if u < shares[sid].value and firm.incorporated_at is not None:
            world.count(f"brought:{sid}")
            issue(world, firm, sid, world.now)
