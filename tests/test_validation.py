"""The engine-comparison machinery: Holm, power, and that it separates what differs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engines.reference import simulate
from sim.validation import checkpoints, compare, holm, required_reps, sample, sample_parallel
from tests.factory import q, queue_scenario


def test_holm_step_down():
    assert holm([0.01, 0.04, 0.03, 0.2], 0.05) == [True, False, False, False]
    assert holm([0.001, 0.01, 0.02], 0.05) == [True, True, True]
    assert holm([0.5], 0.05) == [False]


def test_required_reps_textbook_value():
    # two-sided 5%, power 0.8, d = 0.1: n = 2 (1.96 + 0.84)^2 / 0.01 = 1570
    assert required_reps(0.1) == pytest.approx(1570, abs=2)
    assert required_reps(0.1, tests=10) > required_reps(0.1)


def test_compare_accepts_same_model_and_rejects_a_shift():
    rng = np.random.default_rng(0)
    same = compare({"x": rng.normal(0, 1, 2000)}, {"x": rng.normal(0, 1, 2000)}, alpha=0.01)
    assert not same[0].rejected
    shifted = compare({"x": rng.normal(0, 1, 2000)}, {"x": rng.normal(0.15, 1, 2000)})
    assert shifted[0].rejected


def test_reference_engine_against_itself_and_a_perturbed_scenario():
    """Same scenario, disjoint replications: indistinguishable. A 25% faster service rate is
    a shift of several SD in mean occupancy: it must be told apart."""
    base = queue_scenario(rate=30.0, slots=200, stay={"rate": q(2.0)}, years=2)
    faster = queue_scenario(rate=30.0, slots=200, stay={"rate": q(2.5)}, years=2)
    points = checkpoints(base)
    a = sample(simulate, base, 60, root_seed=1, points=points)
    b = sample(simulate, base, 60, root_seed=1, points=points, first_rep=60)
    c = sample(simulate, faster, 60, root_seed=1, points=points, first_rep=60)
    assert not any(t.rejected for t in compare(a, b, alpha=0.01))
    assert any(t.rejected for t in compare(a, c))


def test_paired_comparison_power_and_decisions_follow_from_the_differences():
    """Pairs that share most of their variation: the paired test's detectable shift is that of
    the differences' SD (z * sd_diff / sqrt(n) / sd), far below the unpaired one; a shift of
    0.1 SD is then rejected, and identical pairs are not."""
    from scipy import stats

    from sim.validation import compare_paired

    rng = np.random.default_rng(4)
    n = 400
    common = rng.normal(0, 1, n)
    noise = rng.normal(0, 0.1, (2, n))
    a = {"x": common + noise[0], "same": common, "constant_gap": common}
    b = {"x": common + noise[1] + 0.1, "same": common.copy(), "constant_gap": common + 0.5}
    rows = {r.key: r for r in compare_paired(a, b)}
    x = rows["x"]
    z = stats.norm.ppf(1 - 0.05 / 6 / 2) + stats.norm.ppf(0.8)
    d = b["x"] - a["x"]
    assert x.detectable == pytest.approx(z * d.std(ddof=1) / np.sqrt(n) / x.sd_pooled)
    assert x.detectable < 0.05 < z * np.sqrt(2 / n)  # the unpaired test would need ~0.2 SD
    assert x.rejected
    assert not rows["same"].rejected and rows["same"].detectable == 0.0
    assert rows["constant_gap"].rejected
    with pytest.raises(ValueError, match="cannot be paired"):
        compare_paired({"x": np.zeros(3)}, {"x": np.zeros(4)})


def test_sample_in_pieces_equals_one_sample_on_any_backend():
    """A stored sample extended piece by piece (``first_rep``) holds the same replications as
    one sample, whatever the backend and chunking: replication i always uses seed (root, i)."""
    sc = queue_scenario(rate=8.0, slots=4, stay={"rate": q(1.0)}, years=2)
    points = checkpoints(sc)
    whole = sample(simulate, sc, 7, 5, points)
    first = sample_parallel("reference", sc, 3, 5, points, backend="serial", chunk=2)
    rest = sample_parallel("reference", sc, 4, 5, points, backend="processes", workers=2,
                           chunk=3, first_rep=3)
    for key, values in whole.items():
        assert np.array_equal(np.concatenate([first[key], rest[key]]), values), key
