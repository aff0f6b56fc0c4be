"""The offline install: tools/wheelhouse.py asks pip for binary wheels of every dependency for
each system and Python version, the README says how to install from the folder with no network
(and what to do on Windows), and CI installs that way (`.ci/run`: the real proof, online)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("wheelhouse", ROOT / "tools" / "wheelhouse.py")
wheelhouse = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wheelhouse)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
README = (ROOT / "README.md").read_text(encoding="utf-8")
OFFLINE = "pip install --no-index --find-links wheels migmodule"


def test_one_binary_download_per_system_and_python_with_every_dependency(tmp_path):
    commands = wheelhouse.download_commands(
        tmp_path, [], ["windows", "macos", "linux"], ["3.10", "3.13"]
    )
    assert len(commands) == 6
    for command in commands:
        assert command[1:4] == ["-m", "pip", "download"] and "--only-binary=:all:" in command
        assert set(PROJECT["dependencies"]) <= set(command)
    targets = {(c[c.index("--python-version") + 1], c[c.index("--platform") + 1]) for c in commands}
    assert targets == {
        (v, p)
        for v in ("3.10", "3.13")
        for p in ("win_amd64", "macosx_11_0_arm64", "manylinux_2_28_x86_64")
    }
    assert "macosx_10_12_x86_64" in commands[2] or "macosx_10_12_x86_64" in commands[3]


def test_markers_are_decided_for_each_target_not_for_the_running_python():
    wanted = [
        "polars>=1",
        "svy>=0.35,<0.36; python_version >= '3.11'",
        "x; sys_platform == 'win32'",
    ]
    assert wheelhouse.for_target(wanted, "linux", "3.10") == ["polars>=1"]
    assert wheelhouse.for_target(wanted, "linux", "3.11") == ["polars>=1", "svy<0.36,>=0.35"]
    assert wheelhouse.for_target(wanted, "windows", "3.12")[-1] == "x"
    commands = wheelhouse.download_commands(Path("w"), ["tabulate"], ["linux"], ["3.10", "3.11"])
    assert not any(r.startswith("svy") for r in commands[0])
    assert any(r.startswith("svy") for r in commands[1])
    assert not any(";" in part for command in commands for part in command)


def test_extras_and_nested_extras_are_added():
    with_pdf = wheelhouse.requirements(["pdf"])
    assert set(PROJECT["optional-dependencies"]["pdf"]) <= set(with_pdf)
    dev = wheelhouse.requirements(["dev"])  # dev = migmodule[test] + ruff
    assert set(PROJECT["optional-dependencies"]["test"]) <= set(dev)
    assert not any(r.startswith("migmodule[") for r in dev)


def test_here_adds_what_building_the_checkout_needs_and_dry_run_prints(tmp_path, capsys):
    commands = wheelhouse.here_commands(tmp_path, ["test"])
    assert "--only-binary=:all:" not in commands[0] and "pytest>=8" in commands[0]
    assert commands[1][-2:] == ["setuptools>=68", "wheel"]
    assert (
        wheelhouse.main(
            [str(tmp_path / "w"), "--system", "windows", "--python", "3.12", "--dry-run"]
        )
        == 0
    )
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2 and "--platform win_amd64" in printed[0]
    assert printed[1].startswith("+ -m pip wheel --no-deps")
    assert not (tmp_path / "w").exists()


def test_readme_says_how_to_install_offline_and_on_windows():
    assert "python tools/wheelhouse.py wheels" in README
    assert OFFLINE in README
    assert "activate.bat" in README and "Activate.ps1" in README
    assert "Set-ExecutionPolicy -Scope Process -ExecutionPolicy Bypass" in README
    assert re.search(r"pip install -e \"?\.", README)


def test_ci_installs_from_a_wheel_folder_with_no_index():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "tools/wheelhouse.py" in run and "--here" in run
    assert "PIP_NO_INDEX=1" in run and "PIP_FIND_LINKS=" in run
    # the download comes before the README's command runs
    assert run.index("PIP_NO_INDEX=1") < run.index('bash -euo pipefail -c "$command"')
