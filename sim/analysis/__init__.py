"""Lever analyses for notebooks and the CLI: compare, sweep, goal-seek, budget split, attribution.

All evaluate fixed replication indices of one root seed (common random numbers), so
differences between lever settings carry only the settings' effect::

    from sim.scenario import load_scenario
    from sim import analysis

    sc = load_scenario("scenarios/jiangbei.yaml")
    c = analysis.compare(sc, levers_b={"area_build": 20000}, reps=100)
    s = analysis.sweep(sc, ["area_build"], [[0, 20000, 40000]], targets=["area_2025"])
    g = analysis.goal_seek(sc, "area_build", ["in_incubation_2025"], p=0.8)
    b = analysis.budget_split(sc, 5e6, ["mentors", "seed_fund"], ["in_incubation_2025"])
    a = analysis.attribution(sc, "in_incubation_2025")

Each result has ``table()`` (CSV rows) and ``summary()`` (the JSON written beside it); the
plots are pure functions in ``sim.analysis.plots``.
"""

from sim.analysis.attribution import AttributionResult, attribute, attribution
from sim.analysis.common import AnalysisError, Evaluator
from sim.analysis.compare import Comparison, compare, compare_outcomes
from sim.analysis.goalseek import BudgetResult, GoalSeekResult, budget_split, goal_seek
from sim.analysis.stats import Interval, mean_difference, newcombe_difference, variance_ratio
from sim.analysis.sweep import SweepResult, sweep

__all__ = [
    "AnalysisError", "AttributionResult", "BudgetResult", "Comparison", "Evaluator",
    "GoalSeekResult", "Interval", "SweepResult", "attribute", "attribution", "budget_split",
    "compare", "compare_outcomes", "goal_seek", "mean_difference", "newcombe_difference",
    "sweep", "variance_ratio",
]
