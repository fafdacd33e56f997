"""Simulation engines; each is ``simulate(scenario, seed, ...) -> sim.result.Result``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ENGINES = ("reference",)
DEFAULT_ENGINE = "reference"


def get_engine(name: str) -> Callable[..., Any]:
    """The ``simulate`` function of an engine, by name."""
    if name == "reference":
        from sim.engines.reference import simulate

        return simulate
    raise ValueError(f"unknown engine {name!r} (expected one of {', '.join(ENGINES)})")
