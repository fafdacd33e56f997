"""Simulation engines; each is ``simulate(scenario, seed, ...) -> sim.result.Result``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ENGINES = ("reference", "fast")
DEFAULT_ENGINE = "reference"


def get_engine(name: str) -> Callable[..., Any]:
    """The ``simulate`` function of an engine, by name."""
    if name == "reference":
        from sim.engines.reference import simulate

        return simulate
    if name == "fast":
        from sim.engines.fast import simulate as fast_simulate

        return fast_simulate
    raise ValueError(f"unknown engine {name!r} (expected one of {', '.join(ENGINES)})")
