"""Module text in one language, with placeholders ({COUNTRY_NAME}, {REF_DATE-1Y}, {PARAM}) filled in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from migmodule.countries import THIS_COUNTRY_PLACEHOLDER, country_name, french_phrases
from migmodule.spec.model import Module

PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)(-(\d+)Y)?\}")
THIS_COUNTRY = {"en": "this country", "fr": "ce pays", "es": "este país"}
# {COUNTRY_IN} / {COUNTRY_OF}: "in Kenya", "au Kenya", "en Kenya"; "of Kenya", "du Kenya", "de Kenya".
IN_THIS_COUNTRY = {"en": "in this country", "fr": "dans ce pays", "es": "en este país"}
OF_THIS_COUNTRY = {"en": "of this country", "fr": "de ce pays", "es": "de este país"}
IN_WORD = {"en": "in", "fr": "en", "es": "en"}
OF_WORD = {"en": "of", "fr": "de", "es": "de"}


def _years_before(iso: str, years: int) -> dt.date:
    day = dt.date.fromisoformat(iso)
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


MONTHS = {
    "en": "January February March April May June July August September October November December",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
}
DATE_FORMATS = {
    "en": "{day} {month} {year}",
    "fr": "{day} {month} {year}",
    "es": "{day} de {month} de {year}",
}


def long_date(day: dt.date, lang: str) -> str:
    """A date as people write it in question text: 24 August 2028, 24 août 2028, 24 de agosto de 2028."""
    months = MONTHS.get(lang, MONTHS["en"]).split()
    template = DATE_FORMATS.get(lang, DATE_FORMATS["en"])
    return template.format(day=day.day, month=months[day.month - 1], year=day.year)


def _country_phrases(country: int, name: str, lang: str) -> dict[str, str]:
    if country == THIS_COUNTRY_PLACEHOLDER:
        return {
            "COUNTRY_IN": IN_THIS_COUNTRY.get(lang, IN_THIS_COUNTRY["en"]),
            "COUNTRY_OF": OF_THIS_COUNTRY.get(lang, OF_THIS_COUNTRY["en"]),
        }
    french = french_phrases(country) if lang == "fr" else None
    if french is not None:
        return {"COUNTRY_IN": french.in_country, "COUNTRY_OF": french.of_country}
    return {
        "COUNTRY_IN": f"{IN_WORD.get(lang, 'in')} {name}",
        "COUNTRY_OF": f"{OF_WORD.get(lang, 'of')} {name}",
    }


def placeholder_values(module: Module, params: dict[str, Any], lang: str) -> dict[str, str]:
    values = {
        name: (value.get(lang) or value.get("en", "")) if isinstance(value, dict) else str(value)
        for name, value in params.items()
        if not isinstance(value, list)
    }
    country = params.get("COUNTRY")
    if country is not None:
        if country == THIS_COUNTRY_PLACEHOLDER:
            values["COUNTRY_NAME"] = THIS_COUNTRY.get(lang, THIS_COUNTRY["en"])
        else:
            values["COUNTRY_NAME"] = country_name(country, lang, in_sentence=True) or str(country)
        values.update(_country_phrases(country, values["COUNTRY_NAME"], lang))
    for param in module.parameters:
        value = params.get(param.id)
        if param.type == "date" and value:
            values[param.id] = long_date(dt.date.fromisoformat(value), lang)
    if params.get("REF_DATE"):
        values["REF_YEAR"] = params["REF_DATE"][:4]
    return values


def fill(text: str, module: Module, params: dict[str, Any], lang: str) -> str:
    """Replace placeholders; one that cannot be filled is left as it is (lint reports unknown names)."""
    values = placeholder_values(module, params, lang)

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
