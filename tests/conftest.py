"""Test options shared by every test file.

Tests marked `slow` (whole-bank handouts, big chunked files) run in CI (the `CI` environment
variable is set, as CI services and `.ci/run` do) or locally with `--runslow`; a plain local
`pytest` skips them and says so.

The run's cache folder (migmodule/cache.py) is a temporary one, removed at the end, unless
MIGMODULE_CACHE_DIR is set: the tests neither read a developer's cache nor fill it.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_CACHE_ENV = "MIGMODULE_CACHE_DIR"
_TEMPORARY_CACHE: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    if _CACHE_ENV not in os.environ:
        folder = tempfile.mkdtemp(prefix="migmodule-test-cache-")
        _TEMPORARY_CACHE.append(folder)
        os.environ[_CACHE_ENV] = folder  # subprocesses (the CLI tests) inherit it


def pytest_unconfigure(config: pytest.Config) -> None:
    for folder in _TEMPORARY_CACHE:
        os.environ.pop(_CACHE_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


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
