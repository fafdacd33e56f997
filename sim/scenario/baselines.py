"""Uncertain baselines: a baseline figure written as a distribution becomes an uncertainty.

A planner who does not know a starting figure writes it as a distribution with its source,
``count: {dist: triangular, low: 400, mode: 820, high: 1230, source: "derived: ..."}``,
where a number with its source would go. Before validation the figure is replaced by its
median (marked uncertain in its ``note``) and an uncertainty named ``baseline_<where>`` is
added that draws it once per replication (rounded to a whole number where the field counts
things). Both engines then receive the drawn value the same way as any other uncertainty
(``sim.uncertainty.apply_uncertainties`` before the replication is built), ``show`` lists it,
and sensitivity analysis includes it. The rule is documented in scenarios/README.md.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from pydantic import TypeAdapter, ValidationError

from sim.distributions import Distribution
from sim.messages import UPDATE_TEXT, label
from sim.scenario import paths
from sim.scenario.yamlio import LineMap, PathKey

WHOLE_NUMBER_FIELDS = frozenset({"count", "incubatees", "graduates_cum", "entries_cum",
                                 "registered_at_start"})
"""Baseline fields that count things: their draws are rounded to whole numbers."""

CARRIER_FIELDS = ("count", "total_area", "incubatees", "graduates_cum", "entries_cum")
STOCK_FIELDS = ("count",)
STATUS_FIELDS = ("registered_at_start",)
PREFIX = "baseline_"
"""Name prefix of the uncertainties made from uncertain baselines."""

_DIST: TypeAdapter[Any] = TypeAdapter(Distribution)


class BaselineError(ValueError):
    """An uncertain baseline that cannot be sampled: (path, value, what, expected)."""

    def __init__(self, path: PathKey, value: Any, what: str, expected: str) -> None:
        super().__init__(what)
        self.path, self.value, self.what, self.expected = path, value, what, expected


def is_uncertain(node: Any) -> bool:
    """Whether a baseline figure is written as a distribution (a mapping with ``dist``)."""
    return isinstance(node, dict) and "dist" in node


def _sites(raw: dict[str, Any]) -> Iterator[tuple[PathKey, str, str]]:
    """Every baseline figure's (key path, name part, field): carriers, stock groups, statuses."""
    for i, group in enumerate(raw.get("carriers") or ()):
        if isinstance(group, dict):
            gid = str(group.get("id", i))
            for fld in CARRIER_FIELDS:
                if fld in group:
                    yield ("carriers", i, fld), f"carriers.{gid}.{fld}", fld
    firms = raw.get("firms")
    stock = firms.get("stock") if isinstance(firms, dict) else None
    for sid, group in (stock or {}).items() if isinstance(stock, dict) else ():
        if isinstance(group, dict):
            for fld in STOCK_FIELDS:
                if fld in group:
                    yield ("firms", "stock", sid, fld), f"firms.stock.{sid}.{fld}", fld
    statuses = raw.get("statuses")
    for sid, st in (statuses or {}).items() if isinstance(statuses, dict) else ():
        if isinstance(st, dict):
            for fld in STATUS_FIELDS:
                if fld in st:
                    yield ("statuses", sid, fld), f"statuses.{sid}.{fld}", fld


def uncertainty_name(dotted: str) -> str:
    """The uncertainty's name for a baseline at ``dotted`` (an identifier of 64 characters)."""
    name = PREFIX + re.sub(r"[^a-z0-9_]+", "_", dotted.lower()).strip("_")
    return name[:64]


def expand(raw: dict[str, Any], lines: LineMap) -> tuple[dict[str, Any], LineMap]:
    """The scenario data with every uncertain baseline replaced by its median and an uncertainty.

    ``raw`` is not changed. Raises ``BaselineError`` for a distribution that cannot be read or
    a name that collides with a declared uncertainty.
    """
    sites = [s for s in _sites(raw) if is_uncertain(paths.get(raw, s[0]))]
    if not sites:
        return raw, lines
    out = copy.deepcopy(raw)
    new_lines = dict(lines)
    uncertainties = out.get("uncertainties")
    if uncertainties is None:
        uncertainties = out["uncertainties"] = {}
    if not isinstance(uncertainties, dict):
        return raw, lines  # the schema reports the malformed section
    for path, dotted, fld in sites:
        node = paths.get(out, path)
        whole = fld in WHOLE_NUMBER_FIELDS
        try:
            dist = _DIST.validate_python(node)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise BaselineError(path, node, f"not a distribution: {err['msg']}",
                                "a number with its source, or {dist: ..., source: ...}") from None
        source = dist.source
        if not source:
            raise BaselineError(path, node, "an uncertain baseline needs a 'source'",
                                "{dist: ..., source: \"document, data row, derived: or "
                                "assumption:\"}")
        name = uncertainty_name(dotted)
        if name in uncertainties:
            raise BaselineError(path, node, f"its uncertainty name '{name}' is already declared",
                                "a name under uncertainties that does not start with "
                                f"'{PREFIX}'")
        median = dist.ppf1(0.5)
        value: float | int = round(median) if whole else float(median)
        plain = path[0] == "carriers" and fld == "count"  # a plain number in the schema
        paths.set_value(out, path, value if plain else {
            "value": value, "source": source,
            "note": f"uncertain: drawn per replication (uncertainty {name}); median shown"})
        spec = {k: v for k, v in node.items() if k != "source"}
        uncertainties[name] = {
            "label": {lang: label(UPDATE_TEXT, "uncertain_baseline", lang, path=dotted)
                      for lang in ("zh", "en")},
            "distribution": spec, "sets": [dotted], "integer": whole, "source": source,
        }
        if path in lines:
            for suffix in ((), ("distribution",), ("sets",), ("sets", 0), ("source",)):
                new_lines[("uncertainties", name, *suffix)] = lines[path]
    return out, new_lines

