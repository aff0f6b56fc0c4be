"""One file validated against several modules at once (issue 12): read once, a shared question
checked once and reported under its shared module, a module-specific one under its module."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.codes import MigmoduleError
from migmodule.microdata.source import DataSource
from migmodule.spec.registry import load_module
from migmodule.spec.shared import shared_from
from migmodule.validate.engine import validate_data
from migmodule.validate.several import validate_modules

MODULES = Path(__file__).resolve().parents[1] / "modules"
LABOUR, COSTS = "labour-migration@2.0.0", "recruitment-costs@2.0.0"

# Shared questions (person-core: sex, age...; work-abroad: worked_abroad...) and one question of
# each module. Planted: sex = 7 (shared, not a code), labour_force_status = 7 (labour-migration
# only), respondent_type = 8 (recruitment-costs only); region for --by, w for --weight.
PERSONS = """
| hh_id | person_no | region | w   | sex | age | country_of_birth | citizenship | ever_lived_abroad | worked_abroad | country_of_work_abroad | year_left_for_work_abroad | works_abroad_now | labour_force_status | respondent_type |
| 1     | 1         | 1      | 1.5 | 1   | 30  | 404              | 1           | 2                 | 1             | 800                    | 2020                      | 2                | 1                   | 1               |
| 1     | 2         | 1      | 1.0 | 2   | 28  | 404              | 1           | 2                 | 2             |                        |                           |                  | 7                   |                 |
| 2     | 1         | 2      | 2.0 | 7   | 40  | 404              | 1           | 1                 | 1             | 682                    | 2019                      | 2                | 1                   | 8               |
| 2     | 2         | 2      | 1.0 | 1   | 35  | 800              | 3           | 1                 | 2             |                        |                           |                  | 2                   |                 |
| 3     | 1         | 2      | 1.0 | 2   | 50  | 404              | 1           | 2                 | 1             | 784                    | 2018                      | 2                | 1                   | 1               |
"""


def md(text: str) -> pd.DataFrame:
    lines = [line.strip().strip("|") for line in text.strip().splitlines()]
    header = [cell.strip() for cell in lines[0].split("|")]
    rows = [[cell.strip() for cell in line.split("|")] for line in lines[1:]]
    frame = pd.DataFrame(rows, columns=header).replace("", None)
    return frame.apply(pd.to_numeric)


@pytest.fixture
def persons(tmp_path) -> Path:
    path = tmp_path / "persons.csv"
    md(PERSONS).to_csv(path, index=False)
    return path


def element(result) -> str:
    return result.question or result.edit or result.level or ""


def origin(module_ref: str, result) -> str:
    """Where a result's element comes from, as the several-module report says it."""
    module = load_module(module_ref)
    return shared_from(module, element(result)) or module.ref


def failed(report) -> list[tuple[str, str, str, int]]:
    """(code, element, module, count) of each failed check of a several-module report."""
    return [
        (r.code, element(r), r.module, r.count) for r in report.results if r.finding is not None
    ]


def test_a_shared_defect_is_reported_once_and_the_rest_is_the_union_of_single_runs(persons):
    both = validate_modules({"person": persons}, [LABOUR, COSTS], country="404")
    found = failed(both)
    assert len(found) == len(set(found))
    sex = [f for f in found if f[1] == "sex"]
    assert sex == [("DATA-CODE-001", "sex", "person-core@1.0.0", 1)]
    assert ("DATA-CODE-001", "labour_force_status", LABOUR, 1) in found
    assert ("DATA-CODE-001", "respondent_type", COSTS, 1) in found
    # The union of the two single-module runs, a shared element counted once.
    expected = set()
    for ref in (LABOUR, COSTS):
        single = validate_data({"person": persons}, ref, country="404")
        expected |= {
            (r.code, element(r), origin(ref, r), r.count)
            for r in single.results
            if r.finding is not None
        }
    assert set(found) == expected
    assert len(both.findings) == len(expected)
    singles = sum(
        len(validate_data({"person": persons}, ref, country="404").findings)
        for ref in (LABOUR, COSTS)
    )
    assert len(both.findings) < singles  # the shared findings of the second module are gone
    flat = both.flatten()
    assert [row["module"] for row in flat] == [r.module for r in both.results]
    assert "module" not in validate_data({"person": persons}, LABOUR, country="404").flatten()[0]


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.mark.parametrize(
    ("files", "modules"),
    [
        # a household file and a person file: the person file joins its parent's values
        (
            {"household": "rural_households.dta", "person": "rural_members.dta"},
            ["rural-migration@2.0.0", "census-key-questions@2.0.0"],
        ),
        # one flat person file that repeats household questions
        ({"person": "census_persons.sav"}, ["census-key-questions@2.0.0", LABOUR]),
    ],
)
def test_bundled_samples_give_the_union_of_single_runs(files, modules):
    data = {level: SAMPLES / name for level, name in files.items()}
    both = validate_modules(data, modules, country="404")
    found = failed(both)
    expected = set()
    for ref in modules:
        single = validate_data(data, ref, country="404")
        expected |= {
            (r.code, element(r), origin(ref, r), r.count) for r in single.results if r.finding
        }
    assert len(found) == len(set(found))
    assert set(found) == expected
    assert set(both.files) == set(files)


def test_a_shared_element_is_checked_by_the_first_module_only(persons):
    both = validate_modules({"person": persons}, [COSTS, LABOUR], country="404")
    on_sex = [r for r in both.results if r.question == "sex"]
    assert on_sex and {r.module for r in on_sex} == {"person-core@1.0.0"}
    assert len({(r.code, r.check) for r in on_sex}) == len(on_sex)
    ids = [r for r in both.results if r.code == "DATA-ID-002"]
    assert len(ids) <= 1
    assert both.modules == [COSTS, LABOUR]
    edits = [r.edit for r in both.results if r.edit]
    assert len(edits) == len(set(edits))
    assert "LM01_worked_abroad_below_working_age" in edits and "RC01" in edits


def test_the_file_is_read_once_for_two_modules(persons, monkeypatch):
    calls: list[list[str]] = []
    chunks = DataSource.chunks

    def counting(self, names, chunk_size=None):
        calls.append(list(names))
        return chunks(self, names, chunk_size)

    monkeypatch.setattr(DataSource, "chunks", counting)
    validate_data({"person": persons}, LABOUR, country="404")
    assert len(calls) == 1
    calls.clear()
    validate_modules({"person": persons}, [LABOUR, COSTS], country="404", chunk_size=2)
    assert len(calls) == 1
    assert {"labour_force_status", "respondent_type", "sex"} <= set(calls[0])


def test_chunked_run_equals_whole_file_run(persons):
    whole = validate_modules({"person": persons}, [LABOUR, COSTS], country="404", chunk_size=None)
    chunked = validate_modules({"person": persons}, [LABOUR, COSTS], country="404", chunk_size=2)
    assert [r.to_dict() for r in whole.results] == [r.to_dict() for r in chunked.results]
    assert whole.files == chunked.files


@pytest.fixture
def other_person_core(tmp_path) -> Path:
    """A bank where recruitment-costs 2.1.0 uses person-core@1.1.0 (labour-migration: 1.0.0),
    whose `sex` question is asked of another universe: the two cannot share it. (Worded
    otherwise only, it would be shared with the newer texts: tests/test_person_core_12.py.)"""
    bank = tmp_path / "bank"
    core = yaml.safe_load((MODULES / "person-core" / "1.0.0.yaml").read_text(encoding="utf-8"))
    core["version"] = "1.1.0"
    sex = next(q for q in core["questions"] if q["id"] == "sex")
    sex["label"]["en"] = "What is the sex of this person, as recorded at birth?"
    sex["universe"] = "age >= 15"
    (bank / "person-core").mkdir(parents=True)
    (bank / "person-core" / "1.1.0.yaml").write_text(
        yaml.safe_dump(core, allow_unicode=True), encoding="utf-8"
    )
    for name in ("person-core", "work-abroad"):
        (bank / name).mkdir(exist_ok=True)
        (bank / name / "1.0.0.yaml").write_text(
            (MODULES / name / "1.0.0.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    text = (MODULES / "recruitment-costs" / "2.0.0.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: 2\.0\.0$", "version: 2.1.0", text, count=1)
    text = text.replace("module: person-core@1.0.0", "module: person-core@1.1.0")
    (bank / "recruitment-costs").mkdir()
    spec = bank / "recruitment-costs" / "2.1.0.yaml"
    spec.write_text(text, encoding="utf-8")
    return spec


def test_different_shared_versions_are_refused_before_reading(persons, other_person_core):
    with pytest.raises(MigmoduleError) as caught:
        validate_modules({"person": persons}, [LABOUR, str(other_person_core)], country="404")
    assert caught.value.finding.code == "SPEC-USES-008"
    result = CliRunner().invoke(
        main,
        ["validate", f"person={persons}", "-m", LABOUR, "-m", str(other_person_core)],
    )
    assert result.exit_code == 2, result.output
    assert "SPEC-USES-008" in result.output
    assert "person-core@1.1.0" in result.output and "differ on sex" in result.output
    assert "Traceback" not in result.output


def test_one_module_gives_the_same_json_as_before(persons, tmp_path):
    out = tmp_path / "one.json"
    result = CliRunner().invoke(
        main,
        ["validate", f"person={persons}", "-m", LABOUR, "--country", "404", "--report", str(out)],
    )
    assert result.exit_code == 1, result.output
    cli = json.loads(out.read_text(encoding="utf-8"))
    api = validate_data({"person": persons}, LABOUR, country="404").to_dict()
    assert list(cli) == list(api)
    assert "modules" not in cli and cli["module"] == LABOUR
    assert all("module" not in r for r in cli["results"])
    assert [list(r) for r in cli["results"]] == [list(r) for r in api["results"]]
    cli.pop("stats"), api.pop("stats")  # seconds differ
    assert json.dumps(cli, sort_keys=True) == json.dumps(api, sort_keys=True)


def test_cli_writes_every_report_in_french(persons, tmp_path):
    html, js, xlsx = (tmp_path / f"x.{ext}" for ext in ("html", "json", "xlsx"))
    args = ["validate", f"person={persons}", "-m", LABOUR, "-m", COSTS, "--country", "404"]
    args += ["--lang", "fr", "--report", str(html), "--report", str(js), "--report", str(xlsx)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert f"Modules validés : {LABOUR}, {COSTS}" in result.output
    assert re.search(r"DATA-CODE-001\s+sex\s+source : person-core@1\.0\.0", result.output)
    assert len(re.findall(r"DATA-CODE-001\s+sex\b", result.output)) == 1
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["modules"] == [LABOUR, COSTS]
    sex = [r for r in data["results"] if r["question"] == "sex" and r["failed"]]
    assert [(r["code"], r["module"]) for r in sex] == [("DATA-CODE-001", "person-core@1.0.0")]
    located = {f["location"].get("question"): f["location"]["module"] for f in data["findings"]}
    assert located["sex"] == "person-core@1.0.0"
    assert located["respondent_type"] == COSTS
    page = html.read_text(encoding="utf-8")
    assert f"Modules validés : {LABOUR}, {COSTS}" in page
    assert "source : person-core@1.0.0" in page and f"source : {COSTS}" in page
    book = openpyxl.load_workbook(xlsx)
    summary = {row[0].value: row[1].value for row in book.worksheets[0].iter_rows()}
    assert summary["Modules validés"] == f"{LABOUR}, {COSTS}"
    sheet = book.worksheets[1]
    header = [c.value for c in sheet[1]]
    module_at, question_at = header.index("Module"), header.index("Question")
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    by_question = {(r[0], r[question_at]): r[module_at] for r in rows}
    assert by_question[("DATA-CODE-001", "sex")] == "person-core@1.0.0"
    assert by_question[("DATA-CODE-001", "labour_force_status")] == LABOUR


def test_options_naming_module_things_still_work(persons, tmp_path):
    out = tmp_path / "x.json"
    args = ["validate", f"person={persons}", "-m", LABOUR, "-m", COSTS, "--country", "404"]
    args += ["--checks", "values,universe", "--skip", "DATA-NR-001"]
    args += ["--by", "region", "--weight", "w"]
    result = CliRunner().invoke(main, [*args, "--report", str(out)])
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    codes = {r["code"] for r in data["results"]}
    assert "DATA-UNIV-001" in codes and "DATA-CODE-001" in codes
    assert not codes & {"DATA-COVER-001", "DATA-COVER-002", "DATA-NR-001", "DATA-EDIT-001"}
    found = {(r["code"], r["question"], r["module"]): r for r in data["results"] if r["failed"]}
    sex = found[("DATA-CODE-001", "sex", "person-core@1.0.0")]
    assert sex["by"]["2"]["count"] == 1 and sex["weighted_rate"] == pytest.approx(2.0 / 6.5)
    assert found[("DATA-CODE-001", "respondent_type", COSTS)]["by"]["2"]["count"] == 1
    assert found[("DATA-CODE-001", "labour_force_status", LABOUR)]["by"]["1"]["count"] == 1


def test_a_national_name_given_once_serves_every_module(tmp_path):
    data = md(PERSONS).rename(columns={"sex": "SEXE"})
    path = tmp_path / "persons.csv"
    data.to_csv(path, index=False)
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        yaml.safe_dump(
            {
                "name": "test",
                "country": 404,
                "reference_date": "2025-06-30",
                "modules": [{"module": LABOUR, "variables": {"sex": "SEXE"}}, {"module": COSTS}],
            }
        ),
        encoding="utf-8",
    )
    # recruitment-costs first: it checks sex, under the name the profile gives for labour only.
    report = validate_modules({"person": path}, [COSTS, LABOUR], profile=profile)
    on_sex = [r for r in report.results if r.question == "sex" and r.finding is not None]
    assert [(r.code, r.variable, r.module) for r in on_sex] == [
        ("DATA-CODE-001", "SEXE", "person-core@1.0.0")
    ]
