"""Every CSV we write opens in Excel on Chinese Windows with readable labels (#25 item 12):
UTF-8 with a byte-order mark."""

from __future__ import annotations

import codecs
from pathlib import Path

from typer.testing import CliRunner

from run_sim import app
from sim import PROJECT_ROOT
from sim.cli.commands import summarize_run
from sim.experiment import RunConfig, run_experiment
from sim.scenario import load_scenario

MINIMAL = PROJECT_ROOT / "scenarios" / "examples" / "minimal.yaml"


def test_run_and_one_replication_csvs_start_with_a_bom(tmp_path: Path) -> None:
    out = tmp_path / "run"
    run_experiment(load_scenario(MINIMAL), out, RunConfig(reps=3, backend="serial"))
    summarize_run(out, "zh")
    one = tmp_path / "one.csv"
    res = CliRunner().invoke(app, ["simulate", str(MINIMAL), "--out", str(one), "--lang", "en"])
    assert res.exit_code == 0, res.output
    sweep = tmp_path / "sweep"
    res = CliRunner().invoke(app, ["sweep", str(MINIMAL), "--lever", "attraction", "--values",
                                   "0,10", "--reps", "2", "--backend", "serial", "--out",
                                   str(sweep), "--lang", "zh"])
    assert res.exit_code == 0, res.output
    written = [out / "attainment.csv", one, *sweep.rglob("*.csv")]
    assert len(written) >= 3
    for path in written:
        head = path.read_bytes()[:3]
        assert head == codecs.BOM_UTF8, path
