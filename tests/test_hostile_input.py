"""Hostile and careless scenario files: one line naming file, line and field; exit 2.

Characters YAML cannot hold (NUL, ESC, other control characters) and binary files are
reported like any other problem, never as a traceback.
"""

from __future__ import annotations

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
