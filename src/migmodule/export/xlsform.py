"""XLSForm export: adapted modules -> `survey`, `choices` and `settings` sheets -> a .xlsx file.

`build_xlsform` returns the sheets as plain row lists (what pyxform's `convert` accepts as a
dict); `convert_sheets` runs pyxform on them and turns its warnings into findings; `write_xlsx`
writes a byte-deterministic workbook. `export_xlsform` does all three.

How the spec maps to the form (docs/exports.md says the same for users):
- the top level (household) is the body; each `repeat: true` level is a `begin_repeat` with
  `repeat_count` from the level's `count` question; a non-repeating lower level is a group;
- universe -> `relevant` (true form); range, constraint and error edits -> one `constraint`,
  `not(false form)` of their conjunction, so an unknown answer never blocks the interviewer; an
  edit sits on the last question it reads at its level;
- warning edits have no soft-constraint equivalent in XLSForm: each becomes a `note` right after
  that question, shown only when the edit fails, so the interviewer sees it and can go on;
- derived variables -> `calculate`; special codes (don't know, not stated) are ordinary choices;
- the module versions and profile are in the form title, a `migmodule_source` calculate (so every
  submission records them) and a `migmodule` sheet of the workbook.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.export import codes
from migmodule.export.result import ExportResult
from migmodule.expr.ast import Call, Node, Num
from migmodule.expr.targets import XPath
from migmodule.i18n import language_name, phrase
from migmodule.io import atomic_path, check_writable, write_text
from migmodule.profile import Adapted
from migmodule.spec.model import CodeList, Derived, Edit, Level, Module, Question, QuestionType
from migmodule.spec.resolve import COUNTRIES_SOURCE, Resolved, number, parameter_of
from migmodule.spec.shared import duplicates
from migmodule.spec.tables import Table, pulldata_csv, pulldata_name
from migmodule.spec.text import render, text_in

Sheets = dict[str, list[dict[str, str]]]

SHEET_ORDER = ("survey", "choices", "settings", "migmodule")
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
SOURCE_FIELD = "migmodule_source"
MEDIA_NOTE = (
    "upload with the form as its media (KoboToolbox: Media; ODK Central: form attachments); "
    "the form's pulldata() reads the table from it, and without it every look-up is blank."
)

QUESTION_TYPES = {
    QuestionType.INTEGER: "integer",
    QuestionType.YEAR: "integer",
    QuestionType.DECIMAL: "decimal",
    QuestionType.DATE: "date",
    QuestionType.TEXT: "text",
}

# Toolkit words in generated messages (the special codes hint, range messages, the "Check:" of an
# edit's note) are the ``export`` block of the language catalogue (src/migmodule/i18n/<lang>.yaml).
NUMBER_TYPES = (QuestionType.INTEGER, QuestionType.YEAR, QuestionType.DECIMAL)


def language_column(lang: str) -> str:
    """`English (en)`: the form pyxform wants in `label::...` headers and `default_language`."""
    return f"{language_name(lang)} ({lang})"


class _FormXPath(XPath):
    """XPath over form field names (national names, renamed clashes); the anchor question is `.`."""

    def __init__(
        self,
        module: Module,
        names: dict[str, str],
        self_id: str | None = None,
        anchor: str | None = None,
        tables: dict[str, list[Table]] | None = None,
    ):
        super().__init__(module, self_id)
        self.names = names
        self.anchor = anchor
        self.tables = tables if tables is not None else {}  # attachment name -> tables read

    def pulldata(self, node: Call) -> str:
        """pulldata() of a table, noted so that the export writes the table's CSV attachment."""
        self.tables.setdefault(pulldata_name(node.args[0].value), []).append(node.args[0].table)
        return super().pulldata(node)

    def ref(self, name: str) -> str:
        if name == self.anchor:
            return "."
        return "${" + self.names.get(name, name) + "}"


@dataclass
class _Entry:
    """One thing placed at a level: a question, a derived variable (calculate) or a child level."""

    position: int
    rows: list[dict[str, str]]
    level: str | None = None  # for child-level blocks


@dataclass
class _Part:
    """One adapted module inside the form, with its field and list names."""

    adapted: Adapted
    resolved: Resolved
    names: dict[str, str] = field(default_factory=dict)  # item id -> field name
    lists: dict[str, str] = field(default_factory=dict)  # code list id -> list name
    abbreviation: str = ""

    @property
    def module(self) -> Module:
        return self.adapted.module

    @property
    def params(self) -> dict[str, Any]:
        return self.adapted.params

    def location(self, question: str | None = None, variable: str | None = None) -> Location:
        return Location(module=self.module.ref, question=question, variable=variable)


class _FormBuilder:
    def __init__(self, adapted: list[Adapted], languages: list[str]):
        if not adapted:
            raise ValueError("no module to export")
        self.languages = languages
        self.parts = [
            _Part(
                a,
                Resolved(a, languages),
                abbreviation="".join(w[0] for w in a.module.id.split("-")),
            )
            for a in adapted
        ]
        self.findings: list[Finding] = []
        self.used_names: dict[str, str] = {}  # field name -> module ref using it
        self.levels: dict[str, tuple[Level, str]] = {}
        self.choices: list[dict[str, str]] = []
        self.list_content: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        self.after: dict[str, list[dict[str, str]]] = {}  # field name -> rows placed right after it
        # (part index, question) -> error rules placed on it, with their message and the index of
        # the part that wrote them (another part's rule on a shared question it leaves to this one)
        self.constraints: dict[tuple[int, str], list[tuple[Node, dict[str, str], int]]] = {}
        self.position = 0
        self.tables_read: dict[str, list[Table]] = {}  # pulldata() attachment name -> its tables
        self.attachments: dict[str, Table] = {}  # file name (exchange_rates.csv) -> its table
        self.sheets: Sheets = {}
        # A shared question (same origin module and id) is asked once, by the first part carrying it.
        self.asked_by = duplicates(
            [
                (
                    p.module,
                    [q.id for q in p.adapted.questions]
                    + [d.id for d in p.module.derived]
                    + [e.id for e in p.module.edits],
                )
                for p in self.parts
            ]
        )

    # columns ------------------------------------------------------------------------------------
    def columns(self) -> list[str]:
        cols = ["type", "name"]
        for column in ("label", "hint", "guidance_hint"):
            cols += [f"{column}::{language_column(lang)}" for lang in self.languages]
        cols += ["required", "relevant", "constraint"]
        cols += [f"constraint_message::{language_column(lang)}" for lang in self.languages]
        cols += ["appearance", "calculation", "repeat_count"]
        return cols

    def row(self, **values: Any) -> dict[str, str]:
        row = dict.fromkeys(self.columns(), "")
        for key, value in values.items():
            if isinstance(value, dict):  # per-language text
                for lang, text in value.items():
                    row[f"{key}::{language_column(lang)}"] = text
            elif value is not None:
                row[key] = str(value)
        return row

    def texts(self, part: _Part, text: dict[str, str] | None) -> dict[str, str]:
        return {lang: render(text, part.module, part.params, lang) for lang in self.languages}

    # names --------------------------------------------------------------------------------------
    def assign_names(self) -> None:
        for part in self.parts:
            for level in part.module.levels:
                known = self.levels.get(level.id)
                if known is None:
                    self.levels[level.id] = (level, part.module.ref)
                    self.used_names[level.id] = part.module.ref
                elif known[0].repeat != level.repeat:
                    raise MigmoduleError.of(
                        codes.XLSF_LEVEL_CONFLICT,
                        part.location(),
                        level=level.id,
                        first=known[1] if known[0].repeat else part.module.ref,
                        second=part.module.ref if known[0].repeat else known[1],
                    )
        self.used_names.setdefault(SOURCE_FIELD, "migmodule")
        for index, part in enumerate(self.parts):
            items = [q.id for q in part.adapted.questions] + [d.id for d in part.module.derived]
            for item in items:
                if (index, item) in self.asked_by:
                    part.names[item] = self.parts[self.asked_by[(index, item)]].names[item]
                    continue
                name = part.adapted.variable(item)
                if not NCNAME.match(name):
                    raise MigmoduleError.of(codes.XLSF_NAME, part.location(item, name), name=name)
                if name in self.used_names:
                    renamed = f"{name}_{part.abbreviation}"
                    counter = 2
                    while renamed in self.used_names:
                        renamed, counter = f"{name}_{part.abbreviation}{counter}", counter + 1
                    self.findings.append(
                        Finding.make(
                            codes.XLSF_NAME_CLASH,
                            part.location(item, name),
                            name=name,
                            module=part.module.ref,
                            other=self.used_names[name],
                            renamed=renamed,
                        )
                    )
                    name = renamed
                part.names[item] = name
                self.used_names[name] = part.module.ref

    # choices ------------------------------------------------------------------------------------
    def list_name(self, part: _Part, code_list: CodeList) -> str:
        if code_list.id in part.lists:
            return part.lists[code_list.id]
        content = self.choice_content(part, code_list)
        name = code_list.id
        counter = 1
        # Lists of the same name in several modules are shared when identical, renamed otherwise.
        while name in self.list_content and self.list_content[name] != content:
            name = f"{code_list.id}_{part.abbreviation}" + (str(counter) if counter > 1 else "")
            counter += 1
        if name not in self.list_content:
            self.list_content[name] = content
            for code, labels in content:
                self.choices.append(
                    {
                        "list_name": name,
                        "name": code,
                        **{
                            f"label::{language_column(lang)}": text
                            for lang, text in zip(self.languages, labels, strict=True)
                        },
                    }
                )
        part.lists[code_list.id] = name
        return name

    def choice_content(self, part: _Part, code_list: CodeList) -> list[tuple[str, tuple[str, ...]]]:
        """(code, labels per language) in the order the enumerator sees them (spec/resolve.py)."""
        resolved = part.resolved.codes(code_list)
        parameter = parameter_of(code_list)
        if parameter is not None and all(c.special is not None for c in resolved):
            raise MigmoduleError.of(
                codes.XLSF_EMPTY_LIST, part.location(), code_list=code_list.id, parameter=parameter
            )
        return [(str(c.code), tuple(c.label(lang) for lang in self.languages)) for c in resolved]

    # expressions --------------------------------------------------------------------------------
    def xpath(self, part: _Part, self_id: str | None = None, anchor: str | None = None) -> XPath:
        return _FormXPath(part.module, part.names, self_id, anchor, tables=self.tables_read)

    def missing_reference(self, part: _Part, rule: Node | str) -> str | None:
        for item in part.resolved.reads(rule):
            if item not in part.names:
                return item
        return None

    def tree(self, part: _Part, text: str) -> Node:
        return part.resolved.prepared(text)

    def number_hint(self, part: _Part, question: Question, hint: dict[str, str]) -> dict[str, str]:
        """A number question's hint, followed by the special codes it accepts (998 Don't know...):
        a required question otherwise gives no way forward when the answer is not known."""
        if question.type not in NUMBER_TYPES or not question.code_list:
            return hint
        code_list = part.module.code_list_by_id[question.code_list]
        specials = [c for c in code_list.codes if c.special is not None]
        if not specials:
            return hint
        shown = {}
        for lang in self.languages:
            listed = ", ".join(
                f"{c.code} ({render(c.label, part.module, part.params, lang)})" for c in specials
            )
            sentence = phrase(lang, "export.special_codes_hint", codes=listed)
            shown[lang] = f"{hint[lang]} {sentence}".strip() if hint.get(lang) else sentence
        return shown

    def range_parts(self, part: _Part, question: Question) -> tuple[list[Node], dict[str, str]]:
        """The range rule (as written, not yet folded), and the message that explains it in each language."""
        rule = part.resolved.range_rule(question, prepared=False)
        if rule is None:
            return [], {}
        shown: dict[str, str | None] = {}
        bounds = zip(("minimum", "maximum"), part.resolved.range_bound_trees(question), strict=True)
        for key, tree in bounds:
            if tree is not None:
                shown[key] = str(number(tree.value)) if isinstance(tree, Num) else None
        if None in shown.values():
            kind = "other"
        else:
            kind = "both" if len(shown) == 2 else next(iter(shown))
        messages = {lang: phrase(lang, f"export.range_{kind}", **shown) for lang in self.languages}
        return [rule], messages

    def place_edits(self) -> None:
        """Error edits -> constraints on their anchor question; warning edits -> notes after it."""
        for index, part in enumerate(self.parts):
            order = {q.id: i for i, q in enumerate(part.adapted.questions)}
            for edit in part.module.edits:
                if (index, edit.id) in self.asked_by:
                    continue  # a shared edit: placed once, by the part asking its questions
                rule = part.resolved.edit_rule(edit, prepared=False)
                missing = self.missing_reference(part, rule)
                if missing is not None:
                    self.findings.append(
                        Finding.make(
                            codes.XLSF_SKIPPED_RULE,
                            part.location(),
                            kind="edit",
                            item=edit.id,
                            missing=missing,
                        )
                    )
                    continue
                read = [
                    item
                    for item in part.resolved.reads(rule)
                    if item in order and part.module.question_by_id[item].level == edit.level
                ]
                if not read:
                    self.findings.append(
                        Finding.make(
                            codes.XLSF_EDIT_UNPLACED,
                            part.location(),
                            edit=edit.id,
                            level=edit.level,
                        )
                    )
                    continue
                anchor = max(read, key=order.__getitem__)
                if edit.severity == "error":
                    owner = self.asked_by.get((index, anchor), index)
                    self.constraints.setdefault((owner, anchor), []).append(
                        (rule, self.texts(part, edit.message), index)
                    )
                else:
                    note = self.warning_note(part, edit, rule)
                    if note is not None:
                        self.after.setdefault(part.names[anchor], []).append(note)

    def warning_note(self, part: _Part, edit: Edit, rule: Node) -> dict[str, str] | None:
        relevant = self.xpath(part).false_form(part.resolved.prepared(rule))
        if relevant == XPath.FALSE:  # switched off by a parameter: the edit can never fail
            return None
        name = f"check_{edit.id.lower()}"
        while name in self.used_names:
            name += "_"
        self.used_names[name] = part.module.ref
        labels = {
            lang: f"{phrase(lang, 'export.check_prefix')} {message}"
            for lang, message in self.texts(part, edit.message).items()
        }
        return self.row(type="note", name=name, label=labels, relevant=relevant)

    # rows ---------------------------------------------------------------------------------------
    def question_rows(self, index: int, part: _Part, question: Question) -> list[dict[str, str]]:
        module, name = part.module, part.names[question.id]
        if question.type in (
            QuestionType.SELECT_ONE,
            QuestionType.SELECT_MULTIPLE,
            QuestionType.COUNTRY,
        ):
            code_list = module.code_list_by_id[question.code_list]
            kind = (
                "select_multiple" if question.type is QuestionType.SELECT_MULTIPLE else "select_one"
            )
            form_type = f"{kind} {self.list_name(part, code_list)}"
            searchable = (
                question.type is QuestionType.COUNTRY or code_list.source == COUNTRIES_SOURCE
            )
            appearance = "autocomplete" if searchable else ""
        else:
            form_type, appearance = QUESTION_TYPES[question.type], ""
        relevant = ""
        if question.universe:
            missing = self.missing_reference(part, question.universe)
            if missing is not None:
                raise MigmoduleError.of(
                    codes.XLSF_UNIVERSE_REF,
                    part.location(question.id, name),
                    question=question.id,
                    missing=missing,
                )
            relevant = self.xpath(part).true_form(self.tree(part, question.universe))
            relevant = "" if relevant == XPath.TRUE else relevant
        checks, messages = self.range_parts(part, question)
        message_parts = [messages] if messages else []
        if question.constraint:
            checks.append(part.resolved.constraint_rule(question, prepared=False))
            message_parts.append(
                self.texts(part, question.constraint_message)
                if question.constraint_message
                else {lang: phrase(lang, "export.range_other") for lang in self.languages}
            )
        foreign: list[str] = []  # rules of other parts on a shared question this part asks
        for rule, message, writer in self.constraints.get((index, question.id), []):
            if writer == index:
                checks.append(rule)
            else:
                other = self.parts[writer]
                xpath = self.xpath(other, question.id, anchor=question.id)
                failed = xpath.false_form(other.resolved.conjunction([rule]))
                if failed == XPath.FALSE:
                    continue
                foreign.append(failed)
            message_parts.append(message)
        constraint, constraint_message = "", {}
        if checks or foreign:
            false_form = XPath.FALSE
            if checks:
                tree = part.resolved.conjunction(checks)
                false_form = self.xpath(part, question.id, anchor=question.id).false_form(tree)
            forms = [f for f in (false_form, *foreign) if f != XPath.FALSE]
            false_form = (
                " or ".join(f"({f})" for f in forms)
                if len(forms) > 1
                else (forms[0] if forms else XPath.FALSE)
            )
            if false_form != XPath.FALSE:
                constraint = f"not({false_form})"
                constraint_message = {
                    lang: " ".join(dict.fromkeys(m[lang] for m in message_parts))
                    for lang in self.languages
                }
        row = self.row(
            type=form_type,
            name=name,
            label=self.texts(part, question.label),
            hint=self.number_hint(part, question, self.texts(part, question.hint)),
            guidance_hint=self.texts(part, question.instructions),
            required="yes" if question.required else "",
            relevant=relevant,
            constraint=constraint,
            constraint_message=constraint_message,
            appearance=appearance,
        )
        return [row, *self.after.get(name, [])]

    def derived_rows(self, part: _Part, derived: Derived) -> list[dict[str, str]]:
        texts = [derived.expression or "", derived.when or ""] + [
            c.when or "" for c in derived.cases or []
        ]
        for text in filter(None, texts):
            missing = self.missing_reference(part, text)
            if missing is not None:
                self.findings.append(
                    Finding.make(
                        codes.XLSF_SKIPPED_RULE,
                        part.location(derived.id),
                        kind="derived variable",
                        item=derived.id,
                        missing=missing,
                    )
                )
                return []
        xpath = self.xpath(part)
        if derived.cases is not None:
            calculation = xpath.cases(
                [(self.tree(part, c.when) if c.when else None, c.value) for c in derived.cases]
            )
        else:
            when = self.tree(part, derived.when) if derived.when else None
            calculation = xpath.expression_value(self.tree(part, derived.expression), when)
        return [self.row(type="calculate", name=part.names[derived.id], calculation=calculation)]

    # structure ----------------------------------------------------------------------------------
    def entries(self) -> dict[str | None, list[_Entry]]:
        """Rows per level (None: the form body) in interview order, child levels as blocks."""
        by_level: dict[str, list[_Entry]] = {}
        for index, part in enumerate(self.parts):
            for question in part.adapted.questions:
                if (index, question.id) in self.asked_by:
                    continue  # a shared question another part already asks
                self.position += 1
                by_level.setdefault(question.level, []).append(
                    _Entry(self.position, self.question_rows(index, part, question))
                )
            for derived in part.module.derived:
                if derived.id in part.names and (index, derived.id) not in self.asked_by:
                    self.position += 1
                    by_level.setdefault(derived.level, []).append(
                        _Entry(self.position, self.derived_rows(part, derived))
                    )
        tree: dict[str | None, list[_Entry]] = {}
        # Nest each level's block under its parent, deepest levels first.
        for level_id in sorted(self.levels, key=lambda lv: -self.depth(lv)):
            own = by_level.get(level_id, []) + tree.pop(level_id, [])
            if not own:
                continue
            own.sort(key=lambda e: e.position)
            level = self.levels[level_id][0]
            parent = level.parent if level.parent in self.levels else None
            tree.setdefault(parent, []).append(
                _Entry(own[0].position, self.block(level, own), level_id)
            )
        return tree

    def depth(self, level_id: str) -> int:
        depth, level = 0, self.levels[level_id][0]
        while level.parent in self.levels and depth < len(self.levels):
            depth, level = depth + 1, self.levels[level.parent][0]
        return depth

    def block(self, level: Level, entries: list[_Entry]) -> list[dict[str, str]]:
        rows = [row for entry in entries for row in entry.rows]
        part = next(p for p in self.parts if level.id in p.module.level_by_id)
        if not level.repeat and (level.parent is None or level.parent not in self.levels):
            return rows  # the top level is the body of the form
        label = self.texts(part, level.label)
        if not level.repeat:
            return [
                self.row(type="begin_group", name=level.id, label=label),
                *rows,
                self.row(type="end_group", name=level.id),
            ]
        count = ""
        if level.count:
            owner = next((p for p in self.parts if level.count in p.names), None)
            count = "${" + owner.names[level.count] + "}" if owner else ""
        return [
            self.row(type="begin_repeat", name=level.id, label=label, repeat_count=count),
            *rows,
            self.row(type="end_repeat", name=level.id),
        ]

    def build(self) -> Sheets:
        self.assign_names()
        self.place_edits()
        tree = self.entries()
        body = [
            row
            for entry in sorted(tree.get(None, []), key=lambda e: e.position)
            for row in entry.rows
        ]
        source = self.source_text()
        body.append(self.row(type="calculate", name=SOURCE_FIELD, calculation=f"'{source}'"))
        modules = [p.module for p in self.parts]
        first = self.languages[0]
        title = " + ".join(text_in(m.title, first) for m in modules)
        settings = {
            "form_title": f"{title} ({', '.join(m.ref for m in modules)})",
            "form_id": "_".join(
                f"{m.id}_{m.version}".replace("-", "_").replace(".", "_") for m in modules
            ),
            "version": "",
            "default_language": language_column(first),
        }
        sheets: Sheets = {"survey": body, "choices": self.choices, "settings": [settings]}
        settings["version"] = form_version(modules, sheets)
        self.attachments = self.media(body)
        sheets["migmodule"] = [
            {"key": "modules", "value": " ".join(m.ref for m in modules)},
            {"key": "profile", "value": self.parts[0].adapted.profile_name},
            {"key": "languages", "value": ",".join(self.languages)},
            {
                "key": "country",
                "value": ", ".join(sorted({str(p.params.get("COUNTRY", "")) for p in self.parts})),
            },
            {
                "key": "note",
                "value": "Generated by migmodule from the module specs; change the spec or the "
                "profile and export again rather than editing this file.",
            },
        ]
        if self.attachments:
            sheets["migmodule"].append(
                {
                    "key": "media",
                    "value": f"{', '.join(self.attachments)}: {MEDIA_NOTE}",
                }
            )
        return sheets

    def media(self, body: list[dict[str, str]]) -> dict[str, Table]:
        """The tables the written form reads with pulldata(), by attachment file name.

        A look-up compiled into a branch that was then dropped is not in the form and needs no
        file; two different tables under one attachment name cannot both be attached."""
        cells = [value for row in body for value in row.values()]
        found: dict[str, Table] = {}
        for name, tables in sorted(self.tables_read.items()):
            if not any(f"pulldata('{name}'," in cell for cell in cells):
                continue
            first = tables[0]
            other = next((t for t in tables if dict(t.rows) != dict(first.rows)), None)
            if other is not None:
                raise MigmoduleError.of(
                    codes.XLSF_TABLE_CLASH,
                    Location(module=", ".join(p.module.ref for p in self.parts)),
                    parameter=first.name,
                    file=f"{name}.csv",
                )
            found[f"{name}.csv"] = first
        return found

    def source_text(self) -> str:
        refs = " ".join(p.module.ref for p in self.parts)
        note = self.parts[0].adapted.profile_note.replace("'", "").replace('"', "")
        return f"{refs} {note}"


def form_version(modules: list[Module], sheets: Sheets) -> str:
    """Module versions plus a fingerprint of the form, e.g. `1.0.0-3fa2b1c4`.

    ODK Central needs a new version string whenever the form changes; a national adaptation
    (country, parameters, languages) changes the form without changing the module version, so the
    fingerprint of the sheets' content is added. The same input always gives the same version.
    """
    content = json.dumps(
        {k: sheets[k] for k in ("survey", "choices")}, sort_keys=True, ensure_ascii=False
    )
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:8]
    return "_".join(m.version for m in modules) + "-" + digest


def _built(adapted: list[Adapted], languages: list[str] | None) -> _FormBuilder:
    languages = languages or adapted[0].languages
    builder = _FormBuilder(adapted, list(dict.fromkeys(languages)))
    builder.sheets = builder.build()
    return builder


def build_xlsform(
    adapted: list[Adapted], languages: list[str] | None = None
) -> tuple[Sheets, list[Finding]]:
    """The form as sheets of rows (every row has every column, blank cells as ""), and findings."""
    builder = _built(adapted, languages)
    return builder.sheets, builder.findings


def pyxform_input(sheets: Sheets) -> dict[str, Any]:
    """The sheets as pyxform's `convert` reads a workbook: blank cells left out, headers given."""
    data: dict[str, Any] = {}
    for name in ("survey", "choices", "settings"):
        rows = sheets.get(name, [])
        if not rows:
            continue
        data[name] = [{k: v for k, v in row.items() if v != ""} for row in rows]
        data[f"{name}_header"] = [dict.fromkeys(rows[0])]
    return data


def convert_sheets(
    sheets: Sheets | str | Path, validate: bool = False, modules: str = "the form"
) -> list[Finding]:
    """Run pyxform (and ODK Validate if asked); warnings become findings, errors are raised."""
    from pyxform.errors import PyXFormError
    from pyxform.validators.odk_validate import ODKValidateError
    from pyxform.xls2xform import convert

    source = pyxform_input(sheets) if isinstance(sheets, dict) else str(sheets)
    warnings: list[str] = []
    try:
        convert(source, warnings=warnings, validate=validate)
    except PyXFormError as exc:
        raise MigmoduleError.of(
            codes.XLSF_CONVERT, Location(module=modules), modules=modules, reason=str(exc)
        ) from None
    except ODKValidateError as exc:
        raise MigmoduleError.of(
            codes.XLSF_VALIDATE, Location(module=modules), modules=modules, reason=str(exc).strip()
        ) from None
    except OSError as exc:  # Java not found: pyxform raises OSError with its own explanation
        raise MigmoduleError.of(
            codes.XLSF_VALIDATE, Location(module=modules), modules=modules, reason=str(exc)
        ) from None
    return [
        Finding.make(codes.XLSF_PYXFORM_WARNING, Location(module=modules), warning=w.strip())
        for w in warnings
        if w.strip()
    ]


# Fixed timestamps make the workbook byte-identical from run to run (the regenerated xlsforms/).
_FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_FIXED_DOC_TIME = "2000-01-01T00:00:00Z"


def xlsx_bytes(sheets: Sheets) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from migmodule.escape import xlsx_literals, xlsx_value

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name in SHEET_ORDER:
        rows = sheets.get(name)
        if rows is None:
            continue
        sheet = workbook.create_sheet(name)
        header = list(rows[0]) if rows else []
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([xlsx_value(row.get(column) or None) for column in header])
        sheet.freeze_panes = "A2"
    workbook.properties.creator = "migmodule"
    xlsx_literals(workbook)  # a label starting with '=' stays a label
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalise_zip(buffer.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the .xlsx zip with fixed entry times and fixed document dates."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + _FIXED_DOC_TIME.encode() + rb"\g<3>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


def write_xlsx(sheets: Sheets, path: str | Path) -> Path:
    data = xlsx_bytes(sheets)
    with atomic_path(path) as temp:
        temp.write_bytes(data)
    return Path(path)


def export_xlsform(
    adapted: list[Adapted],
    out_path: str | Path,
    *,
    languages: list[str] | None = None,
    validate: bool = False,
) -> ExportResult:
    """Build the form, check it with pyxform (and ODK Validate if asked), write the .xlsx atomically,
    and beside it the CSV of each table the form reads with pulldata() (its media attachments)."""
    builder = _built(adapted, languages)
    sheets, findings = builder.sheets, builder.findings
    modules = ", ".join(a.module.ref for a in adapted)
    findings += convert_sheets(sheets, validate=validate, modules=modules)
    media = {Path(out_path).parent / name: table for name, table in builder.attachments.items()}
    for path in media:  # a CSV that cannot be written stops the export before the form is written
        check_writable(path)
    paths = [write_xlsx(sheets, out_path)]
    for path, table in media.items():
        write_text(path, pulldata_csv(table))
        paths.append(path)
    if builder.attachments:
        findings.append(
            Finding.make(
                codes.XLSF_MEDIA,
                Location(module=modules),
                files=", ".join(builder.attachments),
            )
        )
    return ExportResult(paths, findings)
