"""Competing risks: when a firm's next event happens, inside a carrier and outside one.

docs/design.md section 3, "Firms". Each risk draws its own latent time; the earliest wins.

* A ``rate`` risk is exponential: time = -log(1 - u) / (rate x factor).
* A ``duration_months`` risk inverts its tabulated distribution at u and divides by the
  factor; for a firm that has already spent ``lasted`` months (an occupant at the start) the
  duration is conditioned on exceeding it (rejection on the firm's own stream).
* ``probability`` < 1 makes the risk active for that share of firms only.
* Quality q is the factor of good events (incorporation, graduation, maturation: q times
  sooner) and 1/q of bad ones (dissolution, failure: q times later); relocation has none.
* Two uniforms are drawn per risk (activation, time) whether or not it is declared, so the
  draws a firm makes do not depend on which risks a scenario declares (common random numbers).
* Occupants present at the start are drawn in the carrier's stationary state
  (``stationary_occupant``): a stay length-biased by rejection, the time already spent a
  uniform share of it, so that occupancy neither sinks nor jumps in the first months.
* Outside carriers, incorporated firms also face the exit hazard by age since incorporation,
  replaced for a window after leaving a carrier by the post-exit failure rate; it is inverted
  exactly from one unit exponential.

These functions are compiled and shared: the kernel calls them inside its event loop, the
reference engine calls them once per firm state (``sim.model.incubation``,
``sim.model.outside``), so both engines compute the same times from the same draws. Risk
parameters arrive as the arrays of ``sim.model.encoding.FirmRules``: for stage st and risk r,
``type[st, r]`` (RISK_NONE, RISK_RATE, RISK_DURATION), ``rate``, ``tab`` (row of the tables),
``prob``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.jit import SHARED_INLINED
from sim.model.draws import draw
from sim.model.tables import ppf

RISK_NONE, RISK_RATE, RISK_DURATION = 0, 1, 2
"""How a risk's time is drawn (``type`` arrays)."""

IN_GOOD, IN_BAD, IN_MAX = 0, 1, 2
"""Fates inside a carrier: incorporation (team) or graduation; dissolution or failure; the
maximum stay."""
OUT_GOOD, OUT_BAD, OUT_RELOCATE, OUT_EXIT = 3, 4, 5, 6
"""Fates outside: incorporation (team) or maturation (start-up); dissolution (team);
relocation away; exit (closure) by age."""
FATE_NAMES = ("good", "bad", "max_stay", "good_outside", "bad_outside", "relocation", "exit")
NO_FATE = -1


@njit(**SHARED_INLINED)
def conditional_draw(tabs: np.ndarray, tab: int, u: float, lasted: float, keys: np.ndarray,
                     counters: np.ndarray, i: int) -> float:
    """A draw of table ``tab`` by inversion of ``u``, conditioned on exceeding ``lasted``.

    Rejection on stream ``i``; if the distribution cannot exceed ``lasted`` (a fixed maximum
    already reached) the result is ``lasted``.
    """
    d = ppf(tabs, tab, u)
    if lasted <= 0.0 or d > lasted:
        return d
    if tabs[tab, tabs.shape[1] - 1] <= lasted:
        return lasted
    for _ in range(256):
        d = ppf(tabs, tab, draw(keys, counters, i))
        if d > lasted:
            return d
    return lasted


@njit(**SHARED_INLINED)
def latent_years(kind: int, rate: float, tab: int, prob: float, factor: float,
                 tabs: np.ndarray, lasted_months: float, keys: np.ndarray,
                 counters: np.ndarray, i: int) -> float:
    """Years from now until one risk fires (inf if it is not declared or not active)."""
    u_active = draw(keys, counters, i)
    u_time = draw(keys, counters, i)
    if kind == RISK_NONE:
        return np.inf
    if prob < 1.0 and u_active >= prob:
        return np.inf
    if kind == RISK_RATE:
        r = rate * factor
        if r <= 0.0:
            return np.inf
        return -math.log1p(-u_time) / r
    d = conditional_draw(tabs, tab, u_time, lasted_months * factor, keys, counters, i)
    months = d / factor
    return max(0.0, months / 12.0 - lasted_months / 12.0)


@njit(**SHARED_INLINED)
def carrier_fate(in_type: np.ndarray, in_rate: np.ndarray, in_tab: np.ndarray,
                 in_prob: np.ndarray, max_stay_tab: np.ndarray, tabs: np.ndarray, stage: int,
                 quality: float, tenure_months: float, keys: np.ndarray, counters: np.ndarray,
                 i: int) -> tuple[int, float]:
    """(fate, years until it) of a firm entering a carrier, ``tenure_months`` already spent.

    Draws: the good risk (2 uniforms), the bad risk (2), the maximum stay (1, more on
    rejection). Ties go to the earlier in that order.
    """
    best = np.inf
    what = NO_FATE
    for r in range(2):
        factor = quality if r == 0 else 1.0 / quality
        t = latent_years(in_type[stage, r], in_rate[stage, r], in_tab[stage, r],
                         in_prob[stage, r], factor, tabs, tenure_months, keys, counters, i)
        if t < best:
            best = t
            what = IN_GOOD if r == 0 else IN_BAD
    u_max = draw(keys, counters, i)
    d = conditional_draw(tabs, max_stay_tab[stage], u_max, tenure_months, keys, counters, i)
    t_max = max(0.0, (d - tenure_months) / 12.0)
    if t_max < best:
        best = t_max
        what = IN_MAX
    return what, best


@njit(**SHARED_INLINED)
def exit_time(now: float, e: float, quality: float, left_at: float, incorporated_at: float,
              post_window: float, post_rate: float, exit_ages: np.ndarray,
              exit_rates: np.ndarray) -> float:
    """Absolute time of exit given the unit exponential ``e`` (inf if never).

    The hazard from ``now`` is the post-exit failure rate until ``left_at + post_window``
    (when the firm left a carrier; ``left_at`` NaN if never), then the exit rate of the
    firm's age band (``exit_ages`` are the bands' lower ages); quality divides both.
    """
    remaining = e
    t = now
    if not math.isnan(left_at):
        window_end = left_at + post_window
        if t < window_end:
            rate = post_rate / quality
            if rate > 0 and rate * (window_end - t) >= remaining:
                return t + remaining / rate
            if rate > 0:
                remaining -= rate * (window_end - t)
            t = window_end
    n = exit_ages.size
    for b in range(n):
        band_end = incorporated_at + exit_ages[b + 1] if b + 1 < n else np.inf
        if band_end <= t:
            continue
        rate = exit_rates[b] / quality
        if rate > 0:
            span = band_end - t
            if rate * span >= remaining:
                return t + remaining / rate
            remaining -= rate * span
        t = band_end
    return np.inf


@njit(**SHARED_INLINED)
def outside_fate(out_type: np.ndarray, out_rate: np.ndarray, out_tab: np.ndarray,
                 out_prob: np.ndarray, tabs: np.ndarray, stage: int, quality: float, now: float,
                 left_at: float, incorporated_at: float, post_window: float, post_rate: float,
                 exit_ages: np.ndarray, exit_rates: np.ndarray, keys: np.ndarray,
                 counters: np.ndarray, i: int) -> tuple[int, float]:
    """(fate, years until it) of a firm that is (or stays) outside carriers.

    Teams: incorporation, dissolution (2 uniforms each). Incorporated firms: maturation
    (start-ups only; 2 uniforms drawn for growth firms too), relocation (2), exit (1 unit
    exponential). Ties go to the earlier in that order.
    """
    best = np.inf
    what = NO_FATE
    if stage == 0:
        for r in range(2):
            factor = quality if r == 0 else 1.0 / quality
            t = latent_years(out_type[0, r], out_rate[0, r], out_tab[0, r], out_prob[0, r],
                             factor, tabs, 0.0, keys, counters, i)
            if t < best:
                best = t
                what = OUT_GOOD if r == 0 else OUT_BAD
        return what, best
    t = latent_years(out_type[stage, 0], out_rate[stage, 0], out_tab[stage, 0],
                     out_prob[stage, 0], quality, tabs, 0.0, keys, counters, i)
    if stage == 1 and t < best:
        best = t
        what = OUT_GOOD
    t = latent_years(out_type[stage, 2], out_rate[stage, 2], out_tab[stage, 2],
                     out_prob[stage, 2], 1.0, tabs, 0.0, keys, counters, i)
    if t < best:
        best = t
        what = OUT_RELOCATE
    e = -math.log1p(-draw(keys, counters, i))
    t = exit_time(now, e, quality, left_at, incorporated_at, post_window, post_rate,
                  exit_ages, exit_rates) - now
    if t < best:
        best = t
        what = OUT_EXIT
    return what, best


MAX_REJECTIONS = 1_000_000


@njit(**SHARED_INLINED)
def stationary_occupant(in_type: np.ndarray, in_rate: np.ndarray, in_tab: np.ndarray,
                        in_prob: np.ndarray, max_stay_tab: np.ndarray, tabs: np.ndarray,
                        quality_tab: int, stage: int, keys: np.ndarray, counters: np.ndarray,
                        i: int) -> tuple[float, int, float, float]:
    """(quality, fate, years left, months already spent) of an occupant at the start.

    In a carrier whose entries have been steady, the occupants present at a given instant are
    a length-biased sample of stays (a stay twice as long is twice as likely to be in
    progress), and the time already spent is a uniform share of the stay. So: draw a would-be
    entrant (quality, then its competing risks as on entry), accept it with probability
    stay / longest possible stay (the maximum stay's upper end), else draw again; then split
    the accepted stay at a uniform point. Quality and which risk ends the stay are biased
    together, as they are among real occupants.
    """
    cap = tabs[max_stay_tab[stage], tabs.shape[1] - 1] / 12.0
    quality = 1.0
    what = NO_FATE
    stay = 0.0
    for _ in range(MAX_REJECTIONS):
        quality = ppf(tabs, quality_tab, draw(keys, counters, i))
        what, stay = carrier_fate(in_type, in_rate, in_tab, in_prob, max_stay_tab, tabs, stage,
                                  quality, 0.0, keys, counters, i)
        if draw(keys, counters, i) * cap <= stay:
            break
    spent = draw(keys, counters, i) * stay
    return quality, what, stay - spent, spent * 12.0
