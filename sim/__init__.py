"""Regional incubation and double-doubling goal-attainment simulator."""

from pathlib import Path

__version__ = "0.1.0"

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The project's root: scenarios/, calibration/ and documents/ paths are relative to it."""
