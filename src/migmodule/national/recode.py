"""Recodes from national codes to standard codes: parsed from a profile mapping, a crosswalk CSV or
a built-in (iso3, iso2), with one scalar rule that the pandas layer and the tests share.

Order: an exact value, then the ranges, then `else`. Text keys are trimmed and case-sensitive;
a key that reads as a number (`71`, `'71'`) matches the number in numeric and text columns alike.
`None` as the standard code means "not asked by national design".

No pandas here: `profile.py` (used by every export) builds these. Problems are returned as
`RecodeProblem`s, which `profile.py` turns into coded findings.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migmodule.countries import countries
from migmodule.io import csv_delimiter, note_input

ELSE = "else"
BUILTINS = ("iso3", "iso2")
_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"  # ASCII digits, as the vectorised rule reads them
_RANGE = re.compile(rf"^\s*({_NUMBER})?\s*:\s*({_NUMBER})?\s*$")
_NUMERIC_TEXT = re.compile(rf"^{_NUMBER}$")

# The standard code a recode gives: an int, or None (not asked by national design).
Standard = int | None


@dataclass(frozen=True)
class RecodeProblem:
    """Something wrong in a recode; `kind` picks the issue code in profile.py."""

    kind: str  # key_type | value_type | range | overlap | duplicate | crosswalk_missing | crosswalk_format | builtin
    key: str  # the key as written (or the file name)
    reason: str
    line: int | None = None  # line in a crosswalk file
    file: str | None = None


@dataclass(frozen=True)
class Range:
    low: float  # -inf when open
    high: float  # +inf when open
    standard: Standard
    written: str

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Recode:
    """One question's recode, compiled."""

    question: str
    numbers: dict[float, Standard] = field(default_factory=dict)  # exact numeric keys
    texts: dict[str, Standard] = field(default_factory=dict)  # exact text keys (trimmed)
    ranges: tuple[Range, ...] = ()
    has_else: bool = False
    otherwise: Standard = None
    fold_case: bool = False  # built-ins: ISO codes match in any case
    source: str = "mapping"  # "mapping", "file:<path>", "builtin:iso3"

    # the reference rule ----------------------------------------------------------------------
    def lookup(self, value: Any) -> tuple[bool, Standard]:
        """(matched, standard code) for one file value; blanks never match."""
        number = as_number(value)
        if isinstance(value, str):
            text = value.strip()
            if text == "":
                return False, None
            key = text.upper() if self.fold_case else text
            if key in self.texts:
                return True, self.texts[key]
        elif number is None:
            return False, None  # None, NaN, NaT and other blanks
        if number is not None:
            if number in self.numbers:
                return True, self.numbers[number]
            for item in self.ranges:
                if number in item:
                    return True, item.standard
        if self.has_else:
            return True, self.otherwise
        return False, None

    def reads_text(self) -> bool:
        """Whether the recode expects text in the file (text keys, ISO codes): a numeric
        question stored as text is then no storage problem."""
        return bool(self.texts)

    def covers(self, value: Any) -> bool:
        """True when the recode maps this national value (label drift leaves such codes alone)."""
        return self.lookup(value)[0]

    def __contains__(self, value: Any) -> bool:  # `code in recode`, as for the old dict of codes
        return self.covers(value)

    @property
    def nulls(self) -> bool:
        """Whether any key maps to null (not asked by national design)."""
        return (
            None in self.numbers.values()
            or None in self.texts.values()
            or any(r.standard is None for r in self.ranges)
            or (self.has_else and self.otherwise is None)
        )

    def numeric_map(self) -> dict[int, int]:
        """The exact whole-number keys with a standard code: what a Stata/SPSS `recode` line can say
        without ranges, text or null (see `syntax_rules` for the rest)."""
        return {
            int(k): v for k, v in self.numbers.items() if v is not None and float(k).is_integer()
        }

    def syntax_rules(self) -> tuple[list[tuple[str, Standard]], list[str]]:
        """Numeric rules in order as (national, standard) with national `lo/hi` for ranges and
        `else`, and the text keys that syntax over a numeric variable cannot express."""
        rules: list[tuple[str, Standard]] = [
            (_plain(k), v) for k, v in sorted(self.numbers.items())
        ]
        for item in self.ranges:
            low = "min" if math.isinf(item.low) else _plain(item.low)
            high = "max" if math.isinf(item.high) else _plain(item.high)
            rules.append((f"{low}/{high}", item.standard))
        if self.has_else:
            rules.append((ELSE, self.otherwise))
        return rules, sorted(self.texts)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def as_number(value: Any) -> float | None:
    """A finite number from a number or numeric text; None for anything else (bool included)."""
    if isinstance(value, bool) or value is None or type(value).__name__ == "bool_":
        return None  # booleans (numpy's too) are not codes
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _NUMERIC_TEXT.match(text):
            return None
        number = float(text)
    else:
        try:  # numpy scalars
            number = float(value)
        except (TypeError, ValueError):
            return None
    return number if math.isfinite(number) else None


def _standard(value: Any) -> tuple[bool, Standard]:
    """(valid, code) for a standard value: a whole number or None."""
    if value is None:
        return True, None
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int):
        return True, value
    if isinstance(value, float) and value.is_integer():
        return True, int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("null", ""):
            return True, None
        if re.fullmatch(r"-?\d+", text):
            return True, int(text)
    return False, None


class _Builder:
    def __init__(self, question: str):
        self.question = question
        self.numbers: dict[float, Standard] = {}
        self.texts: dict[str, Standard] = {}
        self.ranges: list[Range] = []
        self.has_else = False
        self.otherwise: Standard = None
        self.problems: list[RecodeProblem] = []
        self.seen: dict[Any, str] = {}

    def problem(self, kind: str, key: str, reason: str, line: int | None, file: str | None) -> None:
        self.problems.append(RecodeProblem(kind, key, reason, line, file))

    def add(self, key: Any, value: Any, line: int | None = None, file: str | None = None) -> None:
        shown = str(key)
        valid, standard = _standard(value)
        if not valid:
            self.problem(
                "value_type",
                shown,
                f"the standard code {value!r} is not a whole number or null",
                line,
                file,
            )
            return
        if isinstance(key, bool) or key is None or not isinstance(key, (int, float, str)):
            hint = (
                f"YAML reads the bare word as {key!r}: put the national value in quotes ('Yes', 'No')"
                if isinstance(key, bool)
                else "write the national value as a number or a quoted text"
            )
            self.problem(
                "key_type", shown, f"the key {key!r} is not a national value: {hint}", line, file
            )
            return
        if isinstance(key, float) and not math.isfinite(key):
            self.problem("key_type", shown, f"the key {key!r} is not a finite number", line, file)
            return
        if isinstance(key, str):
            text = key.strip()
            if text == "":
                self.problem("key_type", shown, "an empty key matches nothing", line, file)
                return
            if text == ELSE:
                self._once(ELSE, shown, line, file)
                self.has_else, self.otherwise = True, standard
                return
            match = _RANGE.match(text)
            if match and ":" in text:
                low_text, high_text = match.groups()
                if low_text is None and high_text is None:
                    self.problem(
                        "range",
                        shown,
                        "a range needs at least one bound, e.g. '3:5' or '90:'",
                        line,
                        file,
                    )
                    return
                low = float(low_text) if low_text is not None else -math.inf
                high = float(high_text) if high_text is not None else math.inf
                if low > high:
                    self.problem(
                        "range",
                        shown,
                        f"the range starts above its end; write '{high_text}:{low_text}'",
                        line,
                        file,
                    )
                    return
                new = Range(low, high, standard, text)
                for other in self.ranges:
                    if (
                        new.low <= other.high
                        and other.low <= new.high
                        and other.standard != standard
                    ):
                        self.problem(
                            "overlap",
                            shown,
                            f"the range overlaps '{other.written}', which gives another code",
                            line,
                            file,
                        )
                        return
                self.ranges.append(new)
                return
            if _NUMERIC_TEXT.match(text):
                key = float(text)
            else:
                self._once(("text", text), shown, line, file)
                self.texts[text] = standard
                return
        number = float(key)
        self._once(("number", number), shown, line, file)
        self.numbers[number] = standard

    def _once(self, identity: Any, shown: str, line: int | None, file: str | None) -> None:
        if identity in self.seen:
            self.problem(
                "duplicate",
                shown,
                f"the key is given twice (also as '{self.seen[identity]}')",
                line,
                file,
            )
        self.seen[identity] = shown

    def build(self, source: str = "mapping", fold_case: bool = False) -> Recode:
        return Recode(
            self.question,
            dict(self.numbers),
            dict(self.texts),
            tuple(self.ranges),
            self.has_else,
            self.otherwise,
            fold_case,
            source,
        )


def from_mapping(
    question: str, mapping: dict[Any, Any], lines: dict[str, int] | None = None
) -> tuple[Recode, list[RecodeProblem]]:
    """A recode written in the profile: `{national: standard}`; `lines` gives a key's YAML line."""
    builder = _Builder(question)
    for key, value in mapping.items():
        builder.add(key, value, (lines or {}).get(str(key)))
    return builder.build(), builder.problems


def builtin(question: str, name: str) -> tuple[Recode | None, list[RecodeProblem]]:
    """`iso3` or `iso2`: ISO 3166-1 alpha codes read as M49 numbers."""
    if name not in BUILTINS:
        return None, [
            RecodeProblem(
                "builtin",
                name,
                f"'{name}' is neither a built-in recode ({', '.join(BUILTINS)}) nor a .csv crosswalk file",
            )
        ]
    attribute = name  # Country.iso3 / Country.iso2
    texts = {getattr(c, attribute).upper(): c.m49 for c in countries() if getattr(c, attribute)}
    return Recode(question, texts=texts, fold_case=True, source=f"builtin:{name}"), []


def from_crosswalk(
    question: str, path: Path, shown: str
) -> tuple[Recode | None, list[RecodeProblem]]:
    """A crosswalk CSV with the columns national,standard (ranges, `else` and null allowed)."""
    note_input(path, "a crosswalk it reads")  # no output of the command may replace it
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None, [
            RecodeProblem(
                "crosswalk_missing", shown, f"the crosswalk file {path} does not exist", None, shown
            )
        ]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [
            RecodeProblem("crosswalk_format", shown, f"cannot read it: {exc}", None, shown)
        ]
    rows = list(csv.reader(text.splitlines(), delimiter=csv_delimiter(text)))
    if not rows:
        return None, [RecodeProblem("crosswalk_format", shown, "the file is empty", 1, shown)]
    header = [cell.strip().lower() for cell in rows[0]]
    if "national" not in header or "standard" not in header:
        return None, [
            RecodeProblem(
                "crosswalk_format",
                shown,
                f"the first line must name the columns national,standard (it has {', '.join(header) or 'nothing'})",
                1,
                shown,
            )
        ]
    at_national, at_standard = header.index("national"), header.index("standard")
    builder = _Builder(question)
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(at_national, at_standard):
            builder.problem(
                "crosswalk_format", shown, "the line has too few columns", number, shown
            )
            continue
        builder.add(row[at_national], row[at_standard], number, shown)
    return builder.build(f"file:{shown}"), builder.problems


def parse_recode(
    question: str, value: Any, folder: Path | None, lines: dict[str, int] | None = None
) -> tuple[Recode | None, list[RecodeProblem]]:
    """Any recode form of a profile: a mapping, a crosswalk file (relative to `folder`) or a built-in."""
    if isinstance(value, dict):
        return from_mapping(question, value, lines)
    if isinstance(value, str):
        text = value.strip()
        if text.lower().endswith(".csv"):
            path = Path(text)
            if not path.is_absolute() and folder is not None:
                path = folder / path
            return from_crosswalk(question, path, text)
        return builtin(question, text)
    return None, [
        RecodeProblem(
            "key_type",
            str(value),
            "a recode is a mapping {national: standard}, a crosswalk .csv file or iso3 / iso2",
        )
    ]
