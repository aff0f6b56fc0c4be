"""Value labels as evidence and as recodes: country lists, special codes, code-list agreement.

A list of value labels that are country names (UN names in en/fr/es, `migmodule.countries`) or
ISO codes makes a country question; labels that match a module code list's labels make that
question more likely; and the same comparisons give the proposed recode, national -> standard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process

from migmodule.countries import countries
from migmodule.matching.text import words
from migmodule.matching.vocabulary import vocabulary

_ARTICLE = re.compile(r"\s*\((?:the|le|la|l'|l’|les|el|los|las)\)\s*$", re.IGNORECASE)


@cache
def country_names() -> dict[str, int]:
    """Folded country name (en, fr, es, without the list-form article) -> M49."""
    table: dict[str, int] = {}
    for country in countries():
        for name in country.names.values():
            if name:
                table[" ".join(words(_ARTICLE.sub("", name)))] = country.m49
    return table


@cache
def _alpha(length: int) -> dict[str, int]:
    return {
        (c.iso3 if length == 3 else c.iso2).upper(): c.m49
        for c in countries()
        if (c.iso3 if length == 3 else c.iso2)
    }


def country_of(label: str) -> int | None:
    """The M49 code of a label that names a country, allowing small spelling differences."""
    key = " ".join(words(_ARTICLE.sub("", label or "")))
    if not key:
        return None
    table = country_names()
    if key in table:
        return table[key]
    if len(key) < 5:
        return None
    found = process.extractOne(key, table.keys(), scorer=fuzz.ratio, score_cutoff=93)
    return table[found[0]] if found else None


def special_kind(label: str) -> str | None:
    """'dont_know', 'refused', 'not_stated', 'not_applicable' or 'other' for such labels."""
    tokens = tuple(words(label or ""))
    if not tokens or len(tokens) > 6:
        return None
    for kind, phrases in vocabulary().special.items():
        for phrase in phrases:
            if tokens == phrase or (
                len(phrase) >= 2 and _contains(tokens, phrase) and len(tokens) <= len(phrase) + 2
            ):
                return kind
    return None


def _contains(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tokens[i : i + size] == phrase for i in range(len(tokens) - size + 1))


def code_text(code: Any) -> str:
    """A national code as the text a recode key is written with: 1.0 -> '1', ' AFG' -> 'AFG'."""
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code).strip()


@dataclass
class ValueEvidence:
    """What an item's value labels say, computed once per item."""

    labels: dict[Any, str]
    specials: dict[Any, str]  # code -> special kind
    countries: dict[Any, int]  # code -> M49, for labels that are countries
    iso: str | None  # "iso3" / "iso2" when the codes themselves are ISO codes

    @property
    def substantive(self) -> dict[Any, str]:
        return {k: v for k, v in self.labels.items() if k not in self.specials}

    @property
    def country_share(self) -> float:
        body = self.substantive
        return len([k for k in body if k in self.countries]) / len(body) if body else 0.0

    @property
    def is_country_list(self) -> bool:
        return self.iso is not None or (len(self.substantive) >= 3 and self.country_share >= 0.5)


def value_evidence(labels: dict[Any, str]) -> ValueEvidence:
    specials = {code: kind for code, label in labels.items() if (kind := special_kind(label))}
    found = {}
    for code, label in labels.items():
        if code not in specials and (m49 := country_of(label)) is not None:
            found[code] = m49
    body = [code_text(c) for c in labels if c not in specials]
    iso = None
    for length, name in ((3, "iso3"), (2, "iso2")):
        table = _alpha(length)
        if len(body) >= 3 and sum(1 for c in body if c.upper() in table) >= 0.8 * len(body):
            iso = name
            break
    return ValueEvidence(labels, specials, found, iso)


_YES_NO = {"yes", "no", "oui", "non", "si"}


def label_similarity(a: str, b: str) -> float:
    """0..1: how alike two category labels are (folded words; spelling and word order forgiven)."""
    vocab = vocabulary()
    mine_words, their_words = vocab.category_words(a), vocab.category_words(b)
    left, right = " ".join(mine_words), " ".join(their_words)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    similar = max(fuzz.ratio(left, right), fuzz.token_sort_ratio(left, right)) / 100
    if similar < 0.9:  # spelling variants only: "Male" and "Female" are 0.8 alike
        similar = 0.0
    # one label's content words all inside the other's: "Education, study or training" holds
    # "Study or training"; "Marriage" is inside "Family (to join or accompany family, marriage)"
    # A bare yes or no is an answer, not a category word: "No" is not inside "Stateless (citizen
    # of no country)".
    mine, theirs = set(mine_words), set(their_words)
    answers_only = mine <= _YES_NO or theirs <= _YES_NO
    if mine and theirs and not answers_only and (mine <= theirs or theirs <= mine):
        similar = max(similar, 0.85)
    return similar
