"""Authoring defects of a national form met while comparing it: conditions that are always or
never true, comparisons with codes that are not choices, label columns shifted between
languages, choices without labels."""

from __future__ import annotations

from migmodule.codes import Finding, Location
from migmodule.compare.codes import (
    ALWAYS_TRUE,
    CHOICE_WITHOUT_LABEL,
    LABELS_SHIFTED,
    NEVER_TRUE,
    NOT_A_CHOICE,
    UNREADABLE_LOGIC,
)
from migmodule.compare.form import FormQuestion, NationalForm
from migmodule.compare.xpath import (
    LogicError,
    Node,
    literals_of,
    outcomes,
    parse_cspro,
    parse_xpath,
)
from migmodule.i18n import Joined, Phrase

MAX_SHOWN_CHOICES = 6


def parse_relevant(question: FormQuestion) -> Node | None:
    """The question's own condition as a tree (None when it has none); LogicError if unread."""
    if not question.relevant:
        return None
    if question.relevant_syntax == "cspro":
        return parse_cspro(question.relevant)
    return parse_xpath(question.relevant)


def candidates_for(form: NationalForm, tree: Node):
    """Candidate answers per variable: its choice codes and the literals the tree compares it with."""
    literals = literals_of(tree)

    def candidates(name: str) -> list[str]:
        codes = form.codes_of(name)
        if codes and len(codes) <= 30:  # a choice list: the answer is one of its choices
            return list(codes)
        shown = codes[:3] or ["0", "1", "7", "99"]  # a number or text: a few to compare and add
        return [*shown, *sorted(literals.get(name, ()))]

    return candidates


def _location(form: NationalForm, question: FormQuestion) -> Location:
    return Location(file=form.name, line=question.row, variable=question.name)


def logic_defects(form: NationalForm) -> list[Finding]:
    findings: list[Finding] = []
    for question in form.questions.values():
        try:
            tree = parse_relevant(question)
        except LogicError as exc:
            findings.append(
                Finding.make(
                    UNREADABLE_LOGIC,
                    _location(form, question),
                    column="relevant",
                    variable=question.name,
                    reason=exc.reason,
                    expression=question.relevant,
                )
            )
            continue
        if tree is None:
            continue
        findings += _constant_conditions(form, question, tree)
        findings += _codes_not_choices(form, question, tree)
    return findings


def _constant_conditions(form: NationalForm, question: FormQuestion, tree: Node) -> list[Finding]:
    candidates = candidates_for(form, tree)
    found = outcomes(tree, candidates)
    location = _location(form, question)
    common = {"column": "relevant", "variable": question.name}
    if found is not None and found[0] == {False}:
        return [
            Finding.make(
                NEVER_TRUE,
                location,
                **common,
                expression=question.relevant,
                detail=_detail(form, tree),
            )
        ]
    if found is not None and found[0] == {True}:
        return [
            Finding.make(ALWAYS_TRUE, location, **common, expression=question.relevant, detail="")
        ]
    # an `or` inside that can never be false (x != '98' or x != '99')
    for node in tree.walk():
        if node.kind != "or":
            continue
        inner = outcomes(node, candidates)
        if inner is not None and inner[0] == {True}:
            return [Finding.make(ALWAYS_TRUE, location, **common, expression=node.text, detail="")]
    return []


def _detail(form: NationalForm, tree: Node) -> str:
    shown = []
    for name in tree.variables():
        codes = form.codes_of(name)
        if codes:
            shown.append(
                Phrase(
                    "compare.logic.one_of", name=name, codes=", ".join(codes[:MAX_SHOWN_CHOICES])
                )
            )
    return Joined("", [" (", Joined("; ", shown), ")"]) if shown else ""


def _codes_not_choices(form: NationalForm, question: FormQuestion, tree: Node) -> list[Finding]:
    findings = []
    seen: set[tuple[str, str]] = set()
    for node in tree.walk():
        pairs = []
        if node.kind == "cmp" and node.args[0] in ("==", "!="):
            pairs = [(node.args[1], node.args[2]), (node.args[2], node.args[1])]
        elif node.kind == "call" and node.args[0] == "selected" and len(node.args) == 3:
            pairs = [(node.args[1], node.args[2])]
        for subject, literal in pairs:
            if subject.kind != "var" or literal.kind != "str" or literal.args[0] == "":
                continue
            other = form.questions.get(subject.args[0])
            codes = form.codes_of(subject.args[0])
            if other is None or not other.list_name or not codes or literal.args[0] in codes:
                continue
            if (subject.args[0], literal.args[0]) in seen:
                continue
            seen.add((subject.args[0], literal.args[0]))
            findings.append(
                Finding.make(
                    NOT_A_CHOICE,
                    _location(form, question),
                    column="relevant",
                    variable=question.name,
                    other=subject.args[0],
                    code=literal.args[0],
                    list_name=other.list_name,
                    choices=", ".join(codes[:MAX_SHOWN_CHOICES])
                    + (" ..." if len(codes) > MAX_SHOWN_CHOICES else ""),
                )
            )
    return findings


def label_defects(form: NationalForm) -> list[Finding]:
    findings: list[Finding] = []
    for sheet in ("survey", "choices"):
        rows = form.sheets.get(sheet) or []
        columns = list(rows[0].keys()) if rows else []
        languages = [c for c in columns if str(c).startswith("label::")]
        if "label" not in columns or not languages:
            continue
        for filled, empty in (("label", languages), (languages, "label")):
            filled_columns = [filled] if isinstance(filled, str) else filled
            empty_columns = [empty] if isinstance(empty, str) else empty
            shifted = [
                row
                for row in rows
                if any(str(row.get(c) or "").strip() for c in filled_columns)
                and not any(str(row.get(c) or "").strip() for c in empty_columns)
            ]
            if shifted:
                example = shifted[0].get("name") or str(shifted[0].get(filled_columns[0]))[:40]
                findings.append(
                    Finding.make(
                        LABELS_SHIFTED,
                        Location(file=form.name),
                        sheet=sheet,
                        count=len(shifted),
                        filled=", ".join(filled_columns),
                        empty=", ".join(empty_columns),
                        example=example,
                    )
                )
    for row in form.sheets.get("choices") or []:
        list_name = str(row.get("list_name") or row.get("list name") or "").strip()
        name = str(row.get("name") or "").strip()
        if not list_name or not name:
            continue
        labels = [v for k, v in row.items() if str(k).startswith("label") and str(v or "").strip()]
        if not labels:
            findings.append(
                Finding.make(
                    CHOICE_WITHOUT_LABEL,
                    Location(file=form.name, variable=list_name),
                    choice=name,
                    list_name=list_name,
                )
            )
    return findings


def form_defects(form: NationalForm) -> list[Finding]:
    """Every authoring defect found in the form."""
    return logic_defects(form) + label_defects(form)
