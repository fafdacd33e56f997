"""Investment levers: how a decision value changes model parameters, carriers and spending.

A lever's value x acts through declared response functions, relative to its default d (the
scenario's parameters describe today's trajectory, i.e. the default):

* saturating: p * (1 + u_max x / (x + x_half)) / (1 + u_max d / (d + x_half))
* linear:     p * (1 + slope (x - d))
* add:        p + per_unit (x - d)
* set:        p = x
* build:      x m² a year of new carriers, opened in blocks of ``unit_area`` m²

Probabilities are clipped to [0, 1] and other parameters to >= 0 so a response never makes an
impossible scenario. Spending accrues at unit_cost x per year (or per 100 incubatees a year).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.scenario import Scenario, paths, plain_data, with_changes
from sim.scenario.schema import BuildEffect, Lever, ParamEffect

PROBABILITY_NAMES = ("p_", "probability", "share")


def lever_values(scenario: Scenario,
                 overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Every lever's value: its default unless overridden (unknown names are an error)."""
    values = {name: lv.default for name, lv in scenario.levers.items()}
    for name, value in (overrides or {}).items():
        if name not in values:
            known = ", ".join(values) or "none"
            raise KeyError(f"unknown lever '{name}' (levers of this scenario: {known})")
        lo, hi = scenario.levers[name].bounds
        if not lo <= value <= hi:
            raise ValueError(f"lever '{name}' = {value:g} is outside its bounds [{lo:g}, {hi:g}]")
        values[name] = float(value)
    return values


def response(effect: ParamEffect, base: float, x: float, d: float) -> float:
    """The parameter value that lever value ``x`` gives (default ``d``, file value ``base``)."""
    if effect.response == "set":
        return x
    if effect.response == "add":
        assert effect.per_unit is not None
        return base + effect.per_unit.value * (x - d)
    if effect.response == "linear":
        assert effect.slope is not None
        return base * (1.0 + effect.slope.value * (x - d))
    assert effect.u_max is not None and effect.x_half is not None
    u, h = effect.u_max.value, effect.x_half.value
    return base * (1.0 + u * x / (x + h)) / (1.0 + u * d / (d + h))


def _clip(path: str, value: float) -> float:
    last = [p for p in path.split(".") if p != "value"][-1]
    if last.startswith(PROBABILITY_NAMES):
        return min(1.0, max(0.0, value))
    return max(0.0, value)


def apply_levers(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """A variant whose parameters reflect the lever values (build effects act in the engine)."""
    changes: dict[str, float] = {}
    for name, lever in scenario.levers.items():
        x = values.get(name, lever.default)
        if x == lever.default:
            continue
        for eff in lever.effects:
            if isinstance(eff, ParamEffect):
                current = changes.get(eff.param)
                if current is None:
                    data = plain_data(scenario)  # dumped once, only if a lever moved
                    current = float(paths.get(data, paths.locate(data, eff.param)))
                changes[eff.param] = _clip(eff.param, response(eff, current, x, lever.default))
    return with_changes(scenario, changes) if changes else scenario


@dataclass(frozen=True)
class BuildOrder:
    """New carriers a build lever opens: m² per year in blocks of ``effect.unit_area``."""

    lever: str
    area_per_year: float
    effect: BuildEffect


def build_orders(scenario: Scenario, values: Mapping[str, float]) -> list[BuildOrder]:
    """The yearly building that build levers order at the given values."""
    out = []
    for name, lever in scenario.levers.items():
        for eff in lever.effects:
            if isinstance(eff, BuildEffect):
                x = values.get(name, lever.default)
                if x > 0:
                    out.append(BuildOrder(name, x, eff))
    return out


def spend_rate(lever: Lever, x: float, incubatees: float) -> float:
    """Yuan per year that lever value ``x`` costs with ``incubatees`` in carriers."""
    if lever.cost_basis == "per_100_incubatees_year":
        return lever.unit_cost.value * x * incubatees / 100.0
    return lever.unit_cost.value * x


def spend_rates(scenario: Scenario, values: Mapping[str, float]) -> tuple[float, float]:
    """Yuan per year that all levers cost: (fixed, per 100 incubatees), summed in lever order.

    Spending between two records is (fixed + per_100 x incubatees / 100) x elapsed years,
    with the incubatees at the later record (both engines).
    """
    fixed = per100 = 0.0
    for name, lever in scenario.levers.items():
        x = values.get(name, lever.default)
        if lever.cost_basis == "per_100_incubatees_year":
            per100 += lever.unit_cost.value * x
        else:
            fixed += lever.unit_cost.value * x
    return fixed, per100
