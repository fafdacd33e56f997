"""Sensitivity analysis (SALib Morris and Sobol) and scenario discovery (PRIM).

* ``sim.sensitivity.factors``: uncertainties and levers as factors on the unit hypercube.
* ``sim.sensitivity.indices``: Morris and Sobol for any vectorised model (one code path for
  the simulator and for test functions with known indices).
* ``sim.sensitivity.model``: the simulator as such a model, with K replications per point and
  common random numbers across points.
* ``sim.sensitivity.discovery``: PRIM boxes over a run folder's sampled uncertainties.
* ``sim.sensitivity.runner``: whole analyses and their output folders;
  ``sim.sensitivity.plots``: tornado, Sobol bars, Morris plane, PRIM trade-off and box plots.
"""

from sim.sensitivity.discovery import Discovery, discover_run, find_boxes
from sim.sensitivity.factors import Factor, scenario_factors, uniform_factor
from sim.sensitivity.indices import MorrisIndices, SobolIndices, morris, sobol
from sim.sensitivity.runner import (
    SensitivityConfig,
    SensitivityResult,
    run_sensitivity,
    write_discovery,
    write_sensitivity,
)

__all__ = [
    "Discovery",
    "Factor",
    "MorrisIndices",
    "SensitivityConfig",
    "SensitivityResult",
    "SobolIndices",
    "discover_run",
    "find_boxes",
    "morris",
    "run_sensitivity",
    "scenario_factors",
    "sobol",
    "uniform_factor",
    "write_discovery",
    "write_sensitivity",
]
