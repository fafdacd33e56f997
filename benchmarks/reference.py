"""Seconds per replication of the SimPy reference engine on each shipped scenario.

Usage: python benchmarks/reference.py [--reps N]
Prints one line per scenario with the mean wall time and the number of firms created.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.engines.reference import simulate  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=2)
    args = parser.parse_args()
    print(f"{'scenario':<16} {'s/rep':>8} {'firms':>9}")
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        sc = load_scenario(path)
        times = []
        firms = 0.0
        for seed in range(args.reps):
            t0 = time.perf_counter()
            r = simulate(sc, seed)
            times.append(time.perf_counter() - t0)
            firms = r.population["created"][-1]
        print(f"{sc.meta.id:<16} {sum(times) / len(times):>8.2f} {firms:>9.0f}")


if __name__ == "__main__":
    main()
