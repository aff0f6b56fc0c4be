"""Diff classification, released-file immutability, and the spec commands through the CLI."""

import copy
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.spec.diff import diff_modules, expected_version, required_bump
from migmodule.spec.model import Module
from migmodule.spec.registry import bank_dir, list_modules
from migmodule.spec.versions import checksum, read_register, released_findings

MINI = Path(__file__).parent / "specs" / "mini.yaml"
BASE = yaml.safe_load(MINI.read_text(encoding="utf-8"))


def variant(change) -> Module:
    data = copy.deepcopy(BASE)
    change(data)
    return Module.model_validate(data)


def q(data, qid):
    return next(item for item in data["questions"] if item["id"] == qid)


OLD = Module.model_validate(BASE)


@pytest.mark.parametrize(
    "change, kind, impact",
    [
        (lambda d: d["questions"].remove(q(d, "reasons")), "question_removed", "major"),
        (
            lambda d: d["questions"].append({**copy.deepcopy(q(d, "age")), "id": "age2"}),
            "question_added",
            "minor",
        ),
        (
            lambda d: q(d, "age")["label"].update(en="What is this person's age?"),
            "question_reworded",
            "minor",
        ),
        (
            lambda d: q(d, "age")["label"].update(fr="Quel est l'âge de cette personne ?"),
            "question_reworded",
            "patch",
        ),
        (
            lambda d: q(d, "age").update(
                hint={"en": "In years", "fr": "En années", "es": "En años"}
            ),
            "hint_changed",
            "patch",
        ),
        (
            lambda d: q(d, "year_of_arrival").update(universe="foreign_born and old_enough"),
            "universe_changed",
            "major",
        ),
        (lambda d: d["code_lists"][0]["codes"].pop(1), "code_removed", "major"),
        (
            lambda d: d["code_lists"][4]["codes"].insert(
                3, {"code": 4, "label": {"en": "Asylum", "fr": "Asile", "es": "Asilo"}}
            ),
            "code_added",
            "minor",
        ),
        (
            lambda d: d["code_lists"][4]["codes"][1]["label"].update(en="Marriage"),
            "code_relabelled",
            "major",
        ),
        (
            lambda d: d["code_lists"][4]["codes"][1]["label"].update(es="Familiares"),
            "code_relabelled",
            "patch",
        ),
        (lambda d: q(d, "age").update(variable="p_age"), "variable_renamed", "major"),
        (lambda d: d["edits"].pop(), "edit_removed", "minor"),
        (
            lambda d: d["conditions"][0].update(expression="country_of_birth != COUNTRY"),
            "condition_changed",
            "major",
        ),
    ],
)
def test_each_change_is_classified(change, kind, impact):
    changes = diff_modules(OLD, variant(change))
    assert (kind, impact) in [(c.kind, c.impact) for c in changes]


def test_required_bump_and_expected_version():
    changes = diff_modules(OLD, variant(lambda d: d["questions"].remove(q(d, "reasons"))))
    assert required_bump(changes) == "major"
    assert expected_version(OLD, "major") == "2.0.0"
    assert expected_version(OLD, "minor") == "1.1.0"
    assert diff_modules(OLD, OLD) == []


# --- released versions are immutable -------------------------------------------------------------


def test_every_released_file_in_the_bank_matches_its_recorded_checksum():
    assert released_findings(bank_dir()) == []


def test_every_released_module_is_recorded():
    recorded = read_register(bank_dir())
    for entry in list_modules():
        if entry.status == "released":
            assert f"{entry.id}/{entry.version}.yaml" in recorded


def test_a_changed_released_file_is_reported(tmp_path):
    folder = tmp_path / "mini"
    folder.mkdir()
    released = {**copy.deepcopy(BASE), "status": "released"}
    path = folder / "1.0.0.yaml"
    path.write_text(yaml.safe_dump(released, allow_unicode=True), encoding="utf-8")
    (tmp_path / "released.json").write_text(json.dumps({"mini/1.0.0.yaml": checksum(path)}))
    assert released_findings(tmp_path) == []
    path.write_text(
        path.read_text(encoding="utf-8").replace("Mini module", "Mini"), encoding="utf-8"
    )
    assert [f.code for f in released_findings(tmp_path)] == ["REG-RELEASE-001"]
    (tmp_path / "released.json").write_text("{}")
    assert [f.code for f in released_findings(tmp_path)] == ["REG-RELEASE-002"]


def test_crlf_checkout_is_not_a_change(tmp_path):
    lf = tmp_path / "a.yaml"
    crlf = tmp_path / "b.yaml"
    lf.write_bytes(b"id: x\nversion: 1.0.0\n")
    crlf.write_bytes(b"id: x\r\nversion: 1.0.0\r\n")
    assert checksum(lf) == checksum(crlf)


# --- CLI ----------------------------------------------------------------------------------------


@pytest.fixture
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def test_list_and_show(run):
    result = run("list", "--format", "json")
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert {row["id"] for row in listed} == {e.id for e in list_modules()}
    result = run("show", str(MINI), "--lang", "fr")
    assert result.exit_code == 0 and "Mini module" in result.output and "Quel âge" in result.output
    assert json.loads(run("show", str(MINI), "--format", "json").output)["id"] == "mini"


def test_unknown_module_and_version_are_coded_with_exit_2(run):
    result = run("show", "no-such-module")
    assert (
        result.exit_code == 2
        and "REG-MODULE-001" in result.output
        and "Traceback" not in result.output
    )
    result = run("show", "not a ref!")
    assert result.exit_code == 2 and "REG-REF-001" in result.output
    for entry in list_modules()[:1]:
        result = run("show", f"{entry.id}@9.9.9")
        assert (
            result.exit_code == 2
            and "REG-VERSION-001" in result.output
            and entry.version in result.output
        )


def test_lint_exit_codes(run, tmp_path):
    assert run("lint", str(MINI)).exit_code == 0
    assert run("lint", str(MINI), "--fail-on", "info").exit_code == 1  # the draft notice
    bad = tmp_path / "mini" / "1.0.0.yaml"
    bad.parent.mkdir()
    bad.write_text(
        MINI.read_text(encoding="utf-8").replace(
            "universe: foreign_born\n", "universe: foreign_bron\n"
        ),
        encoding="utf-8",
    )
    result = run("lint", str(bad), "--format", "json")
    assert result.exit_code == 1
    assert any(f["code"] == "EXPR-NAME-001" for f in json.loads(result.output))


def test_lint_the_whole_bank_passes(run):
    result = run("lint")
    assert result.exit_code == 0, result.output


def test_diff_command(run, tmp_path):
    new = tmp_path / "mini" / "2.0.0.yaml"
    new.parent.mkdir()
    data = copy.deepcopy(BASE)
    data["version"] = "2.0.0"
    data["questions"].remove(q(data, "reasons"))
    new.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("diff", str(MINI), str(new), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["required"] == "major" and report["expected_version"] == "2.0.0"


def test_schema_is_json_schema(run):
    schema = json.loads(run("schema").output)
    assert (
        schema["$schema"].startswith("https://json-schema.org/")
        and "questions" in schema["properties"]
    )


def test_shipped_schema_file_is_current(run):
    from migmodule.cli.spec import schema_text

    shipped = (
        Path(__file__).resolve().parents[1] / "src" / "migmodule" / "schema" / "module.schema.json"
    )
    assert shipped.read_text(encoding="utf-8") == schema_text(), (
        "regenerate with: migmodule schema > src/migmodule/schema/module.schema.json"
    )
    assert run("schema").output == schema_text()
