"""Where a replication's time goes beside the kernel, and the least it could be.

Usage: python benchmarks/preparation.py [--seeds N] [--rounds R] [SCENARIO ...]

Why: the engines issue asks for the full call (``sim.engines.fast.simulate``) to take at
most 1.5x the kernel on every district scenario. The full call is the kernel plus the
preparation of the replication (``kernel_inputs``) plus reading the kernel's outputs into a
Result. This script times each step of the preparation separately, on the same seeds:

  * draws: what the shared random streams make each replication compute whatever the
    engine's design: the uncertainty values (the replication's own generator), the plan's
    random part (carriers' ages, pipeline deliveries, arrivals: one keyed PCG64 generator
    each, as the reference engine draws them) and the replication key;
  * variant: the drawn values and the levers written into a validated scenario copy;
  * rules, plan, queries, arrays: the per-firm rules (``sim.model.encoding``), the plan
    beyond its draws (``sim.model.schedule``, timed whole and less the draws), the queries
    and the kernel's arrays (``sim.engines.fast.compile``);
  * result: the kernel's outputs read into a Result (``sim.engines.fast.read_outputs``).

"floor" is (kernel + draws + result) / kernel: what a design that wrote every other input
straight into the arrays, for free, would still pay with these random streams. Where it
is above 1.5 the goal cannot be met without drawing differently from the reference engine
(which would change every published figure). CPU time of this process, least of the rounds;
"plan" is the whole plan's time less its draws' (a difference of two timings, so a plan that
costs next to nothing beside its draws can print a little below zero).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.engines.fast import kernel_inputs, load_kernel, read_outputs, simulate  # noqa: E402
from sim.engines.fast.compile import compile_replication  # noqa: E402
from sim.engines.fast.kernel import simulate_kernel  # noqa: E402
from sim.engines.reference import UNCERTAINTY, as_seed_sequence, prepare  # noqa: E402
from sim.metrics import default_queries  # noqa: E402
from sim.model import schedule  # noqa: E402
from sim.model.draws import replication_key  # noqa: E402
from sim.model.encoding import encode_firm_rules  # noqa: E402
from sim.rng import Streams, replication  # noqa: E402
from sim.scenario import Scenario, load_scenario  # noqa: E402
from sim.uncertainty import sample_one  # noqa: E402

DISTRICTS = ("ezhou", "shijingshan", "beibei", "jiangbei", "beibei-midterm")
GOAL = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=list(DISTRICTS))
    parser.add_argument("--seeds", type=int, default=40, help="replications per scenario")
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds (least kept)")
    args = parser.parse_args()
    columns = ("kernel", "full", "draws", "variant", "rules", "plan", "queries", "arrays",
               "result")
    print(f"CPU ms per replication, least of {args.rounds} rounds, {args.seeds} seeds; "
          "plan is less its draws")
    print("| scenario | " + " | ".join(columns) + " | full / kernel | floor / kernel |")
    print("|---|" + "---|" * (len(columns) + 2))
    for name in args.scenarios:
        best = time_steps(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), args.seeds,
                          args.rounds)
        floor = (best["kernel"] + best["draws"] + best["result"]) / best["kernel"]
        cells = " | ".join(f"{best[c]:.2f}" for c in columns)
        print(f"| {name} | {cells} | {best['full'] / best['kernel']:.2f} | {floor:.2f}"
              f"{' (above the goal)' if floor > GOAL else ''} |")


def time_steps(sc: Scenario, seeds: int, rounds: int) -> dict[str, float]:
    """Least CPU ms per replication of each step over ``rounds`` alternating rounds."""
    seqs = [replication(0, i) for i in range(seeds)]
    inputs = [kernel_inputs(sc, seq) for seq in seqs]
    load_kernel(inputs[0])
    outputs = [simulate_kernel(i.compiled, i.key, 0) for i in inputs]
    prepared = [prepare(sc, Streams(seq), None, None) for seq in seqs]
    rules = [encode_firm_rules(p[0]) for p in prepared]
    plans = [schedule.plan(p[0], Streams(seq), p[2], r.jan1)
             for p, seq, r in zip(prepared, seqs, rules, strict=True)]
    queries = [default_queries(p[0], ()) for p in prepared]

    def uncertainty_and_key() -> None:
        for seq in seqs:
            sample_one(sc, Streams(seq).generator(UNCERTAINTY))
            replication_key(as_seed_sequence(seq))

    def plan_draws() -> None:
        for seq, (variant, _, lv) in zip(seqs, prepared, strict=True):
            streams = Streams(seq)
            schedule.plan_carriers(variant, streams, lv)
            schedule.plan_arrivals(variant, streams)

    def whole_plan() -> None:
        for seq, (variant, _, lv), r in zip(seqs, prepared, rules, strict=True):
            schedule.plan(variant, Streams(seq), lv, r.jan1)

    steps: dict[str, Callable[[], object]] = {
        "kernel": lambda: [simulate_kernel(i.compiled, i.key, 0) for i in inputs],
        "full": lambda: [simulate(sc, seq) for seq in seqs],
        "uncertainty and key": uncertainty_and_key,
        "plan draws": plan_draws,
        "variant": lambda: [prepare(sc, Streams(seq), p[1], None)
                            for seq, p in zip(seqs, prepared, strict=True)],
        "rules": lambda: [encode_firm_rules(p[0]) for p in prepared],
        "whole plan": whole_plan,
        "queries": lambda: [default_queries(p[0], ()) for p in prepared],
        "arrays": lambda: [compile_replication(p[0], r, pl, p[2], q) for p, r, pl, q in
                           zip(prepared, rules, plans, queries, strict=True)],
        "result": lambda: [read_outputs(i, o) for i, o in zip(inputs, outputs, strict=True)],
    }
    best = {name: float("inf") for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            t0 = time.process_time()
            step()
            best[name] = min(best[name], 1000 * (time.process_time() - t0) / seeds)
    best["plan"] = best.pop("whole plan") - best["plan draws"]
    best["draws"] = best.pop("uncertainty and key") + best.pop("plan draws")
    return best


if __name__ == "__main__":
    main()
