"""The engine-comparison machinery: Holm, power, and that it separates what differs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engines.reference import simulate
from sim.validation import checkpoints, compare, holm, required_reps, sample
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
