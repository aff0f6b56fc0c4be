"""The matcher: national items -> a module's questions, derived variables, identifiers and weight.

Scores (0..1, a little more inside while ranking) and why:
- the whole variable name is a known name of the target (names.yaml, the module's own variable
  name or id): 1.0;
- every word of a known phrase of the target (en/fr/es data files, and the module's own labels
  and question texts) is in the item's label: 0.75 + 0.25 x the share of the label's words the
  phrase covers (0.7 + 0.3 x for a one-word phrase, less inside a text of more than 15 words);
  the same on the words of the variable name, times 0.9;
- value labels adjust the score: a list of countries makes a country question (+0.1) and rules out
  a coded non-country question (-0.3); labels that match the question's code list add up to 0.1,
  labels that match none of it take 0.15 off; numbers speak for a count, categories against it;
- identifiers and weights of the group's own level get +0.05 (the person weight in a person file).
A phrase listed under a target's `not` (mother, registration, born alive, ...) rules it out.

Each group of items (a file, a CSPro record, an XLSForm repeat) is given one level by a vote of
its items' best matches and of the level identifiers it holds; an item is only proposed for a
question of its group's level or of a level above it. Pairs are taken best first, each item and
each target once, except that a variable holding area and country codes also feeds the area
question as a split; at or above `threshold` a pair is proposed, between `floor` and `threshold`
it is shown as a best guess for review.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from migmodule.i18n import Phrase as Reason  # evidence said in the reader's language
from migmodule.matching.codes_evidence import (
    ValueEvidence,
    code_text,
    label_similarity,
    special_kind,
    value_evidence,
)
from migmodule.matching.model import Item, Proposal
from migmodule.matching.text import clean_label, name_words, short_name
from migmodule.matching.vocabulary import LANGUAGES, Phrase, vocabulary
from migmodule.profile import Adapted, adapt
from migmodule.spec.text import render

THRESHOLD = 0.8
FLOOR = 0.5
LONG_TEXT = 15  # content words


@dataclass
class Target:
    id: str
    kind: str  # question, derived, id, weight
    level: str | None
    type: str = ""  # the question type (country, select_one, integer, year, ...)
    names: set[str] = field(default_factory=set)
    phrases: list[Phrase] = field(default_factory=list)
    excluded: list[tuple[str, ...]] = field(default_factory=list)
    codes: list[tuple[int, dict[str, str], str | None]] = field(default_factory=list)
    open_list: bool = False  # codes from a parameter or the built-in countries, not listed
    order: int = 0


@dataclass
class _ItemView:
    item: Item
    index: int
    name: str
    labels: list[tuple[str, str, list[str]]]  # (language, cleaned label, content words)
    name_tokens: list[str]
    values: ValueEvidence


# a number as a label: "12", "2,004" (a year with a thousands separator), "10 or more"
NUMBER_LABEL = re.compile(
    r"^\s*(\d{1,3}([,.\s]\d{3})+|\d+)\s*(\+|or more|and more|et plus|y mas|y más)?\s*$"
)
_INFLECTIONS = {"s", "es", "d", "ed", "e", "x", "as", "os", "a"}


@cache
def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if a.isdigit() or b.isdigit():
        return False
    short, long = sorted((a, b), key=len)
    # inflections only (year / years, live / lived, arrive / arrived): no fuzzy spelling, which
    # would make "county" a "country" and "migration" an "emigration"
    return len(short) >= 3 and long.startswith(short) and long[len(short) :] in _INFLECTIONS


def _phrase_score(tokens: list[str], phrase: tuple[str, ...]) -> float:
    """0.7-1.0 when every phrase word is in `tokens` (more for a phrase covering more of them)."""
    if not tokens or not phrase:
        return 0.0
    used: set[int] = set()
    for word in phrase:
        position = next(
            (i for i, t in enumerate(tokens) if i not in used and _same_word(word, t)), None
        )
        if position is None:
            return 0.0
        used.add(position)
    coverage = len(used) / len(tokens)
    if len(tokens) > LONG_TEXT:  # a consent statement or an instruction, not a question
        return 0.6 + 0.3 * coverage
    # a phrase of several words is good evidence even inside a long question text
    return 0.75 + 0.25 * coverage if len(phrase) > 1 else 0.7 + 0.3 * coverage


def _has_phrase(words: list[str], phrase: tuple[str, ...]) -> bool:
    """All words of `phrase` (an exclusion such as "born alive") are among `words`."""
    return bool(phrase) and all(any(_same_word(p, w) for w in words) for p in phrase)


def _text(value: Any, adapted: Adapted, language: str) -> str:
    if not value:
        return ""
    return render(value, adapted.module, adapted.params, language) or ""


def targets_of(adapted: Adapted) -> list[Target]:
    """Every target of an adapted module, with its names, phrases and code list."""
    vocab = vocabulary()
    module = adapted.module
    languages = [lang for lang in module.languages if lang in LANGUAGES] or ["en"]
    code_lists = {cl.id: cl for cl in module.code_lists}
    found: list[Target] = []

    def add(target: Target, *texts: Any) -> None:
        words = vocab.target(target.id)
        target.names |= words.names | {target.id.lower()}
        target.phrases += words.phrases
        target.excluded += words.excluded
        for text in texts:
            for language in languages:
                tokens = tuple(vocab.tokens(clean_label(_text(text, adapted, language))))
                if len(tokens) >= 2:  # one word of a long label is not enough (data phrases may be)
                    target.phrases.append(Phrase(tokens, language, _text(text, adapted, language)))
        target.order = len(found)
        found.append(target)

    for question in adapted.questions:
        target = Target(question.id, "question", question.level, question.type.value)
        target.names.add(adapted.variable(question.id).lower())
        if question.code_list and question.code_list in code_lists:
            target.open_list = code_lists[question.code_list].source is not None
            for code in code_lists[question.code_list].codes:
                labels = {lang: _text(code.label, adapted, lang) for lang in languages}
                special = code.special.value if code.special else None
                target.codes.append((code.code, labels, special))
        add(target, question.variable_label, question.label)
    for derived in module.derived:
        target = Target(derived.id, "derived", derived.level)
        if derived.variable:
            target.names.add(derived.variable.lower())
        add(target, derived.variable_label)
    seen: set[str] = set()
    for level in module.levels:
        for name in level.id_variables:
            if name not in seen:
                seen.add(name)
                add(Target(name, "id", level.id))
    add(Target("weight", "weight", None))
    return found


def _view(item: Item, index: int) -> _ItemView:
    vocab = vocabulary()
    labels = []
    for language, text in item.labels.items():
        cleaned = clean_label(text)
        tokens = vocab.tokens(cleaned)
        if tokens:
            labels.append((language, cleaned, tokens))
    name_tokens = [t for t in name_words(item.name) if t not in vocab.stopwords]
    return _ItemView(
        item,
        index,
        short_name(item.name).lower(),
        labels,
        name_tokens,
        value_evidence(item.first_value_labels()),
    )


_YEAR = re.compile(r"^(19|20)\d\d$")


def _dated_residences(views: list[_ItemView]) -> None:
    """Residence on two dates four years apart ("on 24 August 2028", "on 24 August 2024"): the
    later date is read as one year ago and the earlier as five years ago, in the label's words."""
    vocab = vocabulary()
    found: dict[int, list[_ItemView]] = defaultdict(list)
    for view in views:
        for _, _, tokens in view.labels:
            years = {int(t) for t in tokens if _YEAR.match(t)}
            if len(years) == 1 and vocab.dated_residence & set(tokens):
                found[years.pop()].append(view)
                break
    if len(found) != 2:
        return
    early, late = sorted(found)
    if late - early != 4:
        return
    for year, ago in ((late, ("1", "year", "ago")), (early, ("5", "years", "ago"))):
        for view in found[year]:
            rewritten = []
            for language, cleaned, tokens in view.labels:
                if str(year) in tokens:
                    kept = [
                        t
                        for t in tokens
                        if t != str(year)
                        and t not in vocab.months
                        and not (t.isdigit() and len(t) <= 2)
                    ]
                    cleaned = f"{cleaned} [{year}: {' '.join(ago)}, {early} and {late} are asked]"
                    tokens = kept + list(ago)
                rewritten.append((language, cleaned, tokens))
            view.labels = rewritten


def _score(view: _ItemView, target: Target) -> tuple[float, list[str]]:
    vocab = vocabulary()
    excluded = target.excluded + (
        vocab.excluded_everywhere if target.kind in ("question", "derived") else []
    )
    best, why = 0.0, ""
    if view.name in target.names:
        best, why = 1.0, Reason("compare.evidence.name", name=view.item.name)
    for language, cleaned, tokens in view.labels:
        ruled_out = [" ".join(p) for p in excluded if _has_phrase(tokens, p)]
        if ruled_out:
            return 0.0, [Reason("compare.evidence.label_has", words=ruled_out[0])]
        for phrase in target.phrases:
            score = _phrase_score(tokens, phrase.words)
            if score > best:
                where = phrase.language if language in ("", phrase.language) else language
                best = score
                shown = cleaned if len(cleaned) <= 80 else cleaned[:77] + "..."
                why = (where, shown, phrase.words)  # words made once, for the best
    if (
        best < 1.0
        and view.name_tokens
        and not any(_has_phrase(view.name_tokens, p) for p in excluded)
    ):
        for phrase in target.phrases:
            score = 0.9 * _phrase_score(view.name_tokens, phrase.words)
            if score > best:
                best, why = (
                    score,
                    Reason(
                        "compare.evidence.name_words",
                        name_words=" ".join(view.name_tokens),
                        words=" ".join(phrase.words),
                    ),
                )
    if best == 0.0:
        return 0.0, []
    if isinstance(why, tuple):
        where, shown, words = why
        why = Reason("compare.evidence.label", language=where, text=shown, words=" ".join(words))
    evidence = [why]
    adjustment, reasons = _value_adjustment(view.values, target)
    evidence += reasons
    # not capped at 1: a name match backed by its value labels outranks a bare name match
    return round(max(0.0, best + adjustment), 3), evidence


def _value_adjustment(values: ValueEvidence, target: Target) -> tuple[float, list[str]]:
    body = values.substantive
    if target.kind not in ("question", "derived") or not body:
        return 0.0, []
    numeric = [label for label in body.values() if NUMBER_LABEL.match(label)]
    no_categories = not target.codes or all(special for _, _, special in target.codes)
    if no_categories and not target.open_list:
        # a year, a count or an amount: categories that are not numbers speak against it
        if len(body) >= 2 and len(numeric) < len(body) / 2 and not values.is_country_list:
            return -0.2, [Reason("compare.evidence.categories_not_numbers")]
        return 0.0, []
    if len(numeric) >= 2 and len(numeric) >= len(body) / 2 and target.type != "country":
        return -0.15, [Reason("compare.evidence.numbers_a_count")]
    if target.type == "country":
        if values.is_country_list:
            found, total = len(values.countries) or len(body), len(body)
            if values.iso:
                return 0.1, [
                    Reason("compare.evidence.codes_are", iso=values.iso, found=found, total=total)
                ]
            return 0.1, [Reason("compare.evidence.labels_are_countries", found=found, total=total)]
        if len(body) >= 3 and values.country_share < 0.2:
            return -0.25, [Reason("compare.evidence.not_countries")]
        return 0.0, []
    if values.is_country_list:
        return -0.3, [Reason("compare.evidence.countries")]
    categories = [(code, labels) for code, labels, special in target.codes if special is None]
    if not categories or target.type not in ("select_one", "select_multiple"):
        return 0.0, []
    agree = sum(
        1
        for label in body.values()
        if any(
            label_similarity(label, text) >= 0.8
            for _, texts in categories
            for text in texts.values()
        )
    )
    if agree:
        share = agree / len(body)
        return round(0.1 * share, 3), [
            Reason("compare.evidence.labels_match", count=agree, total=len(body))
        ]
    # a short list that shares no category (yes/no for sex) speaks against the question; a rich
    # national list of reasons often shares no wording with the standard one and says nothing
    if 2 <= len(body) <= 5 and len(categories) >= 2:
        return -0.15, [Reason("compare.evidence.no_label_matches")]
    return 0.0, []


def _ancestors(adapted: Adapted, level: str) -> set[str]:
    parents = {lv.id: lv.parent for lv in adapted.module.levels}
    found, current = set(), level
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


def _group_levels(
    adapted: Adapted, views: list[_ItemView], targets: list[Target], threshold: float
) -> dict[str, tuple[str | None, float, list[str]]]:
    """Each group's level: the source's if it says one, else a vote of its items."""
    own_id = {lv.id: lv.id_variables[-1] for lv in adapted.module.levels if lv.id_variables}
    groups: dict[str, list[_ItemView]] = defaultdict(list)
    for view in views:
        groups[view.item.group].append(view)
    result = {}
    for group, members in groups.items():
        stated = {v.item.level for v in members if v.item.level}
        if len(stated) == 1:
            level = stated.pop()
            result[group] = (level, 1.0, ["level given by the source"])
            continue
        votes: dict[str, float] = defaultdict(float)
        id_votes: dict[str, float] = defaultdict(float)
        reasons: dict[str, list[str]] = defaultdict(list)
        for view in members:
            scored = [(s, t) for t in targets if (s := _score(view, t)[0]) >= threshold]
            questions = [(s, t) for s, t in scored if t.kind in ("question", "derived")]
            if questions:
                top = max(s for s, _ in questions)
                for level in {t.level for s, t in questions if s == top}:
                    votes[level] += top
                    reasons[level].append(view.item.name)
            for score, target in scored:
                if target.kind == "id" and own_id.get(target.level) == target.id and score >= 0.95:
                    # a household id is in every file of a household survey: a weak vote
                    weight = 1.5 if _depth(adapted, target.level) > 1 else 0.3
                    id_votes[target.level] += weight * score
                    reasons[target.level].append(f"{view.item.name} (identifier)")
        # an identifier alone ("Serial number" in a record of deaths) does not make a level
        for level, vote in id_votes.items():
            if votes.get(level):
                votes[level] += vote
        if not votes:
            result[group] = (None, 0.0, [])
            continue
        # a tie (a lone "sex" item votes for person and emigrant alike) goes to the level the
        # module declares first, not to whichever a set happened to yield first
        order = [lv.id for lv in adapted.module.levels]
        level = max(
            votes,
            key=lambda lv: (
                votes[lv],
                -_depth(adapted, lv),
                -order.index(lv) if lv in order else 0,
            ),
        )
        share = votes[level] / sum(votes.values())
        result[group] = (level, round(share, 2), reasons[level][:6])
    return result


def _depth(adapted: Adapted, level: str) -> int:
    return len(_ancestors(adapted, level))


def _module_ref(module: Adapted | str) -> str:
    if isinstance(module, str) and (module.endswith((".yaml", ".yml")) or "/" in module):
        return module
    adapted = module if isinstance(module, Adapted) else adapt(None, module)[0]
    return adapted.module.ref


def match(
    items: list[Item],
    modules: Adapted | str | list[Adapted | str],
    *,
    threshold: float = THRESHOLD,
    floor: float = FLOOR,
) -> list[Proposal]:
    """Propose, for each module, which national item holds each of its targets.

    Returns accepted proposals (score >= threshold), best guesses (floor <= score < threshold,
    `accepted=False`), one "level" proposal per group of items, and recodes for accepted
    coded questions.
    """
    if isinstance(modules, (Adapted, str)):
        modules = [modules]
    views = [_view(item, i) for i, item in enumerate(items)]
    _dated_residences(views)
    proposals: list[Proposal] = []
    for module in modules:
        adapted = module if isinstance(module, Adapted) else adapt(None, module)[0]
        proposals += _match_module(adapted, _module_ref(module), views, threshold, floor)
    return proposals


def _match_module(
    adapted: Adapted, ref: str, views: list[_ItemView], threshold: float, floor: float
) -> list[Proposal]:
    targets = targets_of(adapted)
    levels = _group_levels(adapted, views, targets, threshold)
    weak = [v for v in views if levels[v.item.group][0] is None]
    if weak:  # groups where nothing reaches the threshold: a vote of the best guesses
        levels.update(
            (group, vote)
            for group, vote in _group_levels(adapted, weak, targets, floor).items()
            if vote[0] is not None
        )
    allowed = {
        group: (_ancestors(adapted, level) if level else set())
        for group, (level, _, _) in levels.items()
    }
    candidates: list[tuple[float, int, int, Target, _ItemView, list[str]]] = []
    for view in views:
        for target in targets:
            if (
                target.kind in ("question", "derived")
                and target.level not in allowed[view.item.group]
            ):
                continue
            score, evidence = _score(view, target)
            if score and target.kind in ("id", "weight"):
                score, evidence = _unit_adjustment(
                    adapted, view, target, levels[view.item.group][0], score, evidence
                )
            if score >= floor:
                candidates.append((score, target.order, view.index, target, view, evidence))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    taken_items: set[int] = set()
    taken_targets: set[str] = set()
    proposals: list[Proposal] = []
    guesses: dict[str, Proposal] = {}
    for score, _, _, target, view, evidence in candidates:
        if target.id in taken_targets or view.index in taken_items:
            continue
        level, _, _ = levels[view.item.group]
        proposal = Proposal(
            ref,
            target.id,
            target.kind,
            view.item.name,
            min(score, 1.0),
            evidence,
            target.level or level,
            view.item.group,
        )
        if score >= threshold:
            taken_targets.add(target.id)
            taken_items.add(view.index)
            if target.kind == "question":
                _propose_recode(proposal, target, view)
            proposals.append(proposal)
            split = _split(proposal, view, target, targets, allowed[view.item.group])
            if split is not None and split.target not in taken_targets:
                taken_targets.add(split.target)
                proposals.append(split)
        elif target.id not in guesses:
            proposal.accepted = False
            guesses[target.id] = proposal
    proposals += [g for t, g in guesses.items() if t not in taken_targets]
    for group, (level, share, reasons) in levels.items():
        if level:
            why = [f"items that match {level} questions or identifiers: {', '.join(reasons)}"]
            proposals.append(Proposal(ref, level, "level", group, share, why, level, group))
    order = {t.id: t.order for t in targets}
    proposals.sort(key=lambda p: (p.kind == "level", not p.accepted, order.get(p.target, 0)))
    return proposals


@cache
def _splits() -> dict[str, str]:
    path = resources.files("migmodule.matching").joinpath("data/splits.yaml")
    with path.open(encoding="utf-8") as handle:
        return {k: v for k, v in (yaml.safe_load(handle) or {}).items() if v}


def _split(
    proposal: Proposal, view: _ItemView, target: Target, targets: list[Target], levels: set[str]
) -> Proposal | None:
    """The area question read from the same variable as a country question, when the variable's
    value labels hold a block of area codes below its country codes (county 1-47, country 600+)."""
    sibling = next((t for t in targets if t.id == _splits().get(target.id)), None)
    values = view.values
    if sibling is None or sibling.level not in levels:
        return None
    numbers = {
        c: int(code_text(c)) for c in values.substantive if code_text(c).lstrip("-").isdigit()
    }
    countries = sorted(n for c, n in numbers.items() if c in values.countries)
    # area codes: the labels below the first country that are not countries (names that are not
    # recognised higher up, "Libyan Arab Jamahiriya", stay with the countries)
    areas = sorted(
        n
        for c, n in numbers.items()
        if c not in values.countries and countries and n < countries[0]
    )
    if len(areas) < 3 or len(countries) < 2:
        return None
    name = view.item.name
    proposal.recode_evidence = proposal.recode_evidence + [
        Reason(
            "compare.evidence.split_recode",
            low=str(areas[0]),
            high=str(areas[-1]),
            other=sibling.id,
        )
    ]
    proposal.where = None
    return Proposal(
        proposal.module,
        sibling.id,
        "question",
        name,
        proposal.score,
        [
            Reason(
                "compare.evidence.split",
                count=len(areas),
                item=name,
                low=str(areas[0]),
                high=str(areas[-1]),
                first=sibling.id,
                second=target.id,
            )
        ],
        sibling.level,
        view.item.group,
        where=f"{name} >= {areas[0]} and {name} <= {areas[-1]}",
    )


def _unit_adjustment(
    adapted: Adapted,
    view: _ItemView,
    target: Target,
    group_level: str | None,
    score: float,
    evidence: list[str],
) -> tuple[float, list[str]]:
    """Identifiers and weights of the group's own level first: an emigrant number in the
    emigrant record, the person weight (not the household weight) in a person file."""
    if target.kind == "id":
        if group_level and target.level == group_level and _depth(adapted, group_level) > 1:
            return score + 0.05, evidence + [Reason("compare.evidence.in_group", level=group_level)]
        return score, evidence
    words = {w for _, _, tokens in view.labels for w in tokens} | set(view.name_tokens)
    for level in adapted.module.levels:
        nouns = {w for text in level.label.values() for w in vocabulary().tokens(str(text))}
        if words & nouns:
            if level.id == group_level:
                return score + 0.05, evidence + [
                    Reason("compare.evidence.weight_in_file", level=level.id)
                ]
            return score - 0.05, evidence + [Reason("compare.evidence.weight", level=level.id)]
    return score, evidence


def _propose_recode(proposal: Proposal, target: Target, view: _ItemView) -> None:
    values = view.values
    if not values.labels or not target.codes:
        return
    by_special = {special: code for code, _, special in target.codes if special}
    recode: dict[str, int] = {}
    notes: list[str] = []
    if target.type == "country":
        if values.iso:
            proposal.recode = values.iso
            proposal.recode_evidence = [
                Reason("compare.evidence.iso_recode", letters=values.iso[3:], iso=values.iso)
            ]
            return
        for code in values.labels:
            if code in values.specials:
                standard = by_special.get(values.specials[code])
            else:
                standard = values.countries.get(code)
            if standard is not None and code_text(code) != str(standard):
                recode[code_text(code)] = standard
        unmatched = [
            code_text(c)
            for c in values.labels
            if c not in values.countries and c not in values.specials
        ]
        notes.append(Reason("compare.evidence.country_names", count=len(values.countries)))
        if unmatched:
            shown = ", ".join(unmatched[:8]) + (" ..." if len(unmatched) > 8 else "")
            notes.append(Reason("compare.evidence.not_country_name", codes=shown))
    else:
        categories = [(code, labels) for code, labels, special in target.codes if special is None]
        for code, label in values.labels.items():
            kind = values.specials.get(code) or special_kind(label)
            if kind and kind in by_special:
                standard = by_special[kind]
            else:
                scored = [
                    (label_similarity(label, text), standard)
                    for standard, texts in categories
                    for text in texts.values()
                ]
                best = max(scored, default=(0.0, None))
                standard = best[1] if best[0] >= 0.75 else None
            if standard is not None and code_text(code) != str(standard):
                recode[code_text(code)] = standard
    if recode:
        proposal.recode = recode
        proposal.recode_evidence = notes or [Reason("compare.evidence.by_label")]
