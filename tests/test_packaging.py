"""The wheel ships every package, the module bank and the data files."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import migmodule
from migmodule.spec.registry import bank_dir, list_modules

ROOT = Path(__file__).resolve().parents[1]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def test_every_package_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT / "src").parts)
        for init in (ROOT / "src" / "migmodule").rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


def test_the_bank_is_found_where_the_package_is_installed():
    entries = list_modules()
    assert {e.id for e in entries} >= {
        "census-key-questions",
        "rural-migration",
        "labour-migration",
        "recruitment-costs",
    }
    if "site-packages" in migmodule.__file__:  # a non-editable install, as in CI
        assert "site-packages" in str(bank_dir())


SLOW_AND_FAST = """
import pytest


@pytest.mark.slow
def test_slow():
    pass


def test_fast():
    pass
"""


@pytest.mark.parametrize(
    ("ci", "options", "outcome"),
    [
        ("", [], "1 passed, 1 skipped"),
        ("false", [], "1 passed, 1 skipped"),
        ("", ["--runslow"], "2 passed"),
        ("true", [], "2 passed"),
    ],
)
def test_slow_tests_run_in_ci_or_with_runslow(tmp_path, ci, options, outcome):
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_marks.py").write_text(SLOW_AND_FAST, encoding="utf-8")
    env = {**os.environ, "CI": ci}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-o",
            "markers=slow",
            *options,
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert outcome in result.stdout, result.stdout
