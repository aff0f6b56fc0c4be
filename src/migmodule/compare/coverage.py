"""Coverage of a module by a national form: for each module question, asked as the standard,
asked differently, or missing, with the evidence; code lists compared; parameters proposed.

The national items are matched to the module's questions by the matcher `map` uses
(`migmodule.matching.match`): this file only judges the matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from migmodule.codes import Finding
from migmodule.compare.defects import form_defects, parse_relevant
from migmodule.compare.form import NationalForm
from migmodule.compare.universe import UniverseComparison, compare_universe
from migmodule.compare.xpath import LogicError, Node, parse_xpath
from migmodule.i18n import Joined, Phrase, word
from migmodule.i18n import number as decimal_text
from migmodule.matching import Item, Proposal, match
from migmodule.matching.codes_evidence import (
    code_text,
    country_of,
    label_similarity,
    special_kind,
)
from migmodule.matching.matcher import NUMBER_LABEL, targets_of
from migmodule.matching.text import clean_label
from migmodule.profile import Adapted
from migmodule.spec.text import render

SCHEMA_VERSION = 1
STANDARD, DIFFERENT, MISSING = "standard", "different", "missing"
STATUSES = (STANDARD, DIFFERENT, MISSING)
# words of a national question that say whom it is asked about, when the module asks each person
# (the key names the reason: compare.difference.<key>)
_UNIT_WORDS = {
    "head_only": r"\bhead of\b|\bchef de m[ée]nage\b|\bjefe de hogar\b",
    "respondent_only": r"\b(respondent|interviewee|r[ée]pondant|encuestad[oa])\b",
    "household": r"\b(household|m[ée]nage|hogar)\b",
}
_YEARS = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|ten|fifteen)\s*(?:years?|ans|a[ñn]os)\b", re.I
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "fifteen": 15}


def status_text(status: str, lang: str = "en") -> str:
    """A status in words ("asked as the standard"): a `Phrase` in English, text in `lang`."""
    return (
        Phrase(f"compare.status.{status}")
        if lang == "en"
        else word(lang, f"compare.status.{status}")
    )


def verdict_text(verdict: str, lang: str = "en") -> str:
    """A universe verdict in words ("narrower", "not compared")."""
    key = f"compare.verdict.{verdict.replace(' ', '_')}"
    return Phrase(key) if lang == "en" else word(lang, key)


class LevelNoun(Phrase):
    """A module level named in a reason ("household member (usual resident)"), said in the
    reader's language from the module's own label (the `str` is the English one)."""

    def __new__(cls, level: Any) -> LevelNoun:
        self = str.__new__(cls, _lowered(level.label.get("en") or level.id))
        self.key, self.values, self.level = "", {}, level
        return self

    def said_in(self, lang: str) -> str:
        return _lowered(self.level.label.get(lang) or self.level.label.get("en") or self.level.id)

    def __reduce__(self) -> tuple[Any, ...]:
        return (LevelNoun, (self.level,))


class Listed(Joined):
    """Reasons in a list ("a; b"), separated as the reader's language writes it ("a ; b")."""

    def __new__(cls, parts: list[str]) -> Listed:
        return super().__new__(cls, "; ", parts)

    def said_in(self, lang: str) -> str:
        separator = word(lang, "compare.detail.separator")
        return separator.join(
            part.said_in(lang) if isinstance(part, (Phrase, Joined)) else part
            for part in self.parts
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (Listed, (list(self.parts),))


class Score(Phrase):
    """A matcher's score in a reason, with the reader's decimal sign ("0.76", "0,76")."""

    def __new__(cls, value: float) -> Score:
        self = str.__new__(cls, f"{value:.2f}")
        self.key, self.values, self.value = "", {}, value
        return self

    def said_in(self, lang: str) -> str:
        return decimal_text(lang, self.value, 2)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Score, (self.value,))


def _lowered(label: str) -> str:
    return label[:1].lower() + label[1:]


@dataclass
class CodeComparison:
    """National categories against the module's code list."""

    recode: dict[str, int] | str | None = None
    recode_evidence: list[str] = field(default_factory=list)
    matched: list[tuple[str, str, int]] = field(default_factory=list)  # national, label, standard
    no_home: list[tuple[str, str]] = field(default_factory=list)  # national categories
    not_in_form: list[tuple[int, str]] = field(default_factory=list)  # standard categories

    @property
    def matched_standard(self) -> set[int]:
        return {standard for _, _, standard in self.matched}

    def to_dict(self) -> dict[str, Any]:
        return {
            "recode": self.recode,
            "recode_evidence": self.recode_evidence,
            "matched": [list(m) for m in self.matched],
            "no_home": [list(m) for m in self.no_home],
            "not_in_form": [list(m) for m in self.not_in_form],
        }


@dataclass
class QuestionCoverage:
    question: str
    level: str
    label: str  # the module's question text
    status: str
    item: str | None = None
    national_label: str = ""
    score: float | None = None
    evidence: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    codes: CodeComparison | None = None
    universe: UniverseComparison | None = None
    where: str | None = None  # a split: the rows of `item` that hold this question

    @property
    def summary(self) -> str:
        """One line: status, national item, and the main reason (a `Phrase`: English as text,
        `said_in(lang)` in another language)."""
        if self.status == MISSING:
            if self.evidence:
                return Phrase("compare.summary.missing_because", reason=self.evidence[0])
            return Phrase("compare.summary.missing")
        status = status_text(self.status)
        if self.status == DIFFERENT and self.differences:
            return Phrase(
                "compare.summary.by_because",
                status=status,
                item=self.item,
                reason=self.differences[0],
            )
        if self.codes and self.codes.recode:
            return Phrase("compare.summary.by_recode", status=status, item=self.item)
        return Phrase("compare.summary.by", status=status, item=self.item)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "level": self.level,
            "label": self.label,
            "status": self.status,
            "summary": self.summary,
            "item": self.item,
            "national_label": self.national_label,
            "score": self.score,
            "evidence": self.evidence,
            "differences": self.differences,
            "codes": self.codes.to_dict() if self.codes else None,
            "universe": self.universe.to_dict() if self.universe else None,
            "where": self.where,
        }


@dataclass
class ParameterProposal:
    name: str
    value: Any
    module_default: Any
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "module_default": self.module_default,
            "evidence": self.evidence,
        }


@dataclass
class Coverage:
    module: str
    form: str
    language: str
    questions: list[QuestionCoverage] = field(default_factory=list)
    parameters: list[ParameterProposal] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)  # every proposal of the matcher
    unused: list[str] = field(default_factory=list)  # national items matched to nothing

    def status_of(self, question: str) -> str:
        return next(q.status for q in self.questions if q.question == question)

    def counts(self) -> dict[str, int]:
        return {s: sum(q.status == s for q in self.questions) for s in STATUSES}

    def totals(self) -> str:
        """The counts of each status and of defects in one line, as a `Phrase`."""
        counts = self.counts()
        statuses = [Phrase(f"compare.counts.{s}", count=counts[s]) for s in STATUSES]
        return Phrase(
            "compare.counts.line",
            counts=Joined(", ", statuses),
            defects=Phrase("compare.counts.defects", count=len(self.findings)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "module": self.module,
            "form": self.form,
            "language": self.language,
            "counts": self.counts(),
            "questions": [q.to_dict() for q in self.questions],
            "parameters": [p.to_dict() for p in self.parameters],
            "findings": [f.to_dict() for f in self.findings],
        }


def _label(item: Item, language: str) -> str:
    text = item.labels.get(language) or next((t for t in item.labels.values() if t), "")
    return clean_label(text)


def compare_form(form: NationalForm, adapted: Adapted, language: str = "en") -> Coverage:
    """The coverage of an adapted module by a national form."""
    module = adapted.module
    proposals = match(form.items, adapted)
    coverage = Coverage(module.ref, form.name, language, proposals=proposals)
    coverage.findings = form_defects(form)
    accepted = [p for p in proposals if p.accepted and p.kind == "question"]
    by_target = {p.target: p for p in accepted}
    by_item: dict[str, list[Proposal]] = {}
    for proposal in accepted:
        by_item.setdefault(proposal.item, []).append(proposal)
    guesses = {p.target: p for p in proposals if not p.accepted and p.kind == "question"}
    items = {item.name: item for item in form.items}
    targets = {t.id: t for t in targets_of(adapted)}
    matched_items = {p.item: p for p in accepted if not p.where}
    for question in adapted.questions:
        label = render(question.label, module, adapted.params, language) or ""
        entry = QuestionCoverage(question.id, question.level, label, MISSING)
        coverage.questions.append(entry)
        proposal = by_target.get(question.id)
        if proposal is None:
            guess = guesses.get(question.id)
            entry.evidence = [
                Phrase(
                    "compare.missing.guess",
                    item=guess.item,
                    score=Score(guess.score),
                    evidence=Listed(guess.evidence),
                )
                if guess
                else Phrase("compare.missing.no_match")
            ]
            continue
        item = items[proposal.item]
        entry.item, entry.score, entry.where = (
            proposal.item,
            round(proposal.score, 2),
            proposal.where,
        )
        entry.national_label = _label(item, language)
        entry.evidence = list(proposal.evidence)
        national = form.questions.get(item.name)
        if national is not None and national.type.endswith("_from_file"):
            entry.evidence.append(
                Phrase("compare.evidence.external_choices", list_name=national.list_name)
            )
        entry.status = STANDARD
        target = targets.get(question.id)
        if target is not None and target.codes:
            entry.codes = _compare_codes(proposal, item, target, language)
        entry.differences = _differences(form, adapted, question, proposal, item, by_item, entry)
        if not form.has_logic:
            national = form.questions.get(item.name)
            words = national.universe_text if national is not None else ""
            why = (
                Phrase("compare.universe.in_words", words=words)
                if words
                else Phrase(f"compare.universe.no_logic_{form.kind}")
            )
            entry.universe = UniverseComparison("not compared", words, why=why)
            if entry.differences:
                entry.status = DIFFERENT
            continue
        try:
            trees = _conditions(form, item.name)
        except LogicError as exc:
            entry.universe = UniverseComparison(
                "not compared",
                form.questions[item.name].relevant,
                why=Phrase("compare.universe.unreadable", reason=exc.reason),
            )
        else:
            entry.universe = compare_universe(
                form, item.name, question.id, adapted, matched_items, trees
            )
            if entry.universe.verdict in ("narrower", "wider", "different"):
                entry.differences.append(
                    Phrase(
                        "compare.difference.universe",
                        verdict=verdict_text(entry.universe.verdict),
                        why=entry.universe.why,
                    )
                )
        if entry.differences:
            entry.status = DIFFERENT
    used = {p.item for p in proposals if p.accepted and p.kind != "level"}
    coverage.unused = [i.name for i in form.items if i.name not in used]
    coverage.parameters = propose_parameters(form, adapted, coverage)
    return coverage


def _conditions(form: NationalForm, name: str) -> list[Node]:
    """The conditions a national question is asked under: its enclosing groups' (readable ones;
    an unreadable group condition is reported on its own rows) and its own."""
    question = form.questions.get(name)
    if question is None:
        return []
    trees = []
    for text in question.group_relevants:
        try:
            trees.append(parse_xpath(text))
        except LogicError:
            continue
    own = parse_relevant(question)
    return trees + ([own] if own is not None else [])


def _differences(
    form: NationalForm,
    adapted: Adapted,
    question: Any,
    proposal: Proposal,
    item: Item,
    by_item: dict[str, list[Proposal]],
    entry: QuestionCoverage,
) -> list[str]:
    found: list[str] = []
    others = [p.target for p in by_item.get(item.name, []) if p.target != question.id]
    if proposal.where or others:
        if proposal.where:
            found.append(
                Phrase(
                    "compare.difference.two_questions_where",
                    item=item.name,
                    others=", ".join(others),
                    where=proposal.where,
                )
            )
        else:
            found.append(
                Phrase("compare.difference.two_questions", item=item.name, others=", ".join(others))
            )
    texts = " ".join(clean_label(t) for t in item.labels.values()).lower()
    module_level = adapted.module.level_by_id.get(question.level)
    if module_level is not None and question.level not in ("household",):
        for unit, pattern in _UNIT_WORDS.items():
            if re.search(pattern, texts):
                found.append(Phrase(f"compare.difference.{unit}", level=LevelNoun(module_level)))
                break
    period = _period_of(question.id)
    if period is not None:
        years = _years_in(texts)
        if years and period not in years:
            found.append(Phrase("compare.difference.period", count=years[0], period=period))
    if question.id.startswith("duration") and re.search(r"\bmonths?\b|\bmois\b|\bmeses\b", texts):
        found.append(Phrase("compare.difference.months"))
    if entry.codes and question.type.value == "country":
        others = len(entry.codes.no_home)
        if others > 0.2 * max(len(item.first_value_labels()), 1) and not proposal.where:
            found.append(Phrase("compare.difference.not_countries", count=others))
    labels = item.first_value_labels()
    words = [
        v for v in labels.values() if not NUMBER_LABEL.match(str(v)) and not special_kind(str(v))
    ]
    if question.type.value in ("integer", "year") and len(words) > 2:
        found.append(Phrase("compare.difference.categories", count=len(words)))
    standard_categories = (
        len(entry.codes.matched_standard | {c for c, _ in entry.codes.not_in_form})
        if entry.codes
        else 0
    )
    # a short standard list (yes/no, citizen by birth / by acquisition / not) that most national
    # categories do not fit is another question; long lists (reasons) are collapsed by a recode
    if (
        entry.codes
        and question.type.value in ("select_one", "select_multiple")
        and standard_categories <= 5
    ):
        homeless, total = (
            len(entry.codes.no_home),
            len(entry.codes.no_home) + len(entry.codes.matched),
        )
        if total and homeless > total / 2:
            shown = ", ".join(label for _, label in entry.codes.no_home[:4])
            found.append(
                Phrase("compare.difference.no_home", count=homeless, total=total, shown=shown)
            )
    coded = question.type.value in ("select_one", "country", "select_multiple")
    if coded and not item.value_labels and item.type in ("text", "string"):
        found.append(Phrase("compare.difference.free_text"))
    return found


def split_bounds(where: str) -> list[int]:
    """The bounds of a split's rows: 'P19 >= 1 and P19 <= 47' -> [1, 47]."""
    return [int(n) for n in re.findall(r"[<>]=?\s*(-?\d+)", where)]


def _period_of(question_id: str) -> int | None:
    found = re.search(r"_(\d+)y(_|$)", question_id)
    return int(found.group(1)) if found else None


def _years_in(text: str) -> list[int]:
    years = []
    for number in _YEARS.findall(text):
        years.append(int(number) if number.isdigit() else _WORD_NUMBERS[number.lower()])
    return years


def _compare_codes(
    proposal: Proposal, item: Item, target: Any, language: str = "en"
) -> CodeComparison:
    labels = item.first_value_labels()  # the codes are judged by these
    in_language = item.value_labels.get(language) or {}  # and shown in the reader's, if given
    comparison = CodeComparison(proposal.recode, list(proposal.recode_evidence))
    if not labels:
        return comparison
    specials = {special: code for code, _, special in target.codes if special}
    categories = [(code, texts) for code, texts, special in target.codes if special is None]
    homed: set[int] = set()
    split_low = split_high = None
    if proposal.where:
        bounds = split_bounds(proposal.where)
        split_low, split_high = bounds[0], bounds[-1]
    for code, label in labels.items():
        text = code_text(code)
        shown = str(in_language.get(code) or label)
        kind = special_kind(label)
        standard: int | None = None
        if kind and kind in specials:
            standard = specials[kind]
        elif target.type == "country":
            country = country_of(label)
            if country is not None or (
                split_low is not None
                and text.lstrip("-").isdigit()
                and split_low <= int(text) <= split_high
            ):
                comparison.matched.append((text, shown, country or 0))
                continue
        else:
            scored = [
                (label_similarity(label, standard_text), standard_code)
                for standard_code, texts in categories
                for standard_text in texts.values()
            ]
            best = max(scored, default=(0.0, None))
            standard = best[1] if best[0] >= 0.75 else None
            if standard is None and isinstance(proposal.recode, dict):
                standard = proposal.recode.get(text)
        if standard is None:
            if target.type == "country" and isinstance(proposal.recode, str):
                continue  # ISO codes: the built-in recode takes them all
            comparison.no_home.append((text, shown))
        else:
            comparison.matched.append((text, shown, standard))
            homed.add(standard)
    if target.type != "country":
        comparison.not_in_form = [
            (code, texts.get(language) or next(iter(texts.values()), ""))
            for code, texts in categories
            if code not in homed
        ]
    return comparison


def propose_parameters(
    form: NationalForm, adapted: Adapted, coverage: Coverage
) -> list[ParameterProposal]:
    """Parameter values the national form's wording points to (arrival, emigration window)."""
    params = {p.id: p for p in adapted.module.parameters}
    found: list[ParameterProposal] = []
    entries = {q.question: q for q in coverage.questions}
    arrival = entries.get("year_of_arrival")
    if "ARRIVAL_DEFINITION" in params and arrival is not None and arrival.item:
        text = arrival.national_label.lower()
        value = None
        if re.search(r"\bfirst\b|\bpremi[eè]re?\b|\bprimera?\b", text):
            value = "first"
        elif re.search(r"most recent|\blatest\b|\blast\b|derni[eè]re|[uú]ltima", text):
            value = "most_recent"
        if value:
            found.append(
                ParameterProposal(
                    "ARRIVAL_DEFINITION",
                    value,
                    params["ARRIVAL_DEFINITION"].default,
                    Phrase(
                        "compare.evidence.quote", item=arrival.item, text=arrival.national_label
                    ),
                )
            )
    found += _area_lists(form, adapted, coverage, params)
    if "RESIDENCE_RULE" in params:
        rule = _residence_rule(form)
        if rule is not None:
            found.append(
                ParameterProposal(
                    "RESIDENCE_RULE", rule[0], params["RESIDENCE_RULE"].default, rule[1]
                )
            )
    if "EMIGRATION_WINDOW_YEARS" in params:
        for item in form.items:
            text = " ".join(clean_label(t) for t in item.labels.values()).lower()
            if not re.search(r"emigra|abroad|left|outside|[ée]tranger|extranjero", text):
                continue
            years = _years_in(text)
            if years:
                # the label as the form writes it (the one that gives the years)
                labels = [clean_label(t) for t in item.labels.values()]
                shown = next((t for t in labels if _years_in(t.lower())), text)
                found.append(
                    ParameterProposal(
                        "EMIGRATION_WINDOW_YEARS",
                        years[0],
                        params["EMIGRATION_WINDOW_YEARS"].default,
                        Phrase("compare.evidence.quote", item=item.name, text=shown[:80]),
                    )
                )
                break
    return found


def _area_lists(
    form: NationalForm, adapted: Adapted, coverage: Coverage, params: dict[str, Any]
) -> list[ParameterProposal]:
    """A national list of areas for a code-list parameter (ADMIN_AREAS), from the value labels
    of the first item matched to a question whose codes come from that parameter."""
    module = adapted.module
    items = {item.name: item for item in form.items}
    sources = {cl.id: (cl.source or "") for cl in module.code_lists}
    found: list[ParameterProposal] = []
    for entry in coverage.questions:
        question = module.question_by_id[entry.question]
        source = sources.get(getattr(question, "code_list", None) or "", "")
        name = source.removeprefix("parameter:")
        if not source.startswith("parameter:") or name not in params or not entry.item:
            continue
        if params[name].type != "code_list" or any(p.name == name for p in found):
            continue
        low, high = 1, 9997
        if entry.where:
            bounds = split_bounds(entry.where)
            low, high = bounds[0], bounds[-1]
        labels = items[entry.item].first_value_labels()
        areas = sorted(
            [
                {"code": int(code_text(code)), "label": {coverage.language: str(label)}}
                for code, label in labels.items()
                if code_text(code).isdigit()
                and low <= int(code_text(code)) <= high
                and not special_kind(str(label))
            ],
            key=lambda area: area["code"],
        )
        if len(areas) >= 2:
            found.append(
                ParameterProposal(
                    name,
                    areas,
                    None,
                    Phrase(
                        "compare.evidence.area_labels",
                        count=len(areas),
                        item=entry.item,
                        low=str(areas[0]["code"]),
                        high=str(areas[-1]["code"]),
                    ),
                )
            )
    return found


_USUAL = re.compile(r"usual(ly)?\s+(resident|residence|member|live)|habituel|habitual", re.I)
_SIX_MONTHS = re.compile(r"\b(6|six|seis)\s+(months|mois|meses)\b", re.I)
_TWELVE_MONTHS = re.compile(r"\b(12|twelve|douze|doce)\s+(months|mois|meses)\b", re.I)


def _residence_rule(form: NationalForm) -> tuple[str, str] | None:
    """The usual-residence rule the form states: 6 months (most of the year) or 12 months."""
    texts = [t for item in form.items for t in item.labels.values()]
    for row in form.sheets.get("survey") or []:  # notes and hints state the rule too
        texts += [str(v) for k, v in row.items() if str(k).startswith(("label", "hint")) and v]
    for text in texts:
        if not _USUAL.search(text):
            continue
        if _TWELVE_MONTHS.search(text):
            return "12_months", Phrase("compare.evidence.quote_text", text=clean_label(text)[:100])
        if _SIX_MONTHS.search(text):
            return "most_of_12_months", Phrase(
                "compare.evidence.quote_text", text=clean_label(text)[:100]
            )
    return None
