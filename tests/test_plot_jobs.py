"""Drawing a run's plots in helper processes (sim/plot_jobs.py): the same pictures, whole files.

A run's plots are drawn side by side where cores are spare: helpers take jobs from the front,
this process from the back. Whoever draws a plot, its file must be the one this process alone
would have written, byte for byte, and no temporary file may be left behind.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.plot_jobs import JOBS_PER_HELPER, PlotJob, draw_all, helpers_for, split


def _jobs(n: int) -> list[PlotJob]:
    dates = [dt.date(2024, 1, 31) + dt.timedelta(days=30 * i) for i in range(24)]
    base = np.linspace(10.0, 50.0, 24)
    jobs = []
    for i in range(n):
        q = {p: base * (1 + i / 10) + 20 * (p - 0.5) for p in (0.05, 0.25, 0.5, 0.75, 0.95)}
        if i % 2:
            jobs.append(PlotJob(f"fan_{i}.png", "fan", (dates, q), dict(
                title=f"目标 {i}", ylabel="家", target_value=60.0,
                target_date=dt.date(2025, 12, 31), stretch=None, lang="zh")))
        else:
            firsts = [dates[(i + k) % 24] for k in range(12)]
            jobs.append(PlotJob(f"first_reach_{i}.png", "first_reach", (firsts, i),
                                dict(title=f"target {i}", target_date=dates[-1], lang="en")))
    jobs.append(PlotJob("attainment.png", "attainment",
                        (["甲", "乙"], [0.9, 0.3], [0.8, 0.2], [0.95, 0.4]),
                        dict(title="规划", lang="zh")))
    return jobs


def test_helpers_draw_the_same_files_as_one_process(tmp_path: Path) -> None:
    jobs = _jobs(10)
    alone = draw_all(jobs, tmp_path / "alone", helpers=0)
    shared = draw_all(jobs, tmp_path / "shared", helpers=1)
    assert [p.name for p in alone] == [p.name for p in shared] == [j.name for j in jobs]
    for a, b in zip(alone, shared, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == sorted(j.name
                                                                           for j in jobs)


def test_a_failing_plot_fails_the_call_whoever_draws_it(tmp_path: Path) -> None:
    """A job that cannot be drawn (here: an unknown kind) raises in the caller, whether it was
    this process's share or a helper's (whose unwritten share is drawn here again)."""
    jobs = [*_jobs(10), PlotJob("broken.png", "no-such-kind")]
    assert len(jobs) - 1 in split(len(jobs), 1)[1]  # the broken one is the helper's
    for helpers in (0, 1):
        with pytest.raises(KeyError):
            draw_all(jobs, tmp_path / str(helpers), helpers=helpers)
        assert not (tmp_path / str(helpers) / "broken.png").exists()
        assert not list((tmp_path / str(helpers)).glob(".*tmp*"))


def test_shares_cover_every_job_once_and_helpers_get_less() -> None:
    for n in range(0, 60):
        for helpers in range(0, 4):
            shares = split(n, helpers)
            assert [i for share in shares for i in share] == list(range(n))
            if len(shares) > 1:
                assert all(len(h) <= len(shares[0]) for h in shares[1:])


def test_helpers_only_where_they_pay(monkeypatch: pytest.MonkeyPatch) -> None:
    """No helper for a handful of plots (each costs about a second to start), on one core, or
    when the other cores are busy (processes wanting a core now, this one included)."""
    import os

    from sim import plot_jobs

    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    for busy, spare in ((0.0, 3), (1.0, 3), (1.6, 2), (2.6, 1), (3.6, 0), (9.0, 0)):
        monkeypatch.setattr(plot_jobs, "busy_now", lambda busy=busy: busy)
        assert plot_jobs.spare_cores() == spare, busy
        assert helpers_for(JOBS_PER_HELPER - 1) == 0
        assert helpers_for(100) == spare
    monkeypatch.setattr(plot_jobs, "busy_now", lambda: None)  # not known: the other cores
    assert plot_jobs.spare_cores() == 3
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    monkeypatch.setattr(plot_jobs, "busy_now", lambda: 0.0)
    assert helpers_for(100) == 0


def test_busyness_is_read_where_the_system_tells_it() -> None:
    """This process is running while it asks, so at least one process wants a core."""
    from sim import plot_jobs

    busy = plot_jobs.busy_now()
    assert busy is None or busy >= 0.0
    if Path("/proc/stat").is_file():
        assert busy is not None and busy >= 1.0
