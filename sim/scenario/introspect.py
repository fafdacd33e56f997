"""Which keys the schema accepts at a data path (for 'unknown key' messages)."""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from sim.scenario.schema import Scenario


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Pydantic models reachable directly from an annotation (through unions/Annotated)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _models_in(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [m for a in get_args(annotation) for m in _models_in(a)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _step(annotation: Any, key: Any) -> Any:
    """The annotation one step below ``annotation`` for a key or index."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _step(get_args(annotation)[0], key)
    if origin in (Union, types.UnionType):
        for a in get_args(annotation):
            nxt = _step(a, key)
            if nxt is not None:
                return nxt
        return None
    if origin in (tuple, list):
        return get_args(annotation)[0] if isinstance(key, int) else None
    if origin is dict:
        return get_args(annotation)[1]
    for model in _models_in(annotation):
        field = model.model_fields.get(key) if isinstance(key, str) else None
        if field is not None:
            return field.annotation if not field.metadata else Annotated[
                (field.annotation, *field.metadata)]
    return None


def fields_at(path: tuple[Any, ...]) -> list[str]:
    """Field names (aliases where set) of the model(s) at ``path``, or [] if unknown."""
    annotation: Any = Scenario
    for key in path:
        annotation = _step(annotation, key)
        if annotation is None:
            return []
    names: list[str] = []
    for model in _models_in(annotation):
        for name, field in model.model_fields.items():
            shown = field.alias or name
            if shown not in names:
                names.append(shown)
    return names
