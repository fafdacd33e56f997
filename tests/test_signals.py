"""Ctrl-C during a compiled kernel call arrives after the call, as KeyboardInterrupt (#26)."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

import sim.engines.fast as fast
from sim import PROJECT_ROOT
from sim.scenario import load_scenario
from sim.signals import signals_held

SCENARIOS = PROJECT_ROOT / "scenarios"


@pytest.fixture(autouse=True)
def python_ctrl_c() -> Any:
    """Python's own Ctrl-C handler, as in a terminal, even when the test process started with
    SIGINT ignored (a job started in the background by a non-interactive shell inherits
    SIG_IGN, and Python then installs no handler)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_a_held_signal_is_delivered_when_the_block_ends() -> None:
    reached_end = False
    with pytest.raises(KeyboardInterrupt), signals_held():
        os.kill(os.getpid(), signal.SIGINT)
        reached_end = True
    assert reached_end
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_during_the_kernel_call_waits_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = load_scenario(SCENARIOS / "jiangbei.yaml")
    fast.simulate(sc, 0)  # the kernel is loaded: calls are held from now on
    real = fast.simulate_kernel
    finished: list[bool] = []

    def interrupted_kernel(*args: Any) -> Any:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands in the middle of the call
        out = real(*args)
        finished.append(True)
        return out

    interrupted_kernel.overloads = real.overloads  # type: ignore[attr-defined]
    monkeypatch.setattr(fast, "simulate_kernel", interrupted_kernel)
    with pytest.raises(KeyboardInterrupt):
        fast.simulate(sc, 1)
    assert finished == [True]
