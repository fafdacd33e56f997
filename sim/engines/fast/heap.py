"""A growable binary min-heap of events for the compiled kernel.

Events are ordered by time, then by insertion sequence (first scheduled, first served, as in
SimPy). Each carries a kind and three integers (firm or carrier, detail, epoch).
"""

from __future__ import annotations

import numpy as np
from numba import float64, int64
from numba.experimental import jitclass

_spec = [
    ("t", float64[:]),
    ("seq", int64[:]),
    ("kind", int64[:]),
    ("a", int64[:]),
    ("b", int64[:]),
    ("e", int64[:]),
    ("n", int64),
    ("counter", int64),
]


@jitclass(_spec)
class EventHeap:
    """Min-heap on (time, sequence)."""

    def __init__(self, capacity: int) -> None:
        self.t = np.empty(capacity)
        self.seq = np.empty(capacity, np.int64)
        self.kind = np.empty(capacity, np.int64)
        self.a = np.empty(capacity, np.int64)
        self.b = np.empty(capacity, np.int64)
        self.e = np.empty(capacity, np.int64)
        self.n = 0
        self.counter = 0

    def _grow(self) -> None:
        cap = self.t.size * 2
        t = np.empty(cap)
        t[: self.n] = self.t[: self.n]
        self.t = t
        s = np.empty(cap, np.int64)
        s[: self.n] = self.seq[: self.n]
        self.seq = s
        k = np.empty(cap, np.int64)
        k[: self.n] = self.kind[: self.n]
        self.kind = k
        a = np.empty(cap, np.int64)
        a[: self.n] = self.a[: self.n]
        self.a = a
        b = np.empty(cap, np.int64)
        b[: self.n] = self.b[: self.n]
        self.b = b
        e = np.empty(cap, np.int64)
        e[: self.n] = self.e[: self.n]
        self.e = e

    def _less(self, i: int, j: int) -> bool:
        return self.t[i] < self.t[j] or (self.t[i] == self.t[j] and self.seq[i] < self.seq[j])

    def _swap(self, i: int, j: int) -> None:
        self.t[i], self.t[j] = self.t[j], self.t[i]
        self.seq[i], self.seq[j] = self.seq[j], self.seq[i]
        self.kind[i], self.kind[j] = self.kind[j], self.kind[i]
        self.a[i], self.a[j] = self.a[j], self.a[i]
        self.b[i], self.b[j] = self.b[j], self.b[i]
        self.e[i], self.e[j] = self.e[j], self.e[i]

    def push(self, t: float, kind: int, a: int, b: int, e: int) -> None:
        """Schedule an event."""
        if self.n == self.t.size:
            self._grow()
        i = self.n
        self.t[i] = t
        self.seq[i] = self.counter
        self.kind[i] = kind
        self.a[i] = a
        self.b[i] = b
        self.e[i] = e
        self.counter += 1
        self.n += 1
        while i > 0:
            parent = (i - 1) // 2
            if self._less(i, parent):
                self._swap(i, parent)
                i = parent
            else:
                break

    def top_time(self) -> float:
        """Time of the earliest event (inf when empty)."""
        return self.t[0] if self.n > 0 else np.inf

    def pop(self) -> tuple[float, int, int, int, int]:
        """Remove and return the earliest event as (t, kind, a, b, e)."""
        out = (self.t[0], self.kind[0], self.a[0], self.b[0], self.e[0])
        self.n -= 1
        if self.n > 0:
            self._swap(0, self.n)
            i = 0
            while True:
                left = 2 * i + 1
                if left >= self.n:
                    break
                child = left
                if left + 1 < self.n and self._less(left + 1, left):
                    child = left + 1
                if self._less(child, i):
                    self._swap(child, i)
                    i = child
                else:
                    break
        return out
