"""The words the matcher knows, read from the package's data files (data/en.yaml, fr.yaml, es.yaml,
names.yaml): phrases per target in each language, whole variable names, stopwords, number words,
level nouns and the words of special codes (don't know, refused, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from migmodule.matching.text import words

LANGUAGES = ("en", "fr", "es")


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    language: str
    text: str


@dataclass
class TargetWords:
    phrases: list[Phrase] = field(default_factory=list)
    excluded: list[tuple[str, ...]] = field(default_factory=list)  # phrases that rule it out
    names: set[str] = field(default_factory=set)


@dataclass
class Vocabulary:
    stopwords: set[str]
    numbers: dict[str, str]
    excluded_everywhere: list[tuple[str, ...]]
    level_nouns: dict[str, set[str]]  # level id -> words naming its unit
    special: dict[str, list[tuple[str, ...]]]  # special kind -> phrases
    targets: dict[str, TargetWords]
    categories: list[tuple[tuple[str, ...], str]] = field(default_factory=list)  # variant -> word
    dated_residence: set[str] = field(default_factory=set)  # words of "residence on <date>"
    months: set[str] = field(default_factory=set)

    def tokens(self, text: str) -> list[str]:
        """Content words of a cleaned label: folded, numbers as digits, stopwords dropped."""
        return [w for w in words(text, self.numbers) if w not in self.stopwords]

    def category_words(self, text: str) -> list[str]:
        """Content words of a category label, variants replaced by one word ("outside the
        country" and "overseas" -> "abroad")."""
        tokens = words(text, self.numbers)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for variant, word in self.categories:
                if tuple(tokens[i : i + len(variant)]) == variant:
                    out.append(word)
                    i += len(variant)
                    break
            else:
                out.append(tokens[i])
                i += 1
        return [w for w in out if w not in self.stopwords]

    def target(self, target_id: str) -> TargetWords:
        return self.targets.get(target_id) or TargetWords()


def _read(name: str) -> dict:
    path = resources.files("migmodule.matching").joinpath(f"data/{name}")
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


@cache
def vocabulary() -> Vocabulary:
    files = {language: _read(f"{language}.yaml") for language in LANGUAGES}
    numbers: dict[str, str] = {}
    stopwords: set[str] = set()
    for data in files.values():
        numbers.update({str(k): str(v) for k, v in (data.get("numbers") or {}).items()})
        stopwords.update(str(w) for w in data.get("stopwords") or [])
    stopwords -= set(numbers.values())
    vocab = Vocabulary(stopwords, numbers, [], {}, {}, {})
    for language, data in files.items():
        for text in data.get("exclude_all") or []:
            if excluded := tuple(vocab.tokens(str(text))):
                vocab.excluded_everywhere.append(excluded)
        for level, nouns in (data.get("levels") or {}).items():
            bucket = vocab.level_nouns.setdefault(level, set())
            for noun in nouns:
                bucket.update(words(str(noun), numbers))
        for kind, phrases in (data.get("special") or {}).items():
            vocab.special.setdefault(kind, []).extend(
                tuple(words(str(p), numbers)) for p in phrases
            )
        for target_id, entry in (data.get("targets") or {}).items():
            if isinstance(entry, list):
                entry = {"phrases": entry}
            target = vocab.targets.setdefault(target_id, TargetWords())
            for text in entry.get("phrases") or []:
                tokens = tuple(vocab.tokens(str(text)))
                if tokens:
                    target.phrases.append(Phrase(tokens, language, str(text)))
            for text in entry.get("not") or []:
                if excluded := tuple(vocab.tokens(str(text))):
                    target.excluded.append(excluded)
        vocab.dated_residence.update(str(w) for w in data.get("dated_residence") or [])
        vocab.months.update(str(w) for w in data.get("months") or [])
        for word, variants in (data.get("categories") or {}).items():
            for variant in variants:
                vocab.categories.append((tuple(words(str(variant), numbers)), str(word)))
    vocab.categories.sort(key=lambda entry: -len(entry[0]))  # longest variant first
    for target_id, names in _read("names.yaml").items():
        vocab.targets.setdefault(target_id, TargetWords()).names.update(
            str(n).lower() for n in names
        )
    return vocab
