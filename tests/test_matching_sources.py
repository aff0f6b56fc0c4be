"""Items from codebooks (XLSForm, CSPro text and JSON, DDI 2.5) and `migmodule map` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import Workbook

from migmodule.cli import main
from migmodule.codes import MigmoduleError
from migmodule.matching.model import Item
from migmodule.matching.sources import read_codebook, with_codebook
from tables import parse_table

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

DCF_TEXT = """\ufeff[Dictionary]
Version=CSPro 7.6
Label=Census
Name=CENSUS_DICT

[Level]
Label=Household
Name=HH_LEVEL

[IdItems]

[Item]
Label=Household Number
Name=HHNO
Len=4

[Record]
Label=Population record
Name=POP_REC
RecordTypeValue='2'

[Item]
Label=P11. Sex
Name=P11
Len=1

[ValueSet]
Label=Sex
Name=P11_VS1
Value=1;Male
Value=2;Female

[Item]
Label=P19. Birth Place
Name=P19
Len=3

[ValueSet]
Label=Birth place
Name=P19_VS1
Value=1:47;County
Value=600;Algeria
Value=601;Angola
Value=602;Benin
Value=999;Not stated/DK
"""

DCF_JSON = {
    "software": "CSPro",
    "version": 8.0,
    "fileType": "dictionary",
    "levels": [
        {
            "name": "L",
            "ids": {"items": [{"name": "HHNO", "labels": [{"text": "Household number"}]}]},
            "records": [
                {
                    "name": "PERSON",
                    "items": [
                        {
                            "name": "SEX",
                            "labels": [{"text": "Sex"}],
                            "valueSets": [
                                {
                                    "values": [
                                        {"labels": [{"text": "Male"}], "pairs": [{"value": "1"}]},
                                        {"labels": [{"text": "Female"}], "pairs": [{"value": "2"}]},
                                        {
                                            "labels": [{"text": "Ages"}],
                                            "pairs": [{"range": [1, 9]}],
                                        },
                                    ]
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    ],
}

DDI = """<?xml version="1.0" encoding="UTF-8"?>
<codeBook xmlns="ddi:codebook:2_5" version="2.5">
  <fileDscr ID="F1"><fileTxt><fileName>persons</fileName></fileTxt></fileDscr>
  <dataDscr>
    <var ID="V1" name="NACIONALIDAD" files="F1">
      <labl xml:lang="es">Nacionalidad</labl>
      <qstn><qstnLit xml:lang="es">¿Cuál es la nacionalidad de (NOMBRE)?</qstnLit></qstn>
      <catgry><catValu>1</catValu><labl xml:lang="es">Mexicana</labl></catgry>
      <catgry><catValu>3</catValu><labl xml:lang="es">Otra</labl></catgry>
    </var>
    <var ID="V2" name="EDAD" files="F1" intrvl="discrete"><labl>Edad</labl></var>
  </dataDscr>
</codeBook>
"""


def xlsform(path: Path, survey: str, choices: str) -> Path:
    """An XLSForm written from two markdown tables (survey and choices sheets)."""
    book = Workbook()
    for sheet_name, table in (("survey", survey), ("choices", choices)):
        sheet = book.active if sheet_name == "survey" else book.create_sheet(sheet_name)
        sheet.title = sheet_name
        rows = parse_table(table)
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append([row[column] or None for column in rows[0]])
    book.save(path)
    return path


SURVEY = """
| type               | name   | label::English (en)              | label::Español (es)          |
|--------------------|--------|----------------------------------|------------------------------|
| text               | hhid   | Household ID                     | Identificador del hogar      |
| begin_repeat       | roster | Household roster                 | Miembros del hogar           |
| select_one sex     | HH04   | 3. What is the sex of ${HH02}?   | 3. ¿Cuál es el sexo de ${HH02}? |
| integer            | HH07   | <b>How old</b> is ${HH02}?       | ¿Cuántos años tiene ${HH02}? |
| note               | n1     | Thank you                        | Gracias                      |
| end_repeat         |        |                                  |                              |
"""
CHOICES = """
| list_name | name | label::English (en) | label::Español (es) |
|-----------|------|---------------------|---------------------|
| sex       | m    | Male                | Hombre              |
| sex       | f    | Female              | Mujer               |
"""


def test_xlsform_items_have_every_language_repeats_and_choices(tmp_path):
    items = {i.name: i for i in read_codebook(xlsform(tmp_path / "f.xlsx", SURVEY, CHOICES))}
    assert set(items) == {"hhid", "HH04", "HH07"}  # groups, repeats and notes are not items
    assert items["HH04"].labels["es"].startswith("3. ¿Cuál es el sexo")
    assert items["HH04"].value_labels == {
        "en": {"m": "Male", "f": "Female"},
        "es": {"m": "Hombre", "f": "Mujer"},
    }
    assert (items["HH04"].group, items["hhid"].group) == ("roster", "")


def test_cspro_text_dictionary_records_value_sets_and_ranges(tmp_path):
    path = tmp_path / "census.dcf"
    path.write_text(DCF_TEXT.replace("\n", "\r\n"), encoding="utf-8")
    items = {i.name: i for i in read_codebook(path)}
    assert items["P11"].value_labels == {"": {1: "Male", 2: "Female"}}
    assert items["P11"].group == "POP_REC" and items["HHNO"].group == ""
    assert 600 in items["P19"].value_labels[""] and "1:47" not in items["P19"].value_labels[""]


def test_cspro_json_dictionary(tmp_path):
    path = tmp_path / "census.dcf"
    path.write_text(json.dumps(DCF_JSON), encoding="utf-8")
    items = {i.name: i for i in read_codebook(path)}
    assert items["SEX"].value_labels == {"": {1: "Male", 2: "Female"}}
    assert items["SEX"].group == "PERSON" and items["HHNO"].labels == {"": "Household number"}


def test_the_same_cspro_dictionary_in_text_and_json_gives_the_same_items():
    text = CORPUS / "cspro-feature-showcase" / "v7.0-text" / "IDB Population Data.dcf"
    data = CORPUS / "cspro-feature-showcase" / "v8.0-json" / "IDB Population Data.dcf"
    if not text.exists():
        pytest.skip("shared corpus not present")

    def summary(path):
        return [(i.name, i.labels, i.value_labels, i.group) for i in read_codebook(path)]

    assert summary(text) == summary(data)


def test_ddi_codebook_labels_question_texts_and_categories(tmp_path):
    path = tmp_path / "ddi.xml"
    path.write_text(DDI, encoding="utf-8")
    items = {i.name: i for i in read_codebook(path)}
    assert items["NACIONALIDAD"].labels["es"] == "Nacionalidad"
    assert "¿Cuál es la nacionalidad" in items["NACIONALIDAD"].labels["es:question"]
    assert items["NACIONALIDAD"].value_labels == {"es": {1: "Mexicana", 3: "Otra"}}
    assert items["EDAD"].group == "F1"


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("form.pdf", "x", "MAP-CODEBOOK-001"),
        ("ddi.xml", "<codeBook><var", "MAP-CODEBOOK-002"),
        ("ddi.xml", "<html/>", "MAP-CODEBOOK-002"),
        ("dict.dcf", "not a dictionary", "MAP-CODEBOOK-002"),
        ("dict.dcf", "{broken json", "MAP-CODEBOOK-002"),
        ("form.xlsx", "not a zip file", "MAP-CODEBOOK-002"),
    ],
)
def test_unreadable_codebooks_are_coded_errors(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MigmoduleError) as error:
        read_codebook(path)
    assert error.value.finding.code == code


def test_codebook_entries_are_found_by_name_without_group_path():
    data = [Item("grp/roster/HH04", group="f.csv"), Item("other", group="f.csv")]
    book = [Item("HH04", {"en": "Sex"}, {"en": {"m": "Male"}}, "select_one", "roster")]
    merged = with_codebook(data, book)
    assert merged[0].labels == {"en": "Sex"} and merged[0].group == "roster"
    assert merged[0].name == "grp/roster/HH04" and merged[1].labels == {}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_map_a_csv_with_its_xlsform(tmp_path):
    data = tmp_path / "export.csv"
    data.write_text("hhid,roster/HH04,roster/HH07,start\n1,m,40,x\n", encoding="utf-8")
    before = data.read_bytes()
    form = xlsform(tmp_path / "form.xlsx", SURVEY, CHOICES)
    out = tmp_path / "profile.yaml"
    result = invoke("map", data, "-m", "census-key-questions", "--codebook", form, "-o", out)
    assert result.exit_code == 0, result.output
    # the terminal shows scores and evidence
    assert (
        "sex <- roster/HH04" in result.output
        and 'label (en) "What is the sex of ?"' in result.output
    )
    text = out.read_text(encoding="utf-8")
    profile = yaml.safe_load(text)
    module = profile["modules"][0]
    assert module["variables"] == {"sex": "roster/HH04", "age": "roster/HH07"}
    assert module["ids"] == {"hh_id": "hhid"}
    assert module["recodes"]["sex"] == {"m": 1, "f": 2}  # text keys from the choice names
    assert all("# review" in line for line in text.splitlines() if line.startswith("      sex:"))
    assert data.read_bytes() == before


def test_text_answers_of_a_csv_are_evidence_and_recode_keys(tmp_path):
    data = tmp_path / "persons.csv"
    data.write_text(
        "P11_SEX,P19_BIRTHPLACE,P12\nFemale,France,30\nMale,Kenya,41\nMale,Uganda,7\n",
        encoding="utf-8",
    )
    out = tmp_path / "p.yaml"
    result = invoke("map", data, "-m", "census-key-questions", "-o", out)
    assert result.exit_code == 0, result.output
    module = yaml.safe_load(out.read_text(encoding="utf-8"))["modules"][0]
    assert module["variables"]["sex"] == "P11_SEX"  # "P11" is a question code, "sex" the word
    assert module["recodes"]["sex"] == {"Female": 2, "Male": 1}
    assert module["recodes"]["country_of_birth"] == {"France": 250, "Kenya": 404, "Uganda": 800}


def test_map_never_writes_over_the_data_file(tmp_path):
    data = tmp_path / "persons.csv"
    data.write_text("SEXO,EDAD\n1,30\n", encoding="utf-8")
    result = invoke("map", data, "-m", "census-key-questions", "-o", data)
    assert result.exit_code == 2 and "MAP-OUTPUT-001" in result.output
    assert data.read_text(encoding="utf-8") == "SEXO,EDAD\n1,30\n"


def test_map_with_an_unknown_codebook_is_a_coded_error(tmp_path):
    data = tmp_path / "persons.csv"
    data.write_text("SEXO,EDAD\n1,30\n", encoding="utf-8")
    book = tmp_path / "book.pdf"
    book.write_text("x", encoding="utf-8")
    result = invoke("map", data, "-m", "census-key-questions", "--codebook", book)
    assert result.exit_code == 2 and "MAP-CODEBOOK-001" in result.output
