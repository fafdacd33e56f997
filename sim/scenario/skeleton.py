"""``python run_sim.py new``: a commented scenario skeleton a planner fills in.

Every figure the planner must supply is a placeholder ``FILL(example; what to fill)``;
``validate`` lists each unfilled one on its own line (file, line, field, what to fill) before
anything else is checked (``placeholders``). Replacing every placeholder by its example gives a
scenario that validates and runs (tested), so the skeleton is known to be complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from string import Template
from typing import Any

from sim.messages import SKELETON_TEXT
from sim.scenario.yamlio import PathKey

PLACEHOLDER = re.compile(r"^FILL\((?P<example>[^;]*);\s*(?P<what>.*)\)$", re.S)
"""``FILL(example; what to fill)``: an unfilled figure of a skeleton."""

CITIES: dict[str, list[str]] = {
    "chongqing": ["common/priors.yaml", "common/chongqing_rules.yaml",
                  "common/chongqing_hnte_direct.yaml",
                  "../calibration/params/chongqing-districts.yaml"],
    "beijing": ["common/priors.yaml"],
    "hubei": ["common/priors.yaml"],
    "none": ["common/priors.yaml"],
}
"""What a new scenario of each city includes (paths relative to scenarios/)."""

RECORD = {"chongqing": "calibration/data/chongqing.csv", "beijing": "calibration/data/beijing.csv",
          "hubei": "calibration/data/hubei.csv", "none": "calibration/data/<region>.csv"}

COMMENTS = SKELETON_TEXT
"""The skeleton's comments, Chinese and English (the catalogue, sim/messages.py)."""

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
"""The skeleton's text (``new_scenario.yaml.tmpl``) and the carrier rules of a city without
shared rules (``new_rules.yaml.tmpl``), with ``$name`` fields (string.Template)."""


def skeleton(scenario_id: str, city: str, lang: str) -> str:
    """The skeleton's text for ``scenario_id`` in ``city`` (comments in ``lang``)."""
    values: dict[str, Any] = {
        "id": scenario_id, "doc": scenario_id.replace("_", "-") + "-plan",
        "include": ", ".join(CITIES[city]),
        "record": RECORD[city],
    }
    for key, (zh, en) in COMMENTS.items():
        values[f"c_{key}"] = Template(zh if lang == "zh" else en).safe_substitute(values)
    rules = Template((TEMPLATES / "new_rules.yaml.tmpl").read_text(encoding="utf-8"))
    values["rules"] = "" if city == "chongqing" else rules.substitute(values)
    values["direct_hnte"] = (Template((TEMPLATES / "new_direct_hnte.yaml.tmpl").read_text(
        encoding="utf-8")).substitute(values) if city == "chongqing" else "")
    template = Template((TEMPLATES / "new_scenario.yaml.tmpl").read_text(encoding="utf-8"))
    return template.substitute(values)


def placeholders(node: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str, str, str]]:
    """Every unfilled ``FILL(example; what)``: (key path, text, what, example)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from placeholders(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from placeholders(v, (*path, i))
    elif isinstance(node, str):
        m = PLACEHOLDER.match(node.strip())
        if m:
            yield path, node, m.group("what").strip(), m.group("example").strip()


def fill_with_examples(text: str) -> str:
    """The skeleton with every placeholder replaced by its example (for tests and demos)."""
    out, i = [], 0
    while (j := text.find("FILL(", i)) >= 0:
        depth, k = 0, j + 4
        while k < len(text):  # the matching parenthesis (examples may hold their own)
            depth += {"(": 1, ")": -1}.get(text[k], 0)
            if depth == 0:
                break
            k += 1
        example = text[j + 5:k].split(";", 1)[0].strip()
        out += [text[i:j], example]
        i = k + 1
    return "".join(out) + text[i:]


__all__ = ["CITIES", "fill_with_examples", "placeholders", "skeleton"]
