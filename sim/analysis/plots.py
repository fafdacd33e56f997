"""Plots of the lever analyses: pure functions (``ax=None`` -> Axes), Chinese labels by default.

They reuse the CJK font set-up of ``sim.plots``; only the CLI writes files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from sim import messages
from sim.messages import ANALYSIS_PLOT_TEXT
from sim.money import money_unit, wan
from sim.plots import _ax, wrapped

TEXT = ANALYSIS_PLOT_TEXT
"""This module's labels: one catalogue, sim/messages.py."""


def t(key: str, lang: str) -> str:
    """A label in the chosen language."""
    return messages.label(TEXT, key, lang)  # `label` below names a curve


def difference_bars(labels: Sequence[str], diff: Sequence[float], low: Sequence[float],
                    high: Sequence[float], low_ind: Sequence[float], high_ind: Sequence[float],
                    *, title: str, lang: str = "zh", ax: Axes | None = None) -> Axes:
    """Paired differences of P per target with their intervals, beside the independent ones."""
    ax = _ax(ax, (8.0, max(2.5, 0.45 * len(labels) + 1.2)))
    y = np.arange(len(labels))
    d = np.asarray(diff, dtype=float)
    ax.errorbar(d, y - 0.12, xerr=[d - np.asarray(low_ind), np.asarray(high_ind) - d], fmt="none",
                ecolor="#bdbdbd", elinewidth=4, label=t("independent", lang))
    ax.errorbar(d, y + 0.12, xerr=[d - np.asarray(low), np.asarray(high) - d], fmt="o",
                color="#08519c", ecolor="#08519c", capsize=3, label=t("paired", lang))
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(t("p_diff", lang))
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return ax


BANDS_UP_TO = 3
"""Curves that get a shaded 95% band in p_curve; with more, whiskers instead."""


def p_curve(x: Sequence[float], series: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], *,
            xlabel: str, title: str, lang: str = "zh", required: float | None = None,
            marker: float | None = None, ax: Axes | None = None) -> Axes:
    """P against a lever value or a cost, one line with a 95% band per label."""
    ax = _ax(ax, (9.0, 4.8) if len(series) > 3 else (8.0, 4.5))
    xs = np.asarray(x, dtype=float)
    order = np.argsort(xs, kind="stable")
    banded = len(series) <= BANDS_UP_TO  # more bands than that only hide one another
    for label, (p, lo, hi) in series.items():
        line = ax.plot(xs[order], np.asarray(p)[order], "o-", markersize=3, label=label)[0]
        if banded:
            ax.fill_between(xs[order], np.asarray(lo)[order], np.asarray(hi)[order],
                            color=line.get_color(), alpha=0.15, linewidth=0)
        else:  # intervals as whiskers, which overlap less than shaded bands
            ax.errorbar(xs[order], np.asarray(p)[order],
                        yerr=[np.asarray(p)[order] - np.asarray(lo)[order],
                              np.asarray(hi)[order] - np.asarray(p)[order]],
                        fmt="none", ecolor=line.get_color(), alpha=0.5, capsize=2)
    if required is not None:
        ax.axhline(required, color="#cb181d", linestyle="--", linewidth=1,
                   label=f"{t('required', lang)} {required:g}")
    if marker is not None:
        ax.axvline(marker, color="#cb181d", linestyle=":", linewidth=1,
                   label=f"{t('answer', lang)} {marker:,.4g}")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(t("p_met", lang))
    ax.set_title(wrapped(title))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    if len(series) <= 3:
        ax.legend(loc="best", fontsize=7)
    else:  # beside the axes, never over the curves
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return ax


def heat_map(p: np.ndarray, x_values: Sequence[float], y_values: Sequence[float], *,
             xlabel: str, ylabel: str, title: str, lang: str = "zh",
             ax: Axes | None = None) -> Axes:
    """Joint P over a grid of two levers (rows: first lever, columns: second)."""
    ax = _ax(ax, (7.0, 5.5))
    im = ax.imshow(p, origin="lower", cmap="RdYlGn", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(y_values)), [f"{v:,.6g}" for v in y_values], rotation=45)
    ax.set_yticks(range(len(x_values)), [f"{v:,.6g}" for v in x_values])
    for i in range(p.shape[0]):
        for j in range(p.shape[1]):
            if np.isfinite(p[i, j]):
                ax.text(j, i, f"{p[i, j]:.2f}", ha="center", va="center", fontsize=8)
    ax.set_xlabel(ylabel)
    ax.set_ylabel(xlabel)
    ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, label=t("p_joint", lang))
    return ax


def waterfall(labels: Sequence[str], deltas: Sequence[float], *, base: float, value: float,
              threshold: float, title: str, ylabel: str, lang: str = "zh",
              ax: Axes | None = None) -> Axes:
    """From the base value through signed flows to the value at the date, then the gap."""
    ax = _ax(ax, (max(7.0, 0.9 * (len(labels) + 3)), 4.8))
    names = [t("base", lang), *labels, t("at_date", lang)]
    x = np.arange(len(names))
    ax.bar(x[0], base, color="#6baed6")
    level = base
    levels = [base, value, threshold]
    for k, dv in enumerate(deltas, start=1):
        colour = "#41ab5d" if dv >= 0 else "#ef3b2c"
        ax.bar(x[k], dv, bottom=level, color=colour)
        level += dv
        levels.append(level)
    ax.bar(x[-1], value, color="#08519c")
    if threshold > value:
        ax.bar(x[-1], threshold - value, bottom=value, color="none", edgecolor="#cb181d",
               hatch="//", label=f"{t('gap', lang)} {threshold - value:,.0f}")
    ax.axhline(threshold, color="#cb181d", linestyle="--", linewidth=1,
               label=f"{t('target', lang)} {threshold:,.0f}")
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylim(min(0.0, min(levels) * 1.08), max(levels) * 1.08)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return ax


def split_bars(levers: Sequence[str], yuan: Sequence[float], *, title: str, lang: str = "zh",
               ax: Axes | None = None) -> Axes:
    """The best budget split: yuan a year per lever."""
    ax = _ax(ax, (7.0, max(2.5, 0.5 * len(levers) + 1.2)))
    y = np.arange(len(levers))
    ax.barh(y, wan(np.asarray(yuan)), color="#4292c6")
    ax.set_yticks(y, levers)
    ax.invert_yaxis()
    ax.set_xlabel(money_unit(lang, per_year=True))
    ax.set_title(title)
    return ax
