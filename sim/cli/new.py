"""The ``new`` command: write a commented skeleton scenario for a new plan."""

from __future__ import annotations

import re
from pathlib import Path

from sim import PROJECT_ROOT
from sim.cli.analysis import _bad
from sim.cli.commands import EXIT_OK
from sim.messages import msg
from sim.scenario.skeleton import CITIES, skeleton
from sim.store import atomic_write_bytes

ID = re.compile(r"^[a-z][a-z0-9_]*$")


def new_scenario(scenario_id: str, city: str, lang: str, folder: Path | None = None) -> int:
    """Write ``scenarios/ID.yaml`` (never over an existing file); say what to do next."""
    if not ID.match(scenario_id) or len(scenario_id) > 64:
        return _bad(f"ID: {scenario_id!r}: not a scenario id (expected lowercase letters, digits "
                    "and _, starting with a letter, e.g. yubei_carriers)")
    if city not in CITIES:
        return _bad(f"--city: {city!r}: unknown (expected one of: {', '.join(CITIES)})")
    if lang not in ("zh", "en"):
        return _bad(f"--lang: {lang!r}: unknown (expected zh or en)")
    folder = folder or PROJECT_ROOT / "scenarios"
    out = folder / f"{scenario_id}.yaml"
    if out.exists():
        return _bad(f"{out}: already exists (expected a new ID, or remove the file first)")
    atomic_write_bytes(out, skeleton(scenario_id, city, lang).encode("utf-8"))
    print(msg("new_written", lang, out=out))
    return EXIT_OK
