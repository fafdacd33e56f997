"""Where figures come from: the accepted source forms and the documents a scenario cites.

Every parameter and baseline figure carries a ``source`` in one of these forms:

* ``doc:<id> <passage>`` — a document of the scenario's ``documents:`` registry (a plan, a rule,
  a paper), with the passage (``doc:beibei-plan 二(一)``); the registry gives its title, issuer,
  number, date and public address, and optionally its text under ``documents/``;
* ``calibration/data/<file>.csv <row id>`` — a row of the project's public record, which carries
  its own source title and address (``calibration/...`` paths to notes, fitted parameter files
  and derivation scripts are accepted too);
* ``derived: <how>`` — computed from other sourced figures, saying how;
* ``assumption: <why>`` — no public figure; the reason.

``show`` and the report print a document's title and address beside each figure that cites it
(``describe``).
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import functools
import re
from collections.abc import Iterator
from typing import Any

from sim import PROJECT_ROOT
from sim.numbers_only import flag_raised

FORMS = ("doc:<id> <passage>", "calibration/data/<file>.csv <row id>", "derived: <how>",
         "assumption: <why>")
"""The source forms, as ``validate`` lists them."""
PREFIXES = ("doc:", "calibration/", "derived:", "assumption:")
DOC_ID = r"[a-z][a-z0-9-]*"
DOC_REF = re.compile(rf"doc:({DOC_ID})")
DATA_REF = re.compile(r"calibration/data/([a-z0-9_-]+\.csv)\s+([A-Za-z0-9_]+)")


STORED: contextvars.ContextVar[bool] = contextvars.ContextVar("stored_scenario", default=False)
"""True while re-reading a scenario a run stored (``stored_scenario``): its sources were
checked when it ran, under the rules of that day, and are kept as they were."""


def stored_scenario() -> contextlib.AbstractContextManager[None]:
    """Re-read a run's stored scenario without re-judging its sources (runs stay readable)."""
    return flag_raised(STORED)


def check_form(text: str) -> str:
    """A source's text if it has an accepted form, else ValueError naming the forms."""
    stripped = text.strip()
    if STORED.get():
        return stripped
    return _accepted_form(stripped)


@functools.lru_cache(maxsize=8192)
def _accepted_form(stripped: str) -> str:
    """``check_form``'s verdict on a stripped text.

    Cached: every replication's variant of a scenario validates the same sources again.
    """
    if not stripped:
        raise ValueError(f"source is empty (expected one of: {', '.join(FORMS)})")
    if not stripped.startswith(PREFIXES):
        raise ValueError(f"a source starts with one of: {', '.join(FORMS)}")
    for prefix in ("assumption:", "derived:"):
        if stripped.startswith(prefix) and len(stripped) < len(prefix) + 3:
            raise ValueError(f"'{prefix}' needs its reason ('{prefix} <text>')")
    if stripped.startswith("doc:") and not re.match(rf"doc:{DOC_ID}(\s|$)", stripped):
        raise ValueError("a document is cited as 'doc:<id> <passage>' (id: lowercase letters, "
                         "digits and '-')")
    return stripped


@functools.cache
def data_rows(file: str) -> frozenset[str]:
    """Row ids of ``calibration/data/<file>`` (empty if the file is missing)."""
    path = PROJECT_ROOT / "calibration" / "data" / file
    if not path.is_file():
        return frozenset()
    with path.open(encoding="utf-8-sig", newline="") as f:
        return frozenset(row.get("id", "") for row in csv.DictReader(f))


def unresolved(text: str, documents: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Each reference in a source that does not resolve: (what is wrong, what is expected)."""
    if STORED.get():
        return
    for doc in DOC_REF.findall(text):
        if doc not in documents:
            known = ", ".join(sorted(documents)) or "none"
            yield (f"no document '{doc}' in this scenario's documents",
                   f"one of: {known} (or add it under documents:)")
    for file, row in DATA_REF.findall(text):
        rows = data_rows(file)
        if not rows:
            yield (f"no data file calibration/data/{file}", "a file of calibration/data/")
        elif row not in rows:
            yield (f"no row '{row}' in calibration/data/{file}",
                   f"a row id of calibration/data/{file}")


def sources(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every ``source`` string in scenario data, with its key path."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "source" and isinstance(v, str):
                yield (*path, k), v
            else:
                yield from sources(v, (*path, k))
    elif isinstance(node, list | tuple):
        for i, v in enumerate(node):
            yield from sources(v, (*path, i))


def cited(texts: Iterator[str] | list[str]) -> list[str]:
    """The document ids cited in these sources, in order of first citation."""
    out: dict[str, None] = {}
    for text in texts:
        for doc in DOC_REF.findall(text):
            out.setdefault(doc, None)
    return list(out)


def describe(text: str, documents: dict[str, Any], lang: str = "zh", *,
             with_url: bool = True) -> str:
    """A source with each cited document's title (and number and address) beside it."""
    out = text
    for doc in cited([text]):
        d = documents.get(doc)
        if d is None:
            continue
        title = d.title.zh if lang == "zh" else d.title.en
        extra = f"《{title}》" if lang == "zh" else f"'{title}'"
        if d.number:
            extra += f" {d.number}"
        if with_url and d.url:
            extra += f" {d.url}"
        out += f" ({doc}: {extra})"
    return out
