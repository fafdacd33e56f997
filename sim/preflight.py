"""Before a long job starts: check that it fits in this machine's free memory and disk.

A request that cannot fit (a scenario with millions of firms on many workers, a run folder
larger than the free disk) would otherwise fail after minutes with ``MemoryError`` or a full
disk. The estimate is deliberately generous; ``--force`` goes ahead anyway.

Measured on this project's kernel (fast engine, one replication, peak resident memory above a
loaded process): Chongqing, about 334,000 firms, 126 MB, that is about 380 bytes a firm; a
process that has loaded the compiled kernel holds about 200 MB.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sim.scenario import Scenario
from sim.scenario.checks import expected_firms

BYTES_PER_FIRM = 1_000
"""Memory a replication needs per firm: the measured ~380 bytes with a margin of 2.6."""
BYTES_PER_PROCESS = 300e6
"""A worker (or the main process) with Python, numpy, numba and the kernel: ~200 MB measured."""
SHARE_OF_FREE = 0.8
"""A request may use at most this share of the memory or disk that is free now."""
BYTES_PER_STORED_VALUE = 4
"""Run folders keep monthly series as float32."""


def free_memory() -> float | None:
    """Bytes of memory available to new processes now (Linux /proc/meminfo), else None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def free_disk(folder: Path) -> float | None:
    """Free bytes on the file system that will hold ``folder`` (its nearest existing parent)."""
    probe = folder.resolve()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return float(shutil.disk_usage(probe).free)
    except OSError:
        return None


@dataclass(frozen=True)
class Estimate:
    """What a job will need: firms a replication, memory at once, and disk for its folder."""

    firms: float
    processes: int
    memory: float
    disk: float

    def problem(self, memory_free: float | None, disk_free: float | None) -> str | None:
        """One line when the job cannot fit, naming what to change; None when it fits."""
        gb = 1e9
        if memory_free is not None and self.memory > SHARE_OF_FREE * memory_free:
            return (f"this job needs about {self.memory / gb:.1f} GB of memory ({self.firms:,.0f} "
                    f"firms a replication in each of {self.processes} processes) and "
                    f"{memory_free / gb:.1f} GB are free: use fewer --workers, a smaller "
                    "scenario, or --force to go ahead anyway")
        if disk_free is not None and self.disk > SHARE_OF_FREE * disk_free:
            return (f"this run folder needs about {self.disk / gb:.1f} GB and "
                    f"{disk_free / gb:.1f} GB are free there: fewer --reps, another --out, or "
                    "--force to go ahead anyway")
        return None


def estimate(sc: Scenario, *, workers: int, backend: str, reps: int = 0,
             stored_series: int = 0) -> Estimate:
    """The memory and disk a job on ``sc`` needs (see the module's measurements)."""
    firms = expected_firms(sc)
    processes = 1 if backend == "serial" else max(1, workers) + 1
    working = 1 if backend == "serial" else max(1, workers)
    memory = processes * BYTES_PER_PROCESS + working * firms * BYTES_PER_FIRM
    months = int(sc.horizon_years * 12) + 1
    disk = reps * months * max(1, stored_series) * BYTES_PER_STORED_VALUE * 2  # parts + copies
    return Estimate(firms, processes, memory, disk)


def problem(sc: Scenario, *, workers: int, backend: str, reps: int = 0,
            stored_series: int = 0, out: Path | None = None) -> str | None:
    """One line when the job cannot fit in this machine's free memory or disk, else None."""
    est = estimate(sc, workers=workers, backend=backend, reps=reps, stored_series=stored_series)
    return est.problem(free_memory(), free_disk(out) if out is not None else None)
