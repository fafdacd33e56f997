"""Observed figures: reading ``calibration/data/*.csv`` and deciding which can inform a fit.

One CSV row per figure. Required columns: ``region, metric, filters, date, value, kind,
source, confidence``; optional ``id`` (default ``row<N>``), ``use`` (default ``evidence``) and
``note``.

* ``metric`` is a name from ``sim.registry.METRICS`` (kinds ``stock`` and ``flow``) or a cohort
  statistic from ``COHORT_STATISTICS`` (kind ``ratio``).
* ``filters`` is compact: ``kind=incubator;level=national`` (a list with ``|``:
  ``kind=incubator|maker_space``); each filter must be one the metric accepts.
* ``date`` is an ISO date; a ``flow`` is over a period ``2021-01-01/2021-03-31`` (first and
  last day) and is the metric's change over it (for cumulative metrics: the number of new
  events), read at the month-end records at or before each end.
* ``confidence`` is one of ``CONFIDENCE_SD`` and sets the figure's standard error relative to
  its value (the SMM weight is the inverse variance).
* ``use``: ``evidence`` (a fit may use it), ``input`` (the scenario built its baseline or a
  parameter from it), ``plan`` (derived from the plan's own targets: fitting to it would tune
  the model toward the target), ``context`` (another region or scope, kept for reference).

A malformed row raises ``FigureError`` naming the file, row, field and value. ``screen`` then
says, for one scenario, which figures can inform the fit and why each other one cannot (a
figure dated at or before the base date is a baseline input, not evidence).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.metrics import Query
from sim.registry import METRICS
from sim.scenario import Scenario
from sim.scenario.schema import Filters

COHORT_STATISTICS: dict[str, tuple[str, str]] = {
    "graduate_tenure_mean_years": ("毕业企业平均在孵时间(年)",
                                   "Mean time in carrier of graduates (years)"),
    "graduate_tenure_median_years": ("毕业企业在孵时间中位数(年)",
                                     "Median time in carrier of graduates (years)"),
    "graduation_share_of_exits": ("离孵企业中毕业的比例",
                                  "Share of carrier exits that are graduations"),
    "survival_3y_new_firms": ("新设企业三年存活率", "3-year survival of new firms"),
    "share_incubatees_tech_firm": ("在孵企业成为科技型企业的比例",
                                   "Share of incubated firms that became tech firms"),
    "area_per_incubatee": ("每个在孵企业面积(平方米)", "Area per incubatee (m²)"),
}
"""Cohort statistics an engine computes for calibration (``Result.cohort``), with labels."""

CONFIDENCE_SD: dict[str, float] = {
    "high": 0.05, "medium-high": 0.075, "medium": 0.10, "low-medium": 0.15, "low": 0.25,
}
"""Relative standard error of a figure by its stated confidence (assumption: a 'high' figure
from a statistical office is within ~5%, a 'low' one within ~25%, at one standard error)."""

KINDS = ("stock", "flow", "ratio")
USES = ("evidence", "input", "plan", "context")
REQUIRED = ("region", "metric", "filters", "date", "value", "kind", "source", "confidence")
OPTIONAL = ("id", "use", "note")


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
    source: str
    confidence: str
    use: str = "evidence"
    note: str = ""
    start: dt.date | None = None
    """Start of the period of a flow (the change from the end of this day to the end of date)."""
    filters_text: str = ""

    @property
    def query(self) -> Query | None:
        """The metric query of a stock or flow figure (None for a cohort ratio)."""
        return None if self.kind == "ratio" else Query.of(self.metric, self.filters)

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
        if self.kind == "ratio":
            zh, en = COHORT_STATISTICS[self.metric]
            name = zh if lang == "zh" else en
        else:
            spec = METRICS[self.metric]
            name = spec.zh if lang == "zh" else spec.en
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


def _date(text: str, file: str, row: int) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise FigureError(file, row, "date", text, "not a calendar date",
                          "YYYY-MM-DD, or YYYY-MM-DD/YYYY-MM-DD for a flow") from None


def read_figures(path: str | Path) -> list[Figure]:
    """Read and check every row of a figures CSV (FigureError on the first bad field)."""
    p = Path(path)
    file = str(p)
    try:
        text = p.read_text(encoding="utf-8")
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
    kind = rec["kind"]
    if kind not in KINDS:
        raise FigureError(file, row, "kind", kind, "unknown kind", " / ".join(KINDS))
    metric = rec["metric"]
    if kind == "ratio":
        if metric not in COHORT_STATISTICS:
            raise FigureError(file, row, "metric", metric,
                              "unknown cohort statistic for a ratio figure",
                              f"one of {', '.join(COHORT_STATISTICS)}")
        if rec.get("filters"):
            raise FigureError(file, row, "filters", rec["filters"],
                              "cohort statistics take no filters", "an empty filters column")
        filters: dict[str, Any] = {}
    else:
        if metric not in METRICS:
            raise FigureError(file, row, "metric", metric, "unknown metric",
                              f"a registered metric: {', '.join(METRICS)}")
        filters = parse_filters(rec.get("filters", ""), metric, file, row)
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
    return Figure(id=fid, row=row, region=rec["region"], metric=metric, filters=filters,
                  date=date, value=value, kind=kind, source=rec["source"], confidence=conf,
                  use=use, note=note, start=start, filters_text=rec.get("filters", ""))


USE_REASON = {
    "input": "the scenario is built from it (baseline or parameter)",
    "plan": "derived from the plan's own targets; fitting to it would tune toward the target",
    "context": "another region or scope; kept for reference",
}


def screen(figures: list[Figure], scenario: Scenario, path: str | Path = "<figures>",
           cohort_available: bool = True,
           selected: Sequence[str] | None = None) -> FigureSet:
    """Which figures can inform a fit of ``scenario``; every other one with its reason.

    ``selected`` (figure ids) restricts the fit to those figures; the others are reported as
    not selected.

    Filter values naming zones or sectors the scenario does not declare raise FigureError.
    """
    base = scenario.meta.start - dt.timedelta(days=1)
    end = scenario.meta.horizon_end
    out = FigureSet(Path(path))
    vocab = {"zone": set(scenario.meta.zones), "sector": set(scenario.meta.sectors)}
    for f in figures:
        for name in ("zone", "sector"):
            if name in f.filters:
                got = f.filters[name]
                vals = list(got) if isinstance(got, list | tuple) else [got]
                bad = [v for v in vals if v not in vocab[name]]
                if bad:
                    raise FigureError(str(path), f.row, f"filters.{name}", bad[0],
                                      f"not a {name} of scenario {scenario.meta.id}",
                                      f"one of {', '.join(sorted(vocab[name]))}")
        if f.use != "evidence":
            out.screened.append(Screened(f, False, f"{f.use}: {USE_REASON[f.use]} ({f.note})"))
        elif f.date <= base:
            out.screened.append(Screened(
                f, False, f"dated {f.date}, at or before the base date {base}: a baseline "
                          "input, not evidence"))
        elif f.start is not None and f.start < scenario.meta.start:
            out.screened.append(Screened(
                f, False, f"the period starts {f.start}, before the start "
                          f"{scenario.meta.start}: partly a baseline input"))
        elif f.date > end:
            out.screened.append(Screened(
                f, False, f"dated {f.date}, after the horizon {end}: outside the simulated "
                          "window"))
        elif f.kind == "ratio" and not cohort_available:
            out.screened.append(Screened(
                f, False, f"cohort statistic {f.metric} is not computed by this engine "
                          "(use --engine reference)"))
        elif selected is not None and f.id not in selected:
            out.screened.append(Screened(f, False, "usable, but not selected for this fit "
                                                   "(--figures)"))
        else:
            out.screened.append(Screened(f, True))
    return out
