"""`migmodule profile init|check`, and profiles used by the exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.export.xlsform import build_xlsform
from migmodule.profile import adapt, check_profile, load_profile
from migmodule.profile_init import profile_text
from migmodule.spec.registry import list_modules

MINI = Path(__file__).parent / "specs" / "mini.yaml"


def test_init_writes_a_commented_profile_that_loads_and_checks(tmp_path):
    out = tmp_path / "profile.yaml"
    result = CliRunner().invoke(
        main,
        [
            "profile",
            "init",
            str(MINI),
            "--country",
            "KEN",
            "--reference-date",
            "2029-08-24",
            "--lang",
            "en,fr",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.count("\n#") >= 5 and "# One of: first, most_recent." in text
    profile = load_profile(out)
    assert profile.country == "KEN" and profile.languages == ["en", "fr"]
    assert str(profile.reference_date) == "2029-08-24"
    assert profile.modules[0].include == ["reasons"]
    assert check_profile(profile, str(out)) == []
    [adapted] = adapt(profile)
    assert adapted.params["COUNTRY"] == 404 and adapted.params["MIN_AGE"] == 5


def test_init_without_country_warns_on_check(tmp_path):
    out = tmp_path / "generic.yaml"
    assert CliRunner().invoke(main, ["profile", "init", str(MINI), "-o", str(out)]).exit_code == 0
    result = CliRunner().invoke(main, ["profile", "check", str(out), "--fail-on", "warning"])
    assert result.exit_code == 1 and "PROFILE-PARAM-001" in result.output


def test_init_refuses_to_overwrite_and_bad_country(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(main, ["profile", "init", str(MINI), "-o", str(out)])
    assert result.exit_code == 2 and "PROFILE-INIT-001" in result.output
    assert out.read_text(encoding="utf-8") == "keep me"
    assert (
        CliRunner()
        .invoke(main, ["profile", "init", str(MINI), "-o", str(out), "--force"])
        .exit_code
        == 0
    )
    result = CliRunner().invoke(
        main, ["profile", "init", str(MINI), "--country", "XX1", "-o", str(tmp_path / "q.yaml")]
    )
    assert result.exit_code == 2 and "PROFILE-COUNTRY-001" in result.output


@pytest.mark.parametrize("ref", [e.ref for e in list_modules()])
def test_init_for_every_builtin_module_is_valid_yaml_and_a_valid_profile(ref, tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text(profile_text([ref], country="KEN"), encoding="utf-8")
    assert isinstance(yaml.safe_load(out.read_text(encoding="utf-8")), dict)
    assert [
        f for f in check_profile(load_profile(out), str(out)) if f.severity.value == "error"
    ] == []


def test_check_reports_unknown_question(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text(
        f"name: t\ncountry: KEN\nmodules:\n  - module: {MINI}\n    exclude: [year_of_arival]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["profile", "check", str(out)])
    assert result.exit_code == 1
    assert "PROFILE-QUESTION-001" in result.output and "year_of_arrival" in result.output


def test_export_takes_the_profile_and_reports_its_findings(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text(
        f"name: ken-2029\ncountry: KEN\nlanguages: [fr]\nmodules:\n  - module: {MINI}\n"
        "    variables: {age: P05}\n    exclude: [no_such_question]\n",
        encoding="utf-8",
    )
    form = tmp_path / "f.xlsx"
    result = CliRunner().invoke(main, ["export", "xlsform", "--profile", str(out), "-o", str(form)])
    assert result.exit_code == 1 and "PROFILE-QUESTION-001" in result.output
    sheets, _ = build_xlsform(adapt(load_profile(out)))
    names = [row["name"] for row in sheets["survey"]]
    assert "P05" in names and "age" not in names
    assert sheets["settings"][0]["default_language"] == "Français (fr)"
    assert (
        "profile: ken-2029"
        in next(r for r in sheets["survey"] if r["name"] == "migmodule_source")["calculation"]
    )


def test_bad_profile_is_a_coded_error(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text("modules: []\ncolour: blue\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["export", "stata", "--profile", str(out), "-o", str(tmp_path / "l.do")]
    )
    assert result.exit_code == 2 and "PROFILE-SCHEMA-001" in result.output


# The national profile language (issue 11) ---------------------------------------------------------
CKQ = "census-key-questions@1.0.0"


def _profile(tmp_path, body: str, files: dict[str, str] | None = None):
    import textwrap

    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(
        "profile_format: 1\nname: t\ncountry: KEN\nreference_date: 2029-08-24\nmodules:\n"
        f"  - module: {CKQ}\n"
        "    parameters: {ADMIN_AREAS: [{code: 1, label: {en: Mombasa}}]}\n"
        + textwrap.indent(textwrap.dedent(body).strip(), "    ")
        + "\n",
        encoding="utf-8",
    )
    return path


def _errors(path):
    return [f for f in check_profile(load_profile(path)) if f.severity.value == "error"]


ALL_FORMS = """
ids: {hh_id: HHID, person_no: P01_LINE}
variables:
  country_of_birth: P12_COB
  place_of_birth: {from: P12_COB, where: "P12_COB >= 1 and P12_COB <= 47"}
derive:
  age: "age_at(P05_DOB, REF_DATE)"
  duration_of_residence: "if(E02 == 1, 96, E03)"
recodes:
  sex: {Male: 1, Female: 2}
  reason_for_migration: {'11:13': 1, '21:22': 2, '71': 96, else: 99}
  residence_1y_ago: {'0': null, '9': 9}
  country_of_birth: kenya_countries.csv
  country_of_citizenship: iso3
levels:
  person: {where: "P03_REL <= 12"}
  emigrant: {where: "E_FLAG == 1", ids: {emigrant_no: E_LINE}, variables: {emigrant_sex: E_SEX}}
universes:
  year_of_arrival: foreign_born
  country_of_citizenship: true
"""


def test_every_form_of_the_issue_loads_checks_and_adapts(tmp_path):
    path = _profile(
        tmp_path,
        ALL_FORMS,
        {"kenya_countries.csv": "national,standard\n1:47,404\n600,404\n601,800\n602,null\n"},
    )
    assert _errors(path) == []
    [adapted] = adapt(load_profile(path))
    assert adapted.ids("person") == {"hh_id": "HHID", "person_no": "P01_LINE"}
    assert adapted.ids("emigrant") == {"hh_id": "HHID", "emigrant_no": "E_LINE"}
    assert adapted.variable("emigrant_sex") == "E_SEX"
    assert adapted.source("place_of_birth").kind == "split"
    assert adapted.variable("place_of_birth") == "place_of_birth"  # exports keep one name each
    assert adapted.source("age").expression == "age_at(P05_DOB, REF_DATE)"
    assert adapted.universe("country_of_citizenship") == "true"
    assert adapted.universe("year_of_arrival") == "foreign_born"
    assert adapted.level_filter("person") == "P03_REL <= 12"
    assert adapted.recode("country_of_birth").lookup(601) == (True, 800)
    assert adapted.recode_map("residence_1y_ago") == {9: 9}


def test_a_code_list_parameter_from_csv_is_read_relative_to_the_profile(tmp_path):
    (tmp_path / "areas.csv").write_text(
        "code,label_en,label_fr\n1,Mombasa,Mombasa\n2,Kwale County,Comté de Kwale\n",
        encoding="utf-8",
    )
    path = _profile(tmp_path, "")
    text = path.read_text(encoding="utf-8").replace(
        "{ADMIN_AREAS: [{code: 1, label: {en: Mombasa}}]}", "{ADMIN_AREAS: areas.csv}"
    )
    path.write_text(text, encoding="utf-8")
    assert _errors(path) == []
    [adapted] = adapt(load_profile(path))
    assert adapted.params["ADMIN_AREAS"][1] == {
        "code": 2,
        "label": {"en": "Kwale County", "fr": "Comté de Kwale"},
    }


# (profile body, extra files, code, where the message points: file name and line or None)
REFUSALS = [
    ("recodes: {sex: {yes: 1, no: 2}}", {}, "PROFILE-RECODE-002", ("p.yaml", 8)),
    ("recodes: {sex: {Male: one}}", {}, "PROFILE-RECODE-002", ("p.yaml", 8)),
    ("recodes:\n  age: {'5:3': 1}", {}, "PROFILE-RECODE-003", ("p.yaml", 9)),
    ("recodes:\n  reason_for_migration: {'1:5': 1, '4:9': 2}", {}, "PROFILE-RECODE-003", None),
    ("recodes: {sex: {'1': 1, 1: 2}}", {}, "PROFILE-RECODE-004", ("p.yaml", 8)),
    ("recodes: {country_of_birth: nope.csv}", {}, "PROFILE-RECODE-005", ("nope.csv", None)),
    (
        "recodes: {country_of_birth: cw.csv}",
        {"cw.csv": "code,m49\n1,404\n"},
        "PROFILE-RECODE-005",
        ("cw.csv", 1),
    ),
    (
        "recodes: {country_of_birth: cw.csv}",
        {"cw.csv": "national,standard\n1,404\n2,Kenya\n"},
        "PROFILE-RECODE-002",
        ("cw.csv", 3),
    ),
    ("recodes: {country_of_birth: m49}", {}, "PROFILE-RECODE-006", ("p.yaml", 8)),
    ("recodes: {sex: {'1:2': 7}}", {}, "PROFILE-RECODE-001", ("p.yaml", 8)),
    ("universes: {year_of_arrival: 'foreign_born and'}", {}, "EXPR-SYNTAX-001", ("p.yaml", 8)),
    ("universes: {year_of_arrival: 'born_abroad'}", {}, "EXPR-NAME-001", ("p.yaml", 8)),
    ("universes: {year_of_arrival: 'age'}", {}, "PROFILE-EXPR-001", ("p.yaml", 8)),
    ("universes: {year_of_arrival: 'emigrant_sex == 1'}", {}, "EXPR-LEVEL-001", None),
    ("universes: {year_of_arival: 'true'}", {}, "PROFILE-QUESTION-001", None),
    ("levels: {members: {where: 'A == 1'}}", {}, "PROFILE-LEVEL-001", ("p.yaml", 8)),
    ("levels: {person: {where: 'A = 1'}}", {}, "EXPR-SYNTAX-001", ("p.yaml", 8)),
    ("levels: {person: {where: 'A + 1'}}", {}, "PROFILE-EXPR-001", None),
    ("levels: {person: {variables: {emigrant_sex: SEX}}}", {}, "PROFILE-LEVEL-002", None),
    ("ids: {household_id: HHID}", {}, "PROFILE-ID-001", ("p.yaml", 8)),
    ("levels: {person: {ids: {emigrant_no: L}}}", {}, "PROFILE-ID-001", None),
    ("ids: {hh_id: ID, person_no: ID}", {}, "PROFILE-VAR-001", None),
    ("variables: {sex: P04, age: P04}", {}, "PROFILE-VAR-001", ("p.yaml", 8)),
    ("variables: {sex: HHID}\nids: {hh_id: HHID}", {}, "PROFILE-VAR-001", None),
    ("variables: {age: P05}\nderive: {age: 'P05 + 1'}", {}, "PROFILE-VAR-002", None),
    (
        "variables:\n  place_of_birth: {from: P12, where: 'P12'}",
        {},
        "PROFILE-EXPR-001",
        ("p.yaml", 9),
    ),
    ("variables:\n  place_of_birth: {from: P12}", {}, "PROFILE-SCHEMA-001", ("p.yaml", 9)),
    ("variables: {sex: ' '}", {}, "PROFILE-SCHEMA-001", ("p.yaml", 8)),
    ("ids: {hh_id: ''}", {}, "PROFILE-SCHEMA-001", ("p.yaml", 8)),
    ("derive: {age: 'age_of(DOB)'}", {}, "EXPR-NAME-002", ("p.yaml", 8)),
    ("derive: {age: 'if(A == 1, 2)'}", {}, "EXPR-ARG-001", None),
    ("derive: {age: 'DOB > 3'}", {}, "PROFILE-EXPR-001", None),
    ("derive: {nativity: 'P1'}", {}, "PROFILE-QUESTION-001", None),
    (
        "parameters: {ADMIN_AREAS: areas.csv}",
        {"areas.csv": "code,label\n1,Mombasa\nX2,Kwale\n"},
        "PARAM-FILE-001",
        ("areas.csv", 3),
    ),
    ("parameters: {ADMIN_AREAS: areas.csv}", {}, "PARAM-FILE-001", ("areas.csv", None)),
]


@pytest.mark.parametrize("body, files, code, where", REFUSALS)
def test_check_refuses_with_a_code_file_and_line(tmp_path, body, files, code, where):
    from migmodule.spec.load import SpecSchemaError

    path = _profile(tmp_path, body, files)
    if body.startswith("parameters:"):  # replaces the default national list
        text = path.read_text(encoding="utf-8")
        text = text.replace(
            "    parameters: {ADMIN_AREAS: [{code: 1, label: {en: Mombasa}}]}\n", ""
        )
        path.write_text(text, encoding="utf-8")
    try:
        errors = _errors(path)
    except SpecSchemaError as exc:  # the profile does not follow the format at all
        errors = exc.findings
    assert code in [f.code for f in errors], errors
    finding = next(f for f in errors if f.code == code)
    if where is not None:
        name, line = where
        assert finding.location.file is not None and finding.location.file.endswith(name)
        if line is not None:
            assert finding.location.line == line, finding
    if code.startswith("PROFILE-") and code != "PROFILE-SCHEMA-001":
        assert CKQ in finding.message  # the module is named; templates say what to do


@pytest.mark.parametrize(
    "body, files, code, where",
    [r for r in REFUSALS if r[2].startswith(("PROFILE-RECODE-00", "PARAM-FILE"))],
)
def test_validate_refuses_the_same_recode_and_parameter_errors_with_the_same_code(
    tmp_path, body, files, code, where
):
    from migmodule.codes import MigmoduleError

    if code == "PROFILE-RECODE-001":  # a standard code outside the list is reported by validate
        return
    path = _profile(tmp_path, body, files)
    if body.startswith("parameters:"):
        text = path.read_text(encoding="utf-8")
        text = text.replace(
            "    parameters: {ADMIN_AREAS: [{code: 1, label: {en: Mombasa}}]}\n", ""
        )
        path.write_text(text, encoding="utf-8")
    with pytest.raises(MigmoduleError) as info:
        adapt(load_profile(path))
    assert info.value.finding.code == code


@pytest.mark.parametrize(
    "body",
    [
        # splits of one variable, and a plain name next to splits of the same variable
        "variables:\n  country_of_birth: P12\n  place_of_birth: {from: P12, where: 'P12 <= 47'}\n"
        "  previous_residence_area: {from: P12, where: 'P12 <= 47'}",
        # two levels' files share column names when the names are given per level
        "levels:\n  person: {variables: {sex: SEX}}\n  emigrant: {variables: {emigrant_sex: SEX}}",
    ],
)
def test_shared_variables_with_splits_or_per_level_names_are_allowed(tmp_path, body):
    assert _errors(_profile(tmp_path, body)) == []


def test_two_levels_sharing_a_name_at_module_level_still_collide(tmp_path):
    errors = _errors(_profile(tmp_path, "variables: {sex: SEX, emigrant_sex: SEX}"))
    assert [f.code for f in errors] == ["PROFILE-VAR-001"]
    assert "levels:" in errors[0].message  # the fix is named


def test_census_sample_profile_loads_and_checks_as_before():
    path = Path(__file__).parents[1] / "samples" / "census.profile.yaml"
    profile = load_profile(path)
    assert [f.code for f in check_profile(profile)] == ["PROFILE-PARAM-001"]
    [adapted] = adapt(profile)
    assert adapted.variable("sex") == "P04_SEX" and adapted.recode_map("sex") == {}


def test_docs_profile_example_checks_clean(tmp_path):
    import re

    doc = (Path(__file__).parents[1] / "docs" / "profiles.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    assert blocks
    for block in blocks:
        if not block.startswith("profile_format"):
            continue
        path = tmp_path / "doc.yaml"
        path.write_text(block, encoding="utf-8")
        assert [f for f in check_profile(load_profile(path)) if f.severity.value == "error"] == []


def test_every_profile_code_is_in_the_profiles_page():
    from migmodule.codes import all_codes

    doc = (Path(__file__).parents[1] / "docs" / "profiles.md").read_text(encoding="utf-8")
    missing = [c for c, issue in all_codes().items() if issue.area == "profile" and c not in doc]
    assert missing == []


@pytest.mark.parametrize("expression", ["A == .", "nope(A)", "A = 1", "if(A, 1)", "A >", "‘x’"])
def test_check_refuses_file_expressions_with_the_code_the_engine_raises(tmp_path, expression):
    from migmodule.codes import MigmoduleError
    from migmodule.expr.columns import column_names

    with pytest.raises(MigmoduleError) as info:
        column_names(expression)
    body = "derive:\n  age: " + json.dumps(expression, ensure_ascii=False)
    codes = [f.code for f in _errors(_profile(tmp_path, body))]
    assert info.value.finding.code in codes


def test_profiles_and_recodes_load_without_pandas():
    import subprocess
    import sys

    code = (
        "import sys, migmodule.profile, migmodule.national.recode; print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # exports and handouts read profiles without pandas
