"""Variants: validated copies of a scenario with some dotted fields changed.

A scenario is never mutated. ``with_changes(sc, {"firms.sources.attraction.rate": 300})``
dumps it to plain data, sets the numbers, and validates the result like a file.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from sim.scenario import paths
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.schema import Scenario


def to_data(sc: Scenario) -> dict[str, Any]:
    """Plain data (as a YAML file would hold it) of a scenario."""
    return sc.model_dump(mode="json", by_alias=True, exclude_none=True)


def with_changes(sc: Scenario, changes: Mapping[str, float]) -> Scenario:
    """A validated copy of ``sc`` with the numbers at the dotted paths replaced."""
    from sim.scenario.loading import validate_data

    data = to_data(sc)  # a fresh structure: model_dump copies
    for dotted, value in changes.items():
        if not math.isfinite(value):
            raise ScenarioError([Problem("<variant>", None, dotted, value, "not a finite number",
                                         "a finite number")])
        try:
            concrete = paths.locate(data, dotted)
        except paths.PathError as exc:
            raise ScenarioError([Problem("<variant>", None, dotted, value, str(exc),
                                         "a dotted path to a number of this scenario")]) from None
        paths.set_value(data, concrete, value)
    touches_uncertainties = any(k.startswith("uncertainties.") for k in changes)
    # ``sc`` passed every check and only numbers changed: the cross-references still hold
    return validate_data(data, default_file="<variant>", probe_supports=touches_uncertainties,
                         numbers_only=not touches_uncertainties)


def probe_value(raw: dict[str, Any], concrete: tuple[Any, ...], value: float) -> str | None:
    """Would the scenario accept ``value`` at this path? None if so, else the reason."""
    data = copy.deepcopy(raw)
    paths.set_value(data, concrete, value)
    try:
        Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if all(part in loc for part in concrete[:-1] if isinstance(part, str)):
                return str(err["msg"]).removeprefix("Value error, ")
        return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
    return None
