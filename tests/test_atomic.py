"""sim.atomic: every file a run or an analysis writes is whole or absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import atomic


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "table.csv"
    atomic.write_text(path, "old\n")
    with pytest.raises(RuntimeError), atomic.replacing(path) as tmp:
        tmp.write_text("half of the new ...", encoding="utf-8")
        assert tmp.parent == path.parent
        assert list(path.parent.glob("*.csv")) == [path]  # never listed as a table
        raise RuntimeError("stopped midway")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["table.csv"]


def test_a_finished_write_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "plot.png"
    atomic.write_bytes(path, b"first")
    atomic.write_bytes(path, b"second")
    atomic.write_text(tmp_path / "rows.csv", "a\r\nb\r\n", encoding="utf-8-sig", newline="")
    assert path.read_bytes() == b"second"
    assert (tmp_path / "rows.csv").read_bytes() == b"\xef\xbb\xbfa\r\nb\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot.png", "rows.csv"]
