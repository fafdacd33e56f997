"""Hold Ctrl-C and SIGTERM while compiled code runs, and deliver them as soon as it returns.

A signal handler runs Python code; landing in the middle of a compiled (numba) call, it can
leave an exception set while the call returns a value, which Python reports as
``SystemError``. A kernel call lasts milliseconds, so holding the signal until it returns costs
the user nothing and lets the interrupt arrive as the ordinary ``KeyboardInterrupt`` the
commands turn into "interrupted: resume with --resume".
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

HELD = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def signals_held() -> Iterator[None]:
    """Inside the block SIGINT and SIGTERM are recorded; on leaving it they are re-raised.

    Outside the main thread (notebook kernels' workers, Dask threads) signals cannot be
    handled there anyway, and the block does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def record(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous: dict[int, Any] = {}
    try:
        for sig in HELD:
            previous[sig] = signal.signal(sig, record)
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)
