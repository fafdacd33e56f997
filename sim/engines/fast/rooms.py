"""Free slots by stage, for picking a carrier in O(log C) instead of scanning every carrier.

The rule is the reference's (sim.model.incubation.place): among open carriers of the firm's
stage whose sector focus fits, pick with probability proportional to free slots, by walking
the carriers in their fixed order until the cumulative free slots exceed ``u * total``. A
Fenwick tree over each stage's carriers gives the same carrier for the same ``u`` as that walk.
A stage with sector-focused carriers (where the fitting set depends on the firm's sector)
keeps the plain walk.
"""

from __future__ import annotations

import numpy as np
from numba import boolean, int64
from numba.experimental import jitclass

_spec = [
    ("stage_ptr", int64[:]),
    ("stage_carriers", int64[:]),
    ("pos", int64[:]),
    ("stage_of", int64[:]),
    ("c_sector", int64[:]),
    ("c_slots", int64[:]),
    ("focus", boolean[:]),
    ("fen", int64[:]),
    ("w", int64[:]),
    ("tot", int64[:]),
    ("top", int64[:]),
]


@jitclass(_spec)
class RoomIndex:
    """Free slots of open carriers per stage (Fenwick trees), kept in step with occupancy."""

    def __init__(self, stage_ptr: np.ndarray, stage_carriers: np.ndarray,
                 c_sector: np.ndarray, c_slots: np.ndarray) -> None:
        self.stage_ptr = stage_ptr.astype(np.int64)
        self.stage_carriers = stage_carriers.astype(np.int64)
        C = c_sector.size
        self.c_sector = c_sector.astype(np.int64)
        self.c_slots = c_slots.astype(np.int64)
        self.pos = np.full(C, -1, np.int64)
        self.stage_of = np.full(C, -1, np.int64)
        n_st = stage_ptr.size - 1
        self.focus = np.zeros(n_st, np.bool_)
        self.top = np.zeros(n_st, np.int64)
        for st in range(n_st):
            n = stage_ptr[st + 1] - stage_ptr[st]
            p = 1
            while p * 2 <= n:
                p *= 2
            self.top[st] = p if n > 0 else 0
            for j in range(stage_ptr[st], stage_ptr[st + 1]):
                c = stage_carriers[j]
                self.pos[c] = j - stage_ptr[st]
                self.stage_of[c] = st
                if c_sector[c] >= 0:
                    self.focus[st] = True
        self.fen = np.zeros(stage_carriers.size + n_st, np.int64)
        self.w = np.zeros(C, np.int64)
        self.tot = np.zeros(n_st, np.int64)

    def update(self, c: int, is_open: bool, occupied: int) -> None:
        """Carrier ``c`` is open or not and holds ``occupied`` firms."""
        stage = self.stage_of[c]
        free = self.c_slots[c] - occupied if is_open else 0
        if free < 0:
            free = 0
        delta = free - self.w[c]
        if delta == 0:
            return
        self.w[c] = free
        self.tot[stage] += delta
        base = self.stage_ptr[stage] + stage
        n = self.stage_ptr[stage + 1] - self.stage_ptr[stage]
        i = self.pos[c] + 1
        while i <= n:
            self.fen[base + i] += delta
            i += i & (-i)

    def pick(self, stage: int, sector: int, u: float) -> int:
        """The carrier the walk proportional to free slots reaches with ``u``; -1 if none."""
        if self.focus[stage]:
            return self._walk(stage, sector, u)
        total = self.tot[stage]
        if total <= 0:
            return -1
        pick = u * total
        base = self.stage_ptr[stage] + stage
        n = self.stage_ptr[stage + 1] - self.stage_ptr[stage]
        pos = 0
        rem = pick
        step = self.top[stage]
        while step > 0:
            nxt = pos + step
            if nxt <= n and self.fen[base + nxt] <= rem:
                pos = nxt
                rem -= self.fen[base + nxt]
            step >>= 1
        if pos >= n:  # u * total rounded up to total: the walk ends on the last with room
            for j in range(self.stage_ptr[stage + 1] - 1, self.stage_ptr[stage] - 1, -1):
                if self.w[self.stage_carriers[j]] > 0:
                    return self.stage_carriers[j]
            return -1
        return self.stage_carriers[self.stage_ptr[stage] + pos]

    def _walk(self, stage: int, sector: int, u: float) -> int:
        total = 0
        for j in range(self.stage_ptr[stage], self.stage_ptr[stage + 1]):
            c = self.stage_carriers[j]
            if self.c_sector[c] < 0 or self.c_sector[c] == sector:
                total += self.w[c]
        if total <= 0:
            return -1
        pick = u * total
        acc = 0.0
        last = -1
        for j in range(self.stage_ptr[stage], self.stage_ptr[stage + 1]):
            c = self.stage_carriers[j]
            if (self.c_sector[c] < 0 or self.c_sector[c] == sector) and self.w[c] > 0:
                acc += self.w[c]
                last = c
                if pick < acc:
                    return c
        return last
