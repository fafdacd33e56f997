"""Plots a bureau can put in a briefing.

Pure functions: each takes ``ax=None``, draws, and returns the Axes; only the CLI writes files.

Chinese labels use Noto Sans CJK SC shipped by the ``mplfonts`` wheel (installed with the
package; nothing is downloaded at run time), registered with matplotlib on first use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import matplotlib

from sim.messages import PLOT_TEXT, label

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"


@cache
def cjk_font_name() -> str:
    """Register the CJK font from the mplfonts wheel; return its family name."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / CJK_FONT_FILE
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name


def _ax(ax: Axes | None, size: tuple[float, float] = (8.0, 4.5)) -> Axes:
    cjk_font_name()
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


TEXT = PLOT_TEXT
"""This module's labels: one catalogue, sim/messages.py."""
TITLE_WIDTH = 60
"""Characters a plot title may take on one line before it wraps (long plan names)."""


def wrapped(title: str, width: int = TITLE_WIDTH) -> str:
    """A title broken into lines that fit the figure (Chinese has no spaces to break at)."""
    import textwrap

    if len(title) <= width:
        return title
    if " " in title:
        return "\n".join(textwrap.wrap(title, width))
    return "\n".join(title[i:i + width] for i in range(0, len(title), width))


def t(key: str, lang: str) -> str:
    """A plot label in the chosen language."""
    return label(TEXT, key, lang)


def fan_chart(dates: Sequence[dt.date], quantiles: dict[float, np.ndarray], *,
              title: str, ylabel: str, target_value: float | None = None,
              target_date: dt.date | None = None, stretch: float | None = None,
              lang: str = "zh", ax: Axes | None = None) -> Axes:
    """Median with 50% and 90% bands over time, the target marked, the base point shown."""
    ax = _ax(ax)
    x = np.array(dates, dtype="datetime64[D]")
    ax.fill_between(x, quantiles[0.05], quantiles[0.95], color="#9ecae1", alpha=0.5,
                    label=t("band90", lang), linewidth=0)
    ax.fill_between(x, quantiles[0.25], quantiles[0.75], color="#4292c6", alpha=0.6,
                    label=t("band50", lang), linewidth=0)
    ax.plot(x, quantiles[0.5], color="#08306b", linewidth=2, label=t("median", lang))
    ax.plot(x[:1], quantiles[0.5][:1], "o", color="black", label=t("base", lang))
    if target_value is not None and target_date is not None:
        ax.axhline(target_value, color="#cb181d", linestyle="--", linewidth=1)
        ax.axvline(mdates.date2num(target_date), color="#cb181d", linestyle=":", linewidth=1)
        ax.plot([np.datetime64(target_date)], [target_value], marker="*", markersize=14,
                color="#cb181d", label=f"{t('target', lang)} {target_value:,.0f}")
        if stretch is not None:
            ax.axhline(stretch, color="#fb6a4a", linestyle=":", linewidth=1)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def attainment_bars(labels: Sequence[str], p: Sequence[float], low: Sequence[float],
                    high: Sequence[float], *, title: str, lang: str = "zh",
                    ax: Axes | None = None) -> Axes:
    """Horizontal bars of P(met) with 95% interval whiskers, coloured by probability band."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    ax = _ax(ax, (8.0, max(2.5, 0.45 * len(labels) + 1.6)))
    y = np.arange(len(labels))[::-1]
    pa, lo, hi = np.asarray(p), np.asarray(low), np.asarray(high)
    colors = [band_colour(v) for v in pa]
    ax.barh(y, pa, color=colors, edgecolor="black", linewidth=0.5)
    ax.errorbar(pa, y, xerr=[np.maximum(pa - lo, 0), np.maximum(hi - pa, 0)], fmt="none",
                ecolor="black", capsize=3)
    ax.axvline(0.8, color="grey", linestyle="--", linewidth=1)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(t("p_met", lang))
    ax.set_title(wrapped(title))
    for yi, v, top in zip(y, pa, hi, strict=True):
        # beside the whisker's end, or inside the bar when the whisker reaches the right edge
        if top <= 0.88:
            ax.text(top + 0.015, yi, f"{v:.0%}", va="center", ha="left", fontsize=8)
        else:
            ax.text(max(v - 0.015, 0.06), yi, f"{v:.0%}", va="center", ha="right", fontsize=8,
                    color="white" if v > 0.12 else "black")
    ax.legend(handles=[Patch(color=band_colour(0.9), label=t("likely", lang)),
                       Patch(color=band_colour(0.6), label=t("uncertain", lang)),
                       Patch(color=band_colour(0.1), label=t("unlikely", lang)),
                       Line2D([], [], color="black", marker="|", linestyle="-",
                              label=t("ci", lang)),
                       Line2D([], [], color="grey", linestyle="--", label=t("p80", lang))],
              loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(labels) > 4 else -0.25),
              ncol=3, fontsize=7, frameon=False)
    return ax


def band_colour(p: float) -> str:
    """Green when likely (>= 0.8), amber when uncertain, red when unlikely (< 0.5)."""
    if p >= 0.8:
        return "#41ab5d"
    if p >= 0.5:
        return "#fdae61"
    return "#d7301f"


def date_formatter(locator: mdates.DateLocator, lang: str) -> mdates.ConciseDateFormatter:
    """Short date labels that never repeat a month, in Chinese (2027年, 3月) or English."""
    if lang != "zh":
        return mdates.ConciseDateFormatter(locator)
    return mdates.ConciseDateFormatter(
        locator, formats=["%Y年", "%m月", "%d日", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y年", "%m月", "%m月%d日", "%H:%M", "%H:%M"],
        offset_formats=["", "%Y年", "%Y年%m月", "%Y年%m月%d日", "%Y年%m月%d日", ""])


def first_reach_histogram(first_dates: Sequence[dt.date], n_never: int, *, title: str,
                          target_date: dt.date | None = None, lang: str = "zh",
                          ax: Axes | None = None) -> Axes:
    """Replications by the month-end at which the target first held; 'never' counted aside.

    One bar per month (whole counts; a record is a month-end, so finer bins mean nothing),
    dates labelled by a locator that never repeats a month, and when no replication reached the
    target the axes say so instead of standing empty.
    """
    from collections import Counter

    from matplotlib.ticker import MaxNLocator

    ax = _ax(ax)
    months = Counter(dt.date(d.year, d.month, 1) for d in first_dates)
    if months:
        xs = [mdates.date2num(m) + 14 for m in sorted(months)]
        ax.bar(xs, [months[m] for m in sorted(months)], width=24, color="#6baed6",
               edgecolor="white")
        lo, hi = min(xs) - 45, max(xs) + 45
        if target_date is not None:
            lo = min(lo, mdates.date2num(target_date) - 45)
            hi = max(hi, mdates.date2num(target_date) + 45)
        ax.set_xlim(lo, hi)
    else:
        ax.text(0.5, 0.5, f"{t('never_all', lang)}\n(n = {n_never})", transform=ax.transAxes,
                ha="center", va="center", fontsize=11, color="#5b6675")
        if target_date is not None:
            centre = mdates.date2num(target_date)
            ax.set_xlim(centre - 400, centre + 60)
        ax.set_ylim(0, 1)
    if target_date is not None:
        ax.axvline(mdates.date2num(target_date), color="#cb181d", linestyle=":",
                   label=f"{t('target', lang)} {target_date:%Y-%m-%d}")
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    locator.intervald[mdates.DAILY] = []  # never a tick per day or week: month-ends only
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(date_formatter(locator, lang))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(wrapped(f"{title} — {t('never', lang)}: {n_never}"))
    ax.set_xlabel(t("first", lang))
    ax.set_ylabel(t("reps", lang))
    return ax
