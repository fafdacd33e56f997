"""Output folders are checked before any work starts (nothing computed is lost on a bad path).

Every command that writes a folder of results takes ``--out`` through ``out_folder`` (a typer
callback), so an existing file, a path through a file, an unwritable place or an empty name
gets one line and exit 2 before a replication runs.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from pathlib import Path
from typing import Any

import typer

EXIT_BAD_INPUT = 2


def folder_problem(out: Path) -> str | None:
    """Why ``out`` cannot be a results folder (None if it can)."""
    if str(out).strip() == "":
        return "an empty name (expected a folder, e.g. runs/my_run)"
    if out.exists() and not out.is_dir():
        return "is a file (expected a folder to write the results in, or a new name)"
    parent = out
    while not parent.exists():
        if parent.parent == parent:
            break
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        return f"{parent} is a file (expected a path through folders)"
    if parent.exists() and not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot write in {parent} (read-only or no permission)"
    return None


def _checked(problem_of: Any) -> Any:
    """A typer callback for an ``--out`` path.

    One line and exit 2 when ``problem_of`` finds a problem, else the path unchanged.
    """
    def check(value: Path | None) -> Path | None:
        if value is None:
            return value
        problem = problem_of(value)
        if problem is not None:
            print(f"--out: {value}: {problem}", file=sys.stderr)
            raise typer.Exit(EXIT_BAD_INPUT)
        return value

    return check


def file_problem(out: Path) -> str | None:
    """Why ``out`` cannot be written as one file (None if it can)."""
    if str(out).strip() == "":
        return "an empty name (expected a file name)"
    if out.is_dir():
        return "is a folder (expected a file name)"
    parent = out.parent
    if not parent.exists():
        return f"its folder {parent} does not exist"
    if not parent.is_dir():
        return f"{parent} is a file (expected a folder)"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot write in {parent} (read-only or no permission)"
    return None





out_folder = _checked(folder_problem)
"""``--out`` of commands that write a folder of results."""
out_file = _checked(file_problem)
"""``--out`` of commands that write one file."""


MAX_REPS = 1_000_000
"""Replications one command may ask for (a billion would exhaust memory before the first)."""
MAX_SEED = 2**63 - 1


def _fail(param: Any, value: Any, expected: str) -> None:
    name = param.opts[0] if getattr(param, "opts", None) else str(param.name)
    print(f"{name}: {value}: {expected}", file=sys.stderr)
    raise typer.Exit(EXIT_BAD_INPUT)


def reps_from(low: int) -> Any:
    """A typer callback for a replication count in [low, MAX_REPS] (one line, exit 2)."""
    def check(ctx: Any, param: Any, value: int | None) -> int | None:
        if value is not None and not low <= value <= MAX_REPS:
            _fail(param, value, f"expected a whole number from {low} to {MAX_REPS:,}")
        return value

    return check


MAX_WORKERS = max(4, 4 * (os.cpu_count() or 1))
"""Worker processes one command may start: beyond 4 per core they add memory and start-up time,
not speed (a thousand would exhaust the machine before the first replication)."""


def workers_ok(ctx: Any, param: Any, value: int | None) -> int | None:
    """A typer callback for ``--workers`` in [1, MAX_WORKERS] (one line, exit 2)."""
    if value is not None and not 1 <= value <= MAX_WORKERS:
        _fail(param, value, f"expected a whole number from 1 to {MAX_WORKERS} (4 per CPU core "
                            "of this machine)")
    return value


def precision_ok(ctx: Any, param: Any, value: float | None) -> float | None:
    """A typer callback for ``--precision``: a half-width of a probability, in (0, 0.5]."""
    if value is not None and not 0.001 <= value <= 0.5:
        _fail(param, value, "expected the half-width of a probability interval, from 0.001 "
                            "to 0.5 (for example 0.02 for +/-2 percentage points)")
    return value


def seed_ok(ctx: Any, param: Any, value: int | None) -> int | None:
    """A typer callback for a root seed in [0, 2**63 - 1] (one line, exit 2)."""
    if value is not None and not 0 <= value <= MAX_SEED:
        _fail(param, value, "expected a whole number from 0 to 2**63 - 1")
    return value


SCHEDULER = re.compile(
    r"^(tcp|tls)://(?P<host>[A-Za-z0-9_.\-]+|\[[0-9A-Fa-f:]+\]):(?P<port>\d{1,5})$")


def scheduler_ok(ctx: Any, param: Any, value: str | None) -> str | None:
    """A typer callback for ``--scheduler``.

    An address of the form tcp://HOST:PORT that answers within 3 seconds; one line and exit 2
    otherwise (not a traceback after 30 s).
    """
    if value is None:
        return value
    m = SCHEDULER.match(value)
    if m is None or not 0 < int(m.group("port")) < 65536:
        _fail(param, value, "expected a dask scheduler address, tcp://HOST:PORT")
    assert m is not None
    host = m.group("host").strip("[]")
    try:
        socket.create_connection((host, int(m.group("port"))), timeout=3).close()
    except OSError as exc:
        _fail(param, value, f"no scheduler answers there ({exc.strerror or exc}); start one "
                            "with `dask scheduler`, or leave --scheduler out for a local one")
    return value


def scheduler_problem(scheduler: str | None, backend: str) -> str | None:
    """``--scheduler`` is used only by the dask backend: say so instead of ignoring it."""
    if scheduler is not None and backend != "dask":
        return (f"--scheduler: {scheduler}: used only with --backend dask (add --backend dask, "
                "or leave --scheduler out)")
    return None
