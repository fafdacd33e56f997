"""YAML's yes/no/true/false are not numbers: refuse them wherever a number is expected.

PyYAML reads ``value: yes`` as ``True`` and pydantic would take it as 1.0, so a planner who
wrote "yes" for a probability would get a certainty. Every schema model (scenario objects and
distributions) runs this check before its fields are validated.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel


def _leaf_types(annotation: Any) -> set[Any]:
    """The plain types an annotation may hold (through Optional, unions, containers, Annotated)."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _leaf_types(args[0])
    if origin is typing.Literal:
        return {type(a) for a in args}
    if origin in (typing.Union, types.UnionType) or (origin is not None and args):
        out: set[Any] = set()
        for a in args:
            if a is not Ellipsis:
                out |= _leaf_types(a)
        return out
    return {annotation}


def wants_number(annotation: Any) -> bool:
    """Whether a field takes numbers and no yes/no value."""
    leaves = _leaf_types(annotation)
    return bool(leaves & {int, float}) and bool not in leaves


def _has_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_boolean(v) for v in value)
    if isinstance(value, dict):
        return any(_has_boolean(v) for v in value.values())
    return False


@functools.cache
def number_keys(model: type[BaseModel]) -> tuple[str, ...]:
    """The keys (aliases where declared) of ``model``'s fields that take numbers.

    Why cached: every object of a scenario runs the check, and reading the annotations is
    most of its cost; a class's fields do not change.
    """
    return tuple(field.alias or name for name, field in model.model_fields.items()
                 if wants_number(field.annotation))


FORMS_CHECKED: contextvars.ContextVar[bool] = contextvars.ContextVar("forms_checked",
                                                                     default=False)
"""True while validating data dumped from a validated scenario with only numbers written into
it (a variant): its forms (no yes/no for a number, each source's form) were judged when it
was read and cannot have changed, so only the numbers' own rules need to run again."""


def forms_checked() -> contextlib.AbstractContextManager[None]:
    """Validate a variant's data without judging its forms again (a replication's hot path)."""
    return flag_raised(FORMS_CHECKED)


@contextlib.contextmanager
def flag_raised(flag: contextvars.ContextVar[bool]) -> Iterator[None]:
    """``flag`` True for the duration of the block (in this thread or task only)."""
    token = flag.set(True)
    try:
        yield
    finally:
        flag.reset(token)


def refuse_booleans(model: type[BaseModel], data: Any) -> Any:
    """``data`` unchanged, or ValueError naming the field that holds a yes/no for a number."""
    if not isinstance(data, dict) or FORMS_CHECKED.get():
        return data
    for key in number_keys(model):
        if key in data and _has_boolean(data[key]):
            raise ValueError(f"{key}: a yes/no value where a number is expected (write the "
                             "number, for example 1 or 0.5)")
    return data
