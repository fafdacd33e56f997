"""Ctrl-C, SIGTERM and kill -9 during a run (#26 class 8): exit 130, say how to resume, no orphans.

The run is started as a real process on each backend; once its workers are up (serial: once
its run folder exists) it is interrupted. After Ctrl-C or SIGTERM it must exit with 130 and
name the --resume command; after any signal, kill -9 included, none of its worker processes
may stay alive (workers end with their parent: sim.backends.end_with_parent; Dask's own
workers watch their nanny).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _terminal_signals() -> None:
    """In the child before it runs: Ctrl-C as a terminal delivers it, even when the test
    process started with SIGINT ignored (a background job of a non-interactive shell inherits
    SIG_IGN, and so would every process it starts)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


CASES = [("processes", signal.SIGINT, False), ("processes", signal.SIGTERM, False),
         ("processes", signal.SIGKILL, False), ("processes", signal.SIGINT, True),
         ("serial", signal.SIGINT, False), ("dask", signal.SIGTERM, False),
         ("dask", signal.SIGKILL, False)]
"""(backend, signal, sent to the whole process group as a terminal's Ctrl-C does)."""


@pytest.mark.parametrize(("backend", "sig", "group"), CASES,
                         ids=[f"{b}-{signal.Signals(s).name}{'-group' if g else ''}"
                              for b, s, g in CASES])
def test_an_interrupted_run_says_how_to_resume_and_leaves_no_workers(
        tmp_path: Path, backend: str, sig: int, group: bool) -> None:
    out = tmp_path / "run"
    engine = "fast" if backend == "serial" else "reference"  # serial: Ctrl-C near the kernel
    proc = subprocess.Popen(
        [sys.executable, "run_sim.py", "run", "scenarios/jiangbei.yaml", "--reps", "400",
         "--engine", engine, "--backend", backend, "--workers", "2",
         "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=group, preexec_fn=_terminal_signals)
    children: list[psutil.Process] = []
    wanted = 0 if backend == "serial" else 2
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None and (
            len(children) < wanted or not (out / "manifest.json").exists()):
        time.sleep(0.5)
        children = psutil.Process(proc.pid).children(recursive=True)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    time.sleep(2)  # let the workers take their first tasks
    children = psutil.Process(proc.pid).children(recursive=True)
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, err
        assert "--resume" in err and "Traceback" not in err
    _gone, alive = psutil.wait_procs(children, timeout=20)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


def test_a_dask_worker_killed_mid_run_changes_nothing(tmp_path: Path) -> None:
    """Dask gives a dead worker's tasks to another; each replication is a function of the
    seed and its index, so the result equals an uninterrupted run's. The killed run uses the
    reference engine (replications long enough to kill a worker mid-task); the uninterrupted
    one the fast engine, which returns the same Result seed for seed
    (tests/test_engine_equality.py) in a fraction of the time."""
    import pandas as pd
    import pyarrow.parquet as pq

    out = tmp_path / "dask"
    cmd = [sys.executable, "run_sim.py", "run", "scenarios/ezhou.yaml", "--reps", "40",
           "--lang", "en"]
    proc = subprocess.Popen([*cmd, "--engine", "reference", "--backend", "dask", "--workers",
                             "2", "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    victims: list[psutil.Process] = []
    while time.monotonic() < deadline and proc.poll() is None and not victims:
        time.sleep(0.5)
        # once a chunk is written the cluster is up and its workers are busy with the rest
        # (a worker killed while the cluster starts stops the start, not a task)
        if next((out / "checksums").glob("part-*.json"), None) is not None:
            victims = [p for p in psutil.Process(proc.pid).children(recursive=True)
                       if "python" in p.name() and p.cpu_percent(interval=0.2) > 10]
    assert victims, "no busy Dask worker was found while the run went on"
    victims[0].kill()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    fresh = tmp_path / "serial"
    done = subprocess.run([*cmd, "--engine", "fast", "--backend", "serial", "--out",
                           str(fresh)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    order = [("rep", "ascending"), ("target_id", "ascending")]
    a = pq.read_table(out / "outcomes.parquet").sort_by(order).to_pandas()
    b = pq.read_table(fresh / "outcomes.parquet").sort_by(order).to_pandas()
    pd.testing.assert_frame_equal(a, b)  # NaN (never reached) compares equal to NaN
