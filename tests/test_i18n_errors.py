"""Coded errors in the run's language (issue 15): --lang, else the profile's first language.

A French or Spanish user whose data file cannot be used reads the whole message in their
language: the code's message, the reasons inside it, the severity and the location words.
"""

from __future__ import annotations

import pickle
import shutil

import pytest
import yaml
from click.testing import CliRunner

from migmodule import i18n
from migmodule.cli import main
from migmodule.codes import Finding, Location, all_codes
from migmodule.validate import codes
from test_validate_cli import SAMPLE, english_found, html_text

# The codes a data manager meets first: validate's own, the language option, and the profile's
# commonest mistakes. Each has its message in every complete catalogue (no English fallback).
FIRST_MET = {
    "I18N-LANG-001",
    "PROFILE-INIT-001",
    "PROFILE-COUNTRY-001",
    "PROFILE-DATA-001",
    "PROFILE-LEVEL-001",
}
OTHERS = [lang for lang in i18n.complete_languages() if lang != "en"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def unmatched_file(tmp_path):
    path = tmp_path / "nothing.csv"
    path.write_text("x,y\n1,2\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_an_unusable_file_is_refused_in_the_chosen_language(tmp_path, lang):
    data = unmatched_file(tmp_path)
    result = invoke("validate", data, "--module", "person-core", "--lang", lang)
    assert result.exit_code == 2, result.output
    assert "VAL-LEVEL-001" in result.stderr and "Traceback" not in result.output
    assert english_found(result.stderr, lang) == []
    expected = {"fr": "aucune de ses variables", "es": "ninguna de sus variables"}[lang]
    assert expected in result.stderr
    # the check would see English: the same run without --lang is English
    english = invoke("validate", data, "--module", "person-core")
    assert "none of its variables is a question of the module" in english.stderr
    assert english_found(english.stderr, lang) != []


def test_the_profiles_first_language_is_the_errors_language_without_lang(tmp_path):
    profile = yaml.safe_load((SAMPLE / "census.profile.yaml").read_text(encoding="utf-8"))
    profile["languages"] = ["es", "en"]
    profile["modules"][0]["files"] = {"nowhere": "census_persons.sav"}  # no such level
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    shutil.copy(SAMPLE / "census_persons.sav", tmp_path / "census_persons.sav")
    result = invoke("validate", "--profile", path)
    assert result.exit_code == 2, result.output
    # refused when the profile is read (PROFILE-LEVEL-001) or when files are matched (VAL-LEVEL-001)
    assert "LEVEL-001 [error]" in result.stderr
    assert "no tiene el nivel «nowhere»" in result.stderr
    assert english_found(result.stderr, "es") == []


@pytest.mark.parametrize("lang", ["en", "fr", "es", "pt"])
def test_the_level_error_names_the_file_once(tmp_path, lang):
    """VAL-LEVEL-001 printed the path in its location and again in its message."""
    data = unmatched_file(tmp_path)
    result = invoke("validate", data, "--module", "person-core", "--lang", lang)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("nothing.csv") == 1, result.stderr


def test_english_errors_are_unchanged():
    finding = Finding.make(
        codes.DATA_LEVEL,
        Location(file="a.csv", question="sex", variable="P04"),
        path="a.csv",
        reason=i18n.Phrase("reason.no_module_question"),
        levels="person",
    )
    assert i18n.error_line("en", finding) == str(finding)
    french = i18n.error_line("fr", finding)
    assert french.startswith("VAL-LEVEL-001 [erreur] a.csv, question sex, variable P04: ")
    assert "aucune de ses variables" in french and "none of" not in french


@pytest.mark.parametrize("lang", OTHERS)
def test_the_codes_met_first_have_their_message_in_every_language(lang):
    missing = set(i18n.untranslated_codes(lang))
    first = FIRST_MET | {code for code in all_codes() if code.startswith("VAL-")}
    assert sorted(first & missing) == []


def test_the_english_catalogue_holds_the_codes_own_wording():
    """A code's English message is written once: its define() template and the catalogue agree."""
    for code, issue in all_codes().items():
        key = f"finding.{code}.message"
        if key in i18n.catalogue("en") and not isinstance(issue.template, i18n.Template):
            assert i18n.entry("en", key) == issue.template, code
            assert i18n.word("en", f"finding.{code}.title") == issue.title, code


def test_phrases_inside_values_survive_pickling_and_are_said_in_each_language():
    details = i18n.Joined(
        "; ",
        [
            i18n.Phrase("reason.label_drift", code="1", file="Homme", spec="Male"),
            i18n.Phrase("reason.label_drift", code="2", file="Femme", spec="Female"),
        ],
    )
    assert (
        details
        == "1 is 'Homme' in the file, 'Male' in the spec; 2 is 'Femme' in the file, 'Female' in the spec"
    )
    again = pickle.loads(pickle.dumps(details))  # Dask workers send findings back pickled
    assert again.said_in("fr").startswith("1 est « Homme » dans le fichier")
    assert again.said_in("es").endswith("2 es «Femme» en el archivo, «Female» en la especificación")


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_label_drift_details_are_in_the_reports_language(tmp_path, lang):
    html = tmp_path / "r.html"
    result = invoke(
        "validate",
        SAMPLE / "census_persons.sav",
        "--profile",
        SAMPLE / "census.profile.yaml",
        "--lang",
        lang,
        "--report",
        html,
        "--checks",
        "labels",
    )
    assert result.exit_code in (0, 1), result.output
    text = html_text(html)
    assert "DATA-CODE-003" in text
    assert {"fr": "dans le fichier", "es": "en el archivo"}[lang] in text
    assert "in the file" not in text and "in the spec" not in text
    assert english_found(text, lang) == []


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_a_missing_data_file_is_said_in_the_chosen_language(tmp_path, lang):
    result = invoke("validate", tmp_path / "missing.sav", "--module", "person-core", "--lang", lang)
    assert result.exit_code == 2, result.output
    assert "VAL-FILE-001" in result.stderr
    assert i18n.word(lang, "reason.no_such_file") in result.stderr
    assert english_found(result.stderr, lang) == []


def test_a_bad_missing_value_mapping_is_said_in_the_reports_language():
    from migmodule.codes import MigmoduleError
    from migmodule.validate.settings import stata_missing_map

    for mapping, english in (
        ({"1": "refused"}, "not a letter a-z"),
        ({"a": "maybe"}, "'maybe' is not a kind of missing value"),
        ({"a": "other"}, "'other' is a substantive answer"),
    ):
        with pytest.raises(MigmoduleError) as caught:
            stata_missing_map(mapping)
        assert english in str(caught.value)
        spanish = i18n.error_line("es", caught.value.finding)
        assert english not in spanish and "VAL-OPTION-002 [error]" in spanish
        assert english_found(spanish, "es") == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "n'a pas de question « sexx » (dans variables). Vouliez-vous dire sex ?"),
        ("es", "no tiene la pregunta «sexx» (en variables). ¿Quiso decir sex?"),
        ("en", "has no question 'sexx' (in variables). Did you mean sex?"),
    ],
)
def test_profile_check_speaks_the_profiles_language(tmp_path, lang, expected):
    profile = yaml.safe_load((SAMPLE / "census.profile.yaml").read_text(encoding="utf-8"))
    profile["languages"] = [lang, "en"] if lang != "en" else ["en"]
    profile["modules"][0]["variables"]["sexx"] = "P04_SEX"
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    result = invoke("profile", "check", path)
    assert result.exit_code == 1, result.output
    assert "PROFILE-QUESTION-001" in result.output and expected in result.output
    if lang != "en":
        assert english_found(result.output, lang) == []


def test_a_clean_profile_check_says_so_in_the_profiles_language(tmp_path):
    profile = yaml.safe_load((SAMPLE / "census.profile.yaml").read_text(encoding="utf-8"))
    profile["languages"] = ["pt"]
    module = profile["modules"][0]
    module.setdefault("parameters", {})["ADMIN_AREAS"] = [{"code": 1, "label": "Norte"}]
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    result = invoke("profile", "check", path)
    assert result.exit_code == 0, result.output
    assert "nenhuma constatação" in result.stderr and "no findings" not in result.stderr
