"""A level's noun said in the singular in each language ("Cada hogar debe tener una sola fila"):
the Spanish report read "Cada hogare" when the plural's last letter was dropped."""

from __future__ import annotations

import pytest

from migmodule.spec.registry import list_modules, load_module
from migmodule.validate.checks.base import singular


@pytest.mark.parametrize(
    ("lang", "plural", "one"),
    [
        ("en", "households", "household"),
        ("en", "household members", "household member"),
        ("es", "hogares", "hogar"),
        ("es", "personas", "persona"),
        ("es", "emigrantes", "emigrante"),
        ("es", "miembros del hogar", "miembro del hogar"),
        ("fr", "ménages", "ménage"),
        ("fr", "émigrés", "émigré"),
        ("fr", "membres du ménage", "membre du ménage"),
        ("pt", "domicílios", "domicílio"),
    ],
)
def test_singular_of_a_level_noun(lang, plural, one):
    assert singular(plural, lang) == one


def test_every_level_noun_of_the_bank_has_a_singular_in_each_language():
    for entry in list_modules():
        module = load_module(entry.ref)
        for level in module.levels:
            for lang, plural in (level.noun or {}).items():
                one = singular(plural, lang)
                assert one != plural and len(one) < len(plural), (entry.ref, level.id, lang, one)
                assert not (lang == "es" and one.endswith(("re", "le"))), (entry.ref, one)
