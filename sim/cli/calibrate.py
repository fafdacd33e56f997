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
from sim.scenario import ScenarioError


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
    zh = lang == "zh"
    out = Console(highlight=False, soft_wrap=False, width=170)
    est = Table(title=("校准参数" if zh else "Fitted parameters") + f" — {report.scenario_id} "
                f"({report.fit.method})")
    for h in (("参数", "parameter"), ("范围", "bounds"), ("先验/初值", "prior/start"),
              ("估计", "estimate"), ("标准误", "sd")):
        est.add_column(h[0] if zh else h[1])
    for p, e, s in zip(report.params, report.fit.estimate, report.fit.sd, strict=True):
        est.add_row(p.name, f"[{p.low:.4g}, {p.high:.4g}]", _num(p.start), _num(e), _num(s))
    out.print(est)
    tab = Table(title="拟合表" if zh else "Fit table")
    for h in (("观测", "figure"), ("日期", "date"), ("观测值", "observed"), ("用于拟合", "used"),
              ("校准前 中位数 [5%, 95%]", "before: median [5%, 95%]"), ("z 前", "z before"),
              ("校准后 中位数 [5%, 95%]", "after: median [5%, 95%]"), ("z 后", "z after")):
        tab.add_column(h[0] if zh else h[1], overflow="fold")
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
        out.print(f"note: {note}")
    if report.truncated_to:
        out.print(f"runs stopped at {report.truncated_to} (after the last dated figure; "
                  "no cohort statistic used)")
    if report.overridden:
        out.print(f"[bold red]warning[/bold red]: the scenario file itself sets "
                  f"{', '.join(report.overridden)}; an include of {report.param_file} would be "
                  "overridden there (move those lines into the parameter file)")
    for f in report.files:
        out.print(f"wrote {f}")


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
