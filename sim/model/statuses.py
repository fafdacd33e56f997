"""Statuses (certifications): one mechanism for every status a scenario declares.

Tech-firm registration, HNTE and any other status (docs/design.md section 3, "Statuses"); the
arithmetic is ``sim.model.status_rules``, shared with the kernel.

* Rounds: at the end of each listed month, each eligible firm (in the region, stage allowed,
  incorporated at least ``min_age_years``, holding every required status, not holding or
  awaiting this one, in a carrier if ``in_carrier_only``, and capable of the status: a share
  ``p_capable`` of firms, decided once per firm by a keyed draw) applies with probability
  p = 1 - (1 - p_apply_year)^(1 / rounds a year) (to the power q, the firm's quality, when
  ``quality_scaled``) independently from round to round: drawn from the firm's own stream
  for that status as the geometric number of eligible rounds until it applies. An applicant
  succeeds with ``p_success`` and gets the certificate ``delay_months`` later if still here.
* Validity: ``calendar_year`` to the 1 January after the certificate; ``years`` N years from
  its date; ``permanent``. At expiry the holder renews with ``p_renewal`` (a new certificate
  from the expiry) or lapses and may apply again later. Calendar-year certificates expire
  together just after the 31 December record (``sim.model.schedule``): a year's count holds
  every firm valid during it.
* ``counts_as``: holding a status counts as holding the listed ones (a valid HNTE counts as a
  tech firm), for metrics and for eligibility.
* Baseline holders: certificate dates spread over the validity window before the start in
  proportion to past issuance growing at ``growth_per_year`` (the expiry cliff), or all dated
  at the start.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from sim.model.draws import capability_uniform
from sim.model.state import CARRIER, Certificate, Firm, World
from sim.model.status_rules import (
    ISSUED_SPREAD,
    YEARS,
    baseline_start,
    certificate_end,
    round_probability,
    rounds_until,
)
from sim.model.tables import ppf

TECH = "tech_firm"
HNTE = "hnte"


def holds(world: World, firm: Firm, sid: str) -> bool:
    """Whether the firm holds ``sid`` now, directly or through ``counts_as``."""
    return any(s in firm.valid for s in world.holders[sid])


def issue(world: World, firm: Firm, sid: str, start: float, renewal: bool = False) -> None:
    """Give the firm a certificate dated ``start`` and schedule its expiry (N-year validity).

    The expiry is scheduled ``validity_years`` after now when the certificate is dated now, so
    that its time is now + N exactly as in the kernel.
    """
    r = world.rules
    s = world.status_ids.index(sid)
    validity = int(r.st_validity[s])
    end = certificate_end(validity, r.st_years[s], r.jan1, start)
    cert = Certificate(firm.id, sid, start)
    world.certificates.append(cert)
    world.open_certificates[(firm.id, sid)] = cert
    firm.valid[sid] = end
    world.sync(firm)
    world.log(firm, "certified", detail=(sid, firm.age(world.now), renewal))
    if validity == YEARS:
        delay = float(r.st_years[s]) if start == world.now else end - world.now
        world.later(delay, lambda: _expire(world, firm, sid, cert))


def note_firsts(world: World, firm: Firm, granted: str | None) -> None:
    """First tech-firm registration; first HNTE granted after the start (not brought)."""
    if firm.first_tech_at is None and TECH in world.sc.statuses and holds(world, firm, TECH):
        firm.first_tech_at = world.now
        world.registered[1 if world.now > 0 else 0] += 1
    if granted == HNTE and firm.hnte_obtained_at is None and world.now > 0:
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
    """A certificate expires; a holder still in the region renews or lets it lapse."""
    if world.open_certificates.get((firm.id, sid)) is not cert:
        return
    cert.end = world.now
    del world.open_certificates[(firm.id, sid)]
    del firm.valid[sid]
    world.sync(firm)
    if not firm.in_region:
        return
    s = world.status_ids.index(sid)
    if world.status_stream(firm, sid).random() < world.rules.st_p_renew[s]:
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


def eligible_ids(world: World, sid: str) -> list[int]:
    """Ids of the firms that may apply for ``sid`` now (the eligibility rule), in id order."""
    n = len(world.firms)
    k = world.status_ids.index(sid)
    r = world.rules
    stages = [st for st in range(3) if (int(r.st_stage_mask[k]) >> st) & 1]
    with np.errstate(invalid="ignore"):
        mask = (world.arr_region[:n] & np.isin(world.arr_stage[:n], stages)
                & ~(world.now - world.arr_incorporated[:n] < r.st_min_age[k])
                & ~np.isnan(world.arr_incorporated[:n])
                & ~world.arr_holds[k, :n])
    for req, other in enumerate(world.status_ids):
        if (int(r.st_requires[k]) >> req) & 1:
            mask &= world.arr_holds[world.status_ids.index(other), :n]
    firms = world.firms
    in_carrier_only = bool(r.st_in_carrier[k])
    p_capable = float(r.st_p_capable[k])
    return [int(i) for i in np.flatnonzero(mask)
            if sid not in firms[i].pending
            and (p_capable >= 1.0
                 or capability_uniform(world.status_stream(firms[i], sid).key) < p_capable)
            and (not in_carrier_only or firms[i].location == CARRIER)]


def application_round(world: World, s: int) -> None:
    """One application round of status number ``s`` (a calendar item)."""
    sid = world.status_ids[s]
    r = world.rules
    ids = np.asarray(eligible_ids(world, sid), dtype=np.int64)
    countdown = world.arr_countdown[s]
    for i in ids[countdown[ids] == 0]:  # newly eligible: rounds until the next application
        firm = world.firms[i]
        p = round_probability(r.st_p_round[s], firm.quality, bool(r.st_qscaled[s]))
        countdown[i] = rounds_until(world.status_stream(firm, sid).random(), p)
    countdown[ids] -= 1
    for i in ids[countdown[ids] == 0]:  # these firms apply in this round
        firm = world.firms[i]
        stream = world.status_stream(firm, sid)
        u_success = stream.random()
        u_delay = stream.random()
        if u_success < r.st_p_success[s]:
            firm.pending.add(sid)
            months = ppf(r.tabs, int(r.st_delay_tab[s]), u_delay)
            world.later(months / 12.0, partial(_grant, world, firm, sid))


def calendar_expiry(world: World, s: int) -> None:
    """Calendar-year certificates of status number ``s`` end (just after 31 December).

    Each holder still in the region (in id order) then renews or lapses as at any expiry.
    """
    sid = world.status_ids[s]
    for firm in list(world.region.values()):
        end = firm.valid.get(sid)
        if end is not None and end <= world.now + 1e-9:
            _expire(world, firm, sid, world.open_certificates[(firm.id, sid)])


def _grant(world: World, firm: Firm, sid: str) -> None:
    if sid not in firm.pending or not firm.in_region:
        return
    firm.pending.discard(sid)
    world.count(f"granted:{sid}")
    issue(world, firm, sid, world.now)
    note_firsts(world, firm, sid)


def give_at_start(world: World, firm: Firm, share: np.ndarray, issued: np.ndarray,
                  growth: np.ndarray) -> None:
    """Baseline certificates of a firm present at the start (share and date spread).

    Two draws per status the baseline declares (``share`` >= 0), in the scenario's order.
    """
    r = world.rules
    for s, sid in enumerate(world.status_ids):
        if share[s] < 0:
            continue
        u_hold = firm.life.random()
        u_date = firm.life.random()
        if u_hold >= share[s] or firm.incorporated_at is None:
            continue
        start = world.now
        if issued[s] == ISSUED_SPREAD and r.st_validity[s] == YEARS:
            start = baseline_start(u_date, r.st_years[s], growth[s])
        issue(world, firm, sid, start)
    note_firsts(world, firm, None)


def give_at_arrival(world: World, firm: Firm, shares: np.ndarray) -> None:
    """Certificates an arriving firm brings with it (one draw per status it may bring)."""
    for s, sid in enumerate(world.status_ids):
        if shares[s] < 0:
            continue
        if firm.life.random() < shares[s] and firm.incorporated_at is not None:
            world.count(f"brought:{sid}")
            issue(world, firm, sid, world.now)
    note_firsts(world, firm, None)

