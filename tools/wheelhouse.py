"""Make a folder of wheels for installing migmodule on machines with no internet.

On a connected machine (any system, Python 3.10 or newer), from the repository folder:

    python tools/wheelhouse.py wheels                # Windows, macOS and Linux; Python 3.10-3.13
    python tools/wheelhouse.py wheels --extras pdf   # with the optional PDF handouts
    python tools/wheelhouse.py wheels --here         # only this machine's system and Python

Copy the folder (with a USB key) to the offline machine and install from it with no network:

    pip install --no-index --find-links wheels migmodule

The folder holds migmodule's own wheel (built from this checkout) and, for each system and
Python version, `pip download --only-binary=:all: --platform ... --python-version ...` of its
dependencies. `--here` downloads for the running interpreter only (sources allowed) and adds
what `pip install .` needs to build the checkout (setuptools, wheel): CI uses it (`.ci/run`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# pip expands each tag to the older versions of the same system (macosx_11_0 also takes
# macosx_10_9 wheels, manylinux_2_28 also takes manylinux2014).
PLATFORMS = {
    "windows": ["win_amd64"],
    "macos": ["macosx_11_0_arm64", "macosx_10_12_x86_64"],
    "linux": ["manylinux_2_28_x86_64", "manylinux2014_x86_64"],
}
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
# What environment markers (`; python_version >= '3.11'`) see on each target system.
MARKER_SYSTEMS = {
    "windows": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"},
    "macos": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"},
    "linux": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"},
}
BUILD_REQUIREMENTS = ["setuptools>=68", "wheel"]


def requirements(extras: list[str]) -> list[str]:
    """The checkout's dependencies (pyproject.toml), with the chosen extras."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise SystemExit(f"no extra '{extra}' in pyproject.toml; extras: {', '.join(optional)}")
        wanted += [r for r in optional[extra] if not r.startswith("migmodule[")]
        for nested in (r for r in optional[extra] if r.startswith("migmodule[")):
            wanted += requirements(nested.removeprefix("migmodule[").rstrip("]").split(","))
    return list(dict.fromkeys(wanted))


def for_target(wanted: list[str], system: str, version: str) -> list[str]:
    """The requirements one target needs, markers decided for it and dropped.

    pip decides a marker given on its command line against the Python that runs it, not the
    target of `--python-version`: a dependency limited to Python 3.11 and newer would make the
    3.10 download fail (or be left out of the 3.11 one when run from 3.10).
    """
    try:
        from packaging.requirements import Requirement
    except ModuleNotFoundError:  # a bare interpreter: pip carries its own copy
        from pip._vendor.packaging.requirements import Requirement

    environment = {
        **MARKER_SYSTEMS[system],
        "python_version": version,
        "python_full_version": f"{version}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    out = []
    for text in wanted:
        requirement = Requirement(text)
        if requirement.marker is None:
            out.append(text)
        elif requirement.marker.evaluate(environment):
            requirement.marker = None
            out.append(str(requirement))
    return out


def download_commands(
    dest: Path, extras: list[str], systems: list[str], pythons: list[str]
) -> list[list[str]]:
    """One `pip download` per system and Python version: binary wheels only, for that target."""
    commands = []
    for system in systems:
        for version in pythons:
            command = [sys.executable, "-m", "pip", "download", "--dest", str(dest)]
            command += ["--only-binary=:all:", "--python-version", version]
            command += ["--implementation", "cp"]
            for platform in PLATFORMS[system]:
                command += ["--platform", platform]
            commands.append(command + for_target(requirements(extras), system, version))
    return commands


def here_commands(dest: Path, extras: list[str]) -> list[list[str]]:
    """For the running interpreter only: its dependencies and what building the checkout needs."""
    pip = [sys.executable, "-m", "pip", "download", "--dest", str(dest)]
    return [pip + requirements(extras), pip + BUILD_REQUIREMENTS]


def own_wheel_command(dest: Path) -> list[str]:
    return [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dest), str(ROOT)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="folder to fill with wheels (created)")
    parser.add_argument("--extras", default="", help="extras to include, e.g. pdf or test,pdf")
    parser.add_argument(
        "--system", action="append", choices=sorted(PLATFORMS), help="only these (repeat)"
    )
    parser.add_argument("--python", action="append", help="only these Python versions, e.g. 3.11")
    parser.add_argument("--here", action="store_true", help="only this machine and Python")
    parser.add_argument("--dry-run", action="store_true", help="print the pip commands only")
    args = parser.parse_args(argv)
    extras = [e.strip() for e in args.extras.split(",") if e.strip()]
    if args.here:
        commands = here_commands(args.dest, extras)
    else:
        commands = download_commands(
            args.dest, extras, args.system or sorted(PLATFORMS), args.python or PYTHONS
        )
    commands.append(own_wheel_command(args.dest))
    for command in commands:
        print("+", " ".join(command[1:]), flush=True)
        if not args.dry_run:
            args.dest.mkdir(parents=True, exist_ok=True)
            subprocess.run(command, check=True)
    if not args.dry_run:
        count = len(list(args.dest.glob("*.whl")))
        print(
            f"{args.dest}: {count} wheels. Offline: pip install --no-index --find-links {args.dest} migmodule"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
