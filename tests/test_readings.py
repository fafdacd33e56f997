"""Alternative readings of one plan sentence: the joint probability takes one reading each.

A target with ``reading_of: X`` reads X's sentence another way; P(all targets met) and the
joint probability per date run over first readings only, and every output says which were
left out. ``reading_of`` must name another target that is itself a first reading.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.attainment import joint
from sim.experiment import RunConfig, run_experiment
from sim.scenario import ScenarioError, validate_data
from sim.scenario.yamlio import load_with_includes
from sim.summary import joint_note, summarize

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"


def _with_alternative(**fields: Any):  # type: ignore[no-untyped-def]
    raw, _ = load_with_includes(MINIMAL)
    raw = copy.deepcopy(raw)
    first = raw["targets"][0]
    alt = {**copy.deepcopy(first), "id": "second_reading", "reading_of": first["id"]}
    alt["value"] = 1e12 if "value" in alt else alt.get("value")  # never met: would zero the joint
    alt.update(fields)
    raw["targets"].append(alt)
    return validate_data(raw, default_file="readings-test")


def test_the_joint_probability_takes_one_reading_per_sentence(tmp_path: Path) -> None:
    sc = _with_alternative()
    run_experiment(sc, tmp_path / "run", RunConfig(reps=6, seed=0, backend="serial"))
    s = summarize(tmp_path / "run")
    table = pq.read_table(tmp_path / "run" / "outcomes.parquet").to_pydict()
    met = {tid: [] for tid in {t.id for t in sc.targets}}
    for tid, _rep, ok in sorted(zip(table["target_id"], table["rep"], table["met"],
                                   strict=True), key=lambda r: r[1]):
        met[tid].append(ok)
    primary = np.column_stack([met[t.id] for t in sc.targets if t.reading_of is None])
    assert s.targets["second_reading"].p == 0.0  # never met: it would zero a joint over all
    assert s.joint_all == joint(primary)
    assert "second_reading" in joint_note(sc, "en") and "second_reading" in joint_note(sc, "zh")


@pytest.mark.parametrize("fields, what", [
    ({"reading_of": "nowhere"}, "not another target"),
    ({"reading_of": "second_reading"}, "not another target"),
])
def test_reading_of_must_name_a_first_reading(fields: dict[str, Any], what: str) -> None:
    with pytest.raises(ScenarioError, match=what):
        _with_alternative(**fields)


def test_a_reading_of_a_reading_is_refused() -> None:
    sc = _with_alternative()
    raw, _ = load_with_includes(MINIMAL)
    raw = copy.deepcopy(raw)
    raw["targets"] = [t.model_dump(mode="json", exclude_none=True) for t in sc.targets]
    raw["targets"].append({**raw["targets"][-1], "id": "third", "reading_of": "second_reading",
                           "date": dt.date(2026, 12, 31)})
    with pytest.raises(ScenarioError, match="is itself a reading of"):
        validate_data(raw, default_file="readings-test")
