"""The public record: reading ``calibration/data/*.csv`` and deciding what each figure is for.

One CSV row per figure, with its source (calibration/README.md, "The record"). Columns:
``id, region, metric, filters, date, value, kind, source_title, source_url, source_date,
passage, confidence, use, note``; ``source_title`` and ``source_url`` name the page or
document the figure was read from (a legacy single ``source`` column is still read).

* ``metric`` is a name from ``sim.registry.METRICS`` (kinds ``stock`` and ``flow``), a counted
  flow of ``FLOW_METRICS`` (``hnte_certified``: certificates granted, first and renewed), a
  cohort statistic from ``COHORT_STATISTICS`` (kind ``ratio``), or any other identifier
  (``little_giants``, ``other:...``): such a figure is part of the record but outside the
  model, and is listed as such wherever it would be used.
* ``filters`` is compact: ``kind=incubator;level=national`` (a list with ``|``); each filter
  must be one the metric accepts.
* ``date`` is the date the figure refers to; a ``flow`` is over a period
  ``2021-01-01/2021-03-31`` (first and last day) and is the metric's change over it (for
  cumulative metrics: the number of new events), read at the month-end records.
* ``confidence`` sets the figure's standard error relative to its value (``CONFIDENCE_SD``).
* ``use``: ``evidence`` (an observed actual), ``input`` (the scenario built its baseline or a
  parameter from it), ``plan`` (a target or a ratio of targets: fitting to it would tune the
  model toward the plan), ``context`` (another region or scope).

The calibration protocol (docs/design.md section 6): a scenario is fitted only on evidence of its
own region dated after its base date and on or before its calibration cut-off
(``meta.calibration_cutoff``, default the base date; earlier figures enter through a
calibration scenario that starts from an earlier known state); every later figure is
validation only (``screen(..., purpose="check")``, the backtest). A malformed row raises
``FigureError`` naming the file, row, field and value.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.messages import COHORT_TEXT
from sim.metrics import Query
from sim.registry import METRICS
from sim.scenario import Scenario
from sim.scenario.schema import Filters

COHORT_STATISTICS = COHORT_TEXT
"""Cohort statistics an engine computes for calibration (``Result.cohort``), with labels
(the catalogue, sim/messages.py)."""

CONFIDENCE_SD: dict[str, float] = {
    "high": 0.05, "medium-high": 0.075, "medium": 0.10, "low-medium": 0.15, "low": 0.25,
}
"""Relative standard error of a figure by its stated confidence (assumption: a 'high' figure
from a statistical office is within ~5%, a 'low' one within ~25%, at one standard error)."""

@dataclass(frozen=True)
class FlowMetric:
    """A figure metric read from the engines' counted flows: the flows it sums, labels."""

    flows: tuple[str, ...]
    zh: str
    en: str


FLOW_METRICS: dict[str, FlowMetric] = {
    "hnte_certified": FlowMetric(("granted:hnte", "renewed:hnte"), "高新技术企业认定(含重新认定)",
                                 "HNTE certificates granted (first and renewed)"),
}
"""Figure metrics read from the engines' counted flows (``Result.flows``), with labels."""

KINDS = ("stock", "flow", "ratio")
USES = ("evidence", "input", "plan", "context")
REQUIRED = ("region", "metric", "filters", "date", "value", "kind", "confidence")
SOURCE_COLUMNS = ("source_title", "source_url")
OPTIONAL = ("id", "use", "note", "source", "source_title", "source_url", "source_date",
            "passage")
OUTSIDE_METRICS: dict[str, str] = {
    "little_giants": "national 专精特新'小巨人' firms",
    "specialised_sme": "专精特新 SMEs (municipal or provincial list)",
    "scale_hnte": "HNTE above designated size (规上)",
}
"""Figure metrics the record keeps that the model does not simulate (besides ``other:*``)."""
OTHER_METRIC = re.compile(r"^other:[a-z0-9_]+$")


class FigureError(ValueError):
    """A malformed figure: ``FILE:ROW: field: value: what is wrong (expected ...)``."""

    def __init__(self, file: str, row: int | None, field_: str, value: Any, what: str,
                 expected: str) -> None:
        where = f"{file}:{row}" if row is not None else file
        super().__init__(f"{where}: {field_}: {value!r}: {what} (expected {expected})")


@dataclass(frozen=True)
class Figure:
    """One observed figure."""

    id: str
    row: int
    region: str
    metric: str
    filters: dict[str, Any]
    date: dt.date
    value: float
    kind: str
    source_title: str
    source_url: str
    confidence: str
    use: str = "evidence"
    note: str = ""
    start: dt.date | None = None
    """Start of the period of a flow (the change from the end of this day to the end of date)."""
    filters_text: str = ""
    source_date: dt.date | None = None
    passage: str = ""

    @property
    def source(self) -> str:
        """Title and address of the source, as one line."""
        return " — ".join(x for x in (self.source_title, self.source_url) if x)

    @property
    def in_model(self) -> bool:
        """Whether the model simulates this figure's metric (else: outside the model)."""
        if self.kind == "ratio":
            return self.metric in COHORT_STATISTICS
        return self.metric in METRICS or self.metric in FLOW_METRICS

    @property
    def query(self) -> Query | None:
        """The metric query of a stock or flow figure of a registered metric (else None)."""
        if self.kind == "ratio" or self.metric not in METRICS:
            return None
        return Query.of(self.metric, self.filters)

    @property
    def sd(self) -> float:
        """Standard error of the figure (relative error from its confidence x |value|)."""
        return CONFIDENCE_SD[self.confidence] * max(abs(self.value), 1e-9)

    @property
    def date_text(self) -> str:
        """The date column as written (a period for flows)."""
        return f"{self.start}/{self.date}" if self.start else self.date.isoformat()

    def label(self, lang: str = "zh") -> str:
        """A short human label: metric (with filters) and date."""
        if self.kind == "ratio" and self.metric in COHORT_STATISTICS:
            zh, en = COHORT_STATISTICS[self.metric]
            name = zh if lang == "zh" else en
        elif self.metric in METRICS:
            spec = METRICS[self.metric]
            name = spec.zh if lang == "zh" else spec.en
        elif self.metric in FLOW_METRICS:
            fm = FLOW_METRICS[self.metric]
            name = fm.zh if lang == "zh" else fm.en
        else:
            name = self.metric
        filt = f" [{self.filters_text}]" if self.filters_text else ""
        return f"{name}{filt} {self.date_text}"


@dataclass(frozen=True)
class Screened:
    """A figure with the verdict for one scenario: can it inform the fit, and if not why."""

    figure: Figure
    usable: bool
    reason: str = ""


@dataclass
class FigureSet:
    """The figures of one data file, screened for one scenario."""

    path: Path
    screened: list[Screened] = field(default_factory=list)

    @property
    def usable(self) -> list[Figure]:
        """Figures that inform the fit."""
        return [s.figure for s in self.screened if s.usable]

    @property
    def unusable(self) -> list[Screened]:
        """Figures that do not, each with its reason."""
        return [s for s in self.screened if not s.usable]


def parse_filters(text: str, metric: str, file: str, row: int) -> dict[str, Any]:
    """``kind=incubator;level=national`` -> a dict checked against what ``metric`` accepts."""
    out: dict[str, Any] = {}
    text = text.strip()
    if not text:
        return out
    allowed = METRICS[metric].filters if metric in METRICS else frozenset()
    for part in text.split(";"):
        name, sep, raw = part.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not name or not raw:
            raise FigureError(file, row, "filters", text, f"'{part}' is not NAME=VALUE",
                              "filters like kind=incubator;level=national")
        if name not in allowed:
            raise FigureError(file, row, "filters", name,
                              f"unknown filter for metric {metric}",
                              f"one of {', '.join(sorted(allowed)) or 'no filters'}")
        values = [v.strip() for v in raw.split("|")]
        out[name] = values if len(values) > 1 else values[0]
    try:
        return Filters.model_validate(out).active()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0])
        raise FigureError(file, row, f"filters.{name}", out.get(name), "not a valid value",
                          err["msg"]) from None


def _date(text: str, file: str, row: int, column: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise FigureError(file, row, column, text, "not a calendar date",
                          "YYYY-MM-DD, or YYYY-MM-DD/YYYY-MM-DD for a flow") from None


def read_figures(path: str | Path) -> list[Figure]:
    """Read and check every row of a figures CSV (FigureError on the first bad field)."""
    p = Path(path)
    file = str(p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FigureError(file, None, "(file)", file, "file not found",
                          "a CSV of observed figures") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FigureError(file, None, "(file)", file, f"cannot read: {exc}",
                          "a UTF-8 CSV file") from None
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if "source" not in header and not all(c in header for c in SOURCE_COLUMNS):
        missing += [c for c in SOURCE_COLUMNS if c not in header]
    if missing:
        raise FigureError(file, 1, "(header)", ",".join(header), f"missing {', '.join(missing)}",
                          f"columns {', '.join(REQUIRED)} (optional {', '.join(OPTIONAL)})")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise FigureError(file, 1, "(header)", ",".join(unknown), "unknown column",
                          f"columns {', '.join(REQUIRED + OPTIONAL)}")
    out: list[Figure] = []
    seen: set[str] = set()
    for i, raw in enumerate(reader, start=2):
        rec = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        out.append(_figure(rec, file, i, seen))
    if not out:
        raise FigureError(file, None, "(rows)", "", "no figures", "at least one data row")
    return out


def _figure(rec: dict[str, str], file: str, row: int, seen: set[str]) -> Figure:
    """One checked row."""
    for col in REQUIRED:
        if col != "filters" and not rec.get(col):
            raise FigureError(file, row, col, rec.get(col, ""), "empty", f"a {col}")
    title = rec.get("source_title") or rec.get("source", "")
    url = rec.get("source_url", "")
    if not title:
        raise FigureError(file, row, "source_title", "", "empty",
                          "the title of the page or document the figure was read from")
    if "source_title" in rec and not url and not title.startswith(("derived:", "assumption:")):
        raise FigureError(file, row, "source_url", "", "empty",
                          "the public address the figure was read at")
    kind = rec["kind"]
    if kind not in KINDS:
        raise FigureError(file, row, "kind", kind, "unknown kind", " / ".join(KINDS))
    metric = rec["metric"]
    filters: dict[str, Any] = {}
    if metric in METRICS and kind != "ratio":
        filters = parse_filters(rec.get("filters", ""), metric, file, row)
    elif not (metric in FLOW_METRICS or metric in OUTSIDE_METRICS or OTHER_METRIC.match(metric)
              or (kind == "ratio" and metric in COHORT_STATISTICS)):
        what = ("unknown cohort statistic for a ratio figure" if kind == "ratio"
                else "unknown metric")
        raise FigureError(file, row, "metric", metric, what,
                          f"a registered metric ({', '.join(METRICS)}), "
                          f"{', '.join(FLOW_METRICS)}, a cohort statistic for a ratio "
                          f"({', '.join(COHORT_STATISTICS)}), one of "
                          f"{', '.join(OUTSIDE_METRICS)} or other:NAME (outside the model)")
    elif kind == "ratio" and metric in COHORT_STATISTICS and rec.get("filters"):
        raise FigureError(file, row, "filters", rec["filters"],
                          "cohort statistics take no filters", "an empty filters column")
    start: dt.date | None = None
    date_text = rec["date"]
    if "/" in date_text:
        if kind != "flow":
            raise FigureError(file, row, "date", date_text, f"a period for a {kind} figure",
                              "one date (a period only for kind flow)")
        a, _, b = date_text.partition("/")
        start, date = _date(a, file, row), _date(b, file, row)
        if not start < date:
            raise FigureError(file, row, "date", date_text, "the period is empty",
                              "START/END with START before END")
    else:
        date = _date(date_text, file, row)
        if kind == "flow":
            raise FigureError(file, row, "date", date_text, "a flow needs its period",
                              "START/END, e.g. 2021-01-01/2021-03-31")
    try:
        value = float(rec["value"].replace(",", ""))
    except ValueError:
        raise FigureError(file, row, "value", rec["value"], "not a number",
                          "a number such as 3786 or 0.8342") from None
    if not math.isfinite(value):
        raise FigureError(file, row, "value", rec["value"], "not finite", "a finite number")
    if kind != "flow" and value < 0:
        raise FigureError(file, row, "value", rec["value"], "negative",
                          "a non-negative stock or ratio")
    conf = rec["confidence"]
    if conf not in CONFIDENCE_SD:
        raise FigureError(file, row, "confidence", conf, "unknown confidence",
                          " / ".join(CONFIDENCE_SD))
    use = rec.get("use") or "evidence"
    if use not in USES:
        raise FigureError(file, row, "use", use, "unknown use", " / ".join(USES))
    note = rec.get("note", "")
    if use != "evidence" and not note:
        raise FigureError(file, row, "note", "", f"a figure marked '{use}' needs a note",
                          "why the figure is not evidence")
    fid = rec.get("id") or f"row{row}"
    if fid in seen:
        raise FigureError(file, row, "id", fid, "duplicate id", "each id once")
    seen.add(fid)
    source_date = None
    if rec.get("source_date"):
        text = rec["source_date"]
        if re.fullmatch(r"\d{4}-\d{2}", text):  # a month: its first day
            text += "-01"
        source_date = _date(text, file, row, "source_date")
    return Figure(id=fid, row=row, region=rec["region"], metric=metric, filters=filters,
                  date=date, value=value, kind=kind, source_title=title, source_url=url,
                  confidence=conf, use=use, note=note, start=start,
                  filters_text=rec.get("filters", ""), source_date=source_date,
                  passage=rec.get("passage", ""))


USE_REASON = {
    "input": "the scenario is built from it (baseline or parameter)",
    "plan": "derived from the plan's own targets; fitting to it would tune toward the target",
    "context": "another region or scope; kept for reference",
}


def of_region(figure: Figure, scenario: Scenario) -> bool:
    """Whether a figure describes the scenario's region (北碚区 for 重庆市北碚区)."""
    return bool(figure.region) and scenario.meta.region.zh.endswith(figure.region)


def screen(figures: list[Figure], scenario: Scenario, path: str | Path = "<figures>",
           cohort_available: bool = True, selected: Sequence[str] | None = None,
           purpose: str = "fit") -> FigureSet:
    """What each figure can do for ``scenario``: inform a fit, or check it; else why not.

    ``purpose="fit"``: evidence of the scenario's region, of a metric the model simulates,
    dated after the base date and on or before the calibration cut-off (and the horizon).
    ``purpose="check"`` (the backtest): the same, dated after the cut-off and within the
    horizon. ``selected`` (figure ids) restricts a fit to those figures; the others are
    reported as not selected, as are figures filtered on zones or sectors the scenario does
    not declare.
    """
    base = scenario.meta.base_date
    cutoff = scenario.meta.cutoff
    end = scenario.meta.horizon_end
    out = FigureSet(Path(path))
    vocab = {"zone": set(scenario.meta.zones), "sector": set(scenario.meta.sectors)}
    for f in figures:
        foreign = [f"{name}={v}" for name in ("zone", "sector") if name in f.filters
                   for v in (f.filters[name] if isinstance(f.filters[name], list | tuple)
                             else [f.filters[name]]) if v not in vocab[name]]
        if foreign:
            out.screened.append(Screened(f, False, f"filter {foreign[0]} names no zone or "
                                                   f"sector of scenario {scenario.meta.id}"))
            continue
        out.screened.append(_verdict(f, scenario, base, cutoff, end, purpose,
                                     cohort_available, selected))
    return out


def _verdict(f: Figure, scenario: Scenario, base: dt.date, cutoff: dt.date, end: dt.date,
             purpose: str, cohort_available: bool, selected: Sequence[str] | None) -> Screened:
    """One figure's verdict for a fit or a check of ``scenario``."""
    if f.use != "evidence":
        return Screened(f, False, f"{f.use}: {USE_REASON[f.use]} ({f.note})")
    if not of_region(f, scenario):
        return Screened(f, False, f"about {f.region}, not {scenario.meta.region.zh}")
    if not f.in_model:
        return Screened(f, False, f"metric {f.metric} is outside the model")
    first = f.start if f.start is not None else f.date
    if purpose == "fit":
        if f.date <= base:
            return Screened(f, False, f"dated {f.date}, at or before the base date {base}: "
                                      "the baseline's input (a calibration scenario that "
                                      "starts earlier can fit it)")
        if f.start is not None and f.start < scenario.meta.start:
            return Screened(f, False, f"the period starts {f.start}, before the start "
                                      f"{scenario.meta.start}: partly a baseline input")
        if f.date > cutoff:
            return Screened(f, False, f"dated {f.date}, after the calibration cut-off "
                                      f"{cutoff}: validation only, never fitted")
    else:
        if f.date <= cutoff or first <= cutoff:
            return Screened(f, False, f"dated {f.date}, on or before the cut-off {cutoff}: "
                                      "fitting data, not a test")
    if f.date > end:
        return Screened(f, False, f"dated {f.date}, after the horizon {end}: outside the "
                                  "simulated window")
    if f.kind == "ratio" and not cohort_available:
        return Screened(f, False, f"cohort statistic {f.metric} is not computed by this "
                                  "engine (use --engine reference)")
    if selected is not None and f.id not in selected:
        return Screened(f, False, "usable, but not selected for this fit (--figures)")
    return Screened(f, True)
