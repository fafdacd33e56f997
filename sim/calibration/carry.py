r"""Carry a city's fitted parameters to its districts (docs/design.md section 6).

A district of a fitted city starts from the city's fitted parameters, overridden where the
district's own figures identify them. Only parameters that mean the same in a district are
carried: rates per firm (an HNTE application rate per registered firm), or a city total that
each district scales by its own share in its scenario file (the city's yearly direct HNTE
certifications, times a step multiplier: the district's share of the city's HNTE, derived
from figures up to its cut-off); not a city total a district has its own figure for (the
city's yearly inflow of registrations). The district file is made from the city's file, never
written by hand, so it cannot drift from it (tests/test_calibration.py regenerates it):

    python -m sim.calibration.carry calibration/params/chongqing.yaml \
        hnte_first_application hnte_capable_share hnte_direct_certification \
        --out calibration/params/chongqing-districts.yaml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from sim.calibration.output import display, param_yaml


def carried(city_file: Path, names: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The document and header of a district file carrying ``names`` from ``city_file``."""
    doc = yaml.safe_load(city_file.read_text(encoding="utf-8"))
    found = doc.get("uncertainties", {})
    missing = [n for n in names if n not in found]
    if missing:
        raise KeyError(f"{display(city_file)}: no fitted uncertainty {missing[0]} (fitted: "
                       f"{', '.join(found) or 'none'})")
    out: dict[str, Any] = {"uncertainties": {}}
    for name in names:
        entry = dict(found[name])
        entry["source"] = (f"{display(city_file)}: the city's fitted value, carried to its "
                           f"districts; {entry['source']}")
        out["uncertainties"][name] = entry
    header = [
        f"City parameters carried to its districts, from {display(city_file)}.",
        "Made by: python -m sim.calibration.carry " + display(city_file) + " "
        + " ".join(names) + " --out <this file> (do not edit by hand).",
        "Districts include it after the shared priors; their own figures may override it.",
    ]
    return out, header


def main(argv: list[str] | None = None) -> int:
    """Write the district file; one line and exit 2 on a bad argument."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("city_file", type=Path)
    parser.add_argument("names", nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        doc, header = carried(args.city_file, args.names)
    except (OSError, KeyError) as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 2
    args.out.write_text(param_yaml(doc, header), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
