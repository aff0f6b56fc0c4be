"""XLSForm export: the sheets, pyxform's verdict on them (dict and written .xlsx), ODK Validate."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from migmodule.cli import main
from migmodule.codes import MigmoduleError
from migmodule.export.xlsform import build_xlsform, convert_sheets, export_xlsform, xlsx_bytes
from migmodule.profile import ModuleSettings, Profile, adapt
from migmodule.spec.registry import list_modules
from migmodule.tools import regenerate_xlsforms

MINI = Path(__file__).parent / "specs" / "mini.yaml"
LANGS = ["en", "fr", "es"]
HAS_JAVA = shutil.which("java") is not None
needs_java = pytest.mark.skipif(
    not HAS_JAVA, reason="ODK Validate needs `java` on PATH (CI has Java 17)"
)

# A second module with a counted roster of emigrants; it shares `yes_no` and `age` with mini.
EMIGRANTS = """
spec_format: 1
id: emigrants
version: 2.1.0
status: draft
languages: [en, fr, es]
title: {en: Emigrants, fr: Émigrés, es: Emigrantes}
description: {en: Test., fr: Test., es: Prueba.}
sources: [{id: PR3, citation: PR3}]
levels:
  - {id: household, label: {en: Household, fr: Ménage, es: Hogar}}
  - {id: emigrant, parent: household, repeat: true, count: emigrants_number, max_units: 20,
     label: {en: Emigrant, fr: Émigré, es: Emigrante}}
code_lists:
  - id: yes_no
    codes:
      - {code: 1, label: {en: "Yes", fr: Oui, es: Sí}}
      - {code: 2, label: {en: "No", fr: Non, es: "No"}}
questions:
  - id: emigrants_number
    level: household
    type: integer
    range: {minimum: 0, maximum: 20}
    label: {en: "How many former members live abroad?", fr: "Combien vivent à l'étranger ?", es: "¿Cuántos viven en el extranjero?"}
    variable_label: {en: Number of emigrants, fr: Nombre d'émigrés, es: Número de emigrantes}
    status: core
    sources: [{source: PR3}]
  - id: age
    level: emigrant
    type: integer
    label: {en: "Age when leaving?", fr: "Âge au départ ?", es: "¿Edad al salir?"}
    variable_label: {en: Age at departure, fr: Âge au départ, es: Edad al salir}
    status: core
    sources: [{source: PR3}]
  - id: sends_money
    level: emigrant
    type: select_one
    code_list: yes_no
    label: {en: "Does this person send money?", fr: "Envoie-t-elle de l'argent ?", es: "¿Envía dinero?"}
    variable_label: {en: Sends remittances, fr: Envoie des fonds, es: Envía remesas}
    status: core
    sources: [{source: PR3}]
"""


@pytest.fixture
def emigrants(tmp_path: Path) -> Path:
    path = tmp_path / "emigrants.yaml"
    path.write_text(EMIGRANTS, encoding="utf-8")
    return path


def rows_by_name(sheets):
    """Survey rows by name (a begin_repeat, not its end_repeat)."""
    rows = {}
    for row in sheets["survey"]:
        rows.setdefault(row["name"], row)
    return rows


def test_mini_sheets_have_languages_repeats_and_logic():
    sheets, findings = build_xlsform(adapt(None, str(MINI), languages=LANGS))
    assert findings == []
    survey = sheets["survey"]
    for column in (
        "label::English (en)",
        "label::Français (fr)",
        "label::Español (es)",
        "hint::Français (fr)",
        "constraint_message::Español (es)",
        "relevant",
        "constraint",
        "required",
    ):
        assert column in survey[0]
    types = [(row["type"], row["name"]) for row in survey]
    assert (
        types.index(("begin_repeat", "person"))
        < types.index(("integer", "age"))
        < types.index(("end_repeat", "person"))
    )
    assert types[0] == ("select_one yes_no", "any_member_abroad")  # household question in the body
    rows = rows_by_name(sheets)
    # universe -> relevant; COUNTRY folded to the generic 0; missing codes of the country list guarded
    assert rows["year_of_arrival"]["relevant"] == (
        "string-length(${country_of_birth}) > 0 and ${country_of_birth} != 998 and "
        "${country_of_birth} != 999 and ${country_of_birth} != 0"
    )
    # range (an expression: year(REF_DATE) - 110) and the error edit E1 share one constraint
    constraint = rows["year_of_arrival"]["constraint"]
    assert (
        constraint.startswith("not(")
        and ". >= 1920" in constraint
        and "(2030 - ${age})" in constraint
    )
    assert rows["year_of_arrival"]["constraint_message::English (en)"] == (
        "The answer must be between 1920 and 2030. The year of arrival is before the year of birth."
    )
    assert rows["country_of_birth"]["appearance"] == "autocomplete"
    assert rows["reasons"]["type"] == "select_multiple reasons"
    assert rows["nativity"]["type"] == "calculate" and rows["nativity"]["calculation"].startswith(
        "if("
    )
    assert rows["migmodule_source"]["calculation"] == "'mini@1.0.0 (no national profile)'"
    # E2 is a warning edit switched off by ARRIVAL_DEFINITION=most_recent: no note
    assert "check_e2" not in rows
    settings = sheets["settings"][0]
    assert settings["form_id"] == "mini_1_0_0"
    assert settings["default_language"] == "English (en)"
    assert (
        settings["version"].startswith("1.0.0-") and len(settings["version"]) == len("1.0.0-") + 8
    )
    assert "mini@1.0.0" in settings["form_title"]


def test_country_list_census_country_first_specials_last_sorted():
    sheets, _ = build_xlsform(adapt(None, str(MINI), country="KEN", languages=["fr", "en"]))
    countries = [row for row in sheets["choices"] if row["list_name"] == "countries"]
    assert countries[0]["name"] == "404" and countries[0]["label::English (en)"] == "Kenya"
    assert [row["name"] for row in countries[-2:]] == ["998", "999"]
    middle = [row["label::Français (fr)"] for row in countries[1:-2]]
    assert len(middle) == 248 - 1
    assert (
        middle.index("Égypte (l')") < middle.index("Érythrée (l')") < middle.index("Espagne (l')")
    )
    assert all(row["name"].isdigit() for row in countries)
    assert sheets["settings"][0]["default_language"] == "Français (fr)"


def test_generic_country_is_code_zero_in_each_language():
    sheets, _ = build_xlsform(adapt(None, str(MINI), languages=LANGS))
    first = next(row for row in sheets["choices"] if row["list_name"] == "countries")
    assert (
        first["name"],
        first["label::English (en)"],
        first["label::Français (fr)"],
        first["label::Español (es)"],
    ) == ("0", "this country", "ce pays", "este país")


def test_warning_edit_becomes_a_note_shown_when_violated():
    adapted = adapt(None, str(MINI), params={"ARRIVAL_DEFINITION": "first"}, languages=["en"])
    sheets, _ = build_xlsform(adapted)
    names = [row["name"] for row in sheets["survey"]]
    assert names.index("check_e2") == names.index("year_of_arrival") + 1
    note = rows_by_name(sheets)["check_e2"]
    assert note["type"] == "note"
    assert note["relevant"].endswith("not(${year_of_arrival} <= 2030)")
    assert note["label::English (en)"] == "Check: Check the year."
    assert convert_sheets(sheets) == []


def test_counted_roster_and_two_modules_in_one_form(emigrants):
    adapted = adapt(None, str(MINI), languages=["en"]) + adapt(
        None, str(emigrants), languages=["en"]
    )
    sheets, findings = build_xlsform(adapted, ["en"])
    rows = rows_by_name(sheets)
    assert rows["emigrant"]["type"] == "begin_repeat"
    assert rows["emigrant"]["repeat_count"] == "${emigrants_number}"
    # `age` of the second module clashes with mini's: renamed, with a finding that says how to choose
    assert "age_e" in rows and rows["age_e"]["type"] == "integer"
    assert [f.code for f in findings] == ["XLSF-NAME-002"]
    # emigrants' yes_no (no special codes) differs from mini's, so it gets its own name
    lists = {row["list_name"] for row in sheets["choices"]}
    assert {"yes_no", "yes_no_e"} <= lists
    assert rows["sends_money"]["type"] == "select_one yes_no_e"
    settings = sheets["settings"][0]
    assert settings["form_id"] == "mini_1_0_0_emigrants_2_1_0"
    assert settings["version"].startswith("1.0.0_2.1.0-")
    assert convert_sheets(sheets) == []


def test_written_file_converts_and_is_byte_deterministic(tmp_path):
    adapted = adapt(None, str(MINI), languages=LANGS)
    out = tmp_path / "form.xlsx"
    result = export_xlsform(adapted, out)
    assert result.path == out and result.findings == []
    assert convert_sheets(out) == []
    first = out.read_bytes()
    export_xlsform(adapted, out)
    assert out.read_bytes() == first
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["survey", "choices", "settings", "migmodule"]
    about = {row[0]: row[1] for row in workbook["migmodule"].iter_rows(min_row=2, values_only=True)}
    assert about["modules"] == "mini@1.0.0" and about["profile"] == "profile"
    assert not list(tmp_path.glob(".*part"))  # no temporary file left behind


def test_national_names_are_used_in_references():
    profile = Profile(
        name="ken",
        country="KEN",
        modules=[ModuleSettings(module=str(MINI), variables={"country_of_birth": "P12_COB"})],
    )
    sheets, _ = build_xlsform(adapt(profile))
    rows = rows_by_name(sheets)
    assert "P12_COB" in rows and "${P12_COB} != 404" in rows["year_of_arrival"]["relevant"]
    assert rows["migmodule_source"]["calculation"] == "'mini@1.0.0 (profile: ken)'"
    assert convert_sheets(sheets) == []


def test_universe_reading_an_excluded_question_is_a_coded_error():
    profile = Profile(modules=[ModuleSettings(module=str(MINI), exclude=["country_of_birth"])])
    with pytest.raises(MigmoduleError) as caught:
        build_xlsform(adapt(profile))
    assert caught.value.finding.code == "XLSF-REF-001"
    assert "country_of_birth" in str(caught.value)


def test_invalid_national_name_is_a_coded_error():
    profile = Profile(modules=[ModuleSettings(module=str(MINI), variables={"age": "2age"})])
    with pytest.raises(MigmoduleError) as caught:
        build_xlsform(adapt(profile))
    assert caught.value.finding.code == "XLSF-NAME-001"


MODULES = [entry.ref for entry in list_modules()]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("ref", MODULES)
def test_every_builtin_module_converts(ref, lang, tmp_path):
    adapted = adapt(None, ref, languages=[lang])
    sheets, _ = build_xlsform(adapted)
    assert convert_sheets(sheets, modules=ref) == []
    out = tmp_path / "form.xlsx"
    export_xlsform(adapted, out)
    assert convert_sheets(out, modules=ref) == []


@pytest.mark.odk
@needs_java
@pytest.mark.parametrize("ref", [*MODULES, str(MINI)])
def test_odk_validate_accepts_every_module(ref):
    sheets, _ = build_xlsform(adapt(None, ref, languages=LANGS, params=None))
    assert convert_sheets(sheets, validate=True, modules=ref) == []


@pytest.mark.odk
@needs_java
def test_odk_validate_accepts_two_modules_with_warning_notes(emigrants):
    adapted = adapt(
        None, str(MINI), country="KEN", params={"ARRIVAL_DEFINITION": "first"}, languages=LANGS
    ) + adapt(None, str(emigrants), languages=LANGS)
    sheets, _ = build_xlsform(adapted, LANGS)
    assert convert_sheets(sheets, validate=True) == []


def test_xlsforms_folder_is_up_to_date():
    folder = Path(__file__).resolve().parents[1] / "xlsforms"
    # Bytes are compared: the writer fixes every timestamp, and openpyxl is pinned by pyxform.
    assert regenerate_xlsforms.stale(folder) == [], (
        "xlsforms/ is stale: run `python -m migmodule.tools.regenerate_xlsforms`"
    )


def test_regeneration_writes_released_modules_and_detects_staleness(tmp_path, monkeypatch):
    bank = tmp_path / "bank"
    (bank / "mini").mkdir(parents=True)
    (bank / "mini" / "1.0.0.yaml").write_text(
        MINI.read_text(encoding="utf-8").replace("status: draft", "status: released"),
        encoding="utf-8",
    )
    monkeypatch.setenv("MIGMODULE_BANK", str(bank))
    folder = tmp_path / "forms"
    assert regenerate_xlsforms.main(["--folder", str(folder)]) == 0
    written = folder / "mini-1.0.0.xlsx"
    assert convert_sheets(written) == []
    assert regenerate_xlsforms.main(["--folder", str(folder), "--check"]) == 0
    workbook = load_workbook(written)
    header = [cell.value for cell in workbook["survey"][1]]
    assert {"label::English (en)", "label::Français (fr)", "label::Español (es)"} <= set(header)
    written.write_bytes(xlsx_bytes({"survey": [{"type": "note", "name": "x", "label": "old"}]}))
    assert regenerate_xlsforms.main(["--folder", str(folder), "--check"]) == 1


def test_cli_xlsform(tmp_path):
    out = tmp_path / "form.xlsx"
    result = CliRunner().invoke(
        main, ["export", "xlsform", str(MINI), "--lang", "en,fr", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert convert_sheets(out) == []


@pytest.mark.parametrize(
    "args, code",
    [
        (["export", "xlsform", "no-such-module", "-o", "{tmp}/f.xlsx"], "REG-MODULE-001"),
        (["export", "xlsform", str(MINI), "-o", "{tmp}/missing/f.xlsx"], "OUT-WRITE-001"),
        (
            ["export", "xlsform", str(MINI), "--country", "XYZ", "-o", "{tmp}/f.xlsx"],
            "PARAM-VALUE-001",
        ),
    ],
)
def test_cli_unusable_input_exits_2_with_a_code(tmp_path, args, code):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert code in result.output
    assert "Traceback" not in result.output


def test_cli_bad_language_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(
        main, ["export", "xlsform", str(MINI), "--lang", "de", "-o", str(tmp_path / "f.xlsx")]
    )
    assert result.exit_code == 2 and "unknown language" in result.output
