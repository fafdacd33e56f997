"""Calibration: figures, screening, parameter recovery, parameter files that include, errors."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from sim import rng as rngmod
from sim.batch import evaluate
from sim.calibration import (
    COHORT_STATISTICS,
    CalibrationConfig,
    CalibrationError,
    FigureError,
    ParamError,
    calibrate,
    load_excluding,
    load_including,
    read_figures,
    screen,
)
from sim.calibration.fit import truncate
from sim.calibration.params import parse_params
from sim.engines import get_engine
from sim.metrics import Query
from sim.scenario import load_scenario, with_changes
from sim.timeline import record_dates

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"
HEADER = "id,region,metric,filters,date,value,kind,source,confidence,use,note\n"
"""The legacy one-column source (still read); shipped files use source_title, source_url."""


def write_csv(path: Path, rows: list[str]) -> Path:
    """A figures file with the standard header."""
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def out_path(tmp_path: Path, name: str) -> Path:
    """Where a test writes a parameter file (a calibration/params folder, as shipped)."""
    p = tmp_path / "calibration" / "params" / f"{name}.yaml"
    p.parent.mkdir(parents=True)
    return p


# --------------------------------------------------------------------------- figures and screening
def test_shipped_figures_read_and_screen() -> None:
    """Every shipped figures file reads, every row has a title and an address; each figure
    that cannot fit or check a scenario says why; a figure after the cut-off is a check."""
    for name in ("chongqing", "jiangbei", "shijingshan", "ezhou", "beibei", "hubei",
                 "beijing"):
        figs = read_figures(ROOT / "calibration" / "data" / f"{name}.csv")
        assert all(f.source_title and f.source_url for f in figs), name
        if (ROOT / "scenarios" / f"{name}.yaml").exists():
            sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
            for purpose in ("fit", "check"):
                assert all(s.reason for s in screen(figs, sc, purpose=purpose).unusable)
    sc = load_scenario(ROOT / "scenarios" / "chongqing.yaml")
    figs = read_figures(ROOT / "calibration" / "data" / "chongqing.csv")
    fs = screen(figs, sc)
    reasons = {s.figure.id: s.reason for s in fs.unusable}
    assert "at or before the base date 2020-12-31" in reasons["cq_incubatees"]
    assert reasons["cq_tech_firms_2021q1"].startswith("input:")
    assert reasons["cq_share_tech_firm"].startswith("plan:")
    assert "after the calibration cut-off" in reasons["cq_tech_firms_2022"]
    assert "outside the model" in reasons["cq_little_giants_2021"]
    checks = {f.id for f in screen(figs, sc, purpose="check").usable}
    assert {"cq_tech_firms_2022", "cq_hnte_2022"} <= checks


def test_figure_parsing_flows_filters_and_window(tmp_path: Path) -> None:
    """Periods, compact filters, and figures outside the window are reported, not dropped."""
    sc = load_scenario(MINIMAL)
    path = write_csv(tmp_path / "f.csv", [
        "a,示例区,entries_cum,kind=incubator|maker_space;stage=firm,2024-01-01/2024-12-31,50,"
        "flow,assumption: test,high,,",
        "b,示例区,hnte_valid,,2023-12-31,40,stock,assumption: test,high,,",
        "c,示例区,hnte_valid,,2027-06-30,60,stock,assumption: test,medium,,",
        "d,示例区,survival_3y_new_firms,,2026-12-31,0.8,ratio,assumption: test,low,,",
    ])
    figs = read_figures(path)
    assert figs[0].start == dt.date(2024, 1, 1)
    assert figs[0].filters == {"kind": ("incubator", "maker_space"), "stage": "firm"}
    fs = screen(figs, sc, path, cohort_available=False)
    why = {s.figure.id: s.reason for s in fs.unusable}
    assert [f.id for f in fs.usable] == ["a"]
    assert "base date" in why["b"] and "after the calibration cut-off" in why["c"]
    assert "not computed by this engine" in why["d"]
    only = screen(figs, sc, path, selected=["b"])
    assert only.usable == []
    why = {s.figure.id: s.reason for s in only.unusable}
    assert "not selected" in why["a"] and "base date" in why["b"]


@pytest.mark.parametrize(("row", "field", "value"), [
    ("x,r,hnte_count,,2025-01-01,1,stock,assumption: t,high,,", "metric", "hnte_count"),
    ("x,r,carriers,colour=red,2025-01-01,1,stock,assumption: t,high,,", "filters", "colour"),
    ("x,r,carriers,kind=castle,2025-01-01,1,stock,assumption: t,high,,", "filters.kind",
     "castle"),
    ("x,r,graduation_rate,,2025-01-01,1,ratio,assumption: t,high,,", "metric",
     "graduation_rate"),
    ("x,r,carriers,,2025-01-01,1,stock,assumption: t,sure,,", "confidence", "sure"),
    ("x,r,carriers,,2025-13-01,1,stock,assumption: t,high,,", "date", "2025-13-01"),
    ("x,r,carriers,,2025-01-01,1,stock,assumption: t,high,input,", "note", ""),
])
def test_bad_figure_names_file_row_field_value(tmp_path: Path, row: str, field: str,
                                               value: str) -> None:
    """A figure the model cannot produce is rejected with file, row, field and value."""
    path = write_csv(tmp_path / "bad.csv", [row])
    with pytest.raises(FigureError) as exc:
        read_figures(path)
    assert f"bad.csv:2: {field}: {value!r}" in str(exc.value)


def test_cli_rejects_unknown_metric_with_exit_2(tmp_path: Path) -> None:
    """The command prints one line naming file, row, field and value, and exits 2."""
    from run_sim import app

    path = write_csv(tmp_path / "bad.csv", [
        "ok,示例区,hnte_valid,,2025-12-31,60,stock,assumption: t,high,,",
        "x,示例区,hnte_count,,2025-12-31,60,stock,assumption: t,high,,"])
    res = CliRunner().invoke(app, [
        "calibrate", str(MINIMAL), "--data", str(path), "--params", "hnte_first_application",
        "--out", str(out_path(tmp_path, "x")), "--reps", "2", "--backend", "serial"])
    assert res.exit_code == 2
    assert "bad.csv:3: metric: 'hnte_count': unknown metric" in res.output.replace("\n", "")
    assert "Traceback" not in res.output
    assert not (tmp_path / "calibration" / "params" / "x.yaml").exists()


def test_params_are_checked() -> None:
    """Free parameters: uncertainty names or paths no uncertainty sets; bounds parsed."""
    sc = load_scenario(MINIMAL)
    ps = parse_params("hnte_first_application, statuses.tech_firm.p_renewal=0.5:1", sc)
    assert ps[0].kind == "uncertainty" and ps[0].prior is not None
    assert (ps[1].kind, ps[1].low, ps[1].high) == ("path", 0.5, 1.0)
    with pytest.raises(ParamError, match="set by uncertainty 'hnte_success'"):
        parse_params("statuses.hnte.p_success", sc)
    with pytest.raises(ParamError, match="not an uncertainty"):
        parse_params("statuses.hnte.p_nothing", sc)


def test_truncated_runs_share_the_prefix() -> None:
    """Stopping a run early (calibration speed-up) leaves every earlier record unchanged."""
    sc = load_scenario(MINIMAL)
    short = truncate(sc, dt.date(2025, 3, 31))
    assert short.meta.horizon_end == dt.date(2025, 4, 30)
    fast = get_engine("fast")
    for rep in range(2):
        full, part = (fast(s, rngmod.replication(0, rep)) for s in (sc, short))
        n = len(part.times)
        for key, series in part.series.items():
            np.testing.assert_array_equal(full.series[key][:n], series)


def test_cohort_names_match_the_reference_engine() -> None:
    """The cohort statistics figures may name are those the reference engine computes."""
    sc = load_scenario(MINIMAL)
    res = get_engine("reference")(sc, rngmod.replication(0, 0))
    assert set(res.cohort) == set(COHORT_STATISTICS)


# ------------------------------------------------------------------------------- recovery
def test_smm_recovers_a_known_parameter(tmp_path: Path) -> None:
    """Data simulated at p_renewal = 0.6 are fitted back within 0.05 (start 0.85).

    The data are the mean of 40 replications of other seeds; the fit uses 12 replications
    with common random numbers.
    """
    sc = load_scenario(MINIMAL)
    truth = with_changes(sc, {"statuses.tech_firm.p_renewal": 0.6})
    q = Query.of("tech_firms_valid")
    dates = record_dates(sc)
    obs = evaluate(truth, 40, seed=99, queries=[q]).series[q.key].mean(axis=0)
    rows = []
    # mid-year counts: a calendar-year status lapses just after each 31 December record
    for day in (dt.date(2024, 6, 30), dt.date(2025, 6, 30), dt.date(2026, 6, 30)):
        i = max(k for k, d in enumerate(dates) if d <= day)
        rows.append(f"t{day.year},示例区,tech_firms_valid,,{day},{obs[i]:.1f},stock,"
                    "assumption: simulated at p_renewal 0.6,high,,")
    data = write_csv(tmp_path / "sim.csv", rows)
    out = out_path(tmp_path, "recovery")
    rep = calibrate(CalibrationConfig(
        scenario=MINIMAL, data=data, params="statuses.tech_firm.p_renewal", out=out,
        reps=12, seed=0, max_evals=25, check_reps=12, fit_dir=tmp_path / "fit", plots=False))
    assert abs(rep.fit.estimate[0] - 0.6) < 0.05
    assert rep.fit.objective < rep.fit.start_objective
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    value = doc["statuses"]["tech_firm"]["p_renewal"]
    assert value["source"].startswith("calibration/params/recovery.yaml: fitted by smm on ")
    cal = load_including(MINIMAL, out)
    assert cal.statuses["tech_firm"].p_renewal.value == pytest.approx(rep.fit.estimate[0],
                                                                      rel=1e-5)
    assert rep.overridden == []
    with (tmp_path / "fit" / "fit_table.csv").open(encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    # the first figure precedes the first renewal, so the fit cannot move it
    assert all(abs(float(r["post_z"])) <= abs(float(r["prior_z"])) for r in table)
    assert sum(abs(float(r["post_z"])) < abs(float(r["prior_z"])) for r in table) >= 2


def test_abc_writes_a_posterior_that_includes(tmp_path: Path) -> None:
    """ABC rejection: weights sum to one, the posterior lies in the bounds, the file loads."""
    sc = load_scenario(MINIMAL)
    data = write_csv(tmp_path / "f.csv", [
        "h,示例区,hnte_valid,,2026-12-31,70,stock,assumption: test figure,medium,,"])
    out = out_path(tmp_path, "abc")
    rep = calibrate(CalibrationConfig(
        scenario=MINIMAL, data=data, params="hnte_first_application", out=out, method="abc",
        reps=3, particles=8, accept=0.5, check_reps=3, fit_dir=tmp_path / "fit", lang="en"))
    assert rep.fit.weights is not None and rep.fit.weights.sum() == pytest.approx(1.0)
    p = rep.params[0]
    assert p.low <= rep.fit.estimate[0] <= p.high
    cal = load_including(MINIMAL, out)
    dist = cal.uncertainties["hnte_first_application"].distribution
    assert dist.dist == "normal" and dist.support == (p.low, p.high)
    assert sc.uncertainties["hnte_first_application"].distribution.dist == "triangular"
    assert (tmp_path / "fit" / "posterior.csv").exists()
    assert sorted(f.name for f in (tmp_path / "fit" / "plots").iterdir()) == [
        "01_stock_hnte_valid.png", "posterior_hnte_first_application.png"]


def test_nothing_to_fit_is_bad_input(tmp_path: Path) -> None:
    """A file whose figures all fall outside the window cannot be fitted (one clear line)."""
    data = write_csv(tmp_path / "f.csv", [
        "b,示例区,hnte_valid,,2023-12-31,40,stock,assumption: test,high,,"])
    with pytest.raises(CalibrationError, match="no figure can inform a fit"):
        calibrate(CalibrationConfig(scenario=MINIMAL, data=data, params="hnte_success",
                                    out=out_path(tmp_path, "none"), reps=2))


# ------------------------------------------------------------------------------- Chongqing
def test_chongqing_calibration_run_writes_a_file_the_city_includes(tmp_path: Path) -> None:
    """The city's calibration scenario (from end-2016, fitted to 2017-2020) writes a parameter
    file that the city scenario can include; the file being refitted is left out of the
    calibration run's own includes. One parameter, 2 replications, at most 3 steps."""
    scenario = ROOT / "calibration" / "scenarios" / "chongqing-2017.yaml"
    out = out_path(tmp_path, "chongqing")
    rep = calibrate(CalibrationConfig(
        scenario=scenario, data=ROOT / "calibration" / "data" / "chongqing.csv",
        params="hnte_first_application=0.02:0.5", out=out, reps=2, max_evals=3,
        check_reps=2, fit_dir=tmp_path / "fit", plots=False,
        figures="cq_hnte_2019,cq_hnte_2020_derived"))
    assert {f.id for f in rep.figset.usable} == {"cq_hnte_2019", "cq_hnte_2020_derived"}
    reasons = {s.figure.id: s.reason for s in rep.figset.unusable}
    assert "after the calibration cut-off 2020-12-31" in reasons["cq_hnte_2022"]
    assert "not selected" in reasons["cq_tech_firms_2019"]
    text = (ROOT / "scenarios" / "chongqing.yaml").read_text(encoding="utf-8")
    common = ROOT / "scenarios" / "common"
    copy = re.sub(r"^include: \[.*?\]$",
                  f"include: [{common / 'priors.yaml'}, {common / 'chongqing_rules.yaml'}, "
                  f"{common / 'chongqing_city.yaml'}, {out}]", text, count=1,
                  flags=re.M | re.S)
    (tmp_path / "cq.yaml").write_text(copy, encoding="utf-8")
    included = load_scenario(tmp_path / "cq.yaml")
    dist = included.uncertainties["hnte_first_application"].distribution
    assert dist.dist == "normal"
    assert dist.mean_ == pytest.approx(rep.fit.estimate[0], rel=1e-5)
    assert "figures to the cut-off 2020-12-31" in included.uncertainties[
        "hnte_first_application"].source
    assert load_excluding(tmp_path / "cq.yaml", out).uncertainties[
        "hnte_first_application"].distribution.dist == "triangular"


def test_district_file_is_made_from_the_city_file() -> None:
    """The districts' carried parameters are exactly what sim.calibration.carry makes from the
    city's fitted file (so they cannot drift), and both districts include them."""
    from sim.calibration.carry import carried
    from sim.calibration.output import param_yaml

    city = ROOT / "calibration" / "params" / "chongqing.yaml"
    shipped = ROOT / "calibration" / "params" / "chongqing-districts.yaml"
    names = ["hnte_first_application", "hnte_capable_share", "hnte_direct_certification"]
    doc, header = carried(city, names)
    assert shipped.read_text(encoding="utf-8") == param_yaml(doc, header)
    for param in names:
        fitted = yaml.safe_load(city.read_text(encoding="utf-8"))["uncertainties"][param][
            "distribution"]
        for name in ("beibei", "jiangbei"):
            got = load_scenario(ROOT / "scenarios" / f"{name}.yaml").uncertainties[
                param].distribution
            assert got.dist == "normal" and got.mean_ == fitted["mean"]
    # the city total reaches each district through its share (a step multiplier)
    for name, share in (("beibei", 285 / 6348), ("jiangbei", 190 / 3980)):
        sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        unc = sc.uncertainties["hnte_direct_certification"]
        assert unc.sets == ("firms.sources.established_hnte.rate",)
        step = sc.firms.sources["established_hnte"].steps[0]
        assert step.start == sc.meta.start
        assert step.multiplier.value == pytest.approx(share, abs=5e-5)


@pytest.mark.parametrize("name", ["chongqing"])
def test_shipped_scenarios_use_their_fitted_parameters(name: str) -> None:
    """Each shipped parameter file is included, and no line of the scenario overrides it."""
    scenario = ROOT / "scenarios" / f"{name}.yaml"
    param_file = ROOT / "calibration" / "params" / f"{name}.yaml"
    doc = yaml.safe_load(param_file.read_text(encoding="utf-8"))
    shipped = load_scenario(scenario)
    before = load_excluding(scenario, param_file)
    for uname, u in doc.get("uncertainties", {}).items():
        got = shipped.uncertainties[uname].distribution
        assert got.dist == "normal" and got.mean_ == u["distribution"]["mean"]
        assert before.uncertainties[uname].distribution != got
    for sid, fields in doc.get("statuses", {}).items():
        for field, q in fields.items():
            assert getattr(shipped.statuses[sid], field).value == q["value"]
            assert q["source"].startswith(f"calibration/params/{name}.yaml: fitted by smm on ")


def test_objective_error_is_the_delta_method_standard_error() -> None:
    """The objective's Monte Carlo error (``_gradient_rows``) is the spread of Q over
    independent sets of replications, and the paired error of a difference under common
    random numbers is far below the unpaired one.

    One figure, values v_r ~ N(mu + theta, 1) with the same normals for every theta (common
    random numbers), R = 50, z about 2: the delta method's se of Q = z^2 is within 10% of the
    sd of Q over 2,000 independent sets (that sd's own relative error is 1.6%, and the delta
    method's bias at z = 2 is a few per cent).
    """
    from sim.calibration.figures import Figure
    from sim.calibration.fit import Simulated, _gradient_rows

    fig = Figure(id="f", row=2, region="r", metric="m", filters={},
                 date=dt.date(2020, 12, 31), value=0.0, kind="stock", source_title="t",
                 source_url="", confidence="high")
    s = np.array([0.5])
    rng = np.random.default_rng(7)
    r = 50

    def sim_of(v: np.ndarray) -> Simulated:
        return Simulated(v.reshape(-1, 1), None, [])  # type: ignore[arg-type]

    qs, ses = [], []
    for _ in range(2000):
        v = 1.0 + rng.standard_normal(r)
        rows = _gradient_rows([fig], sim_of(v), s)
        ses.append(np.std(rows, ddof=1) / np.sqrt(r))
        qs.append(((v.mean() - 0.0) / 0.5) ** 2)
    assert np.median(ses) == pytest.approx(np.std(qs, ddof=1), rel=0.10)
    e = rng.standard_normal(r)
    here = _gradient_rows([fig], sim_of(1.0 + e), s)
    there = _gradient_rows([fig], sim_of(1.01 + e), s)
    paired = np.std(there - here, ddof=1) / np.sqrt(r)
    assert paired < 0.02 * np.std(here, ddof=1) / np.sqrt(r)
