"""`migmodule compare` speaks the user's language (issue 15 follow-up: French and Spanish NSO staff).

The terminal lines, the statuses, every reason and piece of evidence, the defects and the HTML,
XLSX and Markdown reports are in --lang (else the profile's first language); the national form's
own texts and names are shown as the form has them, and the JSON report keeps its English.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import paths
from migmodule.cli import main
from migmodule.compare import compare, read_form
from migmodule.compare.xpath import LogicError, parse_xpath
from migmodule.matching.text import clean_label
from test_compare import CHOICES, MODULE, ROSTER, _form
from test_i18n_coverage import english_found
from test_validate_cli import html_text, xlsx_text

REACH = paths.CORPUS / "reach-msna18"
REACH_FORM = [REACH / "SOM_QUESTIONS.csv", REACH / "SOM_CHOICES.csv"]
AMERICAS = [paths.CORPUS / "unhcr-surveydesigner" / "household_survey_americas.xlsx"]
KENYA = [paths.CORPUS / "istat-cspro2csv" / "CensusMainShortForm.dcf"]
needs_reach = pytest.mark.skipif(
    not all(path.exists() for path in REACH_FORM + AMERICAS + KENYA), reason="corpus not available"
)


def invoke(*args) -> object:
    return CliRunner().invoke(main, ["compare", *(str(a) for a in args)])


def national_texts(forms: list[Path]) -> list[str]:
    """Every text of the national form a report may quote (names, labels, codes, conditions),
    longest first: they are shown as they are, in whatever language the form was written."""
    form = read_form(forms)
    texts = {form.name, *(path.name for path in forms)}
    for item in form.items:
        texts.add(item.name)
        for label in item.labels.values():
            texts |= {label, clean_label(label)}
        for labels in item.value_labels.values():
            texts |= {str(code) for code in labels} | {str(v) for v in labels.values()}
    for question in form.questions.values():
        texts |= {question.relevant, *question.group_relevants, question.list_name or ""}
    shown = ("label", "name", "list_name", "list name")  # the columns a report quotes
    for sheet in ("survey", "choices"):
        for row in form.sheets.get(sheet) or []:
            texts |= {str(column) for column in row}
            texts |= {str(v) for k, v in row.items() if str(k).startswith(shown) and v is not None}
    return sorted((t for t in texts if len(t.strip()) >= 3), key=len, reverse=True)


def ours(text: str, national: list[str]) -> str:
    """What the program wrote: the national texts (whole words only: a code 'ask' must not hide
    'asked') and the quotations (« ») taken out."""
    pieces = "|".join(re.escape(piece) for piece in national)
    text = re.sub(rf"(?<![\w-])(?:{pieces})(?![\w-])", " ", text)
    return re.sub(r"«[^»]*»", " ", text)


def markdown_text(path: Path) -> str:
    return re.sub(r"\\(.)", r"\1", path.read_text(encoding="utf-8"))


# The user's command, in French and in Spanish; and two other kinds of form ---------------------


@needs_reach
@pytest.mark.parametrize(
    ("forms", "lang"),
    [(REACH_FORM, "fr"), (REACH_FORM, "es"), (AMERICAS, "es"), (KENYA, "fr")],
    ids=["reach-fr", "reach-es", "xlsform-es", "cspro-fr"],
)
def test_no_english_word_of_ours_in_any_output(tmp_path, forms, lang):
    reports = [tmp_path / f"coverage.{suffix}" for suffix in ("html", "xlsx", "md", "json")]
    options = [x for report in reports for x in ("--report", report)]
    result = invoke(*forms, "-m", "census-key-questions", "--lang", lang, *options)
    assert result.exit_code == 0, result.output
    outputs = {
        "terminal": result.output,
        "html": html_text(reports[0]),
        "xlsx": xlsx_text(reports[1]),
        "md": markdown_text(reports[2]),
    }
    national = national_texts(forms)
    for name, text in outputs.items():
        assert english_found(ours(text, national), lang) == [], name
    if forms == REACH_FORM and lang == "fr":
        # the detector is not blind: the same run in English is full of the words it looks for
        english = invoke(*forms, "-m", "census-key-questions")
        found = set(english_found(ours(english.output, national), lang))
        assert {"asked differently", "no national item matches its text"} <= found
        assert "defects in the national form" in found


@needs_reach
def test_the_french_run_says_what_the_user_reads(tmp_path):
    result = invoke(*REACH_FORM, "-m", "census-key-questions", "--lang", "fr")
    lines = result.output.splitlines()
    sex = next(line for line in lines if line.split()[:1] == ["sex"])
    assert "posée autrement par resp_gender : posée au seul répondant" in sex
    assert "et non à chaque membre du ménage" in sex  # the module's level, in French
    assert any(
        re.fullmatch(
            r"\d+ posées? comme dans la norme, \d+ posées? autrement, \d+ absentes? ; "
            r"\d+ défauts? dans le questionnaire national",
            line,
        )
        for line in lines
    ), result.output
    assert any(line.startswith("  COMPARE-LOGIC-004 [avertissement]") for line in lines)
    assert "« yes » inattendu à la colonne 1" in result.output


# The JSON report --------------------------------------------------------------------------------
def _shape(value):
    if isinstance(value, dict):
        return {key: _shape(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


def test_the_json_report_keeps_its_english_keys_and_reasons(tmp_path):
    forms = _form(tmp_path, ROSTER, CHOICES)
    written = {}
    for lang in ("en", "fr"):
        out = tmp_path / f"{lang}.json"
        result = invoke(*forms, "-m", MODULE, "--lang", lang, "--report", out)
        assert result.exit_code == 0, result.output
        written[lang] = json.loads(out.read_text(encoding="utf-8"))
    english, french = written["en"], written["fr"]
    assert _shape(french) == _shape(english)
    assert french["language"] == "fr"
    for en_q, fr_q in zip(english["questions"], french["questions"], strict=True):
        for key in ("status", "summary", "evidence", "differences"):
            assert fr_q[key] == en_q[key]
    residence = next(q for q in french["questions"] if q["question"] == "residence_1y_ago")
    assert residence["summary"].startswith("asked differently by res1y: universe narrower: ")
    assert residence["universe"]["verdict"] == "narrower"


# Reasons are words said in the reader's language ------------------------------------------------
def test_reasons_are_said_in_each_language_and_survive_pickling(tmp_path):
    coverage = compare(_form(tmp_path, ROSTER, CHOICES), MODULE)
    residence = next(q for q in coverage.questions if q.question == "residence_1y_ago")
    english = str(residence.summary)
    assert english.startswith("asked differently by res1y: universe narrower: a respondent with")
    said = {lang: residence.summary.said_in(lang) for lang in ("fr", "es", "pt")}
    assert said["fr"].startswith(
        "posée autrement par res1y : univers plus restreint : un répondant avec"
    )
    assert said["es"].startswith("preguntada de otra forma por res1y: universo más restringido:")
    assert said["pt"].startswith("perguntada de outra forma por res1y: universo mais restrito:")
    missing = next(q for q in coverage.questions if q.question == "country_of_birth")
    assert missing.summary.said_in("es").startswith("ausente: ")
    copied = pickle.loads(pickle.dumps(coverage.questions))  # Phrases travel by key
    assert [q.summary.said_in("fr") for q in copied] == [
        q.summary.said_in("fr") for q in coverage.questions
    ]


def test_a_best_guess_shows_its_score_with_the_readers_decimal_sign(tmp_path):
    survey = """
| type    | name           | label::English (en)                 | relevant |
| integer | separated_boys | Separated boys (aged 17 and below)  |          |
"""
    coverage = compare(_form(tmp_path, survey, CHOICES), MODULE)
    guesses = [q for q in coverage.questions if "best guess" in q.summary]
    assert guesses, [q.summary for q in coverage.questions]
    score = re.search(r"\((\d)\.(\d\d): ", str(guesses[0].summary)).groups()
    assert f"({score[0]},{score[1]} : " in guesses[0].summary.said_in("fr")


def test_a_question_about_the_respondent_names_the_modules_level_in_the_language(tmp_path):
    survey = """
| type           | name        | label::English (en)                   | relevant |
| select_one sex | resp_gender | What is the gender of the respondent? |          |
"""
    coverage = compare(_form(tmp_path, survey, CHOICES), MODULE)
    sex = next(q for q in coverage.questions if q.question == "sex")
    assert sex.summary.said_in("es").endswith(
        "preguntada solo a la persona encuestada, no a cada miembro del hogar (residente habitual)"
    )


def test_an_unreadable_condition_says_why_in_the_language():
    with pytest.raises(LogicError) as caught:
        parse_xpath("${IDP01}= \u20185\u2019")
    assert str(caught.value) == "typographic quote \u2018 at column 11"
    assert caught.value.reason.said_in("es") == "comilla tipográfica \u2018 en la columna 11"


# Which language ---------------------------------------------------------------------------------
def test_without_lang_compare_speaks_the_profiles_first_language(tmp_path):
    forms = _form(tmp_path, ROSTER, CHOICES)
    profile = tmp_path / "sen.yaml"
    profile.write_text(
        f"profile_format: 1\nname: sen\nlanguages: [fr, en]\nmodules:\n  - module: {MODULE}\n",
        encoding="utf-8",
    )
    french = invoke(*forms, "--profile", profile)
    assert french.exit_code == 0, french.output
    assert "posée autrement par res1y" in french.output
    english = invoke(*forms, "--profile", profile, "--lang", "en")
    assert "asked differently by res1y" in english.output
    assert "posée" not in english.output
    plain = invoke(*forms, "-m", MODULE)
    assert "asked differently by res1y" in plain.output


def test_the_reports_are_in_the_language(tmp_path):
    forms = _form(tmp_path, ROSTER, CHOICES)
    reports = [tmp_path / f"c.{suffix}" for suffix in ("html", "md", "xlsx")]
    options = [x for report in reports for x in ("--report", report)]
    result = invoke(*forms, "-m", MODULE, "--lang", "es", *options)
    assert result.exit_code == 0, result.output
    page = reports[0].read_text(encoding="utf-8")
    assert '<html lang="es"' in page and "<h1>Cobertura de census-key-questions@1.0.0" in page
    assert "<th>variable nacional</th>" in page
    assert "### residence\\_1y\\_ago: preguntada de otra forma" in reports[1].read_text("utf-8")
    from openpyxl import load_workbook

    book = load_workbook(reports[2])
    assert book.sheetnames == ["cobertura", "defectos", "parámetros"]
    assert [c.value for c in book["cobertura"][1]][:3] == ["pregunta", "nivel", "estado"]


def test_help_says_what_lang_covers():
    result = CliRunner().invoke(main, ["compare", "--help"])
    text = " ".join(result.output.split())
    assert "Language of the module texts and of everything compare says" in text
    assert "profile's first language" in text and "JSON keeps its English" in text


def test_national_categories_are_shown_in_the_language_when_the_form_has_it(tmp_path):
    survey = """
| type           | name | label::English (en)      | label::Français (fr)     |
| select_one sex | sex  | What is the sex of NAME? | Quel est le sexe de NAME ? |
"""
    choices = """
| list_name | name | label::English (en) | label::Français (fr) |
| sex       | 1    | Male                | Masculin             |
| sex       | 2    | Female              | Féminin              |
| sex       | 3    | Intersex            | Intersexe            |
"""
    forms = _form(tmp_path, survey, choices)
    french = compare(forms, MODULE, language="fr")
    sex = next(q for q in french.questions if q.question == "sex")
    assert sex.codes.no_home == [("3", "Intersexe")]
    assert sex.national_label == "Quel est le sexe de NAME ?"
    english = compare(forms, MODULE)
    assert next(q for q in english.questions if q.question == "sex").codes.no_home == [
        ("3", "Intersex")
    ]


def test_a_lone_item_gets_the_same_level_under_every_hash_seed(tmp_path):
    """'sex' outside any group votes for the person and the emigrant levels alike: the tie goes to
    the level the module declares first, never to the order a set happened to have (the same
    form was 'asked as the standard' or 'missing' from one run to the next)."""
    import subprocess
    import sys

    forms = _form(
        tmp_path, "| type | name | label::English (en) |\n| select_one sex | sex | Sex |", CHOICES
    )
    script = (
        "import sys; from migmodule.compare import compare; "
        f"c = compare(sys.argv[1:], {MODULE!r}); "
        "print(next(q.status + ' ' + str(q.item) for q in c.questions if q.question == 'sex'))"
    )
    seen = set()
    for seed in ("1", "2", "3"):
        run = subprocess.run(
            [sys.executable, "-c", script, *map(str, forms)],
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
            check=True,
        )
        seen.add(run.stdout.strip())
    assert seen == {"standard sex"}
