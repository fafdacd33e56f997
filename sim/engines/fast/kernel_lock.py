"""One process at a time compiles the kernel; the others wait, then load numba's cache.

Why: on a machine where the kernel was never compiled, every process that calls it compiles
it (a minute or more of one core each). Two runs started together, a notebook beside a run,
or the test suite's workers would each pay that in full. With this lock the first process
compiles and writes numba's cache while the others wait for it, then load the cached
machine code in about a second. A POSIX advisory lock on a file in the temporary directory,
named after this kernel's source file and the Python version (so two checkouts or two
interpreters do not wait for each other); it is released when the process ends, however it
ends. Where ``fcntl`` is missing (Windows) there is no lock: each process compiles as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sim.engines.fast import kernel


def lock_path() -> Path:
    """The lock file of this kernel source and interpreter."""
    source = Path(kernel.__file__).resolve()
    tag = hashlib.sha256(f"{source}|{sys.version}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"incubation-sim-kernel-{tag}.lock"


@contextlib.contextmanager
def kernel_lock() -> Iterator[None]:
    """Hold the compile lock (waiting for another process's compile to end)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; compiling twice is only slower
        yield
        return
    try:
        handle = open(lock_path(), "a+b")  # noqa: SIM115 (held across the yield)
    except OSError:  # an unwritable temporary directory only costs a second compile
        yield
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
