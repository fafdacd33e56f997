"""Free slots by stage, for picking a carrier in O(log C) instead of scanning every carrier.

The rule is the reference's (sim.model.incubation.place): among open carriers of the firm's
stage whose sector focus fits, pick with probability proportional to free slots, by walking
the carriers in their fixed order until the cumulative free slots exceed ``u * total``. A
Fenwick tree over each stage's carriers gives the same carrier for the same ``u`` as that walk.
A stage with sector-focused carriers (where the fitting set depends on the firm's sector)
keeps the plain walk.

The index is the tuple of :func:`new_rooms`; :func:`update` and :func:`pick` are compiled
without numba's reference counting (``_nrt=False``) because the kernel's event loop, which is
compiled the same way, calls them on every placement and departure.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.jit import NO_REFCOUNTS


@njit(cache=True)
def new_rooms(stage_ptr: np.ndarray, stage_carriers: np.ndarray, c_sector: np.ndarray,
              c_slots: np.ndarray) -> tuple:
    """Free slots of open carriers per stage (Fenwick trees); every carrier starts closed.

    The tuple (stage_ptr, stage_carriers, pos, stage_of, c_sector, c_slots, focus, top, fen, w,
    tot) that :func:`update` and :func:`pick` unpack.
    """
    stage_ptr = stage_ptr.astype(np.int64)
    stage_carriers = stage_carriers.astype(np.int64)
    C = c_sector.size
    pos = np.full(C, -1, np.int64)
    stage_of = np.full(C, -1, np.int64)
    n_st = stage_ptr.size - 1
    focus = np.zeros(n_st, np.bool_)
    top = np.zeros(n_st, np.int64)
    for st in range(n_st):
        n = stage_ptr[st + 1] - stage_ptr[st]
        p = 1
        while p * 2 <= n:
            p *= 2
        top[st] = p if n > 0 else 0
        for j in range(stage_ptr[st], stage_ptr[st + 1]):
            c = stage_carriers[j]
            pos[c] = j - stage_ptr[st]
            stage_of[c] = st
            if c_sector[c] >= 0:
                focus[st] = True
    fen = np.zeros(stage_carriers.size + n_st, np.int64)
    w = np.zeros(C, np.int64)
    tot = np.zeros(n_st, np.int64)
    return (stage_ptr, stage_carriers, pos, stage_of, c_sector.astype(np.int64),
            c_slots.astype(np.int64), focus, top, fen, w, tot)


@njit(**NO_REFCOUNTS)
def update(rooms: tuple, c: int, is_open: bool, occupied: int) -> None:
    """Carrier ``c`` is open or not and holds ``occupied`` firms."""
    stage_ptr, _, pos, stage_of, _, c_slots, _, _, fen, w, tot = rooms
    stage = stage_of[c]
    free = c_slots[c] - occupied if is_open else 0
    if free < 0:
        free = 0
    delta = free - w[c]
    if delta == 0:
        return
    w[c] = free
    tot[stage] += delta
    base = stage_ptr[stage] + stage
    n = stage_ptr[stage + 1] - stage_ptr[stage]
    i = pos[c] + 1
    while i <= n:
        fen[base + i] += delta
        i += i & (-i)


@njit(**NO_REFCOUNTS)
def pick(rooms: tuple, stage: int, sector: int, u: float) -> int:
    """The carrier the walk proportional to free slots reaches with ``u``; -1 if none."""
    stage_ptr, stage_carriers, _, _, c_sector, _, focus, top, fen, w, tot = rooms
    if focus[stage]:
        return _walk(stage_ptr, stage_carriers, c_sector, w, stage, sector, u)
    total = tot[stage]
    if total <= 0:
        return -1
    rem = u * total
    base = stage_ptr[stage] + stage
    n = stage_ptr[stage + 1] - stage_ptr[stage]
    at = 0
    step = top[stage]
    while step > 0:
        nxt = at + step
        if nxt <= n and fen[base + nxt] <= rem:
            at = nxt
            rem -= fen[base + nxt]
        step >>= 1
    if at >= n:  # u * total rounded up to total: the walk ends on the last with room
        for j in range(stage_ptr[stage + 1] - 1, stage_ptr[stage] - 1, -1):
            if w[stage_carriers[j]] > 0:
                return stage_carriers[j]
        return -1
    return stage_carriers[stage_ptr[stage] + at]


@njit(**NO_REFCOUNTS)
def _walk(stage_ptr: np.ndarray, stage_carriers: np.ndarray, c_sector: np.ndarray,
          w: np.ndarray, stage: int, sector: int, u: float) -> int:
    """The plain walk, for stages with sector-focused carriers."""
    total = 0
    for j in range(stage_ptr[stage], stage_ptr[stage + 1]):
        c = stage_carriers[j]
        if c_sector[c] < 0 or c_sector[c] == sector:
            total += w[c]
    if total <= 0:
        return -1
    target = u * total
    acc = 0.0
    last = -1
    for j in range(stage_ptr[stage], stage_ptr[stage + 1]):
        c = stage_carriers[j]
        if (c_sector[c] < 0 or c_sector[c] == sector) and w[c] > 0:
            acc += w[c]
            last = c
            if target < acc:
                return c
    return last
