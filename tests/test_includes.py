"""Includes merge lists of items with ids item by item (scenarios/README.md, "Includes").

An item with a known id merges into it where it stands (one criterion of a shared rule is
overridden in one line), ``remove: true`` drops it, ``replace: true`` replaces it whole, new
ids are appended; ``{replace: [...]}`` replaces the whole list and ``[]`` clears it. Problems
are still reported at the line of the file that wrote the value.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
JIANGBEI = ROOT / "scenarios" / "jiangbei.yaml"
SRC = '"assumption: test override"'


def _over(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "override.yaml"
    path.write_text(f"include: [{JIANGBEI}]\n{body}", encoding="utf-8")
    return path


def _promotions(sc):  # type: ignore[no-untyped-def]
    return {p.id: p for p in sc.carrier_rules.promotions}


def test_one_criterion_of_a_shared_rule_in_one_line(tmp_path: Path) -> None:
    base = load_scenario(JIANGBEI)
    sc = load_scenario(_over(tmp_path, (
        "carrier_rules:\n  promotions:\n"
        f"    - {{id: cq_municipal_incubator, min_area: {{value: 3000, source: {SRC}}}}}\n")))
    before, after = _promotions(base), _promotions(sc)
    assert list(after) == list(before)  # same rules, same order
    assert after["cq_municipal_incubator"].min_area.value == 3000
    assert after["cq_municipal_incubator"].min_incubatees == before[
        "cq_municipal_incubator"].min_incubatees  # the rest of the rule is kept
    assert after["cq_national_incubator"] == before["cq_national_incubator"]


def test_remove_replace_and_append(tmp_path: Path) -> None:
    base_sc = load_scenario(JIANGBEI)
    base = _promotions(base_sc)
    national = base["cq_national_incubator"].model_dump(mode="json", exclude_none=True)
    national.update(id="cq_national_incubator_2", p_approval={"value": 0.2,
                                                              "source": "assumption: test"})
    first = base_sc.meta.unmodelled[0].id
    sc = load_scenario(_over(tmp_path, (
        f"meta:\n  unmodelled:\n    - {{id: {first}, remove: true}}\n"
        "carrier_rules:\n  promotions:\n"
        f"    - {national}\n"
        "    - {id: cq_national_maker_space, replace: true, kinds: [maker_space],"
        " from_levels: [municipal], to_level: national,"
        f" min_years_operating: {{value: 2, source: {SRC}}},"
        f" min_area: {{value: 500, source: {SRC}}}, min_incubatees: {{value: 10, source: {SRC}}},"
        f" p_approval: {{value: 0.1, source: {SRC}}}, source: {SRC}}}\n")))
    after = _promotions(sc)
    assert [u.id for u in sc.meta.unmodelled] == [u.id for u in base_sc.meta.unmodelled[1:]]
    assert list(after)[-1] == "cq_national_incubator_2" and len(after) == len(base) + 1
    replaced = after["cq_national_maker_space"]
    assert replaced.p_approval.value == 0.1 and replaced.min_years_operating.value == 2
    assert replaced.min_area.source == "assumption: test override"  # replaced whole


def test_replace_the_whole_list_or_clear_it(tmp_path: Path) -> None:
    base = load_scenario(JIANGBEI)
    keep = base.targets[0].model_dump(mode="json", exclude_none=True)
    keep["filters"] = {k: v for k, v in keep.get("filters", {}).items() if v is not None}
    sc = load_scenario(_over(tmp_path, f"targets:\n  replace:\n    - {keep}\n"
                                       "meta:\n  unmodelled: []\n"))
    assert [t.id for t in sc.targets] == [base.targets[0].id]
    assert sc.meta.unmodelled == () and base.meta.unmodelled != ()


def test_problems_point_at_the_file_that_wrote_the_value(tmp_path: Path) -> None:
    path = _over(tmp_path, (
        "carrier_rules:\n  promotions:\n"
        f"    - {{id: cq_national_incubator, p_approval: {{value: 1.5, source: {SRC}}}}}\n"))
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    message = str(exc.value)
    assert message.startswith(f"{path}:4:") and "p_approval" in message and "1.5" in message


def test_a_distribution_of_another_kind_replaces_the_included_one(tmp_path: Path) -> None:
    """Keys of the old distribution (mean, sd) do not survive a change of kind."""
    base = load_scenario(JIANGBEI)
    name = next(n for n, u in base.uncertainties.items() if u.distribution.dist != "uniform")
    sc = load_scenario(_over(tmp_path, (
        f"uncertainties:\n  {name}:\n"
        "    distribution: {dist: uniform, low: 0.03, high: 0.06}\n")))
    assert sc.uncertainties[name].distribution.dist == "uniform"
