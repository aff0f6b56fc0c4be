"""Several files for one level, read as one: `person=region_*.sav`, or a folder of Parquet parts.

A census delivered as one file per region, or as a partitioned dataset, is one level: its files
are read one after the other, in the order of their names, and their rows numbered on from file
to file, so that a report is the one the same rows in one file would give. `parts` says where
each file's rows start, so that an example can name its file and its row there.

`open_source` is the one way validate opens a path: a plain file gives a `DataSource`; a path
with `*`, `?` or `[` (a glob) or a folder gives a `MultiSource` (one file found: that file).
Every file must have the format and the variables of the first (the same names; their labels
and storage come from the first file).
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from migmodule.codes import Location, MigmoduleError
from migmodule.i18n import Phrase
from migmodule.microdata.codes import DATA_UNREADABLE
from migmodule.microdata.source import FORMATS, DataSource, RawChunk

GLOB = set("*?[")


@dataclass
class Part:
    """One file of a level read from several: its path, its first row in the level (0-based)
    and its number of rows (None until it is read, for a CSV file)."""

    path: Path
    first_row: int
    rows: int | None


def is_pattern(path: str | Path) -> bool:
    return bool(GLOB & set(str(path))) or Path(path).is_dir()


def expand(path: str | Path) -> list[Path]:
    """The files a glob or a folder names, sorted by name (a folder: the data files in it and in
    its sub-folders, as a partitioned Parquet dataset is laid out)."""
    text = str(path)
    if Path(text).is_dir():
        found = [p for p in Path(text).rglob("*") if p.is_file() and p.suffix.lower() in FORMATS]
    else:
        found = [Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file()]
    return sorted(found, key=lambda p: str(p))


def open_source(path: str | Path, encoding: str | None = None) -> DataSource | MultiSource:
    """A DataSource for a file, a MultiSource for a glob or a folder (coded error if it names
    no file)."""
    if not is_pattern(path):
        return DataSource(path, encoding)
    files = expand(path)
    if not files:
        raise MigmoduleError.of(
            DATA_UNREADABLE,
            Location(file=str(path)),
            path=path,
            reason=Phrase("reason.no_file_matches"),
        )
    return MultiSource(path, files, encoding)


class MultiSource:
    """Files read one after the other as one source (the interface of DataSource)."""

    def __init__(self, pattern: str | Path, files: list[Path], encoding: str | None = None):
        self.path = Path(pattern)
        self.encoding = encoding
        self.sources = [DataSource(file, encoding) for file in files]
        first = self.sources[0]
        self.format, self.columns = first.format, first.columns
        for source in self.sources[1:]:
            self._same_as_first(source)
        counts = [source.n_rows for source in self.sources]
        self.n_rows = None if None in counts else sum(counts)
        self.parts = self._parts(counts)
        self.reader = ""

    def _same_as_first(self, source: DataSource) -> None:
        first = self.sources[0]
        reason = None
        if source.format != first.format:
            reason = (
                f"its format ({source.format}) is not that of {first.path.name} ({first.format})"
            )
        elif list(source.columns) != list(first.columns):
            missing = [n for n in first.columns if n not in source.columns]
            extra = [n for n in source.columns if n not in first.columns]
            reason = f"its variables are not those of {first.path.name}" + "".join(
                f"; {label}: {', '.join(names[:8])}"
                for label, names in (("missing", missing), ("extra", extra))
                if names
            )
        if reason is not None:
            raise MigmoduleError.of(
                DATA_UNREADABLE, Location(file=str(source.path)), path=source.path, reason=reason
            )

    def _parts(self, counts: list[int | None]) -> list[Part]:
        parts, first = [], 0
        for source, rows in zip(self.sources, counts, strict=True):
            parts.append(Part(source.path, first, rows))
            first += rows or 0
        return parts

    def find(self, name: str) -> str | None:
        return self.sources[0].find(name)

    @property
    def size(self) -> int:
        """Bytes of every file (the progress total of CSV files)."""
        return sum(source.path.stat().st_size for source in self.sources)

    def chunks(self, names: list[str], chunk_size: int | None = None) -> Iterator[RawChunk]:
        """Each file's chunks in turn (a chunk never spans two files); `parts` is filled in with
        the row counts as the files are read."""
        first = 0
        for part, source in zip(self.parts, self.sources, strict=True):
            rows = 0
            for raw in source.chunks(names, chunk_size):
                self.reader = source.reader
                rows += len(raw.frame)
                yield raw
            part.first_row, part.rows = first, rows
            first += rows

    def part_of(self, row: int) -> tuple[Part, int]:
        """The file of a 0-based row of the level, and the row's 0-based number in that file."""
        for part in reversed(self.parts):
            if row >= part.first_row:
                return part, row - part.first_row
        return self.parts[0], row
