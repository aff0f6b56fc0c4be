"""Maintenance commands for the repository (run with `python -m migmodule.tools.<name>`)."""
