"""Parameter values: module defaults, overridden by a profile or the command line, checked by type."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from migmodule.codes import Location, MigmoduleError, define
from migmodule.countries import THIS_COUNTRY_PLACEHOLDER, lookup
from migmodule.io import read_csv_rows
from migmodule.spec.model import Module, Parameter
from migmodule.spec.tables import Table, load_table

BAD_PARAMETER_VALUE = define(
    "PARAM-VALUE-001",
    "error",
    "Bad parameter value",
    "parameter {name} = '{value}' is not valid: {reason}.",
    "spec",
)
UNKNOWN_PARAMETER = define(
    "PARAM-NAME-001",
    "error",
    "Unknown parameter",
    "{module} has no parameter {name}. Its parameters: {known}.",
    "spec",
)
PARAMETER_FILE = define(
    "PARAM-FILE-001",
    "error",
    "National list file missing or malformed",
    "parameter {name} from {path}: {reason}. A national list is a CSV with the columns code and "
    "label (one text for every language) or label_en, label_fr, label_es; codes are whole numbers.",
    "profile",
)


def code_list_from_csv(name: str, path: str | Path, languages: list[str]) -> list[dict[str, Any]]:
    """A code_list parameter read from a CSV file (code,label or code,label_xx): the same entries
    as written in a profile, [{code: 1, label: {en: ...}}]. Raises PARAM-FILE-001 with the line."""
    path = Path(path)

    def fail(reason: str, line: int | None = None) -> MigmoduleError:
        return MigmoduleError.of(
            PARAMETER_FILE, Location(file=str(path), line=line), name=name, path=path, reason=reason
        )

    rows = read_csv_rows(path, "a code list it reads", fail)
    if not rows:
        raise fail("the file is empty", 1)
    header = [cell.strip().lower() for cell in rows[0]]
    labels = {
        column: column.removeprefix("label_")
        for column in header
        if re.fullmatch(r"label(_[a-z]{2})?", column)
    }
    if "code" not in header or not labels:
        raise fail(
            f"the first line must name the columns code and label or label_xx (it has {', '.join(header)})",
            1,
        )
    entries: list[dict[str, Any]] = []
    seen: dict[int, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        code_text = cells.get("code", "")
        if not re.fullmatch(r"-?\d+", code_text):
            raise fail(f"the code {code_text!r} is not a whole number", number)
        code = int(code_text)
        if code in seen:
            raise fail(f"code {code} is listed twice (also on line {seen[code]})", number)
        seen[code] = number
        label: dict[str, str] = {}
        for column, language in labels.items():
            value = cells.get(column, "")
            if not value:
                continue
            if language == "label":  # one text for every language (place names)
                for each in languages:
                    label.setdefault(each, value)
            else:
                label[language] = value
        if not label:
            raise fail(f"code {code} has no label", number)
        entries.append({"code": code, "label": label})
    if not entries:
        raise fail("the file lists no codes", 2)
    return entries


# Dates a census or survey can have (ages and durations are computed from them).
MIN_YEAR, MAX_YEAR = 1800, 2200


def _coerce(param: Parameter, value: Any) -> Any:
    """Return the value in its canonical type, or raise ValueError with the reason."""
    if value is None:
        return None
    if param.type == "country":
        if str(value).strip() in ("0", "000"):  # the generic "this country" placeholder
            return THIS_COUNTRY_PLACEHOLDER
        country = lookup(value)
        if country is None:
            raise ValueError(
                "not a UN M49 number or ISO 3166-1 alpha-2/alpha-3 code (e.g. 404, KE, KEN)"
            )
        return country.m49
    if param.type == "date":
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError("not a date in the form YYYY-MM-DD") from None
        if not MIN_YEAR <= day.year <= MAX_YEAR:  # year 1 gave ranges of years -109..1
            raise ValueError(f"the year {day.year} is not between {MIN_YEAR} and {MAX_YEAR}")
        return day.isoformat()
    if param.type == "integer":
        if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
            raise ValueError("not a whole number")
        number = int(value)
        if param.minimum is not None and number < param.minimum:
            raise ValueError(f"below the minimum {param.minimum}")
        if param.maximum is not None and number > param.maximum:
            raise ValueError(f"above the maximum {param.maximum}")
        return number
    if param.type == "choice":
        if str(value) not in param.choices:
            raise ValueError(f"choose one of {', '.join(param.choices)}")
        return str(value)
    if param.type == "table":
        return load_table(param.id, value, param.keys or [], param.value or "", "the module")
    if param.type == "code_list":
        if not isinstance(value, list) or not all(
            isinstance(v, dict) and "code" in v for v in value
        ):
            raise ValueError("give a list of {code: ..., label: {en: ...}} entries")
        return value
    if isinstance(value, dict):  # a text in several languages, e.g. {en: Kenyan shillings, fr: ...}
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ValueError("give a text, or a text per language ({en: ..., fr: ...})")
        return dict(value)
    return str(value)


def resolve_parameters(
    module: Module, overrides: dict[str, Any] | None = None, *, languages: list[str] | None = None
) -> dict[str, Any]:
    """All parameter values for a module: defaults, then overrides. Raises on unknown or bad values.

    A code_list value may be the path of a CSV file (`code_list_from_csv`); a label without a
    language is used for each of `languages` (default: the module's languages). A table value
    (`type: table`) may be rows or `{file: rates.csv}` and becomes a `spec.tables.Table`."""
    overrides = dict(overrides or {})
    for name, value in overrides.items():
        param = module.parameter_by_id.get(name)
        if param is not None and param.type == "code_list" and isinstance(value, (str, Path)):
            overrides[name] = code_list_from_csv(name, value, languages or list(module.languages))
        if param is not None and param.type == "table" and not isinstance(value, Table):
            # a file or inline rows, loaded here so that its coded errors say file and line
            try:
                overrides[name] = load_table(
                    name, value, param.keys or [], param.value or "", "the profile"
                )
            except ValueError as exc:
                raise MigmoduleError.of(
                    BAD_PARAMETER_VALUE,
                    Location(module=module.ref),
                    name=name,
                    value=value,
                    reason=exc,
                ) from None
    for name in overrides:
        if name not in module.parameter_by_id:
            raise MigmoduleError.of(
                UNKNOWN_PARAMETER,
                Location(module=module.ref),
                module=module.ref,
                name=name,
                known=", ".join(module.parameter_by_id) or "none",
            )
    values: dict[str, Any] = {}
    for param in module.parameters:
        raw = overrides.get(param.id, param.default)
        try:
            values[param.id] = _coerce(param, raw)
        except ValueError as exc:
            raise MigmoduleError.of(
                BAD_PARAMETER_VALUE,
                Location(module=module.ref),
                name=param.id,
                value=raw,
                reason=exc,
            ) from None
    if "COUNTRY" in values and values["COUNTRY"] is None:
        values["COUNTRY"] = THIS_COUNTRY_PLACEHOLDER
    return values


def unset_profile_parameters(module: Module, overrides: dict[str, Any] | None) -> list[str]:
    """Parameters a profile should set (required_in_profile) but that are left at their placeholder."""
    overrides = overrides or {}
    return [p.id for p in module.parameters if p.required_in_profile and p.id not in overrides]
