"""Uncertainties: sampled once per replication, then written into a copy of the scenario.

Monte Carlo draws each replication's values from that replication's own sub-stream; Latin
hypercube sampling stratifies each uncertainty across a batch of replications (the experiment
layer calls ``sample_lhs`` and passes the values in). Either way the engine receives a plain
mapping {uncertainty name: value} and ``apply_uncertainties`` returns a validated variant.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.scenario import Scenario, with_changes


def sample_one(scenario: Scenario, rng: np.random.Generator) -> dict[str, float]:
    """One Monte Carlo draw of every uncertainty (in declaration order)."""
    return {name: u.clean(u.distribution.sample_one(rng))
            for name, u in scenario.uncertainties.items()}


def sample_lhs(scenario: Scenario, rng: np.random.Generator, n: int) -> list[dict[str, float]]:
    """``n`` Latin hypercube draws: each uncertainty hits every 1/n stratum exactly once."""
    out: list[dict[str, float]] = [{} for _ in range(n)]
    for name, u in scenario.uncertainties.items():
        strata = (rng.permutation(n) + rng.random(n)) / n
        for i, v in enumerate(u.distribution.ppf(strata)):
            out[i][name] = u.clean(float(v))
    return out


def apply_uncertainties(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """A variant with each uncertainty's value written to every parameter it sets."""
    changes: dict[str, float] = {}
    for name, value in values.items():
        u = scenario.uncertainties[name]
        for path in u.sets:
            changes[path] = u.clean(value)
    return with_changes(scenario, changes) if changes else scenario
