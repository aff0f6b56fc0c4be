"""Test options shared by every test file.

Tests marked `slow` (whole-bank handouts, big chunked files) run in CI (the `CI` environment
variable is set, as CI services and `.ci/run` do) or locally with `--runslow`; a plain local
`pytest` skips them and says so.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runslow", action="store_true", default=False, help="also run tests marked slow"
    )


def run_slow(config: pytest.Config) -> bool:
    """Slow tests run with --runslow, or when CI is set to anything but false/0/empty."""
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return in_ci or bool(config.getoption("--runslow"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if run_slow(config):
        return
    skip = pytest.mark.skip(reason="slow: runs in CI (CI set) or with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
