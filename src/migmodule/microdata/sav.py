"""A raw reader for UNCOMPRESSED SPSS .sav files (compression code 0).

Why: pyreadstat reads a .sav into Python lists (dict output) or builds a pandas frame cell by cell;
for validation that was most of the time. An uncompressed .sav stores each case as a fixed record
of 8-byte slots (a number is one IEEE double; a string of width w takes ceil(w/8) slots, space
padded), so the columns asked for can be viewed with a numpy structured dtype.

Only uncompressed files are read here. SPSS writes bytecode-compressed files by default and
`.zsav` files are zlib-compressed: both raise `Unsupported` and are read by pyreadstat. So are
files whose dictionary does not match pyreadstat's metadata variable for variable (very long
strings, which SPSS splits into 255-byte segments, are the usual case) and files whose data
section is not exactly `cases x record width` bytes.

Values come as pyreadstat gives them with `user_missing=True`: numbers raw (user-missing values
included; their definitions come from the metadata read), the system-missing value (the
"sysmis" of the float-info record, -DBL_MAX when the record is absent) as NaN; strings decoded in
the file's encoding with trailing spaces removed.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from migmodule.microdata.records import records

SYSMIS = -sys.float_info.max
# SPSS character codes (machine integer info record) for files without an encoding record.
CODE_PAGES = {65001: "utf-8", 1252: "cp1252", 28591: "latin-1", 20127: "ascii", 2: "cp1252"}


class Unsupported(Exception):
    """The raw reader does not read this file: use pyreadstat."""


@dataclass
class Layout:
    order: str  # "<" or ">"
    n_rows: int
    names: list[str]  # short (8-byte) names, in order; matched to the metadata by position
    widths: list[int]  # 0 numeric, else string width in bytes
    slots: list[int]  # first 8-byte slot of each variable in a case
    row_width: int
    data_start: int
    sysmis: float
    encoding: str | None


def read_layout(path: str | Path) -> Layout:
    """Parse the file header and dictionary; Unsupported for compressed or unusual files."""
    with open(path, "rb") as handle:
        header = handle.read(176)
        if header[:4] == b"$FL3":
            raise Unsupported("compressed .zsav (read by pyreadstat)")
        if len(header) < 176 or header[:4] != b"$FL2":
            raise Unsupported("not an uncompressed .sav file")
        order = "<" if struct.unpack("<i", header[64:68])[0] in (2, 3) else ">"
        case_size, compression, _weight, n_rows = struct.unpack(order + "4i", header[68:84])
        if compression != 0:
            raise Unsupported("compressed .sav (read by pyreadstat)")
        if n_rows < 0:
            raise Unsupported("the header does not give the number of cases")
        layout = _dictionary(handle, order, n_rows)
        size = handle.seek(0, 2)
    if layout.row_width != case_size * 8:
        raise Unsupported("the dictionary does not match the case size")
    if size != layout.data_start + n_rows * layout.row_width:
        raise Unsupported("the data section does not match the header")
    return layout


def _ints(handle, order: str, count: int) -> tuple[int, ...]:
    data = handle.read(4 * count)
    if len(data) != 4 * count:
        raise Unsupported("truncated dictionary")
    return struct.unpack(f"{order}{count}i", data)


def _dictionary(handle, order: str, n_rows: int) -> Layout:
    names: list[str] = []
    widths: list[int] = []
    slots: list[int] = []
    slot = 0
    sysmis = SYSMIS
    encoding = None
    code_page = None
    while True:
        (kind,) = _ints(handle, order, 1)
        if kind == 2:  # variable (or continuation of a long string)
            width, has_label, n_missing, _print, _write = _ints(handle, order, 5)
            name = handle.read(8)
            if has_label:
                (length,) = _ints(handle, order, 1)
                handle.seek((length + 3) // 4 * 4, 1)
            handle.seek(abs(n_missing) * 8, 1)
            if width >= 0:
                names.append(name.decode("latin-1").rstrip())
                widths.append(width)
                slots.append(slot)
            slot += 1
        elif kind == 3:  # value labels, always followed by a type 4 record of variable indexes
            (count,) = _ints(handle, order, 1)
            for _ in range(count):
                handle.seek(8, 1)
                length = handle.read(1)
                if not length:
                    raise Unsupported("truncated value labels")
                handle.seek((length[0] + 8) // 8 * 8 - 1, 1)
            (four, n_vars) = _ints(handle, order, 2)
            if four != 4:
                raise Unsupported("value labels without their variables")
            handle.seek(4 * n_vars, 1)
        elif kind == 6:  # documents
            (lines,) = _ints(handle, order, 1)
            handle.seek(80 * lines, 1)
        elif kind == 7:  # extension records
            subtype, size, count = _ints(handle, order, 3)
            data = handle.read(size * count)
            if len(data) != size * count:
                raise Unsupported("truncated extension record")
            if subtype == 14:
                raise Unsupported("very long string variables (read by pyreadstat)")
            if subtype == 20:
                encoding = data.decode("ascii", errors="replace").strip()
            elif subtype == 3 and size * count >= 32:
                code_page = struct.unpack(order + "8i", data[:32])[7]
            elif subtype == 4 and size * count >= 8:
                sysmis = struct.unpack(order + "d", data[:8])[0]
        elif kind == 999:
            _ints(handle, order, 1)
            break
        else:
            raise Unsupported(f"unknown dictionary record type {kind}")
    if encoding is None and code_page is not None:
        encoding = CODE_PAGES.get(code_page)
    if encoding is not None:
        try:
            "".encode(encoding)
        except LookupError:
            encoding = None
    return Layout(order, n_rows, names, widths, slots, slot * 8, handle.tell(), sysmis, encoding)


def read_chunks(
    path: str | Path, layout: Layout, positions: list[int], chunk_size: int | None
) -> Iterator[list[np.ndarray]]:
    """The variables at `positions` (float64 or object), `chunk_size` cases at a time."""
    for position in positions:
        if layout.widths[position] and layout.encoding is None:
            raise Unsupported("string variables in a file with an unknown encoding")
    record = np.dtype(
        {
            "names": [f"c{p}" for p in positions],
            "formats": [
                f"S{(layout.widths[p] + 7) // 8 * 8}" if layout.widths[p] else layout.order + "f8"
                for p in positions
            ],
            "offsets": [layout.slots[p] * 8 for p in positions],
            "itemsize": max(layout.row_width, 8),
        }
    )
    for chunk in records(path, layout.data_start, layout.n_rows, record, chunk_size):
        columns = []
        for position in positions:
            values = chunk[f"c{position}"]
            if layout.widths[position]:
                columns.append(decode_strings(values, layout.widths[position], layout))
            else:
                columns.append(decode_numbers(values, layout.sysmis))
        yield columns


def decode_numbers(values: np.ndarray, sysmis: float) -> np.ndarray:
    numbers = np.array(values, dtype="float64", order="C")
    numbers[numbers == sysmis] = np.nan
    return numbers


def decode_strings(values: np.ndarray, width: int, layout: Layout) -> np.ndarray:
    """Space-padded byte strings to str objects, decoding each distinct value once."""
    distinct, inverse = np.unique(values, return_inverse=True)
    decoded = np.empty(len(distinct), dtype=object)
    decoded[:] = [
        v[:width].decode(layout.encoding, errors="replace").rstrip(" ") for v in distinct.tolist()
    ]
    return decoded[inverse.reshape(-1)]
