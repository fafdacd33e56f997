"""``carriers_entered_cum``: carriers that came to a level or tag since the start, counted once.

Model truths on a shipped district with promotions and designations: zero at the start, never
decreasing, never below the growth of the matching stock (a carrier that enters is counted
even if it later leaves, so the count bounds the net growth from above). Checked on the fast
engine; the reference returns the identical series (sim.model.entered is their one
implementation of the marks): tests/test_engine_equality.py asks both engines for these same
queries on Jiangbei, 20 replications.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import rng
from sim.engines.fast import simulate as fast
from sim.engines.reference import simulate as reference
from sim.metrics import Query, evaluate, snapshot
from sim.scenario import load_scenario
from tests.factory import entered_queries

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def jiangbei():  # type: ignore[no-untyped-def]
    return load_scenario(ROOT / "scenarios" / "jiangbei.yaml")


def test_entered_counts_bound_the_stock_growth(jiangbei) -> None:  # type: ignore[no-untyped-def]
    pairs = entered_queries()
    for seed in range(5):
        res = fast(jiangbei, rng.replication(0, seed),
                   queries=[q for pair in pairs for q in pair])
        for entered, stock in pairs:
            e, s = res.series[entered.key], res.series[stock.key]
            assert e[0] == 0
            assert np.all(np.diff(e) >= 0), entered.key
            assert np.all(e >= s - s[0]), entered.key
        e, s = (res.series[q.key] for q in pairs[3])  # every carrier: entered = opened since
        assert np.all(e >= s - s[0])


def test_the_stateless_evaluator_refuses_entered_counts() -> None:
    """A count over records cannot come from one snapshot: asking for it is an error."""
    minimal = load_scenario(ROOT / "scenarios" / "examples" / "minimal.yaml")
    world = reference(minimal, 0, keep_world=True).world
    with pytest.raises(ValueError, match="marks of earlier records"):
        evaluate(snapshot(world), Query.of("carriers_entered_cum", {}))
