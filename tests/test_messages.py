"""One message catalogue, Chinese and English (#25 item 4)."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from typer.testing import CliRunner

import run_sim
from sim import PROJECT_ROOT
from sim.messages import MESSAGES

MINIMAL = str(PROJECT_ROOT / "scenarios" / "examples" / "minimal.yaml")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_message_has_both_languages_with_the_same_fields() -> None:
    for key, (zh, en) in MESSAGES.items():
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key
        assert any("\u4e00" <= c <= "\u9fff" for c in zh), key  # the Chinese one is Chinese


def test_goal_seek_and_attribution_speak_chinese(tmp_path: Path) -> None:
    seek = CliRunner().invoke(run_sim.app, [
        "goal-seek", MINIMAL, "--target", "area_2026", "--p", "0.8", "--lever", "attraction",
        "--reps", "2", "--backend", "serial", "--out", str(tmp_path / "seek"), "--lang", "zh"])
    assert seek.exit_code == 0, seek.output
    assert ("结果:" in seek.output or "无解:" in seek.output) and "least" not in seek.output
    assert "goal-seek attraction for" not in seek.output and "以点估计判断" in seek.output
    attr = CliRunner().invoke(run_sim.app, [
        "attribution", MINIMAL, "--target", "area_2026", "--reps", "2", "--backend",
        "serial", "--out", str(tmp_path / "attr"), "--lang", "zh"])
    assert attr.exit_code == 0, attr.output
    assert "达成概率" in attr.output and "mean gap when missed" not in attr.output


def test_library_progress_reads_as_english_and_prints_in_the_run_language(
        capsys: pytest.CaptureFixture[str]) -> None:
    from sim.cli.analysis import RunOptions
    from sim.messages import Message

    m = Message("evaluating_defaults", reps=4)
    assert m == "4 replications at defaults"  # a plain string for library callers
    RunOptions(lang="zh").kwargs()["progress"](m)
    assert "4 次重复,杠杆取默认值" in capsys.readouterr().err


def test_every_label_table_lives_in_the_catalogue_with_both_languages() -> None:
    import importlib

    import sim.messages as catalogue

    tables = {name: getattr(catalogue, name) for name in dir(catalogue)
              if name.endswith("_TEXT")}
    assert len(tables) >= 7
    for name, table in tables.items():
        for key, pair in table.items():
            assert isinstance(pair, tuple) and len(pair) == 2 and all(pair), (name, key)
    for module, name in (("sim.report", "REPORT_TEXT"), ("sim.plots", "PLOT_TEXT"),
                         ("sim.cli.show", "SHOW_TEXT"),
                         ("sim.sensitivity.plots", "SENSITIVITY_PLOT_TEXT"),
                         ("sim.analysis.plots", "ANALYSIS_PLOT_TEXT"),
                         ("sim.calibration.output", "CALIBRATION_TEXT"),
                         ("sim.calibration.backtest_output", "BACKTEST_TEXT")):
        assert importlib.import_module(module).TEXT is tables[name]  # one source, not a copy


def test_the_commands_hold_no_chinese_of_their_own() -> None:
    """Every Chinese word the commands print comes from the catalogue (sim/messages.py): no
    string in sim/cli/ but docstrings and comments holds Chinese, so a label translated in one
    place is translated everywhere, and a command cannot print half English under --lang zh."""
    import ast

    found = []
    for path in sorted((PROJECT_ROOT / "sim" / "cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        found += [f"{path.name}:{node.lineno}: {node.value[:40]!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in docstrings
                  and any("\u4e00" <= ch <= "\u9fff" for ch in node.value)]
    assert not found, "\n".join(found)


def test_command_tables_read_the_catalogue() -> None:
    import importlib

    from sim.messages import CLI_TEXT

    for module in ("sim.cli.commands", "sim.cli.analysis", "sim.cli.score", "sim.cli.targets",
                   "sim.cli.sensitivity", "sim.cli.backtest", "sim.cli.calibrate"):
        assert importlib.import_module(module).TEXT is CLI_TEXT, module
