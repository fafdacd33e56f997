"""Fast engine vs SimPy reference: speed per scenario, scaling, memory, parallel efficiency.

Usage: python benchmarks/engines.py [--ref-reps N] [--fast-reps N] [--cq-ref-reps N]
                                    [--cq-reps N] [--quick]
Every ratio is measured in this one run (machines here are noisy). Prints:
  1. ms per replication for both engines on each shipped scenario, and their ratio (both
     engines on the same seeds: replications differ in size, Chongqing's by ~1.5x);
  2. scaling of the fast engine with the number of firms (scenario size) and replications
     (100 -> 10,000), and Chongqing throughput on 2 workers;
  3. peak memory of each engine in its own fresh process, after 1 and after many
     replications (flat: memory does not grow with replications);
  4. parallel efficiency of 2 worker processes against 1.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.engines.fast import simulate as fast  # noqa: E402
from sim.engines.reference import simulate as reference  # noqa: E402
from sim.experiment import RunConfig, run_experiment  # noqa: E402
from sim.scenario import Scenario, load_scenario  # noqa: E402

MEMORY_CHILD = """
import resource, sys
sys.path.insert(0, {root!r})
from sim.engines.{engine} import simulate
from sim.scenario import load_scenario
sc = load_scenario({path!r})
for i in range({reps}):
    simulate(sc, i)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb(engine: str, scenario: str, reps: int) -> float:
    """Peak resident memory (MB) of a fresh process that runs ``reps`` replications of one
    engine: each engine is measured alone, so neither's peak hides the other's."""
    code = MEMORY_CHILD.format(root=str(ROOT), engine=engine, reps=reps,
                               path=str(ROOT / "scenarios" / f"{scenario}.yaml"))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def per_rep(fn: Callable[[Scenario, int], object], sc: Scenario, reps: int,
            first: int = 0) -> float:
    """Mean wall seconds per replication of ``fn`` over seeds first..first+reps-1."""
    t0 = time.perf_counter()
    for i in range(first, first + reps):
        fn(sc, i)
    return (time.perf_counter() - t0) / reps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ref-reps", type=int, default=3)
    parser.add_argument("--fast-reps", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="skip Chongqing's reference run")
    parser.add_argument("--cq-ref-reps", type=int, default=2,
                        help="Chongqing reference replications (about a minute each)")
    parser.add_argument("--cq-reps", type=int, default=40,
                        help="Chongqing replications for the 2-worker throughput")
    args = parser.parse_args()
    paths = sorted((ROOT / "scenarios").glob("*.yaml"))
    print("ms per replication on the same seeds for both engines (the ratio); the fast engine's"
          f" mean over {args.fast_reps} seeds beside it")
    print(f"{'scenario':<13} {'firms':>8} {'seeds':>6} {'reference ms':>13} {'fast ms':>9} "
          f"{'ratio':>7} {'fast ms, ' + str(args.fast_reps) + ' seeds':>18}")
    for path in paths:
        sc = load_scenario(path)
        fast(sc, 10_000)  # compile / load the cache outside the timing
        f_all = 1000 * per_rep(fast, sc, args.fast_reps)
        firms = fast(sc, 0).population["created"][-1]
        if args.quick and sc.meta.id == "chongqing":
            print(f"{sc.meta.id:<13} {firms:>8.0f} {'':>6} {'skipped':>13} {'':>9} {'':>7} "
                  f"{f_all:>18.1f}")
            continue
        reps = args.cq_ref_reps if sc.meta.id == "chongqing" else args.ref_reps
        r_ms = 1000 * per_rep(reference, sc, reps)
        # the same seeds through the fast engine, repeated so the timer sees enough work
        rounds = max(1, args.fast_reps // reps)
        f_ms = 1000 * min(per_rep(fast, sc, reps) for _ in range(rounds))
        print(f"{sc.meta.id:<13} {firms:>8.0f} {reps:>6} {r_ms:>13.0f} {f_ms:>9.1f} "
              f"{r_ms / f_ms:>7.1f} {f_all:>18.1f}")

    print("\nfast engine, replications 100 -> 10,000 (ezhou, run_experiment, 2 workers)")
    ez = load_scenario(ROOT / "scenarios" / "ezhou.yaml")
    for n in (100, 1000, 10_000):
        out = Path("/tmp") / f"bench-reps-{n}"
        cfg = RunConfig(reps=n, seed=2, engine="fast", backend="processes", workers=2,
                        overwrite=True)
        t0 = time.perf_counter()
        run_experiment(ez, out, cfg)
        wall = time.perf_counter() - t0
        print(f"  {n:>6} reps: wall {wall:7.1f} s, {1000 * wall / n:6.2f} ms per replication"
              " (2 workers, including pool start-up and Parquet writes)")

    print("\nChongqing, fast engine on 2 worker processes (run_experiment)")
    cq = load_scenario(ROOT / "scenarios" / "chongqing.yaml")
    cfg = RunConfig(reps=args.cq_reps, seed=3, engine="fast", backend="processes", workers=2,
                    overwrite=True)
    t0 = time.perf_counter()
    run_experiment(cq, Path("/tmp") / "bench-cq", cfg)
    wall = time.perf_counter() - t0
    per = wall / args.cq_reps
    print(f"  {args.cq_reps} replications: wall {wall:.1f} s = {1000 * per:.0f} ms per replication"
          f" on 2 cores; 10,000 would take ~{10_000 * per / 60:.0f} minutes")
    sc = load_scenario(ROOT / "scenarios" / "beibei.yaml")

    print("\npeak memory (RSS) of each engine in its own process (a fresh interpreter each)")
    for engine, scen, counts in (("fast", "chongqing", (1, 10, 40)),
                                 ("reference", "chongqing", (1, 2)),
                                 ("fast", "beibei", (1, 10, 100)),
                                 ("reference", "beibei", (1, 5))):
        if args.quick:
            counts = counts[:2]
        peaks = [peak_rss_mb(engine, scen, n) for n in counts]
        print(f"  {engine:9s} {scen:10s} " + ", ".join(
            f"{n} rep{'s' if n > 1 else ''}: {mb:,.0f} MB" for n, mb in zip(counts, peaks,
                                                                       strict=True))
              + f"  (growth from {counts[0]} to {counts[-1]}: {peaks[-1] - peaks[0]:+,.0f} MB)")

    print("\nparallel efficiency, 400 fast beibei replications through run_experiment")
    times = {}
    for workers in (1, 2):
        out = Path("/tmp") / f"bench-par-{workers}"
        cfg = RunConfig(reps=400, seed=1, engine="fast", backend="processes", workers=workers,
                        overwrite=True)
        t0 = time.perf_counter()
        run_experiment(sc, out, cfg)
        times[workers] = time.perf_counter() - t0
    eff = times[1] / (2 * times[2])
    print(f"  1 worker {times[1]:.1f} s, 2 workers {times[2]:.1f} s, efficiency {eff:.0%}")


if __name__ == "__main__":
    main()
