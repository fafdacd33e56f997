"""Shijingshan's HNTE start and inflow from figures dated on or before its cut-off (2022-12-31).

The district published no HNTE figure before its plan started (calibration/data/
shijingshan-notes.md), so both are derived from Beijing's record and the district's size:

1. **Start stock** (2023-01-01): Beijing's 2021 HNTE stock (bj_hnte_2021) times the
   district's share of Beijing's 2020 GDP (ss_gdp_2020 / bj_gdp_2020), grown one year at
   Beijing's pre-cut-off trend (bj_hnte_2018 -> bj_hnte_2021, the last two figures). The
   share of a district's HNTE in the city's is assumed within half and one and a half times
   its share of GDP: that range is the uncertain baseline's triangular distribution.
2. **Candidate pool**: the number of other tech firms that may apply (``hnte_candidates``) at
   which the median replication's HNTE stock grows at Beijing's pre-cut-off trend over the
   first two years (2023-2024); found by bisection with common random numbers (the same
   replications for every pool size).

Run from the project root: ``python calibration/derivations/shijingshan_hnte.py [--reps N]``.
It prints the figures the scenario cites (scenarios/shijingshan.yaml, ``firms.stock``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sim.engines.fast import simulate  # noqa: E402
from sim.scenario import load_scenario, with_changes  # noqa: E402

POOL = "firms.stock.hnte_candidates.count"
SHARE_RANGE = (0.5, 1.5)
"""Assumption: a district's share of the city's HNTE is within these multiples of its GDP share."""


def _value(file: str, row_id: str) -> tuple[float, dt.date]:
    with open(ROOT / "calibration" / "data" / file, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["id"] == row_id:
                return float(row["value"]), dt.date.fromisoformat(row["date"].split("/")[-1])
    raise KeyError(f"{file}: no row {row_id}")


def beijing_trend() -> float:
    """Yearly growth of Beijing's HNTE between its last two figures before the cut-off."""
    v0, d0 = _value("beijing.csv", "bj_hnte_2018")
    v1, d1 = _value("beijing.csv", "bj_hnte_2021")
    return float((v1 / v0) ** (365.25 / (d1 - d0).days) - 1)


def start_stock() -> tuple[float, float, float]:
    """(low, mode, high) of the district's HNTE on 2023-01-01."""
    bj, bj_date = _value("beijing.csv", "bj_hnte_2021")
    share = _value("shijingshan.csv", "ss_gdp_2020")[0] / _value("beijing.csv", "bj_gdp_2020")[0]
    years = (dt.date(2022, 12, 31) - bj_date).days / 365.25
    mode = bj * share * (1 + beijing_trend()) ** years
    return mode * SHARE_RANGE[0], mode, mode * SHARE_RANGE[1]


def median_growth(pool: int, reps: int) -> float:
    """Median yearly HNTE growth 2023-2024 over replications 0..reps-1 at this pool size."""
    sc = with_changes(load_scenario(ROOT / "scenarios" / "shijingshan.yaml"), {POOL: pool})
    growth = []
    for seed in range(reps):
        r = simulate(sc, seed)
        h = r.series["hnte_valid"]
        a, b = h[r.index_at(dt.date(2022, 12, 31))], h[r.index_at(dt.date(2024, 12, 31))]
        growth.append((b / a) ** 0.5 - 1 if a > 0 else np.nan)
    return float(np.nanmedian(growth))


def main() -> None:
    """Print the derivation (the figures and how they combine) with its Monte Carlo check."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    args = ap.parse_args()
    g = beijing_trend()
    low, mode, high = start_stock()
    print(f"Beijing HNTE trend 2018-09 -> 2021-12: {g:.4f} a year")
    print(f"start stock 2023-01-01: triangular(low={low:.0f}, mode={mode:.0f}, high={high:.0f})")
    lo, hi = 2_000, 60_000
    while hi - lo > 250:
        mid = (lo + hi) // 2
        m = median_growth(mid, args.reps)
        print(f"  pool {mid:>6}: median growth {m:.4f}")
        lo, hi = (mid, hi) if m < g else (lo, mid)
    print(f"candidate pool: {round((lo + hi) / 2, -2):.0f} ({args.reps} replications)")


if __name__ == "__main__":
    main()
