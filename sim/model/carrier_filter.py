"""Which carriers a query's carrier filters select: one rule, compiled, for both engines.

A carrier metric (``area``, ``carriers``, ``in_incubation`` ...) counts the carriers whose
kind, level, tags, zone and sector focus pass the query's filters (docs/design.md, glossary).
Both the kernel (``sim.engines.fast.kernel._matches``, per carrier at a record) and the
reference's metrics (``sim.metrics``, on a snapshot) ask ``matches``; the query's filters and
each carrier's attributes are encoded as small integers by ``encode`` and ``carrier_codes``.

Codes: kinds, levels, zones and sectors as bit sets over their vocabularies (0: no filter);
``level_min`` and ``tag`` as an index (-1: no filter); a carrier's zone and sector focus as an
index (-1: none, which no zone or sector filter selects).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
from numba import njit

from sim.jit import SHARED_INLINED
from sim.model.encoding import bits
from sim.registry import KINDS, LEVELS, TAGS


class CarrierFilter(NamedTuple):
    """A query's carrier filters as codes (see the module docstring)."""

    kinds: int
    levels: int
    level_min: int
    tag: int
    zones: int
    sectors: int


def encode(filters: Mapping[str, Any], zones: tuple[str, ...] | list[str],
           sectors: tuple[str, ...] | list[str]) -> CarrierFilter:
    """The carrier filters of a query (its ``filters`` as a mapping) as codes."""
    least = filters.get("level_at_least")
    tag = filters.get("tag")
    return CarrierFilter(
        kinds=bits(filters.get("kind"), KINDS),
        levels=bits(filters.get("level"), LEVELS),
        level_min=LEVELS.index(least) if least else -1,
        tag=TAGS.index(tag) if tag else -1,
        zones=bits(filters.get("zone"), zones),
        sectors=bits(filters.get("sector"), sectors),
    )


def carrier_codes(kind: str, level: str, tags: Iterable[str], zone: str | None,
                  sector: str | None, zones: tuple[str, ...] | list[str],
                  sectors: Sequence[str]) -> tuple[int, int, int, int, int]:
    """A carrier's (kind, level, tag bits, zone, sector focus) as codes."""
    return (KINDS.index(kind), LEVELS.index(level), bits(tags, TAGS),
            zones.index(zone) if zone else -1, sectors.index(sector) if sector else -1)


@njit(**SHARED_INLINED)
def matches(kinds: int, levels: int, level_min: int, tag: int, zones: int, sectors: int,
            kind: int, level: int, tag_bits: int, zone: int, sector: int) -> bool:
    """Whether a carrier with these codes passes a query's carrier filters."""
    if kinds and not ((kinds >> kind) & 1):
        return False
    if levels and not ((levels >> level) & 1):
        return False
    if level_min >= 0 and level < level_min:
        return False
    if tag >= 0 and not ((tag_bits >> tag) & 1):
        return False
    if zones and (zone < 0 or not ((zones >> zone) & 1)):
        return False
    if sectors:
        return sector >= 0 and ((sectors >> sector) & 1) == 1
    return True


@njit(cache=True)
def mask(kinds: int, levels: int, level_min: int, tag: int, zones: int, sectors: int,
         kind: np.ndarray, level: np.ndarray, tag_bits: np.ndarray, zone: np.ndarray,
         sector: np.ndarray) -> np.ndarray:
    """``matches`` for every carrier of a snapshot (arrays of carrier codes)."""
    out = np.zeros(kind.size, dtype=np.bool_)
    for c in range(kind.size):
        out[c] = matches(kinds, levels, level_min, tag, zones, sectors, kind[c], level[c],
                         tag_bits[c], zone[c], sector[c])
    return out
