"""One calibration from start to end: figures, fit, parameter file, fit table, plots.

``calibrate(CalibrationConfig(...))`` is what ``python run_sim.py calibrate`` runs.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.backends import Backend, make_backend
from sim.batch import evaluate
from sim.calibration.figures import Figure, FigureSet, read_figures, screen
from sim.calibration.fit import (
    Evaluator,
    FitResult,
    Simulated,
    abc,
    figure_values,
    smm,
    truncate,
)
from sim.calibration.output import (
    display,
    fit_rows,
    param_document,
    param_yaml,
    posterior_csv,
    posterior_hist,
    predictive_fan,
    predictive_hist,
    source_text,
    table_csv,
    write_text,
    written_values,
)
from sim.calibration.params import (
    FreeParam,
    in_force,
    load_excluding,
    load_including,
    parse_params,
)
from sim.metrics import Query
from sim.registry import METRICS
from sim.scenario import Scenario
from sim.store import atomic_write_bytes, atomic_write_json, csv_encode
from sim.timeline import record_dates


class CalibrationError(ValueError):
    """A calibration that cannot be done as asked (one line, exit 2)."""


@dataclass
class CalibrationConfig:
    """Everything a calibration needs."""

    scenario: Path
    data: Path
    params: str
    out: Path
    method: str = "smm"
    reps: int = 20
    seed: int = 0
    engine: str = "fast"
    backend: str = "serial"
    workers: int = 2
    scheduler: str | None = None
    """A running Dask scheduler (with backend "dask"); None: a local cluster."""
    max_evals: int = 40
    particles: int = 40
    accept: float = 0.25
    check_reps: int | None = None
    fit_dir: Path | None = None
    lang: str = "zh"
    plots: bool = True
    figures: str | None = None
    """Comma-separated figure ids to fit (default: every usable figure)."""
    today: dt.date = field(default_factory=dt.date.today)


@dataclass
class CalibrationReport:
    """What the command prints and the tests check."""

    scenario_id: str
    params: list[FreeParam]
    fit: FitResult
    figset: FigureSet
    rows: list[dict[str, Any]]
    param_file: Path
    fit_dir: Path
    overridden: list[str]
    truncated_to: dt.date | None
    files: list[Path]


def _load_prior(cfg: CalibrationConfig) -> Scenario:
    """The scenario without the parameter file being (re)written, if it already includes it."""
    return load_excluding(cfg.scenario, cfg.out)


def _predictive(sc: Scenario, figures: list[Figure], reps: int, cfg: CalibrationConfig,
                backend: Backend | str) -> Simulated:
    """Replications as ``run`` draws them (uncertainties from their streams)."""
    queries: dict[str, Query] = {}
    for f in figures:
        q = f.query
        if q is not None:
            queries.setdefault(q.key, q)
    out = evaluate(sc, reps, seed=cfg.seed, engine=cfg.engine, backend=backend,
                   workers=cfg.workers, queries=list(queries.values()))
    dates = record_dates(sc)
    return Simulated(figure_values(figures, out, dates), out, dates)


def calibrate(cfg: CalibrationConfig, progress: Callable[[str], None] | None = None
              ) -> CalibrationReport:
    """Fit, write the parameter file, the fit table and the plots; return the report.

    Raises FigureError (bad figure), ParamError (bad --params), ScenarioError (bad scenario or
    parameter file) or CalibrationError (nothing to fit, unknown method, ...).
    """
    if cfg.method not in ("smm", "abc"):
        raise CalibrationError(f"--method: {cfg.method!r}: unknown method (expected smm or abc)")
    if cfg.out.suffix not in (".yaml", ".yml"):
        raise CalibrationError(f"--out: {cfg.out}: not a YAML file name (expected "
                               "calibration/params/NAME.yaml)")
    prior = _load_prior(cfg)
    figures = read_figures(cfg.data)
    selected = [x.strip() for x in cfg.figures.split(",") if x.strip()] if cfg.figures else None
    unknown = sorted(set(selected or ()) - {f.id for f in figures})
    if unknown:
        raise CalibrationError(f"--figures: {unknown[0]}: no such figure id in "
                               f"{display(cfg.data)} (expected one of "
                               f"{', '.join(f.id for f in figures)})")
    figset = screen(figures, prior, display(cfg.data), selected=selected)
    usable = figset.usable
    if not usable:
        reasons = "; ".join(f"{s.figure.id}: {s.reason}" for s in figset.unusable)
        raise CalibrationError(f"{display(cfg.data)}: no figure can inform a fit of scenario "
                               f"{prior.meta.id} ({reasons})")
    params = parse_params(cfg.params, prior)
    # shorten the runs to the last figure when no cohort statistic (a whole-run figure) is used
    base = prior.meta.start - dt.timedelta(days=1)
    dated = [f.date for f in figures if f.kind != "ratio" and base <= f.date
             <= prior.meta.horizon_end]
    uses_cohort = any(f.kind == "ratio" for f in usable)
    fit_sc = prior if uses_cohort or not dated else truncate(prior, max(dated))
    truncated_to = fit_sc.meta.horizon_end if fit_sc is not prior else None
    fit_dir = cfg.fit_dir or cfg.out.parent.parent / "fits" / cfg.out.stem
    say = progress or (lambda _m: None)

    with (make_backend(cfg.backend, cfg.workers, cfg.scheduler) if cfg.backend != "serial"
          else make_backend("serial")) as backend:
        ev = Evaluator(fit_sc, params, usable, list(range(cfg.reps)), seed=cfg.seed,
                       engine=cfg.engine, backend=backend, workers=cfg.workers, progress=say)
        _check_cohort(ev, usable)
        if cfg.method == "smm":
            fit = smm(ev, max_evals=cfg.max_evals)
        else:
            fit = abc(ev, particles=cfg.particles, accept=cfg.accept, seed=cfg.seed)
        source = source_text(cfg.out, cfg.method, cfg.data, cfg.today, prior.meta.cutoff)
        doc = param_document(prior, fit, source)
        header = _header(cfg, prior, fit, figset)
        write_text(cfg.out, param_yaml(doc, header))
        calibrated = load_including(cfg.scenario, cfg.out)
        overridden = in_force(calibrated, params, written_values(fit))
        post_sc = calibrated if truncated_to is None else truncate(calibrated, max(dated))
        n_check = cfg.check_reps or cfg.reps
        say(f"predictive check: {n_check} replications before and after calibration")
        pre = _predictive(fit_sc, figures, n_check, cfg, backend)
        post = _predictive(post_sc, figures, n_check, cfg, backend)
    if truncated_to is not None:
        for j, f in enumerate(figures):
            if f.kind == "ratio":
                pre.values[:, j] = np.nan
                post.values[:, j] = np.nan
    rows = fit_rows(figset, figures, pre, post)
    files = [cfg.out]
    table = fit_dir / "fit_table.csv"
    atomic_write_bytes(table, csv_encode(table_csv(rows)))
    files.append(table)
    if fit.posterior is not None:
        atomic_write_bytes(fit_dir / "posterior.csv", csv_encode(posterior_csv(fit)))
        files.append(fit_dir / "posterior.csv")
    summary = _summary(cfg, prior, fit, figset, overridden, truncated_to)
    atomic_write_json(fit_dir / "fit.json", summary)
    files.append(fit_dir / "fit.json")
    if cfg.plots:
        files.extend(_plots(fit_dir / "plots", figures, figset, pre, post, fit, cfg.lang))
    return CalibrationReport(prior.meta.id, params, fit, figset, rows, cfg.out, fit_dir,
                             overridden, truncated_to, files)


def _check_cohort(ev: Evaluator, usable: list[Figure]) -> None:
    """Fail early if the engine does not compute a cohort statistic a figure needs."""
    needed = sorted({f.metric for f in usable if f.kind == "ratio"})
    if not needed:
        return
    sim = ev.simulate([p.start for p in ev.params])
    missing = [m for m in needed if m not in sim.outcomes.cohort]
    if missing:
        raise CalibrationError(
            f"--engine {ev.engine}: does not compute the cohort statistic(s) "
            f"{', '.join(missing)} that the figures need (expected --engine reference, or "
            "figures without them)")


def _header(cfg: CalibrationConfig, sc: Scenario, fit: FitResult,
            figset: FigureSet) -> list[str]:
    lines = [
        f"Calibrated parameters for scenario '{sc.meta.id}' ({sc.meta.name.en}).",
        f"Written by: python run_sim.py calibrate {display(cfg.scenario)} --data "
        f"{display(cfg.data)} --params {cfg.params} --method {cfg.method} --out "
        f"{display(cfg.out)} --reps {cfg.reps} --seed {cfg.seed} --engine {cfg.engine}"
        + (f" --figures {cfg.figures}" if cfg.figures else ""),
        f"Date: {cfg.today.isoformat()}. Objective {fit.start_objective:.4g} at the priors -> "
        f"{fit.objective:.4g} after {fit.evaluations} evaluations"
        + ("." if fit.converged else " (NOT CONVERGED: the optimizer stopped at its limit).")
        + (f" Monte Carlo s.e. of the objective {fit.objective_mc_se:.3g}; one optimizer step "
           f"changes it by {fit.objective_step:.3g} (s.e. of that change, paired over the "
           f"common replications: {fit.objective_step_se:.3g})."
           if math.isfinite(fit.objective_mc_se) else ""),
        f"Calibration cut-off: {sc.meta.cutoff} (figures after it are never fitted).",
        "Figures used: " + ", ".join(f.id for f in figset.usable) + ".",
        "Not used: " + (", ".join(s.figure.id for s in figset.unusable) or "none")
        + f" (reasons in {display(cfg.fit_dir or cfg.out.parent.parent / 'fits' / cfg.out.stem)}"
          "/fit_table.csv).",
        "Include it after the shared priors: include: [..., ../calibration/params/"
        f"{cfg.out.name}]",
    ]
    lines.extend(f"Note: {n}" for n in fit.notes)
    lines.append("")
    return lines


def _summary(cfg: CalibrationConfig, sc: Scenario, fit: FitResult, figset: FigureSet,
             overridden: list[str], truncated_to: dt.date | None) -> dict[str, Any]:
    def num(v: float) -> float | None:
        return v if math.isfinite(v) else None

    return {
        "scenario": sc.meta.id, "data": display(cfg.data), "method": cfg.method,
        "reps": cfg.reps, "seed": cfg.seed, "engine": cfg.engine, "date": cfg.today.isoformat(),
        "param_file": display(cfg.out),
        "parameters": [{"name": p.name, "kind": p.kind, "low": p.low, "high": p.high,
                        "start": p.start, "estimate": e, "sd": num(s)}
                       for p, e, s in zip(fit.params, fit.estimate, fit.sd, strict=True)],
        "objective_start": num(fit.start_objective), "objective": num(fit.objective),
        "evaluations": fit.evaluations, "notes": fit.notes, "converged": fit.converged,
        "objective_mc_se": num(fit.objective_mc_se), "objective_step": num(fit.objective_step),
        "objective_step_se": num(fit.objective_step_se),
        "cutoff": sc.meta.cutoff.isoformat(),
        "figures_used": [f.id for f in figset.usable],
        "figures_not_used": {s.figure.id: s.reason for s in figset.unusable},
        "overridden_by_scenario_file": overridden,
        "runs_truncated_to": truncated_to.isoformat() if truncated_to else None,
    }


def _plots(folder: Path, figures: list[Figure], figset: FigureSet, pre: Simulated,
           post: Simulated, fit: FitResult, lang: str) -> list[Path]:
    """Posterior-predictive plots: one per metric-and-filter, one per cohort statistic."""
    import matplotlib.pyplot as plt

    from sim.calibration.figures import COHORT_STATISTICS

    usable = {f.id for f in figset.usable}
    files: list[Path] = []
    if folder.is_dir():  # plots of an earlier fit of the same name
        for old in folder.glob("*.png"):
            old.unlink()
    groups: dict[str, list[int]] = {}
    for j, f in enumerate(figures):
        if f.id not in usable:
            continue
        key = f.metric if f.kind == "ratio" else f"{f.kind}:{f.query.key if f.query else ''}"
        groups.setdefault(key, []).append(j)
    for n, (key, cols) in enumerate(groups.items(), start=1):
        f0 = figures[cols[0]]
        if f0.kind == "ratio":
            zh, en = COHORT_STATISTICS[f0.metric]
            ax = predictive_hist(pre.values[:, cols[0]], post.values[:, cols[0]], f0.value,
                                 f0.sd, title=zh if lang == "zh" else en, lang=lang)
        elif f0.kind == "stock":
            q = f0.query
            assert q is not None
            spec = METRICS[f0.metric]
            obs = [(figures[j].date, figures[j].value, figures[j].sd) for j in cols]
            ax = predictive_fan(post.dates, pre.outcomes.series[q.key],
                                post.outcomes.series[q.key], obs,
                                title=f0.label(lang).rsplit(" ", 1)[0],
                                ylabel=spec.unit_zh if lang == "zh" else spec.unit_en,
                                lang=lang)
        else:
            ax = predictive_hist(pre.values[:, cols[0]], post.values[:, cols[0]], f0.value,
                                 f0.sd, title=f0.label(lang), lang=lang)
        path = folder / f"{n:02d}_{_slug(key)}.png"
        _save(ax, path)
        files.append(path)
        plt.close(ax.get_figure(root=True))
    if fit.posterior is not None and fit.weights is not None:
        for i, p in enumerate(fit.params):
            ax = posterior_hist(fit.posterior[:, i], fit.weights, p, lang=lang)
            path = folder / f"posterior_{_slug(p.name)}.png"
            _save(ax, path)
            files.append(path)
            plt.close(ax.get_figure(root=True))
    return files


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_")[:60]


def _save(ax: Any, path: Path) -> None:
    import io

    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=110)
    atomic_write_bytes(path, buf.getvalue())


def summary_json(report: CalibrationReport) -> str:
    """The report's fit as JSON text (for printing)."""
    return json.dumps({p.name: {"estimate": e, "sd": s} for p, e, s in zip(
        report.params, report.fit.estimate, report.fit.sd, strict=True)}, indent=2)
