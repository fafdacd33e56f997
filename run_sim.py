"""Command line for the incubation-plan simulator (typer commands only; no model logic here).

Examples:
    python run_sim.py validate scenarios/*.yaml
    python run_sim.py show scenarios/beibei.yaml --lang zh
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli import commands

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Simulate whether regional incubation and double-doubling (双倍增) targets are met.",
)

Lang = Annotated[str, typer.Option("--lang", help="Label language: zh (中文) or en.")]


@app.command(epilog="Example: python run_sim.py validate scenarios/*.yaml")
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.")],
) -> None:
    """Check scenario files; print every problem as FILE:LINE: field: value: problem. Exit 0 or 2."""
    raise typer.Exit(commands.validate(paths))


@app.command(epilog="Example: python run_sim.py show scenarios/beibei.yaml --lang en")
def show(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    lang: Lang = "zh",
) -> None:
    """Print a scenario's targets, unmodelled targets, levers, uncertainties and baseline, with sources."""
    raise typer.Exit(commands.show(path, lang))


@app.command(
    "simulate",
    epilog="Example: python run_sim.py simulate scenarios/beibei.yaml --seed 1 --out one.csv",
)
def simulate_cmd(
    path: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    seed: Annotated[int, typer.Option(help="Seed of the replication (0 is a valid seed).")] = 0,
    out: Annotated[Path | None, typer.Option(help="Write the monthly table as CSV here.")] = None,
    lang: Lang = "zh",
) -> None:
    """Run ONE replication with the SimPy reference engine; print each target's value at its date."""
    raise typer.Exit(commands.simulate_one(path, seed, out, lang))


if __name__ == "__main__":
    app()
