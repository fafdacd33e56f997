"""The ``calibrate`` command: fit free parameters to observed figures, write a parameter file."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sim.calibration import CalibrationConfig, CalibrationError, FigureError, ParamError
from sim.calibration.run import CalibrationReport, calibrate
from sim.cli.commands import EXIT_BAD_INPUT, EXIT_OK, report_scenario_error
from sim.messages import CLI_TEXT, label, msg
from sim.scenario import ScenarioError

TEXT = CLI_TEXT
"""The labels of this module's tables (the catalogue, sim/messages.py)."""


def run_calibration(cfg: CalibrationConfig, force: bool = False) -> int:
    """Run one calibration and print the fit table; 2 on bad input."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if not force:
        from sim import preflight
        from sim.scenario import load_scenario

        try:
            sc = load_scenario(cfg.scenario)
        except ScenarioError as exc:
            return report_scenario_error(exc)
        if (problem := preflight.problem(sc, workers=cfg.workers,
                                         backend=cfg.backend)) is not None:
            print(f"{cfg.scenario}: {problem}", file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        report = calibrate(cfg, progress=lambda m: err.print(f"[dim]{m}[/dim]"))
    except ScenarioError as exc:
        return report_scenario_error(exc)
    except (FigureError, ParamError, CalibrationError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    print_report(report, cfg.lang)
    return EXIT_OK


def _num(v: object) -> str:
    if isinstance(v, float):
        if not math.isfinite(v):
            return "-"
        return f"{v:,.4g}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def print_report(report: CalibrationReport, lang: str) -> None:
    """Estimates, the fit table and the files written."""
    out = Console(highlight=False, soft_wrap=False, width=170)
    est = Table(title=f"{label(TEXT, 'fitted_title', lang)} — {report.scenario_id} "
                      f"({report.fit.method})")
    for head in ("parameter", "bounds", "prior_start", "estimate", "sd"):
        est.add_column(label(TEXT, head, lang))
    for p, e, s in zip(report.params, report.fit.estimate, report.fit.sd, strict=True):
        est.add_row(p.name, f"[{p.low:.4g}, {p.high:.4g}]", _num(p.start), _num(e), _num(s))
    out.print(est)
    tab = Table(title=label(TEXT, "fit_table", lang))
    for head in ("observation", "date", "observed", "used", "before_band", "z_before",
                 "after_band", "z_after"):
        tab.add_column(label(TEXT, head, lang), overflow="fold")
    for r in report.rows:
        used = r["used"] if r["used"] == "yes" else f"no: {r['reason']}"
        tab.add_row(f"{r['id']}\n{r['metric']} {r['filters']}", r["date"], _num(r["observed"]),
                    used,
                    f"{_num(r['prior_median'])} [{_num(r['prior_q05'])}, {_num(r['prior_q95'])}]",
                    _num(r["prior_z"]),
                    f"{_num(r['post_median'])} [{_num(r['post_q05'])}, {_num(r['post_q95'])}]",
                    _num(r["post_z"]))
    out.print(tab)
    for note in report.fit.notes:
        out.print(label(TEXT, "fit_note", lang, note=note))
    if report.truncated_to:
        out.print(label(TEXT, "runs_stopped", lang, date=report.truncated_to))
    if report.overridden:
        out.print(label(TEXT, "overridden", lang, names=", ".join(report.overridden),
                        param_file=report.param_file))
    for f in report.files:
        out.print(msg("written", lang, files=f))


def config(scenario: Path, data: Path, params: str, method: str, out: Path, reps: int,
           seed: int, engine: str, backend: str, workers: int, max_evals: int, particles: int,
           accept: float, check_reps: int | None, fit_dir: Path | None, lang: str,
           figures: str | None = None, scheduler: str | None = None) -> CalibrationConfig:
    """The configuration from the command's options."""
    return CalibrationConfig(scenario=scenario, data=data, params=params, out=out,
                             method=method, reps=reps, seed=seed, engine=engine,
                             backend=backend, workers=workers, max_evals=max_evals,
                             particles=particles, accept=accept, check_reps=check_reps,
                             fit_dir=fit_dir, lang=lang, figures=figures, scheduler=scheduler)
