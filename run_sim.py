"""Command line for the incubation-plan simulator (typer commands only; no model logic here).

Examples:
    python run_sim.py validate scenarios/*.yaml
    python run_sim.py show scenarios/beibei.yaml --lang zh
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.cli import commands
from sim.cli.entry import run_app
from sim.cli.outpaths import (
    out_file,
    out_folder,
    precision_ok,
    reps_from,
    scheduler_ok,
    scheduler_problem,
    seed_ok,
    workers_ok,
)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="孵化载体与“双倍增”目标达成模拟 · Simulate whether regional incubation and "
         "double-doubling (双倍增) targets are met.",
)

Lang = Annotated[str, typer.Option("--lang", help="输出语言 · output language: zh (中文) or en.")]
Force = Annotated[bool, typer.Option(
    "--force", help="内存或磁盘不足时仍继续 · go ahead even when the job looks too big for "
             "the free memory or disk.")]
Reps = Annotated[int, typer.Option(callback=reps_from(2), help="每个取值的重复次数 · "
                                   "replications per setting (the same indices for every "
                                   "setting: common random numbers).")]
Seed = Annotated[int, typer.Option(callback=seed_ok,
                                   help="随机种子 · root seed; replication i uses its i-th child.")]
EngineOpt = Annotated[str, typer.Option(
    "--engine", help="fast (default: numba, checked against the reference) or reference "
                     "(SimPy, slow).")]
BackendOpt = Annotated[str, typer.Option("--backend", help="并行方式 · serial, processes or dask.")]
Workers = Annotated[int, typer.Option(callback=workers_ok, help="进程数 · worker processes.")]
Scheduler = Annotated[str | None, typer.Option(callback=scheduler_ok,
                                               help="Dask 调度器 · Dask scheduler, tcp://HOST:PORT.")]
Targets = Annotated[list[str] | None, typer.Option(
    "--target", help="目标编号 · target id (repeatable; default: every target).")]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", help="杠杆取值 · lever value, LEVER=NUMBER (repeatable).")]


@app.command(epilog="Example: python run_sim.py validate scenarios/*.yaml")
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.")],
) -> None:
    """检查情景文件 · Check scenario files: each problem as FILE:LINE: field: value: problem."""
    raise typer.Exit(commands.validate(paths))


@app.command(epilog="Example: python run_sim.py show scenarios/beibei.yaml --lang en")
def show(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    lang: Lang = "zh",
) -> None:
    """显示情景 · Show targets, unmodelled targets, levers, uncertainties, baseline, sources."""
    raise typer.Exit(commands.show(path, lang))


@app.command(
    "simulate",
    epilog="Example: python run_sim.py simulate scenarios/beibei.yaml --seed 1 --out one.csv",
)
def simulate_cmd(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    seed: Annotated[int, typer.Option(
        callback=seed_ok, help="Seed of the replication (0 is a valid seed).")] = 0,
    out: Annotated[Path | None, typer.Option(
        callback=out_file, help="Write the monthly table as CSV here.")] = None,
    engine: Annotated[str, typer.Option(
        help="reference (default: SimPy, defines the model) or fast.")] = "reference",
    lang: Lang = "zh",
) -> None:
    """单次模拟 · Run ONE replication (reference engine by default): each target at its date."""
    if engine not in ("reference", "fast"):
        raise typer.BadParameter(f"{engine!r} (expected reference or fast)",
                                 param_hint="--engine")
    raise typer.Exit(commands.simulate_one(path, seed, out, lang, engine))


def _check_choices(*options: tuple[str, str, tuple[str, ...]]) -> None:
    """Each (option, value, allowed values): a bad value is a usage error (exit 2)."""
    for name, value, allowed in options:
        if value not in allowed:
            raise typer.BadParameter(f"{value!r} (expected one of {', '.join(allowed)})",
                                     param_hint=name)


def _parse_sets(values: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise typer.BadParameter(f"{item!r}: expected LEVER=NUMBER",
                                     param_hint="--set") from None
    return out


@app.command(epilog="Example: python run_sim.py run scenarios/beibei.yaml --reps 200 --lang zh")
def run(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    reps: Annotated[int, typer.Option(
        callback=reps_from(1), help="重复次数 · replications (a batch, with --precision).")] = 200,
    seed: Annotated[int, typer.Option(
        callback=seed_ok, help="随机种子 · root seed; replication i uses its i-th child.")] = 0,
    out: Annotated[Path | None, typer.Option(callback=out_folder,
        help="运行目录 · run folder \\[default: runs/<scenario id>].")] = None,
    engine: Annotated[str, typer.Option(
        help="fast (default: the model compiled with numba, checked against the reference) "
             "or reference (SimPy: defines the model; slow).")] = "fast",
    backend: Annotated[str, typer.Option("--backend", help=(
        "并行方式 · auto (default: in this process when quicker than starting workers, else "
        "processes), serial, processes or dask."))] = "auto",
    workers: Workers = 2,
    scheduler: Annotated[str | None, typer.Option(
        callback=scheduler_ok, help="Dask 调度器 · Dask scheduler, tcp://HOST:PORT.")] = None,
    sampling: Annotated[str, typer.Option(help="Uncertainty sampling: mc or lhs.")] = "mc",
    precision: Annotated[float | None, typer.Option(callback=precision_ok,
        help="Add replications until every P interval half-width is <= this.")] = None,
    max_reps: Annotated[int, typer.Option(
        callback=reps_from(1), help="Upper bound with --precision.")] = 5000,
    resume: Annotated[bool, typer.Option(help="Continue an interrupted run in --out.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Discard a previous run in --out.")] = False,
    store: Annotated[str, typer.Option(help="default (target metrics) or full.")] = "default",
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="杠杆取值 · lever value, LEVER=NUMBER (repeatable).")] = None,
    lang: Lang = "zh",
    force: Force = False,
) -> None:
    """蒙特卡罗运行 · Monte Carlo run: P(each target met), tables, plots and the report."""
    from sim.experiment import RunConfig

    if (problem := scheduler_problem(scheduler, backend)) is not None:
        print(problem, file=sys.stderr)
        raise typer.Exit(2)
    _check_choices(("--backend", backend, ("auto", "serial", "processes", "dask")),
                   ("--sampling", sampling, ("mc", "lhs")),
                   ("--store", store, ("default", "full")),
                   ("--engine", engine, ("reference", "fast")),
                   ("--lang", lang, ("zh", "en")))
    cfg = RunConfig(reps=reps, seed=seed, engine=engine, backend=backend, workers=workers,
                    scheduler=scheduler, sampling=sampling, precision=precision,
                    max_reps=max_reps, resume=resume, overwrite=overwrite, store=store,
                    levers=_parse_sets(set_))
    raise typer.Exit(commands.run(path, out, cfg, lang, force))


@app.command(epilog="Example: python run_sim.py summarize runs/beibei --lang en")
def summarize(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by 'run'.")],
    lang: Lang = "zh",
) -> None:
    """重新汇总 · Reprint the attainment table and redraw the plots of a stored run."""
    raise typer.Exit(commands.summarize_run(run_dir, lang))


@app.command(epilog="Example: python run_sim.py report runs/beibei --lang en --out beibei-en.html")
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by 'run'.")],
    lang: Lang = "zh",
    out: Annotated[Path | None, typer.Option(callback=out_file,
        help="HTML file to write \\[default: RUN_DIR/report.html (Chinese) or "
             "RUN_DIR/report.en.html (English)].")] = None,
) -> None:
    """生成报告 · Write the self-contained HTML report of a stored run (works offline)."""
    raise typer.Exit(commands.report(run_dir, lang, out))


@app.command(
    "calibrate",
    epilog="Example: python run_sim.py calibrate scenarios/shijingshan.yaml --data "
           "calibration/data/shijingshan.csv --params hnte_first_application --method smm "
           "--out calibration/params/shijingshan.yaml --reps 20",
)
def calibrate_cmd(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    data: Annotated[Path, typer.Option(help="Observed figures, a CSV (calibration/data/).")],
    params: Annotated[str, typer.Option(
        help="Free parameters, comma-separated: uncertainty names or dotted paths, each "
             "optionally NAME=LOW:HIGH.")],
    out: Annotated[Path, typer.Option(callback=out_file,
        help="Parameter file to write, calibration/params/NAME.yaml.")],
    method: Annotated[str, typer.Option(
        help="smm (simulated method of moments) or abc (ABC rejection).")] = "smm",
    reps: Annotated[int, typer.Option(
        callback=reps_from(2),
        help="Replications per candidate (the same indices for every candidate).")] = 20,
    seed: Annotated[int, typer.Option(callback=seed_ok, help="Root seed.")] = 0,
    engine: Annotated[str, typer.Option(
        help="fast (default: the model compiled with numba) or reference (SimPy; slow).")
    ] = "fast",
    backend: BackendOpt = "processes",
    workers: Workers = 2,
    scheduler: Annotated[str | None, typer.Option(
        callback=scheduler_ok, help="Dask 调度器 · Dask scheduler, tcp://HOST:PORT.")] = None,
    max_evals: Annotated[int, typer.Option(min=3, help="SMM: at most this many "
                                           "optimizer evaluations.")] = 40,
    particles: Annotated[int, typer.Option(min=4, help="ABC: prior draws.")] = 40,
    accept: Annotated[float, typer.Option(min=0.01, max=1.0,
                                          help="ABC: share of draws kept.")] = 0.25,
    check_reps: Annotated[int | None, typer.Option(
        callback=reps_from(2),
        help="Replications of the before/after predictive check \\[default: --reps].")] = None,
    fit_dir: Annotated[Path | None, typer.Option(
        help="Folder of the fit table and plots \\[default: calibration/fits/NAME].")] = None,
    figures: Annotated[str | None, typer.Option(
        help="Only these figure ids (comma-separated) inform the fit \\[default: all usable].")
    ] = None,
    lang: Lang = "zh",
    force: Force = False,
) -> None:
    """参数校准 · Fit parameters to observed figures: parameter file, fit table, plots."""
    from sim.cli.calibrate import config, run_calibration

    if (problem := scheduler_problem(scheduler, backend)) is not None:
        print(problem, file=sys.stderr)
        raise typer.Exit(2)
    _check_choices(("--backend", backend, ("serial", "processes", "dask")),
                   ("--method", method, ("smm", "abc")),
                   ("--engine", engine, ("reference", "fast")),
                   ("--lang", lang, ("zh", "en")))
    raise typer.Exit(run_calibration(config(
        scenario, data, params, method, out, reps, seed, engine, backend, workers, max_evals,
        particles, accept, check_reps, fit_dir, lang, figures, scheduler), force))


@app.command(epilog="Example: python run_sim.py sensitivity scenarios/beibei.yaml "
                    "--method sobol --target hnte_2027 --output value --n 64 --reps 4")
def sensitivity(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    method: Annotated[str, typer.Option(help="morris (screening) or sobol (indices).")],
    target: Annotated[list[str], typer.Option(
        help="Target id (repeatable: one design serves every target named).")],
    n: Annotated[int | None, typer.Option(
        help="Morris trajectories \\[default 10] or Sobol base samples, a power of 2 "
             "\\[default 64]. Cost: n(D+1) (Morris) or n(D+2) (Sobol) points x --reps.")] = None,
    reps: Annotated[int, typer.Option(
        callback=reps_from(1),
        help="Replications per sample point (the same indices 0..K-1 at every point: "
             "common random numbers).")] = 10,
    output: Annotated[str, typer.Option(
        help="value (default: the mean value of the target's metric at its date over the K "
             "replications; ranks assumptions well on a small budget) or p (the share of the "
             "K replications meeting the target; use with --reps 20 or more).")] = "value",
    lever: Annotated[list[str] | None, typer.Option(
        help="Also study this lever (uniform over its bounds; repeatable; 'all').")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Fixed lever value, LEVER=NUMBER (repeatable).")] = None,
    seed: Annotated[int, typer.Option(
        callback=seed_ok, help="Root seed of the design and replications.")] = 0,
    out: Annotated[Path | None, typer.Option(callback=out_folder,
        help="Run folder \\[default: runs/<scenario id>]; results go to its sub-folder "
             "sensitivity-<method>-<target>/.")] = None,
    engine: Annotated[str, typer.Option(
        help="fast (default: the compiled model) or reference (SimPy; slow).")] = "fast",
    backend: BackendOpt = "processes",
    workers: Workers = 2,
    scheduler: Annotated[str | None, typer.Option(
        callback=scheduler_ok, help="Dask 调度器 · Dask scheduler, tcp://HOST:PORT.")] = None,
    lang: Lang = "zh",
    force: Force = False,
) -> None:
    """敏感性分析 · Morris or Sobol sensitivity of a target's value or P(met) (SALib)."""
    from sim.cli.sensitivity import sensitivity as run_sensitivity
    from sim.sensitivity.runner import SensitivityConfig

    if (problem := scheduler_problem(scheduler, backend)) is not None:
        print(problem, file=sys.stderr)
        raise typer.Exit(2)
    _check_choices(("--method", method, ("morris", "sobol")),
                   ("--output", output, ("p", "value")),
                   ("--backend", backend, ("serial", "processes", "dask")),
                   ("--engine", engine, ("reference", "fast")),
                   ("--lang", lang, ("zh", "en")))
    cfg = SensitivityConfig(method=method, targets=tuple(dict.fromkeys(target)), n=n, reps=reps,
                            seed=seed, output=output, levers=tuple(lever or ()),
                            fixed_levers=_parse_sets(set_), engine=engine, backend=backend,
                            workers=workers, scheduler=scheduler)
    raise typer.Exit(run_sensitivity(path, cfg, out, lang, force))


@app.command(epilog="Example: python run_sim.py discover runs/chongqing "
                    "--target tech_firms_incubated_2025 --lang en")
def discover(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by 'run'.")],
    target: Annotated[str, typer.Option(help="Target id.")],
    of: Annotated[str, typer.Option(
        help="Cases of interest: missed (default) or met.")] = "missed",
    boxes: Annotated[int, typer.Option(min=1, help="Boxes to find (PRIM covering).")] = 1,
    min_coverage: Annotated[float, typer.Option(
        help="The box reported is the densest with at least this coverage.")] = 0.5,
    peel_alpha: Annotated[float, typer.Option(help="Share peeled off per step.")] = 0.05,
    mass_min: Annotated[float, typer.Option(help="Smallest share of cases in a box.")] = 0.05,
    out: Annotated[Path | None, typer.Option(callback=out_folder,
        help="Folder to write \\[default: RUN_DIR/discovery-<target>].")] = None,
    lang: Lang = "zh",
) -> None:
    """情景发现 · PRIM: which ranges of the uncertainties lead to missing a target."""
    from sim.cli.sensitivity import discover as run_discover

    raise typer.Exit(run_discover(run_dir, target, of=of, boxes=boxes, min_coverage=min_coverage,
                                  peel_alpha=peel_alpha, mass_min=mass_min, out=out, lang=lang))


# ------------------------------------------------------------------ lever analyses (issue 6)



@app.command(epilog="Example: python run_sim.py compare scenarios/jiangbei.yaml "
                    "--set area_build=20000 --reps 200  |  python run_sim.py compare "
                    "A.yaml B.yaml --reps 200")
def compare(
    paths: Annotated[list[Path], typer.Argument(
        help="A.yaml B.yaml, or one scenario with --set.")],
    set_: Sets = None,
    target: Targets = None,
    reps: Reps = 200,
    seed: Seed = 0,
    engine: EngineOpt = "fast",
    backend: BackendOpt = "processes",
    workers: Workers = 2,
    scheduler: Scheduler = None,
    out: Annotated[Path | None, typer.Option(callback=out_folder,
        help="Folder to write \\[default: runs/<id of A>/compare-<what>].")] = None,
    lang: Lang = "zh",
    force: Force = False,
) -> None:
    """情景比较 · Paired comparison (common random numbers): P(B) − P(A) per target."""
    from sim.cli import analysis

    opts = analysis.RunOptions(reps, seed, engine, backend, workers, scheduler, lang, force)
    raise typer.Exit(analysis.compare(paths, _parse_sets(set_), target or [],
                                      opts, out))


@app.command(epilog="Example: python run_sim.py sweep scenarios/jiangbei.yaml --lever area_build "
                    "--values 0:60000:7 --target area_2025 --reps 100")
def sweep(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    lever: Annotated[list[str], typer.Option(
        help="Lever to sweep (give a second --lever for a grid).")],
    values: Annotated[list[str], typer.Option(
        help="Values of the matching --lever: V1,V2,... or START:STOP:N.")],
    target: Targets = None,
    set_: Sets = None,
    reps: Reps = 200,
    seed: Seed = 0,
    engine: EngineOpt = "fast",
    backend: BackendOpt = "processes",
    workers: Workers = 2,
    scheduler: Scheduler = None,
    out: Annotated[Path | None, typer.Option(callback=out_folder,
        help="Folder to write \\[default: runs/<id>/sweep-<levers>].")] = None,
    lang: Lang = "zh",
    force: Force = False,
) -> None:
    """参数扫描 · P(met) per target against a lever (and its cost), or a grid of two levers."""
    from sim.cli import analysis

    opts = analysis.RunOptions(reps, seed, engine, backend, workers, scheduler, lang, force)
    raise typer.Exit(analysis.sweep(path, lever, values, target or [], _parse_sets(set_),
                                    opts, out))


@app.command("goal-seek", epilog="Example: python run_sim.py goal-seek scenarios/jiangbei.yaml "
                                 "--target in_incubation_2025 --p 0.8 --lever area_build  |  "
                                 "... --budget 5000000 --levers mentors,seed_fund,area_build")
def goal_seek(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    target: Targets = None,
    p: Annotated[float, typer.Option("--p", help="Required P(target met).")] = 0.8,
    lever: Annotated[str | None, typer.Option(
        help="Find the least value of this lever with P >= p.")] = None,
    tol: Annotated[float | None, typer.Option(
        help="Bisection tolerance in the lever's unit \\[default: 1% of its bounds].")] = None,
    conservative: Annotated[bool, typer.Option(
        help="Require the 95% Wilson lower bound (not the estimate) to reach p.")] = False,
    budget: Annotated[float | None, typer.Option(
        help="Yuan a year above the defaults to split across --levers.")] = None,
    budget_wan: Annotated[float | None, typer.Option(
        "--budget-wan", help="The same budget in 万元 a year (10,000 yuan), as plans write it.")
    ] = None,
    levers: Annotated[str | None, typer.Option(help="Levers for --budget: A,B,C.")] = None,
    grid: Annotated[int, typer.Option(help="Budget shares on a grid of step 1/GRID.")] = 4,
    refine: Annotated[int, typer.Option(help="Refinement rounds (halving the step).")] = 2,
    set_: Sets = None,
    reps: Reps = 200,
    seed: Seed = 0,
    engine: EngineOpt = "fast",
    backend: BackendOpt = "processes",
    workers: Workers = 2,
    scheduler: Scheduler = None,
    out: Annotated[Path | None, typer.Option(callback=out_folder,
        help="Folder to write \\[default: runs/<id>/goal-seek-<target>-<lever>-p<p>].")] = None,
    lang: Lang = "zh",
    force: Force = False,
) -> None:
    """最少投入 · Least lever value with P(target) >= p, or the best split of a budget."""
    from sim.cli import analysis

    opts = analysis.RunOptions(reps, seed, engine, backend, workers, scheduler, lang, force)
    if budget_wan is not None:
        from sim.money import yuan_from_wan

        if budget is not None:
            print(f"--budget-wan: {budget_wan:g}: give the budget once, in yuan (--budget) or in "
                  "万元 (--budget-wan)", file=sys.stderr)
            raise typer.Exit(2)
        budget = yuan_from_wan(budget_wan)
    raise typer.Exit(analysis.goal_seek(
        path, target or [], p, lever, tol, conservative, budget, levers, grid, refine,
        _parse_sets(set_), opts, out))


@app.command(epilog="Example: python run_sim.py attribution scenarios/jiangbei.yaml "
                    "--target in_incubation_2025 --reps 200")
def attribution(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    target: Annotated[str, typer.Option(help="Target id.")],
    set_: Sets = None,
    reps: Reps = 200,
    seed: Seed = 0,
    engine: EngineOpt = "fast",
    backend: BackendOpt = "processes",
    workers: Workers = 2,
    scheduler: Scheduler = None,
    out: Annotated[Path | None, typer.Option(callback=out_folder,
        help="Folder to write \\[default: runs/<id>/attribution-<target>].")] = None,
    lang: Lang = "zh",
    force: Force = False,
) -> None:
    """缺口分解 · Which flows (entries, refusals, exits, lapses) make up a target's gap."""
    from sim.cli import analysis

    opts = analysis.RunOptions(reps, seed, engine, backend, workers, scheduler, lang, force)
    raise typer.Exit(analysis.attribution(path, target, _parse_sets(set_), opts,
                                          out))

@app.command(epilog="Example: python run_sim.py backtest scenarios/chongqing.yaml --reps 200; "
                    "python run_sim.py backtest scenarios/*.yaml")
def backtest(
    paths: Annotated[list[Path], typer.Argument(help="Scenario YAML file(s).")],
    data: Annotated[Path | None, typer.Option(
        help="Public record, a CSV \\[default: calibration/data/<id>.csv].")] = None,
    reps: Reps = 200,
    seed: Seed = 0,
    engine: EngineOpt = "fast",
    backend: BackendOpt = "processes",
    workers: Workers = 2,
    scheduler: Scheduler = None,
    out: Annotated[Path | None, typer.Option(callback=out_folder,
        help="Run folder to write backtest/ into \\[default: runs/<id>]; with several "
             "scenarios, the folder of their run folders \\[default: runs].")] = None,
    lang: Lang = "zh",
    force: Force = False,
) -> None:
    """模型检验 · Every public figure after the cut-off beside the simulated distribution."""
    from sim.cli import analysis
    from sim.cli.backtest import backtest as run_backtest_cmd

    opts = analysis.RunOptions(reps, seed, engine, backend, workers, scheduler, lang, force)
    raise typer.Exit(run_backtest_cmd(paths, data, opts, out))


@app.command(epilog="Example: python run_sim.py new yubei_carriers --city chongqing --lang zh")
def new(
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="The new scenario's id.")],
    city: Annotated[str, typer.Option(
        help="chongqing, beijing, hubei or none: which shared rules it includes.")] = "none",
    lang: Lang = "zh",
) -> None:
    """新建情景 · Write scenarios/ID.yaml, a skeleton of a new plan to fill in."""
    from sim.cli.new import new_scenario

    raise typer.Exit(new_scenario(scenario_id, city, lang))


@app.command(epilog="Example: python run_sim.py update scenarios/beibei.yaml --at 2025-03-31 "
                    "--out scenarios/beibei-midterm.yaml")
def update(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    at: Annotated[str, typer.Option(help="The new base date (the state known), YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option(help="The new scenario file to write (.yaml).")],
    data: Annotated[Path | None, typer.Option(
        help="Public record, a CSV \\[default: calibration/data/<id>.csv].")] = None,
    reps: Annotated[int, typer.Option(
        callback=reps_from(2), help="Replications the carried state is chosen among.")] = 100,
    seed: Seed = 0,
    backend: BackendOpt = "processes",
    workers: Workers = 2,
    scheduler: Scheduler = None,
    force: Force = False,
) -> None:
    """中期评估 · A scenario that starts at a date from the observed state."""
    import datetime as dt

    from sim.cli import analysis
    from sim.cli.update import update as run_update

    try:
        when = dt.date.fromisoformat(at)
    except ValueError:
        raise typer.BadParameter(f"{at!r}: expected YYYY-MM-DD", param_hint="--at") from None
    opts = analysis.RunOptions(reps, seed, "fast", backend, workers, scheduler, "zh", force)
    raise typer.Exit(run_update(path, when, data, out, opts))


@app.command(epilog="Example: python run_sim.py targets scenarios/beibei.yaml --metric hnte_valid "
                    "--metric tech_firms_registered_cum --date 2030-12-31 --p 0.5,0.8,0.95 "
                    "--lever hnte_coaching --values 0,5,10")
def targets(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    metric: Annotated[list[str], typer.Option(help="Metric name (repeat for several).")],
    date: Annotated[str, typer.Option(help="Date the values are read at, YYYY-MM-DD.")],
    filters: Annotated[list[str] | None, typer.Option(
        help="Filters of the matching --metric, e.g. kind=incubator;level=national.")] = None,
    p: Annotated[str, typer.Option(help="Probabilities, comma-separated.")] = "0.5,0.8,0.95",
    set_: Sets = None,
    lever: Annotated[str | None, typer.Option(help="Lever to vary (with --values).")] = None,
    values: Annotated[str | None, typer.Option(
        help="Values of --lever: V1,V2,... or START:STOP:N.")] = None,
    reps: Reps = 200,
    seed: Seed = 0,
    engine: EngineOpt = "fast",
    backend: BackendOpt = "processes",
    workers: Workers = 2,
    scheduler: Scheduler = None,
    out: Annotated[Path | None, typer.Option(callback=out_folder,
        help="Folder to write \\[default: runs/<id>/targets-<date>].")] = None,
    lang: Lang = "zh",
    force: Force = False,
) -> None:
    """拟定目标 · Draft next-plan targets: the value reached by a date with P = 0.5/0.8/0.95."""
    import datetime as dt

    from sim.cli import analysis
    from sim.cli.targets import targets as run_targets

    try:
        when = dt.date.fromisoformat(date)
    except ValueError:
        raise typer.BadParameter(f"{date!r}: expected YYYY-MM-DD", param_hint="--date") from None
    try:
        ps = [float(x) for x in p.split(",") if x.strip()]
    except ValueError:
        raise typer.BadParameter(f"{p!r}: expected probabilities such as 0.5,0.8,0.95",
                                 param_hint="--p") from None
    try:
        vals = analysis.parse_values(values) if values else []
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--values") from None
    opts = analysis.RunOptions(reps, seed, engine, backend, workers, scheduler, lang, force)
    raise typer.Exit(run_targets(path, metric, list(filters or []), when, ps, _parse_sets(set_),
                                 lever, vals, opts, out))


@app.command(epilog="Example: python run_sim.py score --reps 200 (every shipped plan that has "
                    "ended); python run_sim.py score scenarios/shijingshan.yaml")
def score(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Scenario YAML files \\[default: every shipped plan that has ended].")] = None,
    reps: Reps = 200,
    seed: Seed = 0,
    engine: EngineOpt = "fast",
    backend: BackendOpt = "processes",
    workers: Workers = 2,
    scheduler: Scheduler = None,
    out: Annotated[Path | None, typer.Option(callback=out_folder,
        help="Folder to write \\[default: runs/score].")] = None,
    lang: Lang = "zh",
    force: Force = False,
) -> None:
    """规划评分 · How the plans ended: ex-ante P(met) against published outcomes (Brier)."""
    from sim.cli import analysis
    from sim.cli.score import score as run_score

    opts = analysis.RunOptions(reps, seed, engine, backend, workers, scheduler, lang, force)
    raise typer.Exit(run_score(list(paths or []), opts, out))


if __name__ == "__main__":
    run_app(app)
