"""The fast engine's event heap and free-slot index against plain Python definitions."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.engines.fast import heap as hp
from sim.engines.fast import rooms as rm


def test_heap_pops_by_time_then_insertion_order_and_grows() -> None:
    """Ties are served first scheduled, first served (as SimPy does); capacity grows."""
    rng = np.random.default_rng(0)
    times = rng.integers(0, 50, 500).astype(float)  # many ties
    heap = hp.new_heap(8)
    for i, t in enumerate(times):
        if hp.room(heap) < 1:
            heap = hp.grow(heap, 1)
        hp.push(heap, t, 1, i, 0, 0)
    assert heap[0].size >= times.size
    popped = [hp.pop(heap) for _ in range(times.size)]
    expected = sorted(range(times.size), key=lambda i: (times[i], i))
    assert [p[2] for p in popped] == expected
    assert [p[0] for p in popped] == sorted(times)
    assert hp.first_time(heap) == np.inf


def test_heap_recycles_slots_and_keeps_fields_with_interleaved_pushes_and_pops() -> None:
    """Popped slots are reused (room comes back) and each event keeps its own fields."""
    rng = np.random.default_rng(2)
    heap = hp.new_heap(64)
    pending: list[tuple[float, int]] = []
    seq = 0
    for _ in range(2000):
        if pending and rng.random() < 0.5:
            t, kind, a, b, e = hp.pop(heap)
            pending.sort()
            assert (t, a) == pending.pop(0)
            assert (kind, b, e) == (a % 5, 2 * a, -a)
        elif hp.room(heap) > 0:
            t = float(rng.integers(0, 20))
            hp.push(heap, t, seq % 5, seq, 2 * seq, -seq)
            pending.append((t, seq))
            seq += 1
        assert hp.room(heap) == 64 - len(pending)
        assert hp.first_time(heap) == (min(pending)[0] if pending else np.inf)


def _walk(carriers: list[int], sector_of: np.ndarray, free: np.ndarray, sector: int,
          u: float) -> int:
    """sim.model.incubation.place: walk the carriers until cumulative free slots exceed u*total."""
    fits = [c for c in carriers if (sector_of[c] < 0 or sector_of[c] == sector) and free[c] > 0]
    total = sum(free[c] for c in fits)
    if total <= 0:
        return -1
    acc = 0.0
    for c in fits:
        acc += free[c]
        if u * total < acc:
            return c
    return fits[-1]


def test_room_index_picks_the_carrier_the_reference_walk_picks() -> None:
    """Fenwick trees (and the walk kept for sector-focused stages) against the plain walk."""
    rng = np.random.default_rng(1)
    C = 40
    stage = rng.integers(0, 3, C)
    sector_of = np.where(stage == 2, rng.integers(-1, 3, C), -1)  # stage 2 has focused ones
    slots = rng.integers(1, 30, C)
    order = np.argsort(stage, kind="stable")
    ptr = np.searchsorted(stage[order], np.arange(4))
    rooms = rm.new_rooms(ptr.astype(np.int64), order.astype(np.int64),
                         sector_of.astype(np.int64), slots.astype(np.int64))
    is_open = rng.random(C) < 0.8
    occupied = np.zeros(C, np.int64)
    for c in range(C):
        rm.update(rooms, c, bool(is_open[c]), 0)
    for _ in range(3000):
        c = int(rng.integers(C))
        occupied[c] = rng.integers(0, slots[c] + 1)
        rm.update(rooms, c, bool(is_open[c]), int(occupied[c]))
        free = np.where(is_open, slots - occupied, 0)
        st, sec, u = int(rng.integers(3)), int(rng.integers(3)), float(rng.random())
        carriers = [int(x) for x in order[ptr[st]:ptr[st + 1]]]
        assert rm.pick(rooms, st, sec, u) == _walk(carriers, sector_of, free, sec, u)


def _compiled(scenario: str, seed: int) -> tuple[Any, np.uint64, list[Any], np.ndarray]:
    """Replication ``seed`` of a shipped scenario, prepared for the kernel as
    sim.engines.fast.simulate does: (compiled arrays, replication key, queries, record times)."""
    from sim.engines.fast import kernel_inputs
    from sim.scenario import load_scenario
    from tests.test_fast_engine import ROOT

    inputs = kernel_inputs(load_scenario(ROOT / "scenarios" / f"{scenario}.yaml"), seed)
    return inputs.compiled, inputs.key, inputs.queries, inputs.times


def test_kernel_outgrowing_its_heap_resumes_where_it_stopped() -> None:
    """A tiny initial heap forces the event loop to hand back, grow and resume many times;
    every output is the same as with the default heap, bit for bit."""
    from sim.engines.fast.kernel import I_DRAWS, I_GROWN, I_NF, I_PEAK, I_PUSHES, simulate_kernel

    k, key, _, _ = _compiled("ezhou", 3)
    outputs = [simulate_kernel(k, key, capacity) for capacity in (0, 2)]
    (series, population, flows, cohort, loop), (series2, population2, flows2, cohort2,
                                                 loop2) = outputs
    assert loop[I_GROWN] == 0 and loop2[I_GROWN] >= 5  # grown several times along the run
    # the work counted for benchmarks/floor.py is the same work, however often the heap grew
    for i in (I_NF, I_DRAWS, I_PUSHES, I_PEAK):
        assert loop[i] == loop2[i]
    assert 0 < loop[I_PEAK] < loop[I_PUSHES] and loop[I_DRAWS] > loop[I_NF] > 0
    for a, b in [(series, series2), (population, population2), (flows, flows2),
                 *zip(cohort, cohort2, strict=True)]:
        assert np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def test_running_tallies_equal_a_recount_of_the_firms_at_the_last_record() -> None:
    """The monthly records read tallies the event loop keeps up to date (firms by location,
    the firm-query histogram, the ever-incubated tech firms) instead of scanning the firms.

    At the last record (the horizon, after which nothing happens) they must equal a count over
    the kernel's end-of-run per-firm arrays: a change of location, stage or certificate that
    forgot to update a tally shows up here.
    """
    from sim.engines.fast.kernel import CARRIER, OUTSIDE, QUEUE, simulate_kernel

    k, key, queries, times = _compiled("beibei", 3)  # statuses, sectors, all stages
    assert times[-1] == k.horizon
    series, population, _, cohort, _ = simulate_kernel(k, key, 0)
    _, _, stage, first_car, first_tech, _, loc, _, _, _, _ = cohort
    by_key = {q.key: series[i, -1] for i, q in enumerate(queries)}

    assert population[0, -1] == loc.size
    assert np.array_equal(population[1:, -1], np.bincount(loc, minlength=6)[:5])
    in_region = (loc == QUEUE) | (loc == CARRIER) | (loc == OUTSIDE)
    assert by_key["firms"] == np.sum(in_region & (stage > 0)) > 0
    incubated_tech = ~np.isnan(first_car) & ~np.isnan(first_tech)
    assert by_key["tech_firms_incubated_cum"] == incubated_tech.sum() > 0
