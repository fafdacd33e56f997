"""Output paths are checked before any work starts; old run folders stay readable.

Every command that writes a folder refuses, in one line with exit 2, an ``--out`` that is an
existing file or runs through one, before a single replication (so nothing computed is lost);
file outputs refuse a folder. A run stored before a rule about sources changed is still read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from run_sim import app
from sim.scenario import load_scenario
from sim.summary import load_run_scenario

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = str(ROOT / "scenarios" / "examples" / "minimal.yaml")
FOLDER_COMMANDS = [["run", MINIMAL], ["sensitivity", MINIMAL], ["discover", "runs/x"],
                   ["compare", MINIMAL], ["sweep", MINIMAL], ["goal-seek", MINIMAL],
                   ["attribution", MINIMAL], ["backtest", MINIMAL], ["targets", MINIMAL],
                   ["score", MINIMAL]]


@pytest.mark.parametrize("args", FOLDER_COMMANDS, ids=lambda a: a[0])
def test_an_existing_file_as_out_folder_is_refused_first(args: list[str], tmp_path: Path) -> None:
    existing = tmp_path / "a-file"
    existing.write_text("keep me", encoding="utf-8")
    for out, what in ((existing, "is a file"), (existing / "sub", "is a file")):
        res = CliRunner().invoke(app, [*args, "--out", str(out)])
        assert res.exit_code == 2, res.output
        lines = res.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"--out: {out}: ") and what in lines[0]
    assert existing.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("args", [["report", "runs/x"], ["simulate", MINIMAL]],
                         ids=lambda a: a[0])
def test_a_folder_as_out_file_is_refused(args: list[str], tmp_path: Path) -> None:
    res = CliRunner().invoke(app, [*args, "--out", str(tmp_path)])
    assert res.exit_code == 2 and "is a folder" in res.output


def test_a_run_stored_under_older_source_rules_is_still_read(tmp_path: Path) -> None:
    data = load_scenario(MINIMAL).model_dump(mode="json", by_alias=True)
    data["targets"][0]["source"] = "facts.md: a source form of an earlier version"
    (tmp_path / "scenario.json").write_text(json.dumps(data), encoding="utf-8")
    assert load_run_scenario(tmp_path).targets[0].source.startswith("facts.md")


@pytest.mark.parametrize("args, what", [
    (["run", MINIMAL, "--reps", "1000000000"], "--reps: 1000000000: expected a whole number"),
    (["run", MINIMAL, "--reps", "0"], "--reps: 0: expected a whole number from 1"),
    (["run", MINIMAL, "--seed", "-1"], "--seed: -1: expected a whole number from 0"),
    (["compare", MINIMAL, "--reps", "1"], "--reps: 1: expected a whole number from 2"),
    (["sensitivity", MINIMAL, "--reps", "2000000"], "--reps: 2000000"),
])
def test_counts_and_seeds_out_of_range_are_one_line(args: list[str], what: str) -> None:
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and what in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_scheduler_address_is_checked_first() -> None:
    """A malformed or silent --scheduler is one line within seconds, not a traceback."""
    import socket

    for value, what in (("nonsense", "expected a dask scheduler address"),
                        ("tcp://127.0.0.1:1", "no scheduler answers there")):
        res = CliRunner().invoke(app, ["run", MINIMAL, "--backend", "dask", "--scheduler", value])
        assert res.exit_code == 2 and what in res.output
        assert len(res.output.strip().splitlines()) == 1
    with socket.socket() as listener:  # something answers: the address passes, the backend not
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
        for args in (["run", MINIMAL], ["sweep", MINIMAL, "--lever", "x", "--values", "0,1"]):
            res = CliRunner().invoke(app, [*args, "--scheduler", address])
            assert res.exit_code == 2 and "used only with --backend dask" in res.output, res.output
