"""Run folders that lie or lose data are caught (#26 class 7).

Parts without a manifest are never reused silently; a part altered after it was written (one
flipped bit that still parses, a truncated or emptied file) is recomputed by ``--resume``; a
folder whose manifest is not one of this tool is never cleared by ``--overwrite``; links
inside a run folder stop ``summarize`` and ``report``; an unfinished run says so.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from run_sim import app
from sim.experiment import RunConfig, run_experiment
from sim.scenario import load_scenario
from sim.store import RunStore, StoreError

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "scenarios" / "examples" / "minimal.yaml"


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return load_scenario(MINIMAL)


def _outcomes(out: Path) -> dict[str, list[object]]:
    """The consolidated outcomes, NaN written as a string so that equal tables compare equal."""
    table = pq.read_table(out / "outcomes.parquet").to_pydict()
    return {k: ["nan" if isinstance(v, float) and math.isnan(v) else v for v in vs]
            for k, vs in table.items()}


def test_parts_without_a_manifest_are_not_reused(tmp_path: Path, scenario) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    run_experiment(scenario, out, RunConfig(reps=4, seed=1, backend="serial", chunk_size=2))
    (out / "manifest.json").unlink()
    with pytest.raises(StoreError, match="without its manifest"):
        run_experiment(scenario, out, RunConfig(reps=4, seed=2, backend="serial", chunk_size=2))
    run_experiment(scenario, out, RunConfig(reps=4, seed=2, backend="serial", chunk_size=2,
                                            overwrite=True))
    fresh = tmp_path / "fresh"
    run_experiment(scenario, fresh, RunConfig(reps=4, seed=2, backend="serial", chunk_size=2))
    assert _outcomes(out) == _outcomes(fresh)


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty"])
def test_resume_recomputes_a_damaged_part(tmp_path: Path, scenario, damage: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    cfg = RunConfig(reps=4, seed=3, backend="serial", chunk_size=2)
    run_experiment(scenario, out, cfg)
    whole = _outcomes(out)
    part = RunStore(out).part_path("outcomes", 1)
    data = bytearray(part.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data = bytearray()
    part.write_bytes(bytes(data))
    assert not RunStore(out).chunk_done(1) and RunStore(out).chunk_done(0)
    run_experiment(scenario, out, RunConfig(reps=4, seed=3, backend="serial", chunk_size=2,
                                            resume=True))
    assert _outcomes(out) == whole


def test_a_foreign_part_is_recomputed(tmp_path: Path, scenario) -> None:  # type: ignore[no-untyped-def]
    """A part and its checksum copied from another run (another seed) are not read as ours."""
    out, other = tmp_path / "run", tmp_path / "other"
    run_experiment(scenario, out, RunConfig(reps=4, seed=3, backend="serial", chunk_size=2))
    whole = _outcomes(out)
    run_experiment(scenario, other, RunConfig(reps=4, seed=4, backend="serial", chunk_size=2))
    mine, theirs = RunStore(out), RunStore(other)
    for kind in ("trajectories", "params", "outcomes"):
        mine.part_path(kind, 1).write_bytes(theirs.part_path(kind, 1).read_bytes())
    mine.checksum_path(1).write_bytes(theirs.checksum_path(1).read_bytes())
    run_experiment(scenario, out, RunConfig(reps=4, seed=3, backend="serial", chunk_size=2,
                                            resume=True))
    assert _outcomes(out) == whole


def test_overwrite_never_clears_a_folder_of_something_else(tmp_path: Path, scenario) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other"
    (other / "plots").mkdir(parents=True)
    (other / "plots" / "mine.png").write_bytes(b"keep")
    (other / "manifest.json").write_text(json.dumps({"name": "another tool"}), encoding="utf-8")
    with pytest.raises(StoreError, match="not one of a run"):
        run_experiment(scenario, other, RunConfig(reps=2, backend="serial", overwrite=True))
    assert (other / "plots" / "mine.png").read_bytes() == b"keep"


def test_links_in_a_run_folder_and_unfinished_runs(tmp_path: Path, scenario) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    run_experiment(scenario, out, RunConfig(reps=4, seed=0, backend="serial", chunk_size=2))
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the report", encoding="utf-8")
    (out / "plots").mkdir(exist_ok=True)
    (out / "plots" / "leak.png").symlink_to(secret)
    for cmd in ("summarize", "report"):
        res = CliRunner().invoke(app, [cmd, str(out)])
        assert res.exit_code == 2 and "a link inside a run folder" in res.output
    (out / "plots" / "leak.png").unlink()
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    m["status"] = "running"
    (out / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    res = CliRunner().invoke(app, ["summarize", str(out), "--lang", "en"])
    assert res.exit_code == 0 and "this run is unfinished" in res.output


def test_disk_full_is_one_line_and_resume_completes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """ENOSPC while writing a part: one line naming what to do, exit 2; --resume finishes it."""
    import errno

    import sim.store

    real = sim.store.atomic_write_table
    calls = {"n": 0}

    def failing(path, table):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 4:  # the second chunk's first part
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, table)

    monkeypatch.setattr(sim.store, "atomic_write_table", failing)
    out = tmp_path / "run"
    args = ["run", str(MINIMAL), "--reps", "4", "--backend", "serial", "--out", str(out)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "No space left on device" in res.output
    assert "--resume" in res.output and "Traceback" not in res.output
    monkeypatch.setattr(sim.store, "atomic_write_table", real)
    assert CliRunner().invoke(app, [*args, "--resume"]).exit_code == 0
    whole = tmp_path / "whole"
    assert CliRunner().invoke(app, [*args[:-1], str(whole)]).exit_code == 0
    assert _outcomes(out) == _outcomes(whole)


def test_more_replications_or_other_workers_just_extend_the_run(tmp_path: Path, scenario) -> None:  # type: ignore[no-untyped-def]
    """A finished run asked again with more replications and other workers runs only what is
    missing (its short last chunk again), and equals a fresh run of that size."""
    out = tmp_path / "run"
    first = run_experiment(scenario, out, RunConfig(reps=7, seed=3, backend="serial", workers=1))
    assert first["chunk_size"] == 2  # chunks of 2, 2, 2 and 1
    again = run_experiment(scenario, out, RunConfig(reps=12, seed=3, backend="serial",
                                                    workers=2))
    assert again["chunk_size"] == 2 and again["reps_done"] == 12
    fresh = tmp_path / "fresh"
    run_experiment(scenario, fresh, RunConfig(reps=12, seed=3, backend="serial", workers=2,
                                              chunk_size=5))  # another layout, same numbers
    assert _outcomes(out) == _outcomes(fresh)
    resumed = run_experiment(scenario, out, RunConfig(reps=12, seed=3, backend="serial",
                                                      workers=4, resume=True))
    assert resumed["reps_done"] == 12


def test_fewer_replications_or_another_lhs_size_are_refused(tmp_path: Path, scenario) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    run_experiment(scenario, out, RunConfig(reps=6, seed=3, backend="serial"))
    with pytest.raises(StoreError, match="would discard finished ones"):
        run_experiment(scenario, out, RunConfig(reps=4, seed=3, backend="serial"))
    lhs = tmp_path / "lhs"
    run_experiment(scenario, lhs, RunConfig(reps=6, seed=3, backend="serial", sampling="lhs"))
    with pytest.raises(StoreError, match="depends on that number"):
        run_experiment(scenario, lhs, RunConfig(reps=8, seed=3, backend="serial",
                                                sampling="lhs"))
