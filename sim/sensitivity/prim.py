"""The Patient Rule Induction Method (PRIM), written here so the project stays MIT-licensed.

Friedman and Fisher (1999), "Bump hunting in high-dimensional data", Statistics and Computing
9:123-143; with the scenario-discovery conventions of Bryant and Lempert (2010), "Thinking
inside the box", Technological Forecasting & Social Change 77:34-49 (coverage, density, quasi-p
values). The ``prim`` package (GPL-3.0) was used before; this module replaces it.

The algorithm, for cases ``x`` (rows) with a flag ``y`` (case of interest or not):

* **Peeling.** The box starts as the sampled range of every factor. Each step considers, for
  every factor, removing the ``peel_alpha`` share of the box's cases with the lowest values,
  and the share with the highest; it takes the peel that raises the box's density most per case
  removed (Friedman and Fisher's criterion, the EMA Workbench's "lenient1"; when no peel raises
  it, the one that lowers it least), provided the box keeps at least ``mass_min`` of all cases.
  Peeling stops when the box holds only cases of interest or every peel would leave too few
  cases. Every step is one row of the trajectory.
* **Pasting.** The last box then grows back, one factor edge at a time, by the ``paste_alpha``
  share of its cases nearest outside that edge, while that raises coverage without lowering
  density; the pasted box is the trajectory's last row when pasting changed anything.
* **Quasi-p values.** For each restricted factor of a box: the one-sided binomial probability of
  at least the box's cases of interest among its cases, if the cases of interest occurred at
  the density of the box with that one restriction removed. A large value means the restriction
  adds little beyond chance.
* **Covering.** Further boxes are found among the cases no earlier box holds; coverage and mass
  stay shares of the whole data set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import binom

_EPS = 1e-12


@dataclass(frozen=True)
class Step:
    """One box on a peeling trajectory: its limits (low, high per factor) and its statistics."""

    low: np.ndarray
    high: np.ndarray
    coverage: float
    density: float
    mass: float
    res_dim: int


@dataclass(frozen=True)
class Box:
    """A peeling (and pasting) trajectory over the cases still available when it was found."""

    steps: tuple[Step, ...]
    available: np.ndarray
    """Which cases of the whole data set this box was found among (covering)."""


def _in_box(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Rows of ``x`` inside the closed box [low, high]."""
    return np.all((x >= low) & (x <= high), axis=1)


class Prim:
    """PRIM over a real-valued case matrix ``x`` (n x d) and a boolean case flag ``y`` (n)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, *, peel_alpha: float = 0.05,
                 paste_alpha: float = 0.05, mass_min: float = 0.05) -> None:
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=bool)
        if self.x.ndim != 2 or self.y.shape != (self.x.shape[0],):
            raise ValueError(f"x is {self.x.shape}, y is {self.y.shape}: need n x d and n")
        if not np.all(np.isfinite(self.x)):
            raise ValueError("x holds a value that is not a finite number")
        if not 0 < peel_alpha < 1 or not 0 < paste_alpha < 1 or not 0 <= mass_min < 1:
            raise ValueError(f"peel_alpha {peel_alpha}, paste_alpha {paste_alpha}, "
                             f"mass_min {mass_min}: the alphas must be in (0, 1), mass_min in "
                             "[0, 1)")
        self.peel_alpha = peel_alpha
        self.paste_alpha = paste_alpha
        self.mass_min = mass_min
        self.n = int(self.x.shape[0])
        self.total_interest = int(self.y.sum())
        self.full_low = self.x.min(axis=0) if self.n else np.zeros(self.x.shape[1])
        self.full_high = self.x.max(axis=0) if self.n else np.zeros(self.x.shape[1])
        self.remaining = np.ones(self.n, dtype=bool)

    # ------------------------------------------------------------------------- statistics
    def _step(self, low: np.ndarray, high: np.ndarray) -> Step:
        inside = self.remaining & _in_box(self.x, low, high)
        k = int(inside.sum())
        hits = int(self.y[inside].sum())
        res = int(np.sum((low > self.full_low) | (high < self.full_high)))
        return Step(low.copy(), high.copy(),
                    hits / self.total_interest if self.total_interest else 0.0,
                    hits / k if k else 0.0, k / self.n if self.n else 0.0, res)

    # ---------------------------------------------------------------------------- peeling
    def _best_peel(self, low: np.ndarray, high: np.ndarray,
                   inside: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The peel that raises density most per case removed (None when no peel keeps enough)."""
        xs, ys = self.x[inside], self.y[inside]
        n_in, mean_in = xs.shape[0], float(ys.mean())
        best: tuple[float, np.ndarray, np.ndarray] | None = None
        for j in range(xs.shape[1]):
            col = xs[:, j]
            for side in ("low", "high"):
                if side == "low":
                    cut = float(np.quantile(col, self.peel_alpha, method="lower"))
                    keep = col >= cut
                    if keep.all():  # ties at the minimum: peel past them
                        above = col[col > cut]
                        if above.size == 0:
                            continue
                        cut = float(above.min())
                        keep = col >= cut
                else:
                    cut = float(np.quantile(col, 1 - self.peel_alpha, method="higher"))
                    keep = col <= cut
                    if keep.all():
                        below = col[col < cut]
                        if below.size == 0:
                            continue
                        cut = float(below.max())
                        keep = col <= cut
                n_keep = int(keep.sum())
                if n_keep == 0 or n_keep / self.n < self.mass_min - _EPS:
                    continue
                gain = (float(ys[keep].mean()) - mean_in) / (n_in - n_keep)
                if best is None or gain > best[0] + _EPS:
                    lo, hi = low.copy(), high.copy()
                    if side == "low":
                        lo[j] = cut
                    else:
                        hi[j] = cut
                    best = (gain, lo, hi)
        return None if best is None else (best[1], best[2])

    # ---------------------------------------------------------------------------- pasting
    def _best_paste(self, low: np.ndarray, high: np.ndarray,
                    current: Step) -> tuple[np.ndarray, np.ndarray] | None:
        """The edge extension that adds most coverage without lowering density, or None."""
        inside = self.remaining & _in_box(self.x, low, high)
        n_in = int(inside.sum())
        n_add = max(1, math.ceil(self.paste_alpha * n_in))
        best: tuple[float, float, np.ndarray, np.ndarray] | None = None
        for j in range(self.x.shape[1]):
            others = np.ones(self.n, dtype=bool)
            for i in range(self.x.shape[1]):
                if i != j:
                    others &= (self.x[:, i] >= low[i]) & (self.x[:, i] <= high[i])
            others &= self.remaining
            col = self.x[:, j]
            for side in ("low", "high"):
                outside = others & ((col < low[j]) if side == "low" else (col > high[j]))
                vals = np.sort(col[outside])
                if vals.size == 0:
                    continue
                edge = float(vals[-min(n_add, vals.size)] if side == "low"
                             else vals[min(n_add, vals.size) - 1])
                lo, hi = low.copy(), high.copy()
                if side == "low":
                    lo[j] = edge
                else:
                    hi[j] = edge
                trial = self._step(lo, hi)
                if (trial.density >= current.density - _EPS
                        and trial.coverage > current.coverage + _EPS):
                    key = (trial.coverage, trial.density)
                    if best is None or key > (best[0], best[1]):
                        best = (trial.coverage, trial.density, lo, hi)
        return None if best is None else (best[2], best[3])

    # ---------------------------------------------------------------------------- search
    def find_box(self) -> Box | None:
        """The next box among the cases no earlier box holds (None when none is left)."""
        if not np.any(self.y & self.remaining):
            return None
        low, high = self.full_low.copy(), self.full_high.copy()
        steps = [self._step(low, high)]
        while True:
            inside = self.remaining & _in_box(self.x, low, high)
            if inside.sum() < 2 or steps[-1].density >= 1 - _EPS:
                break
            peel = self._best_peel(low, high, inside)
            if peel is None:
                break
            low, high = peel
            steps.append(self._step(low, high))
        pasted = False
        while True:
            paste = self._best_paste(low, high, steps[-1])
            if paste is None:
                break
            low, high = paste
            step = self._step(low, high)
            if pasted:
                steps[-1] = step
            else:
                steps.append(step)
                pasted = True
        box = Box(tuple(steps), self.remaining.copy())
        return box

    def take(self, box: Box, step: int) -> np.ndarray:
        """Mark the cases inside ``box`` at ``step`` as held (covering); returns them."""
        s = box.steps[step]
        held = box.available & _in_box(self.x, s.low, s.high)
        self.remaining &= ~held
        return held

    def quasi_p(self, box: Box, step: int) -> np.ndarray:
        """Quasi-p value of each factor's restriction at ``step`` (NaN where unrestricted)."""
        s = box.steps[step]
        inside = box.available & _in_box(self.x, s.low, s.high)
        n_box, hits = int(inside.sum()), int(self.y[inside].sum())
        out = np.full(self.x.shape[1], np.nan)
        for j in range(self.x.shape[1]):
            if s.low[j] <= self.full_low[j] and s.high[j] >= self.full_high[j]:
                continue
            lo, hi = s.low.copy(), s.high.copy()
            lo[j], hi[j] = self.full_low[j], self.full_high[j]
            wider = box.available & _in_box(self.x, lo, hi)
            p = float(self.y[wider].mean()) if wider.any() else 0.0
            out[j] = float(binom.sf(hits - 1, n_box, p)) if n_box else 1.0
        return out
