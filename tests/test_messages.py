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


OWN_CHINESE = {
    "messages.py": "the catalogue itself",
    "registry.py": "the metric vocabulary: each metric's Chinese and English name and unit are "
                   "part of its definition, written once",
    "plots.py": "Chinese date formats for matplotlib (2027年, 3月)",
    "scenario/schema.py": "an example document number (渝府办发〔2021〕142号) in a field's "
                          "description",
    "calibration/figures.py": "programme names (专精特新, 规上) quoted in English descriptions",
}
"""Modules of sim/ allowed Chinese strings of their own, and why."""


def test_no_module_holds_chinese_of_its_own() -> None:
    """Every Chinese word a reader sees comes from the catalogue (sim/messages.py): no string
    in sim/ but docstrings holds Chinese, outside the few modules listed in OWN_CHINESE. So a
    label translated in one place is translated everywhere, and nothing prints half English
    under --lang zh."""
    import ast

    found = []
    root = PROJECT_ROOT / "sim"
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name in OWN_CHINESE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.value) for node in ast.walk(tree)
                      if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
        found += [f"{name}:{node.lineno}: {node.value[:40]!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in docstrings
                  and any("\u4e00" <= ch <= "\u9fff" for ch in node.value)]
    assert not found, "\n".join(found)
    assert all((root / name).is_file() for name in OWN_CHINESE)


def test_command_tables_read_the_catalogue() -> None:
    import importlib

    from sim.messages import CLI_TEXT

    for module in ("sim.cli.commands", "sim.cli.analysis", "sim.cli.score", "sim.cli.targets",
                   "sim.cli.sensitivity", "sim.cli.backtest", "sim.cli.calibrate"):
        assert importlib.import_module(module).TEXT is CLI_TEXT, module
    catalogue = importlib.import_module("sim.messages")
    for module, name, table in (
            ("sim.brief", "TEXT", "BRIEF_TEXT"), ("sim.evidence", "TEXT", "EVIDENCE_TEXT"),
            ("sim.update", "TEXT", "UPDATE_TEXT"),
            ("sim.analysis.attribution", "FLOW_LABELS", "FLOW_TEXT"),
            ("sim.calibration.score", "HOW", "OUTCOME_TEXT"),
            ("sim.calibration.figures", "COHORT_STATISTICS", "COHORT_TEXT"),
            ("sim.scenario.skeleton", "COMMENTS", "SKELETON_TEXT")):
        assert getattr(importlib.import_module(module), name) is getattr(catalogue, table), module
