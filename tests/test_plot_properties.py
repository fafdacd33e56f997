"""Plots a planner can read (#25 item 9), checked on the figure objects, not on pixels."""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")
import numpy as np
from matplotlib.collections import PolyCollection

from sim.analysis.plots import p_curve
from sim.plots import attainment_bars, first_reach_histogram
from sim.sensitivity.plots import morris_plane


def _ticks(labels: list) -> list[str]:  # type: ignore[type-arg]
    return [lab.get_text() for lab in labels if lab.get_text()]


def test_attainment_bars_label_beside_the_whiskers_with_a_legend_and_percent_axis() -> None:
    p, lo, hi = [0.95, 0.5, 0.1], [0.9, 0.4, 0.05], [0.99, 0.6, 0.2]
    ax = attainment_bars(["甲", "乙", "丙"], p, lo, hi, title="很长的规划名称" * 15, lang="zh")
    ax.figure.canvas.draw()
    assert "\n" in ax.get_title()  # wrapped, not cut off
    assert all(s.endswith("%") for s in _ticks(ax.get_xticklabels()))
    legend = ax.get_legend()
    assert legend is not None and len(legend.get_texts()) == 5
    bars_y = sorted(set(np.arange(3)[::-1]))
    assert len(ax.texts) == 3 and bars_y
    for text, (pv, low, high) in zip(ax.texts, zip(p, lo, hi, strict=True), strict=True):
        x = text.get_position()[0]
        assert not low < x < high or x < pv, (text.get_text(), x)  # never on the whisker


def test_first_reach_counts_whole_replications_by_month_with_distinct_ticks() -> None:
    firsts = [dt.date(2027, 12, 31)] * 5 + [dt.date(2027, 11, 30)] * 2
    for lang in ("zh", "en"):
        ax = first_reach_histogram(firsts, 193, title="HNTE", target_date=dt.date(2027, 12, 31),
                                   lang=lang)
        ax.figure.canvas.draw()
        xt = _ticks(ax.get_xticklabels())
        assert len(xt) == len(set(xt)) >= 3
        assert all(float(s.replace("−", "-")).is_integer() for s in _ticks(ax.get_yticklabels()))
        assert sorted(int(b.get_height()) for b in ax.patches) == [2, 5]


def test_first_reach_with_nothing_reached_says_so() -> None:
    ax = first_reach_histogram([], 199, title="HNTE", target_date=dt.date(2025, 12, 31),
                               lang="zh")
    assert any("199" in tx.get_text() and "从未达到" in tx.get_text() for tx in ax.texts)


def test_sweep_curves_many_lines_keep_bands_and_legend_off_the_data() -> None:
    x = [0, 1, 2, 3, 4]
    many = {f"s{i}": (np.full(5, 0.5), np.full(5, 0.4), np.full(5, 0.6)) for i in range(10)}
    ax = p_curve(x, many, xlabel="lever", title="sweep")
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]  # no shaded bands
    anchor = ax.get_legend().get_bbox_to_anchor()
    ax.figure.canvas.draw()
    assert anchor.x0 >= ax.get_window_extent().x1 - 1  # the legend starts right of the axes
    few = {"a": (np.full(5, 0.5), np.full(5, 0.4), np.full(5, 0.6))}
    ax = p_curve(x, few, xlabel="lever", title="sweep")
    assert [c for c in ax.collections if isinstance(c, PolyCollection)]


def test_morris_plane_does_not_stack_labels_at_the_origin() -> None:
    labels = [f"f{i}" for i in range(12)]
    ax = morris_plane(labels, [1.0, 0.9, *[0.001] * 10], [0.5, 0.4, *[0.001] * 10], title="m")
    names = [tx.get_text() for tx in ax.texts]
    annotations = [c for c in ax.get_children() if type(c).__name__ == "Annotation"]
    assert {a.get_text() for a in annotations} == {"f0", "f1"}
    assert any("10" in n and "f2" in n for n in names)
