"""The one error type a scenario file can raise, with messages that point at the mistake.

Every problem becomes one line ``FILE:LINE: field.path: value: what is wrong (what was
expected)`` so a planner can go straight to it; the CLI prints these lines and exits 2.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any


def show_value(value: Any, limit: int = 60) -> str:
    """A short, readable rendering of an offending value."""
    if value is MISSING:
        return "(missing)"
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dt.date):
        text = value.isoformat()  # as written in YAML
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


MISSING: Any = _Missing()
"""Marker for a required field that is absent."""


@dataclass(frozen=True)
class Problem:
    """One located problem in a scenario file."""

    file: str
    line: int | None
    path: str
    value: Any
    problem: str
    expected: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else f"{self.file}:?"
        expected = f" (expected {self.expected})" if self.expected else ""
        field = self.path or "(document)"
        return f"{where}: {field}: {show_value(self.value)}: {self.problem}{expected}"


class ScenarioError(Exception):
    """A scenario that cannot be used; ``problems`` lists every located mistake."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
