"""Module text in one language, with placeholders ({COUNTRY_NAME}, {REF_DATE-1Y}, {PARAM}) filled in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from migmodule import i18n
from migmodule.countries import THIS_COUNTRY_PLACEHOLDER, country_name, french_phrases
from migmodule.spec.model import Module

PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)(-(\d+)Y)?\}")
# The words filled in ("this country", "in Kenya", a date's pattern) are the ``text`` block of
# the language catalogue (src/migmodule/i18n/<lang>.yaml).


def _years_before(iso: str, years: int) -> dt.date:
    day = dt.date.fromisoformat(iso)
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def long_date(day: dt.date, lang: str) -> str:
    """A date as people write it in question text: 24 August 2028, 24 août 2028, 24 de agosto de 2028."""
    return i18n.long_date(lang, day)


def this_country(lang: str) -> str:
    """What a text says for the country before a profile names it: "this country"."""
    return i18n.phrase(lang, "text.this_country")


def _country_phrases(country: int, name: str, lang: str) -> dict[str, str]:
    if country == THIS_COUNTRY_PLACEHOLDER:
        return {
            "COUNTRY_IN": i18n.phrase(lang, "text.in_this_country"),
            "COUNTRY_OF": i18n.phrase(lang, "text.of_this_country"),
        }
    french = french_phrases(country) if lang == "fr" else None
    if french is not None:
        return {"COUNTRY_IN": french.in_country, "COUNTRY_OF": french.of_country}
    return {
        "COUNTRY_IN": i18n.phrase(lang, "text.in_country", country=name),
        "COUNTRY_OF": i18n.phrase(lang, "text.of_country", country=name),
    }


def placeholder_values(
    module: Module, params: dict[str, Any], lang: str, names: set[str] | None = None
) -> dict[str, str]:
    """The text of each placeholder; a date parameter's only when `names` (None: all) holds it:
    a date in words loads Babel's data for the language (0.01 s)."""
    values = {
        name: (value.get(lang) or value.get("en", "")) if isinstance(value, dict) else str(value)
        for name, value in params.items()
        if not isinstance(value, list)
    }
    country = params.get("COUNTRY")
    if country is not None:
        if country == THIS_COUNTRY_PLACEHOLDER:
            values["COUNTRY_NAME"] = this_country(lang)
        else:
            values["COUNTRY_NAME"] = country_name(country, lang, in_sentence=True) or str(country)
        values.update(_country_phrases(country, values["COUNTRY_NAME"], lang))
    for param in module.parameters:
        value = params.get(param.id)
        if param.type == "date" and value and (names is None or param.id in names):
            values[param.id] = long_date(dt.date.fromisoformat(value), lang)
    if params.get("REF_DATE"):
        values["REF_YEAR"] = params["REF_DATE"][:4]
    return values


def fill(text: str, module: Module, params: dict[str, Any], lang: str) -> str:
    """Replace placeholders; one that cannot be filled is left as it is (lint reports unknown names)."""
    names = {match.group(1) for match in PLACEHOLDER.finditer(text)}
    if not names:  # most texts: nothing to work out
        return text
    values = placeholder_values(module, params, lang, names)

    def replace(match: re.Match[str]) -> str:
        name, years = match.group(1), match.group(3)
        if years is not None:
            if name in params and params[name]:
                return long_date(_years_before(params[name], int(years)), lang)
            return match.group(0)
        return values.get(name, match.group(0))

    return PLACEHOLDER.sub(replace, text)


def text_in(value: dict[str, str] | None, lang: str, fallback: str = "en") -> str:
    if not value:
        return ""
    return value.get(lang) or value.get(fallback) or ""


def render(value: dict[str, str] | None, module: Module, params: dict[str, Any], lang: str) -> str:
    return fill(text_in(value, lang), module, params, lang)


def placeholders(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]
