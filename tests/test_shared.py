"""Shared modules (`kind: shared`) used by reference (`uses`): the merged view, lint and diff.

The fixtures are a small bank under tests/specs/shared: person-mini (shared, 1.0.0 and 1.1.0),
alpha (uses four of its questions), beta (uses all of it), gamma (uses person-mini 1.1.0).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from migmodule.codes import MigmoduleError
from migmodule.spec.diff import diff_modules
from migmodule.spec.lint import lint_paths
from migmodule.spec.load import SpecSchemaError
from migmodule.spec.model import module_json_schema
from migmodule.spec.registry import list_modules, load_module, load_spec
from migmodule.spec.shared import check_shared_versions, duplicates
from migmodule.spec.versions import checksum

FIXTURES = Path(__file__).parent / "specs" / "shared"
ALPHA = FIXTURES / "alpha" / "1.0.0.yaml"
BETA = FIXTURES / "beta" / "1.0.0.yaml"
GAMMA = FIXTURES / "gamma" / "1.0.0.yaml"
SHARED = "person-mini@1.0.0"


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """A writable copy of the fixture bank."""
    shutil.copytree(FIXTURES, tmp_path / "bank")
    return tmp_path / "bank"


def edit_spec(path: Path, change) -> Path:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def codes_of(path: Path) -> list[str]:
    return [f.code for f in lint_paths([str(path)]) if f.code != "LINT-VERSION-002"]


def origin(items) -> dict[str, str | None]:
    return {item.id: item.shared_from for item in items}


# The merged view --------------------------------------------------------------------------------


def test_named_questions_come_first_marked_with_their_origin():
    module = load_module(str(ALPHA))
    assert origin(module.questions) == {
        "sex": SHARED,
        "age": SHARED,
        "country_of_birth": SHARED,
        # country_of_citizenship's universe reads foreign_citizen, which reads citizenship
        "citizenship": SHARED,
        "country_of_citizenship": SHARED,
        "worked_abroad": None,
    }
    assert [q.id for q in module.questions][-1] == "worked_abroad"
    assert origin(module.levels) == {"household": SHARED, "person": SHARED}


def test_merged_view_brings_what_the_questions_and_own_rules_need_and_nothing_else():
    module = load_module(str(ALPHA))
    # foreign_born: read by alpha's own universe; foreign_citizen: by a merged universe
    assert origin(module.conditions) == {"foreign_born": SHARED, "foreign_citizen": SHARED}
    assert set(module.code_list_by_id) == {
        "sex",
        "age_specials",
        "countries",
        "citizenship",
        "yes_no",
    }
    assert module.code_list_by_id["citizenship"].shared_from == SHARED
    assert module.code_list_by_id["yes_no"].shared_from is None
    # year_of_arrival is not used: neither its edit P1 nor the derived variable reading it come
    assert "year_of_arrival" not in module.question_by_id
    assert [e.id for e in module.edits] == ["A1"]
    assert module.derived == []
    assert [p.id for p in module.parameters] == ["COUNTRY"]  # read by foreign_born
    assert [s.id for s in module.sources] == ["PR3", "ILO"]  # PR3 cited by merged questions


def test_uses_without_questions_takes_everything():
    module = load_module(str(BETA))
    shared = load_module(str(FIXTURES / "person-mini" / "1.0.0.yaml"))
    assert [q.id for q in module.questions] == [q.id for q in shared.questions] + [
        "reason_for_coming"
    ]
    assert origin(module.edits) == {"P1": SHARED}
    assert origin(module.derived) == {"years_since_arrival": SHARED}
    assert module.kind == "module" and shared.kind == "shared"
    assert module.shared_refs == {"person-mini": SHARED}


def test_line_numbers_of_own_elements_survive_the_merge_and_shared_ones_point_at_uses():
    spec = load_spec(str(ALPHA))
    lines = ALPHA.read_text(encoding="utf-8").splitlines()
    own = [q.id for q in spec.module.questions].index("worked_abroad")
    assert "universe: age >= 15" in lines[spec.line_of("questions", own, "universe") - 1]
    assert lines[spec.line_of("questions", 0) - 1].strip().startswith("- module: person-mini")


def test_a_lint_finding_on_an_own_question_has_its_file_line(bank):
    path = edit_spec(
        bank / "alpha" / "1.0.0.yaml",
        lambda d: d["questions"][0].update(universe="age >= 15 and foreign_bron"),
    )
    [finding] = [f for f in lint_paths([str(path)]) if f.code == "EXPR-NAME-001"]
    text = path.read_text(encoding="utf-8").splitlines()
    assert "foreign_bron" in text[finding.location.line - 1]
    assert "universe of worked_abroad" in finding.message


def test_fixtures_and_bank_lint_clean():
    for path in sorted(FIXTURES.glob("*/*.yaml")):
        assert codes_of(path) == [], path
    assert all(e.path.suffix == ".yaml" for e in list_modules())


def test_own_rules_may_read_shared_names_but_not_unlisted_questions(bank):
    path = edit_spec(
        bank / "alpha" / "1.0.0.yaml",
        lambda d: d["questions"][0].update(universe="year_of_arrival > 2000"),
    )
    assert codes_of(path) == ["EXPR-NAME-001"]  # list it in uses.questions to read it


def test_released_files_without_uses_are_unchanged_and_have_no_shared_elements():
    for entry in list_modules():
        module = load_module(str(entry.path))
        if module.uses:
            continue
        assert all(q.shared_from is None for q in module.questions), entry.ref
        assert module.kind in ("module", "shared")


def test_the_bank_listing_says_which_modules_are_shared(bank):
    kinds = {e.ref: e.kind for e in list_modules(bank)}
    assert kinds["person-mini@1.0.0"] == "shared" and kinds["alpha@1.0.0"] == "module"


def test_checksum_of_a_using_module_covers_its_own_file_only(bank):
    before = checksum(bank / "alpha" / "1.0.0.yaml")
    edit_spec(
        bank / "person-mini" / "1.0.0.yaml",
        lambda d: d["questions"][0]["label"].update(en="What is this person's sex?"),
    )
    assert checksum(bank / "alpha" / "1.0.0.yaml") == before
    module = load_module(str(bank / "alpha" / "1.0.0.yaml"))
    assert module.question_by_id["sex"].label["en"] == "What is this person's sex?"


def test_schema_has_kind_and_uses_but_not_the_loaders_mark():
    schema = module_json_schema()
    assert schema["properties"]["kind"]["enum"] == ["module", "shared"]
    assert "uses" in schema["properties"]
    assert "shared_from" not in str(schema["$defs"]["Question"])


# Lint of `uses` -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    ["person-mini", "person-mini@1", "person-mini@^1.0.0"],
)
def test_version_pin_must_be_exact(bank, ref):
    path = edit_spec(bank / "alpha" / "1.0.0.yaml", lambda d: d["uses"][0].update(module=ref))
    [finding] = lint_paths([str(path)])
    assert finding.code == "SPEC-USES-001"
    line = path.read_text(encoding="utf-8").splitlines()[finding.location.line - 1]
    assert f"module: {ref}" in line
    assert "person-mini@1.0.0" in finding.message


def test_unknown_module_or_version(bank):
    path = edit_spec(
        bank / "alpha" / "1.0.0.yaml", lambda d: d["uses"][0].update(module="person-mini@3.0.0")
    )
    [finding] = lint_paths([str(path)])
    assert finding.code == "SPEC-USES-002"
    assert "person-mini@1.0.0, person-mini@1.1.0" in finding.message
    path = edit_spec(path, lambda d: d["uses"][0].update(module="person-maxi@1.0.0"))
    assert codes_of(path) == ["SPEC-USES-002"]


def test_unknown_question_with_a_suggestion_and_its_line(bank):
    path = edit_spec(
        bank / "alpha" / "1.0.0.yaml",
        lambda d: d["uses"][0].update(questions=["sex", "agee", "country_of_birth"]),
    )
    [finding] = lint_paths([str(path)])
    assert finding.code == "SPEC-USES-004"
    assert "Did you mean age?" in finding.message
    assert "agee" in path.read_text(encoding="utf-8").splitlines()[finding.location.line - 1]


def test_only_a_shared_module_can_be_used(bank):
    path = edit_spec(
        bank / "beta" / "1.0.0.yaml", lambda d: d["uses"][0].update(module="alpha@1.0.0")
    )
    assert codes_of(path) == ["SPEC-USES-003"]


def test_a_shared_module_cannot_use_another(bank):
    path = edit_spec(
        bank / "person-mini" / "1.0.0.yaml",
        lambda d: d.update(uses=[{"module": "person-mini@1.1.0"}]),
    )
    assert codes_of(path) == ["SPEC-SCHEMA-001"]


def test_the_same_shared_module_twice(bank):
    path = edit_spec(
        bank / "alpha" / "1.0.0.yaml",
        lambda d: d["uses"].append({"module": "person-mini@1.1.0", "questions": ["age"]}),
    )
    assert codes_of(path) == ["SPEC-USES-006"]


def test_shared_from_written_in_a_file_is_refused(bank):
    path = edit_spec(
        bank / "alpha" / "1.0.0.yaml",
        lambda d: d["questions"][0].update(shared_from="person-mini@1.0.0"),
    )
    with pytest.raises(SpecSchemaError) as caught:
        load_spec(str(path))
    assert caught.value.finding.code == "SPEC-USES-007"
    assert codes_of(path) == ["SPEC-USES-007"]


def _redefine_sex(data):
    data["questions"].insert(
        0,
        {
            "id": "sex",
            "level": "person",
            "type": "select_one",
            "code_list": "yes_no",
            "label": {"en": "Male?"},
            "variable_label": {"en": "Male"},
            "status": "core",
            "sources": [{"source": "ILO"}],
        },
    )


def test_redefining_a_shared_question_is_an_error_at_its_line(bank):
    path = edit_spec(bank / "alpha" / "1.0.0.yaml", _redefine_sex)
    [finding] = [f for f in lint_paths([str(path)]) if f.code == "SPEC-USES-005"]
    assert finding.severity.value == "error"
    assert "question 'sex'" in finding.message and "person-mini@1.0.0" in finding.message
    line = path.read_text(encoding="utf-8").splitlines()[finding.location.line - 1]
    assert "id: sex" in line
    # the view holds the own definition, once
    module = load_module(str(path))
    assert [q.id for q in module.questions].count("sex") == 1
    assert module.question_by_id["sex"].shared_from is None


def test_redefining_a_shared_code_list_or_level_is_an_error(bank):
    def change(data):
        data["code_lists"].append(
            {"id": "citizenship", "codes": [{"code": 1, "label": {"en": "Citizen"}}]}
        )
        data["levels"] = [{"id": "person", "label": {"en": "Person"}, "parent": "household"}]

    path = edit_spec(bank / "alpha" / "1.0.0.yaml", change)
    found = [f.message for f in lint_paths([str(path)]) if f.code == "SPEC-USES-005"]
    assert len(found) == 2
    assert any("code list 'citizenship'" in m for m in found)
    assert any("level 'person'" in m for m in found)


def test_a_released_module_uses_a_released_shared_module(bank):
    path = edit_spec(bank / "alpha" / "1.0.0.yaml", lambda d: d.update(status="released"))
    [finding] = [f for f in lint_paths([str(path)]) if f.code == "SPEC-USES-009"]
    assert "person-mini@1.0.0" in finding.message
    assert (
        "module: person-mini@1.0.0"
        in path.read_text(encoding="utf-8").splitlines()[finding.location.line - 1]
    )
    edit_spec(bank / "person-mini" / "1.0.0.yaml", lambda d: d.update(status="released"))
    assert "SPEC-USES-009" not in codes_of(path)


def test_a_parameter_of_the_same_type_is_not_a_redefinition_another_type_is(bank):
    country = {"id": "COUNTRY", "type": "country", "label": {"en": "Country"}}
    path = edit_spec(bank / "alpha" / "1.0.0.yaml", lambda d: d.update(parameters=[country]))
    assert codes_of(path) == []
    path = edit_spec(path, lambda d: d["parameters"][0].update(type="text"))
    assert "SPEC-USES-005" in codes_of(path)


# diff -----------------------------------------------------------------------------------------------


def test_diff_explains_a_change_of_pin_and_what_it_brings(bank):
    old = load_module(str(BETA))
    new = load_module(str(GAMMA))
    changes = {(c.kind, c.item): c for c in diff_modules(old, new)}
    pin = changes[("uses_changed", "person-mini")]
    assert "person-mini@1.0.0 -> person-mini@1.1.0" in pin.detail
    assert changes[("code_added", "citizenship")].detail.startswith("code 6 added")
    assert "person-mini@1.1.0" in changes[("code_added", "citizenship")].detail


def test_diff_copy_to_reference_is_not_a_content_change(bank):
    # the same question, first copied into the module, then taken from the shared module
    shared = yaml.safe_load((bank / "person-mini" / "1.0.0.yaml").read_text(encoding="utf-8"))
    copied = yaml.safe_load((bank / "beta" / "1.0.0.yaml").read_text(encoding="utf-8"))
    copied.pop("uses")
    for key in (
        "parameters",
        "levels",
        "code_lists",
        "conditions",
        "questions",
        "edits",
        "derived",
    ):
        copied[key] = shared.get(key, []) + copied.get(key, [])
    copied["version"] = "0.9.0"
    (bank / "beta" / "0.9.0.yaml").write_text(
        yaml.safe_dump(copied, sort_keys=False), encoding="utf-8"
    )
    changes = diff_modules(load_module(str(bank / "beta" / "0.9.0.yaml")), load_module(str(BETA)))
    kinds = {c.kind for c in changes}
    assert "uses_added" in kinds
    assert "now_shared" in kinds
    assert not kinds & {
        "question_removed",
        "question_added",
        "edit_text_changed",
        "condition_changed",
    }
    assert max(c.impact for c in changes if c.kind == "now_shared") == "patch"


# combining --------------------------------------------------------------------------------------


def test_duplicates_leave_shared_elements_to_the_first_module():
    alpha, beta = load_module(str(ALPHA)), load_module(str(BETA))
    result = duplicates(
        [(alpha, [q.id for q in alpha.questions]), (beta, [q.id for q in beta.questions])]
    )
    assert result == {
        (1, "sex"): 0,
        (1, "age"): 0,
        (1, "country_of_birth"): 0,
        (1, "citizenship"): 0,
        (1, "country_of_citizenship"): 0,
    }


def test_different_versions_of_a_shared_module_are_refused():
    with pytest.raises(MigmoduleError) as caught:
        check_shared_versions([load_module(str(ALPHA)), load_module(str(GAMMA))])
    finding = caught.value.finding
    assert finding.code == "SPEC-USES-008"
    assert "alpha@1.0.0 uses person-mini@1.0.0" in finding.message
    assert "gamma@1.0.0 uses person-mini@1.1.0" in finding.message
