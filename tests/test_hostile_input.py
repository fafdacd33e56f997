"""Hostile and careless scenario files: one line naming file, line and field; exit 2.

Characters YAML cannot hold (NUL, ESC, other control characters) and binary files are
reported like any other problem, never as a traceback.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from run_sim import app


@pytest.mark.parametrize("content, line, what", [
    (b"meta:\n  id: x\n  name: a\x00b\n", 3, "U+0000"),
    (b"meta:\n  id: x\x1b\n", 2, "U+001B"),
    (b"meta: {id: \x07}\n", 1, "U+0007"),
    (bytes(range(256)), None, "cannot read"),
])
def test_unreadable_characters_are_one_line(tmp_path: Path, content: bytes, line: int | None,
                                            what: str) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(content)
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and what in lines[0] and "Traceback" not in res.output
    assert lines[0].startswith(f"{path}:{line if line else '?'}:")


def _alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("content, what", [
    (_alias_bomb(), "expands to more than"),
    ("a: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ("a: " + "[" * 100 + "]" * 100 + "\n", "nested deeper than"),
])
def test_unbounded_parsing_stops_in_bounded_time(tmp_path: Path, content: str,
                                                 what: str) -> None:
    """An alias bomb and deep nesting: one line and exit 2, in well under a second."""
    path = tmp_path / "hostile.yaml"
    path.write_text(content, encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 2 and what in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_a_device_and_an_include_fan_out_are_refused(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["validate", "/dev/zero"])
    assert res.exit_code == 2 and "not a regular file" in res.output
    for i in range(6):  # each file includes the next eight times: 8^5 reads unbounded
        body = (f"include: [{', '.join([f'f{i + 1}.yaml'] * 8)}]\n" if i < 5 else "")
        (tmp_path / f"f{i}.yaml").write_text(body + f"k{i}: 1\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", str(tmp_path / "f0.yaml")])
    assert res.exit_code == 2 and "files read through includes" in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_includes_stay_inside_the_project_or_the_scenario_tree(tmp_path: Path) -> None:
    """/etc/passwd, a YAML file elsewhere and a symlink loop: one line each, nothing read."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "b.yaml").write_text("x: 1\n", encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "loop1.yaml").symlink_to(mine / "loop2.yaml")
    (mine / "loop2.yaml").symlink_to(mine / "loop1.yaml")
    for name, what in (("/etc/passwd", "not a YAML file"),
                       (str(outside / "b.yaml"), "outside the project"),
                       ("loop1.yaml", "cannot be resolved")):
        top = mine / "top.yaml"
        top.write_text(f"include: [{name}]\n", encoding="utf-8")
        res = CliRunner().invoke(app, ["validate", str(top)])
        assert res.exit_code == 2 and what in res.output, res.output
        assert len(res.output.strip().splitlines()) == 1


EZHOU = Path(__file__).resolve().parents[1] / "scenarios" / "ezhou.yaml"


@pytest.mark.parametrize("old, new, what", [
    ("  start: 2024-01-01", "  start: 0001-01-01", "outside the years a plan covers"),
    ("  horizon_end: 2025-12-31", "  horizon_end: 2199-12-31", "a horizon of"),
    ("total_area: {value: 19800,", "total_area: {value: 1.0e+308,", "more area than"),
    ("rate: {value: 195,", "rate: {value: 1.0e+9,", "more arrivals than"),
    ("count: {value: 260,", "count: {value: 1.0e+9,", "more firms than a region holds"),
    # class 10: YAML's yes/no are not numbers; a target on the start date says why it is refused
    ("hnte: {share: {value: 1,", "hnte: {share: {value: yes,", "a yes/no value where a number"),
    ("    date: 2025-12-31", "    date: 2024-01-01", "already decided by the baseline"),
])
def test_valid_on_paper_fatal_at_run_time_is_refused(tmp_path: Path, old: str, new: str,
                                                    what: str) -> None:
    """Sizes beyond any region are refused by validate, not met at run time."""
    text = EZHOU.read_text(encoding="utf-8")
    assert old in text, old
    bad = EZHOU.parent / f"_test_sizes_{uuid.uuid4().hex}.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    try:
        res = CliRunner().invoke(app, ["validate", str(bad)])
    finally:
        bad.unlink()
    assert res.exit_code == 2 and what in res.output, res.output
    assert "Traceback" not in res.output
