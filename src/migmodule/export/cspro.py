"""CSPro export: adapted modules -> a CSPro dictionary (`.dcf`, text 7.x or JSON 8) and logic (`.apc`).

The spec's levels become ONE CSPro level (the questionnaire, keyed by the top level's id) with
one record per spec level, because CSPro's single-level layout is what pycspro and most CSPro
applications read (docs/cspro.md explains the choice and every width rule below).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from migmodule.codes import Finding, Location, MigmoduleError, define
from migmodule.export.cspro_dictionary import (
    Dictionary,
    Item,
    Level,
    Record,
    Value,
    ValueSet,
    to_json,
    to_text,
)
from migmodule.export.result import ExportResult
from migmodule.i18n import language_name, phrase
from migmodule.io import write_text
from migmodule.naming import cspro_reserved_words
from migmodule.profile import Adapted
from migmodule.spec.model import CodeList, Derived, Module, Question, QuestionType, SpecialKind
from migmodule.spec.model import Level as SpecLevel
from migmodule.spec.resolve import Resolved, parameter_of
from migmodule.spec.shared import duplicates
from migmodule.spec.text import render, text_in

CSPRO_NAME = define(
    "CSPRO-NAME-001",
    "warning",
    "Variable renamed for CSPro",
    "'{original}' cannot be used as a CSPro name ({reason}); it is written as {name}. "
    "CSPro names are A-Z, 0-9 and _, start with a letter, do not end with _, are not reserved "
    "words and are unique in the whole dictionary. Set a national variable name in the profile "
    "(variables:) to choose another name.",
    "export",
)
CSPRO_LABEL = define(
    "CSPRO-LABEL-001",
    "warning",
    "Label shortened for CSPro",
    "the {what} label is {length} characters; CSPro allows 255, so it is cut to 255. "
    "Shorten the label in the spec.",
    "export",
)
CSPRO_CODE_LIST = define(
    "CSPRO-CODES-001",
    "warning",
    "Code list has no codes for CSPro",
    "code list '{code_list}' takes its codes from parameter {parameter}, which is not set; the item "
    "is written without a value set. Set {parameter} in the profile.",
    "export",
)
CSPRO_SPECIAL = define(
    "CSPRO-SPECIAL-001",
    "warning",
    "Two codes for one CSPro special value",
    "code list '{code_list}': codes {first} and {second} are both {kind}; CSPro maps one value to "
    "{special}, so {second} is kept as an ordinary value. Use one code per special kind.",
    "export",
)
CSPRO_LOGIC = define(
    "CSPRO-LOGIC-001",
    "warning",
    "Expression not compiled to CSPro logic",
    "the {what} cannot be written as CSPro logic ({reason}); the .apc has a comment in its place. "
    "Write this check by hand in CSPro.",
    "export",
)
CSPRO_FORMAT = define(
    "CSPRO-FORMAT-001",
    "error",
    "Unknown CSPro dictionary format",
    "format '{fmt}' is not known; use 'text' (CSPro 7.x, the default) or 'json' (CSPro 8).",
    "export",
)
CSPRO_NO_MODULE = define(
    "CSPRO-INPUT-001",
    "error",
    "Nothing to export",
    "no module was given to export; name at least one module or a profile that lists modules.",
    "export",
)

# Widths chosen where the spec gives none (docs/cspro.md, "Item widths").
ID_LENGTH = 10
TEXT_LENGTH = 80
INTEGER_LENGTH = 6
DECIMAL_LENGTH, DECIMAL_PLACES = 10, 2
RATE_LENGTH, RATE_PLACES = 15, 6  # a value read from a table (rate()): CSPro's widest numeric item
DATE_LENGTH = 8  # YYYYMMDD
LABEL_LIMIT = 255

SPECIAL_VALUE = {
    SpecialKind.NOT_STATED: "MISSING",
    SpecialKind.REFUSED: "REFUSED",
    SpecialKind.NOT_APPLICABLE: "NOTAPPL",
}  # dont_know stays an ordinary value: CSPro has no "don't know" special value.

# The toolkit's words (yes/no of a multiple answer's items, "number", "Questionnaire") are the
# ``export`` block of the language catalogue (src/migmodule/i18n/<lang>.yaml).

# CSPro 8.0.1's reserved words (data/cspro_reserved_words.csv, from its zLogicO tables), and the
# three words the earlier short list had (kept so that exported names do not change).
RESERVED = frozenset(cspro_reserved_words()) | frozenset({"LOGIC", "RECORD", "YEAR"})


# ------------------------------------------------------------------------------------------------
# Names


class Names:
    """One dictionary-wide namespace: CSPro names are unique across levels, records, items and value sets."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.findings: list[Finding] = []

    @staticmethod
    def clean(text: str) -> str:
        name = re.sub(r"[^A-Z0-9_]", "_", text.upper())
        if not name or not name[0].isalpha():
            name = "V" + name
        name = re.sub(r"_+$", "", name)
        return name or "V"

    def claim(self, original: str, location: Location | None = None, *, quiet: bool = False) -> str:
        name = self.clean(original)
        reason = "" if name == original.upper() else "characters CSPro does not allow"
        if name in RESERVED:
            name, reason = f"{name}_V", "a CSPro reserved word"
        base, counter = name, 1
        while name in self.used:
            counter += 1
            name, reason = f"{base}_{counter}", "the name is already used in this dictionary"
        self.used.add(name)
        if reason and not quiet:
            self.findings.append(
                Finding.make(CSPRO_NAME, location, original=original, name=name, reason=reason)
            )
        return name


# ------------------------------------------------------------------------------------------------
# Building the dictionary model


@dataclass
class Built:
    """The dictionary model and what the logic writer needs to find items by spec id."""

    dictionary: Dictionary
    item_names: dict[tuple[str, str], str]  # (module ref, question/derived id) -> CSPro item name
    items_of: dict[
        tuple[str, str], list[str]
    ]  # (module ref, question id) -> its items (select_multiple: several)
    record_of_level: dict[str, Record]
    level_order: list[str]
    findings: list[Finding]
    languages: list[str]
    # (module index, shared element id) -> index of the module that asks it (spec/shared.py)
    asked_by: dict[tuple[int, str], int] = field(default_factory=dict)

    def item_name(self, module: Module, item_id: str) -> str:
        return self.item_names.get((module.ref, item_id), Names.clean(item_id))


def _reads_table(expression: str | None) -> bool:
    """Whether an expression looks a value up in a table (rate()): exchange rates have decimals."""
    from migmodule.expr.ast import Call
    from migmodule.expr.parser import parse

    if not expression:
        return False
    return any(isinstance(n, Call) and n.func == "rate" for n in parse(expression).walk())


def _digits(number: int) -> int:
    return len(str(number))


def _fit(text: str, what: str, findings: list[Finding], location: Location) -> str:
    text = " ".join(text.split()) or "-"  # CSPro labels are one line and not blank
    if len(text) > LABEL_LIMIT:
        findings.append(Finding.make(CSPRO_LABEL, location, what=what, length=len(text)))
        text = text[: LABEL_LIMIT - 1] + "…"
    return text.replace("|", "/")  # | separates languages


class Builder:
    def __init__(self, adapted_list: list[Adapted], languages: list[str]):
        self.adapted_list = adapted_list
        self.languages = languages
        self.names = Names()
        self.findings: list[Finding] = []
        self.item_names: dict[tuple[str, str], str] = {}
        self.items_of: dict[tuple[str, str], list[str]] = {}
        self.resolved_of: dict[int, Resolved] = {}
        # A shared question (same origin module and id) is one item, asked by the first module.
        self.asked_by = duplicates(
            [
                (
                    a.module,
                    [q.id for q in a.questions]
                    + [d.id for d in a.module.derived]
                    + [e.id for e in a.module.edits],
                )
                for a in adapted_list
            ]
        )

    # labels ----------------------------------------------------------------------------------
    def labels(
        self, text: dict[str, str] | None, adapted: Adapted, what: str, location: Location
    ) -> list[str]:
        return [
            _fit(
                render(text, adapted.module, adapted.params, lang),
                what,
                self.findings,
                Location(**{**location.to_dict(), "language": lang}),
            )
            for lang in self.languages
        ]

    def words(self, key: str) -> list[str]:
        """One catalogue word in each language of the dictionary."""
        return [phrase(lang, key) for lang in self.languages]

    # codes -----------------------------------------------------------------------------------
    def resolved(self, adapted: Adapted) -> Resolved:
        if id(adapted) not in self.resolved_of:
            self.resolved_of[id(adapted)] = Resolved(adapted, self.languages)
        return self.resolved_of[id(adapted)]

    def codes(
        self, adapted: Adapted, code_list: CodeList
    ) -> list[tuple[int, list[str], SpecialKind | None]]:
        """Every code of a list with its labels, in the order of spec/resolve.py."""
        resolved = self.resolved(adapted).codes(code_list)
        parameter = parameter_of(code_list)
        if parameter is not None and not any(c.origin == "national" for c in resolved):
            self.findings.append(
                Finding.make(
                    CSPRO_CODE_LIST,
                    Location(module=adapted.module.ref),
                    code_list=code_list.id,
                    parameter=parameter,
                )
            )
        return [
            (
                c.code,
                [
                    _fit(
                        c.label(lang),
                        "code" if c.origin in ("listed", "national") else "country",
                        self.findings,
                        Location(module=adapted.module.ref, language=lang),
                    )
                    for lang in self.languages
                ],
                c.special,
            )
            for c in resolved
        ]

    def value_set(
        self, item: Item, code_list_id: str, entries, ranges: list[tuple[int, int]] | None = None
    ) -> None:
        """A value set named <ITEM>_VS1: optional valid ranges, then the codes with their special values."""
        name = self.names.claim(f"{item.name}_VS1", quiet=True)
        value_set = ValueSet(name, list(item.labels))
        for low, high in ranges or []:
            value_set.values.append(
                Value(str(low), [f"{low}-{high}"] * len(self.languages), to=str(high))
            )
        mapped: dict[str, int] = {}
        for code, labels, special in entries:
            cspro_special = SPECIAL_VALUE.get(special) if special else None
            if cspro_special in mapped:
                self.findings.append(
                    Finding.make(
                        CSPRO_SPECIAL,
                        Location(variable=item.name),
                        code_list=code_list_id,
                        first=mapped[cspro_special],
                        second=code,
                        kind=special.value,
                        special=cspro_special,
                    )
                )
                cspro_special = None
            if cspro_special:
                mapped[cspro_special] = code
            value_set.values.append(Value(str(code), labels, special=cspro_special))
        if value_set.values:
            item.value_sets.append(value_set)

    # numeric ranges --------------------------------------------------------------------------
    @staticmethod
    def split(low: int, high: int, specials: list[int]) -> list[tuple[int, int]]:
        """The range low:high without the special codes (CSPro value sets should not overlap)."""
        parts, start = [], low
        for code in sorted(c for c in specials if low <= c <= high):
            if start <= code - 1:
                parts.append((start, code - 1))
            start = code + 1
        if start <= high:
            parts.append((start, high))
        return parts

    # items -----------------------------------------------------------------------------------
    def question_items(self, adapted: Adapted, question: Question) -> list[Item]:
        module = adapted.module
        loc = Location(module=module.ref, question=question.id)
        variable = adapted.variable(question.id)
        name = self.names.claim(
            variable, Location(module=module.ref, question=question.id, variable=variable)
        )
        self.item_names[(module.ref, question.id)] = name
        labels = self.labels(question.variable_label, adapted, "variable", loc)
        note = f"{module.ref} question {question.id}"
        code_list = module.code_list_by_id.get(question.code_list) if question.code_list else None
        entries = self.codes(adapted, code_list) if code_list else []
        qtype = question.type

        if qtype is QuestionType.SELECT_MULTIPLE:
            items = []
            yes, no = (self.words(f"export.answer_{kind}") for kind in ("yes", "no"))
            for code, code_labels, _ in entries:
                sub_labels = [
                    _fit(f"{a}: {b}", "variable", self.findings, loc)
                    for a, b in zip(labels, code_labels, strict=True)
                ]
                sub = Item(
                    self.names.claim(f"{name}_{code}".replace("-", "M"), loc),
                    sub_labels,
                    1,
                    zero_fill=True,
                    note=f"{note}, code {code} (1 = selected, 0 = not selected)",
                )
                value_set = ValueSet(
                    self.names.claim(f"{sub.name}_VS1", quiet=True),
                    sub_labels,
                    [Value("1", yes), Value("0", no)],
                )
                sub.value_sets.append(value_set)
                items.append(sub)
            return items
        if qtype is QuestionType.TEXT:
            return [Item(name, labels, TEXT_LENGTH, alpha=True, note=note)]
        if qtype is QuestionType.DATE:
            return [Item(name, labels, DATE_LENGTH, zero_fill=True, note=f"{note} (YYYYMMDD)")]
        if qtype in (QuestionType.SELECT_ONE, QuestionType.COUNTRY):
            length = max((_digits(code) for code, _, _ in entries), default=1)
            item = Item(name, labels, length, zero_fill=True, note=note)
            self.value_set(item, question.code_list or "", entries)
            return [item]

        specials = [code for code, _, _ in entries]
        low, high = self.resolved(adapted).range_bounds(question)
        # An integer item's value set takes the whole numbers inside the range.
        low = math.ceil(low) if low is not None else None
        high = math.floor(high) if high is not None else None
        if qtype is QuestionType.DECIMAL:
            # Decimal items get no value set: CSPro value sets of decimals are rarely what NSOs want.
            return [
                Item(
                    name,
                    labels,
                    DECIMAL_LENGTH,
                    zero_fill=True,
                    decimals=DECIMAL_PLACES,
                    decimal_char=True,
                    note=note,
                )
            ]
        default = 4 if qtype is QuestionType.YEAR else INTEGER_LENGTH
        if low is None or high is None:
            length = max([default] + [_digits(c) for c in specials])
            low = 0 if low is None else low
            high = 10**length - 1 if high is None else high
        length = max([_digits(low), _digits(high)] + [_digits(c) for c in specials])
        item = Item(name, labels, length, zero_fill=True, note=note)
        self.value_set(item, question.code_list or "", entries, self.split(low, high, specials))
        return [item]

    def derived_item(self, adapted: Adapted, derived: Derived) -> Item:
        module = adapted.module
        loc = Location(module=module.ref, question=derived.id)
        variable = adapted.variable(derived.id)
        name = self.names.claim(
            variable, Location(module=module.ref, question=derived.id, variable=variable)
        )
        self.item_names[(module.ref, derived.id)] = name
        labels = self.labels(derived.variable_label, adapted, "variable", loc)
        note = f"{module.ref} derived {derived.id}: computed by the .apc logic, not asked"
        if derived.cases is not None:
            code_list = module.code_list_by_id[derived.code_list]
            entries = self.codes(adapted, code_list)
            item = Item(
                name, labels, max(_digits(c) for c, _, _ in entries), zero_fill=True, note=note
            )
            self.value_set(item, code_list.id, entries)
            return item
        if _reads_table(derived.expression):  # an exchange rate of 0.3075 needs its decimals
            return Item(
                name, labels, RATE_LENGTH, decimals=RATE_PLACES, decimal_char=True, note=note
            )
        if "/" in (derived.expression or ""):
            return Item(
                name, labels, DECIMAL_LENGTH, decimals=DECIMAL_PLACES, decimal_char=True, note=note
            )
        return Item(name, labels, INTEGER_LENGTH, note=note)

    # levels and records ----------------------------------------------------------------------
    def merged_levels(self) -> dict[str, tuple[SpecLevel, Adapted]]:
        """Spec levels of all modules by id, first definition wins (modules share household/person)."""
        levels: dict[str, tuple[SpecLevel, Adapted]] = {}
        for adapted in self.adapted_list:
            for level in adapted.module.levels:
                levels.setdefault(level.id, (level, adapted))
        return levels

    def build(self) -> Built:
        levels = self.merged_levels()
        parent = {lid: lv.parent for lid, (lv, _) in levels.items()}
        roots = [lid for lid, p in parent.items() if p is None or p not in levels]
        root_level, root_adapted = levels[roots[0]]

        first = self.adapted_list[0]
        dict_name = self.names.claim("MIGMODULE_DICT", quiet=True)
        refs = ", ".join(a.label for a in self.adapted_list)
        titles = [
            " + ".join(text_in(a.module.title, lg) for a in self.adapted_list)
            for lg in self.languages
        ]
        dictionary = Dictionary(
            name=dict_name,
            labels=[
                _fit(t, "dictionary", self.findings, Location(module=first.module.ref))
                for t in titles
            ],
            languages=[(lg.upper(), language_name(lg)) for lg in self.languages],
            note=f"Generated by migmodule from {refs}",
            record_type_len=len(str(len(levels))),
        )
        case_level = Level(
            self.names.claim("MIGMODULE_QUEST", quiet=True), self.words("export.questionnaire")
        )
        dictionary.levels.append(case_level)
        loc = Location(module=root_adapted.module.ref)
        for id_variable in root_level.id_variables or [f"{root_level.id}_id"]:
            id_name = self.names.claim(id_variable, loc)
            id_labels = [
                f"{text_in(root_level.label, lg)} id ({id_variable})" for lg in self.languages
            ]
            case_level.id_items.append(
                Item(
                    id_name,
                    id_labels,
                    ID_LENGTH,
                    zero_fill=True,
                    note=f"identifier of the {root_level.id} (level {root_level.id})",
                )
            )

        record_of_level: dict[str, Record] = {}
        for index, (level_id, (level, adapted)) in enumerate(levels.items(), start=1):
            labels = self.labels(
                level.label, adapted, "record", Location(module=adapted.module.ref)
            )
            is_root = level_id in roots
            record = Record(
                self.names.claim(f"{level_id}_rec", quiet=True),
                labels,
                type_value=str(index).rjust(dictionary.record_type_len, "0"),
                required=is_root and not level.repeat,
                max_records=level.max_units if level.repeat else 1,
                note=f"spec level {level_id}",
            )
            record.items += self.sequence_items(level_id, levels, parent, roots)
            record_of_level[level_id] = record
            case_level.records.append(record)
        for index, adapted in enumerate(self.adapted_list):
            for question in adapted.questions:
                if (index, question.id) in self.asked_by:
                    owner = self.adapted_list[self.asked_by[(index, question.id)]].module.ref
                    key = (adapted.module.ref, question.id)
                    self.item_names[key] = self.item_names[(owner, question.id)]
                    self.items_of[key] = self.items_of[(owner, question.id)]
                    continue
                items = self.question_items(adapted, question)
                self.items_of[(adapted.module.ref, question.id)] = [item.name for item in items]
                record_of_level[question.level].items += items
            for derived in adapted.module.derived:
                if (index, derived.id) in self.asked_by:
                    owner = self.adapted_list[self.asked_by[(index, derived.id)]].module.ref
                    key = (adapted.module.ref, derived.id)
                    self.item_names[key] = self.item_names[(owner, derived.id)]
                    continue
                record_of_level[derived.level].items.append(self.derived_item(adapted, derived))
        # A level without questions (a household level of a person module) gets no record: an
        # empty record is useless to CSPro and pycspro cannot read one.
        case_level.records = [record for record in case_level.records if record.items]
        dictionary.layout()
        return Built(
            dictionary,
            self.item_names,
            self.items_of,
            record_of_level,
            list(levels),
            self.findings + self.names.findings,
            self.languages,
            self.asked_by,
        )

    def sequence_items(self, level_id: str, levels, parent, roots) -> list[Item]:
        """Occurrence numbers of the repeated levels on the path from the case down to this level."""
        chain = []
        current = level_id
        while current is not None and current in levels and current not in roots:
            chain.append(current)
            current = parent[current]
        items = []
        for lid in reversed(chain):
            level, adapted = levels[lid]
            parent_ids = (
                set(levels[parent[lid]][0].id_variables) if parent[lid] in levels else set()
            )
            own = [v for v in level.id_variables if v not in parent_ids]
            variable = own[-1] if own else f"{lid}_no"
            key = ("#sequence", lid)
            if key not in self.item_names:
                self.item_names[key] = self.names.claim(
                    variable, Location(module=adapted.module.ref)
                )
            labels = [
                f"{text_in(level.label, lg)} {phrase(lg, 'export.number')}" for lg in self.languages
            ]
            items.append(
                Item(
                    self.item_names[key],
                    labels,
                    _digits(level.max_units),
                    zero_fill=True,
                    note=f"occurrence number of the {lid} (1 to {level.max_units})",
                )
            )
        return items


def build_dictionary(adapted_list: list[Adapted], languages: list[str] | None = None) -> Built:
    """The CSPro dictionary model of one questionnaire made of the given adapted modules."""
    if not adapted_list:
        raise MigmoduleError.of(CSPRO_NO_MODULE)
    return Builder(adapted_list, languages or adapted_list[0].languages).build()


# ------------------------------------------------------------------------------------------------
# Export


def export_cspro(
    adapted_list: list[Adapted],
    out_path: str | Path,
    *,
    languages: list[str] | None = None,
    fmt: str = "text",
    today: dt.date | None = None,
) -> ExportResult:
    """Write `out_path` (.dcf, text or JSON) and the logic beside it (same name, .apc)."""
    from migmodule.export.cspro_logic import write_logic

    if fmt not in ("text", "json"):
        raise MigmoduleError.of(CSPRO_FORMAT, fmt=fmt)
    built = build_dictionary(adapted_list, languages)
    out = Path(out_path)
    logic_path = out.with_suffix(".apc")
    logic, logic_findings = write_logic(adapted_list, built, today=today)
    text = to_text(built.dictionary) if fmt == "text" else to_json(built.dictionary)
    write_text(out, text)
    # CSPro reads a UTF-8 logic file correctly only with its byte order mark.
    write_text(logic_path, "\ufeff" + logic)
    return ExportResult([out, logic_path], built.findings + logic_findings)
