"""The project is MIT: no package it needs at run time may be under a GPL-family licence."""

from __future__ import annotations

import importlib.metadata as md
import re
import tomllib

from packaging.requirements import Requirement

from sim import PROJECT_ROOT

GPL = re.compile(r"\b(A|L)?GPL|General Public License", re.IGNORECASE)


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _licence_text(dist: md.Distribution) -> str:
    meta = dist.metadata
    parts = [meta.get("License-Expression") or "", (meta.get("License") or "")[:300]]
    parts += [c for c in meta.get_all("Classifier") or [] if c.startswith("License")]
    return " | ".join(parts)


def runtime_closure() -> dict[str, str]:
    """Licence text of every installed package the declared run-time dependencies pull in."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    todo = [Requirement(r) for r in project["project"]["dependencies"]]
    seen: dict[str, str] = {}
    while todo:
        req = todo.pop()
        key = _key(req.name)
        if key in seen:
            continue
        try:
            dist = md.distribution(req.name)
        except md.PackageNotFoundError:
            continue  # an optional platform dependency not installed here
        seen[key] = _licence_text(dist)
        extras = req.extras or {""}
        for text in dist.requires or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(sub)
    return seen


def test_no_gpl_package_at_run_time() -> None:
    closure = runtime_closure()
    assert {"numpy", "simpy", "scipy", "matplotlib", "typer"} <= set(closure)
    offending = {name: text for name, text in closure.items() if GPL.search(text)}
    assert not offending, f"GPL-family licences in an MIT project: {offending}"


def test_the_licence_pattern_catches_gpl_texts() -> None:
    for text in ("GPL-3.0", "GNU General Public License v3 (GPLv3)", "LGPL-2.1-or-later",
                 "License :: OSI Approved :: GNU Affero General Public License v3"):
        assert GPL.search(text)
    for text in ("MIT", "BSD-3-Clause", "Apache-2.0", "MPL 2.0", "PSF-2.0"):
        assert not GPL.search(text)
