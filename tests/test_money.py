"""Money in one unit for readers, 万元 (#25 item 6); yuan stays in files and scenarios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import run_sim
from sim import PROJECT_ROOT
from sim.analysis.plots import TEXT
from sim.cli.entry import run_app
from sim.money import money_unit, wan, yuan_from_wan

MINIMAL = str(PROJECT_ROOT / "scenarios" / "examples" / "minimal.yaml")


def test_units() -> None:
    assert wan(2_500_000.0) == 250.0 and yuan_from_wan(250.0) == 2_500_000.0
    assert np.allclose(wan(np.array([1e4, 5e4])), [1.0, 5.0])
    assert money_unit("zh") == "万元" and money_unit("zh", per_year=True) == "万元/年"
    assert "万元" in TEXT["spend"][0] and "10k yuan" in TEXT["spend"][1]  # the frontier axis


def test_compare_shows_the_cost_of_b_over_a(tmp_path: Path) -> None:
    res = CliRunner().invoke(run_sim.app, [
        "compare", MINIMAL, "--set", "attraction=10", "--reps", "2", "--backend", "serial",
        "--out", str(tmp_path / "cmp"), "--lang", "zh"])
    assert res.exit_code == 0, res.output
    assert "投入之差" in res.output and "万元" in res.output


def test_a_budget_is_given_once(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        run_app(run_sim.app, ["goal-seek", MINIMAL, "--target", "area_2026", "--budget", "1e6",
                              "--budget-wan", "100", "--levers", "attraction"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("--budget-wan: 100:")
