"""The backtest: scores with exact answers, the naive forecaster, and the command's outputs."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from sim.calibration.backtest import (
    BacktestError,
    check_no_leak,
    crps_ensemble,
    naive_forecast,
    pit,
)
from sim.calibration.figures import read_figures
from sim.scenario import load_scenario, to_data, validate_data

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("id,region,metric,filters,date,value,kind,source_title,source_url,source_date,"
          "passage,confidence,use,note\n")


def test_crps_of_an_ensemble_has_its_exact_values() -> None:
    """Two points 0 and 1, observation 0.5: E|X-y| = 0.5, E|X-X'|/2 = 0.25, CRPS 0.25; a
    large normal sample approaches the closed form sigma (z(2Phi(z)-1) + 2phi(z) - 1/sqrt(pi))
    within 4 of its standard errors (estimated from independent samples)."""
    assert crps_ensemble(np.array([0.0, 1.0]), 0.5) == pytest.approx(0.25)
    assert crps_ensemble(np.array([3.0]), 5.0) == pytest.approx(2.0)
    y, z = 0.7, 0.7
    exact = z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
    rng = np.random.default_rng(0)
    draws = [crps_ensemble(rng.normal(size=2000), y) for _ in range(40)]
    se = np.std(draws, ddof=1) / math.sqrt(len(draws))
    assert abs(np.mean(draws) - exact) < 4 * se + 1e-3


def test_pit_counts_ties_half() -> None:
    assert pit(np.array([1.0, 2.0, 3.0, 4.0]), 2.0) == pytest.approx(0.375)
    assert pit(np.array([1.0, 2.0]), 0.0) == 0.0 and pit(np.array([1.0, 2.0]), 9.0) == 1.0


def _record(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "record.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_naive_forecaster_extrapolates_the_series_from_before_the_cutoff(tmp_path: Path) -> None:
    """The line through the last two earlier figures; persistence of one; none for a flow
    without an earlier flow."""
    sc = load_scenario(ROOT / "scenarios" / "ezhou.yaml")  # cut-off 2023-12-31
    figs = read_figures(_record(tmp_path, [
        "a,鄂州市,hnte_valid,,2021-12-31,100,stock,t,http://x,,,high,evidence,",
        "b,鄂州市,hnte_valid,,2022-12-31,200,stock,t,http://x,,,high,evidence,",
        "c,鄂州市,hnte_valid,,2024-12-31,300,stock,t,http://x,,,high,evidence,",
        "d,鄂州市,tech_firms_valid,,2022-12-31,500,stock,t,http://x,,,high,evidence,",
        "e,鄂州市,tech_firms_valid,,2025-12-31,900,stock,t,http://x,,,high,evidence,",
        "f,鄂州市,carriers,,2025-01-01/2025-12-31,3,flow,t,http://x,,,high,evidence,",
    ]))
    by = {f.id: f for f in figs}
    growth = naive_forecast(by["c"], figs, sc, None)
    assert growth is not None and growth.value == pytest.approx(200 + 100 * 731 / 365)
    persist = naive_forecast(by["e"], figs, sc, None)
    assert persist is not None and persist.value == 500 and "persistence" in persist.how
    assert naive_forecast(by["f"], figs, sc, None) is None


def test_backtest_command_writes_the_table_and_lists_what_it_cannot_simulate(
        tmp_path: Path) -> None:
    """Figures after the cut-off are set beside the simulation; earlier ones, other regions
    and metrics outside the model are listed, not dropped; the CSV opens in Excel (BOM)."""
    from run_sim import app

    record = _record(tmp_path, [
        "old,鄂州市,hnte_valid,,2022-12-31,225,stock,t,http://x,,,high,evidence,",
        "new,鄂州市,hnte_valid,,2025-06-30,330,stock,t,http://x,,,medium,evidence,",
        "area,鄂州市,area,,2025-12-31,90000,stock,t,http://x,,,medium,evidence,",
        "lg,鄂州市,little_giants,,2025-12-31,5,stock,t,http://x,,,medium,evidence,",
        "far,鄂州市,hnte_valid,,2030-12-31,500,stock,t,http://x,,,medium,evidence,",
        "hb,湖北省,hnte_valid,,2025-12-31,30000,stock,t,http://x,,,medium,evidence,",
    ])
    res = CliRunner().invoke(app, ["backtest", str(ROOT / "scenarios" / "ezhou.yaml"),
                                   "--data", str(record), "--reps", "6", "--backend",
                                   "serial", "--out", str(tmp_path / "run"), "--lang", "en"])
    assert res.exit_code == 0, res.output
    folder = tmp_path / "run" / "backtest"
    raw = (folder / "backtest.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = {r["figure_id"]: r for r in csv.DictReader(raw.decode("utf-8-sig").splitlines())}
    assert rows["new"]["status"] == rows["area"]["status"] == "simulated"
    assert rows["new"]["naive_how"].startswith("persistence of old")
    for fid, why in (("lg", "outside the model"), ("far", "after the horizon"),
                     ("hb", "not 湖北省鄂州市")):
        assert rows[fid]["status"] == "not simulated" and why in rows[fid]["reason"], fid
    assert "old" not in rows
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["figures"] == 2 and 0 <= summary["coverage_90"] <= 1
    assert summary["inside_90"] + summary["below_90"] + summary["above_90"] == 2
    assert (folder / "README.md").is_file() and list((folder / "plots").glob("*.png"))


def test_a_parameter_fitted_past_the_cutoff_is_refused() -> None:
    """A backtest on parameters fitted to the figures it tests would be circular."""
    sc = load_scenario(ROOT / "scenarios" / "ezhou.yaml")
    data = to_data(sc)
    data["statuses"]["hnte"]["p_success"]["source"] = (
        "calibration/params/x.yaml: fitted by smm on d.csv, figures to the cut-off 2025-06-30 "
        "(2026-01-01)")
    leaky = validate_data(data)
    with pytest.raises(BacktestError, match="after the scenario's calibration cut-off"):
        check_no_leak(leaky)
    check_no_leak(sc)
