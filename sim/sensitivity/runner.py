"""Sensitivity analyses and scenario discovery of a scenario, and their output folders.

``run_sensitivity`` builds the design (Morris or Sobol over the uncertainties and the chosen
levers), runs every point with common random numbers (``sim.sensitivity.model``) and analyses
each requested target; ``write_sensitivity`` writes, per target, the folder
``RUN/sensitivity-<method>-<target>/``: ``indices.csv``, ``samples.parquet``, ``summary.json``,
``README.md`` and ``plots/``. ``write_discovery`` does the same for PRIM
(``RUN/discovery-<target>/``).
"""

from __future__ import annotations

import csv
import io
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sim.backends import Backend
from sim.messages import SENSITIVITY_PLOT_TEXT, label, msg
from sim.scenario import Scenario, scenario_hash
from sim.sensitivity.discovery import CHANCE_LEVEL, Discovery, PrimBox
from sim.sensitivity.factors import Factor, scenario_factors
from sim.sensitivity.indices import (
    CONF_LEVEL,
    Design,
    MorrisIndices,
    SobolIndices,
    morris_analyze,
    morris_design,
    sobol_analyze,
    sobol_design,
)
from sim.sensitivity.model import OUTPUTS, PointOutcomes, evaluate_points
from sim.store import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_table,
    csv_encode,
    versions,
)

METHODS = ("morris", "sobol")
DEFAULT_N = {"morris": 10, "sobol": 64}

SOBOL_COLUMNS = ("target_id", "output", "rank", "factor", "kind", "label", "S1", "S1_conf",
                 "S1_low", "S1_high", "ST", "ST_conf", "ST_low", "ST_high")
MORRIS_COLUMNS = ("target_id", "output", "rank", "factor", "kind", "label", "mu", "mu_star",
                  "mu_star_conf", "mu_star_low", "mu_star_high", "sigma", "sigma_low",
                  "sigma_high")
LIMIT_COLUMNS = ("box", "factor", "kind", "label", "low", "high", "full_low", "full_high",
                 "qp_value", "coverage", "density", "mass", "chance_p")
TRAJECTORY_COLUMNS = ("box", "step", "coverage", "density", "mass", "res_dim", "selected")


@dataclass
class SensitivityConfig:
    """What to analyse and how (the CLI's options)."""

    method: str
    targets: tuple[str, ...]
    n: int | None = None
    """Trajectories (Morris) or base samples, a power of 2 (Sobol); None: DEFAULT_N."""
    reps: int = 10
    seed: int = 0
    output: str = "value"
    levers: tuple[str, ...] = ()
    """Levers studied as factors (uniform over their bounds); ("all",) for every lever."""
    fixed_levers: dict[str, float] = field(default_factory=dict)
    engine: str = "fast"
    backend: str = "processes"
    workers: int = 2
    scheduler: str | None = None
    """A running Dask scheduler (with backend "dask"); None: a local cluster."""

    def base_n(self) -> int:
        """The number of trajectories or base samples in force."""
        return self.n if self.n is not None else DEFAULT_N[self.method]


@dataclass
class SensitivityResult:
    """A finished analysis: design, per-point outcomes and indices per target."""

    scenario: Scenario
    config: SensitivityConfig
    design: Design
    outcomes: PointOutcomes
    indices: dict[str, SobolIndices | MorrisIndices]
    seconds: float

    @property
    def replications(self) -> int:
        """Replications run in all (points x reps)."""
        return self.design.points * self.config.reps


def check_config(scenario: Scenario, cfg: SensitivityConfig) -> list[Factor]:
    """Validate the request against the scenario; return the factors (ValueError/KeyError)."""
    if cfg.method not in METHODS:
        raise ValueError(f"--method: {cfg.method!r} (expected morris or sobol)")
    if cfg.output not in OUTPUTS:
        raise ValueError(f"--output: {cfg.output!r} (expected p or value)")
    if not cfg.targets:
        raise ValueError("--target: name at least one target")
    ids = [t.id for t in scenario.targets]
    for t in cfg.targets:
        if t not in ids:
            raise KeyError(f"--target: unknown target '{t}' (targets of "
                           f"{scenario.meta.id}: {', '.join(ids)})")
    if cfg.reps < 1:
        raise ValueError(f"--reps: {cfg.reps} (need at least 1)")
    n = cfg.base_n()
    if cfg.method == "sobol" and (n < 2 or n & (n - 1)):
        raise ValueError(f"--n: {n}: Sobol base samples must be a power of 2 (e.g. 64, 128)")
    if cfg.method == "morris" and n < 2:
        raise ValueError(f"--n: {n}: Morris needs at least 2 trajectories")
    try:
        factors = scenario_factors(scenario, cfg.levers)
    except KeyError as exc:
        raise KeyError(f"--lever: {exc.args[0]}") from None
    studied = {f.name for f in factors if f.kind == "lever"}
    clash = sorted(studied & set(cfg.fixed_levers))
    if clash:
        raise ValueError(f"--set: lever '{clash[0]}' is also a factor (--lever)")
    return factors


def points_of(method: str, n: int, d: int) -> int:
    """Sample points of a design: n (D + 1) for Morris, n (D + 2) for Sobol."""
    return n * (d + 1) if method == "morris" else n * (d + 2)


def run_sensitivity(scenario: Scenario, cfg: SensitivityConfig, *,
                    backend: Backend | str | None = None,
                    progress: Callable[[int, int], None] | None = None) -> SensitivityResult:
    """Run the design of ``cfg`` on ``scenario`` and analyse every requested target."""
    factors = check_config(scenario, cfg)
    t0 = time.perf_counter()
    n = cfg.base_n()
    design = (sobol_design(factors, n, seed=cfg.seed) if cfg.method == "sobol"
              else morris_design(factors, n, seed=cfg.seed))
    if backend is None and cfg.scheduler is not None:
        from sim.backends import make_backend

        with make_backend(cfg.backend, cfg.workers, cfg.scheduler) as remote:
            return run_sensitivity(scenario, cfg, backend=remote, progress=progress)
    outcomes = evaluate_points(scenario, factors, design.values, reps=cfg.reps, seed=cfg.seed,
                               levers=cfg.fixed_levers, engine=cfg.engine,
                               backend=backend if backend is not None else cfg.backend,
                               workers=cfg.workers, progress=progress)
    y = outcomes.of(cfg.output, cfg.targets)
    found: Sequence[SobolIndices | MorrisIndices]
    if cfg.method == "sobol":
        found = sobol_analyze(design, y, seed=cfg.seed)
    else:
        found = morris_analyze(design, y, seed=cfg.seed)
    return SensitivityResult(scenario, cfg, design, outcomes,
                             dict(zip(cfg.targets, found, strict=True)),
                             time.perf_counter() - t0)


def folder_name(method: str, target_id: str) -> str:
    """Sub-folder of the run folder for one analysis."""
    return f"sensitivity-{method}-{target_id}"


def _csv_bytes(columns: Sequence[str], rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: (f"{float(v):.6g}" if isinstance(v, float | np.floating) else v)
                    for k, v in row.items() if k in columns})
    return csv_encode(buf.getvalue())


def save_figure(ax: Any, path: Path) -> Path:
    """Save an Axes' figure whole or not at all and close it (``sim.plot_jobs.save``)."""
    from sim.plot_jobs import save

    return save(ax, path)


def index_rows(result: SensitivityResult, target_id: str, lang: str) -> list[dict[str, Any]]:
    """Rows of indices.csv for one target."""
    return [{"target_id": target_id, "output": result.config.output, **row}
            for row in result.indices[target_id].rows(lang)]


def plot_indices(result: SensitivityResult, target_id: str, lang: str) -> dict[str, Any]:
    """The plots of one target's indices, by file name (Axes, not yet saved)."""
    from sim.sensitivity import plots as splots

    sc = result.scenario
    target = next(t for t in sc.targets if t.id == target_id)
    what = label(SENSITIVITY_PLOT_TEXT, f"output_{result.config.output}", lang)
    title = f"{target.label.zh if lang == 'zh' else target.label.en} — {what}"
    idx = result.indices[target_id]
    labels = [f.label(lang) for f in idx.factors]
    if isinstance(idx, SobolIndices):
        ax = splots.sobol_bars(labels, idx.S1, idx.S1_conf, idx.ST, idx.ST_conf,
                               title=f"Sobol: {title}", lang=lang)
        return {"sobol.png": ax}
    tornado = splots.morris_tornado(labels, idx.mu, idx.mu_star, idx.mu_star_low,
                                    idx.mu_star_high, sigma=idx.sigma,
                                    title=f"Morris: {title}", lang=lang)
    plane = splots.morris_plane(labels, idx.mu_star, idx.sigma, title=f"Morris: {title}",
                                lang=lang)
    return {"morris_tornado.png": tornado, "morris_plane.png": plane}


def command_line(result: SensitivityResult, scenario_file: str | None) -> str:
    """The ``run_sim.py sensitivity`` command that reproduces an analysis."""
    cfg = result.config
    parts = ["python run_sim.py sensitivity", scenario_file or f"<{result.scenario.meta.id}.yaml>",
             f"--method {cfg.method}", *(f"--target {t}" for t in cfg.targets),
             f"--n {result.design.n}", f"--reps {cfg.reps}", f"--output {cfg.output}",
             f"--seed {cfg.seed}", *(f"--lever {name}" for name in cfg.levers),
             *(f"--set {k}={v:g}" for k, v in cfg.fixed_levers.items())]
    if cfg.engine != "fast":
        parts.append(f"--engine {cfg.engine}")
    return " ".join(parts)


def headline(result: SensitivityResult, target_id: str, lang: str = "en", top: int = 3) -> str:
    """The most influential factors of one target, with their indices and intervals."""
    idx = result.indices[target_id]
    items = []
    for r in idx.rows(lang)[:top]:
        if isinstance(idx, SobolIndices):
            items.append(f"{r['rank']}. {r['label']} ({r['factor']}): ST = {r['ST']:.3f} "
                         f"[{r['ST_low']:.3f}, {r['ST_high']:.3f}], S1 = {r['S1']:.3f} "
                         f"[{r['S1_low']:.3f}, {r['S1_high']:.3f}]")
        else:
            items.append(f"{r['rank']}. {r['label']} ({r['factor']}): mu* = "
                         f"{r['mu_star']:.4g} [{r['mu_star_low']:.4g}, {r['mu_star_high']:.4g}],"
                         f" mu = {r['mu']:.4g}, sigma = {r['sigma']:.4g}")
    return "\n".join(items)


def write_sensitivity(result: SensitivityResult, run_dir: Path, lang: str = "zh",
                      *, plots: bool = True, scenario_file: str | None = None) -> list[Path]:
    """Write each target's folder under ``run_dir``; return the folders."""
    cfg = result.config
    design = result.design
    folders = []
    columns = SOBOL_COLUMNS if cfg.method == "sobol" else MORRIS_COLUMNS
    for target_id in cfg.targets:
        out = run_dir / folder_name(cfg.method, target_id)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out / "indices.csv", _csv_bytes(columns,
                                                           index_rows(result, target_id, lang)))
        j = result.outcomes.target_ids.index(target_id)
        cols: dict[str, Any] = {"point": pa.array(np.arange(design.points, dtype=np.int32))}
        for k, f in enumerate(design.factors):
            prefix = "lever" if f.kind == "lever" else "u"
            cols[f"{prefix}:{f.name}"] = pa.array(design.values[:, k])
        cols["p"] = pa.array(result.outcomes.p[:, j])
        cols["value"] = pa.array(result.outcomes.value[:, j])
        atomic_write_table(out / "samples.parquet", pa.table(cols))
        atomic_write_json(out / "summary.json", {
            "analysis": "sensitivity", "method": cfg.method, "target_id": target_id,
            "output": cfg.output, "scenario_id": result.scenario.meta.id,
            "scenario_hash": scenario_hash(result.scenario), "seed": cfg.seed,
            "n": design.n, "points": design.points, "reps_per_point": cfg.reps,
            "replications": result.replications, "engine": cfg.engine,
            "backend": cfg.backend, "workers": cfg.workers, "conf_level": CONF_LEVEL,
            "factors": [{"name": f.name, "kind": f.kind} for f in design.factors],
            "fixed_levers": cfg.fixed_levers, "seconds": round(result.seconds, 3),
            "versions": {**versions(), "SALib": _version("SALib")},
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": command_line(result, scenario_file),
            "top": result.indices[target_id].rows(lang)[:3],
        })
        what = msg(f"readme_sens_output_{cfg.output}", lang)
        atomic_write_bytes(out / "README.md", (
            "# " + msg("readme_sens_title", lang, method=cfg.method.capitalize(),
                       target=target_id) + "\n\n"
            f"```\n{command_line(result, scenario_file)}\n```\n\n"
            + msg("readme_sens_body", lang, what=what, points=design.points, reps=cfg.reps,
                  total=result.replications, last=cfg.reps - 1, seconds=result.seconds)
            + "\n\n" + msg("readme_sens_top", lang, level=int(CONF_LEVEL * 100)) + "\n\n"
            + "\n".join(f"- {line[3:]}" for line in headline(result, target_id, lang).split("\n"))
            + "\n").encode("utf-8"))
        if plots:
            for name, ax in plot_indices(result, target_id, lang).items():
                save_figure(ax, out / "plots" / name)
        folders.append(out)
    return folders


def _version(pkg: str) -> str:
    import importlib.metadata as md

    try:
        return md.version(pkg)
    except md.PackageNotFoundError:
        return "not installed"


def discovery_folder(target_id: str, of: str) -> str:
    """Sub-folder of the run folder for PRIM on one target."""
    return f"discovery-{target_id}" if of == "missed" else f"discovery-{target_id}-met"


def plot_discovery(d: Discovery, lang: str) -> dict[str, Any]:
    """The trade-off plot and the box-limits plot of the first box (Axes by file name)."""
    from sim.sensitivity import plots as splots

    target = next(t for t in d.scenario.targets if t.id == d.target_id)
    what = label(SENSITIVITY_PLOT_TEXT, f"of_{d.of}", lang)
    title = f"{target.label.zh if lang == 'zh' else target.label.en} — PRIM ({what})"
    out: dict[str, Any] = {}
    for b in d.boxes:
        suffix = "" if b.index == 0 else f"_{b.index + 1}"
        tr = b.trajectory
        out[f"prim_tradeoff{suffix}.png"] = splots.prim_tradeoff(
            tr["coverage"], tr["density"], tr["res_dim"].astype(int), selected=b.selected,
            title=title, lang=lang)
        if b.limits:
            cov = label(SENSITIVITY_PLOT_TEXT, "coverage_density", lang, coverage=b.coverage,
                        density=b.density)
            out[f"prim_box{suffix}.png"] = splots.prim_box(
                [d.label(lim.factor, lang) for lim in b.limits],
                [lim.low for lim in b.limits], [lim.high for lim in b.limits],
                [lim.full_low for lim in b.limits], [lim.full_high for lim in b.limits],
                title=f"{title}: {cov}", lang=lang)
    return out


def chance_warning(b: PrimBox, lang: str) -> str:
    """One line telling a planner that a box may be chance (see ``PrimBox.may_be_chance``)."""
    shown = "—" if math.isnan(b.chance_p) else f"{b.chance_p:.2f}"
    return msg("chance_warning", lang, number=b.index + 1, shown=shown, level=CHANCE_LEVEL)


def write_discovery(d: Discovery, out: Path, lang: str = "zh", *, plots: bool = True) -> Path:
    """Write box_limits.csv, trajectory.csv, summary.json, README.md and plots/ into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "box_limits.csv", _csv_bytes(LIMIT_COLUMNS, d.limit_rows(lang)))
    atomic_write_bytes(out / "trajectory.csv",
                       _csv_bytes(TRAJECTORY_COLUMNS, d.trajectory_rows()))
    atomic_write_json(out / "summary.json", {
        "analysis": "discovery", "method": "PRIM (sim.sensitivity.prim)", "target_id": d.target_id,
        "cases_of_interest": d.of, "n": d.n, "n_interest": d.n_interest,
        "base_rate": d.n_interest / d.n, "factors": list(d.factors), "settings": d.settings,
        "run_dir": str(d.run_dir), "scenario_id": d.scenario.meta.id,
        "boxes": [{"box": b.index + 1, "step": b.selected, "coverage": b.coverage,
                   "density": b.density, "mass": b.mass,
                   "chance_p": None if math.isnan(b.chance_p) else b.chance_p,
                   "may_be_chance": b.may_be_chance,
                   "limits": {lim.factor: [lim.low, lim.high] for lim in b.limits}}
                  for b in d.boxes],
        "versions": {"pandas": _version("pandas")},
    })
    of = msg(d.of, lang)
    lines = ["# " + msg("readme_prim_title", lang, target=d.target_id, of=of), "",
             "```", f"python run_sim.py discover {d.run_dir} --target {d.target_id} --of {d.of} "
             f"--boxes {d.settings['boxes']} --min-coverage {d.settings['min_coverage']:g}", "```",
             "", msg("readme_prim_count", lang, of=of.capitalize(), k=d.n_interest, n=d.n,
                     share=d.n_interest / d.n), ""]
    for b in d.boxes:
        lines.append(msg("readme_prim_box", lang, box=b.index + 1, coverage=b.coverage,
                         density=b.density, mass=b.mass)
                     + (":" if b.limits else msg("readme_prim_none", lang)))
        lines += [msg("readme_prim_limit", lang, label=d.label(lim.factor, lang),
                      factor=lim.factor, low=lim.low, high=lim.high, full_low=lim.full_low,
                      full_high=lim.full_high, qp=lim.qp_value)
                  for lim in b.limits]
        if b.may_be_chance:
            lines += ["", chance_warning(b, lang)]
    atomic_write_bytes(out / "README.md", ("\n".join(lines) + "\n").encode("utf-8"))
    if plots:
        for name, ax in plot_discovery(d, lang).items():
            save_figure(ax, out / "plots" / name)
    return out
