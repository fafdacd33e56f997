"""The carrier filter both engines ask (sim.model.carrier_filter) reads the filters as sets."""

from __future__ import annotations

import itertools

import numpy as np

from sim.model.carrier_filter import carrier_codes, encode, mask, matches
from sim.registry import KINDS, LEVELS, TAGS

ZONES = ("north", "south", "east")
SECTORS = ("ict", "bio", "materials", "agri")


def _selected(filters: dict[str, object], kind: str, level: str, tags: set[str],
              zone: str | None, sector: str | None) -> bool:
    """The glossary's reading of a query's carrier filters, written with sets."""
    checks = {
        "kind": lambda v: kind in v,
        "level": lambda v: level in v,
        "level_at_least": lambda v: LEVELS.index(level) >= LEVELS.index(v),
        "tag": lambda v: v in tags,
        "zone": lambda v: zone in v,
        "sector": lambda v: sector in v,
    }
    return all(checks[name](value) for name, value in filters.items())


def _random_filters(rng: np.random.Generator) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, vocab in (("kind", KINDS), ("level", LEVELS), ("zone", ZONES),
                        ("sector", SECTORS)):
        if rng.random() < 0.5:
            k = int(rng.integers(1, len(vocab) + 1))
            out[name] = tuple(rng.choice(vocab, size=k, replace=False))
    if rng.random() < 0.4:
        out["level_at_least"] = str(rng.choice(LEVELS))
    if rng.random() < 0.4:
        out["tag"] = str(rng.choice(TAGS))
    return out


def test_every_filter_combination_selects_what_the_sets_say() -> None:
    rng = np.random.default_rng(7)
    carriers = [(kind, level, set(tags), zone, sector)
                for kind, level in itertools.product(KINDS, LEVELS)
                for tags in ((), ("featured",), ("large", "benchmark"))
                for zone in (None, *ZONES) for sector in (None, "bio")]
    codes = np.array([carrier_codes(*c, ZONES, SECTORS) for c in carriers], dtype=np.int64)
    columns = [np.ascontiguousarray(codes[:, j]) for j in range(5)]
    for _ in range(200):
        filters = _random_filters(rng)
        f = encode(filters, ZONES, SECTORS)
        expected = np.array([_selected(filters, *c) for c in carriers])
        got = mask(*f, *columns)
        assert (got == expected).all(), filters
        one = [bool(matches(*f, *row)) for row in codes]
        assert one == expected.tolist(), filters


def test_no_filter_selects_every_carrier_and_a_zone_filter_none_without_zone() -> None:
    row = carrier_codes("incubator", "district", (), None, None, ZONES, SECTORS)
    assert matches(*encode({}, ZONES, SECTORS), *row)
    assert not matches(*encode({"zone": ("north",)}, ZONES, SECTORS), *row)
    assert not matches(*encode({"sector": ("bio",)}, ZONES, SECTORS), *row)
