"""Money as planners read it: 万元 (10,000 yuan) on every screen, table, plot and report.

Scenarios and CSV columns keep yuan (``*_yuan*``, ``spend_mean``) so nothing is rounded
away; everything shown to a reader goes through ``wan`` and ``money_unit``. A lever's own unit
(for example "million yuan per year") is the scenario's choice and is shown as written.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from sim.messages import MONEY_TEXT, label

YUAN_PER_WAN = 1e4
Amount = TypeVar("Amount", float, np.ndarray)


def wan(yuan: Amount) -> Amount:
    """Yuan in 万元 (a number or an array of them)."""
    return yuan / YUAN_PER_WAN


def yuan_from_wan(amount: float) -> float:
    """万元 in yuan."""
    return amount * YUAN_PER_WAN


def money_unit(lang: str, per_year: bool = False) -> str:
    """The unit's label: 万元 (万元/年) in Chinese, 10k yuan (10k yuan/yr) in English."""
    return label(MONEY_TEXT, "wan_per_year" if per_year else "wan", lang)
