"""The built-in list of countries and areas (UN M49, ISO 3166-1 crosswalk, names in en/fr/es).

The data file and its provenance are in data/countries.csv and data/countries.md.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

# The generic "this country" placeholder used when no census country is set (not an M49 code).
THIS_COUNTRY_PLACEHOLDER = 0


@dataclass(frozen=True)
class Country:
    m49: int
    iso2: str
    iso3: str
    names: dict[str, str]  # language -> name
    region: str


@cache
def countries() -> tuple[Country, ...]:
    with resources.files("migmodule").joinpath("data/countries.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        Country(
            m49=int(row["m49"]),
            iso2=row["iso2"],
            iso3=row["iso3"],
            names={"en": row["name_en"], "fr": row["name_fr"], "es": row["name_es"]},
            region=row["region_en"],
        )
        for row in rows
    )


@cache
def by_m49() -> dict[int, Country]:
    return {c.m49: c for c in countries()}


@cache
def _by_alpha() -> dict[str, Country]:
    table: dict[str, Country] = {}
    for country in countries():
        for code in (country.iso2, country.iso3):
            if code:
                table[code.upper()] = country
    return table


def lookup(value: str | int) -> Country | None:
    """Find a country by M49 number (4, '004') or ISO alpha-2/alpha-3 code ('AF', 'AFG')."""
    text = str(value).strip()
    if text.isdigit():
        return by_m49().get(int(text))
    return _by_alpha().get(text.upper())


# UN French and Spanish short names carry the article in parentheses ("Kenya (le)",
# "Francia (la)"): right in a list, wrong inside a sentence.
_ARTICLE = re.compile(r"\s*\((le|la|l'|l’|les|el|los|las)\)$")


def country_name(code: int | None, language: str, *, in_sentence: bool = False) -> str | None:
    """The country's name; `in_sentence` drops the list-form article ("Kenya (le)" -> "Kenya")."""
    country = by_m49().get(code) if code is not None else None
    if country is None:
        return None
    name = country.names.get(language)
    return _ARTICLE.sub("", name) if in_sentence and name else name


@dataclass(frozen=True)
class FrenchPhrases:
    """How French says "in" and "of" a country: "au Sénégal", "en Côte d'Ivoire", "aux Comores";
    "du Sénégal", "de la Côte d'Ivoire", "des Comores"."""

    in_country: str
    of_country: str


@cache
def _french_phrases() -> dict[int, FrenchPhrases]:
    # The table is data (data/country_prepositions_fr.csv), not a rule: the UN list article decides
    # most cases, but islands ("à Cuba"), "à la Barbade" and names without an article do not follow it.
    path = resources.files("migmodule").joinpath("data/country_prepositions_fr.csv")
    with path.open(encoding="utf-8") as fh:
        return {
            int(row["m49"]): FrenchPhrases(in_country=row["in_fr"], of_country=row["of_fr"])
            for row in csv.DictReader(fh)
        }


def french_phrases(code: int | None) -> FrenchPhrases | None:
    """The French "in"/"of" phrases of a country by M49 code, or None for a code not in the list."""
    return _french_phrases().get(code) if code is not None else None
