"""Implementation of the command-line commands (run_sim.py only parses arguments)."""
