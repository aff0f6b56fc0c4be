"""Every issue code speaks every complete language (issue 15).

A French, Spanish or Portuguese user reads each coded message in their language: the catalogue
holds a title and a message for every code (a new code without them fails here), each message
renders with the values its code is made with, and the rendered line keeps no English words of
the catalogue.
"""

from __future__ import annotations

import re
import string
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

import paths
from migmodule import i18n
from migmodule.cli import main
from migmodule.codes import Finding, Location, all_codes
from test_validate_cli import english_phrases

OTHERS = [lang for lang in i18n.complete_languages() if lang != "en"]


@cache
def _english(lang: str) -> re.Pattern:
    phrases = sorted(english_phrases(lang), key=len, reverse=True)
    return re.compile("|".join(rf"(?<![\w-]){re.escape(p)}(?![\w-])" for p in phrases))


def english_found(text: str, lang: str) -> list[str]:
    """test_validate_cli.english_found with the phrase list built once per language."""
    text = re.sub(r"(?:[A-Za-z]:)?[\\/][^\s'\"<>]+", " ", text)  # file paths are the user's
    return sorted(found.group() for found in _english(lang).finditer(text))


def test_the_other_languages_are_the_ones_issue_15_asks_for():
    assert {"fr", "es", "pt"} <= set(OTHERS)


@pytest.mark.parametrize("lang", i18n.complete_languages())
def test_no_code_is_left_in_english(lang):
    assert i18n.untranslated_codes(lang) == []


def neutral_values(issue) -> dict:
    """A value for every field of a code's English template: digits only, so that any English
    word in the rendered line comes from the catalogue, not from the values."""
    text = (
        entry
        if isinstance(entry := i18n.entry("en", f"finding.{issue.code}.message"), str)
        else entry["other"]
    )
    values = {}
    for _, field, spec, _ in string.Formatter().parse(text):
        if not field:
            continue
        name = field.split(".")[0].split("[")[0]
        if spec and spec.startswith("percent"):
            values[name] = 0.25
        elif spec == "datetime":
            values[name] = datetime(2026, 3, 5, 14, 30)
        else:
            values[name] = 7
    return values


CODES = sorted(all_codes())


@pytest.mark.parametrize("lang", OTHERS)
def test_every_message_renders_in_the_language_with_no_english_words(lang):
    """Each code's line in `lang` (error_line: the message, severity and location words) fills
    every value and keeps no word of the English catalogue. A value named like an argument of
    the catalogue's functions (lang, key) must not break the rendering either."""
    problems = {}
    for code in CODES:
        issue = all_codes()[code]
        finding = Finding.make(
            issue, Location(file="a.csv", question="q1"), **neutral_values(issue)
        )
        line = i18n.error_line(lang, finding)
        assert line.startswith(f"{code} [{i18n.word(lang, f'severity.{issue.severity.value}')}]")
        assert not [name for name in finding.values if f"{{{name}}}" in line], (code, line)
        found = english_found(line, lang)
        if found:
            problems[code] = found
    assert problems == {}


MODULE = "census-key-questions@1.0.0"
OTHER = "labour-migration@2.1.0"

# One code of each area with the values a run gives it (names, files, codes: no English words).
# CLI-USAGE-001 is left out: its value is click's own English sentence.
REALISTIC = {
    "APPLY-VAR-002": {"variable": "P17", "modules": MODULE},
    "COMPARE-LOGIC-003": {
        "column": "relevant",
        "variable": "P12",
        "other": "P11",
        "code": "Yes",
        "list_name": "yes_no",
        "choices": "1, 2",
    },
    "CSPRO-CODES-001": {"code_list": "admin_area", "parameter": "ADMIN_AREAS"},
    "DDI-NAME-001": {"variable": "age", "module": MODULE, "other": OTHER, "level": "person"},
    "EXPR-PARAM-001": {"name": "REF_DATE"},
    "HANDOUT-LANG-001": {"module": MODULE, "languages": "en, fr", "lang": "pt", "first": "en"},
    "LABEL-NAME-002": {"name": "prev_country_code_x", "limit": 32, "renamed": "prev_country_1"},
    "LINT-CODELIST-002": {"code": 9, "id": "sex"},
    "MAP-OUTPUT-001": {"path": "census.csv"},
    "OUT-WRITE-001": {"path": "out/report.html", "reason": "[Errno 13] out/report.html"},
    "PARAM-TABLE-004": {"name": "RATES", "path": "rates.csv", "line": 5, "key": "KEN", "first": 3},
    "PROFILE-RECODE-007": {
        "module": MODULE,
        "question": "sex",
        "key": "9",
        "variable": "P04",
        "file": "census.sav",
    },
    "REG-VERSION-001": {"name": "census-key-questions", "version": "9.0.0", "available": "1.0.0"},
    "SPEC-FILE-002": {"actual": "census.yaml", "module": MODULE, "expected": f"{MODULE}.yaml"},
    "SPSS-MISSING-002": {
        "count": 5,
        "codes": "95, 96, 97, 98, 99",
        "declared": "96-99",
        "dropped": "95",
    },
    "TAB-EST-003": {"column": "migrante", "examples": "2, 9"},
    "XLSF-NAME-002": {"name": "age", "module": MODULE, "other": OTHER, "renamed": "age_2"},
}


def test_the_sample_covers_every_area():
    areas = {code.split("-")[0] for code in all_codes()}
    assert areas - {code.split("-")[0] for code in REALISTIC} <= {"CLI", "DATA", "VAL", "I18N"}


@pytest.mark.parametrize("lang", OTHERS)
@pytest.mark.parametrize("code", sorted(REALISTIC))
def test_a_realistic_message_is_wholly_in_the_language(code, lang):
    finding = Finding.make(all_codes()[code], Location(module=MODULE), **REALISTIC[code])
    english = str(finding)
    line = i18n.error_line(lang, finding)
    assert line != english and line.startswith(code)
    for value in REALISTIC[code].values():
        assert i18n.number(lang, value) in line if isinstance(value, int) else str(value) in line
    assert english_found(line, lang) == []
    # the same words reach a report through finding_message
    assert i18n.finding_message(lang, finding) in line


# The "wrote ..." lines of the commands, in the run's language ---------------------------------

MINI = Path(__file__).parent / "specs" / "mini.yaml"
KENYA = paths.CORPUS / "istat-cspro2csv" / "CensusMainShortForm.dcf"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize(
    ("languages", "expected"),
    [
        (None, "wrote {path}; fill it in, then run: migmodule profile check {path}"),
        ("en,fr", "wrote {path}; fill it in, then run: migmodule profile check {path}"),
        ("fr,en", "écrit : {path} ; remplissez-le, puis lancez : migmodule profile check {path}"),
        ("es", "escrito: {path}; complételo y luego ejecute: migmodule profile check {path}"),
    ],
)
def test_profile_init_says_what_it_wrote_in_the_profiles_first_language(
    tmp_path, languages, expected
):
    out = tmp_path / "p.yaml"
    result = invoke(
        "profile", "init", MINI, "-o", out, *(["--lang", languages] if languages else [])
    )
    assert result.exit_code == 0, result.output
    assert expected.format(path=out) in result.stderr


def test_an_export_says_what_it_wrote_in_english_by_default(tmp_path):
    out = tmp_path / "form.xlsx"
    result = invoke("export", "xlsform", MINI, "-o", out)
    assert out.exists(), result.output
    assert f"wrote {out} (mini" in result.stderr


@pytest.mark.skipif(not KENYA.exists(), reason="corpus not available")
def test_compare_says_what_it_wrote_in_the_language_of_the_module_texts(tmp_path):
    report, profile = tmp_path / "c.html", tmp_path / "ken.yaml"
    args = ("compare", KENYA, "-m", "census-key-questions@1.0.0", "--report", report, "-o", profile)
    result = invoke(*args, "--lang", "es")
    assert report.exists() and profile.exists(), result.output
    assert f"informe escrito en {report}" in result.output
    assert f"borrador de perfil escrito en {profile}" in result.output
    assert "written to" not in result.output
    english = invoke(*args)
    assert f"report written to {report}" in english.output
    assert f"draft profile written to {profile}" in english.output
