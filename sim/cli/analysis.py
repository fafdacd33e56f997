"""CLI side of the lever analyses: check input, run sim.analysis, print tables, write outputs.

Each command returns an exit code (0 done, 2 bad input). Outputs go to a sub-folder of the
scenario's run folder, ``runs/<scenario id>/<command>-<description>/`` unless ``--out`` is
given: a CSV table, a small JSON and ``plots/``; every file is written atomically.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from sim.analysis.common import AnalysisError, fmt_value
from sim.backends import BACKENDS
from sim.cli.commands import EXIT_BAD_INPUT, EXIT_OK, report_scenario_error
from sim.cli.outpaths import scheduler_problem
from sim.engines import ENGINES
from sim.messages import CLI_TEXT, Message, label, msg, unit_in
from sim.money import money_unit, wan
from sim.scenario import Scenario, ScenarioError, load_scenario

TEXT = CLI_TEXT
"""The labels of this module's tables (the catalogue, sim/messages.py)."""


@dataclass(frozen=True)
class RunOptions:
    """Options every simulating analysis command takes."""

    reps: int = 200
    seed: int = 0
    engine: str = "fast"
    backend: str = "processes"
    workers: int = 2
    scheduler: str | None = None
    lang: str = "zh"
    force: bool = False
    """Go ahead even when the job looks too big for the free memory (sim.preflight)."""

    def problem(self) -> str | None:
        """A one-line message if an option is not allowed, else None."""
        for name, value, allowed in (("--engine", self.engine, ENGINES),
                                     ("--backend", self.backend, BACKENDS),
                                     ("--lang", self.lang, ("zh", "en"))):
            if value not in allowed:
                return f"{name}: {value!r}: expected one of {', '.join(allowed)}"
        if self.reps < 2:
            return f"--reps: {self.reps}: expected at least 2 replications"
        return scheduler_problem(self.scheduler, self.backend)

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of the sim.analysis functions."""
        return {"reps": self.reps, "seed": self.seed, "engine": self.engine,
                "backend": self.backend, "workers": self.workers,
                "scheduler": self.scheduler,
                "progress": functools.partial(_progress, lang=self.lang)}


def _progress(message: str, lang: str = "en") -> None:
    text = message.in_lang(lang) if isinstance(message, Message) else message
    print(f"  … {text}", file=sys.stderr, flush=True)


def _bad(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_BAD_INPUT


def _console() -> Console:
    return Console(highlight=False, width=170)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=+-]+", "_", text)[:120]


def _file_id(target_id: str) -> str:
    return "joint" if target_id == "__all__" else _slug(target_id)


MAX_VALUES = 1_000
"""Values one --values may list: each is a full set of replications (a thousand already take
hours on a district); more would only exhaust memory and time."""


def parse_values(text: str, option: str = "--values") -> list[float]:
    """'V1,V2,...' or 'START:STOP:N' (N evenly spaced values) -> floats (ValueError)."""
    text = text.strip()
    if text.count(":") == 2 and "," not in text:
        a, b, n = text.split(":")
        try:
            start, stop, count = float(a), float(b), int(n)
        except ValueError:
            raise ValueError(f"{option}: {text}: expected START:STOP:N") from None
        if count < 2:
            raise ValueError(f"{option}: {text}: N must be at least 2")
        if count > MAX_VALUES:
            raise ValueError(f"{option}: {text}: N must be at most {MAX_VALUES:,} (each value "
                             "is a full set of replications)")
        if not (math.isfinite(start) and math.isfinite(stop)):
            raise ValueError(f"{option}: {text}: START and STOP must be finite numbers")
        return [start + (stop - start) * k / (count - 1) for k in range(count)]
    out = []
    if text.count(",") >= MAX_VALUES:
        raise ValueError(f"{option}: {text.count(',') + 1:,} values: at most {MAX_VALUES:,} "
                         "(each value is a full set of replications)")
    for part in text.split(","):
        try:
            out.append(float(part))
        except ValueError:
            raise ValueError(f"{option}: {text}: {part!r} is not a number "
                             "(expected V1,V2,... or START:STOP:N)") from None
    return out


def _csv_cell(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    return v


def write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    """A CSV table written atomically (NaN as an empty cell)."""
    from sim.store import atomic_write_bytes, csv_encode

    buf = io.StringIO()
    fields: list[str] = []
    for r in rows:
        fields.extend(k for k in r if k not in fields)
    w = csv.DictWriter(buf, fieldnames=fields)
    w.writeheader()
    for r in rows:
        w.writerow({k: _csv_cell(v) for k, v in r.items()})
    atomic_write_bytes(path, csv_encode(buf.getvalue()))


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    return obj


def write_json(path: Path, obj: dict[str, Any]) -> None:
    """The small JSON, written atomically (NaN as null)."""
    from sim.store import atomic_write_json

    atomic_write_json(path, _json_safe(obj))


def write_readme(folder: Path, title: str, lines: Sequence[str], lang: str = "en") -> None:
    """README.md of an analysis folder: the command that wrote it and its headline result."""
    from sim.store import atomic_write_bytes

    from_cli = Path(sys.argv[0]).name == "run_sim.py"
    command = (("python run_sim.py " + " ".join(sys.argv[1:])) if from_cli
               else msg("from_python", lang))
    body = [f"# {title}", "", "```", command, "```", "", *lines, ""]
    atomic_write_bytes(folder / "README.md", "\n".join(body).encode("utf-8"))


def save_plot(ax: Any, path: Path) -> Path:
    """Save a plot's figure whole or not at all and close it (``sim.plot_jobs.save``)."""
    from sim.plot_jobs import save

    return save(ax, path)


def _load(path: Path, opts: RunOptions | None = None) -> Scenario | int:
    """The scenario, or the exit code after its one-line errors (or the job is too big)."""
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        return report_scenario_error(exc)
    if opts is not None and not opts.force:
        from sim import preflight

        if (problem := preflight.problem(sc, workers=opts.workers,
                                         backend=opts.backend)) is not None:
            return _bad(f"{path}: {problem}")
    return sc


def _label(sc: Scenario, tid: str, lang: str) -> str:
    for t in sc.targets:
        if t.id == tid:
            return t.label.zh if lang == "zh" else t.label.en
    return label(TEXT, "all_jointly_lower", lang) if tid == "__all__" else tid


def _lever_label(sc: Scenario, name: str, lang: str) -> str:
    lv = sc.levers[name]
    return f"{lv.label.zh if lang == 'zh' else lv.label.en} ({unit_in(lv.unit, lang)})"


def _pct(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:.1%}"


def _signed_pct(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:+.1%}"


def _run(fn: Callable[[], int]) -> int:
    try:
        return fn()
    except AnalysisError as exc:
        return _bad(str(exc))


# ------------------------------------------------------------------------------------ compare
def compare(paths: Sequence[Path], sets: dict[str, float], targets: Sequence[str],
            opts: RunOptions, out: Path | None) -> int:
    """`compare A.yaml B.yaml` or `compare SCENARIO --set LEVER=VALUE ...`."""
    from sim.analysis import compare as run_compare
    from sim.analysis.plots import difference_bars

    if (problem := opts.problem()) is not None:
        return _bad(problem)
    if len(paths) not in (1, 2):
        return _bad(f"compare: {len(paths)} scenario files: expected A.yaml B.yaml, or one "
                    "scenario with --set LEVER=VALUE")
    if len(paths) == 2 and sets:
        return _bad("compare: give either a second scenario file or --set, not both")
    if len(paths) == 1 and not sets:
        return _bad(f"compare {paths[0]}: nothing to compare: add --set LEVER=VALUE "
                    "(compares the default levers with the set values) or a second file")
    loaded = [_load(p, opts) for p in paths]
    for sc in loaded:
        if isinstance(sc, int):
            return sc
    scs = [s for s in loaded if isinstance(s, Scenario)]
    sc_a = scs[0]
    sc_b = scs[1] if len(scs) == 2 else None

    def body() -> int:
        set_text = ",".join(f"{k}={fmt_value(v)}" for k, v in sets.items())
        name_b = sc_b.meta.id if sc_b is not None else set_text
        res = run_compare(sc_a, sc_b, levers_b=sets or None, targets=targets or None,
                          name_a=f"{sc_a.meta.id}" + (" (default levers)" if sets else ""),
                          name_b=name_b, **opts.kwargs())
        desc = f"{sc_a.meta.id}-vs-{sc_b.meta.id}" if sc_b is not None else set_text
        folder = out or Path("runs") / sc_a.meta.id / _slug(f"compare-{desc}")
        write_csv(folder / "compare.csv", res.table())
        write_json(folder / "summary.json", res.summary())
        lang = opts.lang
        write_readme(folder, msg("readme_compare_title", lang, b=res.name_b, a=res.name_a), [
            msg("readme_compare_row", lang, target=r.target_id, pa=_pct(r.p_a), pb=_pct(r.p_b),
                d=_signed_pct(r.diff.estimate), lo=_signed_pct(r.diff.low),
                hi=_signed_pct(r.diff.high), ilo=_signed_pct(r.diff_independent.low),
                ihi=_signed_pct(r.diff_independent.high))
            for r in res.rows] + [msg("readme_crn", lang, n=res.reps, seed=res.seed,
                                      engine=res.engine)], lang)
        labels = [_label(sc_a, r.target_id, lang) for r in res.rows]
        ax = difference_bars(labels, [r.diff.estimate for r in res.rows],
                             [r.diff.low for r in res.rows], [r.diff.high for r in res.rows],
                             [r.diff_independent.low for r in res.rows],
                             [r.diff_independent.high for r in res.rows],
                             title=f"{res.name_b}  vs  {res.name_a}  (n = {res.reps})",
                             lang=lang)
        save_plot(ax, folder / "plots" / "compare.png")
        _print_compare(res, sc_a, lang)
        print(msg("written", lang, files=f"{folder}/compare.csv, summary.json, README.md, "
                                         "plots/compare.png"))
        return EXIT_OK

    return _run(body)


def _print_compare(res: Any, sc: Scenario, lang: str) -> None:
    table = Table(title=f"B = {res.name_b}  vs  A = {res.name_a} — n = {res.reps}, "
                        f"{label(TEXT, 'seed', lang)} {res.seed} "
                        f"({label(TEXT, 'paired_crn', lang)})")
    for head in ("target", "p_a", "p_b", "p_diff", "paired_ci95", "independent_ci", "var_ratio",
                 "value_diff", "ci95"):
        table.add_column(label(TEXT, head, lang), overflow="fold")
    table.add_column(label(TEXT, "spend_diff", lang, unit=money_unit(lang)), overflow="fold")
    for r in res.rows:
        vd = r.value_diff
        table.add_row(
            f"{r.target_id}\n{_label(sc, r.target_id, lang)}", _pct(r.p_a), _pct(r.p_b),
            _signed_pct(r.diff.estimate),
            f"[{_signed_pct(r.diff.low)}, {_signed_pct(r.diff.high)}]",
            f"[{_signed_pct(r.diff_independent.low)}, {_signed_pct(r.diff_independent.high)}]",
            "–" if not math.isfinite(r.var_ratio_met) else f"{r.var_ratio_met:.2f}",
            "–" if not math.isfinite(vd.estimate) else f"{vd.estimate:+,.1f}",
            "–" if not math.isfinite(vd.low) else f"[{vd.low:+,.1f}, {vd.high:+,.1f}]",
            f"{wan(r.spend_b - r.spend_a):+,.0f}")
    table.caption = label(TEXT, "var_ratio_caption", lang)
    _console().print(table)


# -------------------------------------------------------------------------------------- sweep
def sweep(path: Path, levers: Sequence[str], values: Sequence[str], targets: Sequence[str],
          sets: dict[str, float], opts: RunOptions, out: Path | None) -> int:
    """`sweep SCENARIO --lever NAME --values V1,V2,... [--lever NAME2 --values ...]`."""
    from sim.analysis import sweep as run_sweep

    if (problem := opts.problem()) is not None:
        return _bad(problem)
    if not 1 <= len(levers) <= 2:
        return _bad(f"--lever: {len(levers)} given: a sweep takes one lever, or two for a grid")
    if len(values) != len(levers):
        return _bad(f"--values: {len(values)} lists for {len(levers)} levers: give one "
                    "--values after each --lever")
    try:
        vals = [parse_values(v) for v in values]
    except ValueError as exc:
        return _bad(str(exc))
    sc = _load(path, opts)
    if isinstance(sc, int):
        return sc
    scenario = sc

    def body() -> int:
        for name in sets:
            if name in levers:
                raise AnalysisError(f"--set {name}: this lever is swept; drop it from --set")
        res = run_sweep(scenario, list(levers), vals, targets=targets or None,
                        base_levers=sets or None, **opts.kwargs())
        folder = out or Path("runs") / scenario.meta.id / _slug("sweep-" + "-".join(levers))
        write_csv(folder / "sweep.csv", res.rows)
        write_json(folder / "summary.json", {**res.summary(), "set": sets})
        lang = opts.lang
        write_readme(folder, msg("readme_sweep_title", lang, levers=" x ".join(levers),
                                 scenario=scenario.meta.id), [
            msg("readme_values", lang, lever=name, values=", ".join(fmt_value(v) for v in vs))
            for name, vs in zip(res.levers, res.values, strict=True)] + [
            msg("readme_targets", lang, targets=", ".join(res.target_ids)),
            msg("readme_crn", lang, n=res.reps, seed=res.seed, engine=res.engine)], lang)
        written = _sweep_plots(res, scenario, folder, opts.lang)
        _print_sweep(res, scenario, opts.lang)
        print(msg("written", lang, files=f"{folder}/sweep.csv, summary.json, README.md, "
                  + ", ".join(str(p.relative_to(folder)) for p in written)))
        return EXIT_OK

    return _run(body)


def _sweep_plots(res: Any, sc: Scenario, folder: Path, lang: str) -> list[Path]:
    import numpy as np

    from sim.analysis.plots import heat_map, p_curve

    written = []
    ids = [*res.target_ids, "__all__"] if len(res.target_ids) > 1 else list(res.target_ids)
    first = res.levers[0]
    title = sc.meta.name.zh if lang == "zh" else sc.meta.name.en
    if len(res.levers) == 1:
        x = [r[first] for r in res.of(ids[0])]
        series = {}
        frontier: dict[str, tuple[Any, Any, Any]] = {}
        for tid in ids:
            rows = res.of(tid)
            series[_label(sc, tid, lang)] = (np.array([r["p"] for r in rows]),
                                            np.array([r["ci_low"] for r in rows]),
                                            np.array([r["ci_high"] for r in rows]))
        written.append(save_plot(p_curve(x, series, xlabel=_lever_label(sc, first, lang),
                                         title=title, lang=lang),
                                 folder / "plots" / f"p_vs_{first}.png"))
        from sim.analysis.plots import t as label

        for tid in ids:
            rows = res.of(tid)
            frontier = {_label(sc, tid, lang): series[_label(sc, tid, lang)]}
            spend = [wan(r["spend_mean"]) for r in rows]
            written.append(save_plot(
                p_curve(spend, frontier, xlabel=label("spend", lang),
                        title=f"{title}: {_label(sc, tid, lang)}", lang=lang),
                folder / "plots" / f"frontier_{_file_id(tid)}.png"))
    else:
        second = res.levers[1]
        for tid in ids:
            written.append(save_plot(
                heat_map(res.p_grid(tid), res.values[0], res.values[1],
                         xlabel=_lever_label(sc, first, lang),
                         ylabel=_lever_label(sc, second, lang),
                         title=f"{title}: {_label(sc, tid, lang)}", lang=lang),
                folder / "plots" / f"heatmap_{_file_id(tid)}.png"))
    return written


def _print_sweep(res: Any, sc: Scenario, lang: str) -> None:
    ids = [*res.target_ids, "__all__"] if len(res.target_ids) > 1 else list(res.target_ids)
    table = Table(title=f"{sc.meta.id}: {label(TEXT, 'sweep', lang)} "
                        f"{' × '.join(res.levers)} — n = {res.reps}, "
                        f"{label(TEXT, 'seed', lang)} {res.seed}")
    for name in res.levers:
        table.add_column(name)
    for tid in ids:
        table.add_column(tid if tid != "__all__" else label(TEXT, "joint", lang),
                         overflow="fold")
    table.add_column(label(TEXT, "spend_to_last", lang))
    points: dict[tuple[float, ...], dict[str, Any]] = {}
    for r in res.rows:
        points.setdefault(tuple(r[n] for n in res.levers), {})[r["target_id"]] = r
    for point, by_target in points.items():
        cells = [f"{v:,.6g}" for v in point]
        for tid in ids:
            r = by_target[tid]
            cells.append(f"{r['p']:.0%} [{r['ci_low']:.0%}, {r['ci_high']:.0%}]")
        last = by_target["__all__"] if "__all__" in by_target else by_target[ids[0]]
        cells.append(f"{wan(last['spend_mean']):,.0f}")
        table.add_row(*cells)
    _console().print(table)


# ---------------------------------------------------------------------------------- goal-seek
def goal_seek(path: Path, targets: Sequence[str], p: float, lever: str | None,
              tol: float | None, conservative: bool, budget: float | None,
              levers: str | None, grid: int, refine: int, sets: dict[str, float],
              opts: RunOptions, out: Path | None) -> int:
    """`goal-seek SCENARIO --target ID --p 0.8 --lever NAME` or `--budget Y --levers A,B,C`."""
    if (problem := opts.problem()) is not None:
        return _bad(problem)
    if not targets:
        return _bad("--target: name the target to reach (repeat for a joint target)")
    if (lever is None) == (budget is None):
        return _bad("goal-seek: give either --lever NAME (least value with P >= p) or "
                    "--budget YUAN --levers A,B,C (best split of a yearly budget)")
    if budget is not None and not levers:
        return _bad("--levers: name the levers to split the budget across (A,B,C)")
    if not 0.0 < p < 1.0:
        return _bad(f"--p: {p:g}: expected a probability strictly between 0 and 1")
    if sets:
        return _bad("goal-seek: --set is not supported; the other levers stay at their defaults")
    sc = _load(path, opts)
    if isinstance(sc, int):
        return sc
    scenario = sc
    if budget is not None:
        names = [n.strip() for n in (levers or "").split(",") if n.strip()]
        return _run(lambda: _budget(scenario, targets, p, budget, names, grid, refine,
                                    opts, out))
    assert lever is not None
    return _run(lambda: _seek(scenario, targets, p, lever, tol, conservative, opts, out))


def _seek(sc: Scenario, targets: Sequence[str], p: float, lever: str, tol: float | None,
          conservative: bool, opts: RunOptions, out: Path | None) -> int:
    from sim.analysis import goal_seek as run_goal_seek
    from sim.analysis.plots import p_curve

    res = run_goal_seek(sc, lever, list(targets), p, tol=tol, conservative=conservative,
                        **opts.kwargs())
    desc = f"goal-seek-{'+'.join(res.target_ids)}-{lever}-p{fmt_value(round(p * 100, 6))}"
    folder = out or Path("runs") / sc.meta.id / _slug(desc)
    write_csv(folder / "goal_seek.csv", res.table())
    write_json(folder / "summary.json", res.summary())
    write_readme(folder, msg("readme_seek_title", opts.lang, lever=lever,
                             targets=" & ".join(res.target_ids), p=p), [
        seek_message(res, opts.lang, unit_in(sc.levers[lever].unit, opts.lang)), "",
        msg("readme_crn", opts.lang, n=res.reps, seed=res.seed, engine=res.engine)], opts.lang)
    pts = sorted(res.points, key=lambda q: q.value)
    import numpy as np

    series = {" + ".join(_label(sc, t, opts.lang) for t in res.target_ids)[:60]: (
        np.array([q.p for q in pts]), np.array([q.ci_low for q in pts]),
        np.array([q.ci_high for q in pts]))}
    ax = p_curve([q.value for q in pts], series, xlabel=_lever_label(sc, lever, opts.lang),
                 title=sc.meta.name.zh if opts.lang == "zh" else sc.meta.name.en,
                 lang=opts.lang, required=p,
                 marker=res.answer.value if res.found and res.answer else None)
    save_plot(ax, folder / "plots" / "goal_seek.png")
    _print_seek(res, sc, opts.lang)
    print(msg("written", opts.lang, files=f"{folder}/goal_seek.csv, summary.json, README.md, "
                                          "plots/goal_seek.png"))
    return EXIT_OK


def _print_seek(res: Any, sc: Scenario, lang: str) -> None:
    lv = sc.levers[res.lever]
    how = msg("seek_conservative" if res.conservative else "seek_estimate", lang)
    table = Table(title=msg("seek_title", lang, scenario=sc.meta.id, lever=res.lever,
                            targets=" & ".join(res.target_ids), p=res.p_required, n=res.reps,
                            seed=res.seed, how=how))
    for head in ("lever_value", "p_short", "ci95", "reaches_p", "cost_a_year", "spend_to_date"):
        table.add_column(label(TEXT, head, lang))
    for row in res.table():
        mark = " ←" if row["is_answer"] else ""
        table.add_row(f"{row['value']:,.6g} {unit_in(lv.unit, lang)}{mark}", f"{row['p']:.1%}",
                      f"[{row['ci_low']:.1%}, {row['ci_high']:.1%}]",
                      label(TEXT, "yes" if row["reaches_p"] else "no", lang),
                      f"{wan(row['cost_per_year']):,.1f}", f"{wan(row['spend_mean']):,.0f}")
    _console().print(table)
    print(seek_message(res, lang, unit_in(lv.unit, lang)))


def seek_message(res: Any, lang: str, unit: str) -> str:
    """The goal-seek verdict in ``lang`` (res.message keeps the English for summary.json)."""
    a = res.answer
    if res.status == "reached_at_lower_bound" and a is not None:
        text = msg("seek_at_lower", lang, p=res.p_required, lever=res.lever, value=a.value,
                   unit=unit, pv=a.p, lo=a.ci_low, hi=a.ci_high)
    elif res.found and a is not None:
        b = res.below
        text = msg("seek_found", lang, p=res.p_required, lever=res.lever, value=a.value,
                   unit=unit, pv=a.p, lo=a.ci_low, hi=a.ci_high,
                   below=b.value if b is not None else float("nan"),
                   pb=b.p if b is not None else float("nan"))
    else:
        top = max(res.points, key=lambda q: q.value)
        low = min(res.points, key=lambda q: q.value)
        text = msg("seek_none", lang, lever=res.lever, lo_b=low.value, hi_b=top.value,
                   unit=unit, p=res.p_required, pv=top.p, lo=top.ci_low, hi=top.ci_high,
                   n=top.n)
    if not getattr(res, "monotone", True):
        text += msg("seek_not_monotone", lang)
    return text


def _budget(sc: Scenario, targets: Sequence[str], p: float, budget: float,
            levers: Sequence[str], grid: int, refine: int, opts: RunOptions,
            out: Path | None) -> int:
    from sim.analysis import budget_split
    from sim.analysis.plots import split_bars

    res = budget_split(sc, budget, list(levers), list(targets), grid=grid, refine=refine,
                       **opts.kwargs())
    desc = f"goal-seek-{'+'.join(res.target_ids)}-budget-{fmt_value(budget)}"
    folder = out or Path("runs") / sc.meta.id / _slug(desc)
    write_csv(folder / "budget_split.csv", res.table())
    summary = res.summary()
    best = res.best
    assert best is not None
    summary["p_required"] = p
    summary["reaches_p"] = best.p >= p
    write_json(folder / "summary.json", summary)
    lang = opts.lang
    write_readme(folder, msg("readme_budget_title", lang, amount=wan(budget),
                             scenario=sc.meta.id), [
        msg("readme_budget_row", lang, lever=n, amount=wan(y), value=v,
            unit=unit_in(sc.levers[n].unit, lang))
        for n, y, v in zip(levers, best.yuan, best.values, strict=True)] + [
        msg("readme_budget_p", lang, targets=" & ".join(res.target_ids), p=best.p,
            lo=best.ci_low, hi=best.ci_high, req=p, ok=msg("yes" if best.p >= p else "no", lang)),
        msg("readme_crn", lang, n=res.reps, seed=res.seed, engine=res.engine)], lang)
    save_plot(split_bars([_lever_label(sc, n, opts.lang) for n in levers], best.yuan,
                         title=f"P = {best.p:.1%} [{best.ci_low:.1%}, {best.ci_high:.1%}]",
                         lang=opts.lang), folder / "plots" / "budget_split.png")
    per_year = money_unit(opts.lang, per_year=True)
    table = Table(title=label(TEXT, "split_title", lang, scenario=sc.meta.id, budget=wan(budget),
                              per_year=per_year, levers=", ".join(levers),
                              targets=" & ".join(res.target_ids), n=res.reps, seed=res.seed))
    for name in levers:
        table.add_column(f"{name} ({per_year})")
    for head in ("p_short", "ci95"):
        table.add_column(label(TEXT, head, lang))
    for row in res.table()[:10]:
        table.add_row(*[f"{wan(row[f'{n}_yuan_per_year']):,.1f} → {row[f'{n}_value']:,.4g}"
                        for n in levers],
                      f"{row['p']:.1%}" + (" ←" if row["is_best"] else ""),
                      f"[{row['ci_low']:.1%}, {row['ci_high']:.1%}]")
    _console().print(table)
    base = res.baseline
    assert base is not None
    reached = best.p >= p
    print(label(TEXT, "split_best", lang, p=best.p, lo=best.ci_low, hi=best.ci_high, p0=base.p,
                verdict=label(TEXT, "reaches" if reached else "does_not_reach", lang),
                p_required=p, spent=sum(best.yuan), budget=budget))
    print(msg("written", lang, files=f"{folder}/budget_split.csv, summary.json, README.md, "
                                     "plots/budget_split.png"))
    return EXIT_OK


# -------------------------------------------------------------------------------- attribution
def attribution(path: Path, target: str, sets: dict[str, float], opts: RunOptions,
                out: Path | None) -> int:
    """`attribution SCENARIO --target ID`: which flows make up the gap of a missed target."""
    from sim.analysis import attribution as run_attribution
    from sim.analysis.attribution import BASE, RESIDUAL, flow_label
    from sim.analysis.plots import waterfall

    if (problem := opts.problem()) is not None:
        return _bad(problem)
    sc = _load(path, opts)
    if isinstance(sc, int):
        return sc
    scenario = sc
    lang = opts.lang
    zh = lang == "zh"

    def body() -> int:
        res = run_attribution(scenario, target, levers=sets or None, **opts.kwargs())
        folder = out or Path("runs") / scenario.meta.id / _slug(f"attribution-{target}")
        rows = [{**r, "label": flow_label(r["flow"], lang)} for r in res.table()]
        write_csv(folder / "attribution.csv", rows)
        write_json(folder / "summary.json", res.summary())
        write_readme(folder, msg("readme_attr_title", lang, target=target,
                                 scenario=scenario.meta.id), [
            msg("readme_attr_p", lang, p=1 - res.n_missed / res.n, n=res.n, gap=res.mean_gap),
            *([f"- {res.note_in(lang)}"] if res.notes else [])], lang)
        files = ["attribution.csv", "summary.json", "README.md"]
        ident = [r for r in res.rows if r["role"] == "identity" and r["flow"] != BASE]
        if res.has_identity and res.n_missed:
            from sim.registry import METRICS

            spec = METRICS.get(res.metric)
            unit = (spec.unit_zh if zh else spec.unit_en) if spec is not None else ""
            ax = waterfall([flow_label(r["flow"], lang) for r in ident],
                           [r["sign"] * r["mean_missed"] for r in ident],
                           base=res.base_missed, value=res.value_missed,
                           threshold=res.threshold,
                           title=f"{_label(scenario, target, lang)} "
                                 f"({label(TEXT, 'missed_reps', lang)}: "
                                 f"{res.n_missed}/{res.n})",
                           ylabel=unit, lang=lang)
            save_plot(ax, folder / "plots" / "waterfall.png")
            files.append("plots/waterfall.png")
        table = Table(title=msg("attr_title", lang, scenario=scenario.meta.id, target=target,
                                p=1 - res.n_missed / res.n, n=res.n, gap=res.mean_gap))
        for head in ("flow", "sign", "mean_missed", "gap_share", "mean_met", "contribution"):
            table.add_column(label(TEXT, head, lang))
        for r in res.rows:
            sign = {1.0: "+", -1.0: "−", 0.0: ""}[r["sign"]] if r["flow"] not in (
                BASE, RESIDUAL) else ("=" if r["flow"] == BASE else "±")
            table.add_row(flow_label(r["flow"], lang), sign, _num(r["mean_missed"]),
                          _pct(r["gap_share"]), _num(r["mean_met"]),
                          _num(r["contribution"], signed=True))
        if res.notes:
            table.caption = res.note_in(lang)
        _console().print(table)
        print(msg("written", lang, files=f"{folder}/" + ", ".join(files)))
        return EXIT_OK

    return _run(body)


def _num(x: float, signed: bool = False) -> str:
    if not math.isfinite(x):
        return "–"
    return f"{x:+,.1f}" if signed else f"{x:,.1f}"
