"""Fuzzing the loader: a mutated scenario loads or fails with located ScenarioError problems.

Each example takes the valid minimal scenario (includes merged), applies a few random
mutations at random depth (delete a key, replace a value with a random int / float / str /
list / dict / None / date, add an unknown key or list item), writes it as YAML and loads it.
The only acceptable outcomes are a ``Scenario`` or a ``ScenarioError`` whose every problem
names a file and a field path; any other exception is a loader bug.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.yamlio import load_with_includes

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"

NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,11}", fullmatch=True)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(),  # occasionally huge
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", "assumption: x", "doc:nowhere x", "triangular", "all", "2024-13-01",
                     "incubator", "tech_firm", "firms.sources.researchers.rate"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(NAMES, inner, max_size=3)),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def minimal_data() -> dict[str, Any]:
    data, _ = load_with_includes(MINIMAL)
    return data


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "mutated.yaml"


def _containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every mapping and list in the data (the places a mutation can happen)."""
    out = [path]
    children = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in children:
        if isinstance(child, dict | list):
            out += _containers(child, (*path, key))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def mutate(data: dict[str, Any], draw: st.DrawFn) -> list[str]:
    """Apply one random mutation in place; return a description (for failure reports)."""
    path = draw(st.sampled_from(_containers(data)))
    node = _get(data, path)
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    action = draw(st.sampled_from(["delete", "replace", "replace", "add"] if keys else ["add"]))
    if action == "add":
        value = draw(VALUES)
        if isinstance(node, dict):
            key = draw(NAMES)
            node[key] = value
            return [f"add {(*path, key)} = {value!r}"]
        node.append(value)
        return [f"append to {path}: {value!r}"]
    key = draw(st.sampled_from(keys))
    if action == "delete":
        del node[key]
        return [f"delete {(*path, key)}"]
    value = draw(VALUES)
    node[key] = value
    return [f"replace {(*path, key)} with {value!r}"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_scenario_loads_or_fails_cleanly(
    data: st.DataObject, minimal_data: dict[str, Any], scratch: Path
) -> None:
    scenario = copy.deepcopy(minimal_data)
    done: list[str] = []
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="mutations")):
        done += mutate(scenario, data.draw)
    note("\n".join(done))
    scratch.write_text(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False),
                       encoding="utf-8")
    try:
        result = load_scenario(scratch)
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError without problems"
        for problem in exc.problems:
            assert problem.file, f"problem without a file: {problem}"
            assert problem.path, f"problem without a field path: {problem}"
            assert str(problem)  # renders without raising
    else:
        assert isinstance(result, Scenario)


def test_unmutated_minimal_loads(minimal_data: dict[str, Any], scratch: Path) -> None:
    scratch.write_text(yaml.safe_dump(minimal_data, allow_unicode=True), encoding="utf-8")
    assert isinstance(load_scenario(scratch), Scenario)
