"""The engines issue's before/after table, measured in one run: this tree against an earlier one.

Usage: python benchmarks/before_after.py [--before REV] [--after REV] [--rounds N] [--seeds N]
                                         [--skip-compile]

Both commits (default: the one before session 17's engine work, and HEAD) are exported with
``git archive`` into a temporary folder (so the working tree may change meanwhile); each runs
in its own child processes with its own empty numba cache, so neither reads the other's
compiled kernel. Prints, for both trees and
their ratio:

1. the first compile of the kernel (empty cache), both trees compiling at once, one per core,
   so that both see the same machine;
2. per replication, on every shipped scenario: the kernel alone (the compiled call on inputs
   prepared beforehand) and the full call (``simulate``: uncertainty draws, levers, plan,
   arrays, kernel, Result), least of the rounds, the trees alternating round by round;
3. the fixed cost of a ``run``: wall time of ``run_sim.py run scenarios/ezhou.yaml --reps 2``
   (2 worker processes: pool, kernel loading, tables, plots, report) less the wall time of a
   process that only imports what the run imports;
4. peak memory of a fresh process running 1 and 20 Beibei replications.

Nothing here is a timed test; the ratios are what to read (machines here are noisy).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "07f2cc4"
"""The last commit before session 17's engine work (kernel split merged, LLVM inlining)."""
SCENARIOS = ("ezhou", "shijingshan", "beibei", "jiangbei", "beibei-midterm", "chongqing")

COMPILE = """
import time
t0 = time.perf_counter()
from sim.engines.fast import warm_up
from sim.scenario import load_scenario
sc = load_scenario("scenarios/ezhou.yaml")
t1 = time.perf_counter()
warm_up(sc, notify=lambda message: None)
print(time.perf_counter() - t1)
"""

PER_REP = """
import sys, time
from sim.engines.fast import kernel_inputs, simulate
from sim.engines.fast.kernel import simulate_kernel
from sim.scenario import load_scenario
name, seeds, inner = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sc = load_scenario(f"scenarios/{name}.yaml")
simulate(sc, 0)
inputs = [kernel_inputs(sc, s) for s in range(seeds)]
kernel, full = [], []
for _ in range(inner):
    t = time.perf_counter()
    for i in inputs:
        simulate_kernel(i.compiled, i.key, 0)
    kernel.append((time.perf_counter() - t) / seeds)
    t = time.perf_counter()
    for s in range(seeds):
        simulate(sc, s)
    full.append((time.perf_counter() - t) / seeds)
print(min(kernel) * 1000, min(full) * 1000)
"""

IMPORTS = ("import run_sim, sim.experiment, sim.summary, sim.report, sim.report_font, "
           "sim.engines.fast, matplotlib.pyplot, pyarrow.parquet, pandas")
"""What a run imports (pandas: pyarrow imports it the first time it builds a table)."""

MEMORY = """
import resource, sys
from sim.engines.fast import simulate
from sim.scenario import load_scenario
sc = load_scenario("scenarios/beibei.yaml")
for i in range(int(sys.argv[1])):
    simulate(sc, i)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def export(rev: str, into: Path) -> Path:
    """The tree of commit ``rev`` under ``into``."""
    tree = into / rev
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def commit(rev: str) -> str:
    """The short hash of ``rev``."""
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], check=True,
                          capture_output=True, text=True).stdout.strip()


def env_for(tree: Path, cache: Path) -> dict[str, str]:
    """The environment of a child process running ``tree``'s code with its own numba cache."""
    return {**os.environ, "PYTHONPATH": str(tree), "NUMBA_CACHE_DIR": str(cache)}


def child(tree: Path, cache: Path, code: str, *args: str) -> list[float]:
    """Run ``code`` in ``tree``; its last line of output as numbers."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=tree,
                         env=env_for(tree, cache), check=True, capture_output=True, text=True)
    return [float(x) for x in out.stdout.strip().splitlines()[-1].split()]


def compile_side_by_side(trees: dict[str, tuple[Path, Path]]) -> dict[str, float]:
    """Seconds of the first compile in each tree, all compiling at the same time."""
    procs = {name: subprocess.Popen([sys.executable, "-c", COMPILE], cwd=tree,
                                    env=env_for(tree, cache), stdout=subprocess.PIPE, text=True)
             for name, (tree, cache) in trees.items()}
    out = {}
    for name, proc in procs.items():
        stdout, _ = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"the compile in the {name} tree failed")
        out[name] = float(stdout.strip().splitlines()[-1])
    return out


def wall(tree: Path, cache: Path, argv: list[str]) -> float:
    """Wall seconds of one process."""
    t = time.perf_counter()
    subprocess.run(argv, cwd=tree, env=env_for(tree, cache), check=True,
                   capture_output=True)
    return time.perf_counter() - t


def fixed_cost(tree: Path, cache: Path, scratch: Path) -> tuple[float, float]:
    """(wall of a 2-replication Ezhou run, wall of importing what it imports)."""
    out = scratch / f"run-{tree.name}-{time.monotonic_ns()}"
    run = wall(tree, cache, [sys.executable, "run_sim.py", "run", "scenarios/ezhou.yaml",
                             "--reps", "2", "--workers", "2", "--out", str(out)])
    imports = wall(tree, cache, [sys.executable, "-c", IMPORTS])
    return run, imports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the earlier commit")
    parser.add_argument("--after", default="HEAD", help="the later commit")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--seeds", type=int, default=12, help="seeds per district scenario")
    parser.add_argument("--skip-compile", action="store_true",
                        help="skip the first-compile comparison (minutes)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="before-after-") as tmp:
        scratch = Path(tmp)
        trees = {"before": (export(args.before, scratch), scratch / "cache-before"),
                 "after": (export(args.after, scratch), scratch / "cache-after")}
        print(f"before: {args.before} ({commit(args.before)}); after: {args.after} "
              f"({commit(args.after)})")
        if not args.skip_compile:
            secs = compile_side_by_side(trees)
            print(f"\nfirst compile, side by side (s): before {secs['before']:.1f}, after "
                  f"{secs['after']:.1f}, after/before {secs['after'] / secs['before']:.2f}")
        else:  # still compile each once, one after the other, so the timings below load it
            for tree, cache in trees.values():
                child(tree, cache, COMPILE)

        print("\nper replication (ms; least of the rounds): kernel and full call")
        print("| scenario | kernel before | kernel after | full before | full after "
              "| full/kernel before | full/kernel after | full after/before |")
        print("|---|---|---|---|---|---|---|---|")
        for name in SCENARIOS:
            seeds, inner = (2, 1) if name == "chongqing" else (args.seeds, 3)
            best: dict[str, list[float]] = {k: [float("inf")] * 2 for k in trees}
            for _ in range(args.rounds):
                for which, (tree, cache) in trees.items():
                    k_ms, f_ms = child(tree, cache, PER_REP, name, str(seeds), str(inner))
                    best[which] = [min(best[which][0], k_ms), min(best[which][1], f_ms)]
            (kb, fb), (ka, fa) = best["before"], best["after"]
            print(f"| {name} | {kb:.2f} | {ka:.2f} | {fb:.2f} | {fa:.2f} | {fb / kb:.2f} "
                  f"| {fa / ka:.2f} | {fa / fb:.2f} |")

        print("\nfixed cost of a run (s; ezhou, 2 replications, 2 workers; least of the rounds)")
        runs: dict[str, tuple[float, float]] = {}
        for _ in range(args.rounds):
            for which, (tree, cache) in trees.items():
                run, imports = fixed_cost(tree, cache, scratch)
                old = runs.get(which, (float("inf"), float("inf")))
                runs[which] = (min(old[0], run), min(old[1], imports))
        for which, (run, imports) in runs.items():
            print(f"{which}: run {run:.2f}, imports {imports:.2f}, fixed cost beyond imports "
                  f"{run - imports:.2f}")

        print("\npeak memory of a fresh process (MB), Beibei")
        for which, (tree, cache) in trees.items():
            one = child(tree, cache, MEMORY, "1")[0]
            many = child(tree, cache, MEMORY, "20")[0]
            print(f"{which}: 1 replication {one:.0f}, 20 replications {many:.0f}")


if __name__ == "__main__":
    main()
