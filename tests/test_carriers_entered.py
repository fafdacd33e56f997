"""``carriers_entered_cum``: carriers that came to a level or tag since the start, counted once.

Model truths on a shipped district with promotions and designations, in both engines: zero at
the start, never decreasing, never below the growth of the matching stock (a carrier that
enters is counted even if it later leaves, so the count bounds the net growth from above). The
engines agree to the last bit (sim.model.entered is their one implementation of the marks).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import rng
from sim.engines.differences import first_difference
from sim.engines.fast import simulate as fast
from sim.engines.reference import simulate as reference
from sim.metrics import Query, evaluate, snapshot
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
FILTERS = ({"kind": ["incubator"], "level": ["municipal"]}, {"level_at_least": "municipal"},
           {"tag": "featured"}, {})


@pytest.fixture(scope="module")
def jiangbei():  # type: ignore[no-untyped-def]
    return load_scenario(ROOT / "scenarios" / "jiangbei.yaml")


def _queries() -> list[tuple[Query, Query]]:
    return [(Query.of("carriers_entered_cum", f), Query.of("carriers", f)) for f in FILTERS]


@pytest.mark.parametrize("engine", [reference, fast], ids=["reference", "fast"])
def test_entered_counts_bound_the_stock_growth(jiangbei, engine) -> None:  # type: ignore[no-untyped-def]
    pairs = _queries()
    for seed in range(3):
        res = engine(jiangbei, rng.replication(0, seed),
                     queries=[q for pair in pairs for q in pair])
        for entered, stock in pairs:
            e, s = res.series[entered.key], res.series[stock.key]
            assert e[0] == 0
            assert np.all(np.diff(e) >= 0), entered.key
            assert np.all(e >= s - s[0]), entered.key
        e, s = (res.series[q.key] for q in pairs[3])  # every carrier: entered = opened since
        assert np.all(e >= s - s[0])


def test_engines_agree_on_entered_counts(jiangbei) -> None:  # type: ignore[no-untyped-def]
    queries = [q for pair in _queries() for q in pair]
    for seed in range(5):
        seq = rng.replication(0, seed)
        diff = first_difference(reference(jiangbei, seq, queries=queries),
                                fast(jiangbei, seq, queries=queries))
        assert diff is None, f"seed {seed}: {diff}"


def test_the_stateless_evaluator_refuses_entered_counts(jiangbei) -> None:  # type: ignore[no-untyped-def]
    """A count over records cannot come from one snapshot: asking for it is an error."""
    world = reference(jiangbei, 0, keep_world=True).world
    with pytest.raises(ValueError, match="marks of earlier records"):
        evaluate(snapshot(world), Query.of("carriers_entered_cum", {}))
