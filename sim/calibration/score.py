"""How the plans ended: the model's ex-ante probabilities scored against what happened.

For each ended plan, ``calibration/outcomes/<region>.csv`` holds what was published about each
target: ``met``, ``missed``, a ``value`` from which met or missed follows, or ``unknown``. The
ex-ante forecast is the shipped scenario as calibrated to its cut-off: P(met) over its
replications. Scores over every target with a known outcome:

* the Brier score, mean (p - o)^2, and Murphy's decomposition over probability bins:
  reliability (how far the forecast in each bin is from the observed frequency, lower is
  better), resolution (how far the bins' frequencies are from the overall one, higher is
  better) and uncertainty, BS = REL - RES + UNC when the forecasts in a bin are equal;
* beside two naive forecasters: always 50%, and the persistence of the pre-plan trend (met
  if the straight line through the last two figures of the target's series before the cut-off,
  else the scenario's stated baseline held flat, reaches the target by its date: P = 1 or 0).

A published value decides the target only when it refers to the target's date, or, for a
cumulative metric (which never decreases), when it already meets the target earlier; other
values are listed as interim, not scored.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.calibration.backtest import naive_forecast
from sim.calibration.figures import CONFIDENCE_SD, Figure, FigureError
from sim.messages import OUTCOME_TEXT
from sim.registry import METRICS
from sim.scenario import Scenario
from sim.scenario.schema import Target

STATUSES = ("met", "missed", "value", "unknown")
COLUMNS = ("target_id", "status", "value", "date", "source_title", "source_url", "source_date",
           "passage", "confidence", "note")
BINS = 10


@dataclass(frozen=True)
class Outcome:
    """What was published about one target."""

    target_id: str
    status: str
    value: float | None
    date: dt.date | None
    source_title: str
    source_url: str
    confidence: str
    note: str


def read_outcomes(path: Path) -> list[Outcome]:
    """Read and check an outcomes file (FigureError naming file, row, field, value)."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise FigureError(file, None, "(file)", file, f"cannot read: {exc}",
                          "a UTF-8 CSV of published outcomes") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise FigureError(file, 1, "(header)", ",".join(reader.fieldnames or []),
                          f"missing {', '.join(missing)}", f"columns {', '.join(COLUMNS)}")
    out = []
    for row, rec in enumerate(reader, start=2):
        status = (rec["status"] or "").strip()
        if status not in STATUSES:
            raise FigureError(file, row, "status", status, "unknown status", " / ".join(STATUSES))
        value = None
        if (rec["value"] or "").strip():
            try:
                value = float(rec["value"].replace(",", ""))
            except ValueError:
                raise FigureError(file, row, "value", rec["value"], "not a number",
                                  "a number such as 1100") from None
        if status == "value" and value is None:
            raise FigureError(file, row, "value", "", "status 'value' needs a value",
                              "the published value")
        date = None
        if (rec["date"] or "").strip():
            try:
                date = dt.date.fromisoformat(rec["date"].strip())
            except ValueError:
                raise FigureError(file, row, "date", rec["date"], "not a calendar date",
                                  "YYYY-MM-DD") from None
        conf = (rec["confidence"] or "").strip()
        if status != "unknown" and conf not in CONFIDENCE_SD:
            raise FigureError(file, row, "confidence", conf, "unknown confidence",
                              " / ".join(CONFIDENCE_SD))
        out.append(Outcome(rec["target_id"].strip(), status, value, date,
                           rec["source_title"] or "", rec["source_url"] or "", conf,
                           rec["note"] or ""))
    return out


def _meets(op: str, value: float, threshold: float) -> bool:
    return {">=": value >= threshold, ">": value > threshold, "<=": value <= threshold,
            "<": value < threshold, "==": value == threshold}.get(op, value >= threshold)


HOW = OUTCOME_TEXT
"""How an outcome was decided (the catalogue, sim/messages.py)."""


def how_text(key: str, lang: str, outcome: Outcome | None = None) -> str:
    """One line of HOW in the chosen language, filled with the outcome's value and date."""
    text = HOW[key][0 if lang == "zh" else 1]
    if outcome is None or outcome.value is None:
        return text
    return text.format(v=f"{outcome.value:,.6g}", d=outcome.date)


def judge(outcome: Outcome, target: Target, threshold: float,
          lang: str = "en") -> tuple[bool | None, str]:
    """(met, how it was decided), or (None, why not) for an interim or unknown outcome."""
    if outcome.status == "met":
        return True, how_text("met", lang)
    if outcome.status == "missed":
        return False, how_text("missed", lang)
    if outcome.status == "unknown" or outcome.value is None:
        return None, how_text("unknown", lang)
    met = _meets(target.op, outcome.value, threshold)
    if outcome.date is not None and outcome.date >= target.date:
        return met, how_text("value", lang, outcome)
    cumulative = METRICS.get(target.metric) is not None and \
        METRICS[target.metric].kind == "cumulative"
    if cumulative and met and target.op in (">=", ">"):
        return True, how_text("cumulative", lang, outcome)
    return None, how_text("interim", lang, outcome)


@dataclass
class Scored:
    """One target with a known outcome: the model's P, the naive forecasters', the outcome."""

    scenario: str
    target_id: str
    label: str
    p_model: float
    p_half: float
    p_trend: float
    trend_how: str
    met: bool
    how: str


def trend_forecast(target: Target, threshold: float, record: Sequence[Figure],
                   scenario: Scenario, baseline: float | None) -> tuple[float, str]:
    """Persistence of the pre-plan trend: P = 1 if the naive trend meets the target, else 0."""
    from sim.calibration.figures import Figure as _F

    probe = _F(id=f"target:{target.id}", row=0, region=_region_of(scenario, record),
               metric=target.metric, filters={}, date=target.date, value=0.0, kind="stock",
               source_title="", source_url="", confidence="medium",
               filters_text=_filters_text(target))
    naive = naive_forecast(probe, record, scenario, baseline)
    if naive is None:
        return 0.5, "no earlier figure: 50%"
    return (1.0 if _meets(target.op, naive.value, threshold) else 0.0,
            f"{naive.how}: {naive.value:,.6g}")


def _region_of(scenario: Scenario, record: Sequence[Figure]) -> str:
    for f in record:
        if f.region and scenario.meta.region.zh.endswith(f.region):
            return f.region
    return scenario.meta.region.zh


def _filters_text(target: Target) -> str:
    parts = []
    for k, v in target.filters.active().items():
        vals = v if isinstance(v, list | tuple) else [v]
        parts.append(f"{k}={'|'.join(str(x) for x in vals)}")
    return ";".join(parts)


def brier(p: np.ndarray, o: np.ndarray) -> dict[str, float]:
    """Brier score and its Murphy decomposition over ``BINS`` equal-width probability bins."""
    n = p.size
    if n == 0:
        return {"brier": math.nan, "reliability": math.nan, "resolution": math.nan,
                "uncertainty": math.nan}
    o_bar = float(o.mean())
    bins = np.minimum((p * BINS).astype(int), BINS - 1)
    rel = res = 0.0
    for b in np.unique(bins):
        m = bins == b
        nk = int(m.sum())
        rel += nk * (float(p[m].mean()) - float(o[m].mean())) ** 2
        res += nk * (float(o[m].mean()) - o_bar) ** 2
    return {"brier": float(np.mean((p - o) ** 2)), "reliability": rel / n,
            "resolution": res / n, "uncertainty": o_bar * (1 - o_bar)}


def reliability_points(p: np.ndarray, o: np.ndarray) -> list[tuple[float, float, int]]:
    """(mean forecast, observed frequency, count) per non-empty bin."""
    bins = np.minimum((p * BINS).astype(int), BINS - 1)
    return [(float(p[bins == b].mean()), float(o[bins == b].mean()), int((bins == b).sum()))
            for b in np.unique(bins)]
