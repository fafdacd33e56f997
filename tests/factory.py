"""Small scenarios built in code for exact-formula and model-truth tests."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sim.scenario import Scenario, validate_data

A = "assumption: test scenario"


def q(value: float) -> dict[str, Any]:
    return {"value": value, "source": A}


def fixed(value: float) -> dict[str, Any]:
    return {"dist": "fixed", "value": value, "source": A}


NEVER = fixed(1e9)

BASE: dict[str, Any] = {
    "meta": {
        "id": "test_queue",
        "name": {"zh": "测试", "en": "test"},
        "region": {"zh": "测试区", "en": "test region"},
        "seed_file": "none",
        "start": dt.date(2020, 1, 1),
        "horizon_end": dt.date(2029, 12, 31),
    },
    "carriers": [],
    "firms": {
        "quality": fixed(1.0),
        "patience_months": fixed(0.0),
        "sources": {},
        "stages": {
            "team": {"in_carrier": {"max_stay_months": NEVER}, "outside": {}},
            "startup": {"in_carrier": {"max_stay_months": NEVER}, "outside": {}},
            "growth": {"in_carrier": {"max_stay_months": NEVER}, "outside": {}},
        },
        "exit_by_age": [{"from_age_years": 0, "rate": q(0.0)}],
        "post_exit": {"window_years": q(0.0), "failure_rate": q(0.0)},
        "graduation": {"p_seek_next": q(0.0), "p_relocate_if_no_room": q(0.0)},
        "initial_incubatees": {"tenure_months": fixed(0.0), "age_years": fixed(0.0)},
    },
    "statuses": {},
    "carrier_rules": {"service": {"mentors_per_carrier": q(0), "mentors_per_100_incubatees": q(0),
                                  "staff_per_carrier": q(0), "staff_per_100_incubatees": q(0)}},
    "targets": [{"id": "t", "label": {"zh": "t", "en": "t"}, "metric": "in_incubation",
                 "op": ">=", "value": 1, "date": dt.date(2029, 12, 31), "source": A}],
}


def queue_scenario(*, rate: float, slots: int, stay: dict[str, Any], patience: float = 0.0,
                   years: int = 10) -> Scenario:
    """One maker space with ``slots`` slots, Poisson team arrivals, stays ending by ``stay``.

    ``stay`` is a Risk for team dissolution (rate or duration), so a stay ends only by it.
    """
    d = copy.deepcopy(BASE)
    d["meta"]["horizon_end"] = dt.date(2020 + years - 1, 12, 31)
    d["targets"][0]["date"] = d["meta"]["horizon_end"]
    d["carriers"] = [{"id": "space", "kind": "maker_space", "level": "district",
                      "total_area": q(slots * 10.0), "area_per_slot": q(10.0),
                      "opened": dt.date(2019, 1, 1), "incubatees": q(0), "source": A}]
    d["firms"]["patience_months"] = fixed(patience)
    d["firms"]["sources"] = {"teams": {"label": {"zh": "团队", "en": "teams"}, "rate": q(rate),
                                       "stage_mix": {"team": 1}, "p_seek_carrier": q(1.0),
                                       "source": A}}
    d["firms"]["stages"]["team"]["in_carrier"]["dissolution"] = stay
    return validate_data(d)


def with_data(changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of BASE with top-level sections replaced."""
    d = copy.deepcopy(BASE)
    d.update(changes)
    return d


def assert_conserved(population: dict[str, Any]) -> None:
    """Every firm ever created is in exactly one place at every record (conservation)."""
    import numpy as np

    p = population
    total = p["queue"] + p["carrier"] + p["outside"] + p["exited"] + p["relocated"]
    np.testing.assert_array_equal(total, p["created"])


def assert_flows_add_up(result: Any) -> None:
    """Counted flows agree with the population accounting at every record."""
    import numpy as np

    p, f = result.population, result.flows
    np.testing.assert_array_equal(f["closed_in_carrier"] + f["closed_outside"], p["exited"])
    np.testing.assert_array_equal(f["relocated"], p["relocated"])
    np.testing.assert_array_equal(f["arrivals"], p["created"] - p["created"][0])
    for name, values in f.items():
        assert values[0] == 0, f"{name} does not start at 0"
        assert np.all(np.diff(values) >= 0), f"{name} is not cumulative"


ENTERED_FILTERS = ({"kind": ["incubator"], "level": ["municipal"]}, {"level_at_least": "municipal"},
                   {"tag": "featured"}, {})
"""Carrier filters of the ``carriers_entered_cum`` checks (tests/test_carriers_entered.py); the
engine-equality test asks for them on Jiangbei too, so both engines' counts are compared."""


def entered_queries() -> list[tuple[Any, Any]]:
    """(carriers entered since the start, carriers now) for each of ``ENTERED_FILTERS``."""
    from sim.metrics import Query

    return [(Query.of("carriers_entered_cum", f), Query.of("carriers", f))
            for f in ENTERED_FILTERS]
