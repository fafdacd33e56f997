"""Scenario files: schema, loading with includes and located errors, variants."""

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loading import load_scenario, scenario_hash, validate_data
from sim.scenario.schema import Scenario, Target
from sim.scenario.variants import plain_data, to_data, with_changes

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "Target",
    "load_scenario",
    "plain_data",
    "scenario_hash",
    "to_data",
    "validate_data",
    "with_changes",
]
