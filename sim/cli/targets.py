"""The ``targets`` command: draft targets for the next plan, the value reachable with P = p."""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from sim.analysis.common import open_backend
from sim.analysis.next_targets import Reachable, reachable, round_for_plan
from sim.calibration.figures import FigureError, parse_filters
from sim.cli.analysis import RunOptions, _bad, _load, _slug
from sim.cli.commands import EXIT_OK
from sim.engines import ready
from sim.levers import lever_values
from sim.messages import CLI_TEXT, in_both, label
from sim.metrics import Query
from sim.money import wan
from sim.registry import METRICS
from sim.store import atomic_write_bytes, atomic_write_json, csv_bytes

COLUMNS = ("metric", "filters", "date", "p", "value", "ci_low", "ci_high", "plan_value",
           "lever", "lever_value", "cost_wan_yuan_per_year")
TEXT = CLI_TEXT
"""The labels of this module's table, README and drafted targets (sim/messages.py)."""


def _query(metric: str, filters: str) -> Query | str:
    if metric not in METRICS:
        return (f"--metric: {metric!r}: unknown metric (expected one of "
                f"{', '.join(METRICS)})")
    try:
        return Query.of(metric, parse_filters(filters, metric, "--filters", 0))
    except FigureError as exc:
        return str(exc).replace("--filters:0: ", "")


def targets(path: Path, metrics: list[str], filters: list[str], date: dt.date,
            ps: list[float], sets: dict[str, float], lever: str | None, values: list[float],
            opts: RunOptions, out: Path | None) -> int:
    """`targets SCENARIO --metric M --date D`: the value reached with each probability."""
    if (msg := opts.problem()) is not None:
        return _bad(msg)
    if any(not 0 < p < 1 for p in ps):
        return _bad(f"--p: {','.join(f'{p:g}' for p in ps)}: expected probabilities "
                    "between 0 and 1, e.g. 0.5,0.8,0.95")
    if filters and len(filters) != len(metrics):
        return _bad(f"--filters: {len(filters)} given for {len(metrics)} --metric: expected "
                    "one --filters per --metric (an empty string for none)")
    sc = _load(path, opts)
    if isinstance(sc, int):
        return sc
    if date <= sc.meta.start:
        return _bad(f"--date: {date}: before the scenario starts ({sc.meta.start})")
    if date.year > sc.meta.horizon_end.year + 10:
        return _bad(f"--date: {date}: more than ten years past the scenario's horizon "
                    f"({sc.meta.horizon_end}); expected a date of the next plan period")
    queries = []
    for i, m in enumerate(metrics):
        q = _query(m, filters[i] if filters else "")
        if isinstance(q, str):
            return _bad(q)
        queries.append(q)
    try:
        lever_values(sc, sets)
        if lever is not None:
            for v in values:
                lever_values(sc, {**sets, lever: v})
    except (KeyError, ValueError) as exc:
        return _bad(f"--set/--lever: {str(exc).strip(chr(39))}")
    if lever is not None and not values:
        return _bad(f"--values: none given for --lever {lever} (expected e.g. 0,5,10)")
    with open_backend(opts.backend, opts.workers, opts.scheduler) as backend:
        ready(opts.engine, sc, backend)
        results = reachable(sc, queries, date, reps=opts.reps, seed=opts.seed, levers=sets,
                            lever_name=lever, lever_values=values, engine=opts.engine,
                            backend=backend, workers=opts.workers)
    rows = _rows(results, ps, lever)
    folder = out or Path("runs") / sc.meta.id / _slug(f"targets-{date}")
    command = " ".join(
        ["python run_sim.py targets", shlex.quote(str(path)),
         *(f"--metric {m}" + (f" --filters {shlex.quote(filters[i])}" if filters else "")
           for i, m in enumerate(metrics)),
         f"--date {date}", f"--p {','.join(f'{p:g}' for p in ps)}",
         *(f"--set {k}={v:g}" for k, v in sets.items()),
         *([f"--lever {lever} --values {','.join(f'{v:g}' for v in values)}"] if lever else []),
         f"--reps {opts.reps} --seed {opts.seed}"])
    _write(folder, sc, rows, results, ps, date, opts.lang, lever, command)
    _print(sc, rows, opts.lang)
    return EXIT_OK


def _rows(results: list[Reachable], ps: list[float], lever: str | None) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        for p in ps:
            v, lo, hi = r.at(p)
            rows.append({"metric": r.query.metric, "filters": r.query.key.partition("[")[2]
                         .rstrip("]"), "date": r.date.isoformat(), "p": p,
                         "value": round(v, 2), "ci_low": round(lo, 2), "ci_high": round(hi, 2),
                         "plan_value": round_for_plan(v), "lever": lever or "",
                         "lever_value": r.levers.get(lever, "") if lever else "",
                         "cost_wan_yuan_per_year": round(wan(r.cost_per_year), 1)})
    return rows


def _targets_block(sc: Any, results: list[Reachable], date: dt.date, command: str) -> str:
    """A YAML targets: block a scenario of the next plan can take (the P = 0.8 values)."""
    block = []
    seen = set()
    for r in results:
        if r.query.key in seen:
            continue
        seen.add(r.query.key)
        spec = METRICS[r.query.metric]
        v = round_for_plan(r.at(0.8)[0])
        item: dict[str, Any] = {
            "id": _slug(f"{r.query.metric}_{date.year}").lower().replace(".", "_")[:60],
            "label": {"zh": label(TEXT, "drafted_label", "zh", year=date.year, metric=spec.zh,
                                  value=v, unit=spec.unit_zh),
                      "en": label(TEXT, "drafted_label", "en", year=date.year, metric=spec.en,
                                  value=v, unit="")},
            "metric": r.query.metric,
            "op": ">=", "value": v, "date": date.isoformat(),
            "source": f"derived: the value reached with P = 0.8 ({command})"}
        if r.query.filters:
            item["filters"] = {k: list(v) if isinstance(v, tuple) else v
                               for k, v in r.query.filters}
        block.append(item)
    return yaml.safe_dump({"targets": block}, allow_unicode=True, sort_keys=False, width=100)


def _write(folder: Path, sc: Any, rows: list[dict[str, Any]], results: list[Reachable],
           ps: list[float], date: dt.date, lang: str, lever: str | None, command: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / "targets.csv", csv_bytes(COLUMNS, rows))
    atomic_write_bytes(folder / "targets.yaml",
                       _targets_block(sc, results, date, command).encode("utf-8"))
    atomic_write_json(folder / "summary.json", {"scenario": sc.meta.id, "date": str(date),
                                                "p": ps, "rows": rows})
    first = results[0].levers.get(lever) if lever else None

    def head_row(*keys: str) -> str:  # "| 指标 metric | ... |": each head in both languages
        return "| " + " | ".join("p" if k == "p" else in_both(TEXT, k, " ") for k in keys) + " |"

    at_lever = f" {in_both(TEXT, 'targets_readme_at_lever', lever=lever, value=first)}" \
        if lever else ""
    values = in_both(TEXT, "targets_readme_values", date=date)
    lines = [f"# {in_both(TEXT, 'targets_readme_title')} — {sc.meta.region.zh}",
             "", f"`{command}`", "", f"{values}{at_lever}:", "",
             head_row("metric", "filters", "p", "value", "ci95", "plan_value"),
             "|---|---|---|---|---|---|"]
    for r in rows:
        if lever and r["lever_value"] != results[0].levers.get(lever):
            continue
        lines.append(f"| {r['metric']} | {r['filters']} | {r['p']:.0%} | {r['value']:,.0f} "
                     f"| [{r['ci_low']:,.0f}, {r['ci_high']:,.0f}] | {r['plan_value']:,.0f} |")
    if lever:
        lines += ["", f"{in_both(TEXT, 'targets_readme_lever', lever=lever)}:", "",
                  head_row("metric", "filters", "lever", "value", "ci95",
                           "cost_per_year"), "|---|---|---|---|---|---|"]
        lines += [f"| {r['metric']} | {r['filters']} | {r['lever_value']:g} | {r['value']:,.0f} "
                  f"| [{r['ci_low']:,.0f}, {r['ci_high']:,.0f}] | "
                  f"{r['cost_wan_yuan_per_year']:,.1f} |" for r in rows if r["p"] == 0.8]
    lines += ["", "`targets.yaml` holds a `targets:` block at P = 0.8 (values rounded down to "
              "two significant figures) that a scenario of the next plan can take"
              + (f", at lever {lever} = {first:g}" if lever else "") + ".", ""]
    atomic_write_bytes(folder / "README.md", "\n".join(lines).encode("utf-8"))


def _print(sc: Any, rows: list[dict[str, Any]], lang: str) -> None:
    region = sc.meta.region.zh if lang == "zh" else sc.meta.region.en
    table = Table(title=label(TEXT, "targets_title", lang, region=region))
    for head in ("metric", "filters", "date", "p", "reachable", "ci95", "plan_value", "lever",
                 "cost_per_year"):
        table.add_column(label(TEXT, head, lang), overflow="fold")
    for r in rows:
        table.add_row(r["metric"], r["filters"], r["date"], f"{r['p']:.0%}",
                      f"{r['value']:,.0f}", f"[{r['ci_low']:,.0f}, {r['ci_high']:,.0f}]",
                      f"{r['plan_value']:,.0f}",
                      f"{r['lever']}={r['lever_value']}" if r["lever"] else "—",
                      f"{r['cost_wan_yuan_per_year']:,.1f}")
    Console(highlight=False, width=170).print(table)
