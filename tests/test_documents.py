"""Sources resolve inside the project: documents by id, data rows by id, no outside files.

A source is ``doc:<id> <passage>``, ``calibration/data/<file>.csv <row id>``, ``derived:`` or
``assumption:`` (sim.scenario.documents); ``validate`` refuses any other form, an unknown
document or a missing data row in one line naming what exists, and ``show`` prints each
document's title beside the figures and its number and address in a table.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from run_sim import app

ROOT = Path(__file__).resolve().parents[1]
EZHOU = ROOT / "scenarios" / "ezhou.yaml"


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of ezhou.yaml next to the shipped includes, with one text replaced."""
    text = EZHOU.read_text(encoding="utf-8")
    assert old in text
    out = ROOT / "scenarios" / f"_test_documents_{uuid.uuid4().hex}.yaml"
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


@pytest.mark.parametrize("new, what", [
    ("doc:ezhou-planx 二(三)", "no document 'ezhou-planx'"),
    ("calibration/data/ezhou.csv no_such_row",
     "no row 'no_such_row' in calibration/data/ezhou.csv"),
    ("seed file 二(三)", "a source starts with one of: doc:<id> <passage>"),
])
def test_a_source_that_does_not_resolve_is_one_line(tmp_path: Path, new: str, what: str) -> None:
    bad = _variant(tmp_path, "doc:ezhou-plan 二(三)", new)
    try:
        res = CliRunner().invoke(app, ["validate", str(bad)])
    finally:
        bad.unlink()
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and what in lines[0] and f"{bad.name}:" in lines[0]
    if "no document" in what:
        assert "ezhou-plan" in lines[0].split("one of:")[1]  # the ids that exist


def test_show_prints_each_document_with_its_address() -> None:
    res = CliRunner().invoke(app, ["show", str(EZHOU), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "Documents cited" in res.output
    assert "kjj.ezhou.gov.cn" in res.output.replace("\n", "").replace("│", "").replace(" ", "")


def test_the_project_points_to_nothing_outside_it() -> None:
    """No tracked file names ../shared (the repository must stand on its own)."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    hits = [f for f in files if (ROOT / f).is_file() and b"../shared"
            in (ROOT / f).read_bytes() and f != "tests/test_documents.py"]
    assert hits == []


def test_a_document_file_must_exist(tmp_path: Path) -> None:
    bad = _variant(tmp_path, "\nmeta:\n",
                   "\ndocuments:\n  ezhou-plan: {file: documents/plans/nowhere.txt}\nmeta:\n")
    try:
        res = CliRunner().invoke(app, ["validate", str(bad)])
    finally:
        bad.unlink()
    assert res.exit_code == 2 and "no such file in the project" in res.output
