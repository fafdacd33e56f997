"""The arithmetic of statuses (certifications), compiled and shared by both engines.

docs/design.md section 3, "Statuses"; the rules that use these are in ``sim.model.statuses``
(reference) and the kernel's round, grant and expiry handlers.

* An eligible firm applies at each round independently with p = 1 - (1 - p_year)^(1/rounds)
  (``encoding.status_arrays``), raised to the power q when the status is quality-scaled:
  the number of eligible rounds until it applies is geometric and drawn once by inversion.
* A certificate's end: the 1 January after its date (``calendar_year``), N years after it
  (``years``), or never (``permanent``).
* A baseline certificate's age at the start has density proportional to e^(-a s) on the
  validity window, a = ln(1 + growth): a growing issuance leaves fewer old certificates.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.jit import SHARED_INLINED

CALENDAR_YEAR, YEARS, PERMANENT = 0, 1, 2
"""Validity codes (``Status.validity``)."""
VALIDITY_CODES = {"calendar_year": CALENDAR_YEAR, "years": YEARS, "permanent": PERMANENT}
NEVER_ROUNDS = 1 << 30
ISSUED_SPREAD, ISSUED_START = 0, 1
"""How baseline certificates are dated (``StatusAtStart.issued``)."""


@njit(**SHARED_INLINED)
def round_probability(p_round: float, quality: float, quality_scaled: bool) -> float:
    """A firm's probability of applying at one round."""
    if quality_scaled:
        return 1.0 - (1.0 - p_round) ** quality
    return p_round


@njit(**SHARED_INLINED)
def rounds_until(u: float, p: float) -> int:
    """Eligible rounds until a firm applies (geometric on 1, 2, ...), by inversion of ``u``."""
    if p >= 1.0:
        return 1
    if p <= 0.0:
        return NEVER_ROUNDS
    return max(1, min(NEVER_ROUNDS, math.ceil(math.log1p(-u) / math.log1p(-p))))


@njit(**SHARED_INLINED)
def years_back(u: float, window: float, a: float) -> float:
    """Inverse CDF of a baseline certificate's age on [0, window) (density ~ e^(-a s))."""
    if a == 0:
        return u * window
    return -math.log1p(u * math.expm1(-a * window)) / a


@njit(**SHARED_INLINED)
def baseline_start(u: float, window: float, growth: float) -> float:
    """Model time (<= 0) of a baseline certificate spread over ``window`` years before the start."""
    return -min(years_back(u, window, math.log1p(growth)), window - 1e-9)


@njit(**SHARED_INLINED)
def year_end(jan1: np.ndarray, t: float) -> float:
    """Model time of the first 1 January after model time ``t`` (inf past the table)."""
    for j in range(jan1.size):
        if jan1[j] > t + 1e-9:
            return jan1[j]
    return np.inf


@njit(**SHARED_INLINED)
def certificate_end(validity: int, years: float, jan1: np.ndarray, start: float) -> float:
    """When a certificate dated ``start`` expires."""
    if validity == CALENDAR_YEAR:
        return year_end(jan1, start)
    if validity == YEARS:
        return start + years
    return np.inf
