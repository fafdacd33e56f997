"""A growable binary min-heap of events for the compiled kernel.

Events are ordered by time, then by insertion sequence (first scheduled, first served, as in
SimPy). The heap itself moves only (time, slot) pairs; each event's kind and three integers
(firm or carrier, detail, epoch) stay in per-slot arrays, recycled through a free list.
"""

from __future__ import annotations

import numpy as np
from numba import float64, int64
from numba.experimental import jitclass

_spec = [
    ("t", float64[:]),
    ("slot", int64[:]),
    ("seq", int64[:]),
    ("kind", int64[:]),
    ("a", int64[:]),
    ("b", int64[:]),
    ("e", int64[:]),
    ("free", int64[:]),
    ("n_free", int64),
    ("n", int64),
    ("used", int64),
    ("counter", int64),
]


@jitclass(_spec)
class EventHeap:
    """Min-heap on (time, sequence)."""

    def __init__(self, capacity: int) -> None:
        self.t = np.empty(capacity)
        self.slot = np.empty(capacity, np.int64)
        self.seq = np.empty(capacity, np.int64)
        self.kind = np.empty(capacity, np.int64)
        self.a = np.empty(capacity, np.int64)
        self.b = np.empty(capacity, np.int64)
        self.e = np.empty(capacity, np.int64)
        self.free = np.empty(capacity, np.int64)
        self.n_free = 0
        self.n = 0
        self.used = 0
        self.counter = 0

    def _grow(self) -> None:
        cap = self.t.size * 2
        for_t = np.empty(cap)
        for_t[: self.t.size] = self.t
        self.t = for_t
        s = np.empty(cap, np.int64)
        s[: self.slot.size] = self.slot
        self.slot = s
        q = np.empty(cap, np.int64)
        q[: self.seq.size] = self.seq
        self.seq = q
        k = np.empty(cap, np.int64)
        k[: self.kind.size] = self.kind
        self.kind = k
        a = np.empty(cap, np.int64)
        a[: self.a.size] = self.a
        self.a = a
        b = np.empty(cap, np.int64)
        b[: self.b.size] = self.b
        self.b = b
        e = np.empty(cap, np.int64)
        e[: self.e.size] = self.e
        self.e = e
        f = np.empty(cap, np.int64)
        f[: self.free.size] = self.free
        self.free = f

    def push(self, t: float, kind: int, a: int, b: int, e: int) -> None:
        """Schedule an event."""
        if self.n_free > 0:
            self.n_free -= 1
            sl = self.free[self.n_free]
        else:
            if self.used == self.t.size:
                self._grow()
            sl = self.used
            self.used += 1
        self.kind[sl] = kind
        self.a[sl] = a
        self.b[sl] = b
        self.e[sl] = e
        self.seq[sl] = self.counter
        self.counter += 1
        i = self.n
        self.n += 1
        seq = self.seq[sl]
        while i > 0:
            parent = (i - 1) >> 1
            tp = self.t[parent]
            if t < tp or (t == tp and seq < self.seq[self.slot[parent]]):
                self.t[i] = tp
                self.slot[i] = self.slot[parent]
                i = parent
            else:
                break
        self.t[i] = t
        self.slot[i] = sl

    def pop_before(self, limit: float) -> tuple[float, int, int, int, int]:
        """Pop the earliest event if its time is before ``limit``; else (inf, -1, 0, 0, 0)."""
        if self.n > 0 and self.t[0] < limit:
            return self.pop()
        return np.inf, -1, 0, 0, 0

    def pop(self) -> tuple[float, int, int, int, int]:
        """Remove and return the earliest event as (t, kind, a, b, e)."""
        sl = self.slot[0]
        out = (self.t[0], self.kind[sl], self.a[sl], self.b[sl], self.e[sl])
        self.free[self.n_free] = sl
        self.n_free += 1
        self.n -= 1
        if self.n > 0:
            t = self.t[self.n]
            last = self.slot[self.n]
            seq = self.seq[last]
            i = 0
            while True:
                child = 2 * i + 1
                if child >= self.n:
                    break
                right = child + 1
                if right < self.n:
                    tr, tc = self.t[right], self.t[child]
                    if tr < tc or (tr == tc and self.seq[self.slot[right]]
                                   < self.seq[self.slot[child]]):
                        child = right
                tc = self.t[child]
                if tc < t or (tc == t and self.seq[self.slot[child]] < seq):
                    self.t[i] = tc
                    self.slot[i] = self.slot[child]
                    i = child
                else:
                    break
            self.t[i] = t
            self.slot[i] = last
        return out
