"""Each malformed scenario in tests/data/bad/ is refused by the CLI with one located message.

Every ``tests/data/bad/*.yaml`` holds exactly one mistake and says in its header comment what
the message must name::

    # why: negative area
    # expect-line: 11
    # expect-field: carriers.0.total_area.value
    # expect-value: -500
    # expect-file: (optional; default: the case file itself)

``python run_sim.py validate FILE`` must exit 2, print no traceback, and print ONE line
``FILE:LINE: FIELD: VALUE: what is wrong ...``. Helpers live in ``_base/`` and ``_inc/``.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
CASES = sorted(BAD.glob("*.yaml"))
# one worker runs the whole catalogue (its CLI runs are computed once per process)
pytestmark = pytest.mark.xdist_group("bad_scenarios")
KEYS = ("why", "expect-line", "expect-field", "expect-value")


@dataclass(frozen=True)
class Expectation:
    why: str
    file: str
    line: int
    field: str
    value: str


def expectation(case: Path) -> Expectation:
    """Parse the ``# key: value`` header comment of a bad case."""
    header: dict[str, str] = {}
    for text in case.read_text(encoding="utf-8").splitlines():
        if not text.startswith("#"):
            break
        key, sep, value = text[1:].strip().partition(": ")
        if sep and (key in KEYS or key == "expect-file"):
            header[key] = value
    missing = [k for k in KEYS if k not in header]
    assert not missing, f"{case.name}: header lacks {missing}"
    return Expectation(
        why=header["why"],
        file=header.get("expect-file", str(case.relative_to(ROOT))),
        line=int(header["expect-line"]),
        field=header["expect-field"],
        value=header["expect-value"],
    )


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "run_sim.py", "validate", str(path.relative_to(ROOT))],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


@cache
def _results() -> dict[Path, subprocess.CompletedProcess[str]]:
    """Run the CLI on every case once, in parallel (each run is a fresh interpreter)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(CASES, pool.map(_validate, CASES), strict=True))


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 32


def test_base_is_valid() -> None:
    result = _validate(BAD / "_base" / "base.yaml")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_bad_scenario_is_reported_on_one_line(case: Path) -> None:
    exp = expectation(case)
    result = _results()[case]
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 2, f"{exp.why}: exit {result.returncode}\n{output}"
    lines = [t for t in result.stderr.splitlines() if t.strip()]
    assert len(lines) == 1, f"{exp.why}: expected one message line, got:\n{result.stderr}"
    message = lines[0]
    prefix = f"{exp.file}:{exp.line}: {exp.field}: {exp.value}"
    assert message.startswith(prefix), f"{exp.why}:\n  expected {prefix}...\n  got      {message}"
    rest = message[len(prefix):]
    # the value is followed by the explanation (or, if shown truncated, by the ellipsis)
    assert rest.startswith(": ") or (rest.startswith(", ") and "...: " in rest), message
    assert len(rest.split(": ", 1)[-1].strip()) > 3, f"no explanation in {message}"
