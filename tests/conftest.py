"""Test-run options.

* Tests marked ``slow`` run only when asked for (``pytest -m slow``).
* With several workers (``-n``, the default), a background process compiles the fast
  engine's kernel while the workers start on the test files that never call it
  (``WITHOUT_KERNEL``, collected first); workers that need the kernel meanwhile wait for
  that one compile and load numba's cache (``sim.engines.fast.kernel_lock``) instead of each
  compiling it (a minute or more of a core each on a fresh clone).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WITHOUT_KERNEL = ("test_bad_scenarios.py", "test_scenario_fuzz.py", "test_hostile_fuzz.py",
                  "test_hostile_input.py", "test_distributions.py", "test_examples.py",
                  "test_seasonality.py", "test_report_font.py", "test_carrier_filter.py")
"""Test files that do not run the fast engine: collected first (order only, never skipped)."""
COMPILE = ("from sim.engines.fast import warm_up\n"
           "from sim.scenario import load_scenario\n"
           "warm_up(load_scenario('scenarios/examples/minimal.yaml'), lambda message: None)\n")


def _is_controller(config: pytest.Config) -> bool:
    """The process that hands out tests to workers (not a worker, not a serial run)."""
    workers = getattr(config.option, "numprocesses", None)
    return not hasattr(config, "workerinput") and bool(workers)


def pytest_configure(config: pytest.Config) -> None:
    """Start the one compile of the kernel while the workers start."""
    if _is_controller(config):
        config.stash[_COMPILE] = subprocess.Popen(
            [sys.executable, "-c", COMPILE], cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Never leave the compile running after the session (it normally ended long before)."""
    proc = config.stash.get(_COMPILE, None)
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


_COMPILE = pytest.StashKey[subprocess.Popen]()  # type: ignore[type-arg]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files without the kernel first (stable otherwise); skip ``slow`` unless the marker
    expression names them, so the default run (and CI) stays within its time budget while
    ``pytest -m slow`` still runs them."""
    items.sort(key=lambda item: item.path.name not in WITHOUT_KERNEL)
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with pytest -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
