"""Lever analyses: paired comparison, sweep, goal-seek, budget split, shortfall attribution."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim import analysis
from sim.analysis.goalseek import simplex_grid
from sim.analysis.stats import newcombe_difference
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "tests" / "data" / "analysis_build.yaml"
EZHOU = ROOT / "scenarios" / "ezhou.yaml"


@pytest.fixture(scope="module")
def build_sc():  # type: ignore[no-untyped-def]
    return load_scenario(BUILD)


@pytest.fixture(scope="module")
def ezhou():  # type: ignore[no-untyped-def]
    return load_scenario(EZHOU)


def _cli(*args: str):  # type: ignore[no-untyped-def]
    from run_sim import app

    return CliRunner().invoke(app, list(args))


# ------------------------------------------------------------------------------- statistics
def test_paired_interval_covers_and_beats_independent() -> None:
    """Newcombe's paired interval keeps 95% coverage on correlated pairs and is narrower."""
    rng = np.random.default_rng(7)
    n, trials, p_a, shift = 60, 1500, 0.5, 0.15
    covered = 0
    narrower = 0
    for _ in range(trials):
        u = rng.random(n)                      # one shared draw per pair: strong correlation
        a = u < p_a
        b = u < p_a + shift
        d = newcombe_difference(a, b)
        ind = newcombe_difference(a, b, paired=False)
        covered += d.low <= shift <= d.high
        narrower += (d.high - d.low) < (ind.high - ind.low)
    assert covered / trials >= 0.93
    assert narrower == trials


def test_identical_outcomes_give_a_tight_interval() -> None:
    """Two variants with the same outcome in every replication differ by ~0, tightly."""
    a = np.array([True, False] * 50)
    d = newcombe_difference(a, a.copy())
    assert d.estimate == 0.0 and d.high - d.low < 0.05


# ---------------------------------------------------------------------- compare (shipped)
def test_lever_with_known_direction_raises_p_on_every_replication(ezhou) -> None:  # type: ignore[no-untyped-def]
    """More area built a year: area at the date never falls in any replication, P rises. The
    build (40,000 m² by the date, against a 100,000 m² target) is large enough that every
    replication short of the target reaches it, so the paired interval excludes 0 whatever
    the baseline P is (at 30 replications, P_a <= 0.85 leaves >= 5 concordant gains)."""
    c = analysis.compare(ezhou, levers_b={"space_build": 20000}, targets=["area_2025"], reps=30)
    assert c.outcomes_a is not None and c.outcomes_b is not None
    va, vb = c.outcomes_a.value_of("area_2025"), c.outcomes_b.value_of("area_2025")
    unit = ezhou.levers["space_build"].effects[0].unit_area.value
    built = math.floor(20000 * 2 / unit) * unit       # two December builds, whole blocks
    np.testing.assert_allclose(vb - va, built)
    ma, mb = c.outcomes_a.met_of("area_2025"), c.outcomes_b.met_of("area_2025")
    assert np.all(mb >= ma) and mb.mean() > ma.mean()
    row = c.rows[0]
    assert row.diff.estimate > 0 and row.diff.low > 0


def test_paired_interval_narrower_than_independent_on_a_shipped_scenario(ezhou) -> None:  # type: ignore[no-untyped-def]
    """Common random numbers: the paired interval of P(B) - P(A) is narrower."""
    c = analysis.compare(ezhou, levers_b={"space_build": 4000},
                         targets=["area_2025", "carriers_2025"], reps=40)
    row = next(r for r in c.rows if r.target_id == "area_2025")
    assert 0 < row.p_a < 1 and 0 < row.p_b < 1
    assert row.diff.high - row.diff.low < row.diff_independent.high - row.diff_independent.low
    assert row.var_ratio_met < 1.0
    assert row.value_diff.high - row.value_diff.low < (row.value_diff_independent.high
                                                       - row.value_diff_independent.low)
    assert c.rows[-1].target_id == "__all__"


# ---------------------------------------------------------------------- goal-seek and sweep
def test_goal_seek_finds_the_computable_least_build_rate(build_sc) -> None:  # type: ignore[no-untyped-def]
    """Area 5,000 m² by the end of 2022 with three yearly builds: least rate 5,000 / 3."""
    g = analysis.goal_seek(build_sc, "cheap_build", ["area_2022"], p=0.8, tol=5.0, reps=3)
    assert g.found and g.status == "found" and g.answer is not None and g.below is not None
    exact = 5000.0 / 3.0
    assert g.below.value < exact <= g.answer.value <= exact + 5.0
    assert g.answer.p == 1.0 and g.below.p == 0.0
    assert math.isclose(g.answer.cost_per_year, 1000.0 * g.answer.value)
    s = g.summary()
    assert s["found"] is True and s["value"] == g.answer.value


def test_goal_seek_reports_no_solution_within_bounds(build_sc) -> None:  # type: ignore[no-untyped-def]
    """At most 30,000 m² by 2022 from cheap_build alone: 50,000 is out of reach."""
    g = analysis.goal_seek(build_sc, "cheap_build", ["area_far"], p=0.8, reps=2)
    assert not g.found and g.answer is None
    assert g.status == "not_reachable_within_bounds"
    assert "no value of cheap_build" in g.message and "10000" in g.message
    assert g.summary()["found"] is False and g.summary()["p_at_upper_bound"] == 0.0


def test_goal_seek_cli_states_no_solution_clearly(tmp_path: Path) -> None:
    """Exit 0, a clearly worded line, and found=false in the JSON."""
    res = _cli("goal-seek", str(BUILD), "--target", "area_far", "--p", "0.8", "--lever",
               "cheap_build", "--reps", "2", "--backend", "serial", "--out", str(tmp_path),
               "--lang", "en")
    assert res.exit_code == 0, res.output
    assert "NO SOLUTION" in res.output
    data = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert data["found"] is False and data["status"] == "not_reachable_within_bounds"
    assert (tmp_path / "goal_seek.csv").is_file() and (tmp_path / "plots/goal_seek.png").is_file()


def test_sweep_moves_p_with_the_lever_and_costs_what_it_spends(build_sc) -> None:  # type: ignore[no-untyped-def]
    """P(area_2022) is 0 below 5,000/3 m² a year and 1 above; spend = cost x years."""
    s = analysis.sweep(build_sc, ["cheap_build"], [[1000, 1500, 2000, 3000]],
                       targets=["area_2022"], reps=2)
    rows = s.of("area_2022")
    assert [r["p"] for r in rows] == [0.0, 0.0, 1.0, 1.0]
    years = build_sc.end_of_day(build_sc.targets[0].date)          # model years to the date
    for r in rows:
        assert math.isclose(r["spend_mean"], 1000.0 * r["cheap_build"] * years, rel_tol=1e-6)
    grid = analysis.sweep(build_sc, ["cheap_build", "dear_build"], [[0, 2000], [0, 2000]],
                          targets=["area_2022"], reps=2)
    assert grid.p_grid("area_2022").tolist() == [[0.0, 1.0], [1.0, 1.0]]


# ------------------------------------------------------------------------------ budget split
def test_simplex_grid_shares_sum_to_one() -> None:
    """Every grid point is a split of the whole budget."""
    pts = simplex_grid(3, 4)
    assert len(pts) == 15 and all(math.isclose(sum(p), 1.0) for p in pts)


def test_budget_split_never_exceeds_the_budget_and_buys_the_cheap_lever(build_sc) -> None:  # type: ignore[no-untyped-def]
    """2 million yuan a year: on cheap building (1,000 yuan/m²) it reaches 5,000 m²."""
    budget = 2.0e6
    b = analysis.budget_split(build_sc, budget, ["cheap_build", "dear_build"], ["area_2022"],
                              grid=4, refine=2, reps=2)
    assert b.best is not None and len(b.splits) >= 5
    for s in b.splits:
        assert sum(s.yuan) <= budget * (1 + 1e-9)
        for name, v in zip(b.levers, s.values, strict=True):
            lo, hi = build_sc.levers[name].bounds
            assert lo <= v <= hi
    assert b.best.p == 1.0 and b.best.shares[0] >= 0.75
    tiny = analysis.budget_split(build_sc, 1.0e6, ["cheap_build", "dear_build"],
                                 ["area_2022"], grid=2, refine=1, reps=2)
    assert tiny.best is not None and tiny.best.p == 0.0   # 1,000 m² a year is not enough
    assert all(sum(s.yuan) <= 1.0e6 * (1 + 1e-9) for s in tiny.splits)


# --------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("args, needle", [
    (["compare", str(EZHOU), "--set", "nope=1"], "unknown lever 'nope'"),
    (["compare", str(EZHOU), "--set", "space_build=-5"], "outside its bounds"),
    (["compare", str(EZHOU), "--set", "space_build=lots"], "LEVER=NUMBER"),
    (["compare", str(EZHOU)], "nothing to compare"),
    (["sweep", str(EZHOU), "--lever", "nope", "--values", "1,2"], "unknown lever 'nope'"),
    (["sweep", str(EZHOU), "--lever", "space_build", "--values", "1,x"], "'x' is not a number"),
    (["sweep", str(EZHOU), "--lever", "space_build", "--values", "0,1e9"], "outside its bounds"),
    (["goal-seek", str(EZHOU), "--target", "area_2025", "--lever", "nope"], "unknown lever"),
    (["goal-seek", str(EZHOU), "--target", "nope", "--lever", "space_build"], "unknown target"),
    (["goal-seek", str(EZHOU), "--target", "area_2025", "--lever", "space_build", "--p", "1.5"],
     "strictly between 0 and 1"),
    (["goal-seek", str(EZHOU), "--target", "area_2025", "--budget", "1e6", "--levers",
      "space_build,nope"], "unknown lever 'nope'"),
    (["attribution", str(EZHOU), "--target", "nope"], "unknown target"),
    (["compare", str(EZHOU), "--set", "space_build=1", "--engine", "warp"], "--engine"),
])
def test_bad_lever_or_target_exits_2_with_one_clear_line(args: list[str], needle: str) -> None:
    """Bad names and values: exit 2, the message names the problem, no traceback."""
    res = _cli(*args, "--reps", "2", "--backend", "serial")
    assert res.exit_code == 2, res.output
    assert needle in res.output
    assert "Traceback" not in res.output


# ------------------------------------------------------------------------------ attribution
def test_attribution_identity_adds_up_on_a_queue(tmp_path: Path) -> None:
    """Erlang-loss maker space: in carriers = placed - dissolved (closed), exactly; turned-away
    teams are counted; the contributions add up to the met/missed difference."""
    from sim.scenario import with_changes
    from tests.factory import queue_scenario

    stay = {"rate": {"value": 2.0, "source": "assumption: test"}}
    sc = queue_scenario(rate=40.0, slots=10, stay=stay, years=2)
    sc = with_changes(sc, {"targets.t.value": 10})
    out = analysis.Evaluator(sc, 40, extra_queries=(), engine="fast")({})
    if not getattr(out, "flows", None):
        pytest.skip("the engine does not record flows yet")
    res = analysis.attribute(sc, "t", out)
    rows = {r["flow"]: r for r in res.rows}
    assert res.has_identity and res.n_missed > 0
    assert abs(rows["other"]["mean_missed"]) < 1e-9
    assert rows["refused"]["mean_missed"] > 0
    if res.n_missed < res.n:
        total = sum(r["contribution"] for r in res.rows if r["role"] == "identity")
        assert math.isclose(total, res.value_met - res.value_missed, abs_tol=1e-9)
