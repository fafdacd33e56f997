"""The planner's questions of 2026: how plans ended (score), a mid-term review (update), and
targets for the next plan (targets)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from sim.analysis.next_targets import extend_horizon, quantile_interval, round_for_plan
from sim.calibration.score import Outcome, brier, judge, read_outcomes
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------------- score
def test_brier_decomposition_holds_when_forecasts_are_constant_within_bins() -> None:
    """BS = reliability - resolution + uncertainty (Murphy), exact for binned forecasts."""
    rng = np.random.default_rng(0)
    p = (np.floor(rng.random(400) * 10) + 0.5) / 10  # the ten bins' centres
    o = (rng.random(400) < p).astype(float)
    b = brier(p, o)
    assert b["brier"] == pytest.approx(b["reliability"] - b["resolution"] + b["uncertainty"])
    assert brier(np.full(10, 0.5), np.array([1.0] * 5 + [0.0] * 5))["brier"] == 0.25


def test_a_published_value_decides_only_at_the_date_or_for_a_cumulative_metric() -> None:
    sc = load_scenario(ROOT / "scenarios" / "beibei.yaml")
    by_id = {t.id: t for t in sc.targets}

    def outcome(value: float, date: dt.date) -> Outcome:
        return Outcome("x", "value", value, date, "t", "u", "high", "")

    # a stock read before the date leaves the outcome open, even above the threshold
    met, how = judge(outcome(484, dt.date(2025, 3, 31)), by_id["hnte_2025"], 470)
    assert met is None and "interim" in how
    assert judge(outcome(480, dt.date(2025, 12, 31)), by_id["hnte_2025"], 470)[0] is True
    # a cumulative count that already meets its target is met for good
    assert judge(outcome(4600, dt.date(2025, 3, 31)), by_id["tech_firms_2025"], 4500)[0] is True
    assert judge(outcome(4091, dt.date(2025, 3, 31)), by_id["tech_firms_2025"], 4500)[0] is None


def test_shipped_outcome_files_read() -> None:
    for path in sorted((ROOT / "calibration" / "outcomes").glob("*.csv")):
        rows = read_outcomes(path)
        sc = load_scenario(ROOT / "scenarios" / f"{path.stem}.yaml")
        assert [r.target_id for r in rows] == [t.id for t in sc.targets], path.name


def test_score_command(tmp_path: Path) -> None:
    """Shijingshan's district HNTE target is published as met; the rest are listed as not
    public; the Brier score covers only known outcomes."""
    from run_sim import app

    res = CliRunner().invoke(app, ["score", str(ROOT / "scenarios" / "shijingshan.yaml"),
                                   "--reps", "8", "--backend", "serial", "--out",
                                   str(tmp_path / "score"), "--lang", "en"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader((tmp_path / "score" / "score.csv").read_text(
        encoding="utf-8-sig").splitlines()))
    by_id = {r["target_id"]: r for r in rows}
    assert by_id["hnte_district_2025"]["outcome"] == "met"
    assert by_id["area_2025"]["outcome"] == "unknown"
    summary = json.loads((tmp_path / "score" / "summary.json").read_text(encoding="utf-8"))
    assert summary["known"] == 1 and summary["always_50"]["brier"] == 0.25
    assert (tmp_path / "score" / "plots" / "reliability.png").is_file()


# --------------------------------------------------------------------------------- targets
def test_quantile_interval_covers_the_true_quantile() -> None:
    """The order-statistic 95% interval of the 0.2 quantile of Exp(1) covers the true value
    in at least ~93% of 300 samples of 200 (binomial ranks give >= 95% up to discreteness;
    the margin is 3 binomial standard errors of the coverage estimate)."""
    rng = np.random.default_rng(3)
    truth = -np.log(0.8)
    hits = 0
    for _ in range(300):
        _, lo, hi = quantile_interval(rng.exponential(size=200), 0.2)
        hits += lo <= truth <= hi
    assert hits / 300 >= 0.95 - 3 * np.sqrt(0.95 * 0.05 / 300)


def test_round_for_plan_and_extend_horizon() -> None:
    assert round_for_plan(4567.8) == 4500 and round_for_plan(987) == 980
    assert round_for_plan(7.4) == 7
    sc = load_scenario(ROOT / "scenarios" / "ezhou.yaml")
    longer = extend_horizon(sc, dt.date(2030, 12, 31))
    assert longer.meta.horizon_end == dt.date(2030, 12, 31)
    assert [t.id for t in longer.targets] == [t.id for t in sc.targets]
    assert extend_horizon(sc, dt.date(2025, 6, 30)) is sc


def test_targets_command_writes_a_table_and_a_targets_block(tmp_path: Path) -> None:
    """Values reached by 2030 with P = 0.5 / 0.8 / 0.95 (higher P, lower value), against a
    lever on common random numbers; the YAML block loads."""
    from run_sim import app

    out = tmp_path / "t"
    res = CliRunner().invoke(app, [
        "targets", str(ROOT / "scenarios" / "ezhou.yaml"), "--metric", "hnte_valid",
        "--date", "2030-12-31", "--lever", "attraction", "--values", "0,20", "--reps", "12",
        "--backend", "serial", "--out", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader((out / "targets.csv").read_text(encoding="utf-8-sig")
                               .splitlines()))
    base = [float(r["value"]) for r in rows if r["lever_value"] == "0.0"]
    assert base == sorted(base, reverse=True) and len(base) == 3
    more = [float(r["value"]) for r in rows if r["lever_value"] == "20.0"]
    assert more[1] >= base[1]  # attraction brings HNTE: never fewer on the same futures
    block = yaml.safe_load((out / "targets.yaml").read_text(encoding="utf-8"))
    assert block["targets"][0]["metric"] == "hnte_valid"
    assert block["targets"][0]["date"] == "2030-12-31"


@pytest.mark.parametrize(("args", "what"), [
    (["--metric", "castles", "--date", "2030-12-31"], "--metric: 'castles'"),
    (["--metric", "hnte_valid", "--date", "2030-12-31", "--p", "1.5"], "--p:"),
    (["--metric", "hnte_valid", "--date", "2099-12-31"], "--date:"),
    (["--metric", "hnte_valid", "--date", "2030-12-31", "--lever", "nope", "--values", "1"],
     "unknown lever"),
])
def test_targets_bad_input_is_one_line(args: list[str], what: str) -> None:
    from run_sim import app

    res = CliRunner().invoke(app, ["targets", str(ROOT / "scenarios" / "ezhou.yaml"), *args,
                                   "--reps", "2", "--backend", "serial"])
    assert res.exit_code == 2 and what in res.output and "Traceback" not in res.output


# ---------------------------------------------------------------------------------- update
def test_update_writes_a_scenario_that_starts_from_the_observed_state(tmp_path: Path) -> None:
    """Beibei from its 2025 Q1 figures: the database count and the HNTE stock are the
    observed ones at the new start, the rest carried; the later targets stay; it runs."""
    from run_sim import app
    from sim.engines.fast import simulate

    out = tmp_path / "beibei-midterm.yaml"
    res = CliRunner().invoke(app, ["update", str(ROOT / "scenarios" / "beibei.yaml"),
                                   "--at", "2025-03-31", "--out", str(out), "--reps", "6",
                                   "--backend", "serial"])
    assert res.exit_code == 0, res.output
    sc = load_scenario(out)
    assert sc.meta.start == dt.date(2025, 4, 1)
    assert sc.statuses["tech_firm"].registered_at_start.value == 4091
    r = simulate(sc, 0)
    assert r.series["hnte_valid"][0] == pytest.approx(484, abs=2)
    assert r.series["tech_firms_registered_cum"][0] == 4091
    assert {t.id for t in sc.targets} >= {"hnte_2025", "tech_firms_2027"}
    assert "bb_hnte_2025q1" in out.read_text(encoding="utf-8")


def test_update_bad_date_is_one_line(tmp_path: Path) -> None:
    from run_sim import app

    res = CliRunner().invoke(app, ["update", str(ROOT / "scenarios" / "ezhou.yaml"), "--at",
                                   "2030-01-01", "--out", str(tmp_path / "x.yaml")])
    assert res.exit_code == 2 and "--at: 2030-01-01" in res.output
    assert not (tmp_path / "x.yaml").exists()


def test_update_missing_data_file_is_one_line(tmp_path: Path) -> None:
    """A --data that does not exist is refused before any work, not read as an empty record."""
    from run_sim import app

    res = CliRunner().invoke(app, ["update", str(ROOT / "scenarios" / "beibei.yaml"), "--at",
                                   "2025-03-31", "--data", str(tmp_path / "none.csv"), "--out",
                                   str(tmp_path / "x.yaml")])
    assert res.exit_code == 2 and "--data:" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "x.yaml").exists()


def test_score_missing_scenario_is_one_line(tmp_path: Path) -> None:
    from run_sim import app

    res = CliRunner().invoke(app, ["score", str(tmp_path / "none.yaml"), "--reps", "2",
                                   "--out", str(tmp_path / "score")])
    assert res.exit_code == 2 and "file not found" in res.output
    assert not (tmp_path / "score").exists()


def test_shipped_midterm_starts_from_the_published_figures() -> None:
    """scenarios/beibei-midterm.yaml (written by update) starts at 2025-04-01 from the 2025 Q1
    database count and HNTE stock, and keeps Beibei's 2027 targets."""
    from sim.engines.fast import simulate

    sc = load_scenario(ROOT / "scenarios" / "beibei-midterm.yaml")
    assert sc.meta.start == dt.date(2025, 4, 1)
    r = simulate(sc, 0)
    assert r.series["tech_firms_registered_cum"][0] == 4091
    assert r.series["hnte_valid"][0] == pytest.approx(484, abs=2)
    original = {t.id for t in load_scenario(ROOT / "scenarios" / "beibei.yaml").targets}
    assert {t.id for t in sc.targets} == original
