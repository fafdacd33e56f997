"""Pre-flight (#26): a job too big for the free memory or disk is refused before it starts,
in one line with exit 2; ``--force`` goes ahead."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from run_sim import app
from sim import PROJECT_ROOT, preflight
from sim.scenario import load_scenario
from sim.scenario.checks import expected_firms

MINIMAL = PROJECT_ROOT / "scenarios" / "examples" / "minimal.yaml"
CHONGQING = PROJECT_ROOT / "scenarios" / "chongqing.yaml"


def test_the_estimate_scales_with_firms_and_workers() -> None:
    sc = load_scenario(CHONGQING)
    one = preflight.estimate(sc, workers=1, backend="processes")
    four = preflight.estimate(sc, workers=4, backend="processes")
    serial = preflight.estimate(sc, workers=4, backend="serial")
    per_worker = expected_firms(sc) * preflight.BYTES_PER_FIRM + preflight.BYTES_PER_PROCESS
    assert four.memory - one.memory == pytest.approx(3 * per_worker)
    assert serial.memory == pytest.approx(per_worker)
    assert 300_000 < one.firms < 400_000  # the city's stock and five years of arrivals
    runs = preflight.estimate(sc, workers=2, backend="processes", reps=100, stored_series=10)
    assert runs.disk == pytest.approx(100 * (int(sc.horizon_years * 12) + 1) * 10 * 4 * 2)


def test_a_job_that_fits_passes_and_one_that_does_not_says_what_to_change() -> None:
    est = preflight.Estimate(firms=1e6, processes=3, memory=8e9, disk=1e9)
    assert est.problem(memory_free=20e9, disk_free=10e9) is None
    line = est.problem(memory_free=4e9, disk_free=10e9)
    assert line is not None and "8.0 GB of memory" in line and "--force" in line
    disk = est.problem(memory_free=20e9, disk_free=1e9)
    assert disk is not None and "run folder needs about 1.0 GB" in disk
    assert est.problem(memory_free=None, disk_free=None) is None  # unknown: no refusal


@pytest.mark.parametrize("args", [
    ["run", str(MINIMAL), "--reps", "2", "--backend", "serial"],
    ["sweep", str(MINIMAL), "--lever", "attraction", "--values", "0,1", "--reps", "2"],
    ["sensitivity", str(MINIMAL), "--method", "morris", "--target", "area_2026",
     "--reps", "1"],
])
def test_commands_refuse_before_any_work_and_force_goes_ahead(
        args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preflight, "free_memory", lambda: 1e6)  # a machine with 1 MB free
    out = tmp_path / "out"
    res = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "GB of memory" in res.output and "--force" in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert not out.exists()  # nothing was started or written
    if args[0] == "run":
        forced = CliRunner().invoke(app, [*args, "--out", str(out), "--force", "--lang", "en"])
        assert forced.exit_code == 0, forced.output
        assert (out / "attainment.csv").is_file()
