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
