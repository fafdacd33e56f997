"""Mid-term review: a scenario that starts at a date from the observed state.

``python run_sim.py update SCENARIO --at DATE --out NEW.yaml`` writes a scenario that includes
the original (so its rules, hazards, statuses, levers and sources stay one definition) and
replaces what a start at DATE changes:

* **the state at DATE.** Every figure of the region's record dated on or before DATE (the
  latest of each series, ``use: evidence``) that the model can take replaces the simulated
  value: the registration database's count (``statuses.tech_firm.registered_at_start``), the
  HNTE stock and the valid tech-firm stock (the stock groups holding them are scaled to it).
  Everything else is carried from the original scenario's simulation to DATE: the replication
  nearest the medians (each scaled by its interquartile range) of the key metrics and of
  every metric a remaining target is judged on (carriers with their level, tags, area,
  occupants, graduates and entries; the region's firms outside carriers by stage and
  statuses held, as stock groups).
  Every figure of the new file says which it is: a row of the record, or ``derived: carried
  from ...``.
* **what is left of the plan.** Pipeline projects planned after DATE stay (those planned
  earlier either opened in the carried replication or did not); inflows continue at their
  grown rate; targets dated after DATE stay, a doubling of the old base date becomes its
  value (2 x the original baseline), so the target means what the plan wrote.

Simplifications, said in the file: certificate dates of the carried firms are spread evenly
over their validity; the occupants' statuses at the new start follow the original shares.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim import atomic, rng
from sim.batch import evaluate
from sim.calibration.figures import Figure, of_region
from sim.engines.reference import simulate as reference
from sim.messages import UPDATE_TEXT, label
from sim.metrics import Query
from sim.scenario import Scenario, to_data, validate_data
from sim.targets import query_of

KEY_QUERIES = ("area", "carriers", "in_incubation", "hnte_valid", "tech_firms_valid",
               "tech_firms_registered_cum", "firms")
"""What the representative replication is chosen on (each scaled by its spread)."""
APPLIED = ("tech_firms_registered_cum", "hnte_valid", "tech_firms_valid")
"""Record metrics the new start takes directly (unfiltered stocks)."""

TEXT = UPDATE_TEXT
"""The names and notes this module writes (the catalogue, sim/messages.py)."""


class UpdateError(ValueError):
    """An update that cannot be done as asked (one line, exit 2)."""


@dataclass
class Update:
    """What the new scenario is made of, for its file and the report."""

    data: dict[str, Any]
    observed: list[tuple[Figure, str]] = field(default_factory=list)
    """Figures of the record applied, with what they set."""
    not_applied: list[tuple[Figure, str]] = field(default_factory=list)
    carried_from: str = ""


def _carried_label(stage: str, held: tuple[str, ...], lang: str) -> str:
    """A carried stock group's name: its stage and the certificates its firms hold."""
    sep = label(TEXT, "held_separator", lang)
    return label(TEXT, "carried", lang, stage=stage, held=sep + sep.join(held) if held else "")


def _until(sc: Scenario, at: dt.date) -> Scenario:
    """The original scenario run only to the end of ``at`` (targets after it dropped)."""
    data = to_data(sc)
    data["meta"]["horizon_end"] = at.isoformat()
    data["meta"].pop("calibration_cutoff", None)
    kept = [t for t in data["targets"] if dt.date.fromisoformat(str(t["date"])) <= at]
    if not kept:
        first = dict(data["targets"][0])
        first.pop("double_of", None)
        first.pop("relative_to", None)
        first.update({"date": at.isoformat(), "value": 0, "op": ">="})
        kept = [first]
    data["targets"] = kept
    # projects planned after the date have not opened by it (they stay in the new scenario)
    pipeline = data.get("pipeline") or []
    data["pipeline"] = [p for p in pipeline if dt.date.fromisoformat(str(p["planned"])) <= at]
    gone = {f"pipeline.{p['id']}." for p in pipeline} - {f"pipeline.{p['id']}." for p in
                                                          data["pipeline"]}
    for name, u in list((data.get("uncertainties") or {}).items()):
        u["sets"] = [path for path in u["sets"] if not path.startswith(tuple(gone))]
        if not u["sets"]:
            del data["uncertainties"][name]
    return validate_data(data, default_file=f"<{sc.meta.id} to {at}>")


def representative(sc: Scenario, reps: int, seed: int, backend: Any = "serial",
                   workers: int = 2, extra: Sequence[Query] = ()) -> tuple[int, dict[str, float]]:
    """The replication nearest the medians of the key metrics at the end, and the medians.

    ``extra`` adds the metrics the remaining targets are judged on: a state that is carried
    rather than observed (little giants, above-scale HNTE, ...) then starts near its median
    instead of wherever the key metrics happened to put it.
    """
    qs = list(dict.fromkeys([*(Query.of(m) for m in KEY_QUERIES), *extra]))
    res = evaluate(sc, reps, seed=seed, backend=backend, workers=workers, queries=qs)
    ends = np.column_stack([res.series[q.key][:, -1] for q in qs])
    med = np.median(ends, axis=0)
    spread = np.maximum(np.percentile(ends, 75, axis=0) - np.percentile(ends, 25, axis=0), 1.0)
    dist = np.sum(((ends - med) / spread) ** 2, axis=1)
    medians = {q.key: float(m) for q, m in zip(qs, med, strict=True)}
    return int(res.reps[int(np.argmin(dist))]), medians


def _years_to_date(sc: Scenario, t: float) -> dt.date:
    return sc.meta.start + dt.timedelta(days=round(t * 365.25))


def _carriers(sc: Scenario, world: Any, source: str) -> list[dict[str, Any]]:
    out = []
    for c in world.open_carriers:
        area = round(c.area, 2)
        # the slots are recomputed as floor(area / area_per_slot): rounding the ratio down
        # keeps them the simulated ones (a full carrier must not lose a slot to rounding)
        per_slot = math.floor(area / c.slots * 1e6) / 1e6 if c.slots > 0 else area
        out.append({
            "id": c.id.replace("#", "_").replace("@", "_at_").lower(),
            "kind": c.kind, "level": c.level, "tags": sorted(c.tags),
            **({"zone": c.zone} if c.zone else {}), **({"sector": c.sector} if c.sector else {}),
            "total_area": {"value": area, "source": source},
            "area_per_slot": {"value": per_slot, "source": source},
            "opened": _years_to_date(sc, c.opened_at).isoformat(),
            "incubatees": {"value": len(c.occupants), "source": source},
            "graduates_cum": {"value": c.graduates_cum, "source": source},
            "entries_cum": {"value": c.entries_cum, "source": source},
            "source": source})
    return out


def _stock(sc: Scenario, world: Any, source: str) -> dict[str, dict[str, Any]]:
    """Firms of the region outside carriers, grouped by stage and statuses held."""
    groups: dict[tuple[str, tuple[str, ...]], list[Any]] = defaultdict(list)
    now = world.now
    for f in world.region.values():
        if f.location == "carrier" or f.stage == "team" or f.incorporated_at is None:
            continue
        groups[(f.stage, tuple(sorted(f.valid)))].append(f)
    out: dict[str, dict[str, Any]] = {}
    for (stage, held), firms in sorted(groups.items()):
        name = "carried_" + stage + ("_" + "_".join(held) if held else "_unregistered")
        ages = np.array([now - f.incorporated_at for f in firms])
        sectors = Counter(f.sector for f in firms)
        out[name] = {
            "label": {lang: _carried_label(stage, held, lang) for lang in ("zh", "en")},
            "count": {"value": len(firms), "source": source},
            "stage": stage,
            "sector_mix": dict(sorted(sectors.items())),
            "age_years": {"dist": "uniform", "low": round(float(max(ages.min(), 0.0)), 3),
                          "high": round(float(max(ages.max(), ages.min() + 0.01)), 3),
                          "source": source},
            "statuses": {sid: {"share": {"value": 1, "source": source},
                               "issued": "spread_by_growth",
                               "growth_per_year": {"value": 0.0, "source": "assumption: the "
                                                   "carried certificates' dates are spread "
                                                   "evenly over their validity"}}
                         for sid in held},
            "source": source}
    return out


def _latest(record: list[Figure], sc: Scenario, at: dt.date) -> dict[str, Figure]:
    """The latest evidence of each directly applicable metric dated on or before ``at``."""
    best: dict[str, Figure] = {}
    for f in record:
        if (f.use == "evidence" and f.kind == "stock" and not f.filters_text
                and f.metric in APPLIED and f.date <= at and of_region(f, sc)
                and (f.metric not in best or f.date > best[f.metric].date)):
            best[f.metric] = f
    return best


def cite(fig: Figure, record_name: str) -> str:
    """A figure's source as a scenario source: the data row, then the document."""
    row = f"{record_name} {fig.id} ({fig.date}): {fig.source}"
    return row if record_name.startswith("calibration/") else f"derived: observed in {row}"


def _scale_holders(stock: dict[str, dict[str, Any]], sid: str, target: float,
                   occupants_holding: int, fig: Figure, record_name: str) -> str:
    """Scale the stock groups holding ``sid`` so the region's holders total ``target``."""
    names = [n for n, g in stock.items() if sid in g["statuses"]]
    held = sum(stock[n]["count"]["value"] for n in names)
    want = max(0.0, target - occupants_holding)
    if held <= 0 or not names:
        return f"no carried group holds {sid}: not applied"
    factor = want / held
    for n in names:
        stock[n]["count"] = {"value": round(stock[n]["count"]["value"] * factor),
                             "source": f"{cite(fig, record_name)}; {fig.value:,.0f} minus "
                                       f"{occupants_holding} expected in carriers; carried group "
                                       f"scaled by {factor:.3f}"}
    return f"stock groups holding {sid} scaled by {factor:.3f}"


def build(sc: Scenario, include: str, at: dt.date, record: list[Figure], *, reps: int = 100,
          seed: int = 0, backend: Any = "serial", workers: int = 2,
          scenario_label: str = "", record_name: str = "calibration/data") -> Update:
    """The new scenario's data (a file that includes the original)."""
    if not sc.meta.start < at < sc.meta.horizon_end:
        raise UpdateError(f"--at: {at}: outside the scenario's period ({sc.meta.start} .. "
                          f"{sc.meta.horizon_end}) (expected a date inside it)")
    short = _until(sc, at)
    remaining = [query_of(t) for t in sc.targets if t.date > at]
    rep, medians = representative(short, reps, seed, backend, workers, extra=remaining)
    result = reference(short, rng.replication(seed, rep), keep_world=True)
    world = result.world
    carried = (f"derived: carried from {reps} replications of {scenario_label} (seed {seed}) "
               f"to {at}: replication {rep}, the nearest the medians of "
               f"{', '.join(medians)}")
    upd = Update(data={}, carried_from=carried)
    # each carried figure cites the run briefly; the header states the whole derivation
    carried = (f"derived: carried, replication {rep} of {reps} of {scenario_label} (seed {seed}) "
               f"at {at} (see the file's header)")
    stock = _stock(sc, world, carried)
    latest = _latest(record, sc, at)
    statuses: dict[str, Any] = {}
    in_carrier = [world.firms[i] for c in world.open_carriers for i in c.occupants]
    for metric, fig in sorted(latest.items()):
        if metric == "tech_firms_registered_cum":
            statuses.setdefault("tech_firm", {})["registered_at_start"] = {
                "value": int(fig.value), "source": cite(fig, record_name)}
            upd.observed.append((fig, "statuses.tech_firm.registered_at_start"))
        else:
            sid = "hnte" if metric == "hnte_valid" else "tech_firm"
            # occupants at the new start draw their statuses from the initial incubatees'
            # shares: the stock groups make up the rest of the observed total (in expectation)
            held = sc.firms.initial_incubatees.statuses.get(sid)
            holding = round(len(in_carrier) * (held.share.value if held is not None else 0.0))
            what = _scale_holders(stock, sid, fig.value, holding, fig, record_name)
            (upd.observed if "scaled" in what else upd.not_applied).append((fig, what))
    if "tech_firms_registered_cum" not in latest and "tech_firm" in sc.statuses:
        base = sc.statuses["tech_firm"].registered_at_start
        value = world.registered[0] + world.registered[1]
        if base is not None:
            value = int(base.value) + world.registered[1]
        statuses.setdefault("tech_firm", {})["registered_at_start"] = {
            "value": int(value), "source": carried}
    for f in record:
        if (f.use == "evidence" and f.date <= at and of_region(f, sc) and f.date > sc.meta.start
                and f not in latest.values()):
            upd.not_applied.append((f, "not a state the new start takes directly, or an "
                                       "earlier figure of a series"))
    elapsed = at.toordinal() - sc.meta.base_date.toordinal()
    sources: dict[str, Any] = {}
    for name, src in sc.firms.sources.items():
        g = src.growth.value if src.growth is not None else 0.0
        if g:
            sources[name] = {"rate": {"value": round(src.rate.value * (1 + g) ** (elapsed / 365.25),
                                                     6),
                                      "source": f"derived: {src.rate.value:g} grown at {g:g} a "
                                                f"year to {at} ({src.rate.source})"}}
    new_start = at + dt.timedelta(days=1)
    for name, src_data in to_data(sc)["firms"].get("sources", {}).items():
        steps = src_data.get("steps") or []
        if any(dt.date.fromisoformat(str(st["start"])) < new_start for st in steps):
            # a step in force before the new start is in force from it (same index: the
            # uncertainties that set a step's multiplier keep pointing at it)
            clamped = [{**st, "start": max(dt.date.fromisoformat(str(st["start"])),
                                           new_start).isoformat()} for st in steps]
            sources.setdefault(name, {})["steps"] = clamped
    pipeline = [p for p in to_data(sc).get("pipeline", [])
                if dt.date.fromisoformat(str(p["planned"])) > at]
    kept_ids = {p["id"] for p in pipeline}
    uncertainties: dict[str, Any] = {}
    for name, u in sc.uncertainties.items():
        sets = [s for s in u.sets if not s.startswith("pipeline.")
                or s.split(".")[1] in kept_ids]
        if len(sets) != len(u.sets):
            uncertainties[name] = {"sets": sets} if sets else None
    targets = []
    base_values = {}
    for t in sc.targets:
        if t.date <= at:
            continue
        item = to_data(sc)["targets"][[x.id for x in sc.targets].index(t.id)]
        if t.double_of == "baseline" or t.relative_to == "baseline":
            key = Query.of(t.metric, t.filters)
            base_draws = evaluate(sc, min(reps, 40), seed=seed, backend=backend,
                                  workers=workers, queries=[key]).series[key.key][:, 0]
            start_value = float(np.median(base_draws))
            base_values[t.id] = start_value
            if t.double_of == "baseline":
                absolute = 2.0 * start_value
                was = f"double_of: baseline ({sc.meta.base_date}); 2 x {start_value:,.0f}"
            else:
                assert t.value is not None
                absolute = start_value + t.value
                was = (f"relative_to: baseline ({sc.meta.base_date}); {start_value:,.0f} + "
                       f"{t.value:,.0f}")
            item.pop("double_of", None)
            item.pop("relative_to", None)
            item["value"] = round(absolute, 2)
            item["note"] = {lang: label(TEXT, "was", lang, was=was) for lang in ("zh", "en")}
        targets.append(item)
    kept_ids = {item["id"] for item in targets}
    for item in targets:  # a reading of a target that is no longer there stands on its own
        if item.get("reading_of") not in (None, *kept_ids):
            item.pop("reading_of")
    if not targets:
        raise UpdateError(f"--at: {at}: no target of the scenario is dated after it (expected a "
                          "date before the plan's last target)")
    upd.data = {
        "include": [include],
        "meta": {"id": f"{sc.meta.id}_midterm",
                 "name": {"zh": label(TEXT, "midterm_name", "zh", name=sc.meta.name.zh, at=at),
                          "en": label(TEXT, "midterm_name", "en", name=sc.meta.name.en, at=at)},
                 "start": new_start.isoformat(), "calibration_cutoff": at.isoformat()},
        # lists restated in full replace the original's (lists of items with ids merge by
        # id on include otherwise: scenarios/README.md)
        "carriers": {"replace": _carriers(sc, world, carried)},
        "pipeline": {"replace": pipeline},
        "firms": {"stock": {**{n: None for n in sc.firms.stock}, **stock},
                  **({"sources": sources} if sources else {})},
        **({"statuses": statuses} if statuses else {}),
        **({"uncertainties": uncertainties} if uncertainties else {}),
        "targets": {"replace": targets},
    }
    return upd


def header(upd: Update, command: str) -> list[str]:
    """The comment header: what is observed, what is carried, what is simplified."""
    lines = [f"Mid-term review written by: {command}",
             "It includes the original scenario and replaces the state at the new start.",
             "Observed (the record, dated on or before the new base date):"]
    lines += [f"  {f.id} {f.metric} {f.value:,.6g} at {f.date}: {what} "
              f"[{f.source_title} — {f.source_url}]" for f, what in upd.observed] or ["  none"]
    lines += ["Carried from the original scenario's simulation (everything else):",
              f"  {upd.carried_from}",
              "Not applied (figures of the record the new start does not take directly):"]
    lines += [f"  {f.id} {f.metric} {f.date}: {why}" for f, why in upd.not_applied] or ["  none"]
    lines += ["Simplifications: carried certificates' dates spread evenly over their validity; "
              "occupants' statuses at the new start follow the original shares; pipeline "
              "projects planned before the new start opened in the carried replication or "
              "are dropped."]
    return lines


def write(upd: Update, out: Path, command: str) -> None:
    """The YAML file: header, then the data."""
    body = yaml.safe_dump(upd.data, allow_unicode=True, sort_keys=False, width=100,
                          default_flow_style=None)
    text = "".join(f"# {ln}\n" for ln in header(upd, command)) + body
    atomic.write_text(out, text)


def relative_include(original: Path, out: Path) -> str:
    """The include path of the original, relative to the new file's folder."""
    return os.path.relpath(original.resolve(), out.resolve().parent)

