"""Making the fast engine ready before workers start (sim.engines.ready / fast.warm_up).

On a new machine numba compiles the kernel for one to two minutes. ``warm_up`` does that once
in the parent process, runs nothing of the model (a replication cut off before its first
event), and says why nothing moves when it takes a while. The compile itself is not repeated
here; stand-ins for the kernel make the timing cases deterministic.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import sim.engines.fast as fast_pkg
from sim.engines import ready
from sim.engines.fast import FIRST_COMPILE_NOTICE, simulate, warm_up
from sim.engines.fast.compile import compile_replication
from sim.engines.fast.kernel import simulate_kernel
from sim.engines.fast.keyed import replication_key
from sim.engines.reference import as_seed_sequence, prepare
from sim.metrics import default_queries
from sim.rng import Streams
from sim.scenario import Scenario, load_scenario

MINIMAL = Path(__file__).resolve().parent.parent / "scenarios" / "examples" / "minimal.yaml"


@pytest.fixture(scope="module")
def minimal() -> Scenario:
    return load_scenario(MINIMAL)


def _stand_in(seconds: float, seen: list[Any]) -> Any:
    def kernel(compiled: Any, key: Any, heap_capacity: int) -> None:
        seen.append(compiled)
        time.sleep(seconds)
    return kernel


def test_nothing_to_do_once_the_kernel_is_loaded(minimal: Scenario) -> None:
    simulate(minimal, 0)
    said: list[str] = []
    assert warm_up(minimal, said.append, after=0.0) is False
    time.sleep(0.05)
    assert said == []


def test_a_slow_first_compile_is_announced_once(minimal: Scenario,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(fast_pkg, "kernel_loaded", lambda: False)
    monkeypatch.setattr(fast_pkg, "simulate_kernel", _stand_in(0.5, seen))
    said: list[str] = []
    assert warm_up(minimal, said.append, after=0.05) is True
    assert said == [FIRST_COMPILE_NOTICE]
    assert len(seen) == 1 and seen[0].horizon == -1.0  # cut off before the first event


def test_a_quick_load_from_the_cache_says_nothing(minimal: Scenario,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(fast_pkg, "kernel_loaded", lambda: False)
    monkeypatch.setattr(fast_pkg, "simulate_kernel", _stand_in(0.0, seen))
    said: list[str] = []
    assert warm_up(minimal, said.append, after=0.5) is True
    time.sleep(0.7)  # past the deadline: the cancelled notice must not come late
    assert said == [] and len(seen) == 1


def test_the_cut_off_replication_simulates_nothing(minimal: Scenario) -> None:
    """What warm_up hands the real kernel: no firm is created, every record stays empty."""
    seq = as_seed_sequence(0)
    streams = Streams(seq)
    sc, _, lv = prepare(minimal, streams, None, None)
    compiled, _, _ = compile_replication(sc, streams, lv, default_queries(sc, ()))
    series, population, flows, _, _ = simulate_kernel(compiled._replace(horizon=-1.0),
                                                        replication_key(seq), 0)
    assert not series.any() and not population.any() and not flows.any()


def test_the_reference_engine_needs_no_preparation(minimal: Scenario,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[bool] = []
    monkeypatch.setattr(fast_pkg, "warm_up", lambda *a, **k: called.append(True))
    ready("reference", minimal)
    assert called == []
    ready("fast", minimal)
    assert called == [True]
