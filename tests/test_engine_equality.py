"""The reference and the fast engine return the identical Result, seed for seed.

Both consume one plan (sim.model.schedule), one encoding of the per-firm rules
(sim.model.encoding) and the same compiled rules for every draw (sim.model.draws, tables,
hazards, status_rules), and process events at one instant in one documented order, so for a
given (scenario, seed) every monthly series, every counted flow, the population, the cohort
statistics and every firm's final state must be equal to the last bit. Nothing here is
statistical: a failure names the first month, series and firm that differ
(sim.engines.differences.first_difference).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim import rng
from sim.engines.differences import first_difference
from sim.engines.fast import simulate as fast
from sim.engines.reference import simulate as reference
from sim.metrics import Query
from sim.result import Result
from sim.scenario import Scenario, load_scenario
from tests.factory import assert_conserved, entered_queries, q, queue_scenario

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS = ("beibei", "beibei-midterm", "ezhou", "jiangbei", "shijingshan")
SEEDS = range(20)


def _assert_identical(sc: Scenario, seed: int, queries: list[Query] | None = None) -> Result:
    """Both engines' replication ``seed``; returns the reference's Result."""
    seq = rng.replication(0, seed)
    a = reference(sc, seq, keep_firms=True, queries=queries)
    b = fast(sc, seq, keep_firms=True, queries=queries)
    diff = first_difference(a, b)
    assert diff is None, f"{sc.meta.id} seed {seed}: {diff}"
    return a


EXTRA_QUERIES = {"jiangbei": [query for pair in entered_queries() for query in pair]}
"""Asked for beside the targets' own: Jiangbei has promotions and designations, so the
carriers entered at a level or tag since the start are compared too
(tests/test_carriers_entered.py checks their model truths on the fast engine)."""


@pytest.mark.parametrize("name", [*DISTRICTS, "examples/minimal", "examples/banan"])
def test_engines_identical_on_shipped_scenarios(name: str) -> None:
    """Every shipped district scenario and the minimal example, 20 replications each. The
    reference's results also pass the checks every shipped scenario gets on it (firms
    conserved every month, every target's value finite; tests/test_reference_engine.py runs
    those for the scenarios not here)."""
    sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    for seed in SEEDS:
        r = _assert_identical(sc, seed, EXTRA_QUERIES.get(name))
        assert_conserved(r.population)
        for t in sc.targets:
            assert math.isfinite(r.value(t.metric, t.filters, t.date)), (seed, t.id)


def _small_scenarios() -> dict[str, Scenario]:
    return {
        "erlang_loss": queue_scenario(rate=30.0, slots=8, stay={"rate": q(4.0)}, years=3),
        "mg_inf_lognormal": queue_scenario(
            rate=40.0, slots=100_000,
            stay={"duration_months": {"dist": "lognormal", "mu": 1.5, "sigma": 0.6,
                                      "source": "assumption: test"}}, years=3),
        "queue_with_patience": queue_scenario(rate=60.0, slots=5, stay={"rate": q(6.0)},
                                              patience=2.0, years=3),
    }


@pytest.mark.parametrize("name", sorted(_small_scenarios()))
def test_engines_identical_on_small_test_scenarios(name: str) -> None:
    """The degenerate queueing scenarios of the exact-formula tests, 20 replications each."""
    sc = _small_scenarios()[name]
    for seed in SEEDS:
        _assert_identical(sc, seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_engines_identical_on_chongqing(seed: int) -> None:
    """The city scenario (~350,000 firms), 2 replications: a minute or two of the reference
    engine each."""
    _assert_identical(load_scenario(ROOT / "scenarios" / "chongqing.yaml"), seed)


def test_a_difference_is_located() -> None:
    """The diagnostic itself: a perturbed scenario is reported at its first differing record."""
    sc = load_scenario(ROOT / "scenarios" / "ezhou.yaml")
    from sim.scenario import with_changes

    other = with_changes(sc, {"firms.quality.sigma": 0.5})
    seq = rng.replication(0, 0)
    diff = first_difference(fast(sc, seq, keep_firms=True), fast(other, seq, keep_firms=True))
    assert diff is not None and "record" in diff and "firm" in diff
