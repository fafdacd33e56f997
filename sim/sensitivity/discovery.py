"""Scenario discovery with PRIM: which combinations of assumptions lead to missing a target.

PRIM (Friedman and Fisher 1999; Bryant and Lempert 2010) peels a box in the space of the
sampled uncertainties that holds many of the cases of interest (coverage) and few others
(density). The peeling, pasting and quasi-p values are in ``sim.sensitivity.prim`` (our own
code: the ``prim`` package is GPL-3.0 and this project is MIT), checked by
tests/test_prim.py against planted boxes and hand-worked cases.

The peeling trajectory goes from the whole space (coverage 1, density = base rate) to small,
dense boxes. The box reported is the densest step whose coverage is at least
``min_coverage`` (ties: the larger coverage); the whole trajectory is written so that a planner
can pick another trade-off. Further boxes (``boxes`` > 1) are found among the cases the
earlier boxes left out (PRIM's covering).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.scenario import Scenario
from sim.sensitivity.prim import Box, Prim

Of = Literal["missed", "met"]
MIN_CASES = 5
"""Fewest cases of interest (and of the other kind) PRIM is asked to work with."""
SHUFFLES = 39
"""Shuffles of the outcomes in the chance check: the smallest p it can report is 1/40."""
CHANCE_LEVEL = 0.05
"""A box (or a restriction) whose chance p-value (quasi-p) is at or above this is flagged."""


class DiscoveryError(ValueError):
    """A run or a request PRIM cannot work with (one line for the user)."""


@dataclass(frozen=True)
class BoxLimit:
    """One restricted factor of a box: its limits within the sampled range."""

    factor: str
    low: float
    high: float
    full_low: float
    full_high: float
    qp_value: float
    """Bryant and Lempert's quasi-p value of the restriction (one-sided binomial test)."""


@dataclass(frozen=True)
class PrimBox:
    """A box chosen on PRIM's peeling trajectory, with that trajectory."""

    index: int
    trajectory: pd.DataFrame
    """One row per step: coverage, density, mass, res_dim."""
    selected: int
    limits: tuple[BoxLimit, ...]
    chance_p: float = float("nan")
    """Share of shuffles of the outcomes (plus the data) whose first box, chosen the same way,
    is at least as dense: a box that chance alone reaches this often says little (NaN when not
    checked; only the first box is checked)."""

    @property
    def may_be_chance(self) -> bool:
        """The box is not clearly better than chance, or none of its restrictions is."""
        if not math.isnan(self.chance_p) and self.chance_p >= CHANCE_LEVEL:
            return True
        return bool(self.limits) and all(lim.qp_value >= CHANCE_LEVEL for lim in self.limits)

    @property
    def coverage(self) -> float:
        """Share of all cases of interest that fall in the selected box."""
        return float(self.trajectory["coverage"].iloc[self.selected])

    @property
    def density(self) -> float:
        """Share of the selected box's cases that are cases of interest."""
        return float(self.trajectory["density"].iloc[self.selected])

    @property
    def mass(self) -> float:
        """Share of all cases inside the selected box."""
        return float(self.trajectory["mass"].iloc[self.selected])


def select_step(trajectory: pd.DataFrame, min_coverage: float) -> int:
    """The densest step with coverage >= ``min_coverage`` (ties: more coverage)."""
    cov = trajectory["coverage"].to_numpy(dtype=float)
    den = trajectory["density"].to_numpy(dtype=float)
    ok = np.flatnonzero(cov >= min_coverage - 1e-12)
    if ok.size == 0:
        return 0
    best = max(ok, key=lambda i: (round(den[i], 12), round(cov[i], 12)))
    return int(best)


def trajectory(box: Box) -> pd.DataFrame:
    """A box's peeling trajectory, one row per step: coverage, density, mass, res_dim."""
    return pd.DataFrame([{"coverage": s.coverage, "density": s.density, "mass": s.mass,
                          "res_dim": float(s.res_dim)} for s in box.steps])


def chance_p(x: np.ndarray, y: np.ndarray, density: float, *, min_coverage: float,
             peel_alpha: float, paste_alpha: float, mass_min: float,
             shuffles: int = SHUFFLES, seed: int = 20261204) -> float:
    """How often shuffled outcomes give a first box at least ``density`` dense: (1 + k) / (1 + B).

    PRIM always finds some box, and a box chosen as the densest step of its trajectory looks
    better than its factors deserve; a permutation test judges the whole procedure. The
    shuffles use a fixed seed so the same run gives the same verdict.
    """
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(shuffles):
        p = Prim(x, rng.permutation(y), peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                 mass_min=mass_min)
        box = p.find_box()
        if box is None:
            continue
        traj = trajectory(box)
        if traj["density"].iloc[select_step(traj, min_coverage)] >= density - 1e-12:
            hits += 1
    return (1 + hits) / (1 + shuffles)


def find_boxes(x: pd.DataFrame, y: np.ndarray, *, boxes: int = 1, min_coverage: float = 0.5,
               peel_alpha: float = 0.05, paste_alpha: float = 0.05,
               mass_min: float = 0.05, check_chance: bool = False) -> list[PrimBox]:
    """PRIM boxes of the cases ``y`` (bool per row of ``x``) in the space of ``x``'s columns."""
    flag = np.asarray(y, dtype=bool)
    if flag.shape != (len(x),):
        raise DiscoveryError(f"{flag.size} outcomes for {len(x)} cases")
    if x.shape[1] == 0:
        raise DiscoveryError("no factor varies across the cases: nothing to discover")
    names = [str(c) for c in x.columns]
    p = Prim(x.to_numpy(dtype=float), flag, peel_alpha=peel_alpha, paste_alpha=paste_alpha,
             mass_min=mass_min)
    out: list[PrimBox] = []
    for k in range(boxes):
        box = p.find_box()
        if box is None:
            break
        traj = trajectory(box)
        step = select_step(traj, min_coverage)
        chosen = box.steps[step]
        qp = p.quasi_p(box, step)
        limits = tuple(
            BoxLimit(names[j], float(chosen.low[j]), float(chosen.high[j]),
                     float(p.full_low[j]), float(p.full_high[j]), float(qp[j]))
            for j in range(len(names)) if not np.isnan(qp[j]))
        cp = float("nan")
        if check_chance and k == 0:
            cp = chance_p(p.x, flag, chosen.density, min_coverage=min_coverage,
                          peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
        out.append(PrimBox(k, traj, step, limits, cp))
        p.take(box, step)
        if not np.any(flag & p.remaining):  # every case of interest is in a box already
            break
    return out


@dataclass
class Discovery:
    """PRIM on one target of a stored run."""

    scenario: Scenario
    run_dir: Path
    target_id: str
    of: Of
    n: int
    n_interest: int
    factors: tuple[str, ...]
    boxes: list[PrimBox]
    settings: dict[str, Any] = field(default_factory=dict)

    def label(self, factor: str, lang: str) -> str:
        """A factor's label (uncertainty or lever) in ``lang``."""
        kind, _, name = factor.partition(":")
        sc = self.scenario
        if kind == "u" and name in sc.uncertainties:
            lab = sc.uncertainties[name].label
        elif kind == "lever" and name in sc.levers:
            lab = sc.levers[name].label
        else:
            return factor
        if lab is None:
            return name
        return lab.zh if lang == "zh" else lab.en

    def limit_rows(self, lang: str = "en") -> list[dict[str, Any]]:
        """Rows of box_limits.csv."""
        rows = []
        for b in self.boxes:
            for lim in b.limits:
                kind, _, name = lim.factor.partition(":")
                rows.append({
                    "box": b.index + 1, "factor": name, "kind": _KIND.get(kind, kind),
                    "label": self.label(lim.factor, lang), "low": lim.low, "high": lim.high,
                    "full_low": lim.full_low, "full_high": lim.full_high,
                    "qp_value": lim.qp_value, "coverage": b.coverage, "density": b.density,
                    "mass": b.mass, "chance_p": b.chance_p,
                })
        return rows

    def trajectory_rows(self) -> list[dict[str, Any]]:
        """Rows of trajectory.csv (every box's peeling trajectory)."""
        rows = []
        for b in self.boxes:
            for i, r in b.trajectory.iterrows():
                rows.append({"box": b.index + 1, "step": int(i), "coverage": r["coverage"],
                             "density": r["density"], "mass": r["mass"],
                             "res_dim": int(r["res_dim"]), "selected": int(i) == b.selected})
        return rows


_KIND = {"u": "uncertainty", "lever": "lever"}


def _read(run_dir: Path, name: str) -> pd.DataFrame:
    from sim.store import RunStore

    path = run_dir / f"{name}.parquet"
    table = pq.read_table(path) if path.is_file() else RunStore(run_dir).read_parts(name)
    return table.to_pandas()


def run_cases(run_dir: Path, target_id: str) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(factor values, met, value) per replication of a stored run, for one target.

    Factors are the ``u:`` and ``lever:`` columns of params.parquet that vary across the run.
    """
    params = _read(run_dir, "params")
    outcomes = _read(run_dir, "outcomes")
    mine = outcomes[outcomes["target_id"] == target_id]
    if mine.empty:
        known = ", ".join(dict.fromkeys(outcomes["target_id"].astype(str)))
        raise DiscoveryError(f"--target: unknown target '{target_id}' in {run_dir} "
                             f"(targets: {known})")
    merged = params.merge(mine[["rep", "met", "value"]], on="rep", how="inner")
    merged = merged.sort_values("rep").reset_index(drop=True)
    cols = [c for c in merged.columns if c.startswith(("u:", "lever:"))
            and merged[c].nunique(dropna=True) > 1]
    x = merged[cols].astype(float)
    return x, merged["met"].to_numpy(dtype=bool), merged["value"].to_numpy(dtype=float)


def discover_run(run_dir: Path, target_id: str, *, of: Of = "missed", boxes: int = 1,
                 min_coverage: float = 0.5, peel_alpha: float = 0.05,
                 mass_min: float = 0.05, min_cases: int = MIN_CASES) -> Discovery:
    """PRIM over a run folder's sampled uncertainties for the replications that ``of`` it.

    Refused (DiscoveryError) when fewer than ``min_cases`` replications are of either kind.
    """
    from sim.summary import load_run_scenario

    if of not in ("missed", "met"):
        raise DiscoveryError(f"--of: {of!r} (expected missed or met)")
    if not (run_dir / "manifest.json").is_file():
        raise DiscoveryError(f"{run_dir}: not a run folder (no manifest.json)")
    for name, v, lo, hi in (("--min-coverage", min_coverage, 0.0, 1.0),
                            ("--peel-alpha", peel_alpha, 1e-6, 0.5),
                            ("--mass-min", mass_min, 0.0, 1.0)):
        if not lo <= v <= hi or math.isnan(v):
            raise DiscoveryError(f"{name}: {v:g} is outside [{lo:g}, {hi:g}]")
    if boxes < 1:
        raise DiscoveryError(f"--boxes: {boxes} (need at least 1)")
    sc = load_run_scenario(run_dir)
    x, met, _ = run_cases(run_dir, target_id)
    y = ~met if of == "missed" else met
    k, n = int(y.sum()), int(y.size)
    if k < min_cases or n - k < min_cases:
        raise DiscoveryError(
            f"target '{target_id}' was {of} in {k} of {n} replications of {run_dir}: PRIM needs "
            f"at least {min_cases} cases of each kind (run more replications)")
    if x.shape[1] == 0:
        raise DiscoveryError(f"{run_dir}: no sampled uncertainty varies across the run")
    found = find_boxes(x, y, boxes=boxes, min_coverage=min_coverage, peel_alpha=peel_alpha,
                       mass_min=mass_min, check_chance=True)
    settings = {"min_coverage": min_coverage, "peel_alpha": peel_alpha, "mass_min": mass_min,
                "boxes": boxes}
    return Discovery(sc, run_dir, target_id, of, n, k, tuple(x.columns), found, settings)


def box_mask(x: pd.DataFrame, limits: Mapping[str, tuple[float, float]]) -> np.ndarray:
    """Rows of ``x`` inside a box given as {column: (low, high)}."""
    inside = np.ones(len(x), dtype=bool)
    for col, (lo, hi) in limits.items():
        v = x[col].to_numpy(dtype=float)
        inside &= (v >= lo) & (v <= hi)
    return inside
