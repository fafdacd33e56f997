"""Execution backends behind one small interface.

Each maps a function over tasks and yields results as they finish. ``serial`` runs in this
process; ``processes`` uses a spawn-safe process pool;
``dask`` uses dask.distributed (a LocalCluster by default, or an existing scheduler).

Results never depend on the backend: each task carries its replication indices and every
random number is derived from them (sim/rng.py), so order of completion does not matter.
Nothing heavy happens at import: pools and clusters start in ``__enter__``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any

from sim.signals import signals_held

BACKENDS = ("serial", "processes", "dask")


class Backend:
    """Context manager that maps a function over tasks and yields results as completed."""

    name = "base"

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def imap(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Results of ``fn(task)`` in completion order."""
        raise NotImplementedError


class Serial(Backend):
    """Run tasks one after another in this process."""

    name = "serial"

    def imap(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:  # noqa: D102
        for task in tasks:
            yield fn(task)


PARENT_POLL_SECONDS = 1.0
"""How often a worker checks that the process that started it is still alive."""


def end_with_parent(parent_pid: int) -> None:
    """Make this worker process end when ``parent_pid`` does (even after ``kill -9``).

    On Linux the kernel does it (``PR_SET_PDEATHSIG``); everywhere a daemon thread also polls
    the parent id, since a worker left behind holds the dead run's output and a CPU.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # no prctl here: the thread below is enough
            pass
    # A terminal's Ctrl-C reaches the whole process group; the parent stops the workers
    # itself, so a worker ignores it (else each prints a KeyboardInterrupt traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.getppid() != parent_pid:  # the parent died before we got here
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _forget_manager(manager: threading.Thread | None) -> None:
    """Let a stopped pool's manager thread finish, and drop it from the exit hook's list.

    At interpreter exit ``concurrent.futures`` wakes every pool's manager thread through a
    pipe; after an interrupt that thread may already have closed its end, and the wake-up
    then prints an ``OSError: Bad file descriptor`` traceback after our one-line message.
    """
    if manager is None:
        return
    manager.join(timeout=5)
    if not manager.is_alive():
        from concurrent.futures import process as futures_process

        wakeups = getattr(futures_process, "_threads_wakeups", None)
        if wakeups is not None:
            wakeups.pop(manager, None)


@contextlib.contextmanager
def _children_ignore_ctrl_c() -> Iterator[None]:
    """Processes started inside ignore SIGINT from their first instruction (inherited)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Processes(Backend):
    """A process pool with the spawn start method (safe with threads and on every OS)."""

    name = "processes"

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Processes:
        ctx = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                        initializer=end_with_parent, initargs=(os.getpid(),))
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.pool is None:
            return
        if et is not None:  # interrupted or failed: stop the workers now, leave no orphans
            workers = list(getattr(self.pool, "_processes", {}).values())
            manager = getattr(self.pool, "_executor_manager_thread", None)
            self.pool.shutdown(wait=False, cancel_futures=True)
            for proc in workers:
                if proc.is_alive():
                    proc.terminate()
            for proc in workers:
                proc.join(timeout=5)
            _forget_manager(manager)
        else:
            self.pool.shutdown(wait=True)

    def imap(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:  # noqa: D102
        assert self.pool is not None, "use the backend as a context manager"
        pending: set[Future[Any]] = set()
        queue = iter(tasks)
        with _children_ignore_ctrl_c():  # workers start here: they inherit SIGINT ignored
            for task in queue:  # keep at most 2 tasks per worker in flight (flat memory)
                pending.add(self.pool.submit(fn, task))
                if len(pending) >= 2 * self.workers:
                    break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                nxt = next(queue, None)
                if nxt is not None:
                    pending.add(self.pool.submit(fn, nxt))
                yield fut.result()


class Dask(Backend):
    """dask.distributed: a LocalCluster of ``workers`` processes, or ``scheduler`` address."""

    name = "dask"

    def __init__(self, workers: int, scheduler: str | None = None):
        self.workers = max(1, workers)
        self.scheduler = scheduler
        self.client: Any = None
        self.cluster: Any = None

    def __enter__(self) -> Dask:
        from dask.distributed import Client, LocalCluster

        # A cluster interrupted half-built cannot be closed (its atexit hook then fails with a
        # traceback): Ctrl-C waits the seconds it takes to start, then stops it cleanly.
        with signals_held():
            if self.scheduler:
                self.client = Client(self.scheduler)
            else:
                # Dask's own log lines (heartbeats failing while an interrupted cluster closes,
                # with tracebacks) are not for planners; task errors still reach us as results.
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                            processes=True, dashboard_address=None,
                                            silence_logs=logging.CRITICAL)
                self.client = Client(self.cluster)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        if et is not None:
            logging.getLogger("distributed").setLevel(logging.CRITICAL)
        with signals_held():
            if self.client is not None:
                self.client.close()
            if self.cluster is not None:
                self.cluster.close()

    def imap(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:  # noqa: D102
        from dask.distributed import as_completed

        futures = self.client.map(fn, list(tasks), pure=False)
        for fut in as_completed(futures):
            yield fut.result()


def imap_on(backend: Backend | str, workers: int, fn: Callable[[Any], Any],
            tasks: Sequence[Any]) -> Iterator[Any]:
    """Results of ``fn`` over ``tasks`` in completion order.

    On an open Backend, or on one started and stopped here by name (a single task runs in
    this process).
    """
    if not isinstance(backend, str):
        yield from backend.imap(fn, tasks)
        return
    with make_backend("serial" if len(tasks) <= 1 else backend, workers) as b:
        yield from b.imap(fn, tasks)


def make_backend(name: str, workers: int = 2, scheduler: str | None = None) -> Backend:
    """The backend called ``name`` (serial, processes or dask)."""
    if name == "serial":
        return Serial()
    if name == "processes":
        return Processes(workers)
    if name == "dask":
        return Dask(workers, scheduler)
    raise ValueError(f"unknown backend {name!r} (expected one of {', '.join(BACKENDS)})")
