"""The ``sensitivity`` and ``discover`` commands: checks, progress, tables (exit codes)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from sim.cli.commands import EXIT_BAD_INPUT, EXIT_OK, _progress, report_scenario_error
from sim.messages import CLI_TEXT, label, msg
from sim.scenario import ScenarioError, load_scenario

P_MIN_REPS = 20
"""Replications per point below which P(met) is too coarse a sensitivity output (README)."""

TEXT = CLI_TEXT
"""The labels of this module's tables (the catalogue, sim/messages.py)."""


def _bad(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_BAD_INPUT


def sensitivity(path: Path, cfg: object, out: Path | None, lang: str,
                force: bool = False) -> int:
    """Run a Morris or Sobol analysis of a scenario; write and print the indices."""
    from sim.sensitivity.runner import (
        SensitivityConfig,
        check_config,
        points_of,
        run_sensitivity,
        write_sensitivity,
    )

    assert isinstance(cfg, SensitivityConfig)
    if lang not in ("zh", "en"):
        return _bad(f"--lang: {lang!r}: unknown language (expected zh or en)")
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        return report_scenario_error(exc)
    if not force:
        from sim import preflight

        if (problem := preflight.problem(sc, workers=cfg.workers,
                                         backend=cfg.backend)) is not None:
            return _bad(f"{path}: {problem}")
    try:
        factors = check_config(sc, cfg)
        from sim.levers import lever_values

        lever_values(sc, cfg.fixed_levers)
    except (KeyError, ValueError) as exc:
        return _bad(f"{path}: {exc.args[0] if exc.args else exc}")
    n = cfg.base_n()
    points = points_of(cfg.method, n, len(factors))
    if cfg.output == "p" and cfg.reps < P_MIN_REPS:
        print(msg("sens_p_few_reps", lang, reps=cfg.reps, least=P_MIN_REPS), file=sys.stderr)
    zh = lang == "zh"
    print(f"{cfg.method}: {n} {'trajectories' if cfg.method == 'morris' else 'base samples'} "
          f"x ({len(factors)} factors + {1 if cfg.method == 'morris' else 2}) = {points} points"
          f" x {cfg.reps} replications = {points * cfg.reps:,} replications "
          f"({cfg.engine} engine, {cfg.backend}, {cfg.workers} workers)", flush=True)
    with _progress(f"{sc.meta.id} {cfg.method}", lang) as progress:
        result = run_sensitivity(sc, cfg, progress=progress)
    run_dir = out or Path("runs") / sc.meta.id
    folders = write_sensitivity(result, run_dir, lang, scenario_file=str(path))
    console = Console(highlight=False, width=170)
    for target_id, folder in zip(cfg.targets, folders, strict=True):
        target = next(t for t in sc.targets if t.id == target_id)
        y = result.outcomes.of(cfg.output, [target_id])[:, 0]
        title = (f"{target.label.zh if zh else target.label.en} ({target_id}) — "
                 f"{cfg.method}, output {cfg.output}, n = {n}, K = {cfg.reps}")
        console.print(_table(result, target_id, lang, title))
        if np.ptp(y) == 0.0:
            what = "P(met)" if cfg.output == "p" else "the value at the date"
            console.print(f"[bold]note[/]: {what} is the same ({y[0]:g}) at every sample point: "
                          "no factor moves it, every index is 0"
                          + (" (try --output value or more --reps)" if cfg.output == "p"
                             else ""))
        print(msg("written", lang, files=f"{folder}/indices.csv, samples.parquet, summary.json, "
                                         "README.md, plots/"))
    print(f"{result.replications:,} replications in {result.seconds:.0f} s")
    return EXIT_OK


def _table(result: object, target_id: str, lang: str, title: str) -> Table:
    from sim.sensitivity.indices import SobolIndices
    from sim.sensitivity.runner import SensitivityResult

    assert isinstance(result, SensitivityResult)
    idx = result.indices[target_id]
    table = Table(title=title)
    sobol = isinstance(idx, SobolIndices)
    heads = ["rank", "factor", "label"]
    heads += ["st", "ci95", "s1", "ci95"] if sobol else ["mu_star", "ci95", "mu", "sigma", "ci95"]
    for head in heads:
        table.add_column(label(TEXT, head, lang), overflow="fold")
    for row in idx.rows(lang):
        cells = [str(row["rank"]), row["factor"], row["label"]]
        if sobol:
            cells += [f"{row['ST']:.3f}", f"[{row['ST_low']:.3f}, {row['ST_high']:.3f}]",
                      f"{row['S1']:.3f}", f"[{row['S1_low']:.3f}, {row['S1_high']:.3f}]"]
        else:
            cells += [f"{row['mu_star']:.4g}",
                      f"[{row['mu_star_low']:.4g}, {row['mu_star_high']:.4g}]",
                      f"{row['mu']:.4g}", f"{row['sigma']:.4g}",
                      f"[{row['sigma_low']:.4g}, {row['sigma_high']:.4g}]"]
        table.add_row(*cells)
    return table


def discover(run_dir: Path, target_id: str, *, of: str, boxes: int, min_coverage: float,
             peel_alpha: float, mass_min: float, out: Path | None, lang: str) -> int:
    """PRIM on a stored run: box limits, trajectory and plots for one target."""
    from sim.sensitivity.discovery import DiscoveryError, discover_run
    from sim.sensitivity.runner import chance_warning, discovery_folder, write_discovery
    from sim.store import StoreError

    if lang not in ("zh", "en"):
        return _bad(f"--lang: {lang!r}: unknown language (expected zh or en)")
    try:
        d = discover_run(run_dir, target_id, of=of, boxes=boxes,  # type: ignore[arg-type]
                         min_coverage=min_coverage, peel_alpha=peel_alpha, mass_min=mass_min)
    except DiscoveryError as exc:
        return _bad(str(exc))
    except (StoreError, ScenarioError, OSError) as exc:
        return _bad(f"{run_dir}: {exc}")
    folder = write_discovery(d, out or run_dir / discovery_folder(target_id, of), lang)
    target = next(t for t in d.scenario.targets if t.id == target_id)
    console = Console(highlight=False, width=170)
    console.print(label(TEXT, f"of_interest_{of}", lang,
                        target=target.label.zh if lang == "zh" else target.label.en,
                        target_id=target_id, k=d.n_interest, n=d.n,
                        share=d.n_interest / d.n))
    for b in d.boxes:
        table = Table(title=label(TEXT, "prim_box", lang, number=b.index + 1,
                                  coverage=b.coverage, density=b.density, mass=b.mass))
        for head in ("factor", "label", "low", "high", "sampled_range", "quasi_p"):
            table.add_column(label(TEXT, head, lang), overflow="fold")
        for lim in b.limits:
            table.add_row(lim.factor, d.label(lim.factor, lang), f"{lim.low:.4g}",
                          f"{lim.high:.4g}", f"{lim.full_low:.4g} – {lim.full_high:.4g}",
                          f"{lim.qp_value:.2g}")
        if not b.limits:
            table.add_row("—", label(TEXT, "no_restriction", lang), "", "", "", "")
        console.print(table)
        if b.may_be_chance:
            console.print(chance_warning(b, lang))
    print(msg("written", lang, files=f"{folder}/box_limits.csv, trajectory.csv, summary.json, "
                                     "README.md, plots/"))
    return EXIT_OK
