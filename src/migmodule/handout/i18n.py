"""The handout's own words: the ``handout`` block of the language catalogue.

Everything a handout says that is not module text (headings, "Go to", "Appendix", the footer...)
is in `src/migmodule/i18n/<lang>.yaml` under ``handout:``; `tests/test_i18n.py` fails when a
language lacks a key. This module only keeps the handout's short name for the look-up.
"""

from __future__ import annotations

from migmodule.i18n import phrase


def word(lang: str, key: str, **values: object) -> str:
    """One template phrase in `lang`, with its {placeholders} filled as written."""
    return phrase(lang, f"handout.{key}", **values)
