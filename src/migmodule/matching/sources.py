"""Items for the matcher from a data file (.sav, .dta, .csv, .parquet) and from a codebook:
an XLSForm (.xlsx/.xls: survey and choices sheets, every `label::Language` column), a CSPro
dictionary (.dcf: 7.x text or 8 JSON) or a DDI Codebook 2.5 file (.xml).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from migmodule.codes import Location, MigmoduleError
from migmodule.matching.codes import CODEBOOK_FORMAT, CODEBOOK_UNREADABLE
from migmodule.matching.model import Item
from migmodule.matching.text import short_name
from migmodule.microdata import DataSource

CODEBOOK_SUFFIXES = (".xlsx", ".xls", ".dcf", ".xml")
_LANGUAGE_NAMES = {
    "english": "en",
    "anglais": "en",
    "ingles": "en",
    "inglés": "en",
    "french": "fr",
    "francais": "fr",
    "français": "fr",
    "frances": "fr",
    "francés": "fr",
    "spanish": "es",
    "espanol": "es",
    "español": "es",
    "espagnol": "es",
}
# XLSForm rows that hold no answer.
_NOT_QUESTIONS = {
    "begin group",
    "end group",
    "begin_group",
    "end_group",
    "begin repeat",
    "end repeat",
    "begin_repeat",
    "end_repeat",
    "note",
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "audit",
    "caseid",
}


# A CSV has no value labels; a text column with few distinct answers ("Male", "Female",
# "Outside Kenya") is its own value labels, read from the first rows.
CSV_SAMPLE_ROWS = 5000
CSV_MAX_ANSWERS = 60


def items_from_data(path: str | Path, encoding: str | None = None) -> list[Item]:
    """One item per variable of a data file: name, variable label, value labels, storage type.

    For a CSV, a text column with at most 60 distinct answers in its first 5,000 rows gets
    those answers as value labels (answer -> answer), so that text answers count as evidence
    and their recode is proposed.
    """
    source = DataSource(path, encoding)
    group = Path(path).name
    answers = _csv_answers(source) if source.format == "csv" else {}
    return [
        Item(
            name,
            {"": info.label} if info.label else {},
            {"": dict(info.value_labels)}
            if info.value_labels
            else ({"": answers[name]} if name in answers else {}),
            info.storage,
            group,
        )
        for name, info in source.columns.items()
    ]


def _csv_answers(source: DataSource) -> dict[str, dict[str, str]]:
    import pandas as pd

    try:
        frame = pd.read_csv(
            source.path,
            nrows=CSV_SAMPLE_ROWS,
            dtype=str,
            keep_default_na=False,
            encoding=source.encoding or "utf-8",
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError):
        return {}  # the header was readable (DataSource); answers are only evidence
    found = {}
    for name in frame.columns:
        values = [v.strip() for v in frame[name].unique() if v.strip()]
        texts = [v for v in values if not re.fullmatch(r"-?\d+(\.\d+)?", v)]
        if values and len(values) <= CSV_MAX_ANSWERS and len(texts) > len(values) / 2:
            found[str(name)] = {v: v for v in sorted(values)}
    return found


def read_codebook(path: str | Path) -> list[Item]:
    """The items a codebook describes; a coded error if it is not one or cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CODEBOOK_SUFFIXES:
        raise MigmoduleError.of(
            CODEBOOK_FORMAT, Location(file=str(path)), path=path, suffix=path.suffix
        )
    if not path.is_file():
        raise _unreadable(path, "a codebook", "no such file")
    if suffix in (".xlsx", ".xls"):
        return read_xlsform(path)
    if suffix == ".dcf":
        return read_cspro(path)
    return read_ddi(path)


def _unreadable(path: Path, kind: str, reason: object) -> MigmoduleError:
    return MigmoduleError.of(
        CODEBOOK_UNREADABLE,
        Location(file=str(path)),
        path=path,
        kind=kind,
        reason=str(reason).strip() or type(reason).__name__,
    )


def with_codebook(data_items: list[Item], codebook_items: list[Item]) -> list[Item]:
    """The data file's variables, with names, labels, value labels and groups from the codebook.

    A column is found in the codebook by its name without group path, case-insensitive.
    """
    book = {}
    for item in codebook_items:
        book.setdefault(short_name(item.name).lower(), item)
    merged = []
    for item in data_items:
        entry = book.get(short_name(item.name).lower())
        if entry is None:
            merged.append(item)
            continue
        merged.append(
            Item(
                item.name,
                item.labels or entry.labels,
                # the codebook's choice labels before a CSV's own answers
                entry.value_labels or item.value_labels,
                entry.type or item.type,
                entry.group or item.group,
                entry.level or item.level,
            )
        )
    return merged


# XLSForm ----------------------------------------------------------------------------------------
def _language(column: str) -> str | None:
    """'label::English (en)' -> 'en', 'label::Español' -> 'es', 'label' -> ''; None: not a label."""
    if column == "label":
        return ""
    if not column.startswith("label::"):
        return None
    tail = column[len("label::") :].strip()
    code = re.search(r"\(([A-Za-z]{2,3})\)\s*$", tail)
    if code:
        return code.group(1).lower()
    return _LANGUAGE_NAMES.get(tail.lower(), tail.lower())


def _labels(row: dict[str, Any]) -> dict[str, str]:
    labels = {}
    for column, value in row.items():
        language = _language(str(column))
        if language is not None and value not in (None, ""):
            labels.setdefault(language, str(value))
    return labels


def read_xlsform(path: str | Path) -> list[Item]:
    """Survey rows (not groups, notes or metadata) with their choice lists; repeats are groups."""
    return xlsform_items(xlsform_sheets(path))


def xlsform_sheets(path: str | Path, choices: str | Path | None = None) -> dict[str, list[dict]]:
    """The sheets of an XLSForm (.xlsx, .xls), or its survey and choices sheets saved as CSV
    (`choices`: the choices CSV; without it, a sibling named *choices*.csv is looked for)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import xls_to_dict, xlsx_to_dict

    path = Path(path)
    if path.suffix.lower() == ".csv":
        sheets = {"survey": _csv_rows(path)}
        if choices is None:
            choices = next(
                (
                    sibling
                    for sibling in sorted(path.parent.glob("*.csv"))
                    if sibling != path and "choice" in sibling.name.lower()
                ),
                None,
            )
        if choices is not None:
            sheets["choices"] = _csv_rows(Path(choices))
    else:
        reader = xlsx_to_dict if path.suffix.lower() == ".xlsx" else xls_to_dict
        try:
            sheets = reader(str(path))
        except (PyXFormError, OSError, ValueError, KeyError) as exc:
            raise _unreadable(path, "an XLSForm", exc) from None
    if not isinstance(sheets, dict) or not sheets.get("survey"):
        raise _unreadable(path, "an XLSForm", "there is no survey sheet")
    return sheets


def _csv_rows(path: Path) -> list[dict]:
    import csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [
                {k.strip(): (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(handle)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(path, "an XLSForm sheet saved as CSV", exc) from None


def xlsform_choices(sheets: dict[str, list[dict]]) -> dict[str, dict[str, dict[Any, str]]]:
    """list name -> language -> {choice name: label}."""
    choices: dict[str, dict[str, dict[Any, str]]] = {}
    for row in sheets.get("choices") or []:
        list_name = str(row.get("list_name") or row.get("list name") or "").strip()
        name = row.get("name")
        if not list_name or name in (None, ""):
            continue
        for language, text in _labels(row).items():
            choices.setdefault(list_name, {}).setdefault(language, {})[str(name).strip()] = text
    return choices


def xlsform_items(sheets: dict[str, list[dict]]) -> list[Item]:
    """Survey rows (not groups, notes or metadata) with their choice lists; repeats are groups."""
    choices = xlsform_choices(sheets)
    items = []
    repeats: list[str] = []
    for row in sheets["survey"]:
        kind = " ".join(str(row.get("type") or "").split())
        name = str(row.get("name") or "").strip()
        lowered = kind.lower()
        if lowered in ("begin repeat", "begin_repeat"):
            repeats.append(name)
            continue
        if lowered in ("end repeat", "end_repeat"):
            if repeats:
                repeats.pop()
            continue
        if not name or lowered in _NOT_QUESTIONS or lowered.startswith(("begin", "end")):
            continue
        parts = kind.split()
        value_labels = {}
        if parts and parts[0] in ("select_one", "select_multiple") and len(parts) > 1:
            value_labels = choices.get(parts[1], {})
        items.append(
            Item(name, _labels(row), value_labels, parts[0] if parts else "", "/".join(repeats))
        )
    return items


# CSPro ------------------------------------------------------------------------------------------
def _code(text: str) -> Any:
    text = text.strip().strip("'").strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def read_cspro(path: str | Path) -> list[Item]:
    """Items of a CSPro dictionary (7.x text or 8 JSON); records are groups; ranges are skipped."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _unreadable(path, "a CSPro dictionary", exc) from None
    if text.lstrip().startswith("{"):
        try:
            return _cspro_json(json.loads(text))
        except (json.JSONDecodeError, AttributeError, TypeError, KeyError) as exc:
            raise _unreadable(path, "a CSPro 8 dictionary (JSON)", exc) from None
    if "[Dictionary]" not in text:
        raise _unreadable(path, "a CSPro dictionary", "no [Dictionary] section")
    items: list[Item] = []
    group = ""
    section = ""
    current: Item | None = None
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            if section == "IdItems":
                group = ""
            continue
        if "=" not in line:
            continue
        key, value = line.split("=", 1)
        first = value.split("|")[0]  # multi-language labels: the first language
        if section == "Record" and key == "Name":
            group = value
        elif section == "Item":
            if key == "Label":
                current = Item("", {"": first}, {}, "numeric", group)
                items.append(current)
            elif key == "Name" and current is not None:
                current.name = value
            elif key == "DataType" and current is not None and value.lower() == "alpha":
                current.type = "string"
        elif section == "ValueSet" and key == "Value" and current is not None:
            code, _, label = first.partition(";")
            if ":" in code or not label:
                continue  # a range or an unlabelled value
            current.value_labels.setdefault("", {})[_code(code)] = label
    return [item for item in items if item.name]


def _cspro_text(labels: Any) -> str:
    if isinstance(labels, list) and labels:
        return str(labels[0].get("text", ""))
    return ""


def _cspro_json(data: dict[str, Any]) -> list[Item]:
    items: list[Item] = []

    def add(entries: list[dict[str, Any]], group: str) -> None:
        for entry in entries:
            item = Item(
                str(entry["name"]),
                {"": _cspro_text(entry.get("labels"))},
                {},
                "string" if entry.get("contentType") == "alpha" else "numeric",
                group,
            )
            for value_set in entry.get("valueSets") or []:
                for value in value_set.get("values") or []:
                    pairs = value.get("pairs") or []
                    label = _cspro_text(value.get("labels"))
                    if len(pairs) == 1 and "value" in pairs[0] and label:
                        item.value_labels.setdefault("", {})[_code(str(pairs[0]["value"]))] = label
            items.append(item)

    for level in data.get("levels") or []:
        add((level.get("ids") or {}).get("items") or [], "")
        for record in level.get("records") or []:
            add(record.get("items") or [], str(record.get("name", "")))
    return items


# DDI Codebook 2.5 -------------------------------------------------------------------------------
def read_ddi(path: str | Path) -> list[Item]:
    """`<var>` elements: name, `labl`, `qstnLit`, categories; the `files` attribute is the group."""
    from lxml import etree

    path = Path(path)
    try:
        root = etree.parse(
            str(path), etree.XMLParser(resolve_entities=False, no_network=True)
        ).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise _unreadable(path, "a DDI Codebook", exc) from None
    if etree.QName(root).localname != "codeBook":
        raise _unreadable(
            path, "a DDI Codebook", f"the root element is <{etree.QName(root).localname}>"
        )
    lang_attribute = "{http://www.w3.org/XML/1998/namespace}lang"

    def children(element: Any, name: str) -> list[Any]:
        return [c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name]

    def text(element: Any) -> str:
        return " ".join("".join(element.itertext()).split())

    items = []
    for var in root.iter("{*}var"):
        labels: dict[str, str] = {}
        for labl in children(var, "labl"):
            labels.setdefault(labl.get(lang_attribute, ""), text(labl))
        for qstn in children(var, "qstn"):
            for literal in children(qstn, "qstnLit"):
                key = literal.get(lang_attribute, "")
                labels.setdefault(f"{key}:question" if key in labels else key, text(literal))
        value_labels: dict[str, dict[Any, str]] = {}
        for category in children(var, "catgry"):
            values = children(category, "catValu")
            if not values:
                continue
            for labl in children(category, "labl"):
                language = labl.get(lang_attribute, "")
                value_labels.setdefault(language, {})[_code(text(values[0]))] = text(labl)
        kind = "numeric" if var.get("intrvl") in ("contin", "discrete") else ""
        items.append(Item(var.get("name", ""), labels, value_labels, kind, var.get("files", "")))
    return [item for item in items if item.name]
