"""A national form as `compare` reads it: the matcher's items, and for each item its type, choice
list, skip logic (`relevant` or CSPro `ask if`), constraint and choice filter, plus the raw
label columns (to find shifted or missing labels).

Items come from the matcher's readers (`migmodule.matching.sources`): one reader per format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migmodule.codes import Location, MigmoduleError
from migmodule.compare.codes import FORM_FORMAT
from migmodule.compare.xpath import LogicError, conjuncts, parse_xpath
from migmodule.matching import Item, items_from_data, read_codebook, with_codebook
from migmodule.matching.sources import xlsform_choices, xlsform_items, xlsform_sheets

DATA_SUFFIXES = (".sav", ".dta", ".zsav", ".por")
FORM_SUFFIXES = (".xlsx", ".xls", ".csv", ".dcf", ".xml", ".apc", *DATA_SUFFIXES)


@dataclass
class FormQuestion:
    """One national question with its logic, in the form's own syntax."""

    name: str
    type: str = ""
    list_name: str | None = None
    relevant: str = ""
    relevant_syntax: str = "xpath"  # or "cspro" (ask if from an .apc)
    group_relevants: list[str] = field(default_factory=list)  # enclosing groups, outer first
    constraint: str = ""
    choice_filter: str = ""
    group: str = ""  # group path
    row: int | None = None  # survey sheet row (1 = header)
    universe_text: str = ""  # a universe in words (DDI `<universe>`), not logic


@dataclass
class NationalForm:
    paths: list[Path]
    kind: str  # xlsform, cspro, ddi, data
    items: list[Item]
    questions: dict[str, FormQuestion] = field(default_factory=dict)
    choices: dict[str, dict[str, dict[Any, str]]] = field(default_factory=dict)
    sheets: dict[str, list[dict]] = field(default_factory=dict)
    gate_conditions: set[str] = field(default_factory=set)  # parts of form-wide group conditions

    @property
    def has_logic(self) -> bool:
        """An XLSForm, or a dictionary given with its application logic."""
        return self.kind == "xlsform" or any(p.suffix.lower() == ".apc" for p in self.paths)

    @property
    def name(self) -> str:
        return ", ".join(path.name for path in self.paths)

    def codes_of(self, name: str) -> list[str]:
        """The choice names (codes) of a question's list, as text."""
        question = self.questions.get(name)
        if question is not None and question.list_name in self.choices:
            codes: list[str] = []
            for labels in self.choices[question.list_name].values():
                codes += [str(c) for c in labels if str(c) not in codes]
            return codes
        item = next((i for i in self.items if i.name == name), None)
        if item is None:
            return []
        return [str(code) for code in item.first_value_labels()]


def _is_survey_csv(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline().lower()
    except (OSError, UnicodeDecodeError):
        return False
    columns = [c.strip().strip('"') for c in header.split(",")]
    return "type" in columns and "name" in columns


def read_form(paths: list[str | Path]) -> NationalForm:
    """Read one national form from its file(s): an XLSForm (.xlsx/.xls, or survey + choices
    CSV), a CSPro dictionary (+ .apc logic), a DDI codebook (+ .sav/.dta), or a labelled data file."""
    files = [Path(p) for p in paths]
    for path in files:
        if path.suffix.lower() not in FORM_SUFFIXES:
            raise MigmoduleError.of(
                FORM_FORMAT, Location(file=str(path)), path=path, suffix=path.suffix
            )
    by_suffix: dict[str, list[Path]] = {}
    for path in files:
        by_suffix.setdefault(path.suffix.lower(), []).append(path)
    xlsforms = by_suffix.get(".xlsx", []) + by_suffix.get(".xls", [])
    csvs = by_suffix.get(".csv", [])
    if xlsforms or csvs:
        if xlsforms:
            sheets = xlsform_sheets(xlsforms[0])
        else:
            surveys = [p for p in csvs if _is_survey_csv(p)] or csvs
            others = [p for p in csvs if p != surveys[0]]
            sheets = xlsform_sheets(surveys[0], others[0] if others else None)
        return _from_sheets(files, sheets)
    codebooks = by_suffix.get(".dcf", []) + by_suffix.get(".xml", [])
    data = [p for s in DATA_SUFFIXES for p in by_suffix.get(s, [])]
    items: list[Item] = []
    if codebooks:
        items = read_codebook(codebooks[0])
    if data:
        data_items = items_from_data(data[0])
        items = with_codebook(data_items, items) if items else data_items
    kind = "cspro" if by_suffix.get(".dcf") else "ddi" if by_suffix.get(".xml") else "data"
    form = NationalForm(files, kind, items)
    for item in items:
        form.questions[item.name] = FormQuestion(item.name, item.type, group=item.group)
    for apc in by_suffix.get(".apc", []):
        _read_apc(form, apc)
    for xml in by_suffix.get(".xml", []):
        _read_ddi_universes(form, xml)
    return form


def _read_ddi_universes(form: NationalForm, path: Path) -> None:
    """`<universe>` of each DDI `<var>`: words, shown as evidence (not compared as logic)."""
    from lxml import etree

    try:
        root = etree.parse(
            str(path), etree.XMLParser(resolve_entities=False, no_network=True)
        ).getroot()
    except (etree.XMLSyntaxError, OSError):
        return  # read_codebook has already reported an unreadable file
    for var in root.iter("{*}var"):
        name = var.get("name", "")
        texts = [" ".join("".join(u.itertext()).split()) for u in var.iter("{*}universe")]
        if name in form.questions and any(texts):
            form.questions[name].universe_text = "; ".join(t for t in texts if t)


def _from_sheets(files: list[Path], sheets: dict[str, list[dict]]) -> NationalForm:
    form = NationalForm(files, "xlsform", xlsform_items(sheets), sheets=sheets)
    form.choices = xlsform_choices(sheets)
    groups: list[tuple[str, str, int]] = []  # (name, relevant, questions inside)
    sizes: dict[int, int] = {}
    opened: list[int] = []
    closed: list[tuple[str, int]] = []
    total = 0
    for number, row in enumerate(sheets["survey"], start=2):
        kind = " ".join(str(row.get("type") or "").split())
        lowered = kind.lower().replace("_", " ")
        name = str(row.get("name") or "").strip()
        if lowered in ("begin group", "begin repeat"):
            groups.append((name, str(row.get("relevant") or "").strip(), number))
            opened.append(number)
            sizes[number] = 0
            continue
        if lowered in ("end group", "end repeat"):
            if groups:
                _, relevant, start = groups.pop()
                opened.pop()
                closed.append((relevant, sizes[start]))
            continue
        if not name:
            continue
        total += 1
        for start in opened:
            sizes[start] += 1
        parts = kind.split()
        list_name = None
        if parts and parts[0].startswith(("select_one", "select_multiple")) and len(parts) > 1:
            list_name = parts[1]  # for *_from_file: the external file, which is not read
        form.questions.setdefault(
            name,
            FormQuestion(
                name,
                parts[0] if parts else "",
                list_name,
                str(row.get("relevant") or "").strip(),
                "xpath",
                [g[1] for g in groups if g[1]],
                str(row.get("constraint") or "").strip(),
                str(row.get("choice_filter") or "").strip(),
                "/".join(g[0] for g in groups),
                number,
            ),
        )
    # A group condition over a large part of the form (consent, interview done) is a gate of
    # the whole interview, not a universe.
    for relevant, size in closed:
        if relevant and total and size >= 0.3 * total:
            form.gate_conditions |= _gate_parts(relevant)
    return form


def _gate_parts(relevant: str) -> set[str]:
    try:
        return {normal_condition(part.text) for part in conjuncts(parse_xpath(relevant))}
    except LogicError:
        return {normal_condition(relevant)}


def normal_condition(text: str) -> str:
    return " ".join(text.replace('"', "'").split())


_PROC = re.compile(r"^\s*PROC\s+([A-Za-z_][A-Za-z0-9_]*)", re.I | re.M)
_ASK_IF = re.compile(r"\bask\s+if\s+(.+?);", re.I | re.S)


def _read_apc(form: NationalForm, path: Path) -> None:
    """`PROC NAME ... ask if COND;` blocks of a CSPro application's logic: the universe of NAME."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    blocks = list(_PROC.finditer(text))
    for index, block in enumerate(blocks):
        end = blocks[index + 1].start() if index + 1 < len(blocks) else len(text)
        found = _ASK_IF.search(text, block.end(), end)
        name = block.group(1)
        if found and name in form.questions:
            form.questions[name].relevant = " ".join(found.group(1).split())
            form.questions[name].relevant_syntax = "cspro"
