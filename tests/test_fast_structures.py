"""The fast engine's event heap and free-slot index against plain Python definitions."""

from __future__ import annotations

import numpy as np

from sim.engines.fast.heap import EventHeap
from sim.engines.fast.rooms import RoomIndex


def test_heap_pops_by_time_then_insertion_order_and_grows() -> None:
    """Ties are served first scheduled, first served (as SimPy does); capacity grows."""
    rng = np.random.default_rng(0)
    times = rng.integers(0, 50, 500).astype(float)  # many ties
    heap = EventHeap(8)
    for i, t in enumerate(times):
        heap.push(t, 1, i, 0, 0)
    popped = [heap.pop() for _ in range(times.size)]
    expected = sorted(range(times.size), key=lambda i: (times[i], i))
    assert [p[2] for p in popped] == expected
    assert [p[0] for p in popped] == sorted(times)


def test_pop_before_is_strict_so_ties_go_to_the_schedule() -> None:
    heap = EventHeap(4)
    assert heap.pop_before(np.inf)[1] == -1  # empty
    heap.push(2.0, 3, 7, 8, 9)
    assert heap.pop_before(2.0) == (np.inf, -1, 0, 0, 0)  # a scheduled event at 2.0 goes first
    assert heap.pop_before(1.0)[1] == -1
    assert heap.pop_before(2.5) == (2.0, 3, 7, 8, 9)
    assert heap.pop_before(np.inf)[1] == -1


def _walk(carriers: list[int], sector_of: np.ndarray, free: np.ndarray, sector: int,
          u: float) -> int:
    """sim.model.incubation.place: walk the carriers until cumulative free slots exceed u*total."""
    fits = [c for c in carriers if (sector_of[c] < 0 or sector_of[c] == sector) and free[c] > 0]
    total = sum(free[c] for c in fits)
    if total <= 0:
        return -1
    acc = 0.0
    for c in fits:
        acc += free[c]
        if u * total < acc:
            return c
    return fits[-1]


def test_room_index_picks_the_carrier_the_reference_walk_picks() -> None:
    """Fenwick trees (and the walk kept for sector-focused stages) against the plain walk."""
    rng = np.random.default_rng(1)
    C = 40
    stage = rng.integers(0, 3, C)
    sector_of = np.where(stage == 2, rng.integers(-1, 3, C), -1)  # stage 2 has focused ones
    slots = rng.integers(1, 30, C)
    order = np.argsort(stage, kind="stable")
    ptr = np.searchsorted(stage[order], np.arange(4))
    rooms = RoomIndex(ptr.astype(np.int64), order.astype(np.int64), sector_of.astype(np.int64),
                      slots.astype(np.int64))
    is_open = rng.random(C) < 0.8
    occupied = np.zeros(C, np.int64)
    for c in range(C):
        rooms.update(c, bool(is_open[c]), 0)
    for _ in range(3000):
        c = int(rng.integers(C))
        occupied[c] = rng.integers(0, slots[c] + 1)
        rooms.update(c, bool(is_open[c]), int(occupied[c]))
        free = np.where(is_open, slots - occupied, 0)
        st, sec, u = int(rng.integers(3)), int(rng.integers(3)), float(rng.random())
        carriers = [int(x) for x in order[ptr[st]:ptr[st + 1]]]
        assert rooms.pick(st, sec, u) == _walk(carriers, sector_of, free, sec, u)
