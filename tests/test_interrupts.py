"""Ctrl-C and SIGTERM during a run (#26 class 8): exit 130, say how to resume, no orphans.

The run is started as a real process on the process-pool backend; once its spawn workers are
up it is interrupted. It must exit with 130, name the --resume command, and leave none of its
worker processes alive.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_says_how_to_resume_and_leaves_no_workers(tmp_path: Path,
                                                                    sig: int) -> None:
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "run_sim.py", "run", "scenarios/jiangbei.yaml", "--reps", "400",
         "--engine", "reference", "--backend", "processes", "--workers", "2",
         "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    children: list[psutil.Process] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(children) < 2 and proc.poll() is None:
        time.sleep(0.5)
        children = psutil.Process(proc.pid).children(recursive=True)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    time.sleep(2)  # let the workers take their first tasks
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    _gone, alive = psutil.wait_procs(children, timeout=15)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
