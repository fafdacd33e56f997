"""Uncertain baselines: a starting figure written as a distribution is drawn per replication.

The figure becomes an uncertainty (sim.scenario.baselines), so both engines receive the same
drawn value, whole numbers stay whole, ``show`` and sensitivity analysis list it, and what
cannot be sampled is refused by ``validate`` in one line.
"""

from __future__ import annotations

import copy
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from run_sim import app
from sim import rng
from sim.engines.differences import first_difference
from sim.engines.fast import simulate as fast
from sim.engines.reference import simulate as reference
from sim.scenario import ScenarioError, validate_data
from sim.scenario.yamlio import load_with_includes
from sim.sensitivity.factors import scenario_factors
from sim.uncertainty import sample_lhs, sample_one

ROOT = Path(__file__).resolve().parents[1]
EZHOU = ROOT / "scenarios" / "ezhou.yaml"
SRC = "assumption: test of an uncertain baseline"


def _ezhou_raw() -> dict[str, Any]:
    raw, _ = load_with_includes(EZHOU)
    return copy.deepcopy(raw)


def _group(raw: dict[str, Any], gid: str) -> dict[str, Any]:
    return next(g for g in raw["carriers"] if g["id"] == gid)


def _uncertain_ezhou() -> Any:
    raw = _ezhou_raw()
    group = _group(raw, "gd_municipal_maker_spaces")
    group["count"] = {"dist": "uniform", "low": 1, "high": 6, "source": SRC}
    group["incubatees"] = {"dist": "triangular", "low": 5, "mode": 15, "high": 30,
                           "source": SRC}
    stock_id = next(iter(raw["firms"]["stock"]))
    raw["firms"]["stock"][stock_id]["count"] = {"dist": "uniform", "low": 50, "high": 400,
                                                "source": SRC}
    return validate_data(raw, default_file="ezhou-uncertain"), stock_id


def test_an_uncertain_baseline_becomes_a_whole_number_uncertainty() -> None:
    sc, stock_id = _uncertain_ezhou()
    names = {"baseline_carriers_gd_municipal_maker_spaces_count",
             "baseline_carriers_gd_municipal_maker_spaces_incubatees",
             f"baseline_firms_stock_{stock_id}_count"}
    assert names <= set(sc.uncertainties)
    assert all(sc.uncertainties[n].integer for n in names)
    group = next(g for g in sc.carriers if g.id == "gd_municipal_maker_spaces")
    assert group.count == 4  # the median of uniform(1, 6), rounded (3.5 -> 4, half to even)
    assert "uncertain" in (group.incubatees.note or "")
    import numpy as np
    for values in [sample_one(sc, np.random.default_rng(s)) for s in range(20)] + sample_lhs(
            sc, np.random.default_rng(1), 20):
        assert all(float(values[n]).is_integer() for n in names)
    factors = {f.name: f for f in scenario_factors(sc)}
    drawn = factors[f"baseline_firms_stock_{stock_id}_count"].ppf(np.linspace(0.01, 0.99, 7))
    assert np.all(drawn == np.round(drawn)) and drawn.min() >= 50 and drawn.max() <= 400


def test_each_replication_starts_from_its_drawn_baseline_in_both_engines() -> None:
    """The carriers of the group at the start equal the drawn count; the engines agree."""
    sc, _ = _uncertain_ezhou()
    counts = set()
    for seed in range(6):
        seq = rng.replication(0, seed)
        a = reference(sc, seq, keep_firms=True)
        b = fast(sc, seq, keep_firms=True)
        assert first_difference(a, b) is None, f"seed {seed}"
        drawn = a.params["baseline_carriers_gd_municipal_maker_spaces_count"]
        counts.add(drawn)
        before = {g.id: g.count for g in sc.carriers}
        expected = sum(before.values()) - before["gd_municipal_maker_spaces"] + drawn
        assert a.series["carriers"][0] == expected
    assert len(counts) > 1, "the count did not vary across replications"


@pytest.mark.parametrize("mutate, what", [
    (lambda g: g.update(incubatees={"dist": "uniform", "low": -5, "high": 9, "source": SRC}),
     "can draw -5"),
    (lambda g: g.update(incubatees={"dist": "uniform", "low": 1, "high": 9}), "needs a 'source'"),
    (lambda g: g.update(count={"dist": "uniform", "low": 0, "high": 3, "source": SRC}),
     "can draw 0"),
    (lambda g: g.update(total_area={"dist": "cubic", "low": 1, "high": 3, "source": SRC}),
     "not a distribution"),
    (lambda g: g.update(incubatees={"dist": "uniform", "low": 5, "high": 60, "source": SRC}),
     "more incubatees than the 36 slots"),
])
def test_what_cannot_be_sampled_is_refused_in_one_line(mutate: Any, what: str) -> None:
    raw = _ezhou_raw()
    mutate(_group(raw, "gd_municipal_maker_spaces"))
    with pytest.raises(ScenarioError) as exc:
        validate_data(raw, default_file="ezhou-bad")
    message = str(exc.value)
    assert what in message and message.count("\n") == 0
    assert "carriers.4." in message or "gd_municipal_maker_spaces" in message


def test_an_uncertainty_on_a_count_must_round(tmp_path: Path) -> None:
    """A declared uncertainty drawing fractions into a whole-number field: exit 2, one line."""
    text = EZHOU.read_text(encoding="utf-8")
    stock_path = next(iter(_ezhou_raw()["firms"]["stock"]))
    block = (f"uncertainties:\n  stock_probe:\n    distribution: {{dist: uniform, low: 50, "
             f"high: 400}}\n    sets: [firms.stock.{stock_path}.count]\n"
             f"    source: \"{SRC}\"\n")
    assert "\nuncertainties:\n" in text
    bad = ROOT / "scenarios" / f"_test_count_{uuid.uuid4().hex}.yaml"  # beside its includes
    bad.write_text(text.replace("\nuncertainties:\n", "\n" + block, 1), encoding="utf-8")
    try:
        res = CliRunner().invoke(app, ["validate", str(bad)])
    finally:
        bad.unlink()
    assert res.exit_code == 2
    assert "takes whole numbers only" in res.output and "integer: true" in res.output
    assert len(res.output.strip().splitlines()) == 1
