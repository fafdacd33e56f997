"""Simulation engines; each returns a sim.result.Result."""
