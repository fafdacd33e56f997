"""Making the fast engine ready before workers start (sim.engines.ready / fast.warm_up).

On a new machine numba compiles the kernel for one to two minutes. ``warm_up`` does that once
in the parent process, runs nothing of the model (a replication cut off before its first
event), and says why nothing moves when it takes a while. The compile itself is not repeated
here; stand-ins for the kernel make the timing cases deterministic.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import sim.engines.fast as fast_pkg
from sim.engines import ready
from sim.engines.fast import FIRST_COMPILE_NOTICE, kernel_inputs, simulate, warm_up
from sim.engines.fast.kernel import simulate_kernel
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


@pytest.mark.parametrize(("kernel_seconds", "after", "expected"), [
    (0.5, 0.05, [FIRST_COMPILE_NOTICE]),  # a slow first compile is announced, once
    (0.0, 0.5, []),  # a quick load from the cache says nothing, not even after the deadline
])
def test_the_notice_comes_only_when_getting_ready_takes_long(
        minimal: Scenario, monkeypatch: pytest.MonkeyPatch, kernel_seconds: float, after: float,
        expected: list[str]) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(fast_pkg, "kernel_loaded", lambda: False)
    monkeypatch.setattr(fast_pkg, "simulate_kernel", _stand_in(kernel_seconds, seen))
    said: list[str] = []
    assert warm_up(minimal, said.append, after=after) is True
    time.sleep(after + 0.2)  # past the deadline: a cancelled notice must not come late
    assert said == expected
    assert len(seen) == 1 and seen[0].horizon == -1.0  # cut off before the first event


def test_the_cut_off_replication_simulates_nothing(minimal: Scenario) -> None:
    """What warm_up hands the real kernel: no firm is created, every record stays empty."""
    inputs = kernel_inputs(minimal)
    series, population, flows, _, _ = simulate_kernel(inputs.compiled._replace(horizon=-1.0),
                                                        inputs.key, 0)
    assert not series.any() and not population.any() and not flows.any()


def test_only_the_fast_engine_on_local_workers_is_prepared(
        minimal: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference engine needs nothing; a remote scheduler's workers compile there."""
    called: list[bool] = []
    monkeypatch.setattr(fast_pkg, "warm_up", lambda *a, **k: called.append(True))
    ready("reference", minimal)
    assert called == []
    ready("fast", minimal, SimpleNamespace(scheduler="tcp://10.0.0.1:8786"))
    assert called == []
    ready("fast", minimal)
    assert called == [True]


def test_a_long_compile_keeps_saying_it_is_still_going(
        minimal: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing else moves while numba compiles (minutes on a busy machine): a line every tick."""
    seen: list[Any] = []
    monkeypatch.setattr(fast_pkg, "kernel_loaded", lambda: False)
    monkeypatch.setattr(fast_pkg, "simulate_kernel", _stand_in(0.8, seen))
    monkeypatch.setattr(fast_pkg, "COMPILE_TICK_SECONDS", 0.1)
    said: list[str] = []
    assert warm_up(minimal, said.append, after=0.05) is True
    assert said[0] == FIRST_COMPILE_NOTICE
    ticks = said[1:]
    assert ticks and all(t.startswith("仍在编译") and "so far" in t for t in ticks)
    time.sleep(0.3)
    assert said[1:] == ticks  # nothing more once the compile is over


def test_a_second_process_waits_for_the_compile_then_goes_on() -> None:
    """The compile lock (sim/engines/fast/kernel_lock.py): while one holder has it, another
    waits; it goes on once the first lets go. flock conflicts between two opens of the file
    even in one process, so two threads stand for the two processes."""
    import threading

    from sim.engines.fast.kernel_lock import kernel_lock

    held, release, second_in = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with kernel_lock():
            held.set()
            release.wait(10)

    def second() -> None:
        held.wait(10)
        with kernel_lock():
            second_in.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert held.wait(10)
    assert not second_in.wait(0.3)  # still compiling: the second one waits
    release.set()
    assert second_in.wait(10)
    for t in threads:
        t.join(10)
