"""Carriers entering a set since the start (``carriers_entered_cum``), shared by both engines.

A figure such as "2022年新认定市级孵化器13家" counts carriers that *came to* a level or tag
during a period: designated, promoted into it, or opened at it. The stock ``carriers`` cannot
answer that (its change is entries minus promotions out and delistings). At each monthly
record every carrier that matches the query's filters is marked; one that matched at the start
(record 0) is never counted, one that first matches later is counted once, for good. A period's
count is the difference of this cumulative count at its ends (monthly resolution, which is
finer than the yearly designation and promotion rounds).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.jit import SHARED_INLINED

UNSEEN, AT_START, ENTERED = 0, 1, 2
"""A carrier's mark for one query: never matched yet, matched at the start, entered after it."""


@njit(**SHARED_INLINED)
def count_entered(matched: np.ndarray, marks: np.ndarray, qi: int, at_start: bool) -> int:
    """Mark the carriers matching now (row ``qi`` of ``marks``); how many have entered so far."""
    n = 0
    for c in range(matched.size):
        if matched[c] and marks[qi, c] == UNSEEN:
            marks[qi, c] = AT_START if at_start else ENTERED
        if marks[qi, c] == ENTERED:
            n += 1
    return n
