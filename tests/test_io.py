"""Outputs are written atomically and readable like any other file."""

import os
import stat

import pytest

from migmodule.codes import MigmoduleError
from migmodule.io import atomic_path, write_text


def test_written_file_has_the_usual_permissions(tmp_path):
    target = tmp_path / "out.txt"
    write_text(target, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_an_interrupted_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_text("half")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_text("new")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old" and len(list(tmp_path.iterdir())) == 1


def test_missing_folder_is_a_coded_error(tmp_path):
    with pytest.raises(MigmoduleError) as info:
        write_text(tmp_path / "nope" / "out.txt", "x")
    assert info.value.finding.code == "OUT-WRITE-001"
