"""Execution backends behind one small interface.

Each maps a function over tasks and yields results as they finish. ``serial`` runs in this
process; ``processes`` uses a spawn-safe process pool;
``dask`` uses dask.distributed (a LocalCluster by default, or an existing scheduler).

Results never depend on the backend: each task carries its replication indices and every
random number is derived from them (sim/rng.py), so order of completion does not matter.
Nothing heavy happens at import: pools and clusters start in ``__enter__``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any

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


class Processes(Backend):
    """A process pool with the spawn start method (safe with threads and on every OS)."""

    name = "processes"

    def __init__(self, workers: int):
        self.workers = max(1, workers)
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Processes:
        ctx = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.pool is None:
            return
        if et is not None:  # interrupted or failed: stop the workers now, leave no orphans
            workers = list(getattr(self.pool, "_processes", {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for proc in workers:
                if proc.is_alive():
                    proc.terminate()
            for proc in workers:
                proc.join(timeout=5)
        else:
            self.pool.shutdown(wait=True)

    def imap(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:  # noqa: D102
        assert self.pool is not None, "use the backend as a context manager"
        pending: set[Future[Any]] = set()
        queue = iter(tasks)
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

        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                        processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
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
