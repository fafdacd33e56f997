"""The compiled replication: the rules of sim/model/*, event by event, in numba.

Read side by side with docs/model.md; each block names the reference module it mirrors. The
scenario arrives flattened by sim/engines/fast/compile.py as the named tuple ``k``; calendar
events (arrivals, rounds, 1 January renewals, evaluations, openings, records) arrive
pre-sorted in ``k.sched_*``; events a firm schedules for itself go on the heap.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from sim.engines.fast.heap import COUNTER as HEAP_COUNTER
from sim.engines.fast.heap import USED as HEAP_USED
from sim.engines.fast.heap import first_time, grow, new_heap, room
from sim.engines.fast.heap import pop as heap_pop
from sim.engines.fast.heap import push as heap_push
from sim.engines.fast.rooms import new_rooms
from sim.engines.fast.rooms import pick as pick_room
from sim.engines.fast.rooms import update as update_rooms
from sim.jit import INLINED, INTERNAL_NO_REFCOUNTS
from sim.model.carrier_filter import matches
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
# where a created firm comes from (the CREATE_INITIAL, CREATE_STOCK and ARRIVAL items)
ORIGIN_INITIAL, ORIGIN_STOCK, ORIGIN_ARRIVAL = range(3)
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


# ------------------------------------------------------------------ the replication's state
# Allocated by simulate_kernel, read and written by the event loop's handlers through named
# fields (one ``State`` argument instead of some thirty arrays).
FirmState = namedtuple("FirmState", [
    "fi",         # int64 (N_INT_FIELDS, N): per-firm integer rows (STAGE, SECTOR, LOC, ...)
    "ff",         # float64 (N_FLOAT_FIELDS, N): per-firm times and quality (NaN: not yet)
    "valid",      # float64 (N, S): certificate end per status (NaN: not held)
    "serial",     # int64 (N, S): certificate number, to drop stale expiry events
    "pending",    # bool (N, S): an application awaits its grant
    "countdown",  # int64 (N, S): application rounds left before applying (0: draw again)
    "life_key",   # uint64 (N): the firm's stream key (sim.model.draws.firm_key)
    "life_n",     # int64 (N): uniforms the firm has drawn from it
    "stat_key",   # uint64 (N * S): per-firm, per-status stream keys
    "stat_n",     # int64 (N * S): uniforms drawn from each
    "alive",      # int64 (N): firms still in the region, in creation order (first I_ALIVE)
])
Tallies = namedtuple("Tallies", [
    "hist",        # int64 (3 * sectors * 2^S): firms in the region by (stage, sector, held)
    "inc_counts",  # int64 (3, max(sectors, 2)): ever-incubated tech firms / HNTE by sector;
                   # row 2: first registrations at the start [2, 0] and after it [2, 1]
    "loc_count",   # int64 (6): firms by location (QUEUE ... UNBORN)
])
CarrierState = namedtuple("CarrierState", [
    "open",     # bool (C): open now
    "occ",      # int64 (C, 3): occupants by stage
    "grads",    # int64 (C): graduates so far (baseline included)
    "entries",  # int64 (C, 3): entries so far by stage (baseline included)
    "level",    # int64 (C): recognition level now
    "tags",     # int64 (C): designation tags held (bit per tag)
    "opened",   # float64 (C): opening time (years from the start; earlier for the baseline)
    "marks",    # int8 (Q, C): carriers_entered_cum bookkeeping (sim.model.entered)
])
Queue = namedtuple("Queue", [
    "buf",   # int64 (3, N + 1): waiting firms per stage, FIFO
    "ep",    # int64 (3, N + 1): the firm's epoch when it joined (-1: taken)
    "head",  # int64 (3): first live position per stage
    "tail",  # int64 (3): next free position per stage
])
Output = namedtuple("Output", [
    "series",       # float64 (Q, T): every query at every record
    "population",   # float64 (6, T): firms created, then by location
    "flow_series",  # float64 (F, T): cumulative counted flows at every record
    "flows",        # int64 (F): the running counted flows
    "tenures",      # float64: stays of graduates (first I_TEN)
])
Scratch = namedtuple("Scratch", [
    "ua6",        # float64 (6): an arriving firm's first six uniforms
    "tech_held",  # int64 (C): registered tech firms per carrier (promotions)
    "win_u",      # float64 (C): designation candidates' draws
    "win_c",      # int64 (C): designation candidates
    "matched",    # bool (C): carriers a query selects (carriers_entered_cum)
])
Cohort = namedtuple("Cohort", [
    "tenures",        # float64: stays of graduates, years
    "carrier_exits",  # int: departures from carriers (graduates, closures, others)
    "stage",          # int64 (n firms): stage at the end
    "first_carrier",  # float64: first entry into a carrier (NaN: never)
    "first_tech",     # float64: first tech-firm registration (NaN: never)
    "incorporated",   # float64: incorporation time (NaN: a team never incorporated)
    "location",       # int64: location at the end (QUEUE ... RELOCATED)
    "left_region",    # float64: exit or relocation time (NaN: still in the region)
    "c_open",         # bool (C): carriers open at the end
    "c_occ",          # int64 (C, 3): occupants by stage at the end
    "draws",          # int64 (n firms): uniforms each firm drew
])
"""The end-of-run arrays sim.engines.fast.cohort_statistics reduces to the cohort statistics."""
KernelOutput = namedtuple("KernelOutput", ["series", "population", "flows", "cohort", "loop"])
"""What simulate_kernel returns: series (Q, T), population (6, T), counted flows (F, T), the
Cohort, and the loop's counters (I_*)."""
State = namedtuple("State", ["fs", "tal", "car", "qu", "out", "scr", "rooms", "ist", "fst"])
"""Everything a replication changes; ``ist``/``fst`` hold the loop's counters (I_*, F_*),
kept there so that the loop can return when the heap needs room and resume."""


@njit(**INLINED)
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

    Returns a KernelOutput: series[Q, T], population[6, T], flows[F, T], the Cohort (the
    per-firm and per-carrier arrays sim/engines/fast/__init__.py reduces to the reference
    engine's cohort statistics) and the event loop's counters (I_*; e.g. how often the heap
    grew).
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
    scratch = Scratch(np.zeros(6), np.zeros(C, np.int64), np.empty(C), np.empty(C, np.int64),
                      np.zeros(C, np.bool_))

    # ---------------------------------------------------------------- setup: carriers open
    rooms = new_rooms(k.stage_ptr, k.stage_carriers, k.c_sector, k.c_slots)
    for c in range(C):
        if k.c_open_at[c] <= 0.0:
            c_open[c] = True
            update_rooms(rooms, c, True, 0)

    ist = np.zeros(10, np.int64)
    fst = np.zeros(3)
    st = State(
        FirmState(fi, ff, valid, serial, pending, countdown, life_key, life_n, stat_key, stat_n,
                  alive),
        Tallies(hist, inc_counts, loc_count),
        CarrierState(c_open, c_occ, c_grads, c_entries, c_level, c_tags, c_opened, c_marks),
        Queue(q_buf, q_ep, q_head, q_tail),
        Output(series, population, flow_series, flows, tenures),
        scratch, rooms, ist, fst)
    while _event_loop(k, rep_key, st, heap) == LOOP_GROW:
        heap = grow(heap, ist[I_NEED])
        ist[I_GROWN] += 1
    n_f = ist[I_NF]
    ist[I_DRAWS] = life_n[:n_f].sum() + stat_n.sum()
    ist[I_PUSHES] = heap[3][HEAP_COUNTER]
    ist[I_PEAK] = heap[3][HEAP_USED]
    n_ten = ist[I_TEN]
    carrier_exits = ist[I_EXITS]
    cohort = Cohort(tenures[:n_ten].copy(), carrier_exits, fi[STAGE, :n_f].copy(),
                    ff[FIRST_CAR, :n_f].copy(), ff[FIRST_TECH, :n_f].copy(),
                    ff[INC, :n_f].copy(), fi[LOC, :n_f].copy(), ff[GONE, :n_f].copy(), c_open,
                    c_occ, life_n[:n_f].copy())
    return KernelOutput(series, population, flow_series, cohort, ist)


@njit(**INTERNAL_NO_REFCOUNTS)
def _event_loop(k, rep_key, st, heap):
    """Process the pre-sorted schedule and the heap in time order until the horizon.

    One handler per event kind (``_on_*``, below); at one instant calendar items come before
    heap events, and heap events pop by (time, insertion order), as in SimPy.

    Compiled without numba's reference counting: every array it touches was allocated by
    simulate_kernel, so none is created or freed here, and the atomic reference counts that
    numba otherwise adds around each helper's array arguments (about a third of the run time)
    disappear. For the same reason it cannot grow the heap: before an event it checks that
    the heap has room for every push the event can make, and if not it saves its place in
    ``st.ist`` and returns LOOP_GROW; simulate_kernel grows the heap and calls again.
    """
    ist = st.ist
    S = k.st_p_round.size
    C = k.c_kind.size
    max_slots = 0
    for c in range(C):
        max_slots = max(max_slots, k.c_slots[c])
    # pushes one event can make at most, besides those of the firms it creates: a grant or
    # renewal per firm in the region (rounds, 1 January), a re-review per carrier (delisting),
    # or an entry per free slot plus the firm's own next events
    pushes = C + max_slots + 2 * S + 8
    n_sched = k.sched_t.size
    # setup actions are encoded as the first scheduled events at t = 0 (initial incubatees,
    # stock), see compile.py; everything else follows.
    while True:
        si = ist[I_SI]
        t_s = k.sched_t[si] if si < n_sched else np.inf
        # the heap's earliest event goes first if it comes strictly before the next scheduled
        # one (ties go to the schedule); nothing left (both inf) is past the horizon too
        t_h = first_time(heap)
        from_heap = t_h < t_s
        if min(t_h, t_s) > k.horizon + 1e-9:
            return LOOP_DONE
        need = pushes + ist[I_ALIVE]
        if not from_heap:
            if k.sched_kind[si] == CREATE_INITIAL:
                need += (S + 2) * k.c_inc0[k.sched_a[si]]
            elif k.sched_kind[si] == CREATE_STOCK:
                need += (S + 2) * k.g_count[k.sched_a[si]]
        if room(heap) < need:  # our place is kept in ist; the caller grows the heap
            ist[I_NEED] = need
            return LOOP_GROW
        if from_heap:
            now, hk, ea, eb, ee = heap_pop(heap)
            kind = HEAP_BASE + hk
        else:
            now = t_s
            kind = k.sched_kind[si]
            ea = k.sched_a[si]
            eb = k.sched_b[si]
            ee = 0
            ist[I_SI] = si + 1
        st.fst[F_NOW] = now
        if kind in (ARRIVAL, CREATE_INITIAL, CREATE_STOCK):
            _on_create(k, rep_key, st, heap, kind, ea, now)
        elif kind == OPEN:
            _on_open(k, st, heap, ea, now)
        elif kind == RECORD:
            _on_record(k, st, ea, now)
        elif kind == ROUND:
            _on_round(k, st, heap, ea, now)
        elif kind == CALENDAR:
            _on_calendar(k, st, heap, ea, now)
        elif kind == PROMOTION:
            _on_promotion(k, rep_key, st, ea, eb, now)
        elif kind == DELISTING:
            _on_delisting(k, st, heap, now)
        elif kind == DESIGNATION:
            _on_designation(k, rep_key, st, ea, eb)
        elif kind == HEAP_BASE + H_REREVIEW:
            _on_rereview(k, st, ea)
        elif kind == HEAP_BASE + H_GRANT:
            _on_grant(k, st, heap, ea, eb, now)
        elif kind == HEAP_BASE + H_EXPIRE:
            _on_expire(k, st, heap, ea, eb, ee, now)
        elif kind == HEAP_BASE + H_PATIENCE:
            _on_patience(k, st, heap, ea, ee, now)
        elif kind == HEAP_BASE + H_FIRM:
            _on_firm_event(k, st, heap, ea, eb, ee, now)


# ======================================================================= event handlers
@njit(**INLINED)
def _on_create(k, rep_key, st, heap, kind, ea, now):
    """Create firms: initial incubatees of carrier ``ea``, stock group ``ea``, or arrival ``ea``.

    sim.model.arrivals.create_initial_incubatees, create_stock, arrive.
    """
    origin = ORIGIN_ARRIVAL
    count = 1
    if kind == CREATE_INITIAL:
        origin = ORIGIN_INITIAL
        count = k.c_inc0[ea]
    elif kind == CREATE_STOCK:
        origin = ORIGIN_STOCK
        count = k.g_count[ea]
    for idx in range(count):
        f, fate, years_left, tenure = _create_firm(k, rep_key, st, origin, ea, idx, now)
        _statuses_at_creation(k, st, heap, origin, ea, f, now)
        _place_created(k, st, heap, origin, ea, f, fate, years_left, tenure, now)
        _rebin(k, st, f)
        _tally_incubated(st, f)


@njit(**INLINED)
def _create_firm(k, rep_key, st, origin, ea, idx, now):
    """A new firm's keys and its origin's draws (stage, sector, quality, age).

    Returns (firm, fate, years left, tenure in months): an initial incubatee's remaining stay
    drawn from the stationary occupant (sim.model.hazards.stationary_occupant), else unused.
    """
    fs = st.fs
    fi, ff, life_key, life_n = fs.fi, fs.ff, fs.life_key, fs.life_n
    tabs = k.tabs
    S = k.st_p_round.size
    f = st.ist[I_NF]
    st.ist[I_NF] = f + 1
    fs.alive[st.ist[I_ALIVE]] = f
    st.ist[I_ALIVE] += 1
    if origin == ORIGIN_INITIAL:
        okey, index = k.c_key[ea], idx
    elif origin == ORIGIN_STOCK:
        okey, index = k.g_key[ea], idx
    else:
        okey, index = k.s_key[k.a_src[ea]], k.a_index[ea]
    life_key[f] = firm_key(rep_key, okey, np.uint64(index))
    for s in range(S):
        fs.stat_key[f * S + s] = status_key(life_key[f], s)
    _set_loc(st, f, OUTSIDE)
    tenure = 0.0
    fate = -1
    years_left = 0.0
    if origin == ORIGIN_INITIAL:
        stage = k.c_stage[ea]
        u_sector = draw(life_key, life_n, f)
        u_age = draw(life_key, life_n, f)
        fi[STAGE, f] = stage
        fi[SECTOR, f] = k.c_sector[ea] if k.c_sector[ea] >= 0 else pick_category(
            k.init_sector_cdf, u_sector)
        if k.init_tenure_tab >= 0:
            ff[QUAL, f] = ppf(tabs, k.quality_tab, draw(life_key, life_n, f))
            tenure = ppf(tabs, k.init_tenure_tab, draw(life_key, life_n, f))
        else:
            ff[QUAL, f], fate, years_left, tenure = stationary_occupant(
                k.in_type, k.in_rate, k.in_tab, k.in_prob, k.max_stay_tab, tabs,
                k.quality_tab, stage, life_key, life_n, f)
        if stage != 0:
            ff[INC, f] = -max(ppf(tabs, k.init_age_tab, u_age), tenure / 12.0)
    elif origin == ORIGIN_STOCK:
        u0 = draw(life_key, life_n, f)
        u1 = draw(life_key, life_n, f)
        u2 = draw(life_key, life_n, f)
        fi[STAGE, f] = k.g_stage[ea]
        fi[SECTOR, f] = pick_category(k.g_sector_cdf[ea], u0)
        ff[QUAL, f] = ppf(tabs, k.quality_tab, u1)
        ff[INC, f] = -ppf(tabs, k.g_age_tab[ea], u2)
    else:
        src = k.a_src[ea]
        ua6 = st.scr.ua6
        for j in range(6):
            ua6[j] = draw(life_key, life_n, f)
        stage = pick_category(k.s_stage_cdf[src], ua6[0])
        fi[STAGE, f] = stage
        fi[SECTOR, f] = pick_category(k.s_sector_cdf[src], ua6[1])
        ff[QUAL, f] = ppf(tabs, k.quality_tab, ua6[2])
        if stage != 0:
            age = ppf(tabs, k.s_age_tab[src], ua6[3]) if k.s_age_tab[src] >= 0 else 0.0
            ff[INC, f] = now - age
    return f, fate, years_left, tenure


@njit(**INLINED)
def _statuses_at_creation(k, st, heap, origin, ea, f, now):
    """The certificates a new firm holds, then its first registration.

    Baseline certificates are spread over their validity where the scenario says so; an
    arrival brings its own (sim.model.statuses.give_at_start, give_at_arrival).
    """
    fs = st.fs
    ff, life_key, life_n = fs.ff, fs.life_key, fs.life_n
    if origin == ORIGIN_INITIAL:
        shares, issued, growth, row = k.init_st_share, k.init_st_issued, k.init_st_growth, 0
    elif origin == ORIGIN_STOCK:
        shares, issued, growth, row = k.g_st_share, k.g_st_issued, k.g_st_growth, ea
    else:
        shares, issued, growth, row = k.s_st_p, k.s_st_issued, k.s_st_growth, k.a_src[ea]
    for s in range(k.st_p_round.size):
        if shares[row, s] < 0:
            continue
        uh = draw(life_key, life_n, f)
        ud = 0.0 if origin == ORIGIN_ARRIVAL else draw(life_key, life_n, f)
        if uh >= shares[row, s] or math.isnan(ff[INC, f]):
            continue
        if origin == ORIGIN_ARRIVAL:
            st.out.flows[N_FIRM_FLOWS + 5 * s + G_BROUGHT] += 1
        start = now
        if (origin != ORIGIN_ARRIVAL and issued[row, s] == ISSUED_SPREAD
                and k.st_validity[s] == YEARS):
            start = baseline_start(ud, k.st_years[s], growth[row, s])
        _issue(k, st, heap, f, s, start)
    if k.tech_id >= 0 and _holds(fs.valid, f, k.st_holders[k.tech_id]):
        ff[FIRST_TECH, f] = now
        st.tal.inc_counts[2, 1 if now > 0 else 0] += 1


@njit(**INLINED)
def _place_created(k, st, heap, origin, ea, f, fate, years_left, tenure, now):
    """Where a new firm starts (sim.model.incubation.seek, place).

    Initial incubatees in their carrier with their remaining stay, stock outside, an arrival
    in a free slot, the queue or outside.
    """
    fs, car, qu = st.fs, st.car, st.qu
    fi, ff = fs.fi, fs.ff
    if origin == ORIGIN_INITIAL:
        c = ea
        _set_loc(st, f, CARRIER)
        fi[CAR, f] = c
        fi[EPOCH, f] += 1
        ff[ENTER, f] = now - tenure / 12.0
        ff[FIRST_CAR, f] = now
        car.occ[c, fi[STAGE, f]] += 1
        update_rooms(st.rooms, c, car.open[c], car.occ[c, 0] + car.occ[c, 1] + car.occ[c, 2])
        if k.init_tenure_tab >= 0:
            _enter_risks(k, st, heap, f, tenure, now)
        elif years_left < np.inf and now + years_left <= k.horizon + 1e-9:
            heap_push(heap, now + years_left, H_FIRM, f, fate, fi[EPOCH, f])
        return
    if origin == ORIGIN_STOCK:
        _outside(k, st, heap, f, now)
        return
    st.out.flows[F_ARRIVALS] += 1
    ua6 = st.scr.ua6
    patience = ppf(k.tabs, k.patience_tab, ua6[5])
    if ua6[4] >= k.s_seek[k.a_src[ea]]:
        _outside(k, st, heap, f, now)
        return
    up = draw(fs.life_key, fs.life_n, f)
    c = pick_room(st.rooms, fi[STAGE, f], fi[SECTOR, f], up)
    if c >= 0:
        _enter(k, st, heap, f, c, now)
        return
    stage = fi[STAGE, f]
    _set_loc(st, f, QUEUE)
    fi[EPOCH, f] += 1
    qu.buf[stage, qu.tail[stage]] = f
    qu.ep[stage, qu.tail[stage]] = fi[EPOCH, f]
    qu.tail[stage] += 1
    heap_push(heap, now + patience / 12.0, H_PATIENCE, f, 0, fi[EPOCH, f])


@njit(**INLINED)
def _on_open(k, st, heap, c, now):
    """A pipeline carrier opens and takes waiting firms (sim.model.carriers.open_carrier)."""
    car = st.car
    car.open[c] = True
    car.opened[c] = now
    update_rooms(st.rooms, c, True, car.occ[c, 0] + car.occ[c, 1] + car.occ[c, 2])
    _serve(k, st, heap, c, now)


@njit(**INLINED)
def _on_record(k, st, ti, now):
    """The monthly record ``ti`` (sim.engines.reference._Recorder.record, sim.metrics).

    Spend, every query, the population and the counted flows.
    """
    car, out = st.car, st.out
    C = k.c_kind.size
    incub = 0
    for c in range(C):
        if car.open[c]:
            incub += car.occ[c, 0] + car.occ[c, 1] + car.occ[c, 2]
    fst = st.fst
    fst[F_SPEND] += ((k.spend_fixed + k.spend_per100 * incub / 100.0)
                     * (now - fst[F_LAST_RECORD]))
    fst[F_LAST_RECORD] = now
    matched = st.scr.matched
    for qi in range(k.q_metric.size):
        if k.q_metric[qi] in FIRM_METRICS:
            continue
        if k.q_metric[qi] == M_ENTERED:
            for c in range(C):
                matched[c] = car.open[c] and _matches(k, qi, c, car.level, car.tags)
            out.series[qi, ti] = count_entered(matched, car.marks, qi, ti == 0)
            continue
        out.series[qi, ti] = _evaluate(k, qi, C, car.open, car.occ, car.entries, car.grads,
                                       car.level, car.tags, fst[F_SPEND])
    _firm_queries(k, ti, out.series, st.tal.hist, st.tal.inc_counts)
    out.population[0, ti] = st.ist[I_NF]
    for j in range(out.flows.size):
        out.flow_series[j, ti] = out.flows[j]
    placed = 0
    for c in range(C):
        for j in range(3):
            placed += car.entries[c, j] - k.c_entries0[c, j]
    out.flow_series[F_PLACED, ti] = placed
    for loc in range(UNBORN):
        out.population[1 + loc, ti] = st.tal.loc_count[loc]


@njit(**INLINED)
def _eligible(k, st, f, s, now):
    """Whether firm f may apply for status s in a round (statuses.application_round).

    No application pending, its stage, its age, not holding it, capable, holding what it
    requires, in a carrier if the status asks for it.
    """
    fs = st.fs
    fi, ff, valid = fs.fi, fs.ff, fs.valid
    if fs.pending[f, s] or not ((k.st_stage_mask[s] >> fi[STAGE, f]) & 1):
        return False
    if math.isnan(ff[INC, f]) or now - ff[INC, f] < k.st_min_age[s]:
        return False
    if _holds(valid, f, k.st_holders[s]):
        return False
    S = k.st_p_round.size
    if (k.st_p_capable[s] < 1.0
            and capability_uniform(fs.stat_key[f * S + s]) >= k.st_p_capable[s]):
        return False
    m = k.st_requires[s]
    r = 0
    while m:
        if m & 1 and not _holds(valid, f, k.st_holders[r]):
            return False
        m >>= 1
        r += 1
    return not (k.st_in_carrier[s] and fi[LOC, f] != CARRIER)


@njit(**INLINED)
def _on_round(k, st, heap, s, now):
    """An application round of status s (sim.model.statuses.application_round).

    Each eligible firm counts down its rounds until it applies; an application succeeds with
    p_success and is granted after a delay.
    """
    fs = st.fs
    ist = st.ist
    ist[I_ALIVE] = _compact(fs.alive, ist[I_ALIVE], fs.fi)
    S = k.st_p_round.size
    for j in range(ist[I_ALIVE]):
        f = fs.alive[j]
        if not _eligible(k, st, f, s, now):
            continue
        row = f * S + s
        if fs.countdown[f, s] == 0:
            p = round_probability(k.st_p_round[s], fs.ff[QUAL, f], k.st_qscaled[s])
            fs.countdown[f, s] = rounds_until(draw(fs.stat_key, fs.stat_n, row), p)
        fs.countdown[f, s] -= 1
        if fs.countdown[f, s] == 0:
            u_s = draw(fs.stat_key, fs.stat_n, row)
            u_d = draw(fs.stat_key, fs.stat_n, row)
            if u_s < k.st_p_success[s]:
                fs.pending[f, s] = True
                months = ppf(k.tabs, k.st_delay_tab[s], u_d)
                heap_push(heap, now + months / 12.0, H_GRANT, f, s, 0)


@njit(**INLINED)
def _on_calendar(k, st, heap, s, now):
    """1 January: calendar-year certificates of status s end (statuses.calendar_expiry).

    They end after the 31 December record; holders renew or lapse.
    """
    fs = st.fs
    ist = st.ist
    ist[I_ALIVE] = _compact(fs.alive, ist[I_ALIVE], fs.fi)
    for j in range(ist[I_ALIVE]):
        f = fs.alive[j]
        if math.isnan(fs.valid[f, s]) or fs.valid[f, s] > now + 1e-9:
            continue
        _expire(k, st, heap, f, s, now)
        _rebin(k, st, f)


@njit(**INLINED)
def _on_promotion(k, rep_key, st, rule, year, now):
    """A promotion review (sim.model.carriers.promotion).

    Carriers meeting the rule's kind, level, age, area, occupants, graduates and registered
    share move up with its probability.
    """
    fs, car = st.fs, st.car
    C = k.c_kind.size
    tech_held = st.scr.tech_held
    tech_held[:] = 0
    if k.pr_share[rule] >= 0 and k.tech_id >= 0:
        st.ist[I_ALIVE] = _compact(fs.alive, st.ist[I_ALIVE], fs.fi)
        for j in range(st.ist[I_ALIVE]):
            f = fs.alive[j]
            if fs.fi[LOC, f] == CARRIER and not math.isnan(fs.valid[f, k.tech_id]):
                tech_held[fs.fi[CAR, f]] += 1
    for c in range(C):
        if not car.open[c]:
            continue
        u = evaluation_uniform(rep_key, k.c_eval_key[c], promotion_code(rule, year))
        if not ((k.pr_kinds[rule] >> k.c_kind[c]) & 1):
            continue
        if not ((k.pr_from[rule] >> car.level[c]) & 1):
            continue
        occ = car.occ[c, 0] + car.occ[c, 1] + car.occ[c, 2]
        if now - car.opened[c] < k.pr_years[rule] or k.c_area[c] < k.pr_area[rule]:
            continue
        if occ < k.pr_inc[rule]:
            continue
        if k.pr_grads[rule] >= 0 and car.grads[c] < k.pr_grads[rule]:
            continue
        if k.pr_share[rule] >= 0:
            share = tech_held[c] / occ if occ > 0 else 0.0
            if share < k.pr_share[rule]:
                continue
        if u < k.pr_p[rule]:
            car.level[c] = k.pr_to[rule]


@njit(**INLINED)
def _on_delisting(k, st, heap, now):
    """A delisting review (sim.model.carriers.delisting_review).

    Under-occupied carriers of the reviewed levels are reviewed again after ``dl_rereview``.
    """
    car = st.car
    for c in range(k.c_kind.size):
        if not car.open[c] or not ((k.dl_levels >> car.level[c]) & 1):
            continue
        occ = car.occ[c, 0] + car.occ[c, 1] + car.occ[c, 2]
        rate = occ / k.c_slots[c] if k.c_slots[c] > 0 else 0.0
        if rate < k.dl_occ:
            heap_push(heap, now + k.dl_rereview, H_REREVIEW, c, 0, 0)


@njit(**INLINED)
def _on_rereview(k, st, c):
    """The re-review: still under-occupied, the carrier is demoted."""
    car = st.car
    occ = car.occ[c, 0] + car.occ[c, 1] + car.occ[c, 2]
    rate = occ / k.c_slots[c] if k.c_slots[c] > 0 else 0.0
    if (k.dl_levels >> car.level[c]) & 1 and rate < k.dl_occ:
        car.level[c] = k.dl_demote


@njit(**INLINED)
def _on_designation(k, rep_key, st, rule, year):
    """A designation call (sim.model.carriers.designation).

    Eligible carriers that draw below p are tagged, lowest draws first, up to the maximum.
    """
    car, scr = st.car, st.scr
    nwin = 0
    for c in range(k.c_kind.size):
        if not car.open[c]:
            continue
        u = evaluation_uniform(rep_key, k.c_eval_key[c], designation_code(rule, year))
        if (car.tags[c] >> k.ds_tag[rule]) & 1 or not ((k.ds_kinds[rule] >> k.c_kind[c]) & 1):
            continue
        if k.ds_level_min[rule] >= 0 and car.level[c] < k.ds_level_min[rule]:
            continue
        occ = car.occ[c, 0] + car.occ[c, 1] + car.occ[c, 2]
        if k.c_area[c] < k.ds_area[rule] or occ < k.ds_inc[rule]:
            continue
        if k.ds_grads[rule] >= 0 and car.grads[c] < k.ds_grads[rule]:
            continue
        if u < k.ds_p[rule]:
            scr.win_u[nwin] = u
            scr.win_c[nwin] = c
            nwin += 1
    _sort_by_draw(scr.win_u, scr.win_c, nwin)
    limit = nwin if k.ds_max[rule] < 0 else min(nwin, k.ds_max[rule])
    for j in range(limit):
        car.tags[scr.win_c[j]] |= (1 << k.ds_tag[rule])


@njit(**INLINED)
def _on_grant(k, st, heap, f, s, now):
    """A pending application of status s is granted (sim.model.statuses._grant).

    Not if the firm has left the region since.
    """
    fs = st.fs
    if not fs.pending[f, s] or fs.fi[LOC, f] > OUTSIDE:
        return
    fs.pending[f, s] = False
    st.out.flows[N_FIRM_FLOWS + 5 * s + G_GRANTED] += 1
    _issue(k, st, heap, f, s, now)
    _firsts(k, st, f, s, now)
    _rebin(k, st, f)
    _tally_incubated(st, f)


@njit(**INLINED)
def _on_expire(k, st, heap, f, s, number, now):
    """An N-year certificate ends (unless a later certificate replaced it)."""
    fs = st.fs
    if fs.serial[f, s] != number or math.isnan(fs.valid[f, s]):
        return
    _expire(k, st, heap, f, s, now)
    _rebin(k, st, f)


@njit(**INLINED)
def _on_patience(k, st, heap, f, epoch, now):
    """A queued firm's patience runs out: it gives up and goes outside."""
    fi = st.fs.fi
    if fi[EPOCH, f] != epoch or fi[LOC, f] != QUEUE:
        return
    st.out.flows[F_REFUSED] += 1
    _outside(k, st, heap, f, now)


@njit(**INLINED)
def _on_firm_event(k, st, heap, f, what, epoch, now):
    """The firm's own next event, drawn by carrier_fate or outside_fate.

    Ignored if the firm moved since. Leaving a carrier, or outside: maturing, relocating,
    closing (sim.model.incubation, sim.model.outside).
    """
    fi, ff = st.fs.fi, st.fs.ff
    flows = st.out.flows
    if fi[EPOCH, f] != epoch:
        return
    if what <= IN_MAX:
        _leave_carrier(k, st, heap, f, what, now)
    elif what == OUT_GOOD:  # team incorporates / start-up matures (outside)
        if fi[STAGE, f] == 0:
            fi[STAGE, f] = 1
            ff[INC, f] = now
        else:
            fi[STAGE, f] = 2
        _outside(k, st, heap, f, now)
    elif what == OUT_RELOCATE:
        flows[F_RELOCATED] += 1
        _leave_region(st, f, RELOCATED, now)
    else:  # OUT_BAD (team dissolves) or OUT_EXIT
        flows[F_CLOSED_OUT] += 1
        _leave_region(st, f, EXITED, now)
    _rebin(k, st, f)


@njit(**INLINED)
def _leave_carrier(k, st, heap, f, what, now):
    """Leaving a carrier (sim.model.incubation._leave_for).

    Graduating (then moving on to the next stage), closing, or leaving for outside; the
    freed slot serves the queue.
    """
    fi, ff = st.fs.fi, st.fs.ff
    car, out = st.car, st.out
    c = fi[CAR, f]
    stage = fi[STAGE, f]
    car.occ[c, stage] -= 1
    update_rooms(st.rooms, c, car.open[c], car.occ[c, 0] + car.occ[c, 1] + car.occ[c, 2])
    fi[CAR, f] = -1
    ff[LEFT, f] = now
    fi[EPOCH, f] += 1
    st.ist[I_EXITS] += 1
    if what == IN_GOOD:
        car.grads[c] += 1
        out.flows[F_GRADUATED] += 1
        out.tenures[st.ist[I_TEN]] = now - ff[ENTER, f]
        st.ist[I_TEN] += 1
    if what == IN_GOOD and stage <= 1:  # incorporated team or graduated start-up
        if stage == 0:
            fi[STAGE, f] = 1
            ff[INC, f] = now
        else:
            fi[STAGE, f] = 2
        moved = _move_on(k, st, heap, f, now)
        if moved != MOVE_PLACED and moved != MOVE_OUTSIDE:
            out.flows[F_REFUSED] += 1
        if moved == MOVE_RELOCATE:
            out.flows[F_RELOCATED] += 1
            _leave_region(st, f, RELOCATED, now)
    elif what == IN_BAD:
        out.flows[F_CLOSED_IN] += 1
        _leave_region(st, f, EXITED, now)
    else:
        _outside(k, st, heap, f, now)
    q = st.qu
    if q.head[k.c_stage[c]] < q.tail[k.c_stage[c]]:  # anyone waiting for this stage
        _serve(k, st, heap, c, now)


# ============================================================================ helpers
@njit(**INLINED)
def _issue(k, st, heap, f, s, start):
    """A certificate of status s dated ``start`` (sim.model.statuses.issue).

    Calendar-year certificates expire together at the calendar's expiry items; N-year ones get
    their own expiry event; permanent ones never expire.
    """
    fs = st.fs
    end = certificate_end(k.st_validity[s], k.st_years[s], k.jan1, start)
    fs.valid[f, s] = end
    fs.serial[f, s] += 1
    if k.st_validity[s] == YEARS:
        heap_push(heap, end, H_EXPIRE, f, s, fs.serial[f, s])


@njit(**INLINED)
def _expire(k, st, heap, f, s, now):
    """A certificate expires; a holder still in the region renews or lets it lapse.

    sim.model.statuses._expire: N-year expiries and 1 January calendar-year ones alike.
    """
    fs = st.fs
    fs.valid[f, s] = np.nan
    if fs.fi[LOC, f] > OUTSIDE:
        return
    S = fs.valid.shape[1]
    if draw(fs.stat_key, fs.stat_n, f * S + s) < k.st_p_renew[s]:
        st.out.flows[N_FIRM_FLOWS + 5 * s + G_RENEWED] += 1
        _issue(k, st, heap, f, s, now)
    else:
        st.out.flows[N_FIRM_FLOWS + 5 * s + G_LAPSED] += 1


@njit(**INTERNAL_NO_REFCOUNTS)
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


@njit(**INLINED)
def _firsts(k, st, f, s, now):
    """First tech registration and first HNTE after the start (sim.model.statuses)."""
    ff = st.fs.ff
    if (k.tech_id >= 0 and math.isnan(ff[FIRST_TECH, f])
            and _holds(st.fs.valid, f, k.st_holders[k.tech_id])):
        ff[FIRST_TECH, f] = now
        st.tal.inc_counts[2, 1 if now > 0 else 0] += 1
    if s == k.hnte_id and math.isnan(ff[HNTE_OBT, f]) and now > 0:
        ff[HNTE_OBT, f] = now


@njit(**INLINED)
def _leave_region(st, f, where, now):
    """The firm exits or relocates; certificates it holds are lost (sim.model.outside)."""
    fs = st.fs
    _set_loc(st, f, where)
    fs.fi[EPOCH, f] += 1
    fs.ff[GONE, f] = now
    flows = st.out.flows
    for s in range(fs.valid.shape[1]):
        if not math.isnan(fs.valid[f, s]):
            flows[N_FIRM_FLOWS + 5 * s + G_LOST] += 1
        fs.valid[f, s] = np.nan
        fs.pending[f, s] = False


@njit(**INLINED)
def _enter_risks(k, st, heap, f, tenure, now):
    """Draw the competing risks inside a carrier and schedule the earliest (carrier_fate)."""
    fs = st.fs
    what, best = carrier_fate(k.in_type, k.in_rate, k.in_tab, k.in_prob, k.max_stay_tab,
                              k.tabs, fs.fi[STAGE, f], fs.ff[QUAL, f], tenure, fs.life_key,
                              fs.life_n, f)
    if best < np.inf and now + best <= k.horizon + 1e-9:
        heap_push(heap, now + best, H_FIRM, f, what, fs.fi[EPOCH, f])


@njit(**INLINED)
def _enter(k, st, heap, f, c, now):
    """Firm f takes a slot of carrier c (sim.model.incubation.enter)."""
    fi, ff = st.fs.fi, st.fs.ff
    car = st.car
    _set_loc(st, f, CARRIER)
    fi[CAR, f] = c
    fi[EPOCH, f] += 1
    ff[ENTER, f] = now
    if math.isnan(ff[FIRST_CAR, f]):
        ff[FIRST_CAR, f] = now
        _tally_incubated(st, f)
    car.occ[c, fi[STAGE, f]] += 1
    car.entries[c, fi[STAGE, f]] += 1
    update_rooms(st.rooms, c, True, car.occ[c, 0] + car.occ[c, 1] + car.occ[c, 2])
    _enter_risks(k, st, heap, f, 0.0, now)


@njit(**INLINED)
def _serve(k, st, heap, c, now):
    """Give free slots of carrier c to the first waiting firms that fit (FIFO)."""
    fi = st.fs.fi
    occ = st.car.occ
    q = st.qu
    stage = k.c_stage[c]
    i = q.head[stage]
    while i < q.tail[stage]:
        free = k.c_slots[c] - occ[c, 0] - occ[c, 1] - occ[c, 2]
        if free <= 0:
            break
        f = q.buf[stage, i]
        waiting = fi[LOC, f] == QUEUE and fi[EPOCH, f] == q.ep[stage, i]
        if not waiting:
            if i == q.head[stage]:
                q.head[stage] += 1
            i += 1
            continue
        if k.c_sector[c] >= 0 and k.c_sector[c] != fi[SECTOR, f]:
            i += 1
            continue
        q.ep[stage, i] = -1  # taken
        if i == q.head[stage]:
            q.head[stage] += 1
        _enter(k, st, heap, f, c, now)
        i += 1


@njit(**INLINED)
def _move_on(k, st, heap, f, now):
    """After incorporating or graduating: seek a next-stage slot, else stay or relocate.

    Returns MOVE_PLACED, MOVE_RELOCATE (no room; the caller removes the firm), MOVE_NO_ROOM
    (no room; stays outside) or MOVE_OUTSIDE (did not seek).
    """
    fs = st.fs
    u_seek = draw(fs.life_key, fs.life_n, f)
    u_pick = draw(fs.life_key, fs.life_n, f)
    u_rel = draw(fs.life_key, fs.life_n, f)
    if u_seek < k.p_seek_next:
        c = pick_room(st.rooms, fs.fi[STAGE, f], fs.fi[SECTOR, f], u_pick)
        if c >= 0:
            _enter(k, st, heap, f, c, now)
            return MOVE_PLACED
        if u_rel < k.p_relocate:
            return MOVE_RELOCATE
        _outside(k, st, heap, f, now)
        return MOVE_NO_ROOM
    _outside(k, st, heap, f, now)
    return MOVE_OUTSIDE


@njit(**INLINED)
def _outside(k, st, heap, f, now):
    """The firm is (or stays) outside carriers; draw what happens next there (outside_fate).

    sim.model.outside.go_outside.
    """
    fi, ff = st.fs.fi, st.fs.ff
    _set_loc(st, f, OUTSIDE)
    fi[EPOCH, f] += 1
    what, best = outside_fate(k.out_type, k.out_rate, k.out_tab, k.out_prob, k.tabs,
                              fi[STAGE, f], ff[QUAL, f], now, ff[LEFT, f], ff[INC, f],
                              k.post_window, k.post_rate, k.exit_ages, k.exit_rates,
                              st.fs.life_key, st.fs.life_n, f)
    if best < np.inf and now + best <= k.horizon + 1e-9:
        heap_push(heap, now + best, H_FIRM, f, what, fi[EPOCH, f])


@njit(**INLINED)
def _matches(k, qi, c, c_level, c_tags):
    """Whether carrier c passes query qi's carrier filters now (sim.model.carrier_filter)."""
    return matches(k.q_kinds[qi], k.q_levels[qi], k.q_level_min[qi], k.q_tag[qi],
                   k.q_zones[qi], k.q_csectors[qi], k.c_kind[c], c_level[c], c_tags[c],
                   k.c_zone[c], k.c_sector[c])


@njit(**INTERNAL_NO_REFCOUNTS)
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


@njit(**INTERNAL_NO_REFCOUNTS)
def _compact(alive, n_alive, fi):
    """Drop the firms that left the region from ``alive`` (order kept); returns the new count."""
    kept = 0
    for j in range(n_alive):
        f = alive[j]
        if fi[LOC, f] <= OUTSIDE:
            alive[kept] = f
            kept += 1
    return kept


@njit(**INLINED)
def _set_loc(st, f, loc):
    """Move firm f to location ``loc``, keeping the count of firms by location."""
    fi = st.fs.fi
    loc_count = st.tal.loc_count
    loc_count[fi[LOC, f]] -= 1
    loc_count[loc] += 1
    fi[LOC, f] = loc


@njit(**INLINED)
def _rebin(k, st, f):
    """Move firm f to its current bin of the firm-query histogram, or out once it has left.

    Bins are (stage, sector, statuses held). Called wherever a firm's stage, certificates or
    presence in the region may have changed, so that the records read the histogram instead
    of scanning every firm.
    """
    fi, valid = st.fs.fi, st.fs.valid
    hist = st.tal.hist
    new = -1
    if fi[LOC, f] <= OUTSIDE:
        S = valid.shape[1]
        held = 0
        for s in range(S):
            if _holds(valid, f, k.st_holders[s]):
                held |= 1 << s
        new = (fi[STAGE, f] * k.n_sectors + fi[SECTOR, f]) * (1 << S) + held
    old = fi[BIN, f]
    if new != old:
        if old >= 0:
            hist[old] -= 1
        if new >= 0:
            hist[new] += 1
        fi[BIN, f] = new


@njit(**INLINED)
def _tally_incubated(st, f):
    """Count firm f among the ever-incubated tech firms / HNTEs once each condition holds.

    ``inc_counts[0]`` / ``inc_counts[1]``, by sector: firms ever incubated that registered as a
    tech firm / obtained an HNTE. Both conditions only ever become true (first dates are never
    cleared), so a running count equals a scan of every firm ever created.
    """
    fi, ff = st.fs.fi, st.fs.ff
    inc_counts = st.tal.inc_counts
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


@njit(**INTERNAL_NO_REFCOUNTS)
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
