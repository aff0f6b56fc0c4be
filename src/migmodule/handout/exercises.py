"""Exercises dated for the national reference date.

A module's exercises are written for its generic reference date (REF_DATE's default, 1 January
2030): "Census reference date 1 January 2030 ... came back in April 2029". A national profile
sets its own date; the handout then says that date and moves every year of the story (and every
year answer) by the same number of years, so that ages, durations and "one year ago" still hold.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from migmodule import i18n

_YEAR = re.compile(r"(?<![\d.,])(19\d\d|20\d\d)(?![\d.,]\d)")
_MARK = "\x00"


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def long_date(day: dt.date, lang: str) -> str:
    """'1 January 2030', '1 janvier 2030', '1 de enero de 2030' (Babel, the catalogue's pattern)."""
    return i18n.long_date(lang, day)


def _spellings(day: dt.date, lang: str) -> list[str]:
    """Ways a module's text writes a date, longest first ('1er janvier 2030' as well)."""
    out = {long_date(day, lang), day.isoformat()}
    if lang == "fr" and day.day == 1:
        out.add(long_date(day, lang).replace("1 ", "1er ", 1))
    return sorted(out, key=len, reverse=True)


def year_shift(generic: Any, national: Any) -> int:
    """Years to add to the story's years: the national reference year minus the generic one."""
    before, after = as_date(generic), as_date(national)
    if before is None or after is None:
        return 0
    return after.year - before.year


def redate(text: str, lang: str, generic: Any, national: Any) -> str:
    """`text` told for the national reference date instead of the generic one."""
    before, after = as_date(generic), as_date(national)
    if not text or before is None or after is None or before == after:
        return text
    for spelling in _spellings(before, lang):
        text = text.replace(spelling, _MARK)
    shift = after.year - before.year
    if shift:
        text = _YEAR.sub(lambda match: str(int(match.group(1)) + shift), text)
    return text.replace(_MARK, long_date(after, lang))
