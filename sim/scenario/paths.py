"""Dotted parameter paths: how levers, uncertainties and variants name a number.

``firms.sources.attraction.rate`` names a ``Quantity`` (its ``value`` is meant);
``carriers.cq_incubators.area_per_slot`` picks a list item by its ``id`` (an index works too);
``firms.quality.sigma`` names a number inside a distribution.
"""

from __future__ import annotations

from typing import Any

PathKey = tuple[Any, ...]


class PathError(LookupError):
    """A dotted path that does not lead to a number in the scenario."""


def split(dotted: str) -> list[str]:
    """Split a dotted path into its parts."""
    parts = dotted.split(".")
    if not dotted or any(not p for p in parts):
        raise PathError(f"'{dotted}' is not a dotted path like firms.sources.NAME.rate")
    return parts


def locate(data: Any, dotted: str) -> PathKey:
    """The concrete key path of the number named by ``dotted`` in plain scenario data.

    A path ending at a mapping with a ``value`` key (a Quantity) continues to ``value``.
    """
    node = data
    out: list[Any] = []
    for part in split(dotted):
        if isinstance(node, dict):
            if part not in node:
                known = ", ".join(sorted(str(k) for k in node)) or "nothing"
                raise PathError(f"'{part}' not found at '{_dot(out)}' (known: {known})")
            out.append(part)
            node = node[part]
        elif isinstance(node, list):
            index = _list_index(node, part)
            if index is None:
                ids = ", ".join(str(i.get("id")) for i in node if isinstance(i, dict))
                raise PathError(f"no item '{part}' in '{_dot(out)}' (ids: {ids or 'none'})")
            out.append(index)
            node = node[index]
        else:
            raise PathError(f"'{_dot(out)}' is not a section, it has no '{part}'")
    if isinstance(node, dict) and "value" in node:
        out.append("value")
        node = node["value"]
    if isinstance(node, bool) or not isinstance(node, int | float):
        raise PathError(f"'{dotted}' does not lead to a number")
    return tuple(out)


def _list_index(items: list[Any], part: str) -> int | None:
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    if part.isdigit() and int(part) < len(items):
        return int(part)
    return None


def _dot(path: list[Any]) -> str:
    return ".".join(str(p) for p in path) or "(top)"


def get(data: Any, path: PathKey) -> Any:
    """The value at a concrete key path."""
    for key in path:
        data = data[key]
    return data


def set_value(data: Any, path: PathKey, value: Any) -> None:
    """Set the value at a concrete key path in place (on a private copy of the data)."""
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value
