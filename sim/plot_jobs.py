"""Drawing a run's plots: each a job of plain data, drawn here or by helper processes.

Why helpers: a run draws two plots per target and one of attainment (45 for Beibei), each
about 0.2 s of matplotlib, mostly laying out and rendering text: 4-9 s of a run that
simulates in seconds. The plots do not depend on each other, so on a machine with cores to
spare (``spare_cores``: not on one already busy) they are drawn side by side. A helper is a
fresh interpreter running this module (``python -m sim.plot_jobs``; not a multiprocessing
child, which would import the caller's script again), given its share of the jobs pickled in
a temporary file; it takes about a second to start (importing matplotlib), so its share is
smaller by that much and there is one per eight plots at most. Whatever a helper did not
write (it failed, or was stopped) is drawn here. Every file is written under a temporary name and
renamed, so a plot is whole or absent, whoever drew it; the pictures are the same either way
(tested).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim import atomic, plots

DPI = 110
JOBS_PER_HELPER = 8
"""Fewest plots worth a helper process (each takes about a second to start)."""

DRAWERS: dict[str, Callable[..., Any]] = {
    "fan": plots.fan_chart, "first_reach": plots.first_reach_histogram,
    "attainment": plots.attainment_bars}
"""Job kinds and the ``sim.plots`` function that draws each."""


@dataclass(frozen=True)
class PlotJob:
    """One plot: the file it becomes and the drawing function's arguments (picklable)."""

    name: str
    kind: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def draw(job: PlotJob, out_dir: Path) -> Path:
    """Draw ``job`` into ``out_dir/job.name``."""
    return save(DRAWERS[job.kind](*job.args, **job.kwargs), out_dir / job.name)


def save(ax: Any, path: Path) -> Path:
    """Write the figure of ``ax`` to ``path`` as PNG, whole or not at all, and close it."""
    import matplotlib.pyplot as plt

    try:
        with atomic.replacing(path) as tmp:
            ax.figure.savefig(tmp, dpi=DPI, format="png")
    finally:
        plt.close(ax.figure)
    return path


def helpers_for(n_jobs: int) -> int:
    """Helper processes worth starting for ``n_jobs`` plots on this machine now."""
    return max(0, min(spare_cores(), n_jobs // JOBS_PER_HELPER))


def spare_cores() -> int:
    """Cores beyond this process's that nothing else wants now.

    On a machine already busy (other runs, a test suite's workers) a helper would only take
    turns with them and add its start-up, so there is none. Where busyness is not known
    (Windows), every other core counts as spare.
    """
    cores = os.cpu_count() or 1
    busy = busy_now()
    if busy is None:
        return cores - 1
    return max(0, min(cores - 1, int(cores - max(busy, 1.0) + 0.5)))


def busy_now() -> float | None:
    """Processes wanting a core now, this one included; None where it cannot be told.

    Linux: the kernel's count of runnable processes at this instant (``procs_running`` in
    /proc/stat); not the load average, which for a minute still counts the run's own
    replication workers that have just finished. Elsewhere: the one-minute load average.
    """
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            for line in stat:
                if line.startswith("procs_running"):
                    return float(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def draw_all(jobs: Sequence[PlotJob], out_dir: Path, helpers: int | None = None) -> list[Path]:
    """Draw every job into ``out_dir``; returns the files in the jobs' order.

    ``helpers``: processes drawing beside this one (None: ``helpers_for(len(jobs))``; 0: all
    here). A job that cannot be drawn raises here, whoever tried it first.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    n = helpers_for(len(jobs)) if helpers is None else helpers
    shares = split(len(jobs), n)
    started: list[tuple[subprocess.Popen[bytes], range]] = []
    with tempfile.TemporaryDirectory(prefix="plot-jobs-") as tmp:
        try:
            for h, share in enumerate(shares[1:]):
                job_file = Path(tmp) / f"helper-{h}.pickle"
                job_file.write_bytes(pickle.dumps([jobs[i] for i in share]))
                started.append((_start_helper(job_file, out_dir), share))
            for i in shares[0]:
                draw(jobs[i], out_dir)
            for proc, share in started:
                proc.wait()
                for i in share:  # what the helper did not write, drawn here (raises if it fails)
                    if proc.returncode != 0 or not (out_dir / jobs[i].name).is_file():
                        draw(jobs[i], out_dir)
        finally:
            for proc, _ in started:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    return [out_dir / job.name for job in jobs]


HELPER_START_PLOTS = 5
"""A helper's start-up (about a second), in plots this process draws meanwhile."""


def split(n_jobs: int, helpers: int) -> list[range]:
    """Contiguous shares of the jobs: this process's first, then each helper's.

    Equal finishing times: every helper's share is smaller by what this process draws while
    the helper starts (``HELPER_START_PLOTS``).
    """
    per_helper = (n_jobs - HELPER_START_PLOTS) // (helpers + 1) if helpers > 0 else 0
    if per_helper < 1:  # too few to be worth a helper's start
        return [range(n_jobs)]
    own = n_jobs - helpers * per_helper
    out = [range(own)]
    for h in range(helpers):
        out.append(range(own + h * per_helper, own + (h + 1) * per_helper))
    return out


def _start_helper(job_file: Path, out_dir: Path) -> subprocess.Popen[bytes]:
    """A helper interpreter drawing the jobs pickled in ``job_file`` into ``out_dir``.

    A file, not the helper's stdin: a pipe holds 64 kB, and a larger share (first-reach dates
    of thousands of replications) would hold this process until the helper had started.
    """
    package_root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [package_root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.Popen([sys.executable, "-m", "sim.plot_jobs", str(out_dir), str(job_file)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)


def _helper_main() -> None:
    """``python -m sim.plot_jobs OUT_DIR JOB_FILE``: draw the jobs pickled in JOB_FILE."""
    out_dir, job_file = Path(sys.argv[1]), Path(sys.argv[2])
    for job in pickle.loads(job_file.read_bytes()):
        draw(job, out_dir)


if __name__ == "__main__":
    _helper_main()
