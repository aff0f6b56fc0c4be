"""A small in-memory CSPro dictionary, written as the classic text `.dcf` (7.x) or CSPro 8 JSON.

Both writers read the same model, so the two formats cannot drift. The model knows nothing of
the module spec: `export/cspro.py` builds it. Grammar and defaults follow CSPro's own reader
(`zDictO/Pre80SpecFile.cpp`, `DDClass.cpp`; see docs/cspro.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Below "CSPro 7.4", CSPro 8 grants export permission to a text dictionary that has no
# encrypted SecurityOptions (which only CSPro itself can write); see docs/cspro.md.
TEXT_VERSION = "CSPro 7.3"
JSON_VERSION = 8.0
BOM = "\ufeff"

SPECIAL_NAMES = ("MISSING", "REFUSED", "NOTAPPL", "DEFAULT")


@dataclass
class Value:
    """One line of a value set: a value (or range `value:to`), labels per language, special name."""

    value: str
    labels: list[str]
    to: str | None = None
    special: str | None = None  # MISSING, REFUSED, NOTAPPL or DEFAULT


@dataclass
class ValueSet:
    name: str
    labels: list[str]
    values: list[Value] = field(default_factory=list)


@dataclass
class Item:
    name: str
    labels: list[str]
    length: int
    start: int = 0  # 1-based; set by Dictionary.layout()
    alpha: bool = False
    zero_fill: bool = False
    decimals: int = 0
    decimal_char: bool = False
    occurrences: int = 1
    note: str | None = None
    value_sets: list[ValueSet] = field(default_factory=list)

    @property
    def end(self) -> int:
        """The last column the item occupies (occurrences are contiguous)."""
        return self.start + self.length * self.occurrences - 1


@dataclass
class Record:
    name: str
    labels: list[str]
    type_value: str
    required: bool = True
    max_records: int = 1
    note: str | None = None
    items: list[Item] = field(default_factory=list)

    @property
    def length(self) -> int:
        """RecordLen: the last column used by the record (CSPro recomputes it the same way)."""
        return max((item.end for item in self.items), default=0)


@dataclass
class Level:
    name: str
    labels: list[str]
    id_items: list[Item] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)


@dataclass
class Dictionary:
    name: str
    labels: list[str]
    languages: list[tuple[str, str]] = field(
        default_factory=list
    )  # (NAME, label), e.g. ("EN", "English")
    note: str | None = None
    record_type_start: int = 1
    record_type_len: int = 1
    relative_positions: bool = True
    zero_fill: bool = True
    decimal_char: bool = True
    levels: list[Level] = field(default_factory=list)

    def layout(self) -> None:
        """Give every item its fixed-width Start: record type, then id items, then record items."""
        column = self.record_type_start + self.record_type_len
        for level in self.levels:
            for item in level.id_items:
                item.start = column
                column += item.length * item.occurrences
        first_record_column = column
        for level in self.levels:
            for record in level.records:
                column = first_record_column
                for item in record.items:
                    item.start = column
                    column += item.length * item.occurrences

    def id_length(self) -> int:
        return sum(i.length * i.occurrences for lv in self.levels for i in lv.id_items)


# ------------------------------------------------------------------------------------------------
# Classic text format


def put_line(line: str) -> str:
    """One line as CSPro's writer puts it (`zUtilO/Specfile.cpp`, `CSpecFile::PutLine`).

    CSPro's reader (`CSpecFile::GetLine`) joins a line that ends in `&` to the next one, so a
    value ending in `&` would swallow the following line (a value set lost its next value).
    PutLine writes the text before the trailing ampersands followed by the continuation `&`, then
    the ampersands on their own line; GetLine reads the two back as the original line.
    """
    lines = []
    while len(line) > 1 and line.endswith("&"):
        kept = len(line.rstrip("&")) or 1
        lines.append(line[:kept] + "&")
        line = line[kept:]
    lines.append(line)
    return "\n".join(lines)


def _label(labels: list[str]) -> str:
    """Labels for several languages are `|`-separated in language order."""
    return "|".join(labels)


def _note(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\\r\\n")


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def _item_lines(item: Item) -> list[str]:
    lines = ["[Item]", f"Label={_label(item.labels)}", f"Name={item.name}"]
    if item.note:
        lines.append(f"Note={_note(item.note)}")
    lines += [
        f"Start={item.start}",
        f"Len={item.length}",
        f"DataType={'Alpha' if item.alpha else 'Numeric'}",
    ]
    if item.occurrences > 1:
        lines.append(f"Occurrences={item.occurrences}")
    if item.decimals:
        # pycspro keeps Decimal as a string; a value only when > 0 keeps its value labels integers.
        lines.append(f"Decimal={item.decimals}")
        lines.append(f"DecimalChar={_yes(item.decimal_char)}")
    if item.zero_fill and not item.alpha:
        lines.append("ZeroFill=Yes")
    sections = ["\n".join(lines)]
    for value_set in item.value_sets:
        vs_lines = ["[ValueSet]", f"Label={_label(value_set.labels)}", f"Name={value_set.name}"]
        for value in value_set.values:
            pair = value.value if value.to is None else f"{value.value}:{value.to}"
            vs_lines.append(f"Value={pair};{_label(value.labels)}")
            if value.special:
                vs_lines.append(f"Name={value.special},Special")
        sections.append("\n".join(vs_lines))
    return sections


def to_text(dictionary: Dictionary, *, bom: bool = True) -> str:
    """The classic `.dcf`: sections separated by one blank line, a single trailing newline."""
    head = [
        "[Dictionary]",
        f"Version={TEXT_VERSION}",
        f"Label={_label(dictionary.labels)}",
        f"Name={dictionary.name}",
    ]
    if dictionary.note:
        head.append(f"Note={_note(dictionary.note)}")
    head += [
        f"RecordTypeStart={dictionary.record_type_start}",
        f"RecordTypeLen={dictionary.record_type_len}",
        f"Positions={'Relative' if dictionary.relative_positions else 'Absolute'}",
        f"ZeroFill={_yes(dictionary.zero_fill)}",
        f"DecimalChar={_yes(dictionary.decimal_char)}",
    ]
    sections = ["\n".join(head)]
    if len(dictionary.languages) > 1:
        sections.append(
            "\n".join(["[Languages]"] + [f"{name}={label}" for name, label in dictionary.languages])
        )
    for level in dictionary.levels:
        sections.append(
            "\n".join(["[Level]", f"Label={_label(level.labels)}", f"Name={level.name}"])
        )
        sections.append("[IdItems]")
        for item in level.id_items:
            sections += _item_lines(item)
        for record in level.records:
            lines = [
                "[Record]",
                f"Label={_label(record.labels)}",
                f"Name={record.name}",
            ]
            if record.note:
                lines.append(f"Note={_note(record.note)}")
            lines += [
                f"RecordTypeValue='{record.type_value}'",
                f"Required={_yes(record.required)}",
                f"MaxRecords={record.max_records}",
                f"RecordLen={record.length}",
            ]
            sections.append("\n".join(lines))
            for item in record.items:
                sections += _item_lines(item)
    text = "\n\n".join(sections)
    return (BOM if bom else "") + "\n".join(map(put_line, text.split("\n"))) + "\n"


# ------------------------------------------------------------------------------------------------
# CSPro 8 JSON format


def _json_labels(labels: list[str], languages: list[tuple[str, str]]) -> list[dict[str, str]]:
    if len(languages) <= 1:
        return [{"text": labels[0]}]
    return [
        {"text": text, "language": name} for text, (name, _) in zip(labels, languages, strict=False)
    ]


def _json_value_set(value_set: ValueSet, languages: list[tuple[str, str]]) -> dict[str, Any]:
    values = []
    for value in value_set.values:
        pair = {"value": value.value} if value.to is None else {"range": [value.value, value.to]}
        entry: dict[str, Any] = {"labels": _json_labels(value.labels, languages), "pairs": [pair]}
        if value.special:
            entry["special"] = value.special
        values.append(entry)
    return {
        "name": value_set.name,
        "labels": _json_labels(value_set.labels, languages),
        "values": values,
    }


def _json_item(item: Item, languages: list[tuple[str, str]], with_start: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"name": item.name, "labels": _json_labels(item.labels, languages)}
    if item.note:
        data["note"] = item.note
    if item.occurrences > 1:
        data["occurrences"] = {"maximum": item.occurrences}
    data["contentType"] = "alpha" if item.alpha else "numeric"
    if with_start:
        data["start"] = item.start
    data["length"] = item.length
    if item.decimals:
        data["decimals"] = item.decimals
        data["decimalMark"] = item.decimal_char
    if item.zero_fill and not item.alpha:
        data["zeroFill"] = True
    if item.value_sets:
        data["valueSets"] = [_json_value_set(vs, languages) for vs in item.value_sets]
    return data


def security_settings(
    name: str, *, allow_data_viewer_modifications: bool = False, allow_export: bool = True
) -> str:
    """The encrypted `security.settings` CSPro 8 reads (the plain flags beside it are ignored).

    As `SerializeSecurityOptions` (`zDictO/DDClass.cpp`) writes it: the text
    `NAME<TAB>v1<TAB>viewer<TAB>export<TAB>minutes`, UTF-8 with a final NUL, zero-padded to 16
    bytes and encrypted block by block with AES-256 (`RijndaelEncryptor`, `zToolsO/Encryption.cpp`)
    under the key PBKDF2-HMAC-SHA256(dictionary name, no salt, 1024 iterations, 32 bytes)
    (`Hash::Hash`, `zToolsO/Hash.cpp`), as lower-case hex.
    """
    import hashlib

    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    text = f"{name}\tv1\t{int(allow_data_viewer_modifications)}\t{int(allow_export)}\t0"
    data = text.encode("utf-8") + b"\0"
    data += b"\0" * (-len(data) % 16)
    key = hashlib.pbkdf2_hmac("sha256", name.encode("utf-8"), b"", 1024, 32)
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 - CSPro's scheme
    return (encryptor.update(data) + encryptor.finalize()).hex()


def to_json_dict(dictionary: Dictionary) -> dict[str, Any]:
    """The CSPro 8 dictionary object, with a `security` block that allows data export."""
    langs = dictionary.languages
    data: dict[str, Any] = {
        "software": "CSPro",
        "version": JSON_VERSION,
        "fileType": "dictionary",
        "name": dictionary.name,
        "labels": _json_labels(dictionary.labels, langs),
    }
    if dictionary.note:
        data["note"] = dictionary.note
    if len(langs) > 1:
        data["languages"] = [{"name": name, "label": label} for name, label in langs]
    data["security"] = {
        "allowDataViewerModifications": False,
        "allowExport": True,
        "cachedPasswordMinutes": 0,
        "settings": security_settings(dictionary.name),
    }
    data.update(
        {
            "readOptimization": True,
            "recordType": {
                "start": dictionary.record_type_start,
                "length": dictionary.record_type_len,
            },
            "defaults": {"decimalMark": dictionary.decimal_char, "zeroFill": dictionary.zero_fill},
            "relativePositions": dictionary.relative_positions,
            "levels": [],
        }
    )
    for level in dictionary.levels:
        records = []
        for record in level.records:
            entry: dict[str, Any] = {
                "name": record.name,
                "labels": _json_labels(record.labels, langs),
            }
            if record.note:
                entry["note"] = record.note
            entry["recordType"] = record.type_value
            entry["occurrences"] = {"required": record.required, "maximum": record.max_records}
            entry["items"] = [
                _json_item(i, langs, not dictionary.relative_positions) for i in record.items
            ]
            records.append(entry)
        data["levels"].append(
            {
                "name": level.name,
                "labels": _json_labels(level.labels, langs),
                "ids": {"items": [_json_item(i, langs, True) for i in level.id_items]},
                "records": records,
            }
        )
    return data


def to_json(dictionary: Dictionary) -> str:
    """JSON text laid out as CSPro 8 writes it closely enough to diff: two-space indent, UTF-8, no BOM."""
    return json.dumps(to_json_dict(dictionary), indent=2, ensure_ascii=False) + "\n"
