"""Table parameters: a value looked up by a key of several columns (an exchange-rate table).

A module declares `type: table` with `keys` (e.g. [currency, year, month]) and a `value` column
(e.g. rate); a profile sets it inline (a list of rows) or as `{file: rates.csv}`, a CSV read
relative to the profile. A key column called `currency` takes ISO 4217 numeric or alphabetic
codes (524 or NPR), stored as the numeric code the currency questions record; `month` is 1 to 12;
other key columns are whole numbers. The value is a number above 0. Every loading problem is
coded with the file, the line, the column and the fix. Expressions read a table with
`rate(TABLE, key, ...)` (`expr/functions.py`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from migmodule.codes import Location, MigmoduleError, define

TABLE_FILE = define(
    "PARAM-TABLE-001",
    "error",
    "Table file missing or unreadable",
    "parameter {name} from {path}: {reason}. A table is a UTF-8 CSV file whose first line names "
    "the columns {columns}.",
    "profile",
)
TABLE_COLUMN = define(
    "PARAM-TABLE-002",
    "error",
    "Table column missing",
    "parameter {name} from {path}: the first line has no column {column} (it has {found}); "
    "name the columns {columns}.",
    "profile",
)
TABLE_CELL = define(
    "PARAM-TABLE-003",
    "error",
    "Bad value in a table",
    "parameter {name} from {path}, line {line}, column {column}: '{value}' {reason}; {fix}.",
    "profile",
)
TABLE_DUPLICATE = define(
    "PARAM-TABLE-004",
    "error",
    "Key listed twice in a table",
    "parameter {name} from {path}, line {line}: the key {key} is also on line {first}; "
    "keep one row per key.",
    "profile",
)

CURRENCY_COLUMN = "currency"
MONTH_COLUMN = "month"


@dataclass(frozen=True)
class Table:
    """A table parameter's rows: each key (a tuple of whole numbers) gives one number."""

    name: str
    keys: tuple[str, ...]
    value: str
    rows: Mapping[tuple[int, ...], float] = field(default_factory=dict)
    source: str | None = None  # the CSV file it was read from

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, key: Iterable[Any]) -> float | None:
        """The value for a key, or None when the key is not in the table (or not whole numbers)."""
        whole = []
        for part in key:
            if part is None or (isinstance(part, float) and not part.is_integer()):
                return None
            whole.append(int(part))
        return self.rows.get(tuple(whole))

    def encoded(self) -> tuple[list[tuple[int, ...]], list[float]]:
        """Keys and values as two parallel lists, for a vectorised lookup."""
        return list(self.rows), list(self.rows.values())

    def describe_key(self, key: Iterable[Any]) -> str:
        return ", ".join(
            f"{column} {_text(part)}" for column, part in zip(self.keys, key, strict=True)
        )


def _text(part: Any) -> str:
    if isinstance(part, float) and part.is_integer():
        return str(int(part))
    return str(part)


def currency_number(text: str) -> int | None:
    """ISO 4217 numeric code of a currency written as a number (524) or letters (NPR)."""
    text = text.strip()
    if text.isdigit():
        import pycountry

        found = pycountry.currencies.get(numeric=text.zfill(3))
        return int(found.numeric) if found is not None else None
    if len(text) == 3 and text.isalpha():
        import pycountry

        found = pycountry.currencies.get(alpha_3=text.upper())
        return int(found.numeric) if found is not None else None
    return None


class _Reader:
    """Turns rows (dicts of column -> text) into a Table, raising coded errors that say where."""

    def __init__(self, name: str, keys: list[str], value: str, path: str):
        self.name, self.keys, self.value, self.path = name, keys, value, path

    def columns(self) -> str:
        return ", ".join([*self.keys, self.value])

    def cell_error(self, line: int | None, column: str, value: Any, reason: str, fix: str):
        return MigmoduleError.of(
            TABLE_CELL,
            Location(file=self.path, line=line),
            name=self.name,
            path=self.path,
            line=line if line is not None else "?",
            column=column,
            value=value,
            reason=reason,
            fix=fix,
        )

    def key_part(self, line: int | None, column: str, raw: Any) -> int:
        text = "" if raw is None else str(raw).strip()
        if column == CURRENCY_COLUMN:
            number = currency_number(text)
            if number is None:
                raise self.cell_error(
                    line,
                    column,
                    text,
                    "is not an ISO 4217 currency",
                    "write the numeric (524) or alphabetic (NPR) ISO 4217 code",
                )
            return number
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        if not text.lstrip("-").isdigit():
            raise self.cell_error(
                line, column, text, "is not a whole number", "write a whole number"
            )
        number = int(text)
        if column == MONTH_COLUMN and not 1 <= number <= 12:
            raise self.cell_error(
                line, column, text, "is not a month", "write a month from 1 to 12"
            )
        return number

    def number(self, line: int | None, raw: Any) -> float:
        text = "" if raw is None else str(raw).strip()
        try:
            if isinstance(raw, (int, float)):
                number = float(raw)
            elif "_" in text:  # float() reads 1_000; a CSV reader would not
                raise ValueError(text)
            else:
                number = float(text)
        except ValueError:
            raise self.cell_error(
                line, self.value, text, "is not a number", "write a number with a decimal point"
            ) from None
        if isinstance(raw, bool) or not math.isfinite(number) or number <= 0:
            raise self.cell_error(
                line,
                self.value,
                text,
                "is not above 0",
                "a rate is the units of the currency for one unit of the reference currency",
            )
        return number

    def table(self, rows: Iterable[tuple[int | None, Mapping[str, Any]]]) -> Table:
        out: dict[tuple[int, ...], float] = {}
        first_line: dict[tuple[int, ...], int | None] = {}
        for line, row in rows:
            key = tuple(self.key_part(line, column, row.get(column)) for column in self.keys)
            value = self.number(line, row.get(self.value))
            if key in out:
                raise MigmoduleError.of(
                    TABLE_DUPLICATE,
                    Location(file=self.path, line=line),
                    name=self.name,
                    path=self.path,
                    line=line if line is not None else "?",
                    key=", ".join(f"{c} {k}" for c, k in zip(self.keys, key, strict=True)),
                    first=first_line[key] if first_line[key] is not None else "?",
                )
            out[key] = value
            first_line[key] = line
        return Table(self.name, tuple(self.keys), self.value, out, None)


def table_from_csv(name: str, path: str | Path, keys: list[str], value: str) -> Table:
    """A table parameter read from a CSV file (comma or semicolon separated, UTF-8)."""
    from migmodule.io import read_csv_rows

    path = Path(path)
    reader = _Reader(name, keys, value, str(path))

    def fail(reason: str, line: int | None = None) -> MigmoduleError:
        return MigmoduleError.of(
            TABLE_FILE,
            Location(file=str(path), line=line),
            name=name,
            path=path,
            reason=reason,
            columns=reader.columns(),
        )

    rows = read_csv_rows(path, "a table it reads", fail)
    if not rows or (len(rows[0]) <= 1 and not "".join(rows[0]).strip()):  # a blank first line
        raise fail("the file is empty", 1)
    header = [cell.strip().lower() for cell in rows[0]]
    for column in [*keys, value]:
        if column not in header:
            raise MigmoduleError.of(
                TABLE_COLUMN,
                Location(file=str(path), line=1),
                name=name,
                path=path,
                column=column,
                found=", ".join(header) or "nothing",
                columns=reader.columns(),
            )
    body = [
        (number, dict(zip(header, row, strict=False)))
        for number, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    table = reader.table(body)
    return Table(name, table.keys, table.value, table.rows, str(path))


def table_from_rows(name: str, rows: Any, keys: list[str], value: str, where: str) -> Table:
    """A table written inline (a list of {column: value} rows, in a module or a profile)."""
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        raise ValueError(
            f"give a list of rows ({{{', '.join(f'{c}: ...' for c in [*keys, value])}}}) "
            "or {file: table.csv}"
        )
    reader = _Reader(name, keys, value, where)
    for row in rows:
        for column in [*keys, value]:
            if column not in row:
                raise MigmoduleError.of(
                    TABLE_COLUMN,
                    Location(file=where),
                    name=name,
                    path=where,
                    column=column,
                    found=", ".join(map(str, row)) or "nothing",
                    columns=reader.columns(),
                )
    return reader.table((None, row) for row in rows)


def relative_table_value(value: Any, folder: Path | None) -> Any:
    """A profile's `{file: rates.csv}` with the path made relative to the profile's folder."""
    if isinstance(value, Mapping) and isinstance(value.get("file"), str) and folder is not None:
        path = Path(value["file"])
        if not path.is_absolute():
            return {**value, "file": str(folder / path)}
    return value


def load_table(name: str, value: Any, keys: list[str], column: str, where: str) -> Table:
    """A table parameter's value: a Table already, `{file: ...}` or a list of rows."""
    if isinstance(value, Table):
        return value
    if isinstance(value, (str, Path)):
        return table_from_csv(name, value, keys, column)
    if isinstance(value, Mapping) and set(value) == {"file"}:
        return table_from_csv(name, value["file"], keys, column)
    return table_from_rows(name, value or [], keys, column, where)


def pulldata_name(parameter: str) -> str:
    """The name of a table's CSV attachment in an XLSForm (pulldata's first argument)."""
    return parameter.lower()


def plain_number(value: float) -> str:
    """A table value as a plain decimal (137.5, 1, 0.00001): never an exponent, which neither
    XPath's number() nor CSPro logic reads."""
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def pulldata_key(key: Iterable[int]) -> str:
    """A key as the form's pulldata() looks it up: the parts joined by '-' (524-2025-3)."""
    return "-".join(str(part) for part in key)


def pulldata_csv(table: Table) -> str:
    """The table as the CSV an ODK form's pulldata() reads: columns key (`pulldata_key`, e.g.
    524-2025-3) and value. The XLSForm export writes it beside the form as
    `<pulldata_name>.csv`, the form's media attachment."""
    lines = ["key,value"]
    for key, value in table.rows.items():
        lines.append(f"{pulldata_key(key)},{plain_number(value)}")
    return "\n".join(lines) + "\n"
