"""Keyed counter streams: every per-entity random draw of both engines comes from here.

Common random numbers must survive a lever change (docs/design.md section 5), and the reference
and fast engines must return the identical result for the same (scenario, seed). Both hold
for the same reason: a draw is named by *who* uses it, never by the order of use across the
model. Each entity gets a 64-bit key mixed from the replication's key and the entity's name
and index, and its n-th uniform is the SplitMix64 output of key + n x golden gamma.

Key tree (every name is an integer; names of text are ``sim.rng.name_key``, a CRC-32):

* replication key: ``replication_key(SeedSequence)``;
* a firm's life stream: ``firm_key(rep, name_key(origin), index)`` with origin
  ``source:NAME``, ``stock:GROUP`` or ``initial:CARRIER`` and the firm's index within it;
* its stream for status number s (the scenario's declaration order):
  ``subkey(life, STATUS_STREAM + s)``, and its capability for that status the one uniform of
  that stream's child ``CAPABILITY`` (``capability_uniform``);
* a carrier's evaluation draw: ``evaluation_uniform(rep, name_key(carrier id), code)`` with
  code ``promotion_code(rule, round)`` or ``designation_code(rule, round)``.

The compiled functions here are called by the kernel and, one draw at a time, by the
reference engine through :class:`Stream`, so the arithmetic is the same machine code.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.jit import SHARED_INLINED

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)
STATUS_STREAM = 1000
"""A firm's status streams are children 1000, 1001, ... of its life stream."""
CAPABILITY = 1
"""A firm's capability for status s is the one uniform of child 1 of its status stream."""
PROMOTION_BASE = 0
DESIGNATION_BASE = 500000
RULE_STRIDE = 10000
"""Evaluation codes: base + rule x 10000 + round (rounds per rule stay below 10000)."""


@njit(**SHARED_INLINED)
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64 finaliser: a bijective avalanche of 64 bits."""
    z = (z ^ (z >> np.uint64(30))) * M1
    z = (z ^ (z >> np.uint64(27))) * M2
    return z ^ (z >> np.uint64(31))


@njit(**SHARED_INLINED)
def subkey(key: np.uint64, a: np.uint64) -> np.uint64:
    """A child key of ``key`` for a part named by the integer ``a``."""
    return mix64(key ^ mix64(a + GOLDEN))


@njit(**SHARED_INLINED)
def uniform(key: np.uint64, n: np.uint64) -> float:
    """The n-th uniform in [0, 1) of the stream named by ``key``."""
    x = mix64(key + (n + np.uint64(1)) * GOLDEN)
    return float(x >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def draw(keys: np.ndarray, counters: np.ndarray, i: int) -> float:
    """The next uniform of stream ``i`` (key ``keys[i]``, draws so far ``counters[i]``)."""
    counters[i] += 1
    return uniform(keys[i], np.uint64(counters[i]))


@njit(cache=True)
def firm_key(rep_key: np.uint64, origin_key: np.uint64, index: np.uint64) -> np.uint64:
    """The life-stream key of firm ``index`` of an origin."""
    return subkey(subkey(np.uint64(rep_key), np.uint64(origin_key)), np.uint64(index))


@njit(cache=True)
def status_key(life_key: np.uint64, s: int) -> np.uint64:
    """The key of a firm's stream for status number ``s``."""
    return subkey(life_key, np.uint64(STATUS_STREAM + s))


@njit(cache=True)
def capability_uniform(status_stream_key: np.uint64) -> float:
    """The one uniform that decides whether a firm could ever obtain a status."""
    return uniform(subkey(np.uint64(status_stream_key), np.uint64(CAPABILITY)), np.uint64(0))


@njit(cache=True)
def evaluation_uniform(rep_key: np.uint64, carrier_key: np.uint64, code: int) -> float:
    """The one uniform of a carrier at one evaluation (promotion or designation round)."""
    return uniform(subkey(subkey(np.uint64(rep_key), np.uint64(carrier_key)), np.uint64(code)),
                   np.uint64(0))


@njit(cache=True)
def promotion_code(rule: int, round_index: int) -> int:
    """Evaluation code of promotion rule ``rule`` at its ``round_index``-th yearly round."""
    return PROMOTION_BASE + rule * RULE_STRIDE + round_index


@njit(cache=True)
def designation_code(rule: int, round_index: int) -> int:
    """Evaluation code of designation rule ``rule`` at its ``round_index``-th round."""
    return DESIGNATION_BASE + rule * RULE_STRIDE + round_index


def replication_key(seq: np.random.SeedSequence) -> np.uint64:
    """The 64-bit key of a replication, from its SeedSequence."""
    return np.uint64(seq.generate_state(1, dtype=np.uint64)[0])


class Stream:
    """One keyed counter stream held by a Python object (the reference engine's firms).

    The key and counter live in one-element arrays so that the compiled rules (which take
    ``(keys, counters, i)``) draw from it exactly as the kernel draws from its firm arrays.
    """

    __slots__ = ("counters", "keys")

    def __init__(self, key: np.uint64) -> None:
        self.keys = np.array([key], dtype=np.uint64)
        self.counters = np.zeros(1, dtype=np.int64)

    @property
    def key(self) -> np.uint64:
        """The stream's key."""
        return np.uint64(self.keys[0])

    def random(self) -> float:
        """The next uniform."""
        return float(draw(self.keys, self.counters, 0))
