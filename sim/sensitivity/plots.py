"""Plots of sensitivity and scenario discovery (pure: ``ax=None`` -> Axes; nothing is saved).

Chinese labels by default (``lang="en"`` for English), with the CJK font of ``sim.plots``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.messages import SENSITIVITY_PLOT_TEXT, label
from sim.plots import _ax

Values = Sequence[float] | np.ndarray
"""Numbers per factor: a list or an array."""

TEXT = SENSITIVITY_PLOT_TEXT
"""This module's labels: one catalogue, sim/messages.py."""


def tx(key: str, lang: str) -> str:
    """A label in the chosen language."""
    return label(TEXT, key, lang)


def morris_tornado(labels: Sequence[str], mu: Values, mu_star: Values,
                   low: Values, high: Values, *,
                   sigma: Values | None = None, title: str, xlabel: str | None = None,
                   lang: str = "zh", ax: Axes | None = None) -> Axes:
    """Tornado of Morris mu* (largest on top) with interval whiskers; colour = sign of mu."""
    order = np.argsort(-np.asarray(mu_star, dtype=float), kind="stable")
    n = len(order)
    ax = _ax(ax, (8.0, max(2.5, 0.42 * n + 1.4)))
    y = np.arange(n)[::-1]
    ms = np.asarray(mu_star, dtype=float)[order]
    lo = np.asarray(low, dtype=float)[order]
    hi = np.asarray(high, dtype=float)[order]
    sign = np.asarray(mu, dtype=float)[order]
    colours = ["#2171b5" if s >= 0 else "#cb181d" for s in sign]
    ax.barh(y, ms, color=colours, edgecolor="black", linewidth=0.5)
    ax.errorbar(ms, y, xerr=[np.maximum(ms - lo, 0), np.maximum(hi - ms, 0)], fmt="none",
                ecolor="black", capsize=3)
    handles: list[Any] = [Patch(facecolor="#2171b5", label=tx("raises", lang)),
                          Patch(facecolor="#cb181d", label=tx("lowers", lang))]
    if sigma is not None:
        (dots,) = ax.plot(np.asarray(sigma, dtype=float)[order], y, "D", color="#525252",
                          markersize=5, label=tx("sigma", lang))
        handles.append(dots)
    ax.set_yticks(y, [labels[i] for i in order])
    ax.set_xlabel(xlabel or tx("mu_star", lang))
    ax.set_xlim(left=0)
    ax.set_title(title)
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return ax


def morris_plane(labels: Sequence[str], mu_star: Values, sigma: Values, *,
                 title: str, lang: str = "zh", ax: Axes | None = None) -> Axes:
    """The Morris plane: sigma against mu*, each factor labelled (interactions above the line)."""
    ax = _ax(ax, (7.0, 5.0))
    ms = np.asarray(mu_star, dtype=float)
    sg = np.asarray(sigma, dtype=float)
    ax.scatter(ms, sg, color="#2171b5", zorder=3)
    top = float(max(ms.max(initial=0.0), sg.max(initial=0.0))) * 1.1 or 1.0
    # Labels only where they can be read: factors near the origin (both effects under 5% of
    # the largest) share one note instead of a stack of overlapping names.
    small = (ms < 0.05 * top) & (sg < 0.05 * top)
    placed: list[tuple[float, float]] = []
    for x, yv, lab, tiny in zip(ms, sg, labels, small, strict=True):
        if tiny:
            continue
        dy = sum(1 for px, py in placed if abs(px - x) < 0.04 * top and abs(py - yv) < 0.04 * top)
        ax.annotate(lab, (x, yv), textcoords="offset points", xytext=(4, 3 + 9 * dy), fontsize=8)
        placed.append((float(x), float(yv)))
    if small.any():
        names = [lab for lab, tiny in zip(labels, small, strict=True) if tiny]
        note = label(TEXT, "near_origin", lang, n=len(names)) + ", ".join(names[:8])
        ax.text(0.98, 0.02, note + (" …" if len(names) > 8 else ""), transform=ax.transAxes,
                ha="right", va="bottom", fontsize=7, color="#5b6675", wrap=True)
    ax.plot([0, top], [0, top], linestyle="--", color="grey", linewidth=1)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(tx("mu_star", lang))
    ax.set_ylabel(tx("sigma", lang))
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return ax


def sobol_bars(labels: Sequence[str], s1: Values, s1_conf: Values,
               st: Values, st_conf: Values, *, title: str,
               lang: str = "zh", ax: Axes | None = None) -> Axes:
    """First- and total-order indices side by side, largest total order on top, with CIs."""
    order = np.argsort(-np.asarray(st, dtype=float), kind="stable")
    n = len(order)
    ax = _ax(ax, (8.0, max(2.5, 0.5 * n + 1.4)))
    y = np.arange(n)[::-1].astype(float)
    h = 0.38
    for vals, conf, off, colour, key in ((st, st_conf, h / 2, "#08519c", "st"),
                                         (s1, s1_conf, -h / 2, "#9ecae1", "s1")):
        v = np.asarray(vals, dtype=float)[order]
        c = np.asarray(conf, dtype=float)[order]
        ax.barh(y + off, v, height=h, color=colour, edgecolor="black", linewidth=0.5,
                label=tx(key, lang))
        ax.errorbar(v, y + off, xerr=c, fmt="none", ecolor="black", capsize=2)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [labels[i] for i in order])
    ax.set_xlabel(tx("sobol_x", lang))
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return ax


def prim_tradeoff(coverage: Values, density: Values,
                  res_dim: Sequence[int] | np.ndarray, *, selected: int | None = None, title: str,
                  lang: str = "zh", ax: Axes | None = None) -> Axes:
    """PRIM's peeling trajectory: density against coverage, coloured by restricted dims."""
    ax = _ax(ax, (7.0, 5.0))
    cov = np.asarray(coverage, dtype=float)
    den = np.asarray(density, dtype=float)
    dims = np.asarray(res_dim, dtype=int)
    ax.plot(cov, den, color="#bdbdbd", linewidth=1, zorder=1)
    sc = ax.scatter(cov, den, c=dims, cmap="viridis", zorder=2, s=22)
    if selected is not None:
        ax.scatter([cov[selected]], [den[selected]], s=160, facecolors="none",
                   edgecolors="#cb181d", linewidths=2, zorder=3, label=tx("selected", lang))
        ax.legend(loc="lower left", fontsize=8)
    cb = ax.figure.colorbar(sc, ax=ax)
    cb.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    cb.set_label(tx("res_dim", lang))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(tx("coverage", lang))
    ax.set_ylabel(tx("density", lang))
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return ax


def prim_box(labels: Sequence[str], low: Values, high: Values,
             full_low: Values, full_high: Values, *, title: str,
             lang: str = "zh", ax: Axes | None = None) -> Axes:
    """The box's limits on each restricted factor, drawn within the factor's sampled range."""
    n = len(labels)
    ax = _ax(ax, (8.0, max(2.2, 0.55 * n + 1.3)))
    y = np.arange(n)[::-1]
    lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    flo, fhi = np.asarray(full_low, dtype=float), np.asarray(full_high, dtype=float)
    span = np.where(fhi > flo, fhi - flo, 1.0)
    a, b = (lo - flo) / span, (hi - flo) / span
    ax.barh(y, np.ones(n), height=0.5, color="#f0f0f0", edgecolor="#969696", linewidth=0.5)
    ax.barh(y, b - a, left=a, height=0.5, color="#fd8d3c", edgecolor="black", linewidth=0.5,
            label=tx("box", lang))
    for yi, ai, bi, l_, h_ in zip(y, a, b, lo, hi, strict=True):
        ax.text(ai, yi + 0.28, f"{l_:.3g}", ha="center", va="bottom", fontsize=7)
        ax.text(bi, yi + 0.28, f"{h_:.3g}", ha="center", va="bottom", fontsize=7)
    for yi, f0, f1 in zip(y, flo, fhi, strict=True):
        ax.text(-0.01, yi, f"{f0:.3g}", ha="right", va="center", fontsize=7, color="#636363")
        ax.text(1.01, yi, f"{f1:.3g}", ha="left", va="center", fontsize=7, color="#636363")
    ax.set_yticks(y, list(labels))
    ax.tick_params(axis="y", pad=28)
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.6, n - 0.3)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlabel(tx("quantile", lang))
    ax.set_title(title)
    return ax
