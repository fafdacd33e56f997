"""The backtest: a scenario as shipped, set beside every public figure dated after its cut-off.

docs/design.md section 6. A scenario is fitted only on figures up to its calibration cut-off; every
later figure of its region in the record tests it. For each such figure: the predictive
distribution of the published figure at its date — the simulated value plus the figure's own
error (its confidence's standard error, ``Figure.sd``, as in calibration: a figure read with
'medium' confidence is within ~10% at one standard error) — with its median, 50% and 90%
bands, where the observation falls in it (the
probability integral transform, PIT: the share of replications below it, ties counting half),
whether it is inside each band, and the continuous ranked probability score (CRPS) of the
simulated ensemble, beside the CRPS of a naive forecaster that extrapolates the figure's own
series from before the cut-off (the straight line through its last two figures, or persistence
of the last one, or of the scenario's stated baseline when the record has none). Figures that
cannot be simulated (outside the model, outside the horizon, another region) are listed with
the reason, never dropped.

A fitted parameter whose source names a cut-off later than the scenario's would make the test
circular: that is refused (``BacktestError``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.backends import Backend
from sim.batch import evaluate
from sim.calibration.figures import Figure, FigureSet, screen
from sim.calibration.fit import figure_series, figure_values
from sim.metrics import Query
from sim.rng import name_key
from sim.scenario import Scenario
from sim.timeline import record_dates

BANDS = ((0.25, 0.75), (0.05, 0.95))
"""The 50% and 90% central bands."""
FITTED_CUTOFF = re.compile(r"figures to the cut-off (\d{4}-\d{2}-\d{2})")


class BacktestError(ValueError):
    """A backtest that cannot be done as asked (one line, exit 2)."""


def crps_ensemble(x: np.ndarray, y: float) -> float:
    """CRPS of the empirical distribution of ``x`` at observation ``y``.

    E|X - y| - E|X - X'| / 2, with the second term from the sorted sample in O(n log n).
    """
    xs = np.sort(np.asarray(x, dtype=float))
    n = xs.size
    if n == 0:
        return math.nan
    first = float(np.mean(np.abs(xs - y)))
    i = np.arange(1, n + 1)
    second = float(np.sum((2 * i - n - 1) * xs)) / (n * n)
    return first - second


def pit(x: np.ndarray, y: float) -> float:
    """Share of the ensemble below ``y``, ties counting half (the mid-PIT)."""
    x = np.asarray(x, dtype=float)
    return float((np.sum(x < y) + 0.5 * np.sum(x == y)) / x.size)


@dataclass
class NaiveForecast:
    """The naive forecaster's value for a figure, and how it was made."""

    value: float
    how: str


def naive_forecast(f: Figure, record: Sequence[Figure], scenario: Scenario,
                   baseline: float | None) -> NaiveForecast | None:
    """Extrapolate the figure's own series from figures dated on or before the cut-off.

    The series is the same region, metric, filters and kind. Stocks: the straight line through
    the last two earlier figures (a constant yearly increment: compound growth would explode
    over five years and make a straw man), persistence of the last if there is one, else
    persistence of the scenario's stated baseline. Flows: the last
    earlier flow's rate per day times the period's length.
    """
    cutoff = scenario.meta.cutoff
    same = sorted((g for g in record if g.region == f.region and g.metric == f.metric
                   and g.filters_text == f.filters_text and g.kind == f.kind
                   and g.use == "evidence" and g.date <= cutoff and g is not f),
                  key=lambda g: g.date)
    if f.kind == "flow":
        if not same or same[-1].start is None or f.start is None:
            return None
        last = same[-1]
        assert last.start is not None
        rate = last.value / ((last.date - last.start).days + 1)
        return NaiveForecast(rate * ((f.date - f.start).days + 1),
                             f"rate of {last.id} ({last.date_text})")
    points = [(g.date, g.value) for g in same]
    if len(points) >= 2:
        (d0, v0), (d1, v1) = points[-2], points[-1]
        span = (d1 - d0).days
        ahead = (f.date - d1).days
        if span > 0:
            return NaiveForecast(v1 + (v1 - v0) * ahead / span,
                                 f"linear trend of {same[-2].id} -> {same[-1].id}")
    if points:
        return NaiveForecast(points[-1][1], f"persistence of {same[-1].id}")
    if baseline is not None and math.isfinite(baseline):
        return NaiveForecast(baseline, "persistence of the scenario's baseline")
    return None


@dataclass
class Row:
    """One figure after the cut-off beside the predictive distribution at its date."""

    figure: Figure
    simulated: np.ndarray
    """The predictive sample: the model's value plus the figure's own error."""
    naive: NaiveForecast | None
    model: np.ndarray | None = None
    """The model's values alone (without the figure's error)."""

    @property
    def observed(self) -> float:
        """The figure's value."""
        return self.figure.value

    def quantile(self, q: float) -> float:
        """A quantile of the simulated values."""
        return float(np.quantile(self.simulated, q))

    @property
    def pit(self) -> float:
        """Share of replications below the observation (ties half)."""
        return pit(self.simulated, self.observed)

    def inside(self, band: tuple[float, float]) -> bool:
        """Whether the observation lies in the central band."""
        return self.quantile(band[0]) <= self.observed <= self.quantile(band[1])

    @property
    def crps(self) -> float:
        """CRPS of the simulated ensemble."""
        return crps_ensemble(self.simulated, self.observed)

    @property
    def crps_naive(self) -> float:
        """CRPS of the naive point forecast (its absolute error); NaN without one."""
        return abs(self.naive.value - self.observed) if self.naive else math.nan


@dataclass
class Backtest:
    """Every figure after the cut-off, simulated or listed with the reason it is not."""

    scenario: Scenario
    rows: list[Row]
    figset: FigureSet
    reps: int
    seed: int
    trajectories: dict[str, np.ndarray] = field(default_factory=dict)
    """Monthly series (replications x records) of each simulated figure's series, by key."""
    dates: list[dt.date] = field(default_factory=list)

    @property
    def not_simulated(self) -> list[tuple[Figure, str]]:
        """Figures dated after the cut-off that could not be simulated, with the reason."""
        cutoff = self.scenario.meta.cutoff
        return [(s.figure, s.reason) for s in self.figset.unusable
                if s.figure.date > cutoff and s.figure.use == "evidence"]

    def summary(self) -> dict[str, Any]:
        """Coverage of each band against its nominal level, PIT balance, CRPS against naive."""
        return summarize(self.rows)


def summarize(rows: Sequence[Row]) -> dict[str, Any]:
    """Coverage of each band with misses by side; CRPS of the model beside the naive one.

    The CRPS comparison runs over the figures both forecast: mean CRPS, mean CRPS relative to
    the observation, and the skill score 1 - sum CRPS_model / sum CRPS_naive.
    """
    n = len(rows)
    out: dict[str, Any] = {"figures": n}
    for lo, hi in BANDS:
        name = f"{round((hi - lo) * 100)}"
        inside = sum(r.inside((lo, hi)) for r in rows)
        out[f"coverage_{name}"] = inside / n if n else None
        out[f"inside_{name}"] = inside
        out[f"below_{name}"] = sum(r.observed < r.quantile(lo) for r in rows)
        out[f"above_{name}"] = sum(r.observed > r.quantile(hi) for r in rows)
    both = [r for r in rows if r.naive is not None]
    out["figures_with_naive"] = len(both)
    if both:
        model = np.array([r.crps for r in both])
        naive = np.array([r.crps_naive for r in both])
        scale = np.array([max(abs(r.observed), 1e-9) for r in both])
        out["crps_mean"] = float(model.mean())
        out["crps_naive_mean"] = float(naive.mean())
        out["crps_relative_mean"] = float((model / scale).mean())
        out["crps_naive_relative_mean"] = float((naive / scale).mean())
        out["crps_skill"] = (float(1.0 - model.sum() / naive.sum()) if naive.sum() > 0
                             else None)
        out["model_better_count"] = int(np.sum(model < naive))
    out["pit"] = [round(r.pit, 4) for r in rows]
    return out


def check_no_leak(scenario: Scenario) -> None:
    """Refuse a scenario whose fitted parameters were fitted past its cut-off."""
    from sim.report import sourced_figures

    items = [*sourced_figures(scenario),
             *({"path": f"uncertainties.{name}", "source": u.source}
               for name, u in scenario.uncertainties.items())]
    for item in items:
        for found in FITTED_CUTOFF.findall(item.get("source", "")):
            when = dt.date.fromisoformat(found)
            if when > scenario.meta.cutoff:
                raise BacktestError(
                    f"{item['path']}: fitted to figures up to {when}, after the scenario's "
                    f"calibration cut-off {scenario.meta.cutoff} (expected a parameter file "
                    "fitted on or before the cut-off: the backtest would test on fitted data)")


def run_backtest(scenario: Scenario, figures: Sequence[Figure], *, reps: int = 200,
                 seed: int = 0, engine: str = "fast", backend: Backend | str = "serial",
                 workers: int = 2, path: str = "<figures>") -> Backtest:
    """Simulate ``reps`` replications as ``run`` does and set every later figure beside them."""
    check_no_leak(scenario)
    figset = screen(list(figures), scenario, path, purpose="check")
    usable = figset.usable
    queries: dict[str, Query] = {}
    for f in usable:
        q = f.query
        if q is not None and f.kind != "ratio":
            queries.setdefault(q.key, q)
    outcomes = evaluate(scenario, reps, seed=seed, engine=engine, backend=backend,
                        workers=workers, queries=list(queries.values()))
    dates = record_dates(scenario)
    values = figure_values(usable, outcomes, dates)
    rows: list[Row] = []
    for j, f in enumerate(usable):
        col = values[:, j]
        col = col[np.isfinite(col)]
        if col.size == 0:
            continue
        base = None
        if f.kind == "stock":
            base = float(np.median(figure_series(f, outcomes)[:, 0]))
        noise = np.random.default_rng([seed, name_key(f.id)]).normal(0.0, f.sd, col.size)
        rows.append(Row(f, col + noise, naive_forecast(f, figures, scenario, base), col))
    trajectories: dict[str, np.ndarray] = {}
    for f in usable:
        if f.kind == "stock":
            key = f.query.key if f.query is not None else f.metric
            trajectories.setdefault(key, figure_series(f, outcomes))
    return Backtest(scenario, rows, figset, reps, seed, trajectories, dates)
