"""The ``update`` command: a mid-term review scenario that starts from the observed state."""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from pathlib import Path

from sim.analysis.common import open_backend
from sim.calibration.figures import FigureError, read_figures
from sim.cli.analysis import RunOptions, _bad, _load
from sim.cli.backtest import default_data, project_relative
from sim.cli.commands import EXIT_OK, report_scenario_error
from sim.engines import ready
from sim.scenario import ScenarioError, load_scenario
from sim.update import UpdateError, build, relative_include, write


def update(path: Path, at: dt.date, data: Path | None, out: Path, opts: RunOptions) -> int:
    """`update SCENARIO --at DATE --out NEW.yaml`: write, check and report the new scenario."""
    if (msg := opts.problem()) is not None:
        return _bad(msg)
    if out.suffix not in (".yaml", ".yml"):
        return _bad(f"--out: {out}: not a YAML file name (expected e.g. "
                    "scenarios/beibei-midterm.yaml)")
    if out.exists() and out.is_dir():
        return _bad(f"--out: {out}: is a folder (expected a YAML file name)")
    if not out.parent.is_dir():
        return _bad(f"--out: {out}: its folder does not exist")
    sc = _load(path, opts)
    if isinstance(sc, int):
        return sc
    if data is not None and not data.is_file():
        return _bad(f"--data: {data}: file not found (expected the region's record, a CSV "
                    "like calibration/data/beibei.csv)")
    record_path = data or default_data(sc.meta.id)
    try:
        record = read_figures(record_path) if record_path.is_file() else []
    except FigureError as exc:
        return _bad(str(exc))
    command = ("python run_sim.py update " + shlex.quote(str(path)) + f" --at {at} --out "
               + shlex.quote(str(out)) + f" --reps {opts.reps} --seed {opts.seed}")
    with open_backend(opts.backend, opts.workers, opts.scheduler) as backend:
        ready("fast", sc, backend)
        try:
            upd = build(sc, relative_include(path, out), at, record, reps=opts.reps,
                        seed=opts.seed, backend=backend, workers=opts.workers,
                        scenario_label=str(path), record_name=project_relative(record_path))
        except UpdateError as exc:
            return _bad(str(exc))
    write(upd, out, command)
    try:
        new = load_scenario(out)
    except ScenarioError as exc:
        return report_scenario_error(exc)
    print(f"wrote {out}: {new.meta.id}, starts {new.meta.start}, {len(new.carriers)} carriers, "
          f"{len(new.targets)} targets; observed {len(upd.observed)}, carried the rest",
          file=sys.stderr)
    return EXIT_OK
