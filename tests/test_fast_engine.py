"""The compiled fast engine: its building blocks, model truths, and agreement with the reference.

Its equality with the reference engine, seed for seed, is tests/test_engine_equality.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import TypeAdapter

from sim.distributions import Distribution
from sim.engines.fast import POPULATION, kernel_inputs
from sim.engines.fast import simulate as fast
from sim.engines.fast.kernel import M_HNTE, M_IN_INC, M_TECH, simulate_kernel
from sim.model.draws import subkey, uniform
from sim.model.tables import GRID, TableSet, ppf
from sim.scenario import load_scenario
from tests.benchmark_scripts import load_benchmark
from tests.factory import assert_conserved

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"
SHIPPED = sorted([*(ROOT / "scenarios").glob("*.yaml"),
                  *(ROOT / "calibration" / "scenarios").glob("*.yaml")])
DIST = TypeAdapter(Distribution)


@pytest.mark.parametrize("spec", [
    {"dist": "triangular", "low": 12, "mode": 24, "high": 48},
    {"dist": "lognormal", "mu": 1.0, "sigma": 0.8},
    {"dist": "exponential", "mean": 3},
    {"dist": "uniform", "low": 0, "high": 24},
    {"dist": "beta", "a": 2, "b": 5, "low": 0, "high": 10},
    {"dist": "gamma", "shape": 2, "scale": 1.5},
    {"dist": "fixed", "value": 48},
])
def test_tabulated_inverse_cdf_matches_the_exact_one(spec):
    d = DIST.validate_python(spec)
    tables = TableSet()
    row = tables.add(d)
    tabs = tables.array()
    assert tabs.shape == (1, GRID)
    u = np.linspace(0.001, 0.999, 997)
    approx = np.array([ppf(tabs, row, float(x)) for x in u])
    exact = d.ppf(u)
    scale = max(1.0, float(np.std(d.sample(np.random.default_rng(0), 1000))))
    assert np.max(np.abs(approx - exact)) < 1e-3 * scale


def test_keyed_uniforms_are_uniform_and_independent_across_keys():
    key = subkey(np.uint64(12345), np.uint64(7))
    u = np.array([uniform(key, np.uint64(n)) for n in range(20000)])
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 4 * math.sqrt(1 / 12 / u.size)
    other = np.array([uniform(subkey(np.uint64(12345), np.uint64(8)), np.uint64(n))
                      for n in range(20000)])
    assert abs(np.corrcoef(u, other)[0, 1]) < 0.03


def test_fast_engine_is_deterministic_and_conserves_firms():
    sc = load_scenario(MINIMAL)
    for seed in (0, 5):
        a, b = fast(sc, seed), fast(sc, seed)
        for key in a.series:
            np.testing.assert_array_equal(a.series[key], b.series[key])
    c, d = fast(sc, 0), fast(sc, 1)
    assert any(not np.array_equal(c.series[k], d.series[k]) for k in c.series)
    assert_conserved(c.population)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_runs_on_the_fast_engine(path):
    sc = load_scenario(path)
    r = fast(sc, 0)
    assert_conserved(r.population)
    for t in sc.targets:
        assert np.all(np.isfinite(r.value(t.metric, t.filters, t.date)))


@pytest.mark.parametrize("engine", ["reference", "fast"])
def test_counted_flows_add_up_to_the_population(engine):
    from sim.engines import get_engine
    from tests.factory import assert_flows_add_up

    sc = load_scenario(MINIMAL)
    for seed in (0, 1):
        result = get_engine(engine)(sc, seed)
        assert_flows_add_up(result)
        assert result.flows["placed"][-1] > 0 and result.flows["granted:hnte"][-1] > 0
        assert 0 < result.cohort["graduation_share_of_exits"] < 1


def test_fast_engine_common_random_numbers_per_entity():
    """Changing a certification parameter leaves every firm's life draws untouched: the firm
    flows of the same replication are identical, only the certificate flows move."""
    sc = load_scenario(MINIMAL)
    drawn = fast(sc, 5).params
    a = fast(sc, 5, uncertainty_values=drawn)
    b = fast(sc, 5, uncertainty_values={**drawn, "hnte_success": 0.2})
    for name in ("arrivals", "placed", "graduated", "closed_in_carrier", "closed_outside",
                 "relocated", "granted:tech_firm"):
        np.testing.assert_array_equal(a.flows[name], b.flows[name], err_msg=name)
    assert b.flows["granted:hnte"][-1] < a.flows["granted:hnte"][-1]


@pytest.mark.parametrize("seed", [0, 3])
def test_statuses_and_life_outside_carriers_do_not_feed_back_into_carriers(seed):
    """The model truth benchmarks/parts.py relies on: certificates move no firm, and a firm that
    left a carrier never seeks one again, so with no certificate ever held and nothing happening
    outside carriers the carriers hold the same firms at every month. The ablations must still
    bite: no certificate is valid, nobody exits outside carriers."""
    parts = load_benchmark("parts")
    sc = load_scenario(ROOT / "scenarios" / "beibei.yaml")
    inputs = kernel_inputs(sc, seed)
    full = simulate_kernel(inputs.compiled, inputs.key, 0)
    ablated = simulate_kernel(parts.outside_off(parts.statuses_off(inputs.compiled)),
                              inputs.key, 0)
    queue, carrier, exited = (POPULATION.index(row) for row in ("queue", "carrier", "exited"))
    np.testing.assert_array_equal(full[1][[queue, carrier]], ablated[1][[queue, carrier]])
    in_inc = inputs.compiled.q_metric == M_IN_INC
    assert in_inc.any()
    np.testing.assert_array_equal(full[0][in_inc], ablated[0][in_inc])
    held = np.isin(inputs.compiled.q_metric, (M_TECH, M_HNTE))
    assert full[0][held].max() > 0 and ablated[0][held].max() == 0
    assert full[1][exited, -1] > ablated[1][exited, -1]


def test_preparation_benchmark_times_each_step_of_a_replication():
    """benchmarks/preparation.py's steps are the replication's own: the plan's draws it times
    (carriers, then arrivals, from fresh streams of the seed) are the arrivals the kernel gets,
    and every column of its table is measured."""
    from sim.model import schedule
    from sim.rng import Streams, replication

    prep = load_benchmark("preparation")
    sc = load_scenario(MINIMAL)
    seq = replication(0, 1)
    inputs = kernel_inputs(sc, seq)
    streams = Streams(seq)
    schedule.plan_carriers(inputs.scenario, streams, inputs.levers)
    arrivals = schedule.plan_arrivals(inputs.scenario, streams)
    assert arrivals.time.size > 0
    np.testing.assert_array_equal(arrivals.time, inputs.compiled.a_time)
    best = prep.time_steps(sc, 2, 1)
    assert set(best) == {"kernel", "full", "draws", "variant", "rules", "plan", "queries",
                         "arrays", "result"}
    assert all(np.isfinite(v) for v in best.values())
