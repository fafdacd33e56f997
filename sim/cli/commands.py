"""What each CLI command does, returning an exit code (0 success, 2 bad input)."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

from sim.scenario import ScenarioError, load_scenario

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def report_scenario_error(exc: ScenarioError) -> int:
    """Print each problem on its own line to stderr; return the bad-input exit code."""
    for problem in exc.problems:
        print(str(problem), file=sys.stderr)
    return EXIT_BAD_INPUT


def validate(paths: list[Path]) -> int:
    """Validate each file; report all problems; 2 if any file is bad."""
    out = Console(highlight=False, soft_wrap=True)
    status = EXIT_OK
    for path in paths:
        try:
            sc = load_scenario(path)
        except ScenarioError as exc:
            status = report_scenario_error(exc)
            continue
        out.print(f"{path}: ok ({sc.meta.id}, {len(sc.targets)} targets)")
    return status


def show(path: Path, lang: str) -> int:
    """Print the scenario's tables."""
    from sim.cli.show import print_scenario

    if lang not in ("zh", "en"):
        print(f"--lang: {lang!r}: unknown language (expected zh or en)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        return report_scenario_error(exc)
    print_scenario(sc, lang, Console(highlight=False, soft_wrap=False, width=160))
    return EXIT_OK


def simulate_one(path: Path, seed: int, out: Path | None, lang: str) -> int:
    """Run one reference replication and print each target's metric at its date."""
    from rich.table import Table

    from sim.cli.show import threshold_text
    from sim.engines.reference import simulate
    from sim.targets import judge

    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        return report_scenario_error(exc)
    result = simulate(sc, seed)
    zh = lang == "zh"
    table = Table(title=f"{sc.meta.name.zh if zh else sc.meta.name.en} — seed {seed}")
    for head in (("目标", "target"), ("名称", "label"), ("日期", "date"), ("目标值", "threshold"),
                 ("模拟值", "simulated"), ("达成", "met")):
        table.add_column(head[0] if zh else head[1], overflow="fold")
    for t in sc.targets:
        o = judge(t, result)
        table.add_row(t.id, t.label.zh if zh else t.label.en, str(t.date),
                      f"{threshold_text(t, lang)} [{o.threshold:,.0f}]", f"{o.value:,.1f}",
                      ("是" if o.met else "否") if zh else ("yes" if o.met else "no"))
    Console(highlight=False, width=160).print(table)
    if out is not None:
        write_rows_csv(result, out)
        print(f"wrote {out}")
    return EXIT_OK


def write_rows_csv(result: object, out: Path) -> None:
    """Write the tidy monthly table atomically (temporary file, then rename)."""
    import csv
    import os

    from sim.result import Result

    assert isinstance(result, Result)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["time", "date", "metric", "group", "value"])
        for row in result.rows():
            w.writerow(row)
    os.replace(tmp, out)
