"""The ``backtest`` command: every scenario as shipped beside the record after its cut-off."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from sim import PROJECT_ROOT
from sim.analysis.common import open_backend
from sim.calibration.backtest import BacktestError, Row, run_backtest, summarize
from sim.calibration.backtest_output import write_backtest
from sim.calibration.figures import FigureError, read_figures
from sim.cli.analysis import RunOptions, _bad, _load
from sim.cli.commands import EXIT_OK
from sim.engines import ready
from sim.messages import CLI_TEXT, label
from sim.store import atomic_write_json

TEXT = CLI_TEXT
"""The labels of this module's tables (the catalogue, sim/messages.py)."""


def default_data(scenario_id: str) -> Path:
    """The scenario's record: calibration/data/<id>.csv (ids like chongqing_2019 use chongqing)."""
    return PROJECT_ROOT / "calibration" / "data" / f"{scenario_id.split('_')[0]}.csv"


def project_relative(path: Path) -> str:
    """A path as the project names it (calibration/data/x.csv), else as given."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def backtest(paths: list[Path], data: Path | None, opts: RunOptions, out: Path | None) -> int:
    """`backtest SCENARIO... [--data FILE]`: coverage and CRPS against the later record."""
    if (msg := opts.problem()) is not None:
        return _bad(msg)
    if data is not None and len(paths) > 1:
        return _bad(f"--data: {data}: one record file for several scenarios (expected --data "
                    "only with one scenario; each scenario otherwise reads "
                    "calibration/data/<id>.csv)")
    loaded = []
    for path in paths:
        sc = _load(path, opts)
        if isinstance(sc, int):
            return sc
        record = data or default_data(sc.meta.id)
        try:
            figures = read_figures(record)
        except FigureError as exc:
            return _bad(str(exc))
        loaded.append((path, sc, record, figures))
    all_rows: list[Row] = []
    per: list[dict[str, Any]] = []
    command = "python run_sim.py backtest " + " ".join(shlex.quote(str(p)) for p in paths)
    with open_backend(opts.backend, opts.workers, opts.scheduler) as backend:
        for path, sc, record, figures in loaded:
            ready(opts.engine, sc, backend)
            shown = project_relative(record)
            try:
                bt = run_backtest(sc, figures, reps=opts.reps, seed=opts.seed,
                                  engine=opts.engine, backend=backend, workers=opts.workers,
                                  path=shown)
            except BacktestError as exc:
                return _bad(f"{path}: {exc}")
            if len(loaded) == 1:
                folder = (out or Path("runs") / sc.meta.id) / "backtest"
            else:  # --out is then the folder of the run folders (like runs/)
                folder = (out or Path("runs")) / sc.meta.id / "backtest"
            summary = write_backtest(bt, folder, figures, command, shown, opts.lang)
            all_rows.extend(bt.rows)
            per.append(summary)
            _print(bt, summary, folder, opts.lang)
    if len(loaded) > 1:
        total = summarize(all_rows)
        total["scenarios"] = [s["scenario"] for s in per]
        folder = (out or Path("runs")) / "backtest-all"
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_json(folder / "summary.json", {"all": total, "scenarios": per})
        _print_total(total, opts.lang)
    return EXIT_OK


def _print(bt: Any, summary: dict[str, Any], folder: Path, lang: str) -> None:
    sc = bt.scenario
    region = sc.meta.region.zh if lang == "zh" else sc.meta.region.en
    table = Table(title=label(TEXT, "backtest_title", lang, region=region, cutoff=sc.meta.cutoff))
    for head in ("figure", "date", "observed", "median_band", "pit", "in_90", "crps"):
        table.add_column(label(TEXT, head, lang), overflow="fold")
    for r in bt.rows:
        f = r.figure
        naive = f"{r.crps_naive:,.4g}" if r.naive else "—"
        table.add_row(f"{f.id}\n{f.label(lang)}", f.date_text, f"{f.value:,.6g}",
                      f"{r.quantile(0.5):,.6g} [{r.quantile(0.05):,.6g}, "
                      f"{r.quantile(0.95):,.6g}]", f"{r.pit:.2f}",
                      label(TEXT, "yes" if r.inside((0.05, 0.95)) else "no", lang),
                      f"{r.crps:,.4g} / {naive}")
    console = Console(highlight=False, width=170)
    console.print(table)
    n = summary["figures"]
    if n:
        console.print(f"{label(TEXT, 'coverage_90', lang)}: {summary['inside_90']}/{n}; "
                      f"50%: {summary['inside_50']}/{n}")
    console.print(f"{label(TEXT, 'not_simulated', lang)}: {len(bt.not_simulated)} "
                  f"({folder / 'backtest.csv'})")
    print(f"→ {folder}", file=sys.stderr)


def _print_total(total: dict[str, Any], lang: str) -> None:
    n = total["figures"]
    if not n:
        print(label(TEXT, "no_figure", lang), file=sys.stderr)
        return
    skill = total.get("crps_skill")
    print(label(TEXT, "backtest_total", lang, n=n, i90=total["inside_90"],
                c90=100 * total["coverage_90"], i50=total["inside_50"],
                c50=100 * total["coverage_50"], below=total["below_90"], above=total["above_90"])
          + (label(TEXT, "crps_skill", lang, skill=skill) if skill is not None else ""))
