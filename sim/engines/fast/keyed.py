"""Counter-based keyed uniforms for the compiled engine (common random numbers per entity).

A compiled kernel cannot hold one numpy Generator per firm, so each entity gets a 64-bit key
(mixed from the replication's SeedSequence state and the entity's name and index) and its
n-th uniform is the SplitMix64 output of key + n x golden gamma. The replication's key comes
from ``SeedSequence.generate_state``, so the root-seed -> replication -> entity tree is the
same as the reference engine's (only the bit generator differs).
"""

from __future__ import annotations

import numpy as np
from numba import njit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, inline="always")
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64 finaliser: a bijective avalanche of 64 bits."""
    z = (z ^ (z >> np.uint64(30))) * M1
    z = (z ^ (z >> np.uint64(27))) * M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def subkey(key: np.uint64, a: np.uint64) -> np.uint64:
    """A child key of ``key`` for a part named by the integer ``a``."""
    return mix64(key ^ mix64(a + GOLDEN))


@njit(cache=True, inline="always")
def uniform(key: np.uint64, n: np.uint64) -> float:
    """The n-th uniform in [0, 1) of the stream named by ``key``."""
    x = mix64(key + (n + np.uint64(1)) * GOLDEN)
    return float(x >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def replication_key(seq: np.random.SeedSequence) -> np.uint64:
    """The 64-bit key of a replication, from its SeedSequence."""
    return np.uint64(seq.generate_state(1, dtype=np.uint64)[0])
