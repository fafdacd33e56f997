"""Hypothesis over hostile scenario text, through the command line (#26).

Where tests/test_scenario_fuzz.py mutates well-formed data, this mutates the file's text:
random characters (control characters, NUL, non-BMP) inserted anywhere, lines replaced by
hostile YAML (aliases, merge keys, undefined anchors, Python tags, deep nesting, huge
numbers, booleans where numbers go), the file truncated anywhere. ``validate`` must answer
each with exit 0, or exit 2 and lines of the form ``FILE:…`` (no traceback), in bounded time,
writing nothing.
"""

from __future__ import annotations

import io
import re
import tempfile
import time
import uuid
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import run_sim
from sim import PROJECT_ROOT
from sim.cli.entry import run_app

MINIMAL = PROJECT_ROOT / "scenarios" / "examples" / "minimal.yaml"
PRIORS = PROJECT_ROOT / "scenarios" / "common" / "priors.yaml"
TEXT = MINIMAL.read_text(encoding="utf-8").replace("../common/priors.yaml", str(PRIORS))
FOLDER = Path(tempfile.mkdtemp(prefix="hostile-fuzz-"))
"""A folder of this test's own (shared priors by absolute path), so "nothing written" is exact."""
LINES = TEXT.splitlines()

LOCATED = re.compile(r"^[^\n:]+\.ya?ml:(\d+:)? ")
HOSTILE_LINES = [
    "a: &a [*a, *a, *a]", "b: *undefined_anchor", "<<: *a", "meta: !!python/object:os.system x",
    "x: !!binary aGVsbG8=", "start: 2024-02-30", "value: yes", "value: .nan", "value: -.inf",
    "value: 1e400", "count: 99999999999999999999999999", "  - " * 40 + "x",
    "[" * 200 + "]" * 200, "{" * 200 + "}" * 200, "key: " + "x" * 5000, "? [complex, key]\n: v",
    "%YAML 1.1", "---", "...", "\t- tab", "include: [/etc/passwd]", "include: [minimal.yaml]",
    "source: \x00", "id: \U0001F600", "\ufeffmeta:",
]


@st.composite
def hostile_text(draw: st.DrawFn) -> str:
    lines = list(LINES)
    steps = []
    for _ in range(draw(st.integers(1, 3), label="edits")):
        i = draw(st.integers(0, len(lines) - 1), label="line")
        kind = draw(st.sampled_from(["insert", "replace", "hostile", "truncate"]))
        if kind == "insert":
            junk = draw(st.text(min_size=1, max_size=8))
            j = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:j] + junk + lines[i][j:]
        elif kind == "replace":
            lines[i] = draw(st.text(max_size=30))
        elif kind == "hostile":
            indent = len(lines[i]) - len(lines[i].lstrip(" "))
            lines[i] = " " * indent + draw(st.sampled_from(HOSTILE_LINES))
        else:
            lines = lines[:i]
        steps.append(f"{kind} at line {i + 1}: {lines[i] if i < len(lines) else ''!r}")
        if not lines:
            break
    note("\n".join(steps))
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile_text())
def test_validate_answers_any_text_in_one_line_per_problem(text: str) -> None:
    path = FOLDER / f"fuzz_{uuid.uuid4().hex}.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    before = set(FOLDER.iterdir())
    out, err = io.StringIO(), io.StringIO()
    t0 = time.monotonic()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                run_app(run_sim.app, ["validate", str(path)])
            except SystemExit as stop:
                code = stop.code
    finally:
        path.unlink()
    elapsed = time.monotonic() - t0
    assert elapsed < 30, f"validate took {elapsed:.0f} s"  # no hang on any input
    assert code in (0, 2), (code, err.getvalue())
    assert "Traceback" not in err.getvalue() + out.getvalue()
    if code == 2:
        lines = [ln for ln in err.getvalue().splitlines() if ln.strip()]
        # FILE:LINE: … where FILE is the fuzzed file or a file it includes
        assert lines and all(LOCATED.match(ln) for ln in lines), err.getvalue()
        assert any(path.name in ln for ln in lines), err.getvalue()
    assert set(FOLDER.iterdir()) == before - {path}  # validate wrote nothing
