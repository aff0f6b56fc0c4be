"""Module text in one language, with placeholders ({COUNTRY_NAME}, {REF_DATE-1Y}, {PARAM}) filled in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from migmodule.countries import THIS_COUNTRY_PLACEHOLDER, country_name
from migmodule.spec.model import Module

PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)(-(\d+)Y)?\}")
THIS_COUNTRY = {"en": "this country", "fr": "ce pays", "es": "este país"}


def _years_before(iso: str, years: int) -> dt.date:
    day = dt.date.fromisoformat(iso)
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def placeholder_values(module: Module, params: dict[str, Any], lang: str) -> dict[str, str]:
    values = {name: str(value) for name, value in params.items() if not isinstance(value, list)}
    country = params.get("COUNTRY")
    if country is not None:
        if country == THIS_COUNTRY_PLACEHOLDER:
            values["COUNTRY_NAME"] = THIS_COUNTRY.get(lang, THIS_COUNTRY["en"])
        else:
            values["COUNTRY_NAME"] = country_name(country, lang, in_sentence=True) or str(country)
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
                return _years_before(params[name], int(years)).isoformat()
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
