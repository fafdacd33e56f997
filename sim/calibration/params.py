"""Free parameters of a fit, and scenario files with or without a parameter file included.

A free parameter is an uncertainty name (its prior is the uncertainty's distribution, its
bounds the distribution's support) or a dotted scenario path to a number that no uncertainty
sets (prior uniform on its bounds; default bounds half and twice the current value, capped at
1 for probabilities). ``NAME=LOW:HIGH`` narrows or sets the bounds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sim.distributions import Distribution
from sim.scenario import Scenario, ScenarioError, to_data, validate_data, with_changes
from sim.scenario import paths as pathmod
from sim.scenario.yamlio import (
    LineMap,
    finish,
    load_with_includes,
    merge_layers,
    read_yaml,
    unwrap_layer,
)


class ParamError(ValueError):
    """A --params entry that does not name a free parameter of the scenario."""


@dataclass(frozen=True)
class FreeParam:
    """One parameter the fit moves."""

    name: str
    kind: Literal["uncertainty", "path"]
    low: float
    high: float
    start: float
    """Where the optimiser starts: the prior mean (uncertainty) or the current value (path)."""
    prior: Distribution | None = None
    current_source: str = ""

    def to_unit(self, value: float) -> float:
        """Position of a value in [low, high] as a fraction."""
        return (value - self.low) / (self.high - self.low)

    def from_unit(self, x: float) -> float:
        """The value at fraction ``x`` of [low, high] (clipped)."""
        return self.low + min(1.0, max(0.0, x)) * (self.high - self.low)

    def prior_ppf(self, u: float) -> float:
        """Prior quantile (uniform on the bounds for a path), clipped to the bounds."""
        if self.prior is None:
            return self.from_unit(u)
        return min(self.high, max(self.low, self.prior.ppf1(u)))


def _is_probability(dotted: str) -> bool:
    last = dotted.split(".")[-1]
    return last.startswith("p_") or last in ("probability", "share")


def parse_params(spec: str, scenario: Scenario) -> list[FreeParam]:
    """``a,b=0.1:0.5,c`` -> free parameters (ParamError with a one-line reason)."""
    items = [s.strip() for s in spec.split(",") if s.strip()]
    if not items:
        raise ParamError(f"--params: {spec!r}: no parameter named (expected NAME[,NAME...])")
    data = to_data(scenario)
    set_by: dict[tuple[Any, ...], str] = {}
    for uname, u in scenario.uncertainties.items():
        for p in u.sets:
            set_by[pathmod.locate(data, p)] = uname
    out: list[FreeParam] = []
    for item in items:
        name, _, bounds = item.partition("=")
        name = name.strip()
        if name in (p.name for p in out):
            raise ParamError(f"--params: {name}: named twice")
        if name in scenario.uncertainties:
            dist = scenario.uncertainties[name].distribution
            lo, hi = dist.support
            if not math.isfinite(lo):
                lo = dist.ppf1(0.001)
            if not math.isfinite(hi):
                hi = dist.ppf1(0.999)
            fp = FreeParam(name, "uncertainty", float(lo), float(hi), float(dist.mean), dist,
                           scenario.uncertainties[name].source)
        else:
            try:
                concrete = pathmod.locate(data, name)
            except pathmod.PathError as exc:
                raise ParamError(
                    f"--params: {name}: not an uncertainty of scenario {scenario.meta.id} and "
                    f"not a parameter path ({exc}) (expected an uncertainty name: "
                    f"{', '.join(scenario.uncertainties) or 'none'}; or a dotted path such as "
                    "statuses.hnte.p_apply_year)") from None
            if concrete in set_by:
                raise ParamError(
                    f"--params: {name}: set by uncertainty '{set_by[concrete]}' in every "
                    f"replication (expected the uncertainty name {set_by[concrete]})")
            value = float(pathmod.get(data, concrete))
            lo, hi = value / 2, value * 2
            if _is_probability(name):
                hi = min(hi, 1.0)
            parent = pathmod.get(data, concrete[:-1])
            src = parent.get("source", "") if isinstance(parent, dict) else ""
            fp = FreeParam(name, "path", lo, hi, value, None, str(src))
        if bounds:
            a, sep, b = bounds.partition(":")
            try:
                lo, hi = float(a), float(b)
            except ValueError:
                raise ParamError(f"--params: {item}: bounds not LOW:HIGH numbers") from None
            if not sep or not lo < hi:
                raise ParamError(f"--params: {item}: bounds need LOW < HIGH")
            fp = FreeParam(fp.name, fp.kind, lo, hi, min(hi, max(lo, fp.start)), fp.prior,
                           fp.current_source)
        if not fp.low < fp.high:
            raise ParamError(f"--params: {name}: current value {fp.start} gives empty default "
                             "bounds (expected NAME=LOW:HIGH)")
        out.append(fp)
    return out


def variant(scenario: Scenario, params: Sequence[FreeParam], theta: Sequence[float]) -> Scenario:
    """The scenario with the path parameters set to ``theta`` (uncertainties are per rep)."""
    changes = {p.name: float(v) for p, v in zip(params, theta, strict=True) if p.kind == "path"}
    return with_changes(scenario, changes) if changes else scenario


def uncertainty_overrides(params: Sequence[FreeParam],
                          theta: Sequence[float]) -> dict[str, float]:
    """Values of the free uncertainties at ``theta``."""
    return {p.name: float(v) for p, v in zip(params, theta, strict=True)
            if p.kind == "uncertainty"}


def _layers(scenario_path: Path, extra: Path | None,
            drop: Path | None) -> tuple[dict[str, Any], LineMap]:
    """Merge a scenario's includes (+ ``extra`` last, - ``drop``) and then its own content."""
    own, own_lines = unwrap_layer(*read_yaml(scenario_path))
    includes = own.pop("include", None) or []
    if isinstance(includes, str):
        includes = [includes]
    files = [(scenario_path.parent / str(i)) for i in includes]
    if drop is not None:
        files = [f for f in files if f.resolve() != drop.resolve()]
    if extra is not None and all(f.resolve() != extra.resolve() for f in files):
        files.append(extra)
    data: dict[str, Any] = {}
    lines: LineMap = {}
    for f in files:
        d, ln = load_with_includes(f, skip=drop)
        data, lines = merge_layers(data, lines, d, ln)
    merged, merged_lines = merge_layers(data, lines, own, own_lines)
    return finish(merged), merged_lines


def load_including(scenario_path: str | Path, param_file: str | Path) -> Scenario:
    """The scenario as if its ``include:`` ended with ``param_file`` (ScenarioError if bad)."""
    p = Path(scenario_path)
    data, lines = _layers(p, Path(param_file), None)
    return validate_data(data, lines, default_file=str(p))


def load_excluding(scenario_path: str | Path, param_file: str | Path) -> Scenario:
    """The scenario without ``param_file`` among its includes (the uncalibrated scenario)."""
    p = Path(scenario_path)
    data, lines = _layers(p, None, Path(param_file))
    return validate_data(data, lines, default_file=str(p))


def in_force(scenario: Scenario, params: Sequence[FreeParam],
             written: Mapping[str, Any]) -> list[str]:
    """Parameters whose written value is NOT what ``scenario`` holds (empty list: all in force).

    ``written`` maps each parameter name to its value (path) or distribution data (uncertainty).
    """
    data = to_data(scenario)
    bad: list[str] = []
    for p in params:
        if p.kind == "path":
            try:
                got = float(pathmod.get(data, pathmod.locate(data, p.name)))
            except (pathmod.PathError, ScenarioError):
                bad.append(p.name)
                continue
            if not math.isclose(got, float(written[p.name]), rel_tol=1e-9, abs_tol=1e-12):
                bad.append(p.name)
        else:
            u = scenario.uncertainties.get(p.name)
            want = {k: v for k, v in written[p.name].items() if v is not None}
            have = (u.distribution.model_dump(mode="json", by_alias=True, exclude_none=True)
                    if u else {})
            have.pop("source", None)
            if not u or any(have.get(k) != v for k, v in want.items()) or set(have) - set(want):
                bad.append(p.name)
    return bad
