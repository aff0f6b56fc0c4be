"""CSPro export: the dictionary parses with pycspro, has the structure of real CSPro files
(text and JSON), positions are fixed-width and contiguous, and the logic has a PROC per question."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pycspro import DictionaryParser

import paths
from migmodule.cli import main
from migmodule.export.cspro import build_dictionary, export_cspro
from migmodule.export.cspro_dictionary import (
    Dictionary,
    Item,
    Level,
    Record,
    Value,
    ValueSet,
    to_json_dict,
    to_text,
)
from migmodule.profile import adapt
from migmodule.spec.registry import list_modules

MINI = str(Path(__file__).parent / "specs" / "mini.yaml")
CORPUS = paths.CORPUS
IDB_TEXT = CORPUS / "cspro-feature-showcase" / "v7.0-text" / "IDB Population Data.dcf"
IDB_JSON = CORPUS / "cspro-feature-showcase" / "v8.0-json" / "IDB Population Data.dcf"
ISTAT = CORPUS / "istat-cspro2csv" / "CensusMainShortForm.dcf"
needs_corpus = pytest.mark.skipif(
    not IDB_TEXT.exists(), reason=f"corpus {paths.CORPUS} is not available"
)

LANGUAGE_SETS = [["en"], ["fr"], ["es"], ["en", "fr", "es"]]
MODULES = [e.id + "@" + e.version for e in list_modules()]


def export(tmp_path: Path, ref: str = MINI, languages=("en",), fmt="text", **options):
    adapted = adapt(None, ref, languages=list(languages), **options)
    out = tmp_path / ("q.dcf")
    result = export_cspro(adapted, out, fmt=fmt, languages=list(languages))
    return result, out


def parse(path: Path) -> DictionaryParser:
    parser = DictionaryParser(path.read_text(encoding="utf-8"))
    parser.parse()
    return parser


# --- pycspro reads what we write ----------------------------------------------------------------


@pytest.mark.parametrize("languages", LANGUAGE_SETS, ids="-".join)
@pytest.mark.parametrize("ref", [MINI, *MODULES])
def test_every_module_and_language_parses_with_pycspro(tmp_path, ref, languages):
    result, out = export(tmp_path, ref, languages)
    parser = parse(out)
    dictionary = parser.parsed_dictionary["Dictionary"]
    adapted = adapt(None, ref, languages=languages)[0]
    records = dictionary["Level"]["Records"]
    names = [i["Name"] for r in records for i in r["Items"]]
    # one item per question (select_multiple: one per code) and per derived variable
    for question in adapted.questions:
        assert any(
            n == question.variable_name.upper()
            or n.startswith(question.variable_name.upper() + "_")
            for n in names
        ), question.id
    for derived in adapted.module.derived:
        assert derived.variable_name.upper() in names
    if len(languages) > 1:
        assert list(dictionary["Languages"]) == [lg.upper() for lg in languages]
    for record in records:
        labels = parser.get_value_labels(record["Name"])
        for name, values in labels.items():
            for label in values.values():
                assert label.count("|") == len(languages) - 1, (name, label)
    assert (tmp_path / "q.apc").exists()


def test_value_labels_and_special_values(tmp_path):
    _, out = export(tmp_path, languages=("en", "fr"))
    parser = parse(out)
    labels = parser.get_value_labels("HOUSEHOLD_REC")
    assert labels["ANY_MEMBER_ABROAD"] == {
        1: "Yes|Oui",
        2: "No|Non",
        8: "Don't know|Ne sait pas",
        9: "Not stated|Non déclaré",
    }
    person = parser.get_value_labels("PERSON_REC")
    assert person["COUNTRY_OF_BIRTH"][404] == "Kenya|Kenya (le)" or person["COUNTRY_OF_BIRTH"][
        404
    ].startswith("Kenya|")
    assert person["REASONS_98"] == {1: "Yes|Oui", 0: "No|Non"}
    text = out.read_text(encoding="utf-8")
    # not stated -> MISSING, the code kept; don't know stays an ordinary value
    assert "Value=9;Not stated|Non déclaré\nName=MISSING,Special" in text
    assert "Value=8;Don't know|Ne sait pas\nValue=9" in text
    # the age range leaves out the special code, which keeps its own line
    assert "Value=0:120;0-120|0-120\nValue=999;Not stated|Non déclaré\nName=MISSING,Special" in text


def test_refused_and_not_applicable_map_to_cspro_specials(tmp_path):
    spec = (
        Path(MINI)
        .read_text(encoding="utf-8")
        .replace(
            "special: dont_know}\n      - {code: 9, label: {en: Not stated",
            "special: refused}\n      - {code: 9, label: {en: Not stated",
            1,
        )
        .replace(
            "- {code: 999, label: {en: Not stated, fr: Non déclaré, es: No declarado}, special: not_stated}\n  - id: year_specials",
            "- {code: 999, label: {en: Not stated, fr: Non déclaré, es: No declarado}, special: not_applicable}\n  - id: year_specials",
        )
    )
    path = tmp_path / "mini" / "1.0.0.yaml"
    path.parent.mkdir()
    path.write_text(spec, encoding="utf-8")
    _, out = export(tmp_path, str(path))
    text = out.read_text(encoding="utf-8")
    assert "Value=8;Don't know\nName=REFUSED,Special" in text
    assert "Value=999;Not stated\nName=NOTAPPL,Special" in text
    assert "DEFAULT" not in text


# --- layout -------------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", [MINI, *MODULES])
def test_positions_are_contiguous_and_record_length_right(tmp_path, ref):
    _, out = export(tmp_path, ref)
    dictionary = parse(out).parsed_dictionary["Dictionary"]
    column = dictionary["RecordTypeStart"] + dictionary["RecordTypeLen"]
    for item in dictionary["Level"]["IdItems"]:
        assert item["Start"] == column
        column += item["Len"]
    first = column
    for record in dictionary["Level"]["Records"]:
        column = first
        for item in record["Items"]:
            assert item["Start"] == column, item["Name"]
            column += item["Len"] * item["Occurrences"]
            if item["DataType"] == "Numeric":
                assert 1 <= item["Len"] <= 15
        assert record["RecordLen"] == column - 1


def test_layout_of_mini(tmp_path):
    """The household id at 2-11 after the record type, then each record's own items."""
    built = build_dictionary(adapt(None, MINI))
    level = built.dictionary.levels[0]
    assert [(i.name, i.start, i.length) for i in level.id_items] == [("HH_ID", 2, 10)]
    person = built.record_of_level["person"]
    assert person.type_value == "2" and person.max_records == 30 and not person.required
    assert [(i.name, i.start, i.length) for i in person.items[:4]] == [
        ("PERSON_NO", 12, 2),
        ("AGE", 14, 3),
        ("COUNTRY_OF_BIRTH", 17, 3),
        ("YEAR_OF_ARRIVAL", 20, 4),
    ]


def test_names_are_valid_cspro_names_and_unique(tmp_path):
    built = build_dictionary(adapt(None, MINI) + adapt(None, MINI))
    names = []
    for level in built.dictionary.levels:
        names.append(level.name)
        for record in level.records:
            names.append(record.name)
            for item in record.items + level.id_items:
                names += [item.name] + [vs.name for vs in item.value_sets]
    names = list(dict.fromkeys(names))  # id items repeat in the loop above
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*[A-Z0-9]", n) for n in names)
    assert len(names) == len(set(names))
    # the second copy of the module gets renamed items, with a warning saying so
    assert any(f.code == "CSPRO-NAME-001" and "AGE_2" in f.message for f in built.findings)


def test_reserved_word_is_renamed_with_a_warning(tmp_path):
    spec = (
        Path(MINI)
        .read_text(encoding="utf-8")
        .replace(
            "  - id: age\n    level: person", "  - id: age\n    variable: count\n    level: person"
        )
    )
    path = tmp_path / "mini" / "1.0.0.yaml"
    path.parent.mkdir()
    path.write_text(spec, encoding="utf-8")
    result, out = export(tmp_path, str(path))
    assert "Name=COUNT_V\n" in out.read_text(encoding="utf-8")
    assert [f.code for f in result.findings] == ["CSPRO-NAME-001"]
    assert "PROC COUNT_V" in (tmp_path / "q.apc").read_text(encoding="utf-8")


# --- text format details --------------------------------------------------------------------------


def test_text_file_shape(tmp_path):
    _, out = export(tmp_path, languages=("en", "fr"))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf[Dictionary]\nVersion=CSPro 7.3\n")
    assert raw.endswith(b"\n") and not raw.endswith(b"\n\n")
    text = raw.decode("utf-8-sig")
    for section in re.split(r"\n\n", text.rstrip("\n")):
        assert section.startswith("[")  # a blank line before every section, none inside
    for record in re.findall(r"\[Record\]\n(?:.+\n)+?(?=\n|\Z)", text + "\n"):
        for key in ("Required=", "MaxRecords=", "RecordLen="):
            assert key in record
    assert text.count("[Item]") == text.count("DataType=")
    assert "[Languages]\nEN=English\nFR=Français" in text
    assert "Note=Generated by migmodule from mini@1.0.0 (no national profile)" in text


def test_labels_are_cut_to_255_with_a_warning(tmp_path):
    long = "Very long label " * 20
    spec = (
        Path(MINI)
        .read_text(encoding="utf-8")
        .replace("variable_label: {en: Age in completed years,", f"variable_label: {{en: {long},")
    )
    path = tmp_path / "mini" / "1.0.0.yaml"
    path.parent.mkdir()
    path.write_text(spec, encoding="utf-8")
    result, out = export(tmp_path, str(path))
    label = next(
        line
        for line in out.read_text(encoding="utf-8").splitlines()
        if line.startswith("Label=Very")
    )
    assert len(label) - len("Label=") == 255
    assert any(f.code == "CSPRO-LABEL-001" for f in result.findings)


@needs_corpus
def test_our_text_has_the_sections_and_keys_of_real_cspro_files(tmp_path):
    """Every key we write appears in the same section in CSPro-written files."""
    _, out = export(tmp_path, languages=("en", "fr"))
    real = {}
    for path in (IDB_TEXT, ISTAT):
        for section, keys in sections(path.read_text(encoding="utf-8-sig")):
            real.setdefault(section, set()).update(keys)
    real.setdefault("Languages", set()).update(
        {"EN", "FR"}
    )  # documented in formats.md 2.2, not in the corpus
    real["Dictionary"].add("Note")
    for section, keys in sections(out.read_text(encoding="utf-8-sig")):
        assert section in real
        assert set(keys) <= real[section] | {"Required", "MaxRecords", "DataType", "Note"}, section


def sections(text: str) -> list[tuple[str, list[str]]]:
    found = []
    for chunk in re.split(r"\r?\n\r?\n", text.strip()):
        lines = chunk.splitlines()
        found.append((lines[0].strip("[]"), [line.split("=", 1)[0] for line in lines[1:]]))
    return found


# --- the IDB pair: one model, both formats ---------------------------------------------------------


def idb_model() -> Dictionary:
    """The IDB Population Data dictionary of the CSPro feature showcase, as our model."""

    def numeric(name, label, length, **kw):
        return Item(name, [label], length, zero_fill=True, **kw)

    sex = numeric("AGESEX_SEX", "Age/Sex Sex", 1)
    sex.value_sets.append(
        ValueSet("AGESEX_SEX_VS1", ["Age/Sex Sex"], [Value("2", ["Male"]), Value("3", ["Female"])])
    )
    level = Level(
        "IDB_POPULATION_DATA_LEVEL",
        ["IDB Population Data Level"],
        id_items=[Item("FIPS_CODE", ["FIPS Code"], 2, alpha=True)],
    )
    level.records = [
        Record(
            "COUNTRY_METADATA_REC",
            ["Country Metadata Record"],
            "1",
            items=[
                Item("COUNTRY_NAME", ["Country Name"], 35, alpha=True),
                numeric("AREA", "Area (sq. km.)", 8),
            ],
        ),
        Record(
            "MIDYEAR_POPULATION_REC",
            ["Midyear Population Record"],
            "2",
            max_records=150,
            items=[
                numeric("MIDYEAR_YEAR", "Midyear Year", 4),
                numeric("MIDYEAR_POPULATION", "Midyear Population", 10),
            ],
        ),
        Record(
            "AGESEX_POPULATION_REC",
            ["Midyear Population by Age / Sex Record"],
            "3",
            max_records=300,
            items=[
                numeric("AGESEX_YEAR", "Age/Sex Year", 4),
                sex,
                numeric("AGESEX_POPULATION", "Age/Sex Population", 8, occurrences=101),
            ],
        ),
    ]
    dictionary = Dictionary("IDB_POPULATION_DATA_DICT", ["IDB Population Data"], levels=[level])
    dictionary.layout()
    return dictionary


DEFAULTS = {"Record": {"Required": "Yes", "MaxRecords": "1"}, "Item": {"DataType": "Numeric"}}


def normalised(text: str) -> list[tuple[str, dict[str, str]]]:
    """Sections with CSPro's defaults filled in (Definitions.h), Version left out."""
    out = []
    for chunk in re.split(r"\r?\n\r?\n", text.lstrip("\ufeff").strip()):
        lines = chunk.splitlines()
        section = lines[0].strip("[]")
        values = dict(DEFAULTS.get(section, {}))
        values.update(line.split("=", 1) for line in lines[1:] if not line.startswith("Version="))
        out.append((section, values))
    return out


@needs_corpus
def test_idb_text_written_from_the_model_matches_the_real_file():
    ours = to_text(idb_model())
    assert normalised(ours) == normalised(IDB_TEXT.read_text(encoding="utf-8"))
    assert DictionaryParser(ours).parse()["Dictionary"]["Level"]["Records"][2]["RecordLen"] == 816


@needs_corpus
def test_idb_json_written_from_the_model_matches_the_real_file():
    real = json.loads(IDB_JSON.read_text(encoding="utf-8"))
    ours = to_json_dict(idb_model())
    # security.settings included: encrypted as CSPro's SerializeSecurityOptions does, byte for byte.
    assert ours == real


@needs_corpus
@pytest.mark.parametrize("languages", [["en"], ["en", "fr", "es"]], ids="-".join)
def test_json_dictionary_has_the_keys_of_the_real_json(tmp_path, languages):
    _, out = export(tmp_path, languages=languages, fmt="json")
    ours = json.loads(out.read_text(encoding="utf-8"))
    real = json.loads(IDB_JSON.read_text(encoding="utf-8"))
    extra = {"languages", "note"}  # documented in formats.md 2.4, absent from the small IDB file
    assert set(ours) - extra == set(real)
    assert set(ours["levels"][0]) == set(real["levels"][0])
    assert set(ours["levels"][0]["records"][0]) - {"note"} == set(real["levels"][0]["records"][0])
    real_item_keys = {k for r in real["levels"][0]["records"] for i in r["items"] for k in i}
    real_item_keys |= {"start", "decimals", "decimalMark", "note"}
    for record in ours["levels"][0]["records"]:
        assert set(record["occurrences"]) == {"required", "maximum"}
        for item in record["items"]:
            assert set(item) <= real_item_keys
            assert "start" not in item  # relative positions, as CSPro writes them
            for value_set in item.get("valueSets", []):
                for value in value_set["values"]:
                    assert set(value) <= {"labels", "pairs", "special"}
                    assert all(
                        isinstance(v, str)
                        for pair in value["pairs"]
                        for v in pair.values()
                        if not isinstance(v, list)
                    )
                    assert len(value["labels"]) == len(languages)
    if len(languages) > 1:
        assert ours["languages"][0] == {"name": "EN", "label": "English"}
        assert ours["labels"][1]["language"] == "FR"


def test_text_and_json_come_from_one_model(tmp_path):
    _, text_out = export(tmp_path, fmt="text")
    text_items = {
        i["Name"]: (i["Len"], i["DataType"].lower())
        for r in parse(text_out).parsed_dictionary["Dictionary"]["Level"]["Records"]
        for i in r["Items"]
    }
    json_out = tmp_path / "j.dcf"
    export_cspro(adapt(None, MINI), json_out, fmt="json")
    data = json.loads(json_out.read_text(encoding="utf-8"))
    json_items = {
        i["name"]: (i["length"], i["contentType"])
        for r in data["levels"][0]["records"]
        for i in r["items"]
    }
    assert text_items == json_items


# --- logic ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", [MINI, *MODULES])
def test_logic_has_a_proc_per_question_with_the_compiled_universe(tmp_path, ref):
    from migmodule.expr.semantics import prepare
    from migmodule.expr.targets import CSProLogic

    result, out = export(tmp_path, ref)
    logic = (tmp_path / "q.apc").read_text(encoding="utf-8-sig")
    adapted = adapt(None, ref)[0]
    assert adapted.module.ref in logic.splitlines()[1]
    procs = dict(re.findall(r"^PROC (\w+)\n(.*?)(?=^PROC |\Z)", logic, flags=re.S | re.M))
    compiler = CSProLogic(adapted.module)
    for question in adapted.questions:
        name = question.variable_name.upper()
        body = procs.get(name) or procs.get(next(p for p in procs if p.startswith(name + "_")))
        if question.universe:
            expected = compiler.true_form(
                prepare(adapted.module, question.universe, adapted.params)
            )
            assert f"ask if {expected};" in body, question.id
    assert not [f for f in result.findings if f.code == "CSPRO-LOGIC-001"]


def test_logic_of_mini(tmp_path):
    export(tmp_path)
    logic = (tmp_path / "q.apc").read_text(encoding="utf-8-sig")
    assert "ask if not special(COUNTRY_OF_BIRTH) and COUNTRY_OF_BIRTH <> 998" in logic
    assert 'errmsg("AGE: the value must be between 0 and 120.");\n    reenter;' in logic
    # the error edit sits in the postproc of the last question it reads and makes the interviewer fix it
    year = logic.split("PROC YEAR_OF_ARRIVAL")[1].split("PROC ")[0]
    assert 'errmsg("E1: The year of arrival is before the year of birth.");\n    reenter;' in year
    # E2 is switched off by the default ARRIVAL_DEFINITION, and says so
    assert "edit E2 (warning)" in year and "cannot fail" in year
    # derived variables: assignments in the level postproc, per person
    level = logic.split("PROC MIGMODULE_QUEST")[1]
    assert "for numeric occurrence in PERSON_REC do" in level
    assert "NATIVITY = 1;" in level and "$" not in level
    assert "YEARS_SINCE_ARRIVAL = (2030 - YEAR_OF_ARRIVAL);" in level


def test_warning_edit_shows_message_without_reenter(tmp_path):
    export(tmp_path, params={"ARRIVAL_DEFINITION": "first"})
    logic = (tmp_path / "q.apc").read_text(encoding="utf-8-sig")
    e2 = logic.split("edit E2 (warning)")[1].split("endif;")[0]
    assert 'errmsg("E2: Check the year.");' in e2 and "reenter" not in e2


def test_universe_reading_a_left_out_question_is_reported(tmp_path):
    from migmodule.profile import ModuleSettings, Profile

    profile = Profile(modules=[ModuleSettings(module=MINI, exclude=["age"])])
    result = export_cspro(adapt(profile), tmp_path / "q.dcf")
    codes = [f for f in result.findings if f.code == "CSPRO-LOGIC-001"]
    assert codes and "reasons" in str(codes[0]) + str([f.location for f in codes])
    logic = (tmp_path / "q.apc").read_text(encoding="utf-8-sig")
    assert (
        "universe not compiled" in logic
        and "AGE >=" not in logic.split("PROC REASONS_1")[1].split("PROC ")[0]
    )


# --- CLI ------------------------------------------------------------------------------------------


def test_cli_writes_dictionary_and_logic(tmp_path):
    out = tmp_path / "census.dcf"
    result = CliRunner().invoke(
        main,
        [
            "export",
            "cspro",
            MINI,
            "--lang",
            "en,fr",
            "--country",
            "KEN",
            "--param",
            "MIN_AGE=10",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and (tmp_path / "census.apc").exists()
    assert "AGE >= 10" in (tmp_path / "census.apc").read_text(encoding="utf-8-sig")
    assert "COUNTRY_OF_BIRTH <> 404" in (tmp_path / "census.apc").read_text(encoding="utf-8-sig")


def test_cli_json_format(tmp_path):
    out = tmp_path / "census.dcf"
    result = CliRunner().invoke(main, ["export", "cspro", MINI, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["fileType"] == "dictionary"


def test_cli_bad_path_is_a_coded_error(tmp_path):
    result = CliRunner().invoke(
        main, ["export", "cspro", MINI, "-o", str(tmp_path / "missing" / "q.dcf")]
    )
    assert result.exit_code == 2
    assert "OUT-WRITE-001" in result.output
    assert not (tmp_path / "missing").exists()


def test_cli_unknown_module_is_a_coded_error(tmp_path):
    result = CliRunner().invoke(
        main, ["export", "cspro", "no-such-module", "-o", str(tmp_path / "q.dcf")]
    )
    assert result.exit_code == 2
    assert "REG-MODULE-001" in result.output and "Traceback" not in result.output


def test_cli_bad_profile_is_a_coded_error(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("modules: [{module: mini}]\ncountry: Atlantis\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["export", "cspro", "--profile", str(profile), "-o", str(tmp_path / "q.dcf")]
    )
    assert result.exit_code == 2
    assert "PROFILE-COUNTRY-001" in result.output


def test_cli_fail_on_warning(tmp_path):
    spec = (
        Path(MINI)
        .read_text(encoding="utf-8")
        .replace(
            "  - id: age\n    level: person", "  - id: age\n    variable: count\n    level: person"
        )
    )
    path = tmp_path / "mini" / "1.0.0.yaml"
    path.parent.mkdir()
    path.write_text(spec, encoding="utf-8")
    args = ["export", "cspro", str(path), "-o", str(tmp_path / "q.dcf")]
    assert CliRunner().invoke(main, args).exit_code == 0
    result = CliRunner().invoke(main, [*args, "--fail-on", "warning"])
    assert result.exit_code == 1 and "CSPRO-NAME-001" in result.output
