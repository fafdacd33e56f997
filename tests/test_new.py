"""``python run_sim.py new``: a skeleton a planner fills in, complete and honest about gaps.

Unfilled, ``validate`` lists every placeholder on its own line (file, line, field, what to
fill) and nothing else; filled with each placeholder's example it validates and runs, for
every city. Bad arguments and an existing file get one line and exit 2.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from run_sim import app
from sim.cli.new import new_scenario
from sim.engines.fast import simulate
from sim.scenario import load_scenario
from sim.scenario.skeleton import CITIES, fill_with_examples

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("city, lang", [(c, "zh") for c in sorted(CITIES)] + [("none", "en")])
def test_new_writes_a_skeleton_that_validates_once_filled(city: str, lang: str,
                                                          tmp_path: Path) -> None:
    sid = f"zz_test_new_{city}_{lang}_{uuid.uuid4().hex[:8]}"  # unique across xdist workers
    out = ROOT / "scenarios" / f"{sid}.yaml"
    filled = ROOT / "scenarios" / f"{sid}_filled.yaml"
    try:
        assert new_scenario(sid, city, lang) == 0
        text = out.read_text(encoding="utf-8")
        res = CliRunner().invoke(app, ["validate", str(out)])
        lines = res.output.strip().splitlines()
        assert res.exit_code == 2
        data_lines = [x for x in text.splitlines() if not x.lstrip().startswith("#")]
        expected = sum(x.count("FILL(") for x in data_lines)
        assert len(lines) == expected and all("unfilled: " in x for x in lines)
        assert all(x.split(":", 1)[0].endswith(out.name) for x in lines)
        filled.write_text(fill_with_examples(text), encoding="utf-8")
        sc = load_scenario(filled)
        assert sc.meta.id == sid and len(sc.targets) == 5
        result = simulate(sc, 1)
        assert result.series  # it runs
    finally:
        out.unlink(missing_ok=True)
        filled.unlink(missing_ok=True)


@pytest.mark.parametrize("args, what", [
    (["new", "Bad-Id"], "ID: 'Bad-Id'"),
    (["new", "ok_id", "--city", "shanghai"], "--city: 'shanghai'"),
    (["new", "beibei"], "already exists"),
])
def test_new_bad_input_is_one_line(args: list[str], what: str) -> None:
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and what in res.output
    assert len(res.output.strip().splitlines()) == 1
