"""The handout as one document model, built from Adapted modules in one language.

Every renderer (HTML, DOCX, Markdown, PDF) draws this model and nothing else, so the formats say
the same thing. All text here is final: module text rendered in the handout language with
placeholders filled, template words from the catalogue (i18n/<lang>.yaml, handout:).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from migmodule import __version__
from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.countries import THIS_COUNTRY_PLACEHOLDER, country_name
from migmodule.expr.ast import Bool, Node, Num, Unary
from migmodule.expr.semantics import referenced
from migmodule.expr.sentence import Sentence
from migmodule.handout import codes
from migmodule.handout.diagram import Diagram, build_diagrams
from migmodule.handout.exercises import redate, year_shift
from migmodule.handout.i18n import word
from migmodule.handout.routing import Route, entry_routes, folded, is_never, routes, universe_tree
from migmodule.i18n import block
from migmodule.profile import Adapted
from migmodule.spec.model import CodeList, Module, Question, QuestionType
from migmodule.spec.resolve import COUNTRIES_SOURCE, Resolved
from migmodule.spec.resolve import number as as_number
from migmodule.spec.shared import duplicates
from migmodule.spec.text import fill, text_in

LONG_LIST = 15  # code lists longer than this go to an appendix instead of the question block
COMPACT_LIST = 30  # appendix tables longer than this are laid out in several columns
# A source whose citation says this is the project's own unpublished material; a trainer's
# handout cites only what a participant can look up.
INTERNAL_MARKERS = ("working document",)


@dataclass(frozen=True)
class CodeRow:
    code: str
    label: str
    special: bool = False  # a missing-value code (don't know, not stated...)


@dataclass(frozen=True)
class CodeTable:
    letter: str
    title: str
    rows: list[CodeRow]

    @property
    def compact(self) -> bool:
        return len(self.rows) > COMPACT_LIST


@dataclass(frozen=True)
class EditNote:
    id: str
    severity: str  # translated "error" / "warning"
    message: str
    applies: str | None  # "Checked for persons whose ..."
    expected: str  # "Expected: ..."


@dataclass(frozen=True)
class QuestionBlock:
    number: int
    tag: str  # "Q3"
    id: str
    variable: str
    label: str
    facts: list[tuple[str, str]]  # (heading, value): variable, type of answer, status
    hint: str
    categories: list[CodeRow]
    categories_note: str  # "Full list in Appendix A ...", or ""
    range_text: str
    universe: str
    next_steps: list[str]
    definition: str
    instructions: str
    mistakes: list[str]
    edits: list[EditNote]
    sources: list[str]
    skip: str = ""  # the routes in one line: "1 Yes → Q7 · 2 No, 8 Don't know → Q9"


@dataclass(frozen=True)
class LevelSection:
    level: str
    heading: str
    questions: list[QuestionBlock]
    diagram: Diagram
    entry_steps: list[str] = field(default_factory=list)  # when the first question may not apply
    diagrams: list[Diagram] = field(default_factory=list)  # a long level in several parts


@dataclass(frozen=True)
class ExerciseBlock:
    heading: str
    situation: str
    answers: list[tuple[str, str]]  # (question, expected answer)
    explanation: str


@dataclass(frozen=True)
class ModulePart:
    ref: str
    title: str
    description: str
    facts: list[tuple[str, str]]  # title page rows
    sources: list[str]
    purpose: str
    changes: str
    concepts: list[tuple[str, str]]  # (term, definition)
    sections: list[LevelSection]
    appendices: list[CodeTable]
    exercises: list[ExerciseBlock]
    footer: str


@dataclass
class Handout:
    lang: str
    title: str
    generated: dt.date
    parts: list[ModulePart]
    footer: str
    findings: list[Finding] = field(default_factory=list)
    audience: str = "trainer"  # "participant": exercise answers only in the answer key

    @property
    def answers_inline(self) -> bool:
        return self.audience == "trainer"

    def word(self, key: str, **values: Any) -> str:
        return word(self.lang, key, **values)


class _Texts:
    """Module text in the handout language; a missing translation is shown in English and reported."""

    def __init__(self, module: Module, params: dict[str, Any], lang: str, findings: list[Finding]):
        self.module, self.params, self.lang, self.findings = module, params, lang, findings

    def __call__(self, value: dict[str, str] | None, element: str) -> str:
        if not value:
            return ""
        if not value.get(self.lang):
            self.findings.append(
                Finding.make(
                    codes.MISSING_TEXT,
                    Location(module=self.module.ref, language=self.lang),
                    module=self.module.ref,
                    element=element,
                    lang=self.lang,
                )
            )
        return fill(text_in(value, self.lang), self.module, self.params, self.lang)


class _PartBuilder:
    """Builds the part of the handout for one adapted module."""

    def __init__(
        self,
        adapted: Adapted,
        lang: str,
        national: bool,
        generated: dt.date,
        findings: list[Finding],
        asked_elsewhere: frozenset[str] = frozenset(),
    ):
        self.adapted = adapted
        self.module = adapted.module
        self.params = adapted.params
        self.lang = lang
        self.national = national
        self.generated = generated
        self.text = _Texts(self.module, self.params, lang, findings)
        self.sentence = Sentence(self.module, lang, self.params)
        # A shared question an earlier part already asks is described there, once.
        self.questions = [q for q in adapted.questions if q.id not in asked_elsewhere]
        self.resolved = Resolved(adapted, [lang])
        prefix = self.w("question_prefix")
        self.tags = {q.id: f"{prefix}{n}" for n, q in enumerate(self.questions, start=1)}
        self.appendix_of: dict[str, CodeTable] = {}
        self.internal_sources = {
            s.id
            for s in self.module.sources
            if any(marker in s.citation.lower() for marker in INTERNAL_MARKERS)
        }

    def w(self, key: str, **values: Any) -> str:
        return word(self.lang, key, **values)

    # Title page -----------------------------------------------------------------------------
    def facts(self) -> list[tuple[str, str]]:
        module = self.module
        rows = [
            (self.w("module"), module.id),
            (self.w("version"), module.version),
            (self.w("status"), self.w(f"status_{module.status.value}")),
        ]
        if self.national:
            rows.append((self.w("profile"), self.adapted.profile_name))
            country = self.params.get("COUNTRY")
            if country is not None and country != THIS_COUNTRY_PLACEHOLDER:
                rows.append(
                    (
                        self.w("country"),
                        country_name(country, self.lang, in_sentence=True) or str(country),
                    )
                )
            if self.params.get("REF_DATE"):
                rows.append((self.w("reference_date"), str(self.params["REF_DATE"])))
        else:
            rows.append((self.w("profile"), self.w("generic")))
        rows.append((self.w("generated"), self.generated.isoformat()))
        return rows

    def sources(self) -> list[str]:
        """The module's published sources (working documents of the project are not cited)."""
        return [
            f"{s.id}: {s.citation}" + (f" <{s.url}>" if s.url else "")
            for s in self.module.sources
            if s.id not in self.internal_sources
        ]

    # Code lists ------------------------------------------------------------------------------
    def code_rows(self, code_list: CodeList) -> list[CodeRow]:
        """Every code of the list in the order of spec/resolve.py (the forms' order)."""
        return [
            CodeRow(
                str(c.code),
                self.text(c.text, f"code {c.code} of list {code_list.id}")
                if c.origin == "listed"
                else c.label(self.lang),
                c.missing,
            )
            for c in self.resolved.codes(code_list, self.lang)
        ]

    def appendix(self, code_list: CodeList, rows: list[CodeRow]) -> CodeTable:
        if code_list.id not in self.appendix_of:
            letter = (
                chr(ord("A") + len(self.appendix_of))
                if len(self.appendix_of) < 26
                else str(len(self.appendix_of) + 1)
            )
            if code_list.label:
                title = self.text(code_list.label, f"label of code list {code_list.id}")
            elif code_list.source == COUNTRIES_SOURCE:
                title = self.w("countries_list")
            else:
                users = [self.tags[q.id] for q in self.questions if q.code_list == code_list.id]
                title = self.w("codes_of", questions=", ".join(users))
            self.appendix_of[code_list.id] = CodeTable(letter, title, rows)
        return self.appendix_of[code_list.id]

    def categories(self, question: Question) -> tuple[list[CodeRow], str]:
        if not question.code_list or question.code_list not in self.module.code_list_by_id:
            return [], ""
        code_list = self.module.code_list_by_id[question.code_list]
        rows = self.code_rows(code_list)
        if len(rows) <= LONG_LIST:
            return rows, ""
        table = self.appendix(code_list, rows)
        listed = {str(c.code) for c in code_list.codes}
        listed_here = [row for row in rows if row.code in listed]
        return listed_here, self.w("see_appendix", letter=table.letter, title=table.title)

    # Question blocks ----------------------------------------------------------------------------
    def bound(self, tree: Node | None) -> str | None:
        if tree is None:
            return None
        return str(as_number(tree.value)) if isinstance(tree, Num) else self.sentence.value(tree)

    def range_text(self, question: Question) -> str:
        low, high = map(self.bound, self.resolved.range_bound_trees(question, keep_unset=True))
        if low is not None and high is not None:
            return self.w("range", minimum=low, maximum=high)
        if low is not None:
            return self.w("range_min", minimum=low)
        return self.w("range_max", maximum=high) if high is not None else ""

    def noun(self, question: Question) -> str:
        """The plural noun of the question's level (persons, households) in the handout language."""
        words = block(self.lang, "sentence")
        level = self.module.level_by_id.get(question.level)
        return text_in(level.noun, self.lang) if level and level.noun else words["units"]

    def universe(self, question: Question) -> str:
        words = block(self.lang, "sentence")
        noun = self.noun(question)
        tree = universe_tree(question, self.params)
        if is_never(tree):
            return words["never"]
        if tree is None or isinstance(tree, Bool):
            return words["asked_all"].format(noun=noun)
        return words["asked_of"].format(noun=noun, condition=self.sentence.condition(tree))

    def target(self, index: int | None) -> str:
        if index is None:
            return ""
        question = self.questions[index]
        return f"{self.tags[question.id]} ({self.text(question.variable_label, f'variable_label of {question.id}')})"

    def level_label(self, question: Question) -> str:
        level = self.module.level_by_id.get(question.level)
        label = self.text(level.label, f"label of level {level.id}") if level else question.level
        return label[:1].lower() + label[1:] if self.lang == "en" else label

    def is_roster(self, question: Question) -> bool:
        level = self.module.level_by_id.get(question.level)
        return bool(level and level.repeat)

    def destination(self, question: Question, route: Route) -> str:
        """Where a route goes, as the end of a sentence: "go to Q7 (…)", "end of the module"."""
        if route.target is None and self.is_roster(question):
            return self.w("dest_roster_end", level=self.level_label(question))
        if route.target is None:
            return self.w("dest_end")
        if route.leaves_level:
            return self.w(
                "dest_level_end", level=self.level_label(question), target=self.target(route.target)
            )
        return self.w("dest_go_to", target=self.target(route.target))

    def answer_labels(self, question: Question, answers: tuple[str, ...]) -> str:
        """ "1 Yes, 2 No": the codes of a route with their labels."""
        code_list = self.module.code_list_by_id.get(question.code_list or "")
        labels = {row.code: row.label for row in self.code_rows(code_list)} if code_list else {}
        return ", ".join(f"{code} {labels[code]}" if code in labels else code for code in answers)

    def next_steps(self, question: Question, out: list[Route]) -> list[str]:
        steps = []
        for route in out:
            if route.answers is not None:
                answers = self.answer_labels(question, route.answers)
                if route.condition is not None:
                    steps.append(
                        self.w(
                            "answers_if_then",
                            answers=answers,
                            noun=self.noun(question),
                            condition=route.condition,
                            destination=self.destination(question, route),
                        )
                    )
                else:
                    key = "answers_otherwise_then" if route.otherwise else "answers_then"
                    steps.append(
                        self.w(key, answers=answers, destination=self.destination(question, route))
                    )
            elif route.condition is not None:
                steps.append(
                    self.w(
                        "if_go_to",
                        noun=self.noun(question),
                        condition=route.condition,
                        target=self.target(route.target),
                    )
                )
            elif route.target is None and self.is_roster(question):
                key = "otherwise_roster_end" if route.otherwise else "roster_end"
                steps.append(self.w(key, level=self.level_label(question)))
            elif route.target is None:
                steps.append(self.w("otherwise_end" if route.otherwise else "end"))
            elif route.leaves_level:
                key = "otherwise_level_end" if route.otherwise else "level_end"
                steps.append(
                    self.w(key, level=self.level_label(question), target=self.target(route.target))
                )
            else:
                key = "otherwise_go_to" if route.otherwise else "go_to"
                steps.append(self.w(key, target=self.target(route.target)))
        return steps

    def short_target(self, route: Route) -> str:
        if route.target is None:
            return self.w("diagram_end")
        return self.tags[self.questions[route.target].id]

    def route_label(self, route: Route) -> str:
        """The words on a route's arrow: its answer codes, its check, or "otherwise"."""
        pieces = []
        if route.answers is not None:
            pieces.append(", ".join(route.answers))
        if route.condition is not None:
            pieces.append(route.condition)
        elif route.otherwise:
            pieces.append(self.w("diagram_otherwise"))
        return ": ".join(pieces)

    def skip_line(self, question: Question, out: list[Route]) -> str:
        """The routes in one line, as on a questionnaire: "1 Yes → Q7 · 2 No, 8 Don't know → Q9"."""
        if len(out) == 1 and out[0].answers is None:
            return f"{self.w('skip_all')} → {self.short_target(out[0])}"
        groups: dict[tuple[str, ...] | None, list[str]] = {}
        for route in out:
            phrase = route.condition or (self.w("diagram_otherwise") if route.otherwise else "")
            arrow = f"{phrase} → {self.short_target(route)}" if phrase else f"→ {self.short_target(route)}"
            groups.setdefault(route.answers, []).append(arrow)
        pieces = []
        for answers, arrows in groups.items():
            head = self.answer_labels(question, answers) if answers is not None else ""
            body = "; ".join(arrows)
            pieces.append(f"{head} {body}".strip() if len(arrows) == 1 else f"{head}: {body}".strip(": "))
        return " · ".join(pieces)

    def edits(self, question: Question) -> list[EditNote]:
        notes = []
        for edit in self.module.edits:
            reads = referenced(self.module, edit.check) + (
                referenced(self.module, edit.when) if edit.when else []
            )
            if question.id not in reads:
                continue
            when = folded(edit.when, self.params) if edit.when else None
            if is_never(when):  # switched off by a national parameter: not part of this handout
                continue
            level = self.module.level_by_id.get(edit.level)
            noun = text_in(level.noun, self.lang) if level and level.noun else ""
            applies = (
                self.w("edit_applies", noun=noun, condition=self.sentence.condition(when))
                if when is not None and not isinstance(when, Bool)
                else None
            )
            check = folded(edit.check, self.params)
            if isinstance(check, Unary) and check.op == "not":  # "expected: not (…)" reads badly
                expected = self.w(
                    "edit_flagged", noun=noun, condition=self.sentence.condition(check.operand)
                )
            else:
                expected = self.w(
                    "edit_expected", noun=noun, condition=self.sentence.condition(check)
                )
            notes.append(
                EditNote(
                    edit.id,
                    self.w(f"edit_{edit.severity}"),
                    self.text(edit.message, f"message of edit {edit.id}"),
                    applies,
                    expected,
                )
            )
        return notes

    def block(self, number: int, question: Question, out: list[Route]) -> QuestionBlock:
        categories, note = self.categories(question)
        facts = [
            (self.w("variable"), self.adapted.variable(question.id)),
            (self.w("answer_type"), self.w(f"type_{question.type.value}")),
            (self.w("question_status"), self.w(question.status.value)),
        ]
        where = f"question {question.id}"
        return QuestionBlock(
            number=number,
            tag=self.tags[question.id],
            id=question.id,
            variable=self.adapted.variable(question.id),
            label=self.text(question.label, f"label of {where}"),
            facts=facts,
            hint=self.text(question.hint, f"hint of {where}"),
            categories=categories,
            categories_note=note,
            range_text=self.range_text(question),
            universe=self.universe(question),
            next_steps=self.next_steps(question, out),
            definition=self.text(question.definition, f"definition of {where}"),
            instructions=self.text(question.instructions, f"instructions of {where}"),
            mistakes=[
                self.text(m, f"common mistake {i} of {where}")
                for i, m in enumerate(question.common_mistakes, start=1)
            ],
            edits=self.edits(question),
            sources=[
                s.source + (f", {s.section}" if s.section else "")
                for s in question.sources
                if s.source not in self.internal_sources
            ],
            skip=self.skip_line(question, out),
        )

    def sections(self) -> list[LevelSection]:
        all_routes = routes(self.module, self.questions, self.params, self.lang)
        blocks = [
            self.block(n, q, r)
            for n, (q, r) in enumerate(zip(self.questions, all_routes, strict=True), start=1)
        ]
        sections: list[LevelSection] = []
        start = 0
        for index in range(1, len(self.questions) + 1):
            if (
                index == len(self.questions)
                or self.questions[index].level != self.questions[start].level
            ):
                level = self.module.level_by_id.get(self.questions[start].level)
                name = (
                    self.text(level.label, f"label of level {level.id}")
                    if level
                    else self.questions[start].level
                )
                diagrams = build_diagrams(
                    self.module,
                    self.questions,
                    all_routes,
                    start,
                    index,
                    self.lang,
                    self.text,
                    lambda _, route: self.route_label(route),
                )
                entry = entry_routes(self.module, self.questions, self.params, self.lang, start)
                sections.append(
                    LevelSection(
                        self.questions[start].level,
                        self.w("level", level=name),
                        blocks[start:index],
                        diagrams[0],
                        self.next_steps(self.questions[start], entry) if entry else [],
                        diagrams,
                    )
                )
                start = index
        return sections

    # Exercises ---------------------------------------------------------------------------------
    def answer(self, question: Question | None, value: int | str) -> str:
        if isinstance(value, str) and value in self.params:
            value = self.params[value]
        if question is None or not question.code_list:
            return str(value)
        code_list = self.module.code_list_by_id.get(question.code_list)
        labels = {row.code: row.label for row in self.code_rows(code_list)} if code_list else {}
        if question.type is QuestionType.COUNTRY and value == THIS_COUNTRY_PLACEHOLDER:
            return f"{value} ({self.sentence.country(value)})"
        items = (
            str(value).split() if question.type is QuestionType.SELECT_MULTIPLE else [str(value)]
        )
        return "; ".join(f"{item} ({labels[item]})" if item in labels else item for item in items)

    def generic_reference_date(self) -> Any:
        parameter = next((p for p in self.module.parameters if p.id == "REF_DATE"), None)
        return parameter.default if parameter is not None else None

    def redate(self, text: str) -> str:
        """Exercise text told for the profile's reference date (written for the generic one)."""
        return redate(text, self.lang, self.generic_reference_date(), self.params.get("REF_DATE"))

    def special_codes(self, question: Question) -> set[int]:
        code_list = self.module.code_list_by_id.get(question.code_list or "")
        return {c.code for c in code_list.codes if c.special} if code_list else set()

    def exercises(self) -> list[ExerciseBlock]:
        shift = year_shift(self.generic_reference_date(), self.params.get("REF_DATE"))
        blocks = []
        for number, exercise in enumerate(self.module.exercises, start=1):
            answers = []
            for qid, value in exercise.answers.items():
                question = self.module.question_by_id.get(qid)
                if question is not None and question.id in self.tags:
                    name = f"{self.tags[qid]} {self.text(question.variable_label, f'variable_label of {qid}')}"
                elif question is not None:
                    continue  # the profile leaves this question out
                else:
                    name = qid
                if (
                    question is not None
                    and question.type is QuestionType.YEAR
                    and isinstance(value, int)
                    and value not in self.special_codes(question)
                ):
                    value += shift
                answers.append((name, self.answer(question, value)))
            blocks.append(
                ExerciseBlock(
                    self.w("exercise", number=number),
                    self.redate(
                        self.text(exercise.situation, f"situation of exercise {exercise.id}")
                    ),
                    answers,
                    self.redate(
                        self.text(exercise.explanation, f"explanation of exercise {exercise.id}")
                    ),
                )
            )
        return blocks

    def build(self) -> ModulePart:
        module = self.module
        sections = self.sections()  # fills the appendices as code lists are met
        for question in self.questions:  # long lists not yet in an appendix (none normally)
            self.categories(question)
        return ModulePart(
            ref=module.ref,
            title=self.text(module.title, "module title"),
            description=self.text(module.description, "module description"),
            facts=self.facts(),
            sources=self.sources(),
            purpose=self.text(module.purpose, "module purpose"),
            changes=self.text(module.changes, "module changes"),
            concepts=[
                (
                    self.text(c.term, f"term of concept {c.id}"),
                    self.text(c.definition, f"definition of concept {c.id}"),
                )
                for c in module.concepts
            ],
            sections=sections,
            appendices=list(self.appendix_of.values()),
            exercises=self.exercises(),
            footer=footer_text(self.lang, [module], self.generated),
        )


def footer_text(lang: str, modules: list[Module], generated: dt.date) -> str:
    names = ", ".join(f"{m.id} {m.version}" for m in modules)
    return word(lang, "footer", modules=names, date=generated.isoformat(), tool_version=__version__)


def check_language(adapted: Adapted, lang: str) -> None:
    module = adapted.module
    if lang not in module.languages:
        raise MigmoduleError.of(
            codes.LANGUAGE_NOT_IN_MODULE,
            Location(module=module.ref, language=lang),
            module=module.ref,
            languages=", ".join(module.languages),
            lang=lang,
            first=module.languages[0],
        )


def build_handout(
    adapted: list[Adapted], lang: str, *, national: bool = False, generated: dt.date | None = None
) -> Handout:
    """The document model of a handout for these modules in `lang`."""
    if not adapted:
        raise MigmoduleError.of(codes.NO_MODULE)
    generated = generated or dt.date.today()
    findings: list[Finding] = []
    parts = []
    asked_by = duplicates([(a.module, [q.id for q in a.questions]) for a in adapted])
    for index, item in enumerate(adapted):
        check_language(item, lang)
        elsewhere = frozenset(item_id for i, item_id in asked_by if i == index)
        parts.append(_PartBuilder(item, lang, national, generated, findings, elsewhere).build())
    titles = " · ".join(part.title for part in parts)
    return Handout(
        lang,
        f"{word(lang, 'handout')}: {titles}",
        generated,
        parts,
        footer_text(lang, [a.module for a in adapted], generated),
        findings,
    )
