"""Simulation engines; each is ``simulate(scenario, seed, ...) -> sim.result.Result``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.scenario import Scenario

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


def ready(name: str, scenario: Scenario, backend: object = None,
          notify: Callable[[str], None] | None = None) -> None:
    """Make engine ``name`` ready in this process before replications go to ``backend``.

    The fast engine is compiled (or loaded from numba's cache) here, once, so that worker
    processes started afterwards load it instead of each compiling it on a new machine; a
    line says so when that takes a while (``sim.engines.fast.warm_up``). Not for a backend on
    a remote scheduler (its workers compile on their own machines); the reference engine
    needs nothing.
    """
    if name == "fast" and not getattr(backend, "scheduler", None):
        from sim.engines.fast import warm_up

        warm_up(scenario, notify)
