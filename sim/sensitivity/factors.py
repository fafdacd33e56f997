"""Factors of a sensitivity analysis: a scenario's uncertainties and, optionally, its levers.

SALib works on the unit hypercube: every factor is declared to it as uniform on [0, 1], and a
sample point ``u`` is mapped to the factor's real value through the factor's inverse CDF
(``ppf``). For an uncertainty that is the scenario's own distribution, so a triangular prior
is sampled as a triangular prior; a lever is uniform over its bounds. Unit values are clipped
to [``EPS``, 1 - ``EPS``] so that unbounded distributions (normal, lognormal) stay finite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.scenario import Scenario

EPS = 1e-3
"""Unit values are clipped to [EPS, 1 - EPS] (quantiles 0.1% to 99.9%) before the ppf."""

FactorKind = Literal["uncertainty", "lever", "input"]


@dataclass(frozen=True)
class Factor:
    """One input of the analysis: its name, labels and inverse CDF on [0, 1]."""

    name: str
    kind: FactorKind
    label_zh: str
    label_en: str
    ppf: Callable[[np.ndarray], np.ndarray]

    def label(self, lang: str) -> str:
        """The factor's label in ``lang`` (zh or en)."""
        return self.label_zh if lang == "zh" else self.label_en


def uniform_factor(name: str, low: float, high: float, *, kind: FactorKind = "input",
                   label_zh: str | None = None, label_en: str | None = None) -> Factor:
    """A factor uniform on [low, high] (levers, and test functions such as Ishigami)."""
    if not high > low:
        raise ValueError(f"factor '{name}': empty range [{low:g}, {high:g}]")

    def ppf(u: np.ndarray) -> np.ndarray:
        return low + (high - low) * np.asarray(u, dtype=float)

    return Factor(name, kind, label_zh or name, label_en or name, ppf)


def scenario_factors(scenario: Scenario, levers: Sequence[str] = ()) -> list[Factor]:
    """The scenario's uncertainties (with their distributions), then the named levers.

    ``levers`` may be ``["all"]`` for every lever. Unknown lever names raise KeyError naming
    the scenario's levers; a lever whose bounds are a single value is refused (nothing varies).
    """
    out: list[Factor] = []
    for name, u in scenario.uncertainties.items():
        zh, en = (u.label.zh, u.label.en) if u.label is not None else (name, name)
        out.append(Factor(name, "uncertainty", zh, en, _dist_ppf(u)))
    names = list(scenario.levers) if list(levers) == ["all"] else list(dict.fromkeys(levers))
    for name in names:
        if name not in scenario.levers:
            known = ", ".join(scenario.levers) or "none"
            raise KeyError(f"unknown lever '{name}' (levers of this scenario: {known})")
        lv = scenario.levers[name]
        lo, hi = lv.bounds
        if not hi > lo:
            raise ValueError(f"lever '{name}' has bounds [{lo:g}, {hi:g}]: nothing to vary")
        out.append(uniform_factor(name, lo, hi, kind="lever", label_zh=lv.label.zh,
                                  label_en=lv.label.en))
    if not out:
        raise ValueError(f"scenario '{scenario.meta.id}' declares no uncertainties "
                         "(and no levers were asked for): nothing to analyse")
    return out


def _dist_ppf(unc: Any) -> Callable[[np.ndarray], np.ndarray]:
    """An uncertainty's inverse CDF, its values as the runs use them (``Uncertainty.clean``)."""
    clean = np.vectorize(unc.clean, otypes=[float])

    def ppf(u: np.ndarray) -> np.ndarray:
        values = np.asarray(unc.distribution.ppf(np.asarray(u, dtype=float)), dtype=float)
        return clean(values) if unc.integer else values

    return ppf


def salib_problem(factors: Sequence[Factor]) -> dict[str, Any]:
    """The SALib problem: every factor uniform on the unit interval."""
    return {"num_vars": len(factors), "names": [f.name for f in factors],
            "bounds": [[0.0, 1.0]] * len(factors)}


def to_values(factors: Sequence[Factor], unit: np.ndarray) -> np.ndarray:
    """Real factor values (points x factors) of unit-hypercube points, through each ppf."""
    u = np.clip(np.asarray(unit, dtype=float), EPS, 1.0 - EPS)
    if u.ndim != 2 or u.shape[1] != len(factors):
        raise ValueError(f"unit sample of shape {u.shape} for {len(factors)} factors")
    out = np.empty_like(u)
    for j, f in enumerate(factors):
        out[:, j] = f.ppf(u[:, j])
    return out
