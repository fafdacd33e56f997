"""Latent event times for competing risks, with quality scaling (DESIGN.md section 3).

Each risk draws its own latent time; the earliest wins. A ``rate`` risk is exponential
(time = E / (rate x factor), E ~ Exp(1)); a ``duration_months`` risk draws its duration and
divides it by the factor. Quality q is the factor for good events (they come q times sooner)
and 1/q for bad ones (they come q times later). ``probability`` < 1 makes the risk active for
that share of firms only. Time-varying hazards (exit by age) are inverted exactly.
"""

from __future__ import annotations

import math

import numpy as np

from sim.distributions import Distribution
from sim.scenario.schema import Risk

GOOD = ("incorporation", "graduation", "maturation")
BAD = ("dissolution", "failure")


def quality_factor(risk_name: str, quality: float) -> float:
    """How much faster a firm of quality q meets this risk."""
    if risk_name in GOOD:
        return quality
    if risk_name in BAD:
        return 1.0 / quality
    return 1.0


def latent_years(risk: Risk | None, name: str, quality: float, rng: np.random.Generator,
                 already_months: float = 0.0) -> float:
    """Years from now until this risk fires (inf if inactive).

    Two uniforms are always drawn (activation, time) so the number of draws does not depend on
    which risks are declared or active (common random numbers).
    ``already_months`` conditions a duration on having lasted that long (initial incubatees).
    """
    u_active, u_time = rng.random(2)
    if risk is None:
        return math.inf
    if risk.probability is not None and u_active >= risk.probability.value:
        return math.inf
    factor = quality_factor(name, quality)
    if risk.rate is not None:
        rate = risk.rate.value * factor
        return math.inf if rate <= 0 else -math.log1p(-u_time) / rate
    assert risk.duration_months is not None
    months = conditional_duration(risk, u_time, already_months * factor, rng) / factor
    return max(0.0, months / 12.0 - already_months / 12.0)


def conditional_duration(risk: Risk, u: float, lasted: float, rng: np.random.Generator) -> float:
    """A risk's duration (months) by inversion, conditioned on exceeding ``lasted`` months."""
    assert risk.duration_months is not None
    return conditional_draw(risk.duration_months, u, lasted, rng)


def conditional_draw(dist: Distribution, u: float, lasted: float,
                     rng: np.random.Generator) -> float:
    """A draw of ``dist`` by inversion of ``u``, conditioned on exceeding ``lasted``.

    Used for firms already in a carrier at the start: their remaining stay follows the
    conditional distribution. Rejection uses the firm's own stream; if the distribution cannot
    exceed ``lasted`` (a fixed maximum already reached) the result is ``lasted``.
    """
    d = dist.ppf1(u)
    if d > lasted or lasted <= 0:
        return d
    if dist.support[1] <= lasted:
        return lasted
    for _ in range(256):
        d = dist.ppf1(float(rng.random()))
        if d > lasted:
            return d
    return lasted


def piecewise_first_time(t0: float, e: float, breaks: list[float], rates: list[float]) -> float:
    """First event time after ``t0`` of a hazard constant on [breaks[i], breaks[i+1]).

    ``breaks`` are absolute times (increasing, breaks[0] <= t0), ``rates`` per year; the last
    rate holds for ever. ``e`` is a unit exponential: the event is when the integrated hazard
    from t0 reaches e.
    """
    remaining = e
    t = t0
    for i, rate in enumerate(rates):
        end = breaks[i + 1] if i + 1 < len(breaks) else math.inf
        if end <= t:
            continue
        if rate > 0:
            span = end - t
            if rate * span >= remaining:
                return t + remaining / rate
            remaining -= rate * span
        t = end
    return math.inf
