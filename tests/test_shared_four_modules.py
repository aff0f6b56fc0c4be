"""Issue 12: the four modules exported together ask each shared person question once, in one
person roster (XLSForm through pyxform, CSPro dictionary read back with pycspro)."""

from __future__ import annotations

import pytest

from migmodule.profile import adapt
from migmodule.spec.registry import load_module

MODULES = [
    "census-key-questions@2.0.0",
    "labour-migration@2.0.0",
    "recruitment-costs@2.0.0",
    "rural-migration@2.0.0",
]
ASKED_ONCE = ["sex", "age", "country_of_birth", "citizenship"]


@pytest.fixture(scope="module")
def together():
    adapted = [a for ref in MODULES for a in adapt(None, ref, country="KEN", languages=["en"])]
    shared = {q.id for ref in MODULES for q in load_module(ref).questions if q.shared_from}
    return adapted, shared


def test_every_module_takes_the_person_questions_by_reference(together):
    for ref in MODULES:
        module = load_module(ref)
        by_id = {q.id: q for q in module.questions}
        for name in ("sex", "age"):
            assert by_id[name].shared_from == "person-core@1.0.0", (ref, name)


def test_xlsform_of_the_four_modules_asks_each_shared_question_once_in_one_roster(together):
    from migmodule.export.xlsform import build_xlsform, convert_sheets

    adapted, shared = together
    sheets, _ = build_xlsform(adapted, ["en"])
    rows = sheets["survey"]
    names = [row["name"] for row in rows if row["type"] != "end_repeat"]
    assert set(ASKED_ONCE) <= shared
    for name in sorted(shared):
        assert names.count(name) == 1, name
        assert not {f"{name}_lm", f"{name}_rc", f"{name}_rm"} & set(names), name
    # one roster of persons: the census and rural 1.0.0 rosters no longer stand side by side
    person_repeats = [
        row["name"] for row in rows if row["type"] == "begin_repeat" and "person" in row["name"]
    ]
    assert len(person_repeats) == 1, person_repeats
    assert not [n for n in names if n in ("member", "members", "member_roster")]
    assert convert_sheets(sheets) == []  # pyxform accepts the combined form


def test_cspro_dictionary_of_the_four_modules_has_one_item_per_shared_question(together, tmp_path):
    from pycspro import DictionaryParser

    from migmodule.export.cspro import export_cspro

    adapted, shared = together
    result = export_cspro(adapted, tmp_path / "all.dcf")
    parser = DictionaryParser(result.paths[0].read_text(encoding="utf-8"))
    parser.parse()
    records = parser.parsed_dictionary["Dictionary"]["Level"]["Records"]
    items = [item["Name"] for record in records for item in record["Items"]]
    for name in ASKED_ONCE:
        assert items.count(name.upper()) == 1, name
    assert [r["Name"] for r in records].count("PERSON_REC") == 1


def test_the_newest_versions_combine_across_minor_versions_of_person_core():
    """The bank's newest versions before person-core 1.2.0: census 2.0.0 and rural 2.0.0
    (person-core 1.0.0) beside labour-migration 2.1.0 and recruitment-costs 4.0.0 (person-core
    1.1.0, which only adds): they export together and still ask each shared question once.
    The newest versions since (person-core 1.0.0 and 1.2.0): tests/test_person_core_12.py."""
    from migmodule.export.xlsform import build_xlsform, convert_sheets

    newest = [
        "census-key-questions@2.0.0",
        "labour-migration@2.1.0",
        "recruitment-costs@4.0.0",
        "rural-migration@2.0.0",
    ]
    adapted = [a for ref in newest for a in adapt(None, ref, country="KEN", languages=["en"])]
    cores = {u.module for a in adapted for u in a.module.uses if u.module.startswith("person-core")}
    assert cores == {"person-core@1.0.0", "person-core@1.1.0"}
    sheets, _ = build_xlsform(adapted, ["en"])
    names = [row["name"] for row in sheets["survey"] if row["type"] != "end_repeat"]
    for name in [*ASKED_ONCE, "education_level", "age_group"]:
        assert names.count(name) == 1, name
    assert convert_sheets(sheets) == []
