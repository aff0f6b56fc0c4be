"""French "in"/"of" phrases of countries (data/country_prepositions_fr.csv) and the {COUNTRY_IN} and
{COUNTRY_OF} text placeholders they fill."""

from __future__ import annotations

import pytest

from migmodule.countries import countries, french_phrases


@pytest.mark.parametrize(
    "m49, in_country, of_country",
    [
        (686, "au Sénégal", "du Sénégal"),
        (384, "en Côte d'Ivoire", "de la Côte d'Ivoire"),
        (174, "aux Comores", "des Comores"),
        (450, "à Madagascar", "de Madagascar"),
        (4, "en Afghanistan", "de l'Afghanistan"),
        (52, "à la Barbade", "de la Barbade"),
        (840, "aux États-Unis d'Amérique", "des États-Unis d'Amérique"),
        (404, "au Kenya", "du Kenya"),
    ],
)
def test_french_phrases_follow_usage(m49, in_country, of_country):
    phrases = french_phrases(m49)
    assert (phrases.in_country, phrases.of_country) == (in_country, of_country)


def test_every_country_of_the_builtin_list_has_its_phrases():
    missing = [c.m49 for c in countries() if french_phrases(c.m49) is None]
    assert missing == []


def test_the_table_names_the_same_country_as_the_builtin_list():
    import csv
    from importlib import resources

    path = resources.files("migmodule").joinpath("data/country_prepositions_fr.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = {c.m49: c.names["fr"] for c in countries()}
    assert {int(r["m49"]): r["name_fr"] for r in rows} == names
    for row in rows:  # a phrase starts with its preposition and never keeps the list article
        assert row["in_fr"].split(" ")[0] in ("au", "aux", "en", "à", "dans", "sur"), row
        assert "(le)" not in row["in_fr"] and "(la)" not in row["in_fr"], row


def test_unknown_codes_have_no_phrases():
    assert french_phrases(0) is None
    assert french_phrases(None) is None
    assert french_phrases(996) is None


@pytest.mark.parametrize(
    "country, lang, expected",
    [
        (686, "fr", "Née au Sénégal, de nationalité du Sénégal"),
        (384, "fr", "Née en Côte d'Ivoire, de nationalité de la Côte d'Ivoire"),
        (174, "fr", "Née aux Comores, de nationalité des Comores"),
        (0, "fr", "Née dans ce pays, de nationalité de ce pays"),
        (404, "en", "Née in Kenya, de nationalité of Kenya"),
        (404, "es", "Née en Kenya, de nationalité de Kenya"),
    ],
)
def test_country_in_and_of_placeholders(country, lang, expected):
    from pathlib import Path

    from migmodule.spec.registry import load_module
    from migmodule.spec.text import fill

    spec = Path(__file__).resolve().parents[1] / "modules" / "census-key-questions" / "1.0.0.yaml"
    module = load_module(spec)
    text = "Née {COUNTRY_IN}, de nationalité {COUNTRY_OF}"
    assert fill(text, module, {"COUNTRY": country}, lang) == expected
