"""The compiled replication: the rules of sim/model/*, event by event, in numba.

Read side by side with docs/model.md; each block names the reference module it mirrors. The
scenario arrives flattened by sim/engines/fast/compile.py as the named tuple ``k``; calendar
events (arrivals, rounds, 1 January renewals, evaluations, openings, records) arrive
pre-sorted in ``k.sched_*``; events a firm schedules for itself go on the heap.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.engines.fast.heap import COUNTER as HEAP_COUNTER
from sim.engines.fast.heap import USED as HEAP_USED
from sim.engines.fast.heap import first_time, grow, new_heap, room
from sim.engines.fast.heap import pop as heap_pop
from sim.engines.fast.heap import push as heap_push
from sim.engines.fast.jit import NO_REFCOUNTS
from sim.engines.fast.rooms import new_rooms
from sim.engines.fast.rooms import pick as pick_room
from sim.engines.fast.rooms import update as update_rooms
from sim.model.draws import (
    capability_uniform,
    designation_code,
    draw,
    evaluation_uniform,
    firm_key,
    promotion_code,
    status_key,
)
from sim.model.entered import count_entered
from sim.model.hazards import (
    IN_BAD,
    IN_GOOD,
    IN_MAX,
    OUT_GOOD,
    OUT_RELOCATE,
    carrier_fate,
    outside_fate,
    stationary_occupant,
)
from sim.model.schedule import (
    ARRIVAL,
    CALENDAR,
    CREATE_INITIAL,
    CREATE_STOCK,
    DELISTING,
    DESIGNATION,
    OPEN,
    PROMOTION,
    RECORD,
    ROUND,
)
from sim.model.status_rules import (
    ISSUED_SPREAD,
    YEARS,
    baseline_start,
    certificate_end,
    round_probability,
    rounds_until,
)
from sim.model.tables import pick as pick_category
from sim.model.tables import ppf

# locations (sim.model.state)
QUEUE, CARRIER, OUTSIDE, EXITED, RELOCATED, UNBORN = 0, 1, 2, 3, 4, 5
# heap kinds (a popped heap event's kind is HEAP_BASE + its heap kind, apart from the
# calendar's kinds)
H_FIRM, H_PATIENCE, H_GRANT, H_EXPIRE, H_REREVIEW = range(5)
HEAP_BASE = 100
# metric codes (sim.registry order)
M_AREA, M_CARRIERS, M_IN_INC, M_ENTRIES, M_GRADS, M_TECH_INC, M_TECH, M_HNTE = range(8)
M_HNTE_INC, M_STATUS, M_FIRMS, M_MENTORS, M_STAFF, M_SPEND, M_TECH_REG, M_ENTERED = range(8, 16)
FIRM_METRICS = (M_TECH_INC, M_TECH, M_HNTE, M_HNTE_INC, M_STATUS, M_FIRMS, M_TECH_REG)
# counted flows (sim.model.state.flow_names): firm flows, then 5 per status
F_ARRIVALS, F_PLACED, F_REFUSED, F_GRADUATED, F_CLOSED_IN, F_CLOSED_OUT, F_RELOCATED = range(7)
N_FIRM_FLOWS = 7
G_GRANTED, G_RENEWED, G_LAPSED, G_LOST, G_BROUGHT = range(5)
MOVE_PLACED, MOVE_RELOCATE, MOVE_NO_ROOM, MOVE_OUTSIDE = range(4)
# rows of the per-firm state arrays: fi (integers) and ff (floats, NaN = not yet / never)
# (BIN: the firm's bin in the running histogram of the firm queries, -1 once it has left;
# TALLIED: bit 0/1 set once it counts among the ever-incubated tech firms / HNTEs)
STAGE, SECTOR, LOC, CAR, EPOCH, BIN, TALLIED = range(7)
N_INT_FIELDS = 7
QUAL, INC, ENTER, LEFT, GONE, FIRST_CAR, FIRST_TECH, HNTE_OBT = range(8)
N_FLOAT_FIELDS = 8
TINY = 1e-12
# loop state kept across calls of _event_loop (it returns when the heap needs room), then
# counts of the work done, for benchmarks/floor.py: keyed uniforms the firms drew, events
# pushed on the queue, and the most events it held at once
I_SI, I_NF, I_ALIVE, I_TEN, I_EXITS, I_NEED, I_GROWN, I_DRAWS, I_PUSHES, I_PEAK = range(10)
F_NOW, F_SPEND, F_LAST_RECORD = range(3)
LOOP_DONE, LOOP_GROW = 0, 1


@njit(cache=True, inline="always")
def _holds(valid: np.ndarray, f: int, holders_mask: int) -> bool:
    s = 0
    m = holders_mask
    while m:
        if m & 1 and not math.isnan(valid[f, s]):
            return True
        m >>= 1
        s += 1
    return False


@njit(cache=True)
def simulate_kernel(k, rep_key, heap_capacity):
    """Run one replication.

    ``heap_capacity`` is the event heap's initial size (<= 0: four events per firm, which is
    rarely outgrown; tests pass a tiny one to exercise the growth path).

    Returns (series[Q, T], population[6, T], flows[F, T], cohort, loop_state), where cohort
    holds the per-firm and per-carrier arrays sim/engines/fast/__init__.py reduces to the
    reference engine's cohort statistics, and loop_state the event loop's counters (I_*; e.g.
    how often the heap grew).
    """
    S = k.st_p_round.size
    C = k.c_kind.size
    T = k.rec_t.size
    Q = k.q_metric.size
    n_init = int(k.c_inc0.sum())
    n_stock = int(k.g_count.sum())
    N = n_init + n_stock + k.a_time.size

    # ---------------------------------------------------------------- state (sim.model.state)
    # per-firm state, one row per field (rows named at the top of this module): two arrays
    # instead of thirteen, so that helpers take few arguments
    fi = np.zeros((N_INT_FIELDS, N), np.int64)
    fi[LOC] = UNBORN
    fi[CAR] = -1
    fi[BIN] = -1
    ff = np.full((N_FLOAT_FIELDS, N), np.nan)
    ff[QUAL] = 1.0
    ff[ENTER] = 0.0
    flows = np.zeros(N_FIRM_FLOWS + 5 * S, np.int64)
    tenures = np.empty(3 * N + 16)
    valid = np.full((N, S), np.nan)
    serial = np.zeros((N, S), np.int64)
    pending = np.zeros((N, S), np.bool_)
    countdown = np.zeros((N, S), np.int64)
    life_key = np.zeros(N, np.uint64)
    life_n = np.zeros(N, np.int64)
    stat_key = np.zeros(N * S, np.uint64)
    stat_n = np.zeros(N * S, np.int64)
    # firms still in the region (queue, carrier or outside), in creation order: the scans at
    # rounds and renewals visit these only. A firm that leaves is dropped at the next scan.
    alive = np.empty(N, np.int64)
    # running tallies the monthly records read instead of scanning the firms, each kept up to
    # date where a firm changes (sim.metrics firm queries, population by location):
    # firms in the region by (stage, sector, statuses held); firms ever incubated, by sector,
    # that registered as tech firms / obtained an HNTE; firms by location
    n_sec = k.n_sectors
    hist = np.zeros(3 * n_sec * (1 << S), np.int64)
    inc_counts = np.zeros((3, max(n_sec, 2)), np.int64)  # row 2: first registrations
    # at the start [2, 0] and after it [2, 1] (the registered-cumulative metric)
    loc_count = np.zeros(6, np.int64)
    loc_count[UNBORN] = N

    c_open = np.zeros(C, np.bool_)
    c_occ = np.zeros((C, 3), np.int64)
    c_grads = k.c_grads0.copy()
    c_entries = k.c_entries0.copy()
    c_level = k.c_level.copy()
    c_tags = k.c_tags.copy()
    c_opened = k.c_opened_real.copy()
    c_marks = np.zeros((Q, C), np.int8)  # carriers_entered_cum (sim.model.entered)

    q_buf = np.zeros((3, N + 1), np.int64)
    q_ep = np.zeros((3, N + 1), np.int64)
    q_head = np.zeros(3, np.int64)
    q_tail = np.zeros(3, np.int64)

    heap = new_heap(heap_capacity if heap_capacity > 0 else max(1024, 4 * N))
    series = np.zeros((Q, T))
    population = np.zeros((6, T))
    flow_series = np.zeros((N_FIRM_FLOWS + 5 * S, T))
    # scratch for the event loop, which cannot allocate
    scratch = (np.zeros(6), np.zeros(C, np.int64), np.empty(C), np.empty(C, np.int64),
               np.zeros(C, np.bool_))

    # ---------------------------------------------------------------- setup: carriers open
    rooms = new_rooms(k.stage_ptr, k.stage_carriers, k.c_sector, k.c_slots)
    for c in range(C):
        if k.c_open_at[c] <= 0.0:
            c_open[c] = True
            update_rooms(rooms, c, True, 0)

    firms = (fi, ff, valid, serial, pending, countdown, life_key, life_n, stat_key, stat_n,
             alive)
    tallies = (hist, inc_counts, loc_count)
    carriers = (c_open, c_occ, c_grads, c_entries, c_level, c_tags, c_opened, c_marks)
    queue = (q_buf, q_ep, q_head, q_tail)
    out = (series, population, flow_series, flows, tenures)
    ist = np.zeros(10, np.int64)
    fst = np.zeros(3)
    while _event_loop(k, rep_key, firms, tallies, carriers, queue, out, scratch, heap, rooms,
                      ist, fst) == LOOP_GROW:
        heap = grow(heap, ist[I_NEED])
        ist[I_GROWN] += 1
    n_f = ist[I_NF]
    ist[I_DRAWS] = life_n[:n_f].sum() + stat_n.sum()
    ist[I_PUSHES] = heap[3][HEAP_COUNTER]
    ist[I_PEAK] = heap[3][HEAP_USED]
    n_ten = ist[I_TEN]
    carrier_exits = ist[I_EXITS]
    cohort = (tenures[:n_ten].copy(), carrier_exits, fi[STAGE, :n_f].copy(),
              ff[FIRST_CAR, :n_f].copy(), ff[FIRST_TECH, :n_f].copy(), ff[INC, :n_f].copy(),
              fi[LOC, :n_f].copy(), ff[GONE, :n_f].copy(), c_open, c_occ, life_n[:n_f].copy())
    return series, population, flow_series, cohort, ist


@njit(**NO_REFCOUNTS)
def _event_loop(k, rep_key, firms, tallies, carriers, queue, out, scratch, heap, rooms, ist,
                fst):
    """Process the pre-sorted schedule and the heap in time order until the horizon.

    Compiled without numba's reference counting: every array it touches was allocated by
    simulate_kernel, so none is created or freed here, and the atomic reference counts that
    numba otherwise adds around each helper's array arguments (about a third of the run time)
    disappear. For the same reason it cannot grow the heap: before an event it checks that
    the heap has room for every push the event can make, and if not it saves its place in
    ``ist``/``fst`` and returns LOOP_GROW; simulate_kernel grows the heap and calls again.
    """
    (fi, ff, valid, serial, pending, countdown, life_key, life_n, stat_key, stat_n,
     alive) = firms
    hist, inc_counts, loc_count = tallies
    c_open, c_occ, c_grads, c_entries, c_level, c_tags, c_opened, c_marks = carriers
    q_buf, q_ep, q_head, q_tail = queue
    series, population, flow_series, flows, tenures = out
    ua6, tech_held, win_u, win_c, matched = scratch
    tabs = k.tabs
    # Small tuples of what each hot helper reads (fewer names to pass around).
    ks = (k.st_validity, k.st_years, k.jan1)
    kf = (k.tech_id, k.hnte_id, k.st_holders)
    n_sec = k.n_sectors
    kin = (k.in_type, k.in_rate, k.in_tab, k.in_prob, k.max_stay_tab, k.horizon)
    kout = (k.out_type, k.out_rate, k.out_tab, k.out_prob, k.horizon, k.post_window, k.post_rate,
            k.exit_ages, k.exit_rates)
    kcar = (k.c_stage, k.c_slots, k.c_sector, k.p_seek_next, k.p_relocate)
    S = k.st_p_round.size
    C = k.c_kind.size
    Q = k.q_metric.size
    horizon = k.horizon
    entries0 = 0
    for c in range(C):
        for j in range(3):
            entries0 += k.c_entries0[c, j]
    max_slots = 0
    for c in range(C):
        max_slots = max(max_slots, k.c_slots[c])
    # pushes one event can make at most, besides those of the firms it creates: a grant or
    # renewal per firm in the region (rounds, 1 January), a re-review per carrier (delisting),
    # or an entry per free slot plus the firm's own next events
    pushes = C + max_slots + 2 * S + 8

    si = ist[I_SI]
    n_f = ist[I_NF]
    n_alive = ist[I_ALIVE]
    n_ten = ist[I_TEN]
    carrier_exits = ist[I_EXITS]
    now = fst[F_NOW]
    spend = fst[F_SPEND]
    last_record_t = fst[F_LAST_RECORD]
    n_sched = k.sched_t.size
    status = LOOP_DONE
    # setup actions are encoded as the first scheduled events at t = 0 (initial incubatees,
    # stock), see compile.py; everything else follows.
    while True:
        t_s = k.sched_t[si] if si < n_sched else np.inf
        # the heap's earliest event goes first if it comes strictly before the next scheduled
        # one (ties go to the schedule); nothing left (both inf) is past the horizon too
        t_h = first_time(heap)
        from_heap = t_h < t_s
        if min(t_h, t_s) > horizon + 1e-9:
            break
        need = pushes + n_alive
        if not from_heap:
            if k.sched_kind[si] == CREATE_INITIAL:
                need += (S + 2) * k.c_inc0[k.sched_a[si]]
            elif k.sched_kind[si] == CREATE_STOCK:
                need += (S + 2) * k.g_count[k.sched_a[si]]
        if room(heap) < need:  # save our place (below) and let the caller grow the heap
            ist[I_NEED] = need
            status = LOOP_GROW
            break
        if from_heap:
            t_ev, hk, ea, eb, ee = heap_pop(heap)
            kind = HEAP_BASE + hk
        else:
            t_ev = t_s
            kind = k.sched_kind[si]
            ea = k.sched_a[si]
            eb = k.sched_b[si]
            ee = 0
            si += 1
        now = t_ev

        # ================================================================== create a firm
        create = -1  # origin code: 0 initial incubatee, 1 stock, 2 arrival
        if kind == ARRIVAL:
            create = 2
        elif kind == CREATE_INITIAL:  # initial incubatees of carrier ea
            create = 0
        elif kind == CREATE_STOCK:  # stock group ea
            create = 1
        if create >= 0:
            count = 1
            if create == 0:
                count = k.c_inc0[ea]
            elif create == 1:
                count = k.g_count[ea]
            for idx in range(count):
                f = n_f
                n_f += 1
                alive[n_alive] = f
                n_alive += 1
                if create == 0:
                    okey = k.c_key[ea]
                    index = idx
                elif create == 1:
                    okey = k.g_key[ea]
                    index = idx
                else:
                    okey = k.s_key[k.a_src[ea]]
                    index = k.a_index[ea]
                life_key[f] = firm_key(rep_key, okey, np.uint64(index))
                for s in range(S):
                    stat_key[f * S + s] = status_key(life_key[f], s)
                _set_loc(fi, loc_count, f, OUTSIDE)
                tenure = 0.0
                fate = -1
                years_left = 0.0
                if create == 0:
                    st = k.c_stage[ea]
                    u_sector = draw(life_key, life_n, f)
                    u_age = draw(life_key, life_n, f)
                    fi[STAGE, f] = st
                    fi[SECTOR, f] = k.c_sector[ea] if k.c_sector[ea] >= 0 else pick_category(
                        k.init_sector_cdf, u_sector)
                    if k.init_tenure_tab >= 0:
                        ff[QUAL, f] = ppf(tabs, k.quality_tab, draw(life_key, life_n, f))
                        tenure = ppf(tabs, k.init_tenure_tab, draw(life_key, life_n, f))
                    else:
                        ff[QUAL, f], fate, years_left, tenure = stationary_occupant(
                            k.in_type, k.in_rate, k.in_tab, k.in_prob, k.max_stay_tab, tabs,
                            k.quality_tab, st, life_key, life_n, f)
                    if st != 0:
                        age = max(ppf(tabs, k.init_age_tab, u_age), tenure / 12.0)
                        ff[INC, f] = -age
                    shares = k.init_st_share
                    issued = k.init_st_issued
                    growth = k.init_st_growth
                    row = 0
                elif create == 1:
                    u0 = draw(life_key, life_n, f)
                    u1 = draw(life_key, life_n, f)
                    u2 = draw(life_key, life_n, f)
                    fi[STAGE, f] = k.g_stage[ea]
                    fi[SECTOR, f] = pick_category(k.g_sector_cdf[ea], u0)
                    ff[QUAL, f] = ppf(tabs, k.quality_tab, u1)
                    ff[INC, f] = -ppf(tabs, k.g_age_tab[ea], u2)
                    shares = k.g_st_share
                    issued = k.g_st_issued
                    growth = k.g_st_growth
                    row = ea
                else:
                    src = k.a_src[ea]
                    for j in range(6):
                        ua6[j] = draw(life_key, life_n, f)
                    st = pick_category(k.s_stage_cdf[src], ua6[0])
                    fi[STAGE, f] = st
                    fi[SECTOR, f] = pick_category(k.s_sector_cdf[src], ua6[1])
                    ff[QUAL, f] = ppf(tabs, k.quality_tab, ua6[2])
                    if st != 0:
                        age = ppf(tabs, k.s_age_tab[src], ua6[3]) if k.s_age_tab[src] >= 0 else 0.0
                        ff[INC, f] = now - age
                    shares = k.s_st_p
                    issued = k.s_st_issued
                    growth = k.s_st_growth
                    row = src
                # baseline / arrival certificates (sim.model.statuses.give_at_*)
                for s in range(S):
                    if create == 2:
                        if shares[row, s] < 0:
                            continue
                        uh = draw(life_key, life_n, f)
                        ud = 0.0
                    else:
                        if shares[row, s] < 0:
                            continue
                        uh = draw(life_key, life_n, f)
                        ud = draw(life_key, life_n, f)
                    if uh >= shares[row, s] or math.isnan(ff[INC, f]):
                        continue
                    if create == 2:
                        flows[N_FIRM_FLOWS + 5 * s + G_BROUGHT] += 1
                    start = now
                    if (create != 2 and issued[row, s] == ISSUED_SPREAD
                            and k.st_validity[s] == YEARS):
                        start = baseline_start(ud, k.st_years[s], growth[row, s])
                    _issue(ks, heap, valid, serial, f, s, start)
                # firsts
                if k.tech_id >= 0 and _holds(valid, f, k.st_holders[k.tech_id]):
                    ff[FIRST_TECH, f] = now
                    inc_counts[2, 1 if now > 0 else 0] += 1
                # place the firm
                if create == 0:
                    c = ea
                    _set_loc(fi, loc_count, f, CARRIER)
                    fi[CAR, f] = c
                    fi[EPOCH, f] += 1
                    ff[ENTER, f] = now - tenure / 12.0
                    ff[FIRST_CAR, f] = now
                    c_occ[c, fi[STAGE, f]] += 1
                    update_rooms(rooms, c, c_open[c], c_occ[c, 0] + c_occ[c, 1] + c_occ[c, 2])
                    if k.init_tenure_tab >= 0:
                        _enter_risks(kin, tabs, f, tenure, fi, ff, life_key, life_n, heap, now)
                    elif years_left < np.inf and now + years_left <= horizon + 1e-9:
                        heap_push(heap, now + years_left, H_FIRM, f, fate, fi[EPOCH, f])
                elif create == 1:
                    _outside(kout, tabs, f, fi, ff, life_key, life_n, heap, now, loc_count)
                else:
                    flows[F_ARRIVALS] += 1
                    src = k.a_src[ea]
                    patience = ppf(tabs, k.patience_tab, ua6[5])
                    if ua6[4] < k.s_seek[src]:
                        up = draw(life_key, life_n, f)
                        c = pick_room(rooms, fi[STAGE, f], fi[SECTOR, f], up)
                        if c >= 0:
                            _enter(kin, tabs, f, c, fi, ff, c_occ, c_entries, life_key, life_n,
                                   heap, now, rooms, tallies)
                        else:
                            st = fi[STAGE, f]
                            _set_loc(fi, loc_count, f, QUEUE)
                            fi[EPOCH, f] += 1
                            q_buf[st, q_tail[st]] = f
                            q_ep[st, q_tail[st]] = fi[EPOCH, f]
                            q_tail[st] += 1
                            heap_push(heap, now + patience / 12.0, H_PATIENCE, f, 0, fi[EPOCH, f])
                    else:
                        _outside(kout, tabs, f, fi, ff, life_key, life_n, heap, now, loc_count)
                _rebin(kf, f, fi, valid, hist, n_sec)
                _tally_incubated(f, fi, ff, inc_counts)
            continue

        # ============================================================ carrier opens (pipeline)
        if kind == OPEN:
            c = ea
            c_open[c] = True
            c_opened[c] = now
            update_rooms(rooms, c, True, c_occ[c, 0] + c_occ[c, 1] + c_occ[c, 2])
            _serve(kin, kcar, tabs, c, q_buf, q_ep, q_head, q_tail, fi, ff, c_occ, c_entries,
                   life_key, life_n, heap, now, c_open, rooms, tallies)
            continue

        # ======================================================================= records
        if kind == RECORD:
            ti = ea
            incub = 0
            for c in range(C):
                if c_open[c]:
                    incub += c_occ[c, 0] + c_occ[c, 1] + c_occ[c, 2]
            spend += (k.spend_fixed + k.spend_per100 * incub / 100.0) * (now - last_record_t)
            last_record_t = now
            for qi in range(Q):
                if k.q_metric[qi] in FIRM_METRICS:
                    continue
                if k.q_metric[qi] == M_ENTERED:
                    for c in range(C):
                        matched[c] = c_open[c] and _matches(k, qi, c, c_level, c_tags)
                    series[qi, ti] = count_entered(matched, c_marks, qi, ti == 0)
                    continue
                series[qi, ti] = _evaluate(k, qi, C, c_open, c_occ, c_entries, c_grads,
                                           c_level, c_tags, spend)
            _firm_queries(k, ti, series, hist, inc_counts)
            population[0, ti] = n_f
            for j in range(flows.size):
                flow_series[j, ti] = flows[j]
            placed = -entries0
            for c in range(C):
                for j in range(3):
                    placed += c_entries[c, j]
            flow_series[F_PLACED, ti] = placed
            for loc in range(UNBORN):
                population[1 + loc, ti] = loc_count[loc]
            continue

        # ======================================================================= rounds
        if kind == ROUND:
            s = ea
            n_alive = _compact(alive, n_alive, fi)
            for j in range(n_alive):
                f = alive[j]
                if pending[f, s]:
                    continue
                if not ((k.st_stage_mask[s] >> fi[STAGE, f]) & 1):
                    continue
                if math.isnan(ff[INC, f]) or now - ff[INC, f] < k.st_min_age[s]:
                    continue
                if _holds(valid, f, k.st_holders[s]):
                    continue
                if (k.st_p_capable[s] < 1.0
                        and capability_uniform(stat_key[f * S + s]) >= k.st_p_capable[s]):
                    continue
                ok = True
                m = k.st_requires[s]
                r = 0
                while m:
                    if m & 1 and not _holds(valid, f, k.st_holders[r]):
                        ok = False
                        break
                    m >>= 1
                    r += 1
                if not ok or (k.st_in_carrier[s] and fi[LOC, f] != CARRIER):
                    continue
                row = f * S + s
                if countdown[f, s] == 0:
                    p = round_probability(k.st_p_round[s], ff[QUAL, f], k.st_qscaled[s])
                    countdown[f, s] = rounds_until(draw(stat_key, stat_n, row), p)
                countdown[f, s] -= 1
                if countdown[f, s] == 0:
                    u_s = draw(stat_key, stat_n, row)
                    u_d = draw(stat_key, stat_n, row)
                    if u_s < k.st_p_success[s]:
                        pending[f, s] = True
                        months = ppf(tabs, k.st_delay_tab[s], u_d)
                        heap_push(heap, now + months / 12.0, H_GRANT, f, s, 0)
            continue

        # ================================================= 1 January: calendar-year renewals
        if kind == CALENDAR:
            s = ea
            n_alive = _compact(alive, n_alive, fi)
            for j in range(n_alive):
                f = alive[j]
                if math.isnan(valid[f, s]) or valid[f, s] > now + 1e-9:
                    continue
                _expire(ks, heap, valid, serial, stat_key, stat_n, flows, fi, ff, f, s,
                        k.st_p_renew[s], now)
                _rebin(kf, f, fi, valid, hist, n_sec)
            continue

        # ================================================================ promotions
        if kind == PROMOTION:
            rule = ea
            tech_held[:] = 0
            if k.pr_share[rule] >= 0 and k.tech_id >= 0:
                n_alive = _compact(alive, n_alive, fi)
                for j in range(n_alive):
                    f = alive[j]
                    if fi[LOC, f] == CARRIER and not math.isnan(valid[f, k.tech_id]):
                        tech_held[fi[CAR, f]] += 1
            for c in range(C):
                if not c_open[c]:
                    continue
                u = evaluation_uniform(rep_key, k.c_eval_key[c], promotion_code(rule, eb))
                if not ((k.pr_kinds[rule] >> k.c_kind[c]) & 1):
                    continue
                if not ((k.pr_from[rule] >> c_level[c]) & 1):
                    continue
                occ = c_occ[c, 0] + c_occ[c, 1] + c_occ[c, 2]
                if now - c_opened[c] < k.pr_years[rule] or k.c_area[c] < k.pr_area[rule]:
                    continue
                if occ < k.pr_inc[rule]:
                    continue
                if k.pr_grads[rule] >= 0 and c_grads[c] < k.pr_grads[rule]:
                    continue
                if k.pr_share[rule] >= 0:
                    share = tech_held[c] / occ if occ > 0 else 0.0
                    if share < k.pr_share[rule]:
                        continue
                if u < k.pr_p[rule]:
                    c_level[c] = k.pr_to[rule]
            continue

        # ================================================================== delisting
        if kind == DELISTING:
            for c in range(C):
                if not c_open[c] or not ((k.dl_levels >> c_level[c]) & 1):
                    continue
                occ = c_occ[c, 0] + c_occ[c, 1] + c_occ[c, 2]
                rate = occ / k.c_slots[c] if k.c_slots[c] > 0 else 0.0
                if rate < k.dl_occ:
                    heap_push(heap, now + k.dl_rereview, H_REREVIEW, c, 0, 0)
            continue

        # =============================================================== designations
        if kind == DESIGNATION:
            rule = ea
            nwin = 0
            for c in range(C):
                if not c_open[c]:
                    continue
                u = evaluation_uniform(rep_key, k.c_eval_key[c], designation_code(rule, eb))
                if (c_tags[c] >> k.ds_tag[rule]) & 1 or not ((k.ds_kinds[rule] >> k.c_kind[c]) & 1):
                    continue
                if k.ds_level_min[rule] >= 0 and c_level[c] < k.ds_level_min[rule]:
                    continue
                occ = c_occ[c, 0] + c_occ[c, 1] + c_occ[c, 2]
                if k.c_area[c] < k.ds_area[rule] or occ < k.ds_inc[rule]:
                    continue
                if k.ds_grads[rule] >= 0 and c_grads[c] < k.ds_grads[rule]:
                    continue
                if u < k.ds_p[rule]:
                    win_u[nwin] = u
                    win_c[nwin] = c
                    nwin += 1
            _sort_by_draw(win_u, win_c, nwin)
            limit = nwin if k.ds_max[rule] < 0 else min(nwin, k.ds_max[rule])
            for j in range(limit):
                c_tags[win_c[j]] |= (1 << k.ds_tag[rule])
            continue

        # ============================================================== heap: re-review
        if kind == HEAP_BASE + H_REREVIEW:
            c = ea
            occ = c_occ[c, 0] + c_occ[c, 1] + c_occ[c, 2]
            rate = occ / k.c_slots[c] if k.c_slots[c] > 0 else 0.0
            if (k.dl_levels >> c_level[c]) & 1 and rate < k.dl_occ:
                c_level[c] = k.dl_demote
            continue

        # ============================================================== heap: grant
        if kind == HEAP_BASE + H_GRANT:
            f = ea
            s = eb
            if not pending[f, s] or fi[LOC, f] > OUTSIDE:
                continue
            pending[f, s] = False
            flows[N_FIRM_FLOWS + 5 * s + G_GRANTED] += 1
            _issue(ks, heap, valid, serial, f, s, now)
            _firsts(kf, f, s, now, valid, fi, ff, inc_counts)
            _rebin(kf, f, fi, valid, hist, n_sec)
            _tally_incubated(f, fi, ff, inc_counts)
            continue

        # ============================================================== heap: expiry
        if kind == HEAP_BASE + H_EXPIRE:
            f = ea
            s = eb
            if serial[f, s] != ee or math.isnan(valid[f, s]):
                continue
            _expire(ks, heap, valid, serial, stat_key, stat_n, flows, fi, ff, f, s,
                    k.st_p_renew[s], now)
            _rebin(kf, f, fi, valid, hist, n_sec)
            continue

        # ============================================================== heap: patience
        if kind == HEAP_BASE + H_PATIENCE:
            f = ea
            if fi[EPOCH, f] != ee or fi[LOC, f] != QUEUE:
                continue
            flows[F_REFUSED] += 1
            _outside(kout, tabs, f, fi, ff, life_key, life_n, heap, now, loc_count)
            continue

        # ============================================================== heap: firm event
        if kind == HEAP_BASE + H_FIRM:
            f = ea
            what = eb
            if fi[EPOCH, f] != ee:
                continue
            if what <= IN_MAX:  # leaving a carrier (sim.model.incubation._leave_for)
                c = fi[CAR, f]
                st = fi[STAGE, f]
                c_occ[c, st] -= 1
                update_rooms(rooms, c, c_open[c], c_occ[c, 0] + c_occ[c, 1] + c_occ[c, 2])
                fi[CAR, f] = -1
                ff[LEFT, f] = now
                fi[EPOCH, f] += 1
                carrier_exits += 1
                if what == IN_GOOD:
                    c_grads[c] += 1
                    flows[F_GRADUATED] += 1
                    tenures[n_ten] = now - ff[ENTER, f]
                    n_ten += 1
                if what == IN_GOOD and st <= 1:  # incorporated team or graduated start-up
                    if st == 0:
                        fi[STAGE, f] = 1
                        ff[INC, f] = now
                    else:
                        fi[STAGE, f] = 2
                    moved = _move_on(kin, kout, kcar, tabs, f, fi, ff, c_occ, c_entries, life_key,
                                     life_n, heap, now, rooms, tallies)
                    if moved != MOVE_PLACED and moved != MOVE_OUTSIDE:
                        flows[F_REFUSED] += 1
                    if moved == MOVE_RELOCATE:
                        flows[F_RELOCATED] += 1
                        _leave_region(f, RELOCATED, fi, ff, valid, pending, flows, now, loc_count)
                elif what == IN_BAD:
                    flows[F_CLOSED_IN] += 1
                    _leave_region(f, EXITED, fi, ff, valid, pending, flows, now, loc_count)
                else:
                    _outside(kout, tabs, f, fi, ff, life_key, life_n, heap, now, loc_count)
                if q_head[k.c_stage[c]] < q_tail[k.c_stage[c]]:  # anyone waiting for this stage
                    _serve(kin, kcar, tabs, c, q_buf, q_ep, q_head, q_tail, fi, ff, c_occ,
                           c_entries, life_key, life_n, heap, now, c_open, rooms, tallies)
            elif what == OUT_GOOD:  # team incorporates / start-up matures (outside)
                if fi[STAGE, f] == 0:
                    fi[STAGE, f] = 1
                    ff[INC, f] = now
                else:
                    fi[STAGE, f] = 2
                _outside(kout, tabs, f, fi, ff, life_key, life_n, heap, now, loc_count)
            elif what == OUT_RELOCATE:
                flows[F_RELOCATED] += 1
                _leave_region(f, RELOCATED, fi, ff, valid, pending, flows, now, loc_count)
            else:  # OUT_BAD (team dissolves) or OUT_EXIT
                flows[F_CLOSED_OUT] += 1
                _leave_region(f, EXITED, fi, ff, valid, pending, flows, now, loc_count)
            _rebin(kf, f, fi, valid, hist, n_sec)
            continue

    ist[I_SI] = si
    ist[I_NF] = n_f
    ist[I_ALIVE] = n_alive
    ist[I_TEN] = n_ten
    ist[I_EXITS] = carrier_exits
    fst[F_NOW] = now
    fst[F_SPEND] = spend
    fst[F_LAST_RECORD] = last_record_t
    return status


@njit(cache=True, inline="always")
def _issue(ks, heap, valid, serial, f, s, start):
    """A certificate of status s dated ``start`` (sim.model.statuses.issue).

    Calendar-year certificates expire together at the calendar's expiry items; N-year ones get
    their own expiry event; permanent ones never expire.
    """
    validity, years, jan1 = ks
    end = certificate_end(validity[s], years[s], jan1, start)
    valid[f, s] = end
    serial[f, s] += 1
    if validity[s] == YEARS:
        heap_push(heap, end, H_EXPIRE, f, s, serial[f, s])


@njit(cache=True, inline="always")
def _expire(ks, heap, valid, serial, stat_key, stat_n, flows, fi, ff, f, s, p_renew, now):
    """A certificate expires; a holder still in the region renews or lets it lapse.

    sim.model.statuses._expire: N-year expiries and 1 January calendar-year ones alike.
    """
    valid[f, s] = np.nan
    if fi[LOC, f] > OUTSIDE:
        return
    S = valid.shape[1]
    if draw(stat_key, stat_n, f * S + s) < p_renew:
        flows[N_FIRM_FLOWS + 5 * s + G_RENEWED] += 1
        _issue(ks, heap, valid, serial, f, s, now)
    else:
        flows[N_FIRM_FLOWS + 5 * s + G_LAPSED] += 1


@njit(**NO_REFCOUNTS)
def _sort_by_draw(u: np.ndarray, c: np.ndarray, n: int) -> None:
    """Sort the first n (draw, carrier) pairs by draw, in place (insertion sort: n is small)."""
    for i in range(1, n):
        ui, ci = u[i], c[i]
        j = i - 1
        while j >= 0 and u[j] > ui:
            u[j + 1] = u[j]
            c[j + 1] = c[j]
            j -= 1
        u[j + 1] = ui
        c[j + 1] = ci


@njit(cache=True, inline="always")
def _firsts(kf, f, s, now, valid, fi, ff, inc_counts):
    """First tech registration and first HNTE after the start (sim.model.statuses)."""
    tech_id, hnte_id, holders = kf
    if (tech_id >= 0 and math.isnan(ff[FIRST_TECH, f])
            and _holds(valid, f, holders[tech_id])):
        ff[FIRST_TECH, f] = now
        inc_counts[2, 1 if now > 0 else 0] += 1
    if s == hnte_id and math.isnan(ff[HNTE_OBT, f]) and now > 0:
        ff[HNTE_OBT, f] = now


@njit(cache=True, inline="always")
def _leave_region(f, where, fi, ff, valid, pending, flows, now, loc_count):
    """The firm exits or relocates; certificates it holds are lost (sim.model.outside)."""
    _set_loc(fi, loc_count, f, where)
    fi[EPOCH, f] += 1
    ff[GONE, f] = now
    for s in range(valid.shape[1]):
        if not math.isnan(valid[f, s]):
            flows[N_FIRM_FLOWS + 5 * s + G_LOST] += 1
        valid[f, s] = np.nan
        pending[f, s] = False


@njit(cache=True, inline="always")
def _enter_risks(kin, tabs, f, tenure, fi, ff, life_key, life_n, heap, now):
    """Draw the competing risks inside a carrier and schedule the earliest (carrier_fate)."""
    in_type, in_rate, in_tab, in_prob, max_stay_tab, horizon = kin
    what, best = carrier_fate(in_type, in_rate, in_tab, in_prob, max_stay_tab, tabs,
                              fi[STAGE, f], ff[QUAL, f], tenure, life_key, life_n, f)
    if best < np.inf and now + best <= horizon + 1e-9:
        heap_push(heap, now + best, H_FIRM, f, what, fi[EPOCH, f])


@njit(cache=True, inline="always")
def _enter(kin, tabs, f, c, fi, ff, c_occ, c_entries, life_key, life_n, heap, now, rooms,
           tallies):
    _set_loc(fi, tallies[2], f, CARRIER)
    fi[CAR, f] = c
    fi[EPOCH, f] += 1
    ff[ENTER, f] = now
    if math.isnan(ff[FIRST_CAR, f]):
        ff[FIRST_CAR, f] = now
        _tally_incubated(f, fi, ff, tallies[1])
    c_occ[c, fi[STAGE, f]] += 1
    c_entries[c, fi[STAGE, f]] += 1
    update_rooms(rooms, c, True, c_occ[c, 0] + c_occ[c, 1] + c_occ[c, 2])
    _enter_risks(kin, tabs, f, 0.0, fi, ff, life_key, life_n, heap, now)


@njit(cache=True, inline="always")
def _serve(kin, kcar, tabs, c, q_buf, q_ep, q_head, q_tail, fi, ff, c_occ, c_entries, life_key,
           life_n, heap, now, c_open, rooms, tallies):
    """Give free slots of carrier c to the first waiting firms that fit (FIFO)."""
    c_stage, c_slots, c_sector, _, _ = kcar
    st = c_stage[c]
    i = q_head[st]
    while i < q_tail[st]:
        free = c_slots[c] - c_occ[c, 0] - c_occ[c, 1] - c_occ[c, 2]
        if free <= 0:
            break
        f = q_buf[st, i]
        alive = fi[LOC, f] == QUEUE and fi[EPOCH, f] == q_ep[st, i]
        if not alive:
            if i == q_head[st]:
                q_head[st] += 1
            i += 1
            continue
        if c_sector[c] >= 0 and c_sector[c] != fi[SECTOR, f]:
            i += 1
            continue
        q_ep[st, i] = -1  # taken
        if i == q_head[st]:
            q_head[st] += 1
        _enter(kin, tabs, f, c, fi, ff, c_occ, c_entries, life_key, life_n, heap, now, rooms,
               tallies)
        i += 1


@njit(cache=True, inline="always")
def _move_on(kin, kout, kcar, tabs, f, fi, ff, c_occ, c_entries, life_key, life_n, heap, now,
             rooms, tallies):
    """After incorporating or graduating: seek a next-stage slot, else stay or relocate.

    Returns MOVE_PLACED, MOVE_RELOCATE (no room; the caller removes the firm), MOVE_NO_ROOM
    (no room; stays outside) or MOVE_OUTSIDE (did not seek).
    """
    _, _, _, p_seek_next, p_relocate = kcar
    u_seek = draw(life_key, life_n, f)
    u_pick = draw(life_key, life_n, f)
    u_rel = draw(life_key, life_n, f)
    if u_seek < p_seek_next:
        c = pick_room(rooms, fi[STAGE, f], fi[SECTOR, f], u_pick)
        if c >= 0:
            _enter(kin, tabs, f, c, fi, ff, c_occ, c_entries, life_key, life_n, heap, now, rooms,
                   tallies)
            return MOVE_PLACED
        if u_rel < p_relocate:
            return MOVE_RELOCATE
        _outside(kout, tabs, f, fi, ff, life_key, life_n, heap, now, tallies[2])
        return MOVE_NO_ROOM
    _outside(kout, tabs, f, fi, ff, life_key, life_n, heap, now, tallies[2])
    return MOVE_OUTSIDE


@njit(cache=True, inline="always")
def _outside(kout, tabs, f, fi, ff, life_key, life_n, heap, now, loc_count):
    """The firm is (or stays) outside carriers; draw what happens next there (outside_fate).

    sim.model.outside.go_outside.
    """
    _set_loc(fi, loc_count, f, OUTSIDE)
    fi[EPOCH, f] += 1
    what, best = outside_fate(kout[0], kout[1], kout[2], kout[3], tabs, fi[STAGE, f],
                              ff[QUAL, f], now, ff[LEFT, f], ff[INC, f], kout[5], kout[6],
                              kout[7], kout[8], life_key, life_n, f)
    if best < np.inf and now + best <= kout[4] + 1e-9:
        heap_push(heap, now + best, H_FIRM, f, what, fi[EPOCH, f])


@njit(cache=True, inline="always")
def _matches(k, qi, c, c_level, c_tags):
    """Whether carrier c matches query qi's carrier filters now (sim.metrics._carrier_mask)."""
    if k.q_kinds[qi] and not ((k.q_kinds[qi] >> k.c_kind[c]) & 1):
        return False
    if k.q_levels[qi] and not ((k.q_levels[qi] >> c_level[c]) & 1):
        return False
    if k.q_level_min[qi] >= 0 and c_level[c] < k.q_level_min[qi]:
        return False
    if k.q_tag[qi] >= 0 and not ((c_tags[c] >> k.q_tag[qi]) & 1):
        return False
    if k.q_zones[qi] and (k.c_zone[c] < 0 or not ((k.q_zones[qi] >> k.c_zone[c]) & 1)):
        return False
    if k.q_csectors[qi]:
        return k.c_sector[c] >= 0 and ((k.q_csectors[qi] >> k.c_sector[c]) & 1) == 1
    return True


@njit(**NO_REFCOUNTS)
def _evaluate(k, qi, C, c_open, c_occ, c_entries, c_grads, c_level, c_tags, spend):
    """One carrier-level query (or spend) on the current state (sim.metrics.evaluate)."""
    m = k.q_metric[qi]
    if m == M_SPEND:
        return spend
    if m <= M_GRADS or m in (M_MENTORS, M_STAFF):
        total = 0.0
        for c in range(C):
            if not c_open[c] or not _matches(k, qi, c, c_level, c_tags):
                continue
            stg = k.q_stage[qi]
            occ = 0
            ent = 0
            for j in range(3):
                if stg < 0 or stg == j or (stg == 3 and j > 0):
                    occ += c_occ[c, j]
                    ent += c_entries[c, j]
            if m == M_AREA:
                total += k.c_area[c]
            elif m == M_CARRIERS:
                total += 1
            elif m == M_IN_INC:
                total += occ
            elif m == M_ENTRIES:
                total += ent
            elif m == M_GRADS:
                total += c_grads[c]
            elif m == M_MENTORS:
                total += k.service[0] + k.service[1] * (c_occ[c, 0] + c_occ[c, 1]
                                                        + c_occ[c, 2]) / 100.0
            else:
                total += k.service[2] + k.service[3] * (c_occ[c, 0] + c_occ[c, 1]
                                                        + c_occ[c, 2]) / 100.0
        return total
    return 0.0  # firm metrics: _firm_queries


@njit(**NO_REFCOUNTS)
def _compact(alive, n_alive, fi):
    """Drop the firms that left the region from ``alive`` (order kept); returns the new count."""
    kept = 0
    for j in range(n_alive):
        f = alive[j]
        if fi[LOC, f] <= OUTSIDE:
            alive[kept] = f
            kept += 1
    return kept


@njit(cache=True, inline="always")
def _set_loc(fi, loc_count, f, loc):
    """Move firm f to location ``loc``, keeping the count of firms by location."""
    loc_count[fi[LOC, f]] -= 1
    loc_count[loc] += 1
    fi[LOC, f] = loc


@njit(cache=True, inline="always")
def _rebin(kf, f, fi, valid, hist, n_sec):
    """Move firm f to its current bin of the firm-query histogram, or out once it has left.

    Bins are (stage, sector, statuses held). Called wherever a firm's stage, certificates or
    presence in the region may have changed, so that the records read the histogram instead
    of scanning every firm.
    """
    holders = kf[2]
    new = -1
    if fi[LOC, f] <= OUTSIDE:
        S = valid.shape[1]
        held = 0
        for s in range(S):
            if _holds(valid, f, holders[s]):
                held |= 1 << s
        new = (fi[STAGE, f] * n_sec + fi[SECTOR, f]) * (1 << S) + held
    old = fi[BIN, f]
    if new != old:
        if old >= 0:
            hist[old] -= 1
        if new >= 0:
            hist[new] += 1
        fi[BIN, f] = new


@njit(cache=True, inline="always")
def _tally_incubated(f, fi, ff, inc_counts):
    """Count firm f among the ever-incubated tech firms / HNTEs once each condition holds.

    ``inc_counts[0]`` / ``inc_counts[1]``, by sector: firms ever incubated that registered as a
    tech firm / obtained an HNTE. Both conditions only ever become true (first dates are never
    cleared), so a running count equals a scan of every firm ever created.
    """
    if math.isnan(ff[FIRST_CAR, f]):
        return
    done = fi[TALLIED, f]
    if not done & 1 and not math.isnan(ff[FIRST_TECH, f]):
        inc_counts[0, fi[SECTOR, f]] += 1
        done |= 1
    if not done & 2 and not math.isnan(ff[HNTE_OBT, f]):
        inc_counts[1, fi[SECTOR, f]] += 1
        done |= 2
    fi[TALLIED, f] = done


@njit(**NO_REFCOUNTS)
def _firm_queries(k, ti, series, hist, inc_counts):
    """Every firm-level query at one record (sim.metrics.evaluate, firm metrics).

    The firms in the region are counted in a histogram by (stage, sector, statuses held) that
    the event loop keeps up to date (``_rebin``); each query sums the bins it selects, so a
    record costs nothing per firm and does not grow with the number of queries. Firms ever
    incubated count through ``inc_counts`` (``_tally_incubated``), departed ones included.
    """
    S = k.st_p_round.size
    n_sec = k.n_sectors
    n_masks = 1 << S
    inc_tech = inc_counts[0]
    inc_hnte = inc_counts[1]
    for qi in range(k.q_metric.size):
        m = k.q_metric[qi]
        if m not in FIRM_METRICS:
            continue
        sectors = k.q_fsectors[qi]
        total = 0
        if m == M_TECH_REG:
            base = k.tech_registered0 if k.tech_registered0 >= 0 else inc_counts[2, 0]
            series[qi, ti] = base + inc_counts[2, 1]
            continue
        if m in (M_TECH_INC, M_HNTE_INC):
            arr = inc_tech if m == M_TECH_INC else inc_hnte
            for j in range(n_sec):
                if sectors == 0 or (sectors >> j) & 1:
                    total += arr[j]
            series[qi, ti] = total
            continue
        need = k.q_status[qi]
        if need < 0:  # the status is not declared: nobody holds it
            series[qi, ti] = 0.0
            continue
        stg = k.q_stage[qi]
        if m == M_FIRMS and stg < 0:
            stg = 3
        for st in range(3):
            if stg >= 0 and not (stg == st or (stg == 3 and st > 0)):
                continue
            for sec in range(n_sec):
                if sectors and not ((sectors >> sec) & 1):
                    continue
                base = (st * n_sec + sec) * n_masks
                for held in range(n_masks):
                    if m == M_FIRMS or (held & need) == need:
                        total += hist[base + held]
        series[qi, ti] = total
