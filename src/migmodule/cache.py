"""A private on-disk cache of what the program derives from files that seldom change (a module's
parsed YAML with its line numbers and its typed module, a language's catalogue), so that each run
does not parse them again: every command is a new process, and parsing and building the models
was a quarter of a small validation's time.

An entry is keyed by the file's bytes, the code that derived the value and the versions of
migmodule, Python, PyYAML and pydantic: an edited file or a new release is a new key, never a
stale value. Plain data (dicts, lists, text, numbers, dates) and the spec's own models are
cached, never an error: a file that does not parse raises its coded error on every run.

Where it lives: `$MIGMODULE_CACHE_DIR`, else `%LOCALAPPDATA%\\migmodule\\Cache` on Windows,
`~/Library/Caches/migmodule` on macOS, `$XDG_CACHE_HOME/migmodule` or `~/.cache/migmodule`
elsewhere. `MIGMODULE_CACHE_DIR=off` turns it off. A folder that cannot be read or written is
skipped without a word: the cache saves time, it is never needed for a result.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import TypeVar

from migmodule import __version__

T = TypeVar("T")

CACHE_ENV = "MIGMODULE_CACHE_DIR"
OFF = frozenset({"off", "0", "no", "none"})
FORMAT = b"migmodule-cache 1\n"  # bump when the layout of an entry changes
MAX_ENTRIES = 200  # past this, the oldest half is removed when an entry is written


def cache_dir() -> Path | None:
    """The cache folder (not created here), or None when the user turned the cache off or the
    user has no home folder to hold it (a service account without one)."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen:
        return None if chosen.lower() in OFF else Path(chosen).expanduser()
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "").strip()
        folder = (Path(local) if local else _home() / "AppData" / "Local") / "migmodule" / "Cache"
    elif sys.platform == "darwin":
        folder = _home() / "Library" / "Caches" / "migmodule"
    else:
        base = os.environ.get("XDG_CACHE_HOME", "").strip()
        folder = (Path(base) if base else _home() / ".cache") / "migmodule"
    # "~" left as it is (no home found) would make a folder named ~ wherever the command runs
    return folder if folder.is_absolute() else None


def _home() -> Path:
    try:
        return Path.home()
    except RuntimeError:  # no HOME and no entry in the password database
        return Path("~")


def code_stamp(*source_files: str) -> str:
    """A mark of the code in `source_files` (sizes and modification times): a key part, so that
    an edited parser in a source checkout (whose version number stays the same) misses."""
    marks = []
    for source in source_files:
        try:
            stat = os.stat(source)
        except OSError:
            marks.append("unknown")
            continue
        marks.append(f"{stat.st_size}:{stat.st_mtime_ns}")
    return " ".join(marks)


def digest(data: bytes) -> bytes:
    """A short digest of `data` (BLAKE2b, 20 bytes): what an entry's key or checksum holds."""
    return hashlib.blake2b(data, digest_size=20).digest()


def entry_path(kind: str, parts: Iterable[bytes | str]) -> Path | None:
    """The file of the entry for `parts` (None when the cache is off)."""
    folder = cache_dir()
    if folder is None:
        return None
    hasher = hashlib.blake2b(digest_size=20)
    for part in (__version__, sys.version, kind, *parts):
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        # each part's length first, so that ("ab", "c") and ("a", "bc") differ
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return folder / f"{kind}-{hasher.hexdigest()}.pickle"


def cached(
    kind: str,
    parts: Iterable[bytes | str],
    build: Callable[[], T],
    classes: Collection[tuple[str, str]] = (),
) -> T:
    """The value `build()` returns for `parts`, read from the cache when an earlier run stored it.

    `kind` names the entry's family ("yaml", "catalogue"); `parts` must hold everything the value
    depends on (the file's bytes, a `code_stamp` of the code that builds it). An exception from
    `build` goes to the caller and nothing is stored. The value is plain data and dates, and the
    objects of `classes` ((module, class name) pairs: the program's own models, whose state is
    plain data too); an entry naming any other class is not loaded.
    """
    path = entry_path(kind, parts)
    if path is not None:
        found = _read(path, frozenset(classes))
        if found is not None:
            return found[0]
    value = build()
    if path is not None:
        _write(path, value)
    return value


class _PlainDataUnpickler(pickle.Unpickler):
    """Pickle is fast for the program's own data in its own folder; this unpickler loads nothing
    but plain data, dates and the classes it is given, so even a tampered entry can name no other
    class or function."""

    DATES = frozenset(
        ("datetime", name) for name in ("date", "datetime", "time", "timedelta", "timezone")
    )

    def __init__(self, file: io.BytesIO, classes: frozenset[tuple[str, str]]):
        super().__init__(file)
        self.allowed = self.DATES | classes

    def find_class(self, module: str, name: str):  # noqa: ANN201 (pickle's signature)
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not plain data")
        return super().find_class(module, name)


def _read(path: Path, classes: frozenset[tuple[str, str]] = frozenset()) -> tuple[object] | None:
    """(value,) of a sound entry; None for a missing, unreadable, truncated or altered one."""
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    head = len(FORMAT) + 20
    if not blob.startswith(FORMAT) or len(blob) < head:
        return None
    payload = blob[head:]
    if blob[len(FORMAT) : head] != digest(payload):  # a torn or altered file: rebuilt
        return None
    # The collector would walk every object of the process (pandas' too) several times while
    # thousands of small dicts and tuples are made: paused, the load is ten times faster.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return (_PlainDataUnpickler(io.BytesIO(payload), classes).load(),)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None  # not loadable by this code (its key should have told): built again
    finally:
        if collecting:
            gc.enable()


def _write(path: Path, value: object) -> None:
    """Store an entry atomically (a temporary file renamed over it); skipped silently when the
    folder cannot be made or written (read-only, full, no permission)."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    blob = FORMAT + digest(payload) + payload
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(temporary, "wb") as handle:
            handle.write(blob)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Keep the folder small: past MAX_ENTRIES entries, remove the older half."""
    try:
        entries = [entry for entry in os.scandir(folder) if entry.name.endswith(".pickle")]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime_ns)
        for entry in entries[: len(entries) - MAX_ENTRIES // 2]:
            os.unlink(entry.path)
    except OSError:
        return


def clear() -> int:
    """Remove every entry of the cache folder; the number removed."""
    folder = cache_dir()
    removed = 0
    if folder is None or not folder.is_dir():
        return 0
    for entry in os.scandir(folder):
        if entry.name.endswith((".pickle", ".tmp")):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                continue
    return removed
