"""First reach up to the target date vs over the whole horizon (#25 item 8)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim import PROJECT_ROOT
from sim.attainment import summarize_target
from sim.experiment import RunConfig, run_experiment
from sim.scenario import load_scenario
from sim.summary import summarize


def test_reaches_after_the_date_do_not_count_toward_it() -> None:
    first = np.array([0.5, 1.9, 2.5, np.nan])  # years; the target is judged at 2.0
    met = np.array([True, False, False, False])  # the second dipped below again by the date
    s = summarize_target(">=", met, np.zeros(4), np.zeros(4), first, by=2.0)
    assert s.p == 0.25 and s.p_reached_by_date == 0.5 and s.p_reached_ever == 0.75


def test_met_implies_reached_by_the_date_on_a_run(tmp_path: Path) -> None:
    sc = load_scenario(PROJECT_ROOT / "scenarios" / "examples" / "minimal.yaml")
    out = tmp_path / "run"
    run_experiment(sc, out, RunConfig(reps=20, backend="serial"))
    s = summarize(out)
    for t in sc.targets:
        ts = s.targets[t.id]
        assert ts.p <= ts.p_reached_by_date <= ts.p_reached_ever, t.id
