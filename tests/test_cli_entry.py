"""The command line's edges (#26 classes 8-10, #25 item 13): one-line usage errors, exit 2,
bounded option values, and any console encoding."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import run_sim
from sim import PROJECT_ROOT
from sim.cli.entry import run_app
from sim.cli.outpaths import MAX_WORKERS

JIANGBEI = "scenarios/jiangbei.yaml"


@pytest.mark.parametrize(("args", "expect"), [
    (["run", JIANGBEI, "--workers", "0"], "--workers: 0: expected a whole number from 1"),
    (["run", JIANGBEI, "--workers", str(MAX_WORKERS + 1)], f"--workers: {MAX_WORKERS + 1}:"),
    (["sweep", JIANGBEI, "--workers", "1000"], "--workers: 1000:"),
    (["run", JIANGBEI, "--precision", "-0.1"], "--precision: -0.1: expected the half-width"),
    (["run", JIANGBEI, "--max-reps", "0"], "--max-reps: 0: expected a whole number from 1"),
    (["run", JIANGBEI, "--reps", "abc"], "--reps: "),
    (["run", JIANGBEI, "--engine", "bad"], "--engine: 'bad' (expected one of reference, fast)"),
    (["run", JIANGBEI, "--bogus"], "No such option: --bogus"),
    (["run"], "Missing argument"),
    (["sweep", JIANGBEI, "--lever", "area_build", "--values", "0:30:100000000"],
     "--values: 0:30:100000000: N must be at most 1,000"),
    (["run", JIANGBEI, "--seed", "-1"], "--seed: -1: expected a whole number from 0"),
    (["nosuchcommand"], "No such command"),
])
def test_usage_errors_are_one_line_and_exit_2(args: list[str], expect: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        run_app(run_sim.app, args)
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and expect in err, err
    assert "╭" not in err and "Traceback" not in err and not out


def test_a_good_command_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        run_app(run_sim.app, ["validate", JIANGBEI])
    assert stop.value.code == 0
    assert "ok" in capsys.readouterr().out


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_any_console_encoding_gets_text_not_a_traceback(encoding: str, lang: str) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    done = subprocess.run([sys.executable, "run_sim.py", "show", JIANGBEI, "--lang", lang],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(encoding, "replace")
    assert b"Traceback" not in done.stderr
    text = done.stdout.decode(encoding)  # what the console received is valid in its encoding
    assert "2021" in text and len(text) > 1000


def test_every_option_says_what_it_is_in_chinese_too() -> None:
    import re

    import typer

    from sim.cli.entry import bilingual_help

    command = bilingual_help(typer.main.get_command(run_sim.app))
    english_only = [f"{name} {p.name}" for name, sub in command.commands.items()
                    for p in sub.params if getattr(p, "help", None)
                    and not re.search(r"[\u4e00-\u9fff]", p.help)]
    assert not english_only
    assert all(re.search(r"[\u4e00-\u9fff]", sub.help or "") for sub in command.commands.values())
