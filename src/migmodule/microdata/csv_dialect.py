"""How a CSV file is written: encoding, separator and decimal mark, detected or given.

French and Spanish Excel save CSV with `;` and a decimal comma, often in Windows-1252; Excel's
"Unicode text" is UTF-16 with tabs. `detect` looks at the first bytes and lines and says what it
found (`describe`), so such a file is read as the table it is instead of one column.

The user's choices (`--encoding`, `--sep`, `--decimal`) reach the reader through the one
`encoding` text every reader already passes on (`DataSource(path, encoding)`): `option_text`
packs them as ``ENCODING|sep=;|decimal=,`` and `detect` unpacks them; a plain code page
(``cp1252``) still means only the encoding.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEPARATORS = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}
SEP_NAMES = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}
SAMPLE_BYTES = 256 * 1024
SAMPLE_LINES = 50
DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")
DECIMAL_POINT = re.compile(r"^\s*-?\d+\.\d+\s*$")

_detected: dict[str, Dialect] = {}  # path -> what was used to read it (for `describe`)


@dataclass(frozen=True)
class Dialect:
    encoding: str
    sep: str
    decimal: str
    detected: tuple[str, ...] = ()  # which of encoding, sep, decimal were detected, not given

    def read_options(self) -> dict[str, Any]:
        return {"sep": self.sep, "encoding": self.encoding}


class DialectError(ValueError):
    """A --sep, --decimal or --encoding value that cannot be used (`option`, `value`, `reason`)."""

    def __init__(self, option: str, value: str, reason: str):
        super().__init__(f"{option} {value}: {reason}")
        self.option, self.value, self.reason = option, value, reason


def normal_sep(sep: str) -> str:
    sep = SEP_NAMES.get(sep.lower(), sep)
    if sep not in SEPARATORS:
        raise DialectError("--sep", sep, "use ; , tab or |")
    return sep


def normal_encoding(encoding: str) -> str:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DialectError(
            "--encoding", encoding, "not an encoding; use utf-8, utf-8-sig, utf-16 or cp1252"
        ) from None
    return encoding


def option_text(encoding: str | None, sep: str | None, decimal: str | None) -> str | None:
    """The `encoding` text for DataSource carrying the user's --sep and --decimal as well."""
    if encoding:
        normal_encoding(encoding)
    if not sep and not decimal:
        return encoding
    parts = [encoding or ""]
    if sep:
        parts.append(f"sep={normal_sep(sep)}")
    if decimal:
        if decimal not in (".", ","):
            raise DialectError("--decimal", decimal, "use . or ,")
        parts.append(f"decimal={decimal}")
    return "|".join(parts)


def parse_option_text(text: str | None) -> tuple[str | None, str | None, str | None]:
    """(encoding, sep, decimal) given in an `option_text`; None for what is to be detected."""
    if not text:
        return None, None, None
    encoding, *rest = text.split("|")
    given = dict(part.split("=", 1) for part in rest if "=" in part)
    return encoding or None, given.get("sep"), given.get("decimal")


def plain_encoding(text: str | None) -> str | None:
    """The code page alone (for readers of other formats that get the same text)."""
    return parse_option_text(text)[0]


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4 and sample[1:40:2].count(0) > 10:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0:40:2].count(0) > 10:
        return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def detect_sep(lines: list[str]) -> str:
    """The separator that splits every sampled line into the same number (> 1) of fields;
    among those, the one giving the most fields."""
    best, best_fields = ",", 1
    for sep in (";", "\t", ",", "|"):
        counts = [len(row) for row in csv.reader(lines, delimiter=sep) if row]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(count == counts[0] for count in counts) >= 0.9 * len(counts)
        if consistent and counts[0] > best_fields:
            best, best_fields = sep, counts[0]
    return best


def detect_decimal(lines: list[str], sep: str) -> str:
    if sep == ",":
        return "."
    cells = [cell for row in csv.reader(lines[1:], delimiter=sep) for cell in row]
    commas = sum(bool(DECIMAL_COMMA.match(cell)) for cell in cells)
    points = sum(bool(DECIMAL_POINT.match(cell)) for cell in cells)
    return "," if commas > points else "."


def detect(path: str | Path, option: str | None = None) -> Dialect:
    """The file's encoding, separator and decimal mark: each one given in `option` (an
    `option_text`) or detected from the first lines."""
    encoding, sep, decimal = parse_option_text(option)
    if encoding is not None:
        normal_encoding(encoding)  # DialectError (a ValueError) for a name Python does not know
    detected = []
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if encoding is None:
        encoding = detect_encoding(sample)
        detected.append("encoding")
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)
    lines = text.lstrip("\ufeff").splitlines()[:SAMPLE_LINES]
    if len(sample) == SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut
    if sep is None:
        sep = detect_sep(lines)
        detected.append("sep")
    if decimal is None:
        decimal = detect_decimal(lines, sep)
        detected.append("decimal")
    dialect = Dialect(encoding, sep, decimal, tuple(detected))
    _detected[str(path)] = dialect
    return dialect


def detected(path: str | Path) -> Dialect | None:
    """How `path` was last read in this run, if it is a CSV file that was read."""
    return _detected.get(str(path))


def describe(dialect: Dialect, path: str | Path, lang: str = "en") -> str:
    """One sentence in `lang`: what encoding, separator and decimal mark the file was read with."""
    from migmodule import i18n

    return i18n.word(
        lang,
        "csv.detected",
        path=path,
        encoding=dialect.encoding,
        sep=i18n.word(lang, f"csv.sep_{SEPARATORS[dialect.sep]}"),
        decimal=i18n.word(
            lang, "csv.decimal_comma" if dialect.decimal == "," else "csv.decimal_point"
        ),
    )


def header_names(path: str | Path, option: str | None) -> list[str]:
    """The names in the header line as written, duplicates kept (pandas renames a second `age`
    to `age.1`, polars to `age_duplicated_0`)."""
    dialect = detect(path, option)
    with open(path, encoding=dialect.encoding, errors="replace", newline="") as handle:
        first = next(csv.reader(handle, delimiter=dialect.sep), [])
    return [name.lstrip("\ufeff") if i == 0 else name for i, name in enumerate(first)]


def read_header(path: str | Path, option: str | None) -> list[str]:
    import pandas as pd

    dialect = detect(path, option)
    header = pd.read_csv(path, nrows=0, **dialect.read_options())
    return [str(name) for name in header.columns]


def read_chunks(
    path: str | Path, option: str | None, names: list[str], chunk_size: int | None
) -> Iterator[Any]:
    """Chunks of the chosen columns, every cell as text (a blank cell is missing); with a
    decimal comma, numbers such as 1,5 are given as 1.5."""
    import pandas as pd

    dialect = detect(path, option)
    result = pd.read_csv(
        path,
        usecols=names or None,
        dtype=str,
        keep_default_na=False,  # "NA" or "null" in a text answer is an answer...
        na_values=[""],  # ...only an empty cell is missing
        chunksize=chunk_size,
        **dialect.read_options(),
    )
    frames = [result] if chunk_size is None else result
    for frame in frames:
        frame = frame.astype(object).reset_index(drop=True)
        if dialect.decimal == ",":
            frame = frame.apply(_point_decimals)
        yield frame


def _point_decimals(column: Any) -> Any:
    present = column.notna()
    if not present.any():
        return column
    fixed = column.copy()
    fixed[present] = column[present].str.replace(r"^(\s*-?\d+),(\d+\s*)$", r"\1.\2", regex=True)
    return fixed


__all__ = [
    "Dialect",
    "DialectError",
    "describe",
    "detect",
    "detected",
    "header_names",
    "option_text",
    "plain_encoding",
    "read_chunks",
    "read_header",
]
