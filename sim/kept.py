"""Values made once per key and kept, least recently used out: per-run work replications share.

Every replication of a run rebuilds its inputs from a scenario variant; the parts that do not
depend on the replication's draws (tabulated distributions, the stack of them, the routine
calendar) are looked up here instead of being made again. Thread-safe (the Dask and thread
backends call from several threads); values are shared, so callers keep them read-only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    """At most ``size`` values by key; ``get`` makes a missing one with ``make()``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value of ``key``, made now if it is not kept (the oldest unused one goes)."""
        with self._lock:
            value = self._values.get(key)
            if value is None:
                value = make()
                self._values[key] = value
                if len(self._values) > self.size:
                    self._values.popitem(last=False)
            else:
                self._values.move_to_end(key)
            return value

    def __len__(self) -> int:
        return len(self._values)
