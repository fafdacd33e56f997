"""One seeding path: root seed -> replication -> named sub-streams keyed to entities.

Common random numbers must survive a lever change (docs/design.md section 5), so every draw comes
from a stream named by *who* uses it, not by the order of use across the model: a firm's
streams are keyed by (replication, origin, arrival index), a carrier's by its id, an arrival
process's by its source name. Two variants of a scenario run with the same replication key
therefore give the same firm the same fate draws unless the lever changes its circumstances.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

import numpy as np

UNCERTAINTY = 1
ARRIVALS = 2
FIRM = 3
CARRIER = 4
PIPELINE = 5
EVALUATION = 6


@lru_cache(maxsize=65536)
def name_key(name: str) -> int:
    """A stable 32-bit integer for a name (so adding a source does not shift the others)."""
    return zlib.crc32(name.encode("utf-8"))


def replication(root_seed: int, index: int) -> np.random.SeedSequence:
    """The SeedSequence of replication ``index`` under ``root_seed`` (its spawned child)."""
    return np.random.SeedSequence(root_seed, spawn_key=(index,))


class Streams:
    """Factory of named generators inside one replication."""

    def __init__(self, seq: np.random.SeedSequence):
        self.entropy = seq.entropy
        self.base_key = tuple(seq.spawn_key)

    def seed_sequence(self, *key: int) -> np.random.SeedSequence:
        """The SeedSequence for a key below this replication."""
        return np.random.SeedSequence(self.entropy, spawn_key=(*self.base_key, *key))

    def generator(self, *key: int) -> np.random.Generator:
        """A PCG64 generator for a key below this replication."""
        return np.random.Generator(np.random.PCG64(self.seed_sequence(*key)))
