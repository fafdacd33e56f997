"""Fast engine vs SimPy reference at full power: is any difference of 0.1 SD detectable?

Usage:
  python benchmarks/equivalence.py SCENARIO [--reps N] [--fast-reps M] [--seed S] [--all-metrics]
  python benchmarks/equivalence.py SCENARIO --save-reference FILE.npz [--reps N] [--seed S]
  python benchmarks/equivalence.py SCENARIO --save-reference FILE.npz --extend --reps N
  python benchmarks/equivalence.py SCENARIO --reference FILE.npz [--fast-reps M]
  python benchmarks/equivalence.py SCENARIO --paired --reps N [--reference FILE.npz]

Samples every target's metric at its date and at an intermediate month (``--all-metrics``:
every unfiltered metric too) from both engines, with N replications each (default: enough for
a 0.1 SD shift in one mean to be detected with power 0.8 at the strictest Holm step over all
the tests, sim.validation.required_reps), and prints Welch and KS tests, Holm-corrected.
``--save-reference`` stores the reference sample (with the scenario's hash and a hash of the
model's source) for tests/test_equivalence.py, which then only runs the fast engine;
``--reference`` compares the fast engine with such a stored sample (refused if the scenario or
the reference model changed since), so a faster fast engine is re-checked in minutes.
``--extend`` adds N more replications to a stored sample (the next replications of its seed;
it starts the file when there is none yet), writing the file again after each piece, so a
sample that takes hours is built in pieces that each survive an interruption.
``--paired`` pairs replication i of both engines (same seed: the same uncertainty draws,
carriers, pipeline and arrival times) and tests the differences (sim.validation.compare_paired);
it prints, per checkpoint, the shift it detects with power 0.8 after Holm, so a scenario whose
reference is too slow for two independent full-power samples (Chongqing) gets its power
statement from far fewer replications.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.scenario import Scenario, load_scenario, scenario_hash  # noqa: E402
from sim.validation import (  # noqa: E402
    ALL_METRICS,
    PairedTest,
    PairTest,
    checkpoints,
    compare,
    compare_paired,
    required_reps,
    sample_parallel,
)

MODEL_SOURCES = ("sim/model", "sim/engines/reference.py", "sim/metrics.py", "sim/timeline.py",
                 "sim/targets.py", "sim/levers.py", "sim/uncertainty.py", "sim/rng.py",
                 "sim/distributions.py")
"""What defines the reference model's numbers: a change here invalidates stored samples."""


def model_hash() -> str:
    """Hash of the reference model's source files (see MODEL_SOURCES)."""
    h = hashlib.sha256()
    for rel in MODEL_SOURCES:
        path = ROOT / rel
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def required_z(tests: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """z_{1 - alpha / (2 tests)} + z_{power}: the shift (in standard errors) that is detected."""
    from scipy import stats

    return float(stats.norm.ppf(1 - alpha / tests / 2) + stats.norm.ppf(power))


def load_reference(path: Path, sc: Scenario, points: Sequence[tuple[str, dt.date]]
                   ) -> tuple[dict[str, np.ndarray], int, int]:
    """A stored reference sample, refused if it no longer describes this scenario and model."""
    stored = np.load(path)
    if str(stored["__scenario_hash__"]) != scenario_hash(sc):
        sys.exit(f"{path}: the scenario changed since this sample was stored; regenerate it")
    if str(stored["__model_hash__"]) != model_hash():
        sys.exit(f"{path}: the reference model's source changed since this sample was stored;"
                 " regenerate it")
    keys = [f"{k}@{d}" for k, d in points]
    missing = [k for k in keys if k not in stored.files]
    if missing:
        sys.exit(f"{path}: no checkpoint {missing[0]} (stored with other options?)")
    return {k: stored[k] for k in keys}, int(stored["__reps__"]), int(stored["__seed__"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--fast-reps", type=int, default=None,
                        help="fast replications when the reference can afford only a few "
                             "(Chongqing) [default: --reps]")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--all-metrics", action="store_true")
    parser.add_argument("--paired", action="store_true",
                        help="paired test on replication-matched samples (fast replications = "
                             "reference replications, same seed)")
    parser.add_argument("--save-reference", type=Path, default=None)
    parser.add_argument("--extend", action="store_true",
                        help="with --save-reference: add --reps replications to the stored "
                             "sample (its seed, the replications after its last; starts the "
                             "file if missing)")
    parser.add_argument("--reference", type=Path, default=None,
                        help="a sample written by --save-reference: compare with it instead of "
                             "running the reference engine")
    args = parser.parse_args()
    sc = load_scenario(args.scenario)
    points = checkpoints(sc, 1, extra_keys=ALL_METRICS if args.all_metrics else ())
    tests = 2 * len(points)
    n = args.reps or required_reps(0.1, power=0.8, tests=tests)
    print(f"{sc.meta.id}: {len(points)} checkpoints, {tests} tests, {n} replications per engine"
          f" (0.1 SD detectable with power 0.8 needs {required_reps(0.1, tests=tests)})")
    t0 = time.perf_counter()
    if args.extend and not args.save_reference:
        sys.exit("--extend needs --save-reference FILE")
    if args.reference:
        ref, n, args.seed = load_reference(args.reference, sc, points)
        print(f"reference sample: {args.reference} ({n} replications, seed {args.seed})")
    elif args.extend and args.save_reference.exists():
        before, n_before, args.seed = load_reference(args.save_reference, sc, points)
        more = sample_parallel("reference", sc, n, args.seed, points, first_rep=n_before)
        ref = {k: np.concatenate([before[k], more[k]]) for k in before}
        print(f"{args.save_reference}: {n_before} + {n} replications (seed {args.seed})")
        n += n_before
    else:
        ref = sample_parallel("reference", sc, n, args.seed, points)
    t_ref = time.perf_counter() - t0
    if args.save_reference:
        args.save_reference.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.save_reference.with_suffix(".tmp.npz")
        arrays: dict[str, Any] = {"__scenario_hash__": scenario_hash(sc),
                                  "__model_hash__": model_hash(), "__seed__": args.seed,
                                  "__reps__": n, **ref}
        np.savez_compressed(tmp, **arrays)
        tmp.replace(args.save_reference)
        print(f"reference sample written to {args.save_reference} ({t_ref:.0f} s)")
        return
    t0 = time.perf_counter()
    n_fast = n if args.paired else (args.fast_reps or n)
    fast = sample_parallel("fast", sc, n_fast, args.seed, points)
    t_fast = time.perf_counter() - t0
    if args.paired:
        report_paired(sc.meta.id, ref, fast, n)
        print(f"wall {t_ref:.0f} s reference, {t_fast:.0f} s fast")
        return
    rows = compare(ref, fast)
    print(f"{_HEAD} {'p Welch':>8} {'p KS':>8}")
    for r in rows:
        print(f"{_location(r)} {r.p_welch:>8.3f} {r.p_ks:>8.3f}{_flag(r)}")
    rejected = sum(r.rejected for r in rows)
    detectable = (required_z(tests) * float(np.sqrt(1.0 / n + 1.0 / n_fast)))
    print(f"{sc.meta.id}: {n} reference and {n_fast} fast replications, {len(rows)} checkpoints,"
          f" {rejected} rejected; a shift of {detectable:.2f} SD is detected with power 0.8 at "
          "Holm's strictest step")
    print(f"wall {t_ref:.0f} s reference, {t_fast:.0f} s fast")


_HEAD = f"{'checkpoint':<60} {'reference':>12} {'fast':>12} {'diff/SD':>8}"


def _location(r: PairTest | PairedTest) -> str:
    """The columns of _HEAD for one checkpoint: both means and their gap in pooled SDs."""
    d = (r.mean_b - r.mean_a) / r.sd_pooled if r.sd_pooled else 0.0
    return f"{r.key[:60]:<60} {r.mean_a:>12.4g} {r.mean_b:>12.4g} {d:>8.3f}"


def _flag(r: PairTest | PairedTest) -> str:
    return "  REJECTED" if r.rejected else ""


def report_paired(name: str, ref: dict[str, np.ndarray], fast: dict[str, np.ndarray],
                  n: int) -> None:
    """Print the paired comparison and its power statement."""
    rows = compare_paired(ref, fast)
    print(f"{_HEAD} {'p paired':>8} {'p KS':>8} {'detects':>8}")
    for r in rows:
        print(f"{_location(r)} {r.p_paired:>8.3f} {r.p_ks:>8.3f} {r.detectable:>8.3f}"
              f"{_flag(r)}")
    rejected = sum(r.rejected for r in rows)
    worst = max(rows, key=lambda r: r.detectable)
    print(f"{name}: {n} replication pairs, {len(rows)} checkpoints, {rejected} rejected; the "
          f"paired test detects a mean shift of {worst.detectable:.3f} SD or less at every "
          f"checkpoint with power 0.8 after Holm (least powerful: {worst.key})")


if __name__ == "__main__":
    main()
