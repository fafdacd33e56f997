"""A four-ary min-heap of events for the compiled kernel, kept in plain arrays.

Events are ordered by time, then by insertion sequence (first scheduled, first served, as in
SimPy). The heap itself moves only (time, slot) pairs; each event's kind and three integers
(firm or carrier, detail, epoch) stay in per-slot rows, recycled through a free list. Four
children per node halve the depth of a binary heap (a Chongqing replication keeps ~10^5 events
pending), and the order of pops is the same for any arity because (time, sequence) is unique.

The heap is the tuple ``(t, slot, rec, state)`` of :func:`new_heap`. Push and pop are compiled
without numba's reference counting (``_nrt=False``): they run once or more per event, and the
atomic reference counts of a jitclass's arrays cost about a third of the kernel's time.
Without reference counting they cannot allocate, so the caller makes room first
(:func:`room`, :func:`grow`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.jit import NO_REFCOUNTS

# rows of ``rec`` (per slot) and entries of ``state``
SEQ, KIND, A, B, E, FREE = range(6)
N, N_FREE, USED, COUNTER = range(4)


@njit(cache=True)
def new_heap(capacity: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """An empty heap with room for ``capacity`` pending events."""
    return (np.empty(capacity), np.empty(capacity, np.int64),
            np.empty((6, capacity), np.int64), np.zeros(4, np.int64))


@njit(**NO_REFCOUNTS)
def room(heap: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> int:
    """How many more events can be pushed without :func:`grow`."""
    t, _, _, state = heap
    return t.size - state[USED] + state[N_FREE]


@njit(cache=True)
def grow(heap: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
         need: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The same heap with room for at least ``need`` more events (capacity doubled as needed)."""
    t, slot, rec, state = heap
    cap = t.size
    while cap - state[USED] + state[N_FREE] < need:
        cap *= 2
    if cap == t.size:
        return heap
    t2 = np.empty(cap)
    t2[: t.size] = t
    slot2 = np.empty(cap, np.int64)
    slot2[: slot.size] = slot
    rec2 = np.empty((6, cap), np.int64)
    rec2[:, : rec.shape[1]] = rec
    return t2, slot2, rec2, state


@njit(**NO_REFCOUNTS)
def push(heap: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], t: float, kind: int,
         a: int, b: int, e: int) -> None:
    """Schedule an event (the caller has made :func:`room`)."""
    ht, hslot, rec, state = heap
    if state[N_FREE] > 0:
        state[N_FREE] -= 1
        sl = rec[FREE, state[N_FREE]]
    else:
        sl = state[USED]
        state[USED] += 1
    rec[KIND, sl] = kind
    rec[A, sl] = a
    rec[B, sl] = b
    rec[E, sl] = e
    seq = state[COUNTER]
    rec[SEQ, sl] = seq
    state[COUNTER] += 1
    i = state[N]
    state[N] += 1
    while i > 0:
        parent = (i - 1) >> 2
        tp = ht[parent]
        if t < tp or (t == tp and seq < rec[SEQ, hslot[parent]]):
            ht[i] = tp
            hslot[i] = hslot[parent]
            i = parent
        else:
            break
    ht[i] = t
    hslot[i] = sl


@njit(**NO_REFCOUNTS)
def first_time(heap: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> float:
    """Time of the earliest event (inf if none)."""
    return heap[0][0] if heap[3][N] > 0 else np.inf


@njit(**NO_REFCOUNTS)
def pop(heap: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
        ) -> tuple[float, int, int, int, int]:
    """Remove and return the earliest event as (t, kind, a, b, e); the heap must not be empty."""
    ht, hslot, rec, state = heap
    sl = hslot[0]
    out = (ht[0], rec[KIND, sl], rec[A, sl], rec[B, sl], rec[E, sl])
    rec[FREE, state[N_FREE]] = sl
    state[N_FREE] += 1
    state[N] -= 1
    n = state[N]
    if n > 0:
        t = ht[n]
        last = hslot[n]
        seq = rec[SEQ, last]
        i = 0
        while True:
            child = 4 * i + 1
            if child >= n:
                break
            # the earliest of up to four children
            for other in range(child + 1, min(child + 4, n)):
                to, tc = ht[other], ht[child]
                if to < tc or (to == tc and rec[SEQ, hslot[other]] < rec[SEQ, hslot[child]]):
                    child = other
            tc = ht[child]
            if tc < t or (tc == t and rec[SEQ, hslot[child]] < seq):
                ht[i] = tc
                hslot[i] = hslot[child]
                i = child
            else:
                break
        ht[i] = t
        hslot[i] = last
    return out
