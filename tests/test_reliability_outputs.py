"""Outputs over inputs (issue 20): a command never writes over a file it reads, and the hidden
`.part` file of a run killed mid-write is removed by the next write of the same target."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.codes import MigmoduleError
from migmodule.io import STALE_PART_SECONDS, guard_inputs, note_input, write_text

MINI = Path(__file__).parent / "specs" / "mini.yaml"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def inputs(tmp_path):
    spec = tmp_path / "mini.yaml"
    spec.write_bytes(MINI.read_bytes())
    profile = tmp_path / "p.yaml"
    profile.write_text(
        f"profile_format: 1\nname: t\ncountry: KEN\nmodules:\n  - module: {spec}\n",
        encoding="utf-8",
    )
    return spec, profile


@pytest.mark.parametrize(
    "command",
    [["export", "stata"], ["export", "xlsform"], ["export", "r"], ["handout", "--format", "md"]],
)
@pytest.mark.parametrize("target", ["spec", "profile", "profile by another name"])
def test_output_onto_the_spec_or_profile_is_refused(inputs, command, target, tmp_path):
    spec, profile = inputs
    out = {"spec": spec, "profile": profile}.get(target)
    if out is None:  # a symlink to the profile is the profile
        out = tmp_path / "link.yaml"
        out.symlink_to(profile)
    before = _digest(spec), _digest(profile)
    result = CliRunner().invoke(main, [*command, "--profile", str(profile), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "OUT-WRITE-002" in result.output
    assert (_digest(spec), _digest(profile)) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_output_beside_the_inputs_is_written(inputs, tmp_path):
    _, profile = inputs
    result = CliRunner().invoke(
        main, ["export", "stata", "--profile", str(profile), "-o", str(tmp_path / "x.do")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x.do").exists()


def test_guard_is_scoped_to_one_command(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x")
    with guard_inputs():
        note_input(path)
        with pytest.raises(MigmoduleError) as info:
            write_text(path, "y")
        assert info.value.finding.code == "OUT-WRITE-002"
    note_input(path)  # outside a command: not recorded
    write_text(path, "y")
    assert path.read_text() == "y"


def test_stale_part_files_of_a_killed_run_are_removed(tmp_path):
    target = tmp_path / "out.do"
    stale = tmp_path / ".out.do.abc123.part"
    fresh = tmp_path / ".out.do.def456.part"  # maybe a run still writing: kept
    other = tmp_path / ".other.do.abc123.part"
    for part in (stale, fresh, other):
        part.write_text("half")
    old = time.time() - STALE_PART_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    write_text(target, "whole")
    assert not stale.exists() and fresh.exists() and other.exists()
    assert target.read_text() == "whole"
