"""Shipped scenarios validate; variants, hashes, the include rule and located errors."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.distributions import Lognormal
from sim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    scenario_hash,
    variants,
    with_changes,
)
from sim.scenario.yamlio import load_with_includes

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted([*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("scenarios/examples/*.yaml"),
                  *ROOT.glob("calibration/scenarios/*.yaml")])
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"
BASE = ROOT / "tests" / "data" / "bad" / "_base" / "base.yaml"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def problem_lines(exc: ScenarioError) -> str:
    return "\n".join(str(p) for p in exc.problems)


# ------------------------------------------------------------------------ shipped scenarios
def test_there_are_shipped_scenarios() -> None:
    assert MINIMAL in SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_shipped_scenario_validates(path: Path) -> None:
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        pytest.fail(f"{path.relative_to(ROOT)} does not validate:\n{problem_lines(exc)}")
    assert isinstance(sc, Scenario)
    assert sc.targets
    assert sc.horizon_years > 0


# ---------------------------------------------------------------------------------- variants
@pytest.fixture(scope="module")
def minimal() -> Scenario:
    return load_scenario(MINIMAL)


def test_with_changes_returns_a_validated_copy(minimal: Scenario) -> None:
    before = minimal.model_dump()
    rate = minimal.firms.sources["transformation"].rate.value
    changed = with_changes(minimal, {
        "firms.sources.transformation.rate": rate + 12,
        "carriers.demo_incubator.area_per_slot": 100,
        "firms.quality.sigma": 0.3,
    })
    assert isinstance(changed, Scenario)
    assert changed is not minimal
    assert changed.firms.sources["transformation"].rate.value == rate + 12
    assert changed.carriers[0].area_per_slot.value == 100
    assert isinstance(changed.firms.quality, Lognormal)
    assert changed.firms.quality.sigma == 0.3
    # the original is untouched, and unrelated fields are carried over
    assert minimal.model_dump() == before
    assert minimal.firms.sources["transformation"].rate.value == rate
    assert changed.targets == minimal.targets
    assert changed.firms.sources["transformation"].rate.source == (
        minimal.firms.sources["transformation"].rate.source)


def test_with_no_changes_is_equal(minimal: Scenario) -> None:
    assert with_changes(minimal, {}) == minimal


@pytest.mark.parametrize(("dotted", "value"), [
    ("firms.graduation.p_seek_next", 1.5),  # a probability above 1
    ("carriers.demo_incubator.total_area", -10),  # a negative area
    ("levers.attraction.default", 99),  # outside the lever's bounds
])
def test_with_changes_rejects_a_bad_value(minimal: Scenario, dotted: str, value: float) -> None:
    with pytest.raises(ScenarioError) as info:
        with_changes(minimal, {dotted: value})
    assert info.value.problems
    assert all(p.path for p in info.value.problems)


def test_with_changes_rejects_an_unknown_path(minimal: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        with_changes(minimal, {"firms.sources.nobody.rate": 3})
    assert info.value.problems[0].path == "firms.sources.nobody.rate"
    assert "nobody" in str(info.value)


def _uncertainty_and_lever_changes(sc: Scenario, seed: int) -> list[dict[str, float]]:
    """What a replication writes into a scenario: its uncertainty draws, then lever effects."""
    from sim.uncertainty import sample_one

    rng = np.random.default_rng(seed)
    values = sample_one(sc, rng)
    drawn = {p: float(v) for name, v in values.items() for p in sc.uncertainties[name].sets}
    lever_params = {}
    for lever in sc.levers.values():
        for eff in lever.effects:
            param = getattr(eff, "param", None)
            if param is not None:
                lever_params[param] = float(rng.uniform(0.5, 1.5))
    return [c for c in (drawn, lever_params) if c]


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(ROOT)) for p in SHIPPED])
def test_a_variant_revalidating_only_what_changed_equals_the_long_way(path: Path) -> None:
    """The quick route (only touched sections validated) gives the same scenario as dumping and
    validating everything, for the changes a Monte Carlo run and its levers make."""
    sc = load_scenario(path)
    tried = 0
    for seed in range(3):
        for changes in _uncertainty_and_lever_changes(sc, seed):
            try:
                long_way = variants._revalidate_all(sc, changes)
            except ScenarioError:
                assert variants._revalidate_touched(sc, changes) is None
                continue
            quick = variants._revalidate_touched(sc, changes)
            assert quick is not None, changes
            assert quick == long_way
            assert scenario_hash(quick) == scenario_hash(long_way)
            tried += 1
    assert tried or not (sc.uncertainties or sc.levers)


def test_a_variant_shares_the_sections_it_does_not_touch(minimal: Scenario) -> None:
    changed = with_changes(minimal, {"statuses.hnte.p_success": 0.5})
    assert changed.statuses["hnte"].p_success.value == 0.5
    assert changed.firms is minimal.firms and changed.targets is minimal.targets
    assert changed.statuses["tech_firm"] is minimal.statuses["tech_firm"]
    assert minimal.statuses["hnte"].p_success.value != 0.5


@pytest.mark.parametrize(("dotted", "value"), [
    ("firms.graduation.p_seek_next", 1.5),
    ("carriers.demo_incubator.total_area", 500.0),  # breaks the capacity check
    ("levers.attraction.default", 99),
    ("firms.sources.nobody.rate", 3),
    ("uncertainties.hnte_success.distribution.low", 0.4),
])
def test_what_the_quick_route_cannot_settle_goes_the_long_way(minimal: Scenario, dotted: str,
                                                               value: float) -> None:
    """Rejections and uncertainty changes are left to the long way, which words the error."""
    assert variants._revalidate_touched(minimal, {dotted: value}) is None


# ------------------------------------------------------------------------------------ hashes
def test_hash_is_stable(minimal: Scenario, tmp_path: Path) -> None:
    assert scenario_hash(minimal) == scenario_hash(load_scenario(MINIMAL))
    assert scenario_hash(minimal) == scenario_hash(with_changes(minimal, {}))
    # the same content written self-contained (no include) hashes the same
    from sim.scenario.yamlio import load_with_includes

    merged, _ = load_with_includes(MINIMAL)
    flat = tmp_path / "flat.yaml"
    flat.write_text(yaml.safe_dump(merged, allow_unicode=True, sort_keys=True),
                    encoding="utf-8")
    assert scenario_hash(minimal) == scenario_hash(load_scenario(flat))


def test_hash_ignores_key_order_and_formatting(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", f"""
        include: [{BASE}]
        meta: {{sectors: [digital, other], zones: [all]}}
        firms: {{post_exit: {{window_years: {{value: 5, source: "assumption: test"}}}}}}
    """)
    b = write(tmp_path / "b.yaml", f"""
        include: [{BASE}]
        firms:
          post_exit:
            window_years:
              source: "assumption: test"
              value: 5.0
        meta:
          zones: [all]
          sectors: [digital, other]
    """)
    assert scenario_hash(load_scenario(a)) == scenario_hash(load_scenario(b))


def test_hash_changes_with_a_value(minimal: Scenario) -> None:
    h = scenario_hash(minimal)
    assert scenario_hash(with_changes(minimal, {"firms.sources.transformation.rate": 31})) != h
    assert scenario_hash(with_changes(minimal, {"statuses.hnte.p_success": 0.71})) != h
    assert len(h) == 64 and int(h, 16) >= 0


# ------------------------------------------------------------------------------ include rule
def test_later_include_wins_and_including_file_wins(tmp_path: Path) -> None:
    write(tmp_path / "first.yaml", """
        a: {x: 1, y: 1, keep_first: 1}
        items: [1, 2, 3]
        s: first
    """)
    write(tmp_path / "second.yaml", """
        a: {y: 2, z: 2}
        items: [9]
        s: second
    """)
    top = write(tmp_path / "top.yaml", """
        include: [first.yaml, second.yaml]
        a: {z: 3}
    """)
    data, _ = load_with_includes(top)
    assert data["a"] == {"x": 1, "y": 2, "z": 3, "keep_first": 1}  # mappings merge deeply
    assert data["items"] == [9]  # lists replace whole
    assert data["s"] == "second"  # the later include wins
    assert "include" not in data


def test_including_file_overrides_scalars_and_lists(tmp_path: Path) -> None:
    write(tmp_path / "inc.yaml", "a: {x: 1, y: [1, 2]}\nb: 1\n")
    top = write(tmp_path / "top.yaml", "include: inc.yaml\na: {y: [3]}\nb: 2\n")
    data, _ = load_with_includes(top)
    assert data == {"a": {"x": 1, "y": [3]}, "b": 2}


def test_null_deletes_an_included_key(tmp_path: Path) -> None:
    write(tmp_path / "inc.yaml", "a: {x: 1, y: 2}\nb: {c: 1}\n")
    top = write(tmp_path / "top.yaml", "include: [inc.yaml]\na: {y: null}\nb: null\n")
    data, _ = load_with_includes(top)
    assert data == {"a": {"x": 1}}


def test_nested_includes_are_relative_to_their_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "leaf.yaml", "a: {x: leaf, y: leaf}\n")
    write(tmp_path / "sub" / "mid.yaml", "include: [leaf.yaml]\na: {y: mid}\n")
    top = write(tmp_path / "top.yaml", "include: [sub/mid.yaml]\nb: top\n")
    data, _ = load_with_includes(top)
    assert data == {"a": {"x": "leaf", "y": "mid"}, "b": "top"}


def test_null_deletion_makes_a_required_field_missing(tmp_path: Path) -> None:
    top = write(tmp_path / "top.yaml", f"""
        include: [{BASE}]
        meta:
          seed_file: null
    """)
    with pytest.raises(ScenarioError) as info:
        load_scenario(top)
    [problem] = info.value.problems
    assert (problem.path, problem.problem) == ("meta.seed_file", "required field is missing")
    assert Path(problem.file) == top and problem.line == 3


def test_including_file_overrides_a_whole_scenario_value(tmp_path: Path) -> None:
    top = write(tmp_path / "top.yaml", f"""
        include: [{BASE}]
        firms:
          sources:
            researchers:
              rate: {{value: 55}}
    """)
    sc = load_scenario(top)
    assert sc.firms.sources["researchers"].rate.value == 55
    assert sc.firms.sources["researchers"].rate.source == "assumption: example, per year"


# --------------------------------------------------------------------- lines across includes
def test_error_in_included_file_names_that_file_and_line(tmp_path: Path) -> None:
    inc = write(tmp_path / "regional.yaml", f"""
        include: [{BASE}]
        firms:
          graduation:
            p_seek_next: {{value: 1.7, source: "assumption: typo"}}
    """)
    top = write(tmp_path / "top.yaml", """
        # a region file that includes a broken layer
        include: [regional.yaml]
        meta:
          horizon_end: 2026-12-31
    """)
    with pytest.raises(ScenarioError) as info:
        load_scenario(top)
    [problem] = info.value.problems
    assert Path(problem.file).resolve() == inc.resolve()
    assert problem.line == 4
    assert problem.path == "firms.graduation.p_seek_next.value"
    assert problem.value == 1.7
    assert str(problem).startswith(f"{problem.file}:4: firms.graduation.p_seek_next.value: 1.7:")


def test_override_in_including_file_fixes_and_relocates(tmp_path: Path) -> None:
    write(tmp_path / "regional.yaml", f"""
        include: [{BASE}]
        firms:
          graduation:
            p_seek_next: {{value: 1.7, source: "assumption: typo"}}
    """)
    fixed = write(tmp_path / "fixed.yaml", """
        include: [regional.yaml]
        firms:
          graduation:
            p_seek_next: {value: 0.4}
    """)
    assert load_scenario(fixed).firms.graduation.p_seek_next.value == 0.4
    broken = write(tmp_path / "broken.yaml", """
        include: [regional.yaml]

        firms:
          graduation:
            p_seek_next: {value: -1}
    """)
    with pytest.raises(ScenarioError) as info:
        load_scenario(broken)
    [problem] = info.value.problems
    assert Path(problem.file) == broken and problem.line == 5


def test_replaced_list_reports_lines_of_the_including_file(tmp_path: Path) -> None:
    top = write(tmp_path / "top.yaml", f"""
        include: [{BASE}]
        pipeline:
          replace:
            - id: only_project
              kind: incubator
              level: district
              area: {{value: 8000, source: "assumption: example"}}
              area_per_slot: {{value: 125, source: "assumption: example"}}
              planned: 2025-06-30
              delay_months: {{dist: uniform, low: 0, high: 6, source: "assumption: example"}}
              p_delivery: {{value: 2, source: "assumption: example"}}
              source: "assumption: example"
    """)
    with pytest.raises(ScenarioError) as info:
        load_scenario(top)
    [problem] = info.value.problems
    assert Path(problem.file) == top
    assert (problem.line, problem.path, problem.value) == (11, "pipeline.0.p_delivery.value", 2)


def test_include_cycle_and_missing_include(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "include: [b.yaml]\nx: 1\n")
    write(tmp_path / "b.yaml", "include: [a.yaml]\ny: 1\n")
    with pytest.raises(ScenarioError, match="include cycle"):
        load_scenario(tmp_path / "a.yaml")
    write(tmp_path / "c.yaml", "x: 1\ninclude: [nowhere.yaml]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "c.yaml")
    [problem] = info.value.problems
    assert (problem.line, problem.path, problem.value) == (2, "include.0", "nowhere.yaml")


def test_missing_file() -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(ROOT / "scenarios" / "no_such_scenario.yaml")


# ------------------------------------------------------------- odd input is located, not a crash
@pytest.mark.parametrize(("text", "line", "path"), [
    ("~: 1\n", 1, "(document)"),  # a null key
    ("!!omap [a: 1]\n", 1, "(document)"),  # a tagged collection
    ("2024-13-01\n", 1, "(document)"),  # an impossible date, alone
    ("meta:\n  ? [a, b]\n  : 1\n", 2, "meta"),  # a list as a key
    ("meta: &m {id: *m}\n", 1, "meta.id"),  # an alias inside itself
    ("meta: !!set {a, b}\n", 1, "meta"),
])
def test_odd_yaml_is_a_located_problem(tmp_path: Path, text: str, line: int, path: str) -> None:
    f = write(tmp_path / "odd.yaml", text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (line, path), str(problem)


@pytest.mark.parametrize(("override", "path"), [
    ("carriers: {replace: [{id: c, kind: park, level: district,"
     " total_area: {value: .inf, source: 'assumption: test'},"
     " area_per_slot: {value: 100, source: 'assumption: test'}, opened: 2020-01-01,"
     " incubatees: {value: 1, source: 'assumption: test'}, source: 'assumption: test'}]}",
     "carriers.0.total_area.value"),
    ("firms: {stock: {hnte_holders: {count: {value: .inf}}}}",
     "firms.stock.hnte_holders.count.value"),
    ("firms: {sources: {researchers: {rate: {value: .nan}}}}",
     "firms.sources.researchers.rate.value"),
    ('firms: {sources: {researchers: {rate: {value: "nan"}}}}',
     "firms.sources.researchers.rate.value"),
    ("levers: {attraction: {bounds: [0, .inf]}}", "levers.attraction.bounds.1"),
])
def test_non_finite_numbers_are_refused(tmp_path: Path, override: str, path: str) -> None:
    f = write(tmp_path / "inf.yaml", f"include: [{BASE}]\n{override}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (2, path), str(problem)
    assert "finite" in problem.problem or "whole number" in problem.problem


def test_infinite_distribution_bounds_are_allowed(tmp_path: Path) -> None:
    f = write(tmp_path / "ok.yaml", f"""
        include: [{BASE}]
        firms:
          quality: {{dist: normal, mean: 1, sd: 0.3, low: 0, high: .inf,
                    source: "assumption: test"}}
    """)
    assert load_scenario(f).firms.quality.support == (0, math.inf)


def test_uncertainty_with_unbounded_support_on_a_count_is_refused(tmp_path: Path) -> None:
    f = write(tmp_path / "count.yaml", f"""
        include: [{BASE}]
        uncertainties:
          stock_count:
            distribution: {{dist: lognormal, mu: 3, sigma: 0.2}}
            sets: [firms.stock.hnte_holders.count]
            source: "assumption: the stock count is uncertain"
    """)
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    [problem] = info.value.problems
    assert (problem.line, problem.path) == (4, "uncertainties.stock_count.distribution")


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_variant_refuses_a_number_that_is_not_finite(bad: float) -> None:
    sc = load_scenario(MINIMAL)
    with pytest.raises(ScenarioError, match="not a finite number"):
        with_changes(sc, {"firms.quality.sigma": bad})


def test_a_numbers_only_variant_still_checks_capacity() -> None:
    """Variants skip the cross-reference checks numbers cannot break, not the capacity one."""
    sc = load_scenario(MINIMAL)
    with pytest.raises(ScenarioError, match="more incubatees than"):
        with_changes(sc, {"carriers.demo_incubator.total_area": 500.0})
