"""PRIM (sim.sensitivity.prim): planted boxes, hand-worked steps, quasi-p values, covering."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import binom

from sim.sensitivity.prim import Prim


def test_first_peel_removes_the_share_that_raises_density_most() -> None:
    # 20 cases on one factor 0..19; cases of interest are the top 10: peeling the lowest 5%
    # (one case, not of interest) raises density most per case removed.
    x = np.arange(20, dtype=float)[:, None]
    y = x[:, 0] >= 10
    p = Prim(x, y, peel_alpha=0.05, mass_min=0.05)
    box = p.find_box()
    assert box is not None
    first, second = box.steps[0], box.steps[1]
    assert (first.coverage, first.density, first.mass) == (1.0, 0.5, 1.0)
    assert second.low[0] == 1.0 and second.high[0] == 19.0
    assert second.density == pytest.approx(10 / 19) and second.mass == pytest.approx(19 / 20)
    # peeling goes on until the box holds only cases of interest
    last = box.steps[-1]
    assert last.density == 1.0 and last.coverage == 1.0 and last.low[0] == 10.0


def test_mass_min_bounds_every_step() -> None:
    rng = np.random.default_rng(3)
    x = rng.random((400, 3))
    y = rng.random(400) < 0.3  # pure noise: peeling can only chase chance
    p = Prim(x, y, mass_min=0.2)
    box = p.find_box()
    assert box is not None
    assert all(s.mass >= 0.2 - 1e-12 for s in box.steps)
    assert min(s.mass for s in box.steps) < 0.2 + 0.05 * 1.2  # it peeled down to the bound


def test_steps_are_nested_while_peeling() -> None:
    rng = np.random.default_rng(5)
    x = rng.random((600, 4))
    y = (x[:, 0] > 0.5) & (x[:, 2] < 0.5)
    box = Prim(x, y, paste_alpha=0.05).find_box()
    assert box is not None
    peeled = box.steps[:-1]
    for a, b in itertools.pairwise(peeled):
        assert np.all(b.low >= a.low) and np.all(b.high <= a.high)
        assert b.mass < a.mass


def test_planted_box_is_found_with_only_its_factors() -> None:
    rng = np.random.default_rng(7)
    x = rng.random((2000, 6))
    y = (x[:, 1] > 0.7) & (x[:, 4] < 0.4)
    p = Prim(x, y)
    box = p.find_box()
    assert box is not None
    best = max(range(len(box.steps)), key=lambda i: (box.steps[i].density, box.steps[i].coverage))
    s = box.steps[best]
    assert s.density == 1.0 and s.coverage > 0.9
    restricted = set(np.flatnonzero((s.low > p.full_low) | (s.high < p.full_high)))
    assert restricted == {1, 4}
    assert s.low[1] == pytest.approx(0.7, abs=0.03) and s.high[4] == pytest.approx(0.4, abs=0.03)


def test_quasi_p_matches_the_binomial_by_hand() -> None:
    rng = np.random.default_rng(9)
    x = rng.random((500, 3))
    y = (x[:, 0] > 0.6) & (rng.random(500) < 0.9)
    p = Prim(x, y)
    box = p.find_box()
    assert box is not None
    i = max(range(len(box.steps)), key=lambda k: box.steps[k].density)
    s = box.steps[i]
    qp = p.quasi_p(box, i)
    inside = np.all((x >= s.low) & (x <= s.high), axis=1)
    for j in range(3):
        if s.low[j] <= p.full_low[j] and s.high[j] >= p.full_high[j]:
            assert np.isnan(qp[j])
            continue
        lo, hi = s.low.copy(), s.high.copy()
        lo[j], hi[j] = p.full_low[j], p.full_high[j]
        wider = np.all((x >= lo) & (x <= hi), axis=1)
        expect = binom.sf(y[inside].sum() - 1, inside.sum(), y[wider].mean())
        assert qp[j] == pytest.approx(expect, rel=1e-12)
    assert qp[0] < 1e-6  # the real restriction is far beyond chance


def test_pasting_never_lowers_density_and_raises_coverage() -> None:
    rng = np.random.default_rng(13)
    x = rng.random((800, 2))
    y = x[:, 0] > 0.5
    p = Prim(x, y, peel_alpha=0.2, paste_alpha=0.01)
    box = p.find_box()
    assert box is not None
    # with big peels the last peel overshoots the edge at 0.5; pasting brings it back
    assert box.steps[-1].density == 1.0
    assert box.steps[-1].low[0] == pytest.approx(0.5, abs=0.02)


def test_covering_finds_a_second_box_among_the_remaining_cases() -> None:
    rng = np.random.default_rng(17)
    x = rng.random((3000, 3))
    a = (x[:, 0] > 0.6) & (x[:, 1] > 0.6)
    b = (x[:, 0] < 0.3) & (x[:, 2] < 0.2)  # PRIM is greedy: a second box it can reach by peeling
    y = a | b
    p = Prim(x, y)
    found = []
    for _ in range(2):
        box = p.find_box()
        assert box is not None
        i = max(range(len(box.steps)), key=lambda k: (box.steps[k].density, box.steps[k].coverage))
        found.append(box.steps[i])
        p.take(box, i)
    assert all(s.density > 0.95 for s in found)
    first, second = (set(np.flatnonzero((s.low > p.full_low) | (s.high < p.full_high)))
                     for s in found)
    assert (first, second) == ({0, 1}, {0, 2})
    assert sum(s.coverage for s in found) > 0.9  # shares of all cases of interest
    assert not p.remaining[a & (x[:, 0] > 0.62) & (x[:, 1] > 0.62)].any()


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        Prim(np.array([[np.nan]]), np.array([True]))
    with pytest.raises(ValueError, match="alphas"):
        Prim(np.zeros((2, 1)), np.array([True, False]), peel_alpha=0)
    assert Prim(np.zeros((3, 1)), np.zeros(3, dtype=bool)).find_box() is None


def test_chance_check_flags_noise_and_passes_a_real_box() -> None:
    """On pure noise the permutation p is uniform, so a box is flagged with probability >= 0.95
    in each of 6 independent data sets; fewer than 4 flags has probability about 0.002."""
    import pandas as pd

    from sim.sensitivity.discovery import SHUFFLES, find_boxes

    flagged = 0
    for seed in range(6):
        rng = np.random.default_rng(seed)
        x = pd.DataFrame(rng.random((120, 3)), columns=[f"u:f{i}" for i in range(3)])
        (nbox,) = find_boxes(x, rng.random(120) < 0.3, min_coverage=0.5, check_chance=True)
        flagged += nbox.may_be_chance
    assert flagged >= 4
    rng = np.random.default_rng(21)
    x = pd.DataFrame(rng.random((300, 4)), columns=[f"u:f{i}" for i in range(4)])
    real = (x["u:f2"] > 0.5).to_numpy() & (rng.random(300) < 0.8)
    (rbox,) = find_boxes(x, real, min_coverage=0.5, check_chance=True)
    assert rbox.chance_p == pytest.approx(1 / (1 + SHUFFLES)) and not rbox.may_be_chance
