"""Regional incubation and double-doubling goal-attainment simulator."""

__version__ = "0.1.0"
