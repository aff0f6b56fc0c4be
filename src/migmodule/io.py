"""Writing outputs atomically: a run that is interrupted leaves no half-written file."""

from __future__ import annotations

import csv
import glob
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from migmodule.codes import Location, MigmoduleError, define

UNWRITABLE = define(
    "OUT-WRITE-001",
    "error",
    "Output cannot be written",
    "cannot write {path}: {reason}. Check that the folder exists and is writable.",
    "export",
)


OVERWRITES_INPUT = define(
    "OUT-WRITE-002",
    "error",
    "Output would replace an input",
    "{path} is also an input of this command ({role}); writing it would replace what is being "
    "read. Choose another output path.",
    "export",
)

# Files read by the running command (resolved path -> what it is), while a command runs inside
# `guard_inputs()`; `atomic_path` refuses to write over any of them.
_inputs: dict[str, str] | None = None


@contextmanager
def guard_inputs() -> Iterator[None]:
    """While the block runs, every file noted with `note_input` is protected from being written."""
    global _inputs
    outer, _inputs = _inputs, {}
    try:
        yield
    finally:
        _inputs = outer


def _key(path: str | Path) -> str | None:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return None


def note_input(path: str | Path, role: str = "input file") -> None:
    """Record that the running command reads `path` (a no-op outside `guard_inputs()`)."""
    key = _key(path)
    if _inputs is not None and key is not None:
        _inputs.setdefault(key, role)


def refuse_input_target(path: str | Path) -> None:
    """A coded error when `path` names a file the running command reads."""
    key = _key(path)
    if _inputs and key in _inputs:
        raise MigmoduleError.of(
            OVERWRITES_INPUT, Location(file=str(path)), path=path, role=_inputs[key]
        )


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; move it into place only if the block succeeds."""
    target = Path(path)
    check_writable(target)
    folder = target.parent if str(target.parent) else Path(".")
    _remove_stale_parts(folder, target.name)
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise _unwritable(target, exc) from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        try:
            yield temp
            # mkstemp makes the file private (0600); give it the mode a normally created file gets.
            os.chmod(temp, _default_mode(target))
            os.replace(temp, target)
        except OSError as exc:
            # A full disk (ENOSPC), a quota, a folder in the way: said with the target's path. Only
            # errors about the temporary file or the target are ours; others (a file the block
            # reads) go on as they are.
            if exc.filename not in (None, str(temp), temp, str(target), target):
                raise
            raise _unwritable(target, exc) from None
    finally:
        with suppress(OSError):
            temp.unlink(missing_ok=True)


def check_writable(path: str | Path) -> None:
    """A coded error, before any work, when `path` cannot receive an output: a file the command
    reads, a folder (or other non-file) already at that path, or a folder that does not exist."""
    target = Path(path)
    refuse_input_target(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise MigmoduleError.of(
            UNWRITABLE,
            Location(file=str(target)),
            path=target,
            reason=f"folder {folder} does not exist",
        )
    if target.is_dir():
        raise MigmoduleError.of(
            UNWRITABLE, Location(file=str(target)), path=target, reason="it is a folder"
        )
    if target.exists() and not target.is_file():
        raise MigmoduleError.of(
            UNWRITABLE,
            Location(file=str(target)),
            path=target,
            reason="it is not a regular file (a device or a pipe)",
        )


def _unwritable(target: Path, exc: OSError) -> MigmoduleError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return MigmoduleError.of(UNWRITABLE, Location(file=str(target)), path=target, reason=reason)


# A run killed mid-write leaves its hidden `.NAME.xxxx.part` beside the target; the next write of
# the same target removes those old enough not to belong to a run still under way.
STALE_PART_SECONDS = 3600


def _remove_stale_parts(folder: Path, name: str) -> None:
    now = time.time()
    for part in folder.glob(f".{glob.escape(name)}.*.part"):
        try:
            if now - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()
        except OSError:  # gone already, or not ours to remove: the write goes on
            continue


def _default_mode(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_text(path: str | Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    with atomic_path(path) as temp, open(temp, "w", encoding=encoding, newline=newline) as fh:
        fh.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as temp:
        temp.write_bytes(data)


# Side files of a profile ---------------------------------------------------------------------------
def csv_delimiter(text: str) -> str:
    """The separator of a small CSV a profile names: ";" when its first line has semicolons and
    no comma (French and Spanish Excel), else ","."""
    first = text.splitlines()[0] if text else ""
    return ";" if ";" in first and "," not in first else ","


def read_csv_rows(path: Path, role: str, fail: Callable[[str], MigmoduleError]) -> list[list[str]]:
    """The rows of a UTF-8 CSV a profile names (a code list, a table), noted as an input of the
    command. `fail(reason)` makes the caller's coded error for a missing or unreadable file."""
    note_input(path, role)  # no output of the command may replace it
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise fail("the file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read it as UTF-8 text ({exc})") from None
    return list(csv.reader(text.splitlines(), delimiter=csv_delimiter(text)))
