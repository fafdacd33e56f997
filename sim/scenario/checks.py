"""Cross-reference checks the field types cannot express, each naming its own field.

Zones and sectors must be declared in ``meta``; status ids must exist; dates must fall in the
horizon; targets must name registered metrics and filters that metric accepts; lever and
uncertainty paths must lead to numbers; an uncertainty's distribution must stay inside what
its parameter accepts; baseline incubatees must fit their carriers; numbers must be finite.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from sim.registry import METRICS, STATUS_METRICS
from sim.scenario import paths
from sim.scenario.schema import CarrierGroup, PipelineProject, Scenario

Found = tuple[tuple[Any, ...], Any, str, str | None]
"""(path, value, what is wrong, what was expected)."""


def check(sc: Scenario, raw: dict[str, Any], probe_supports: bool = True,
          numbers_only: bool = False) -> list[Found]:
    """Every cross-reference problem in a schema-valid scenario.

    ``probe_supports=False`` skips re-validating each uncertainty's support against its
    parameter (costly); variants that change only numbers outside ``uncertainties`` keep the
    supports of a scenario that already passed. ``numbers_only=True`` is for such variants of
    a scenario that passed every check: only the checks whose outcome can depend on numbers
    run (capacity, lever bounds); the caller checks the new numbers are finite.
    """
    if numbers_only:
        return [*capacity_problems(sc), *_lever_paths(sc, raw)]
    return [
        *_finite(sc.model_dump(by_alias=True)),
        *_unique_ids(sc),
        *_vocabulary(sc),
        *_dates(sc),
        *_status_references(sc),
        *_targets(sc),
        *capacity_problems(sc),
        *_lever_paths(sc, raw),
        *_uncertainty_paths(sc, raw, probe_supports),
        *_source_references(sc, raw),
        *size_problems(sc),
    ]


LIMITS = {
    "years": 40, "first_year": 1990, "last_year": 2100, "carriers_per_group": 10_000,
    "area": 1e8, "incubatees": 1e6, "rate": 1e6, "stock": 1e7, "registered": 1e8,
    "per_round": 100_000, "firms": 2e7,
}
"""Sizes a regional plan never reaches; beyond them a run would exhaust memory or time."""


def _over(x: float, limit: float) -> bool:
    """Above a size limit (a non-finite number is reported once, as not finite)."""
    return math.isfinite(x) and x > limit


def expected_firms(sc: Scenario) -> float:
    """An upper estimate of the firms one replication creates or starts with.

    Incubatees and stock groups at the start, plus every source's arrivals over the horizon at
    its highest step and its growth compounded (negative growth counted as none): what a run's
    memory and time scale with (sim.preflight, and the size limit below).
    """
    firms = sum(c.incubatees.value for c in sc.carriers)
    for src in sc.firms.sources.values():
        growth = src.growth.value if src.growth is not None else 0.0
        steps = max([1.0, *(st.multiplier.value for st in src.steps)])
        factor = (1 + min(max(growth, 0.0), 10.0)) ** min(sc.horizon_years, 100.0)
        firms += min(src.rate.value * steps, 1e30) * sc.horizon_years * factor
    firms += sum(g.count.value for g in sc.firms.stock.values())
    return float(firms)


def size_problems(sc: Scenario) -> Iterator[Found]:
    """Figures valid on paper but beyond any region (they would only fail at run time)."""
    lim = LIMITS
    if not lim["first_year"] <= sc.meta.start.year <= lim["last_year"]:
        yield (("meta", "start"), str(sc.meta.start), "outside the years a plan covers",
               f"a start between {lim['first_year']} and {lim['last_year']}")
    if _over(sc.horizon_years, lim["years"]):
        yield (("meta", "horizon_end"), str(sc.meta.horizon_end),
               f"a horizon of {sc.horizon_years:.0f} years",
               f"at most {lim['years']} years after meta.start")
    for i, c in enumerate(sc.carriers):
        if _over(c.count, lim["carriers_per_group"]):
            yield (("carriers", i, "count"), c.count, "more carriers than a region holds",
                   f"at most {lim['carriers_per_group']:,} in a group")
        if _over(c.total_area.value, lim["area"]):
            yield (("carriers", i, "total_area", "value"), c.total_area.value,
                   "more area than a region holds", f"at most {lim['area']:,.0f} m²")
        if _over(c.incubatees.value, lim["incubatees"]):
            yield (("carriers", i, "incubatees", "value"), c.incubatees.value,
                   "more incubatees than a region holds", f"at most {lim['incubatees']:,.0f}")
    for i, p in enumerate(sc.pipeline):
        if _over(p.area.value, lim["area"]):
            yield (("pipeline", i, "area", "value"), p.area.value,
                   "more area than a region builds", f"at most {lim['area']:,.0f} m²")
    for name, src in sc.firms.sources.items():
        if _over(src.rate.value, lim["rate"]):
            yield (("firms", "sources", name, "rate", "value"), src.rate.value,
                   "more arrivals than a region sees", f"at most {lim['rate']:,.0f} a year")
    for name, g in sc.firms.stock.items():
        if _over(g.count.value, lim["stock"]):
            yield (("firms", "stock", name, "count", "value"), g.count.value,
                   "more firms than a region holds", f"at most {lim['stock']:,.0f}")
    for name, st in sc.statuses.items():
        reg = getattr(st, "registered_at_start", None)
        if reg is not None and _over(reg.value, lim["registered"]):
            yield (("statuses", name, "registered_at_start", "value"), reg.value,
                   "more registrations than a region holds", f"at most {lim['registered']:,.0f}")
    for i, d in enumerate(sc.carrier_rules.designations):
        if d.max_per_round is not None and _over(d.max_per_round, lim["per_round"]):
            yield (("carrier_rules", "designations", i, "max_per_round"), d.max_per_round,
                   "more designations a round than carriers exist",
                   f"at most {lim['per_round']:,}")
    firms = expected_firms(sc)
    if _over(firms, lim["firms"]):
        yield (("firms", "sources"), f"about {firms:,.0f} firms",
               "the run would create more firms than any region (memory and time)",
               f"at most {lim['firms']:,.0f} firms over the horizon")


def _source_references(sc: Scenario, raw: dict[str, Any]) -> Iterator[Found]:
    """Every ``doc:`` id, data row and calibration/ path a source cites exists."""
    from sim import PROJECT_ROOT
    from sim.scenario.documents import sources, unresolved

    for path, text in sources(raw):
        for what, expected in unresolved(text, sc.documents):
            yield (path, text, what, expected)
    for doc_id, doc in sc.documents.items():
        if doc.file is not None and not (PROJECT_ROOT / doc.file).is_file():
            yield (("documents", doc_id, "file"), doc.file, "no such file in the project",
                   "a path relative to the project root, e.g. documents/plans/<name>.txt")


def _finite(node: Any, path: tuple[Any, ...] = ()) -> Iterator[Found]:
    """NaN anywhere, and infinity anywhere but a distribution's ``low``/``high`` bound."""
    if isinstance(node, float) and not math.isfinite(node):
        if math.isnan(node) or not path or path[-1] not in ("low", "high"):
            yield (path, node, "not a finite number",
                   "a finite number (only a distribution's low or high may be infinite)")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _finite(value, (*path, key))
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _finite(value, (*path, i))


def _supply(sc: Scenario) -> tuple[tuple[str, tuple[CarrierGroup | PipelineProject, ...]], ...]:
    """Existing carriers and pipeline projects, by section name."""
    return (("carriers", sc.carriers), ("pipeline", sc.pipeline))


def _unique_ids(sc: Scenario) -> Iterator[Found]:
    seen: dict[str, tuple[Any, ...]] = {}
    for section, items in _supply(sc):
        for i, item in enumerate(items):
            if item.id in seen:
                yield ((section, i, "id"), item.id, "carrier id used twice",
                       f"unique ids (first at {'.'.join(map(str, seen[item.id]))})")
            seen[item.id] = (section, i)
    target_ids: set[str] = set()
    for i, t in enumerate(sc.targets):
        if t.id in target_ids:
            yield (("targets", i, "id"), t.id, "target id used twice", "unique target ids")
        target_ids.add(t.id)


def _vocabulary(sc: Scenario) -> Iterator[Found]:
    zones, sectors = set(sc.meta.zones), set(sc.meta.sectors)
    zone_hint = f"one of meta.zones: {', '.join(sc.meta.zones)}"
    sector_hint = f"one of meta.sectors: {', '.join(sc.meta.sectors)}"
    for section, items in _supply(sc):
        for i, item in enumerate(items):
            if item.zone is not None and item.zone not in zones:
                yield ((section, i, "zone"), item.zone, "unknown zone", zone_hint)
            if item.sector is not None and item.sector not in sectors:
                yield ((section, i, "sector"), item.sector, "unknown sector", sector_hint)
    mixes: list[tuple[tuple[Any, ...], dict[str, float] | None]] = [
        (("firms", "sources", k, "sector_mix"), s.sector_mix) for k, s in sc.firms.sources.items()
    ]
    mixes += [(("firms", "stock", k, "sector_mix"), g.sector_mix)
              for k, g in sc.firms.stock.items()]
    mixes.append((("firms", "initial_incubatees", "sector_mix"),
                  sc.firms.initial_incubatees.sector_mix))
    for path, mix in mixes:
        if mix is None:
            continue
        for name, share in mix.items():
            if name not in sectors:
                yield ((*path, name), name, "unknown sector", sector_hint)
            elif share < 0 or not math.isfinite(share):
                yield ((*path, name), share, "negative or infinite share", "a share >= 0")
        if sum(v for v in mix.values() if v > 0) <= 0:
            yield (path, mix, "sector shares are all zero", "at least one positive share")
    for name, lever in sc.levers.items():
        for j, eff in enumerate(lever.effects):
            zone = getattr(eff, "zone", None)
            sector = getattr(eff, "sector", None)
            if zone is not None and zone not in zones:
                yield (("levers", name, "effects", j, "zone"), zone, "unknown zone", zone_hint)
            if sector is not None and sector not in sectors:
                yield (("levers", name, "effects", j, "sector"), sector, "unknown sector",
                       sector_hint)


def _dates(sc: Scenario) -> Iterator[Found]:
    start, end = sc.meta.start, sc.meta.horizon_end
    window = f"a date between meta.start {start} and meta.horizon_end {end}"
    for i, p in enumerate(sc.pipeline):
        if not start <= p.planned <= end:
            yield (("pipeline", i, "planned"), p.planned, "date outside the horizon", window)
    for i, c in enumerate(sc.carriers):
        if c.opened is not None and c.opened > start:
            yield (("carriers", i, "opened"), c.opened,
                   "an existing carrier opens after the start",
                   f"a date on or before meta.start {start} (use pipeline for new ones)")
    for i, t in enumerate(sc.targets):
        if t.date == start:
            yield (("targets", i, "date"), t.date,
                   "a target on the start date is already decided by the baseline, not simulated",
                   f"a date after meta.start {start}, up to meta.horizon_end {end} (to check "
                   "the baseline itself, compare the figure with the carriers and stocks given)")
        elif not start < t.date <= end:
            yield (("targets", i, "date"), t.date, "date outside the horizon",
                   f"a date after meta.start {start}, up to meta.horizon_end {end}")
    for name, src in sc.firms.sources.items():
        for j, step in enumerate(src.steps):
            if not start <= step.start <= end:
                yield (("firms", "sources", name, "steps", j, "start"), step.start,
                       "date outside the horizon", window)


def _status_references(sc: Scenario) -> Iterator[Found]:
    known = set(sc.statuses)
    hint = f"one of the declared statuses: {', '.join(sorted(known)) or 'none'}"
    for sid, st in sc.statuses.items():
        for j, req in enumerate(st.eligibility.requires):
            if req not in known:
                yield (("statuses", sid, "eligibility", "requires", j), req, "unknown status",
                       hint)
        for j, other in enumerate(st.counts_as):
            if other not in known:
                yield (("statuses", sid, "counts_as", j), other, "unknown status", hint)
    for sid in _requirement_cycle(sc):
        yield (("statuses", sid, "eligibility", "requires"),
               list(sc.statuses[sid].eligibility.requires),
               "statuses require each other in a cycle", "requirements without cycles")
    for name, src in sc.firms.sources.items():
        for sid in src.statuses_at_arrival:
            if sid not in known:
                yield (("firms", "sources", name, "statuses_at_arrival", sid), sid,
                       "unknown status", hint)
    for name, grp in sc.firms.stock.items():
        for sid in grp.statuses:
            if sid not in known:
                yield (("firms", "stock", name, "statuses", sid), sid, "unknown status", hint)
    for sid in sc.firms.initial_incubatees.statuses:
        if sid not in known:
            yield (("firms", "initial_incubatees", "statuses", sid), sid, "unknown status", hint)


def _requirement_cycle(sc: Scenario) -> list[str]:
    graph = {sid: [r for r in st.eligibility.requires if r in sc.statuses]
             for sid, st in sc.statuses.items()}
    state: dict[str, int] = {}
    bad: list[str] = []

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return True
        if state.get(node) == 2:
            return False
        state[node] = 1
        cyclic = any(visit(n) for n in graph[node])
        state[node] = 2
        return cyclic

    for sid in graph:
        if sid not in state and visit(sid):
            bad.append(sid)
    return bad


def _since(sc: Scenario, i: int, t: Any, spec: Any) -> Iterator[Found]:
    """``since`` counts a cumulative metric from a date; before the start it needs the count."""
    if t.since is None:
        if t.count_before_start is not None:
            yield (("targets", i, "count_before_start"), t.count_before_start.value,
                   "count_before_start without since", "since: <the date the count starts>")
        return
    if spec.kind != "cumulative":
        yield (("targets", i, "since"), str(t.since), f"{t.metric} is not a cumulative count",
               "since only on a cumulative metric (entries_cum, graduates_cum, "
               "tech_firms_incubated_cum, hnte_from_incubated_cum, ...)")
    elif t.since > t.date:
        yield (("targets", i, "since"), str(t.since), "after the target's date",
               "a date on or before the target's date")
    elif t.since < sc.meta.start and t.count_before_start is None:
        yield (("targets", i, "since"), str(t.since),
               f"before the scenario start {sc.meta.start}: the count until then is not simulated",
               "count_before_start: {value: N, source: ...} (the count from since to the start)")
    elif t.since > sc.meta.start and t.count_before_start is not None:
        yield (("targets", i, "count_before_start"), t.count_before_start.value,
               f"since {t.since} is after the start: the whole count is simulated",
               "no count_before_start (or a since on or before the start)")
    elif t.since > sc.meta.horizon_end:
        yield (("targets", i, "since"), str(t.since), "after the horizon", "a date in it")


def _reading(sc: Scenario, i: int, t: Any) -> Iterator[Found]:
    """``reading_of`` names another target, which is itself a first reading."""
    if t.reading_of is None:
        return
    first = {u.id: u for u in sc.targets}.get(t.reading_of)
    if first is None or first.id == t.id:
        readings = ", ".join(u.id for u in sc.targets if u.reading_of is None and u.id != t.id)
        yield (("targets", i, "reading_of"), t.reading_of, "not another target of this scenario",
               f"the id of the target this one reads another way: one of {readings}")
    elif first.reading_of is not None:
        yield (("targets", i, "reading_of"), t.reading_of,
               f"{first.id} is itself a reading of {first.reading_of}",
               f"reading_of: {first.reading_of} (the first reading)")


def _targets(sc: Scenario) -> Iterator[Found]:
    for i, t in enumerate(sc.targets):
        spec = METRICS.get(t.metric)
        if spec is None:
            yield (("targets", i, "metric"), t.metric, "unknown metric",
                   f"one of: {', '.join(METRICS)}")
            continue
        for name, value in t.filters.active().items():
            if name not in spec.filters:
                allowed = ", ".join(sorted(spec.filters)) or "no filters"
                yield (("targets", i, "filters", name), value,
                       f"filter '{name}' does not apply to metric {t.metric}", allowed)
        f = t.filters
        for name, allowed_values in (("zone", sc.meta.zones), ("sector", sc.meta.sectors)):
            for j, v in enumerate(getattr(f, name) or ()):
                if v not in allowed_values:
                    yield (("targets", i, "filters", name, j), v, f"unknown {name}",
                           f"one of meta.{name}s: {', '.join(allowed_values)}")
        for j, sid in enumerate(f.statuses or ()):
            if sid not in sc.statuses:
                yield (("targets", i, "filters", "statuses", j), sid, "unknown status",
                       f"one of: {', '.join(sorted(sc.statuses))}")
        if t.metric == "status_valid" and not f.statuses:
            yield (("targets", i, "filters"), f.active(), "status_valid needs a statuses filter",
                   "filters: {statuses: [ID, ...]}")
        yield from _since(sc, i, t, spec)
        yield from _reading(sc, i, t)
        needed = STATUS_METRICS.get(t.metric)
        if needed is not None and needed not in sc.statuses:
            yield (("targets", i, "metric"), t.metric,
                   f"metric {t.metric} counts status '{needed}', which is not declared",
                   f"a statuses.{needed} section")


def capacity_problems(sc: Scenario) -> Iterator[Found]:
    """Carrier groups holding more incubatees than their slots."""
    for i, c in enumerate(sc.carriers):
        per_carrier = c.total_area.value / c.count / c.area_per_slot.value
        slots = math.floor(per_carrier) * c.count if math.isfinite(per_carrier) else math.inf
        if c.incubatees.value > slots:
            yield (("carriers", i, "incubatees", "value"), int(c.incubatees.value),
                   f"more incubatees than the {slots} slots of the group",
                   "incubatees <= total_area / area_per_slot")


def _lever_paths(sc: Scenario, raw: dict[str, Any]) -> Iterator[Found]:
    for name, lever in sc.levers.items():
        lo, hi = lever.bounds
        if not lo <= hi:
            yield (("levers", name, "bounds"), list(lever.bounds), "bounds are reversed",
                   "[low, high] with low <= high")
        for j, eff in enumerate(lever.effects):
            param = getattr(eff, "param", None)
            if param is None:
                continue
            try:
                paths.locate(raw, param)
            except paths.PathError as exc:
                yield (("levers", name, "effects", j, "param"), param, str(exc),
                       "a dotted path to a number of this scenario")


def _whole_numbers_only(raw: dict[str, Any], concrete: tuple[Any, ...]) -> bool:
    """Whether the parameter at ``concrete`` refuses a fractional value its current one allows."""
    from sim.scenario.variants import probe_value

    current = paths.get(raw, concrete)
    if not isinstance(current, int | float) or isinstance(current, bool):
        return False
    problem = probe_value(raw, concrete, float(current) + 0.5)
    return problem is not None and ("whole number" in problem or "integer" in problem)


def _uncertainty_paths(sc: Scenario, raw: dict[str, Any],
                       probe_supports: bool = True) -> Iterator[Found]:
    from sim.scenario.variants import probe_value

    owner: dict[tuple[Any, ...], str] = {}
    for name, unc in sc.uncertainties.items():
        lo, hi = unc.distribution.support
        for j, dotted in enumerate(unc.sets):
            where = ("uncertainties", name, "sets", j)
            try:
                concrete = paths.locate(raw, dotted)
            except paths.PathError as exc:
                yield (where, dotted, str(exc), "a dotted path to a number of this scenario")
                continue
            if concrete in owner:
                yield (where, dotted, f"already set by uncertainty '{owner[concrete]}'",
                       "each parameter drawn by one uncertainty")
            owner[concrete] = name
            for end in (lo, hi) if probe_supports else ():
                problem = probe_value(raw, concrete, unc.clean(end))
                if problem is not None:
                    yield (("uncertainties", name, "distribution"),
                           paths.get(raw, ("uncertainties", name, "distribution")),
                           f"can draw {end:g} for {dotted}, which it rejects: {problem}",
                           "a distribution within the parameter's allowed range")
                    break
            else:
                if probe_supports and not unc.integer and _whole_numbers_only(raw, concrete):
                    yield (("uncertainties", name, "sets", j), dotted,
                           f"{dotted} takes whole numbers only, and the draws are not rounded",
                           "'integer: true' on the uncertainty (draws rounded to whole numbers)")
