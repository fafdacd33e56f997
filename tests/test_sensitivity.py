"""Sensitivity (SALib Morris and Sobol) and scenario discovery (PRIM)."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.distributions import Uniform
from sim.experiment import RunConfig, run_experiment
from sim.scenario import Scenario, load_scenario, to_data, validate_data
from sim.sensitivity import (
    Factor,
    SensitivityConfig,
    discover_run,
    find_boxes,
    morris,
    run_sensitivity,
    scenario_factors,
    sobol,
    write_discovery,
    write_sensitivity,
)
from sim.sensitivity.factors import EPS, to_values
from sim.sensitivity.model import evaluate_points
from tests.factory import A, q, queue_scenario

ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------ Ishigami (analytic indices)
ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(x: np.ndarray) -> np.ndarray:
    return (np.sin(x[:, 0]) + ISHIGAMI_A * np.sin(x[:, 1]) ** 2
            + ISHIGAMI_B * x[:, 2] ** 4 * np.sin(x[:, 0]))


def ishigami_indices() -> tuple[np.ndarray, np.ndarray]:
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def ishigami_factors() -> list[Factor]:
    # The uncertainty path: a scenario distribution's ppf, as for the simulator's factors.
    dist = Uniform(dist="uniform", low=-math.pi, high=math.pi)
    return [Factor(f"x{i}", "uncertainty", f"x{i}", f"x{i}", dist.ppf) for i in (1, 2, 3)]


def test_sobol_reproduces_ishigami_indices() -> None:
    s1_true, st_true = ishigami_indices()
    (res,) = sobol(ishigami_factors(), ishigami, 4096, seed=3)
    np.testing.assert_allclose(res.S1, s1_true, atol=0.04)
    np.testing.assert_allclose(res.ST, st_true, atol=0.04)
    # intervals are real and mostly cover the truth
    assert np.all(res.ST_conf > 0) and np.all(res.ST_conf < 0.1)
    covered = np.abs(res.ST - st_true) <= res.ST_conf + 0.01
    assert covered.sum() >= 2
    assert [row["factor"] for row in res.rows()] == ["x1", "x2", "x3"]


def test_sobol_small_n_is_worse_and_seeded() -> None:
    a = sobol(ishigami_factors(), ishigami, 256, seed=1)[0]
    b = sobol(ishigami_factors(), ishigami, 256, seed=1)[0]
    np.testing.assert_array_equal(a.ST, b.ST)
    np.testing.assert_array_equal(a.ST_conf, b.ST_conf)
    big = sobol(ishigami_factors(), ishigami, 4096, seed=1)[0]
    assert np.mean(a.ST_conf) > 2 * np.mean(big.ST_conf)  # intervals shrink like 1/sqrt(n)


def test_sobol_needs_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of 2"):
        sobol(ishigami_factors(), ishigami, 100)


def test_morris_ranks_ishigami_x3_interacting() -> None:
    (res,) = morris(ishigami_factors(), ishigami, 40, seed=2)
    # x3 acts only through its interaction with x1: sigma large relative to |mu|
    j = 2
    assert res.sigma[j] > abs(res.mu[j])
    assert np.all(res.mu_star_low <= res.mu_star + 1e-12)
    assert np.all(res.mu_star_high >= res.mu_star - 1e-12)
    assert np.all(res.sigma_low <= res.sigma_high)


def test_elementary_effects_give_salibs_morris_statistics() -> None:
    """The bootstrap's elementary effects (computed once, resampled by trajectory) against
    SALib's own mu, mu* and sigma of the same sample: equal to rounding."""
    from SALib.analyze import morris as salib_morris

    from sim.sensitivity.factors import salib_problem
    from sim.sensitivity.indices import MORRIS_LEVELS, elementary_effects, morris_design

    factors = ishigami_factors()
    design = morris_design(factors, 30, seed=5)
    y = ishigami(design.values)
    si = salib_morris.analyze(salib_problem(tuple(factors)), design.unit, y, num_resamples=10,
                              num_levels=MORRIS_LEVELS, seed=1)
    ee = elementary_effects(design.unit, y, design.n, MORRIS_LEVELS)
    np.testing.assert_allclose(ee.mean(axis=1), si["mu"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.abs(ee).mean(axis=1), si["mu_star"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ee.std(axis=1, ddof=1), si["sigma"], rtol=1e-12, atol=1e-12)


def test_unit_values_pass_through_each_distribution() -> None:
    sc = _dominant_scenario()
    factors = scenario_factors(sc)
    unit = np.array([[0.0, 0.5, 1.0], [0.25, 0.25, 0.25]])
    vals = to_values(factors, unit)
    rate = sc.uncertainties["arrival_rate"].distribution
    assert vals[0, 0] == pytest.approx(float(rate.ppf(np.array([EPS]))[0]))
    assert vals[0, 2] == pytest.approx(1 - EPS)  # uniform(0, 1), clipped
    assert vals[1, 0] == pytest.approx(5 + 45 * 0.25)


# ------------------------------------------------------------- a scenario with a dominant factor
def _dominant_scenario() -> Scenario:
    """A maker space; the team arrival rate (5..50 a year) decides the stock at the end.

    A second uncertainty moves the stay a little; a third sets a parameter nothing uses.
    """
    sc = queue_scenario(rate=20.0, slots=2000, stay={"rate": q(1.0)}, years=3)
    d = to_data(sc)
    d["uncertainties"] = {
        "arrival_rate": {"distribution": {"dist": "uniform", "low": 5, "high": 50},
                         "sets": ["firms.sources.teams.rate"], "source": A},
        "dissolution": {"distribution": {"dist": "uniform", "low": 0.9, "high": 1.1},
                        "sets": ["firms.stages.team.in_carrier.dissolution.rate"], "source": A},
        "unused": {"distribution": {"dist": "uniform", "low": 0.0, "high": 1.0},
                   "sets": ["firms.graduation.p_seek_next"], "source": A},
    }
    d["targets"][0]["value"] = 20
    return validate_data(d)


def test_morris_ranks_the_dominant_uncertainty_first() -> None:
    sc = _dominant_scenario()
    cfg = SensitivityConfig("morris", ("t",), n=4, reps=2, output="value", backend="serial")
    res = run_sensitivity(sc, cfg)
    idx = res.indices["t"]
    names = [f.name for f in idx.factors]
    order = [names[j] for j in idx.order()]
    assert order[0] == "arrival_rate"
    mu_star = dict(zip(names, idx.mu_star, strict=True))
    assert mu_star["arrival_rate"] > 5 * max(mu_star["dissolution"], mu_star["unused"])
    assert idx.mu[names.index("arrival_rate")] > 0  # more arrivals, more firms in carriers
    assert res.replications == 4 * (3 + 1) * 2


def test_common_random_numbers_across_points() -> None:
    sc = _dominant_scenario()
    factors = scenario_factors(sc)
    same = np.array([[20.0, 1.0, 0.5]] * 3)
    out = evaluate_points(sc, factors, same, reps=3, seed=5, backend="serial",
                          points_per_task=2)
    assert np.all(out.value == out.value[0]) and np.all(out.p == out.p[0])
    more = evaluate_points(sc, factors, np.array([[20.0, 1.0, 0.5], [40.0, 1.0, 0.5]]),
                           reps=3, seed=5, backend="serial")
    assert more.value[0, 0] == out.value[0, 0]  # a point's outcome does not depend on others
    assert more.value[1, 0] > more.value[0, 0]
    with pytest.raises(ValueError, match="every uncertainty"):
        evaluate_points(sc, factors[:2], same[:, :2], reps=1)


def test_lever_factors_and_outputs_written(tmp_path: Path) -> None:
    from sim.scenario import load_scenario

    sc = load_scenario(ROOT / "scenarios/examples/minimal.yaml")
    cfg = SensitivityConfig("sobol", ("hnte_double", "area_2026"), n=2, reps=1, output="value",
                            levers=("attraction",), backend="serial")
    res = run_sensitivity(sc, cfg)
    assert res.design.points == 2 * (len(sc.uncertainties) + 1 + 2)
    lever_col = res.design.values[:, -1]
    assert lever_col.min() >= 0 and lever_col.max() <= 50 and np.ptp(lever_col) > 0
    folders = write_sensitivity(res, tmp_path, "zh")
    assert [f.name for f in folders] == ["sensitivity-sobol-hnte_double",
                                         "sensitivity-sobol-area_2026"]
    rows = list(csv.DictReader((folders[0] / "indices.csv").open(encoding="utf-8-sig")))
    assert {r["factor"] for r in rows} == {*sc.uncertainties, "attraction"}
    assert {"S1", "S1_low", "ST", "ST_high"} <= set(rows[0])
    samples = pd.read_parquet(folders[0] / "samples.parquet")
    assert len(samples) == res.design.points and "lever:attraction" in samples
    assert (folders[0] / "plots" / "sobol.png").stat().st_size > 10_000
    summary = json.loads((folders[0] / "summary.json").read_text(encoding="utf-8"))
    assert summary["replications"] == res.replications and summary["n"] == 2
    readme = (folders[0] / "README.md").read_text(encoding="utf-8")
    assert "--method sobol" in readme and "ST = " in readme


# ------------------------------------------------------------------------------------ PRIM
def test_prim_finds_a_planted_box() -> None:
    rng = np.random.default_rng(11)
    x = pd.DataFrame(rng.random((1500, 5)), columns=[f"u:x{i}" for i in range(5)])
    inside = (x["u:x1"] > 0.6) & (x["u:x3"] < 0.3)
    (box,) = find_boxes(x, inside.to_numpy(), min_coverage=0.9)
    lim = {b.factor: (b.low, b.high) for b in box.limits}
    assert set(lim) == {"u:x1", "u:x3"}
    assert lim["u:x1"][0] == pytest.approx(0.6, abs=0.03)
    assert lim["u:x3"][1] == pytest.approx(0.3, abs=0.03)
    assert box.coverage >= 0.9 and box.density >= 0.9
    # 10% of labels flipped: about half the cases of interest are noise spread everywhere;
    # the box still restricts exactly the planted factors, near the planted limits
    noisy = np.where(rng.random(1500) < 0.1, ~inside.to_numpy(), inside.to_numpy())
    (nbox,) = find_boxes(x, noisy, min_coverage=0.5)
    nlim = {b.factor: (b.low, b.high) for b in nbox.limits}
    assert set(nlim) == {"u:x1", "u:x3"}
    assert nlim["u:x1"][0] == pytest.approx(0.6, abs=0.05)
    assert nlim["u:x3"][1] == pytest.approx(0.3, abs=0.05)
    assert nbox.density > 0.8


@pytest.fixture(scope="module")
def dominant_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sc = _dominant_scenario()
    out = tmp_path_factory.mktemp("runs") / sc.meta.id
    run_experiment(sc, out, RunConfig(reps=60, seed=0, backend="serial", sampling="lhs"))
    return out


def test_discover_on_a_run_folder(dominant_run: Path) -> None:
    d = discover_run(dominant_run, "t", of="missed", min_coverage=0.8)
    (box,) = d.boxes
    assert box.limits[0].factor == "u:arrival_rate"
    assert box.limits[0].high < 30  # missed when few teams arrive
    out = write_discovery(d, dominant_run / "discovery-t", "en")
    rows = list(csv.DictReader((out / "box_limits.csv").open(encoding="utf-8-sig")))
    assert rows[0]["factor"] == "arrival_rate" and rows[0]["kind"] == "uncertainty"
    traj = list(csv.DictReader((out / "trajectory.csv").open(encoding="utf-8-sig")))
    assert sum(r["selected"] == "True" for r in traj) == 1
    assert (out / "plots" / "prim_tradeoff.png").is_file()
    assert (out / "plots" / "prim_box.png").is_file()
    assert "arrival_rate" in (out / "README.md").read_text(encoding="utf-8")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_sim.py", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=300)


def test_cli_discover_and_bad_input(dominant_run: Path) -> None:
    ok = _cli("discover", str(dominant_run), "--target", "t", "--lang", "en")
    assert ok.returncode == 0, ok.stderr
    assert "u:arrival_rate" in ok.stdout
    assert (dominant_run / "discovery-t" / "summary.json").is_file()
    bad = _cli("discover", str(dominant_run), "--target", "nope")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "unknown target 'nope'" in bad.stderr
    met = _cli("discover", str(dominant_run), "--target", "t", "--of", "sometimes")
    assert met.returncode == 2 and "--of" in met.stderr


def test_cli_sensitivity(tmp_path: Path) -> None:
    ok = _cli("sensitivity", "scenarios/examples/minimal.yaml", "--method", "morris",
              "--target", "hnte_double", "--n", "2", "--reps", "1", "--output", "value",
              "--backend", "serial", "--out", str(tmp_path), "--lang", "en")
    assert ok.returncode == 0, ok.stderr
    folder = tmp_path / "sensitivity-morris-hnte_double"
    rows = list(csv.DictReader((folder / "indices.csv").open(encoding="utf-8-sig")))
    factors = len(load_scenario(ROOT / "scenarios" / "examples" / "minimal.yaml").uncertainties)
    assert [r["rank"] for r in rows] == [str(i) for i in range(1, factors + 1)]
    assert {"mu_star", "mu_star_low", "sigma", "sigma_high"} <= set(rows[0])
    assert (folder / "plots" / "morris_tornado.png").is_file()
    for args, hint in ((("--target", "nope"), "unknown target 'nope'"),
                       (("--target", "hnte_double", "--method", "sobol", "--n", "3"),
                        "power of 2"),
                       (("--target", "hnte_double", "--lever", "nope"), "--lever"),
                       (("--target", "hnte_double", "--set", "attraction=99"), "bounds")):
        base = ["sensitivity", "scenarios/examples/minimal.yaml"]
        if "--method" not in args:
            base += ["--method", "morris"]
        bad = _cli(*base, *args)
        assert bad.returncode == 2, (args, bad.stderr)
        assert hint in bad.stderr and "Traceback" not in bad.stderr
