"""From a YAML file (with includes) to a validated ``Scenario``, or located problems.

Pydantic's errors carry a ``loc`` through the data; we walk that loc through the raw data
(skipping union tags pydantic inserts), find the line each path was written on, and phrase
one line per problem: ``FILE:LINE: field.path: value: what is wrong (what was expected)``.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.scenario import baselines, checks
from sim.scenario.errors import MISSING, Problem, ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.skeleton import placeholders
from sim.scenario.yamlio import LineMap, PathKey, load_with_includes

MAX_PROBLEMS = 20


def load_scenario(path: str | Path) -> Scenario:
    """Load, merge includes, validate and cross-check a scenario file.

    Raises ``ScenarioError`` listing every problem found, each with file, line, field and value.
    """
    p = Path(path)
    raw, lines = load_with_includes(p)
    return validate_data(raw, lines, default_file=str(p))


def validate_data(raw: dict[str, Any], lines: LineMap | None = None,
                  default_file: str = "<scenario>", probe_supports: bool = True,
                  numbers_only: bool = False) -> Scenario:
    """Validate plain scenario data (already read), reporting problems against ``lines``."""
    lines = lines or {}
    unfilled = [_locate(path, text, f"unfilled: {what}", f"a value, e.g. {example}", lines,
                        default_file)
                for path, text, what, example in placeholders(raw)]
    if unfilled:  # a skeleton (python run_sim.py new): the to-do list, one line each
        raise ScenarioError(sorted(unfilled, key=lambda p: (p.file, p.line or 0)))
    try:
        raw, lines = baselines.expand(raw, lines)
    except baselines.BaselineError as exc:
        raise ScenarioError([_locate(exc.path, exc.value, exc.what, exc.expected, lines,
                                     default_file)]) from None
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        errors = _primary(exc.errors())
        problems = [_from_pydantic(err, raw, lines, default_file) for err in errors]
        raise ScenarioError(_dedupe(problems)[:MAX_PROBLEMS]) from None
    found = checks.check(scenario, raw, probe_supports, numbers_only)
    if found:
        problems = [_locate(path, value, what, expected, lines, default_file)
                    for path, value, what, expected in found]
        raise ScenarioError(_dedupe(problems)[:MAX_PROBLEMS])
    return scenario


def scenario_sources(sc: Scenario) -> list[str]:
    """Every source text of a validated scenario, in file order."""
    from sim.scenario.documents import sources

    return [text for _, text in sources(sc.model_dump(by_alias=True))]


def scenario_hash(sc: Scenario) -> str:
    """A content hash of the validated scenario (stable across key order and includes)."""
    canonical = json.dumps(sc.model_dump(mode="json", by_alias=True), sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return out


def _primary(errors: list[Any]) -> list[Any]:
    """Drop a list's "too short after validation" when it only counts items that failed."""
    locs = [tuple(e["loc"]) for e in errors]
    return [
        e for e, loc in zip(errors, locs, strict=True)
        if e["type"] != "too_short"
        or not any(len(other) > len(loc) and other[: len(loc)] == loc for other in locs)
    ]


def _locate(path: PathKey, value: Any, what: str, expected: str | None, lines: LineMap,
            default_file: str) -> Problem:
    for k in range(len(path), -1, -1):
        if path[:k] in lines:
            file, line = lines[path[:k]]
            return Problem(file, line, _dotted(path), value, what, expected)
    return Problem(default_file, None, _dotted(path), value, what, expected)


def _dotted(path: PathKey) -> str:
    return ".".join(str(p) for p in path)


def _data_path(loc: tuple[Any, ...], raw: Any, missing: bool) -> tuple[PathKey, Any]:
    """Follow pydantic's loc through the raw data; drop union tags that are not keys.

    Only a ``missing`` error may end at a key that is not in the data (the absent field).
    """
    node: Any = raw
    path: list[Any] = []
    for i, part in enumerate(loc):
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_list or (isinstance(node, dict) and part in node):
            path.append(part)
            node = node[part]
        elif missing and isinstance(part, str) and i == len(loc) - 1 and isinstance(node, dict):
            path.append(part)  # a missing field: name it, there is no value
            node = MISSING
        # anything else is a tag pydantic adds (union member, validator name): skip it
    return tuple(path), node


_EXPECT = re.compile(r"^(?:Input should be|Input should have) (.*)$", re.S)


def _from_pydantic(err: Any, raw: Any, lines: LineMap, default_file: str) -> Problem:
    path, node = _data_path(tuple(err["loc"]), raw, err["type"] == "missing")
    kind = err["type"]
    msg = str(err["msg"])
    value: Any = node
    expected: str | None = None
    if kind == "missing":
        what, value = "required field is missing", MISSING
        expected = "this field to be given"
    elif kind == "extra_forbidden":
        what = "unknown key"
        value = path[-1] if path else node
        expected = _allowed_keys(path)
    elif kind == "union_tag_invalid":
        what = "unknown distribution" if "dist" in msg or "dist" in str(err.get("ctx")) else msg
        tag = node.get("dist") if isinstance(node, dict) else node
        value = tag
        expected = "dist: one of " + ", ".join(_dist_kinds())
        path = (*path, "dist")
    elif kind == "union_tag_not_found":
        what = "distribution without a 'dist' key"
        expected = "dist: one of " + ", ".join(_dist_kinds())
    elif kind == "value_error":
        what = msg.removeprefix("Value error, ")
        key = _blamed_key(node, what)
        if key is not None:
            value = node[key]
            path = (*path, key)
            what = what.removeprefix(f"{key}: ")  # the line names the key already
        expected = None
    else:
        m = _EXPECT.match(msg)
        if m:
            what, expected = "wrong type or value", m.group(1).rstrip(".")
        else:
            what = msg
    return _locate(path, value, what, expected, lines, default_file)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _blamed_key(node: Any, what: str) -> str | None:
    """The key of a mapping that a whole-object check's message is about, if it names one.

    A quantity's bound ("must be >= 0") is about its ``value``; a cross-field check
    ("range [2, 1] must have lo <= hi", "default 60 is outside bounds") is about the first key
    of the mapping its message names. A distribution's own checks concern all its parameters,
    so it is shown whole.
    """
    if not isinstance(node, dict) or "dist" in node:
        return None
    if "value" in node and what.startswith("must be"):
        return "value"
    return next((w for w in _WORD.findall(what) if w in node), None)


def _dist_kinds() -> tuple[str, ...]:
    from sim.distributions import DIST_KINDS

    return DIST_KINDS


def _allowed_keys(path: PathKey) -> str | None:
    """Names the schema accepts where an unknown key was found (best effort)."""
    from sim.scenario.introspect import fields_at

    names = fields_at(path[:-1])
    return f"one of: {', '.join(names)}" if names else None
