"""Where a Chongqing replication's time goes, and the most a restructured kernel could save.

Usage: python benchmarks/parts.py [--reps N] [--rounds R]

Why: the fast-engine issue asks for <= 20 ms per Chongqing replication per core; the kernel
takes ~0.5 s. One proposed way there (benchmarks/README.md, "floor.py") is a kernel that
computes each firm's life outside carriers and its certificates firm by firm, without the
event queue, and keeps time-ordered events only where firms meet: the carriers (capacity,
picks, the seekers' queues). That carrier part cannot go firm by firm, whatever the engine:
a firm's place depends on who left before it arrived. This script measures how much of the
present kernel's time each part is, by running the same replications with parts of the
model switched off in the kernel's inputs (not valid results; nothing is stored):

  * statuses off: no certificates at the start or on arrival (their shares set to 0, so the
    firms still draw the same uniforms), no application rounds, no 1 January renewals;
  * outside off: no event outside carriers (no incorporation, maturing, relocation or exit
    once outside; the firms still draw their uniforms);
  * both off: only the carriers are left. Neither part feeds back into the carriers (a
    firm that left a carrier never seeks one again, and certificates change no firm's
    place), so this runs the very same carrier dynamics as the full model; the script checks
    that the numbers in incubation are equal month by month.

The full model's time over the carrier part's is the most that computing everything else
for free could gain. The carrier part's own events (entries' departures, patience ends) are
then pushed through the kernel's heap with nothing else, as in floor.py: a floor for any
engine that keeps the model's carriers and orders their events with this queue.
Variants are timed alternately in rounds, CPU time of this process, on the same compiled
replications; the least of the rounds is reported (noise only ever adds).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from floor import GOAL_MS, time_queue  # noqa: E402

from sim.engines.fast import POPULATION, kernel_inputs  # noqa: E402
from sim.engines.fast.kernel import (  # noqa: E402
    I_NF,
    I_PEAK,
    I_PUSHES,
    M_IN_INC,
    simulate_kernel,
)
from sim.model.schedule import CALENDAR, ROUND  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402

Compiled = Any  # the kernel's named tuple of arrays (sim/engines/fast/compile.py)
QUEUE_AND_CARRIER = [POPULATION.index("queue"), POPULATION.index("carrier")]


def statuses_off(k: Compiled) -> Compiled:
    """No certificate is ever held: none at the start or on arrival, no rounds, no renewals.

    Shares that exist become 0 rather than disappearing, so each firm draws the same uniforms
    as in the full model and meets the same fate in carriers.
    """
    k = k._replace(**{name: np.where(getattr(k, name) >= 0, 0.0, getattr(k, name))
                      for name in ("s_st_p", "g_st_share", "init_st_share")})
    keep = ~np.isin(k.sched_kind, (ROUND, CALENDAR))
    return k._replace(sched_t=k.sched_t[keep], sched_kind=k.sched_kind[keep],
                      sched_a=k.sched_a[keep], sched_b=k.sched_b[keep])


def outside_off(k: Compiled) -> Compiled:
    """Nothing happens to a firm outside carriers: no competing risk, no exit."""
    return k._replace(out_type=np.zeros_like(k.out_type),
                      exit_rates=np.zeros_like(k.exit_rates), post_rate=0.0)


VARIANTS: dict[str, Callable[[Compiled], Compiled]] = {
    "full model": lambda k: k,
    "statuses off": statuses_off,
    "outside off": outside_off,
    "both off: the carriers only": lambda k: outside_off(statuses_off(k)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=2, help="Chongqing replications (seeds 0..)")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds per variant")
    args = parser.parse_args()
    sc = load_scenario(ROOT / "scenarios" / "chongqing.yaml")
    inputs = [kernel_inputs(sc, seed) for seed in range(args.reps)]
    simulate_kernel(inputs[0].compiled, inputs[0].key, 0)  # compile or load the cache
    compiled = {name: [fn(i.compiled) for i in inputs] for name, fn in VARIANTS.items()}

    ms: dict[str, list[float]] = {name: [] for name in VARIANTS}
    counts: dict[str, np.ndarray] = {}
    in_incubation: dict[str, list[np.ndarray]] = {}
    for _ in range(args.rounds):
        for name in VARIANTS:
            cpu = 0.0
            loops, occupancy = [], []
            for inp, k in zip(inputs, compiled[name], strict=True):
                t0 = time.process_time()
                series, population, _, _, loop = simulate_kernel(k, inp.key, 0)
                cpu += time.process_time() - t0
                loops.append(loop[[I_NF, I_PUSHES, I_PEAK]])
                occupancy.append(population[QUEUE_AND_CARRIER].copy())  # by month
                occupancy.append(series[k.q_metric == M_IN_INC].copy())
            ms[name].append(1000 * cpu / args.reps)
            counts[name] = np.mean(loops, axis=0)
            in_incubation[name] = occupancy

    full = min(ms["full model"])
    print(f"Chongqing, {args.reps} replications (seeds 0-{args.reps - 1}), "
          f"least of {args.rounds} alternated rounds, CPU ms per replication:")
    print(f"  {'variant':<30} {'ms':>7} {'share':>6} {'firms':>9} {'pushed':>9} {'pending':>8}")
    for name in VARIANTS:
        best = min(ms[name])
        firms, pushes, peak = counts[name]
        print(f"  {name:<30} {best:7.1f} {best / full:6.0%} {firms:9,.0f} {pushes:9,.0f} "
              f"{peak:8,.0f}")
    core = "both off: the carriers only"
    same = all(np.array_equal(a, b) for a, b in zip(in_incubation["full model"],
                                                     in_incubation[core], strict=True))
    print("carriers only runs the full model's carrier dynamics (firms queueing and in carriers, "
          f"and every in_incubation query, equal at every month): {'yes' if same else 'NO'}")

    # the carrier part's own events through the kernel's heap, nothing else (as floor.py)
    _, core_pushes, core_peak = counts[core]
    queue_ms = 1000 * time_queue(int(core_pushes), core_peak, inputs[0].compiled.horizon)[0]
    core_ms = min(ms[core])
    print(f"most a restructured kernel could gain with the statuses and the outside free: "
          f"{full / core_ms:.2f}x ({full:.0f} -> {core_ms:.0f} ms; the goal is {GOAL_MS:.0f} ms)")
    print(f"the carrier part's {core_pushes:,.0f} events through the heap alone "
          f"({core_peak:,.0f} pending at most): {queue_ms:.1f} ms, "
          f"{queue_ms / GOAL_MS:.2f}x the {GOAL_MS:.0f} ms goal")


if __name__ == "__main__":
    main()
