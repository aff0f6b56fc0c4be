"""Cleaning the names and labels national files carry before they are compared.

A label loses what is not its meaning: `${name}` references, HTML, leading question numbers
(`Q12.`, `P5a)`, `(E02)`), bracketed fill-ins (`[NAME]`), accents and case. A name loses its Kobo
group path (`grp/sub/name` -> `name`). Number words become digits so that "five years ago" and
"5 years ago" agree.
"""

from __future__ import annotations

import html
import re
import unicodedata

_REFERENCE = re.compile(r"\$\{[^}]*\}")
_TAG = re.compile(r"<[^>]*>")
_MARKDOWN = re.compile(r"[*_#`]+")
_BRACKETED = re.compile(r"\[[^\]]*\]|\((?:name|nom|nombre|noms?)\)", re.IGNORECASE)
# "Q12.", "P5a)", "12.", "7a.", "H40.", "(E02)", "S1:" at the start of a label ("12 months" stays).
_NUMBER = re.compile(
    r"^\s*(?:\(\s*[A-Za-z]{0,4}\d+[A-Za-z0-9]*\s*\)|[A-Za-z]{0,4}\d+[A-Za-z0-9_.]*[.):\-])\s*"
)
_NON_WORD = re.compile(r"[^0-9a-z]+")
# French inclusive writing: "né.e", "venu(e)", "arrivé·e" -> "né", "venu", "arrivé".
_INCLUSIVE = re.compile(r"(?<=\w)(?:\.e|\(e\)|·e)(?=\b|s\b)")


def fold(text: str) -> str:
    """Lower case without accents: 'Année' -> 'annee', 'País' -> 'pais'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def clean_label(text: str | None) -> str:
    """The words of a label, without references, markup and question numbers (still with case)."""
    if not text:
        return ""
    text = html.unescape(str(text))
    text = _REFERENCE.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _MARKDOWN.sub(" ", text)
    text = _BRACKETED.sub(" ", text)
    text = _INCLUSIVE.sub("", text)
    previous = None
    while previous != text:  # "S2: 5. In which ..." has two numbers
        previous = text
        text = _NUMBER.sub("", text, count=1)
    return " ".join(text.split())


def short_name(name: str) -> str:
    """A variable name without its Kobo/ODK group path: 'grp_a/roster/sex' -> 'sex'."""
    return re.split(r"[/.:]", str(name).strip())[-1] if name else ""


def words(text: str, numbers: dict[str, str] | None = None) -> list[str]:
    """Folded words of a cleaned text; number words replaced by digits when `numbers` is given."""
    tokens = [t for t in _NON_WORD.split(fold(text)) if t]
    if numbers:
        tokens = [numbers.get(t, t) for t in tokens]
    return tokens


_QUESTION_CODE = re.compile(r"^[a-z]{1,3}\d+[a-z]?$")


def name_words(name: str) -> list[str]:
    """Words of a variable name: 'ENT_PAIS_NAC' -> ['ent', 'pais', 'nac'], 'countryOfBirth' split
    too; question codes ('P11_SEX' -> ['sex'], 'h2q3') are not words."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", short_name(name))
    return [t for t in _NON_WORD.split(fold(spaced)) if t and not _QUESTION_CODE.match(t)]
