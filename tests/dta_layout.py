"""Where everything is in a Stata .dta file (formats 113-115 and 117-119), for tests that patch
missing values into the records of a file (was the layout part of the raw .dta reader).

Stata's missing values, per storage type (Stata manual, [D] missing values; `dta` file format):
byte 101 is `.` and 102..127 are `.a`..`.z`; int 32741, 32742..; long 2147483621, 2147483622..;
float `.` has the bits 0x7f000000 and each letter adds 0x800; double `.` is 0x7fe0000000000000 and
each letter adds 2**40. Any value outside the valid range that is not one of these is `.`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NEW_RELEASES = (117, 118, 119)
OLD_RELEASES = (113, 114, 115)
STRL = "strL"

# Numeric storage types: numpy kind letter, width, valid range, bits of `.`, step between letters.
_FLOAT_MIN = struct.unpack("<f", b"\xff\xff\xff\xfe")[0]
_FLOAT_MAX = struct.unpack("<f", b"\xff\xff\xff\x7e")[0]
_DOUBLE_MIN = struct.unpack("<d", b"\xff\xff\xff\xff\xff\xff\xef\xff")[0]
_DOUBLE_MAX = struct.unpack("<d", b"\xff\xff\xff\xff\xff\xff\xdf\x7f")[0]
NUMERIC = {
    "byte": ("i1", -127, 100, 101, 1),
    "int": ("i2", -32767, 32740, 32741, 1),
    "long": ("i4", -2147483647, 2147483620, 2147483621, 1),
    "float": ("f4", _FLOAT_MIN, _FLOAT_MAX, 0x7F000000, 0x800),
    "double": ("f8", _DOUBLE_MIN, _DOUBLE_MAX, 0x7FE0000000000000, 1 << 40),
}
_NEW_TYPES = {65530: "byte", 65529: "int", 65528: "long", 65527: "float", 65526: "double"}
_OLD_TYPES = {251: "byte", 252: "int", 253: "long", 254: "float", 255: "double"}
_WIDTH = {"byte": 1, "int": 2, "long": 4, "float": 4, "double": 8}


class Unsupported(Exception):
    """The raw reader cannot read this file or these columns: use the pandas reader."""


@dataclass
class Layout:
    """Where everything is in one .dta file."""

    release: int
    order: str  # numpy byte order: "<" or ">"
    n_rows: int
    names: list[str]
    types: list[str | int]  # "byte" .. "double", "strL", or the width of a strN
    offsets: list[int]  # of each variable inside a record
    row_width: int
    data_start: int  # file offset of the first record
    encoding: str

    def field(self, name: str) -> tuple[str, int]:
        """numpy format and record offset of one variable; Unsupported for strL."""
        i = self.names.index(name)
        kind = self.types[i]
        if kind == STRL:
            raise Unsupported(f"{name} is a strL variable")
        if isinstance(kind, int):
            return f"S{kind}", self.offsets[i]
        return self.order + NUMERIC[kind][0], self.offsets[i]


def read_layout(path: str | Path) -> Layout:
    """Parse the header, variable types and names; Unsupported when the file is not one we read."""
    with open(path, "rb") as handle:
        start = handle.read(11)
        handle.seek(0)
        if start == b"<stata_dta>":
            layout = _new_layout(handle)
        elif start[:1] and start[0] in OLD_RELEASES:
            layout = _old_layout(handle)
        else:
            raise Unsupported("not a Stata format 113-115 or 117-119 file")
        size = handle.seek(0, 2)
    if layout.data_start + layout.n_rows * layout.row_width > size:
        raise Unsupported("the file is shorter than its header says")
    return layout


def _expect(handle, text: bytes) -> None:
    if handle.read(len(text)) != text:
        raise Unsupported(f"malformed header: expected {text.decode()}")


def _unpack(handle, order: str, fmt: str) -> int:
    size = struct.calcsize(fmt)
    data = handle.read(size)
    if len(data) != size:
        raise Unsupported("truncated header")
    return struct.unpack(order + fmt, data)[0]


def _new_layout(handle) -> Layout:
    """Formats 117-119: an XML-like header and a map of section offsets."""
    _expect(handle, b"<stata_dta><header><release>")
    try:
        release = int(handle.read(3))
    except ValueError:
        raise Unsupported("malformed release") from None
    if release not in NEW_RELEASES:
        raise Unsupported(f"release {release} is not read by the raw reader")
    _expect(handle, b"</release><byteorder>")
    order = {b"LSF": "<", b"MSF": ">"}.get(handle.read(3))
    if order is None:
        raise Unsupported("unknown byte order")
    _expect(handle, b"</byteorder><K>")
    k = _unpack(handle, order, "I" if release == 119 else "H")
    _expect(handle, b"</K><N>")
    n = _unpack(handle, order, "I" if release == 117 else "Q")
    _expect(handle, b"</N><label>")
    handle.read(_unpack(handle, order, "B" if release == 117 else "H"))
    _expect(handle, b"</label><timestamp>")
    handle.read(_unpack(handle, order, "B"))
    _expect(handle, b"</timestamp></header><map>")
    offsets = [_unpack(handle, order, "Q") for _ in range(14)]
    handle.seek(offsets[2])
    _expect(handle, b"<variable_types>")
    codes = struct.unpack(f"{order}{k}H", handle.read(2 * k))
    types: list[str | int] = []
    for code in codes:
        if 1 <= code <= 2045:
            types.append(code)
        elif code == 32768:
            types.append(STRL)
        elif code in _NEW_TYPES:
            types.append(_NEW_TYPES[code])
        else:
            raise Unsupported(f"unknown variable type {code}")
    handle.seek(offsets[3])
    _expect(handle, b"<varnames>")
    name_width = 33 if release == 117 else 129
    encoding = "latin-1" if release == 117 else "utf-8"
    names = [_name(handle.read(name_width), encoding) for _ in range(k)]
    handle.seek(offsets[9])
    _expect(handle, b"<data>")
    widths = [8 if t == STRL else t if isinstance(t, int) else _WIDTH[t] for t in types]
    layout = _layout(release, order, n, names, types, widths, offsets[9] + 6, encoding)
    # The data section must be exactly N records: a check that the header was read right.
    if offsets[10] - 7 - layout.data_start != n * layout.row_width:
        raise Unsupported("the data section does not match the header")
    return layout


def _old_layout(handle) -> Layout:
    """Formats 113-115: a fixed 109-byte header, then fixed-width descriptor blocks."""
    release, byteorder, _filetype, _unused = handle.read(4)
    order = {1: ">", 2: "<"}.get(byteorder)
    if order is None:
        raise Unsupported("unknown byte order")
    k = _unpack(handle, order, "H")
    n = _unpack(handle, order, "I")
    handle.read(81 + 18)  # data label, time stamp
    types: list[str | int] = []
    for code in handle.read(k):
        if 1 <= code <= 244:
            types.append(code)
        elif code in _OLD_TYPES:
            types.append(_OLD_TYPES[code])
        else:
            raise Unsupported(f"unknown variable type {code}")
    names = [_name(handle.read(33), "latin-1") for _ in range(k)]
    handle.read(2 * (k + 1) + k * (12 if release == 113 else 49) + k * 33 + k * 81)
    while True:  # expansion fields: (type, length) pairs ending with (0, 0)
        kind = handle.read(1)
        length = _unpack(handle, order, "i")
        if not kind:
            raise Unsupported("truncated expansion fields")
        if kind == b"\0" and length == 0:
            break
        if length < 0:
            raise Unsupported("malformed expansion fields")
        handle.seek(length, 1)
    widths = [t if isinstance(t, int) else _WIDTH[t] for t in types]
    return _layout(release, order, n, names, types, widths, handle.tell(), "latin-1")


def _name(raw: bytes, encoding: str) -> str:
    return raw.partition(b"\0")[0].decode(encoding, errors="replace")


def _layout(release, order, n, names, types, widths, data_start, encoding) -> Layout:
    offsets = [int(x) for x in np.cumsum([0] + widths[:-1])] if widths else []
    return Layout(release, order, n, names, types, offsets, sum(widths), data_start, encoding)
