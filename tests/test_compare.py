"""`migmodule compare` on small national forms written as the tables a user would write."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import paths
from migmodule.cli import main
from migmodule.codes import MigmoduleError
from migmodule.compare import compare, draft_profile, read_form, write_report
from migmodule.compare.defects import form_defects
from migmodule.compare.report import cell, md, to_html
from migmodule.compare.xpath import LogicError, parse_cspro, parse_xpath, truth
from migmodule.profile import check_profile, load_profile

MODULE = "census-key-questions@1.0.0"
KENYA = paths.CORPUS / "istat-cspro2csv" / "CensusMainShortForm.dcf"
needs_corpus = pytest.mark.skipif(not KENYA.exists(), reason="corpus not available")


def _table(text: str) -> list[dict[str, str]]:
    """A markdown table as rows: | type | name | label::English (en) | relevant |"""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True))
        for line in lines[1:]
    ]


def _form(tmp_path: Path, survey: str, choices: str) -> list[Path]:
    files = []
    for name, text in (("survey.csv", survey), ("choices.csv", choices)):
        rows = _table(text)
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        files.append(path)
    return files


ROSTER = """
| type            | name    | label::English (en)                      | relevant        |
| begin_repeat    | roster  | Household members                        |                 |
| select_one sex  | sex     | What is the sex of NAME?                 |                 |
| integer         | age     | How old is NAME in completed years?      |                 |
| select_one res1 | res1y   | Where did NAME live one year ago?        | ${age} >= 5     |
| select_one yn   | child   | Did NAME have a child abroad?            | selected(${sex}, 'Yes') |
| end_repeat      |         |                                          |                 |
"""
CHOICES = """
| list_name | name | label::English (en)       |
| sex       | 1    | Male                      |
| sex       | 2    | Female                    |
| res1      | 1    | Same dwelling             |
| res1      | 2    | Elsewhere in this country |
| res1      | 3    | Abroad                    |
| yn        | yes  | Yes                       |
| yn        | no   |                           |
"""


# Reading national logic -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "answers", "expected"),
    [
        ("${x} != '98' or ${x} != '99'", {"x": "98"}, True),
        ("${x} = '1' and ${y} >= 5", {"x": "1", "y": "4"}, False),
        ("${x} = '1' and ${y} >= 5", {"x": "1", "y": "5"}, True),
        ("selected(${m}, 'b')", {"m": "a b"}, True),
        ("not(selected(${m}, 'b'))", {"m": "a"}, True),
        ("${x} != ''", {"x": ""}, False),
        ("${a} + ${b} > 2", {"a": "1", "b": "2"}, True),
    ],
)
def test_xpath_conditions_read_as_odk_does(expression, answers, expected):
    assert truth(parse_xpath(expression), answers) is expected


def test_cspro_ask_if_reads_ranges_and_notappl():
    tree = parse_cspro("P12 >= 5 and P19 in 600:813, 999;")
    assert truth(tree, {"P12": "30", "P19": "640"}) is True
    assert truth(tree, {"P12": "30", "P19": "12"}) is False
    assert truth(parse_cspro("P20 = NOTAPPL"), {"P20": ""}) is True


def test_typographic_quotes_are_not_read():
    with pytest.raises(LogicError, match="typographic"):
        parse_xpath("${IDP01}= \u20185\u2019")


# Authoring defects ------------------------------------------------------------------------------
def test_defects_of_a_form(tmp_path):
    survey = ROSTER.replace("| ${age} >= 5     |", "| ${sex} != '98' or ${sex} != '99' |").replace(
        "| integer         | age     |", "| integer | age |"
    )
    form = read_form(_form(tmp_path, survey, CHOICES))
    found = {(f.code, f.location.variable) for f in form_defects(form)}
    assert ("COMPARE-LOGIC-001", "res1y") in found  # x != 98 or x != 99: always true
    assert ("COMPARE-LOGIC-002", "child") in found  # selected(sex, 'Yes') never true
    assert ("COMPARE-LOGIC-003", "child") in found  # 'Yes' is not a choice of sex
    assert ("COMPARE-LABEL-002", "yn") in found  # choice 'no' has no label


def test_label_columns_shifted_and_unreadable_logic(tmp_path):
    survey = """
| type          | name | label                   | label::English | relevant     |
| select_one yn | here | Always lived here?      |                |              |
| integer       | long | For how long?           |                | ${here}= \u2018no\u2019 |
"""
    choices = """
| list_name | name | label | label::English |
| yn        | yes  |       | Yes            |
| yn        | no   |       | No             |
"""
    form = read_form(_form(tmp_path, survey, choices))
    findings = form_defects(form)
    shifted = [f for f in findings if f.code == "COMPARE-LABEL-001"]
    assert {f.values["sheet"] for f in shifted} == {"survey", "choices"}
    assert any(f.code == "COMPARE-LOGIC-004" and f.location.variable == "long" for f in findings)
    # the text in the bare column is still read as the label
    assert form.items[0].labels[""] == "Always lived here?"


# Statuses and universes -------------------------------------------------------------------------
def test_statuses_and_universe_of_a_small_roster(tmp_path):
    coverage = compare(_form(tmp_path, ROSTER, CHOICES), MODULE)
    by_id = {q.question: q for q in coverage.questions}
    assert by_id["sex"].status == "standard" and by_id["sex"].item == "sex"
    assert by_id["age"].status == "standard"
    residence = by_id["residence_1y_ago"]
    assert residence.status == "different" and residence.item == "res1y"
    assert residence.universe.verdict == "narrower"
    assert residence.universe.translated == "age >= 5"
    assert 1 <= residence.universe.example["age"] < 5  # asked by the module, not nationally
    assert by_id["country_of_birth"].status == "missing"
    assert coverage.counts()["missing"] == len(coverage.questions) - 3


def test_universe_equivalent_when_the_national_condition_is_the_module_one(tmp_path):
    survey = ROSTER.replace("${age} >= 5", "${age} >= 1")
    coverage = compare(_form(tmp_path, survey, CHOICES), MODULE)
    residence = next(q for q in coverage.questions if q.question == "residence_1y_ago")
    assert residence.universe.verdict == "equivalent"
    assert residence.status == "standard"


def test_a_question_about_the_respondent_only_is_asked_differently(tmp_path):
    survey = """
| type           | name        | label::English (en)                 | relevant |
| select_one sex | resp_gender | What is the gender of the respondent? |        |
"""
    coverage = compare(_form(tmp_path, survey, CHOICES), MODULE)
    sex = next(q for q in coverage.questions if q.question == "sex")
    assert sex.status == "different"
    assert "respondent only" in sex.summary


@needs_corpus
def test_one_national_item_holding_two_questions_is_asked_differently():
    coverage = compare([KENYA], MODULE)
    by_id = {q.question: q for q in coverage.questions}
    assert by_id["place_of_birth"].item == by_id["country_of_birth"].item == "P19"
    assert by_id["place_of_birth"].where == "P19 >= 1 and P19 <= 47"
    for question in ("place_of_birth", "country_of_birth"):
        assert by_id[question].status == "different"
        assert "two standard questions" in by_id[question].summary
    # a dictionary without its .apc says nothing about universes
    assert by_id["sex"].universe.verdict == "not compared"
    window = next(p for p in coverage.parameters if p.name == "EMIGRATION_WINDOW_YEARS")
    assert window.value == 15
    areas = next(p for p in coverage.parameters if p.name == "ADMIN_AREAS")
    assert [a["code"] for a in areas.value] == list(range(1, 48))


@needs_corpus
def test_cspro_ask_if_from_the_application(tmp_path):
    apc = tmp_path / "census.apc"
    apc.write_text("PROC P23\npreproc\n  ask if P12 >= 5;\n\nPROC P24\n", encoding="utf-8")
    form = read_form([KENYA, apc])
    assert form.questions["P23"].relevant == "P12 >= 5"
    coverage = compare([KENYA, apc], MODULE)
    reason = next(q for q in coverage.questions if q.question == "reason_for_migration")
    assert reason.universe.translated == "age >= 5"
    assert reason.universe.verdict != "not compared"


# Reports ----------------------------------------------------------------------------------------
HOSTILE = """
| type           | name | label::English (en)                          | relevant |
| begin_repeat   | r    | Members                                      |          |
| select_one sex | sex  | =HYPERLINK("http://x") <script>x</script> sex of NAME |  |
| integer        | age  | How old is NAME?                             | ${sex} != '<script>' |
| end_repeat     |      |                                              |          |
"""


def test_reports_escape_national_text(tmp_path):
    files = _form(tmp_path, HOSTILE, CHOICES)
    coverage = compare(files, MODULE)
    page = to_html(coverage)
    assert "<script>" not in page and "&lt;script&gt;" in page
    write_report(coverage, tmp_path / "c.md", files)
    text = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert "<script>" not in text and "\\<script\\>" in text
    assert md("a|b") == "a\\|b"
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and cell("+1") == "'+1" and cell(3) == 3
    write_report(coverage, tmp_path / "c.xlsx", files)
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "c.xlsx")["coverage"]
    assert not any(
        isinstance(c.value, str) and c.value.startswith("=")
        for row in sheet.iter_rows()
        for c in row
    )
    write_report(coverage, tmp_path / "c.json", files)
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 1
    assert {q["status"] for q in data["questions"]} <= {"standard", "different", "missing"}


def test_reports_never_overwrite_an_input_and_refuse_unknown_formats(tmp_path):
    files = _form(tmp_path, ROSTER, CHOICES)
    coverage = compare(files, MODULE)
    with pytest.raises(MigmoduleError, match="COMPARE-OUTPUT-001"):
        write_report(coverage, files[0].with_suffix(".csv"), files)
    with pytest.raises(MigmoduleError, match="COMPARE-OUTPUT-002"):
        write_report(coverage, tmp_path / "c.pdf", files)


def test_unknown_form_format_is_a_coded_error(tmp_path):
    path = tmp_path / "form.pdf"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(MigmoduleError, match="COMPARE-FORM-001"):
        read_form([path])


def test_draft_profile_of_a_small_form_passes_profile_check(tmp_path):
    coverage = compare(_form(tmp_path, ROSTER, CHOICES), MODULE)
    text = draft_profile(coverage, MODULE)
    assert "# review:" in text
    path = tmp_path / "draft.yaml"
    path.write_text(text, encoding="utf-8")
    assert not [f for f in check_profile(load_profile(path), str(path)) if f.severity == "error"]
    settings = yaml.safe_load(text)["modules"][0]
    assert settings["variables"]["residence_1y_ago"] == "res1y"
    assert settings["universes"]["residence_1y_ago"] == "age >= 5"
    assert "country_of_birth" in settings["exclude"]


# CLI and the Kenya round trip -------------------------------------------------------------------
def test_cli_compare_writes_reports(tmp_path):
    files = _form(tmp_path, ROSTER, CHOICES)
    out = tmp_path / "coverage.json"
    result = CliRunner().invoke(
        main, ["compare", *map(str, files), "-m", MODULE, "--report", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "residence_1y_ago" in result.output and "asked differently" in result.output
    assert json.loads(out.read_text(encoding="utf-8"))["module"] == MODULE


def test_cli_refuses_to_write_over_its_input(tmp_path):
    files = _form(tmp_path, ROSTER, CHOICES)
    result = CliRunner().invoke(
        main, ["compare", *map(str, files), "-m", MODULE, "-o", str(files[0])]
    )
    assert result.exit_code == 2
    assert "COMPARE-OUTPUT-001" in result.output


@needs_corpus
def test_kenya_draft_profile_validates_a_file_with_kenya_names_and_codes(tmp_path):
    profile = tmp_path / "ken.yaml"
    result = CliRunner().invoke(main, ["compare", str(KENYA), "-m", MODULE, "-o", str(profile)])
    assert result.exit_code == 0, result.output
    assert not [
        f for f in check_profile(load_profile(profile), str(profile)) if f.severity == "error"
    ]
    persons = tmp_path / "persons.csv"
    persons.write_text(
        "HHNUMBER,LINE_NUMBER,P11,P12,P19,P16_OPTION,P16,P22,P23\n"
        "1,1,1,34,1,1,541,12,1\n"
        "1,2,2,30,5,1,541,10,3\n"
        "2,1,1,41,790,5,790,4,99\n"
        "2,2,2,8,640,2,640,9999,13\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        ["validate", f"person={persons}", "--profile", str(profile), "--report", str(report)],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    # county codes are read as areas through the proposed ADMIN_AREAS list
    assert not [
        f
        for f in findings
        if f["code"] == "DATA-CODE-001" and f["location"].get("question") == "place_of_birth"
    ]


def test_a_bare_no_is_not_inside_a_category():
    """'No' (not a citizen) was recoded to 'Stateless (citizen of no country)'."""
    from migmodule.matching.codes_evidence import label_similarity

    assert label_similarity("No", "Stateless (citizen of no country)") == 0.0
    assert label_similarity("Marriage", "Family (to join or accompany family, marriage)") >= 0.75


DDI = """<?xml version="1.0" encoding="UTF-8"?>
<codeBook xmlns="ddi:codebook:2_5" version="2.5">
  <dataDscr>
    <var ID="V1" name="NACIONALIDAD" files="F1">
      <labl xml:lang="es">Nacionalidad</labl>
      <universe>Personas nacidas en el extranjero</universe>
      <qstn><qstnLit xml:lang="es">¿Cuál es la nacionalidad de (NOMBRE)?</qstnLit></qstn>
      <catgry><catValu>1</catValu><labl xml:lang="es">Mexicana</labl></catgry>
      <catgry><catValu>3</catValu><labl xml:lang="es">Otra</labl></catgry>
    </var>
    <var ID="V2" name="SEXO" files="F1"><labl xml:lang="es">Sexo</labl>
      <catgry><catValu>1</catValu><labl xml:lang="es">Hombre</labl></catgry>
      <catgry><catValu>3</catValu><labl xml:lang="es">Mujer</labl></catgry>
    </var>
  </dataDscr>
</codeBook>
"""


def test_ddi_codebook_in_spanish_with_its_universe_in_words(tmp_path):
    path = tmp_path / "ddi.xml"
    path.write_text(DDI, encoding="utf-8")
    coverage = compare([path], MODULE, language="es")
    by_id = {q.question: q for q in coverage.questions}
    assert by_id["sex"].item == "SEXO" and by_id["sex"].status == "standard"
    assert by_id["sex"].codes.recode == {"3": 2}  # Mujer -> 2
    assert by_id["sex"].label.startswith("¿")  # the module's text in Spanish
    citizenship = next(q for q in coverage.questions if q.item == "NACIONALIDAD")
    assert citizenship.universe.verdict == "not compared"
    assert "Personas nacidas en el extranjero" in citizenship.universe.why


def test_group_conditions_count_and_interview_gates_do_not(tmp_path):
    survey = """
| type            | name    | label::English (en)                 | relevant            |
| select_one yn   | consent | Do you agree to the interview?      |                     |
| begin_group     | main    | Interview                           | ${consent} = 'yes'  |
| begin_repeat    | roster  | Household members                   |                     |
| select_one sex  | sex     | What is the sex of NAME?            |                     |
| integer         | age     | How old is NAME in completed years? |                     |
| begin_group     | mig     | Migration                           | ${age} >= 5         |
| select_one res1 | res1y   | Where did NAME live one year ago?   |                     |
| end_group       |         |                                     |                     |
| end_repeat      |         |                                     |                     |
| end_group       |         |                                     |                     |
"""
    coverage = compare(_form(tmp_path, survey, CHOICES), MODULE)
    residence = next(q for q in coverage.questions if q.question == "residence_1y_ago")
    assert residence.universe.national == "${age} >= 5"  # consent gates the whole interview
    assert residence.universe.verdict == "narrower"


@pytest.mark.parametrize(
    ("note", "rule"),
    [
        ("A usual member has lived here for 6 months or more", "most_of_12_months"),
        ("Usual residents: persons who lived here for the last 12 months", "12_months"),
    ],
)
def test_residence_rule_proposed_from_the_form(tmp_path, note, rule):
    survey = f"""
| type           | name | label::English (en)      | relevant |
| note           | rule | {note}                   |          |
| begin_repeat   | r    | Members                  |          |
| select_one sex | sex  | What is the sex of NAME? |          |
| end_repeat     |      |                          |          |
"""
    coverage = compare(_form(tmp_path, survey, CHOICES), MODULE)
    proposed = {p.name: p.value for p in coverage.parameters}
    assert proposed["RESIDENCE_RULE"] == rule
    assert f'RESIDENCE_RULE: "{rule}"  # review:' in draft_profile(coverage, MODULE)
