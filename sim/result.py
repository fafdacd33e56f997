"""The Result every engine returns: monthly series per metric-and-filter, and what was drawn.

``series[key][i]`` is the value of query ``key`` (see sim.metrics.Query.key) at ``times[i]``
(years since the start; ``dates[i]`` is the calendar day whose end that is). Index 0 is the
start itself (labelled the day before the start: the base date). ``params`` holds the sampled
uncertainty values and the lever values; ``cohort`` the cohort statistics for calibration;
``flows`` the cumulative firm and certificate flows; ``events`` and ``certificates`` are
filled only when an engine is asked to record them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.metrics import Query
from sim.scenario.schema import Filters

LOCATIONS = ("queue", "carrier", "outside", "exited", "relocated")
"""Firm locations by code (``Result.firms['location']``), as the kernel numbers them."""
POPULATION = ("created", *LOCATIONS)
"""The rows of ``Result.population``: firms created so far, then firms at each location."""


@dataclass
class Result:
    """One replication's monthly trajectories and what produced them."""

    scenario_id: str
    engine: str
    times: np.ndarray
    dates: list[dt.date]
    series: dict[str, np.ndarray]
    params: dict[str, float] = field(default_factory=dict)
    levers: dict[str, float] = field(default_factory=dict)
    cohort: dict[str, float] = field(default_factory=dict)
    population: dict[str, np.ndarray] = field(default_factory=dict)
    flows: dict[str, np.ndarray] = field(default_factory=dict)
    """Cumulative counts since the start at each record (sim.model.state.flow_names)."""
    events: list[Any] | None = None
    certificates: list[Any] | None = None
    firms: dict[str, np.ndarray] | None = None
    """With ``keep_firms=True``: every firm created, in id order, at the end of the run:
    ``stage`` (0 team, 1 start-up, 2 growth), ``location`` (``LOCATIONS`` index),
    ``incorporated``, ``first_carrier``, ``first_tech``, ``left_region`` (model years, NaN if
    never), ``draws`` (uniforms drawn from its life stream)."""
    world: Any = None
    """With ``keep_world=True`` (reference engine): the final state, carriers and firms."""

    def index_at(self, date: dt.date) -> int:
        """Index of the last record at or before the end of ``date``."""
        ordinal = date.toordinal()
        idx = [i for i, d in enumerate(self.dates) if d.toordinal() <= ordinal]
        if not idx:
            raise ValueError(f"{date} is before the first record {self.dates[0]}")
        return idx[-1]

    def value(self, metric: str, filters: Filters | dict[str, Any] | None = None,
              date: dt.date | None = None) -> float:
        """A metric's value at a date (the last record if no date)."""
        key = Query.of(metric, filters).key
        if key not in self.series:
            raise KeyError(f"{key} was not recorded (recorded: {', '.join(self.series)})")
        i = len(self.times) - 1 if date is None else self.index_at(date)
        return float(self.series[key][i])

    def rows(self) -> list[tuple[float, str, str, str, float]]:
        """The tidy table: (time in years, date, metric, group, value); group = filters."""
        out = []
        for key, values in self.series.items():
            metric, _, group = key.partition("[")
            group = group.rstrip("]")
            for t, d, v in zip(self.times, self.dates, values, strict=True):
                out.append((float(t), d.isoformat(), metric, group, float(v)))
        return out
