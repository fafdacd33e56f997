"""How much of each answer rests on evidence: the evidence grade of every target.

Every parameter and baseline figure carries its source (docs/design.md section 2): a document or a
data row (``data``; a value fitted to the record is data too), ``derived: how``, or
``assumption: why``. For each target this module reports

* how much of the variance of its value at the date comes from uncertainties of each source
  class: grouped first-order indices estimated from the run's own sampled parameters (the
  adjusted R² of a regression of the value on the group's draws and their squares, so a
  group's share is the part of the variance its draws explain; the rest is the model's own
  randomness and interactions);
* the source class of the baseline the target's metric starts from (the figures of the
  scenario's starting state that feed the metric);
* a grade: ``assumption`` when assumed uncertainties explain at least half of the variance or
  the baseline is assumed; ``mixed`` when they explain at least a fifth or the baseline is
  derived; else ``data``; and, where the verdict rests mainly on assumptions, one sentence
  saying so in Chinese and English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.messages import EVIDENCE_TEXT, label
from sim.scenario import Scenario
from sim.scenario.schema import Target

CLASSES = ("data", "derived", "assumption")
ASSUMPTION_MAIN = 0.5
ASSUMPTION_SOME = 0.2
EVIDENCE_COLUMNS = ("evidence", "var_share_assumption", "var_share_derived", "var_share_data",
                    "baseline_source")
"""Columns appended to attainment.csv (after its contract columns)."""

TEXT = EVIDENCE_TEXT
"""This module's words (the catalogue, sim/messages.py)."""


def source_class(source: str | None) -> str:
    """``data``, ``derived`` or ``assumption`` for a source text.

    A source that starts with (or calls itself) an assumption is an assumption; one that
    starts with ``derived:`` is derived; a document, a data row or a fitted parameter file is
    data.
    """
    text = (source or "").strip().lower()
    if not text or text.startswith("assumption") or "(assumption" in text:
        return "assumption"
    if text.startswith("derived"):
        return "derived"
    return "data"


def _worst(classes: list[str]) -> str:
    if not classes:
        return "data"
    return max(classes, key=CLASSES.index)


def baseline_sources(sc: Scenario, target: Target) -> list[str]:
    """Sources of the starting-state figures the target's metric is built on."""
    m = target.metric
    out: list[str] = []
    if m in ("area", "carriers", "in_incubation", "entries_cum", "graduates_cum", "mentors",
             "staff"):
        for g in sc.carriers:
            field = {"area": g.total_area, "carriers": g.total_area,
                     "in_incubation": g.incubatees, "entries_cum": g.entries_cum,
                     "graduates_cum": g.graduates_cum, "mentors": g.incubatees,
                     "staff": g.incubatees}[m]
            if field is not None:
                out.append(field.source)
            out.append(g.source)
    elif m == "tech_firms_registered_cum":
        tech = sc.statuses.get("tech_firm")
        if tech is not None and tech.registered_at_start is not None:
            out.append(tech.registered_at_start.source)
        else:
            out.extend(group.count.source for group in sc.firms.stock.values())
    elif m in ("tech_firms_valid", "hnte_valid", "status_valid", "firms"):
        for group in sc.firms.stock.values():
            out.append(group.count.source)
            out.extend(st.share.source for st in group.statuses.values())
    return out


def variance_share(y: np.ndarray, x: np.ndarray) -> float:
    """Share of Var(y) explained by the columns of ``x`` and their squares (adjusted R²)."""
    n = y.size
    if x.size == 0 or n < 5 or float(np.var(y)) <= 0:
        return 0.0
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    keep = np.flatnonzero(np.ptp(x, axis=0) > 0)
    if keep.size == 0:
        return 0.0
    x = x[:, keep]
    design = np.column_stack([np.ones(n), x, x ** 2 - 1.0])
    p = design.shape[1] - 1
    if n - p - 1 < 3:
        design = np.column_stack([np.ones(n), x])
        p = design.shape[1] - 1
        if n - p - 1 < 3:
            return 0.0
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    r2 = 1.0 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum())
    adj = 1.0 - (1.0 - r2) * (n - 1) / (n - p - 1)
    return float(min(1.0, max(0.0, adj)))


@dataclass(frozen=True)
class Evidence:
    """A target's evidence grade and what it rests on."""

    grade: str
    shares: dict[str, float]
    """Share of the variance of the value at the date explained by each source class."""
    baseline: str
    """Source class of the baseline the metric starts from."""

    def sentence(self, lang: str) -> str:
        """One plain sentence when the verdict rests mainly on assumptions, else ''."""
        if self.grade != "assumption":
            return ""
        share = self.shares.get("assumption", 0.0)
        why = (label(TEXT, "why_share", lang, share=share) if share >= ASSUMPTION_MAIN
               else label(TEXT, "why_baseline", lang))
        return label(TEXT, "rests_on_assumptions", lang, why=why)

    def grade_name(self, lang: str) -> str:
        """The grade as a reader's word (数据 / data, 混合 / mixed, 假设 / assumption)."""
        return label(TEXT, f"grade_{self.grade}", lang)

    def shares_line(self, lang: str) -> str:
        """The variance shares by source class and the baseline's class, one short line."""
        parts = ", ".join(f"{label(TEXT, f'class_{k}', lang)} {100 * self.shares.get(k, 0.0):.0f}%"
                          for k in ("assumption", "derived", "data"))
        return label(TEXT, "shares", lang, parts=parts,
                     baseline=label(TEXT, f"class_{self.baseline}", lang))


def grade(shares: Mapping[str, float], baseline: str) -> str:
    """The grade from the variance shares and the baseline's class (see the module docstring)."""
    a = shares.get("assumption", 0.0)
    if a >= ASSUMPTION_MAIN or baseline == "assumption":
        return "assumption"
    if a >= ASSUMPTION_SOME or baseline == "derived":
        return "mixed"
    return "data"


def uncertainty_classes(sc: Scenario) -> dict[str, str]:
    """Each uncertainty's source class."""
    return {name: source_class(u.source) for name, u in sc.uncertainties.items()}


def target_evidence(sc: Scenario, target: Target, value: np.ndarray,
                    params: Mapping[str, np.ndarray]) -> Evidence:
    """The evidence of one target from its values and the run's sampled uncertainties.

    ``params`` maps uncertainty names to their draws, aligned with ``value``.
    """
    classes = uncertainty_classes(sc)
    ok = np.isfinite(value)
    shares = {}
    for cls in CLASSES:
        names = [n for n, c in classes.items() if c == cls and n in params]
        if not names:
            shares[cls] = 0.0
            continue
        x = np.column_stack([np.asarray(params[n], dtype=float)[ok] for n in names])
        shares[cls] = variance_share(np.asarray(value, dtype=float)[ok], x)
    base = _worst([source_class(s) for s in baseline_sources(sc, target)])
    return Evidence(grade(shares, base), shares, base)
