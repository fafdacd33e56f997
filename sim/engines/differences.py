"""Where two results of the same replication part: the engines' equality, made diagnosable.

Both engines return the identical Result for the same (scenario, seed) (docs/model.md,
"One model, two engines"). When they do not, the first month, series and firm that differ
say where to look: ``first_difference`` compares every monthly series, the population, the
counted flows, the cohort statistics and, when both results kept them, every firm's final
state (``keep_firms=True``).
"""

from __future__ import annotations

import math

import numpy as np

from sim.result import Result


def _same(x: np.ndarray, y: np.ndarray) -> bool:
    return x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=True))


def first_difference(a: Result, b: Result) -> str | None:
    """None if ``a`` and ``b`` are identical, else a line naming what differs first."""
    parts: list[tuple[int, str]] = []
    for group in ("series", "population", "flows"):
        da, db = getattr(a, group), getattr(b, group)
        if set(da) != set(db):
            parts.append((-1, f"{group}: keys differ: {sorted(set(da) ^ set(db))}"))
            continue
        for key in da:
            x, y = np.asarray(da[key]), np.asarray(db[key])
            if not _same(x, y):
                i = int(np.flatnonzero(~((x == y) | (np.isnan(x) & np.isnan(y))))[0])
                parts.append((i, f"{group} {key!r} at {a.dates[i]} (record {i}): "
                                 f"{x[i]!r} vs {y[i]!r}"))
    for key in a.cohort:
        ca, cb = a.cohort[key], b.cohort.get(key, math.nan)
        if not (ca == cb or (math.isnan(ca) and math.isnan(cb))):
            parts.append((len(a.times), f"cohort {key!r}: {ca!r} vs {cb!r}"))
    if not parts:
        return None
    parts.sort(key=lambda p: p[0])
    line = parts[0][1]
    firm = _first_firm(a, b)
    return f"{line}; {firm}" if firm else line


def _first_firm(a: Result, b: Result) -> str | None:
    """The first firm whose final state differs, when both results kept the firm table."""
    if a.firms is None or b.firms is None:
        return None
    n_a, n_b = len(a.firms["stage"]), len(b.firms["stage"])
    n = min(n_a, n_b)
    for f in range(n):
        for col in a.firms:
            x, y = a.firms[col][f], b.firms[col][f]
            if not (x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))):
                return f"first differing firm: {f} ({col} {x!r} vs {y!r})"
    if n_a != n_b:
        return f"firms created: {n_a} vs {n_b}"
    return None
