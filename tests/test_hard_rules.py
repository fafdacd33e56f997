"""The model's hard rules, on every shipped scenario, for both engines.

Capacity is never exceeded, no stay outlasts its maximum, no certificate is valid past its
validity, no HNTE goes to a firm younger than one year, and every firm is in exactly one
place at every month. The rules are checked on the reference engine's event log (the fast
engine keeps none) for one replication of each scenario, and the fast engine's result for
the same replication is checked to be identical to the bit: so they hold for the fast engine
on that replication too. Chongqing's reference replication takes minutes: `-m slow`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pytest

from sim import rng
from sim.engines.differences import first_difference
from sim.engines.fast import simulate as fast
from sim.engines.reference import simulate as reference
from sim.model.state import KIND_STAGE
from sim.scenario import load_scenario
from tests.factory import assert_conserved

ROOT = Path(__file__).resolve().parents[1]
LEAVING = {"incorporation", "dissolution", "graduation", "failure", "max_stay"}
SCENARIOS = [*(ROOT / "scenarios").glob("*.yaml"),
             *(ROOT / "scenarios" / "examples").glob("*.yaml")]
PARAMS = [pytest.param(p, marks=[pytest.mark.xdist_group(f"hard_rules_{p.stem}"),
                                 *([pytest.mark.slow] if p.stem == "chongqing" else [])])
          for p in sorted(SCENARIOS)]
"""One scenario's tests go to one worker (``xdist_group``): its reference replication with
the event log, the module's fixture, is then run once, not once per worker."""


@pytest.fixture(scope="module", params=PARAMS, ids=lambda p: p.stem)
def run(request: pytest.FixtureRequest):
    sc = load_scenario(request.param)
    seq = rng.replication(0, 3)
    r = reference(sc, seq, record_events=True, keep_world=True, keep_firms=True)
    diff = first_difference(r, fast(sc, seq, keep_firms=True))
    assert diff is None, diff
    return sc, r


def test_firms_conserved_every_month(run) -> None:
    _, r = run
    assert_conserved(r.population)


def test_capacity_never_exceeded(run) -> None:
    _, r = run
    slots = {c.id: c.slots for c in r.world.carriers}
    occ: dict[str, int] = defaultdict(int)
    for c in r.world.carriers:  # occupants at the start enter with 'enter' events too
        occ[c.id] = 0
    for ev in r.events:
        if ev.what == "enter":
            occ[ev.carrier] += 1
            assert occ[ev.carrier] <= slots[ev.carrier], (ev, occ[ev.carrier])
        elif ev.what in LEAVING and ev.carrier is not None:
            occ[ev.carrier] -= 1
            assert occ[ev.carrier] >= 0, ev


def test_no_stay_beyond_its_maximum(run) -> None:
    """A stay (time since entry, occupants at the start included) ends by the upper end of
    its stage's maximum-stay distribution."""
    sc, r = run
    kinds = {c.id: c.kind for c in r.world.carriers}
    for ev in r.events:
        if ev.what in LEAVING and ev.carrier is not None:
            stage = KIND_STAGE[kinds[ev.carrier]]
            limit = getattr(sc.firms.stages, stage).in_carrier.max_stay_months.support[1]
            assert ev.detail <= limit / 12 + 1e-6, (ev, limit)


def test_certificates_never_valid_past_their_validity(run) -> None:
    sc, r = run
    horizon = r.times[-1]
    for c in r.certificates:
        st = sc.statuses[c.status]
        end = min(c.end, horizon)
        if st.validity == "years":
            assert st.validity_years is not None
            assert end - c.start <= st.validity_years.value + 1e-9, c
        elif st.validity == "calendar_year":
            jan1 = [sc.years(d.replace(month=1, day=1)) for d in
                    (sc.meta.start.replace(year=y) for y in range(sc.meta.start.year + 1,
                                                                  sc.meta.horizon_end.year + 2))]
            limit = min((t for t in jan1 if t > c.start + 1e-9), default=math.inf)
            assert end <= limit + 2e-9, (c, limit)


def test_no_hnte_before_age_one(run) -> None:
    _, r = run
    for ev in r.events:
        if ev.what == "certified" and ev.detail[0] == "hnte" and ev.t > 0 and not ev.detail[2]:
            assert ev.detail[1] >= 1.0 - 1e-9, ev
