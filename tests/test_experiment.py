"""Monte Carlo runs: intervals, common random numbers, backends, store, resume, precision."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.attainment import wilson
from sim.engines.reference import simulate
from sim.evidence import EVIDENCE_COLUMNS
from sim.experiment import RunConfig, full_keys, run_experiment
from sim.scenario import load_scenario
from sim.store import StoreError

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"
SHIPPED = sorted([*(ROOT / "scenarios").glob("*.yaml"),
                  *(ROOT / "calibration" / "scenarios").glob("*.yaml")])
COLUMNS = ["target_id", "label", "metric", "op", "value", "date", "p", "ci_low", "ci_high", "n",
           "median", "q05", "q95", "mean_shortfall"]


def outcomes(run_dir: Path):
    t = pq.read_table(run_dir / "outcomes.parquet").to_pylist()
    def first(v: float) -> float | None:
        return None if v != v else v  # NaN (never reached) compares equal as None

    return sorted((r["rep"], r["target_id"], r["value"], r["met"], first(r["first_reached"]))
                  for r in t)


def test_wilson_known_values():
    assert wilson(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-4)
    assert wilson(5, 10) == pytest.approx((0.23659, 0.76341), abs=1e-4)
    assert wilson(10, 10) == pytest.approx((0.72247, 1.0), abs=1e-4)
    # the bounds solve n (p_hat - pi)^2 = z^2 pi (1 - pi) (the score test's boundary)
    z, k, n = 1.959964, 81, 263
    for bound in wilson(k, n):
        assert n * (k / n - bound) ** 2 == pytest.approx(z * z * bound * (1 - bound), rel=1e-5)


def test_common_random_numbers_survive_a_lever_change():
    sc = load_scenario(MINIMAL)
    seq = np.random.SeedSequence(11, spawn_key=(3,))
    a = simulate(sc, seq, levers={"attraction": 0.0}, record_events=True)
    b = simulate(sc, seq, levers={"attraction": 20.0}, record_events=True)
    assert a.params == b.params  # uncertainty draws untouched by the lever
    arrivals_a = [(e.t) for e in a.events if e.what == "arrive" and e.detail == "researchers"]
    arrivals_b = [(e.t) for e in b.events if e.what == "arrive" and e.detail == "researchers"]
    assert arrivals_a == arrivals_b and arrivals_a  # the lever's source is another one
    base_a = sorted((c.firm, c.status, c.start) for c in a.certificates if c.start <= 0)
    base_b = sorted((c.firm, c.status, c.start) for c in b.certificates if c.start <= 0)
    assert base_a == base_b
    n_a = sum(1 for e in a.events if e.what == "arrive" and e.detail == "transformation")
    n_b = sum(1 for e in b.events if e.what == "arrive" and e.detail == "transformation")
    assert n_b > n_a  # and the lever does what it says


@pytest.fixture(scope="module")
def minimal_scenario():
    return load_scenario(MINIMAL)


def test_backends_give_identical_outcomes(tmp_path, minimal_scenario):
    runs = {}
    for backend in ("serial", "processes", "dask"):
        out = tmp_path / backend
        run_experiment(minimal_scenario, out, RunConfig(reps=6, seed=5, backend=backend,
                                                        workers=2, chunk_size=2))
        runs[backend] = outcomes(out)
    assert runs["serial"] == runs["processes"] == runs["dask"]
    assert len(runs["serial"]) == 6 * len(minimal_scenario.targets)


def test_manifest_records_the_run(tmp_path, minimal_scenario):
    out = tmp_path / "run"
    run_experiment(minimal_scenario, out, RunConfig(reps=3, seed=9, backend="serial",
                                                    engine="reference"))
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "complete" and m["reps_done"] == 3 and m["seed"] == 9
    assert m["engine"] == "reference" and m["backend"] == "serial"
    assert len(m["scenario_hash"]) == 64
    for pkg in ("python", "numpy", "simpy", "pyarrow"):
        assert m["versions"][pkg]
    assert m["wall_seconds"] > 0 and m["started"] and m["finished"]
    params = pq.read_table(out / "params.parquet").to_pylist()
    assert [p["rep"] for p in params] == [0, 1, 2]
    assert all("u:hnte_success" in p for p in params)


def test_summary_uses_the_scenario_in_memory_only_when_it_is_the_stored_one(
        tmp_path, minimal_scenario):
    """After a run the CLI hands its scenario to the summary (saving a reload); a scenario
    that is not the one stored is never used: the stored one is read instead."""
    from sim.scenario import scenario_hash, with_changes
    from sim.summary import summarize

    run_experiment(minimal_scenario, tmp_path, RunConfig(reps=2, backend="serial"))
    assert summarize(tmp_path, minimal_scenario).scenario is minimal_scenario
    other = with_changes(minimal_scenario, {"firms.quality.sigma": 0.5})
    read = summarize(tmp_path, other).scenario
    assert read is not other and scenario_hash(read) == scenario_hash(minimal_scenario)


def test_precision_stops_when_reached(tmp_path, minimal_scenario):
    out = tmp_path / "precise"
    cfg = RunConfig(reps=4, seed=1, backend="serial", precision=0.2, max_reps=60, chunk_size=2)
    m = run_experiment(minimal_scenario, out, cfg)
    from sim.summary import summarize

    s = summarize(out)
    widths = [0.5 * (t.ci_high - t.ci_low) for t in s.targets.values()]
    assert max(widths) <= 0.2
    assert m["reps_done"] < 60
    # one batch fewer would not have been precise enough (it stopped as soon as it could)
    assert m["reps_done"] > 4


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_sim.py", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=600)


def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path):
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    args = ["run", str(MINIMAL), "--reps", "12", "--seed", "4", "--backend", "serial"]
    assert _cli(*args, "--out", str(whole)).returncode == 0
    proc = subprocess.Popen([sys.executable, "run_sim.py", *args, "--out", str(broken)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    first = broken / "outcomes" / "part-00000.parquet"
    deadline = time.time() + 120
    while not first.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    manifest = json.loads((broken / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "running"  # it really was interrupted
    done = run = _cli(*args, "--out", str(broken), "--resume")
    assert run.returncode == 0, run.stderr
    assert outcomes(broken) == outcomes(whole)
    assert done.stdout
    with (broken / "attainment.csv").open(encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    # the columns first and in order (a contract); the evidence columns extend them
    assert header[:len(COLUMNS)] == COLUMNS
    assert tuple(header[len(COLUMNS):]) == EVIDENCE_COLUMNS


def test_resume_refuses_a_changed_scenario(tmp_path):
    shutil.copytree(ROOT / "scenarios" / "common", tmp_path / "scenarios" / "common")
    shutil.copytree(ROOT / "documents", tmp_path / "documents")  # the priors include its registry
    (tmp_path / "scenarios" / "examples").mkdir()
    scen = tmp_path / "scenarios" / "examples" / "minimal.yaml"
    shutil.copy(MINIMAL, scen)
    out = tmp_path / "run"
    assert _cli("run", str(scen), "--reps", "2", "--backend", "serial", "--out",
                str(out)).returncode == 0
    scen.write_text(scen.read_text(encoding="utf-8").replace("value: 40, source",
                                                             "value: 41, source"),
                    encoding="utf-8")
    res = _cli("run", str(scen), "--reps", "2", "--backend", "serial", "--out", str(out),
               "--resume")
    assert res.returncode == 2
    assert "scenario changed" in res.stderr and "Traceback" not in res.stderr
    res = _cli("run", str(scen), "--reps", "2", "--seed", "3", "--backend", "serial", "--out",
               str(out), "--resume")
    assert res.returncode == 2 and "resume" in res.stderr


def test_resume_refuses_a_different_seed(tmp_path, minimal_scenario):
    out = tmp_path / "run"
    run_experiment(minimal_scenario, out, RunConfig(reps=2, seed=1, backend="serial"))
    with pytest.raises(StoreError, match="seed"):
        run_experiment(minimal_scenario, out, RunConfig(reps=2, seed=2, backend="serial",
                                                        resume=True))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_runs_and_plots(tmp_path, path):
    """Every shipped scenario: a few replications (default engine), tables, plots, truths.

    Each shipped scenario also runs on the reference engine in this suite
    (tests/test_engine_equality.py; Chongqing in tests/test_reference_engine.py, -m slow).
    """
    from sim.summary import summarize, write_plots, write_tables

    sc = load_scenario(path)
    out = tmp_path / sc.meta.id
    reps = 2
    backend = "processes" if sc.meta.id == "chongqing" else "serial"
    run_experiment(sc, out, RunConfig(reps=reps, seed=0, backend=backend, workers=2,
                                      chunk_size=1, store="full"))
    s = summarize(out)
    write_tables(s, out, "zh")
    files = write_plots(s, out, "zh")
    assert len(files) == 2 * len(sc.targets) + 1
    assert all(f.stat().st_size > 5000 for f in files)
    with (out / "attainment.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["target_id"] for r in rows] == [t.id for t in sc.targets]
    assert all(int(r["n"]) == reps for r in rows)
    traj = pq.read_table(out / "trajectories" / "part-00000.parquet").to_pydict()
    assert list(traj) == ["rep", "month", *full_keys(sc)]  # what preflight counts for full
    created = np.array(traj["population:created"])
    parts = sum(np.array(traj[f"population:{k}"]) for k in ("queue", "carrier", "outside",
                                                             "exited", "relocated"))
    np.testing.assert_array_equal(created, parts)  # conservation of firms every month


def test_auto_backend_runs_small_jobs_here_and_large_ones_on_workers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``auto`` compares t x n here with start + t x n / workers on a pool (t timed)."""
    import sim.experiment as ex

    sc = load_scenario(ROOT / "scenarios" / "ezhou.yaml")
    clock = iter(np.arange(0.0, 100.0, 0.01))  # every replication "takes" 10 ms
    monkeypatch.setattr(ex.time, "perf_counter", lambda: float(next(clock)))
    auto = RunConfig(backend="auto", workers=2)
    small = int(2 * ex.WORKER_START_SECONDS / 0.01) - 1  # t n < start + t n / 2
    assert ex.choose_backend(sc, auto, small) == "serial"
    assert ex.choose_backend(sc, auto, small + 2) == "processes"
    assert ex.choose_backend(sc, RunConfig(backend="auto", workers=1), 10**6) == "serial"
    assert ex.choose_backend(sc, RunConfig(backend="auto", precision=0.05), 2) == "processes"
    assert ex.choose_backend(sc, RunConfig(backend="auto", engine="reference"), 2) == "processes"
    for chosen in ("serial", "processes", "dask"):
        assert ex.choose_backend(sc, RunConfig(backend=chosen), 2) == chosen
