"""Calendar of a run: record dates (base date and month ends) shared by every engine."""

from __future__ import annotations

import datetime as dt

from sim.scenario import Scenario


def record_dates(sc: Scenario) -> list[dt.date]:
    """The base date (day before the start) and every month end to the horizon."""
    out = [sc.meta.start - dt.timedelta(days=1)]
    year, month = sc.meta.start.year, sc.meta.start.month
    while True:
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        end = nxt - dt.timedelta(days=1)
        if end > sc.meta.horizon_end:
            break
        if end >= sc.meta.start:
            out.append(end)
        year, month = nxt.year, nxt.month
    if out[-1] != sc.meta.horizon_end:
        out.append(sc.meta.horizon_end)
    return out


def record_times(sc: Scenario, dates: list[dt.date]) -> list[float]:
    """Model times of the records: 0 for the base date, then the end of each date."""
    return [0.0] + [sc.end_of_day(d) for d in dates[1:]]
