"""In-memory batches: replication numbering shared with ``run`` and with other variants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.batch import evaluate
from sim.metrics import Query
from sim.scenario import load_scenario

MINIMAL = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "minimal.yaml"


@pytest.fixture(scope="module")
def minimal():  # type: ignore[no-untyped-def]
    return load_scenario(MINIMAL)


def test_rows_do_not_depend_on_chunking_or_subset(minimal) -> None:  # type: ignore[no-untyped-def]
    whole = evaluate(minimal, 12, chunk_size=5, queries=[Query.of("spend")])
    part = evaluate(minimal, range(6, 12), chunk_size=2)
    assert whole.n == 12 and list(whole.reps) == list(range(12))
    np.testing.assert_array_equal(whole.value[6:], part.value)
    np.testing.assert_array_equal(whole.met[6:], part.met)
    assert whole.series["spend"].shape == (12, whole.times.size)


def test_p_is_the_share_met_with_an_interval(minimal) -> None:  # type: ignore[no-untyped-def]
    out = evaluate(minimal, 10)
    tid = out.target_ids[0]
    p, lo, hi = out.p(tid)
    assert p == pytest.approx(out.met_of(tid).mean())
    assert lo <= p <= hi
    with pytest.raises(KeyError, match="unknown target"):
        out.met_of("no_such_target")


def test_fixed_uncertainties_are_used(minimal) -> None:  # type: ignore[no-untyped-def]
    name = next(iter(minimal.uncertainties))
    u = minimal.uncertainties[name].distribution
    lo, hi = u.support
    value = float(np.clip(u.mean, lo, hi))
    out = evaluate(minimal, 3, uncertainty_values=[{name: value}] * 3)
    np.testing.assert_allclose(out.params[name], value)


def test_flows_and_cohort_come_back_per_replication(minimal) -> None:  # type: ignore[no-untyped-def]
    out = evaluate(minimal, 4)
    assert out.flows["arrivals"].shape == (4, out.times.size)
    assert np.all(np.diff(out.flows["arrivals"], axis=1) >= 0)  # cumulative
    assert set(out.cohort) >= {"graduate_tenure_mean_years", "area_per_incubatee"}
