"""Writing outputs atomically: a run that is interrupted leaves no half-written file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from migmodule.codes import Location, MigmoduleError, define

UNWRITABLE = define(
    "OUT-WRITE-001",
    "error",
    "Output cannot be written",
    "cannot write {path}: {reason}. Check that the folder exists and is writable.",
    "export",
)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; move it into place only if the block succeeds."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise MigmoduleError.of(
            UNWRITABLE,
            Location(file=str(target)),
            path=target,
            reason=f"folder {folder} does not exist",
        )
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise MigmoduleError.of(
            UNWRITABLE, Location(file=str(target)), path=target, reason=exc.strerror
        ) from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        # mkstemp makes the file private (0600); give it the mode a normally created file gets.
        os.chmod(temp, _default_mode(target))
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()


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
