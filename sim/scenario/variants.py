"""Variants: validated copies of a scenario with some dotted fields changed.

A scenario is never mutated. ``with_changes(sc, {"firms.sources.attraction.rate": 300})``
returns a copy with the numbers set, validated as if read from a file. Only the sections the
changes touch are validated again (a top-level section such as ``firms``, or one item of
``carriers``, ``statuses``, ``levers`` ...); the others are shared with ``sc``, which passed.
Every replication of a Monte Carlo run makes such a variant, so this is a hot path of the
fast engine. Anything the quick route cannot settle (an unknown path, a rejected value, a
change to ``uncertainties``) goes the long way: the whole scenario dumped and validated,
which also phrases the error.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from sim.kept import Kept
from sim.numbers_only import forms_checked
from sim.scenario import checks, paths
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.schema import Scenario


def to_data(sc: Scenario) -> dict[str, Any]:
    """Plain data (as a YAML file would hold it) of a scenario."""
    return sc.model_dump(mode="json", by_alias=True, exclude_none=True)


def with_changes(sc: Scenario, changes: Mapping[str, float]) -> Scenario:
    """A validated copy of ``sc`` with the numbers at the dotted paths replaced."""
    for dotted, value in changes.items():
        if not math.isfinite(value):
            raise ScenarioError([Problem("<variant>", None, dotted, value, "not a finite number",
                                         "a finite number")])
    quick = _revalidate_touched(sc, changes)
    return quick if quick is not None else _revalidate_all(sc, changes)


def _revalidate_all(sc: Scenario, changes: Mapping[str, float]) -> Scenario:
    """The long way: dump everything, set the numbers, validate and check it like a file."""
    from sim.scenario.loading import validate_data

    data = to_data(sc)  # a fresh structure: model_dump copies
    for dotted, value in changes.items():
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


COLLECTIONS = ("carriers", "pipeline", "statuses", "levers", "targets")
"""Top-level sections that hold items (by index or name); an item is validated on its own."""

_PER_OBJECT_VALIDATORS = {"_numbers_are_numbers"}
"""Validators every schema object has that look at that object's own fields only."""
_ACROSS_SECTIONS = bool(
    set(Scenario.__pydantic_decorators__.model_validators) - _PER_OBJECT_VALIDATORS
    or Scenario.__pydantic_decorators__.field_validators)
"""Whether Scenario itself validates across sections (then only the long way is exact)."""

_BASE_DATA: Kept[tuple[Scenario, dict[str, Any]]] = Kept(8)


def plain_data(sc: Scenario) -> dict[str, Any]:
    """Plain data of ``sc`` for locating and reading numbers, dumped once per scenario object.

    Read only (shared by every caller); ``to_data`` gives a private copy to change. Kept by
    the object's id, with the object itself: while it is kept its id cannot be reused.
    """
    return _BASE_DATA.get(id(sc), lambda: (sc, to_data(sc)))[1]


def _revalidate_touched(sc: Scenario, changes: Mapping[str, float]) -> Scenario | None:
    """The variant, validating only the sections the changes touch; None to go the long way.

    Scenario itself has no validator across sections, so a section (or collection item) that
    validates with its new numbers, plus the checks numbers can break (capacity, lever
    bounds), is exactly what validating the whole file would accept.
    """
    if _ACROSS_SECTIONS or any(k.startswith("uncertainties.") for k in changes):
        return None  # the long way also re-checks each uncertainty's support
    if any(isinstance(v, bool) for v in changes.values()):
        return None  # only plain numbers skip the form checks; the long way refuses yes/no
    base = plain_data(sc)
    units: dict[tuple[Any, ...], list[tuple[tuple[Any, ...], float]]] = {}
    for dotted, value in changes.items():
        try:
            concrete = paths.locate(base, dotted)
        except paths.PathError:
            return None
        size = 2 if concrete[0] in COLLECTIONS else 1
        units.setdefault(concrete[:size], []).append((concrete[size:], value))
    update: dict[str, Any] = {}
    for unit, sets in units.items():
        section = update.get(unit[0], getattr(sc, unit[0]))
        part = section if len(unit) == 1 else section[unit[1]]
        data = part.model_dump(mode="json", by_alias=True, exclude_none=True)
        for rest, value in sets:
            paths.set_value(data, rest, value)
        try:
            with forms_checked():  # dumped from a validated scenario, only numbers written
                fresh = type(part).model_validate(data)
        except ValidationError:
            return None
        if len(unit) == 1:
            update[unit[0]] = fresh
        elif isinstance(section, tuple):
            update[unit[0]] = (*section[:unit[1]], fresh, *section[unit[1] + 1:])
        else:
            update[unit[0]] = {**section, unit[1]: fresh}
    variant = sc.model_copy(update=update)
    if checks.check(variant, base, probe_supports=False, numbers_only=True):
        return None
    return variant


def probe_value(raw: dict[str, Any], concrete: tuple[Any, ...], value: float) -> str | None:
    """Would the scenario accept ``value`` at this path? None if so, else the reason."""
    from sim.scenario.checks import capacity_problems, size_problems

    data = copy.deepcopy(raw)
    paths.set_value(data, concrete, value)
    try:
        probed = Scenario.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if all(part in loc for part in concrete[:-1] if isinstance(part, str)):
                return str(err["msg"]).removeprefix("Value error, ")
        return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
    if concrete and concrete[0] == "carriers":  # a drawn count must fit its carriers too
        for _, _, what, _ in capacity_problems(probed):
            return what
    for _, _, what, _ in size_problems(probed):  # nor may a draw exceed what a region holds
        return what
    return None
