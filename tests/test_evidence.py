"""The evidence grade: source classes, variance shares with known answers, the grade rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.evidence import (
    Evidence,
    baseline_sources,
    grade,
    source_class,
    target_evidence,
    variance_share,
)
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("text", "expected"), [
    ("assumption: most firms re-register", "assumption"),
    ("doc:nbia-1997 ~30% of clients graduate (assumption: a US survey read as a prior)",
     "assumption"),
    ("doc:chongqing-plan 空间布局", "data"),
    ("derived: 2,800 / 2", "derived"),
    ("calibration/data/chongqing.csv cq_tech_firms_2020", "data"),
    ("calibration/params/chongqing.yaml: fitted by smm on ...", "data"),
    ("", "assumption"),
])
def test_source_class(text: str, expected: str) -> None:
    assert source_class(text) == expected


def test_variance_share_recovers_known_first_order_shares() -> None:
    """y = a + b + noise with Var(a) = 3, Var(b) = 1, Var(noise) = 1: the group {a} explains
    3/5 of the variance, {b} 1/5 (within 4 standard errors of the estimate at n = 4000)."""
    rng = np.random.default_rng(0)
    n = 4000
    a = rng.normal(0, np.sqrt(3), n)
    b = rng.normal(0, 1, n)
    y = a + b + rng.normal(0, 1, n)
    se = 2 * np.sqrt(0.6 * 0.4 / n) * 2  # a generous bound on the R² estimate's spread
    assert abs(variance_share(y, a[:, None]) - 0.6) < 4 * se
    assert abs(variance_share(y, b[:, None]) - 0.2) < 4 * se
    assert variance_share(y, rng.normal(size=(n, 3))) < 0.01  # unrelated draws explain nothing
    # a quadratic effect is caught too (the squares are in the regression)
    assert variance_share(a ** 2, a[:, None]) > 0.95


def test_grade_rule() -> None:
    assert grade({"assumption": 0.6}, "data") == "assumption"
    assert grade({"assumption": 0.1}, "assumption") == "assumption"
    assert grade({"assumption": 0.3}, "data") == "mixed"
    assert grade({"assumption": 0.1}, "derived") == "mixed"
    assert grade({"assumption": 0.1, "data": 0.8}, "data") == "data"
    ev = Evidence("assumption", {"assumption": 0.7}, "data")
    assert "70%" in ev.sentence("zh") and "假设" in ev.sentence("zh")
    assert "assumptions" in ev.sentence("en")
    assert Evidence("data", {"assumption": 0.0}, "data").sentence("en") == ""


def test_baseline_sources_follow_the_metric() -> None:
    """A registered-count target rests on the stated database count; a carrier target on the
    carriers' figures."""
    sc = load_scenario(ROOT / "scenarios" / "beibei.yaml")
    by_id = {t.id: t for t in sc.targets}
    srcs = baseline_sources(sc, by_id["tech_firms_2025"])
    assert srcs == [sc.statuses["tech_firm"].registered_at_start.source]
    assert baseline_sources(sc, by_id["area_2027"])


def test_target_evidence_on_sampled_parameters() -> None:
    """A value driven by an assumed uncertainty's draws is graded 'assumption'."""
    sc = load_scenario(ROOT / "scenarios" / "ezhou.yaml")
    t = sc.targets[0]
    rng = np.random.default_rng(1)
    params = {name: rng.random(300) for name in sc.uncertainties}
    assumed = [n for n, u in sc.uncertainties.items() if source_class(u.source) == "assumption"]
    value = 100 * params[assumed[0]] + rng.normal(0, 1, 300)
    ev = target_evidence(sc, t, value, params)
    assert ev.shares["assumption"] > 0.9 and ev.grade == "assumption"
