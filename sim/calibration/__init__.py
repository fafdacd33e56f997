"""Calibration: observed figures, fits of uncertain parameters (SMM or ABC), parameter files.

* ``figures``: reading ``calibration/data/*.csv`` and screening which figures can inform a fit.
* ``params``: free parameters (uncertainty names or dotted paths); scenarios with or without a
  parameter file included.
* ``fit``: the evaluator (common random numbers), simulated method of moments, ABC rejection.
* ``output``: parameter YAML, fit table, posterior, posterior-predictive plots.
* ``run``: ``calibrate(CalibrationConfig)``, what ``python run_sim.py calibrate`` runs.
"""

from sim.calibration.figures import (
    COHORT_STATISTICS,
    CONFIDENCE_SD,
    Figure,
    FigureError,
    read_figures,
    screen,
)
from sim.calibration.params import FreeParam, ParamError, load_excluding, load_including
from sim.calibration.run import CalibrationConfig, CalibrationError, calibrate

__all__ = [
    "COHORT_STATISTICS",
    "CONFIDENCE_SD",
    "CalibrationConfig",
    "CalibrationError",
    "Figure",
    "FigureError",
    "FreeParam",
    "ParamError",
    "calibrate",
    "load_excluding",
    "load_including",
    "read_figures",
    "screen",
]
