"""The resolved view of an adapted module: codes in one order, bounds as numbers, rules as trees."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from migmodule.codes import MigmoduleError
from migmodule.countries import by_m49
from migmodule.expr.ast import Binary, Bool, Num, Self, Unary, to_source
from migmodule.expr.parser import parse
from migmodule.expr.semantics import prepare
from migmodule.profile import ModuleSettings, Profile, adapt
from migmodule.spec.model import CodeList, SpecialKind
from migmodule.spec.resolve import Resolved, is_true, number, sort_key
from tables import parse_table

MINI = Path(__file__).parent / "specs" / "mini.yaml"


def resolved(**options) -> Resolved:
    [adapted] = adapt(None, str(MINI), **options)
    return Resolved(adapted)


def code_list(view: Resolved, list_id: str) -> CodeList:
    return view.module.code_list_by_id[list_id]


def test_countries_census_country_first_then_by_name_then_listed_then_special():
    view = resolved(country="KEN", languages=["fr", "en"])
    codes = view.codes(code_list(view, "countries"))
    assert (codes[0].code, codes[0].origin, codes[0].label("en")) == (404, "this_country", "Kenya")
    assert [(c.code, c.special) for c in codes[-2:]] == [
        (998, SpecialKind.DONT_KNOW),
        (999, SpecialKind.NOT_STATED),
    ]
    middle = codes[1:-2]
    assert {c.code for c in middle} == set(by_m49()) - {404}
    # sorted by the first language (fr), accents ignored
    names = [c.label("fr") for c in middle]
    assert names == sorted(names, key=sort_key)
    assert names.index("Égypte (l')") < names.index("Érythrée (l')") < names.index("Espagne (l')")


def test_generic_country_is_code_zero_this_country_in_each_language():
    view = resolved(languages=["en", "fr", "es"])
    first = view.codes(code_list(view, "countries"))[0]
    assert (first.code, first.origin) == (0, "this_country")
    assert [first.label(lang) for lang in ("en", "fr", "es")] == [
        "this country",
        "ce pays",
        "este país",
    ]
    assert 0 in view.allowed_codes(code_list(view, "countries"))


def test_sort_language_can_be_asked_for():
    view = resolved(country="KEN", languages=["en", "fr"])
    countries = code_list(view, "countries")
    english = [c.code for c in view.codes(countries)]
    spanish = [c.code for c in view.codes(countries, "es")]
    assert set(english) == set(spanish) and english != spanish
    assert view.codes(countries, "es")[5].label("es")  # labels given in the language asked for


def test_listed_codes_keep_spec_order_with_special_codes_last_and_missing_flagged():
    view = resolved(languages=["en"])
    codes = view.codes(code_list(view, "reasons"))
    expected = parse_table(
        """
        | code | label      | missing |
        | 1    | Work       | no      |
        | 2    | Family     | no      |
        | 3    | Study      | no      |
        | 7    | Other      | no      |
        | 98   | Don't know | yes     |
        """
    )
    assert [(str(c.code), c.label("en"), "yes" if c.missing else "no") for c in codes] == [
        (row["code"], row["label"], row["missing"]) for row in expected
    ]
    assert view.allowed_codes(code_list(view, "reasons")) == frozenset({1, 2, 3, 7, 98})
    assert view.missing_codes(code_list(view, "reasons")) == {98: SpecialKind.DONT_KNOW}


def test_national_list_from_a_parameter_first_in_profile_order_listed_code_wins():
    [adapted] = adapt(
        Profile(
            languages=["en", "fr"],
            modules=[
                ModuleSettings(
                    module="census-key-questions@1.0.0",
                    parameters={
                        "ADMIN_AREAS": [
                            {"code": 20, "label": {"en": "North", "fr": "Nord"}},
                            {"code": 10, "label": "South"},
                            {"code": 9999, "label": {"en": "Clash"}},
                        ]
                    },
                )
            ],
        )
    )
    view = Resolved(adapted)
    areas = next(c for c in adapted.module.code_lists if c.source == "parameter:ADMIN_AREAS")
    codes = view.codes(areas)
    assert [(c.code, c.origin) for c in codes[:2]] == [(20, "national"), (10, "national")]
    assert codes[0].labels == {"en": "North", "fr": "Nord"}
    assert codes[1].labels == {"en": "South", "fr": "South"}  # a plain text serves every language
    assert [(c.origin, c.label("en")) for c in codes if c.code == 9999] == [
        ("listed", "Not stated")
    ]
    assert [c.code for c in codes[2:]] == [9998, 9999]
    assert view.labels(areas)[20] == {"en": "North", "fr": "Nord"}
    assert {20, 10} <= view.allowed_codes(areas)


def test_range_bounds_fold_parameters_and_whole_numbers_stay_int():
    view = resolved(reference_date="2030-06-30")
    question = view.module.question_by_id["year_of_arrival"]
    low, high = view.range_bounds(question)
    assert (low, high) == (1920, 2030) and type(low) is int and type(high) is int
    assert view.range_bounds(view.module.question_by_id["age"]) == (0, 120)
    assert view.range_bounds(view.module.question_by_id["country_of_birth"]) == (None, None)
    assert number(2030.0) == 2030 and type(number(2030.0)) is int
    assert number(0.5) == 0.5 and number(True) is None and number("1") is None


def test_range_rule_is_a_tree_equal_to_the_old_text_rule():
    view = resolved(reference_date="2030-06-30")
    question = view.module.question_by_id["year_of_arrival"]
    rule = view.range_rule(question)
    assert rule == Binary("and", Binary(">=", Self(), Num(1920)), Binary("<=", Self(), Num(2030)))
    old_text = ". >= (year(REF_DATE) - 110) and . <= (year(REF_DATE))"
    assert rule == prepare(view.module, old_text, view.params)
    assert to_source(view.range_rule(question, prepared=False)) == (
        ". >= year(REF_DATE) - 110 and . <= year(REF_DATE)"
    )
    assert view.range_rule(view.module.question_by_id["reasons"]) is None


def test_answer_rule_joins_range_and_constraint():
    [adapted] = adapt(None, str(MINI))
    data = adapted.module.model_dump()
    for q in data["questions"]:
        if q["id"] == "age":
            q["constraint"] = ". != 7"
    adapted.module = type(adapted.module).model_validate(data)
    view = Resolved(adapted)
    age = view.module.question_by_id["age"]
    assert view.answer_rule(age) == prepare(view.module, ". >= (0) and . <= (120) and (. != 7)", {})
    assert view.constraint_rule(age) == parse(". != 7")


def test_edit_rule_is_not_when_or_check_folded_for_the_profile():
    view = resolved(reference_date="2030-06-30", params={"ARRIVAL_DEFINITION": "first"})
    [e1, e2] = view.module.edits
    assert view.edit_rule(e1) == prepare(
        view.module, f"not ({e1.when}) or ({e1.check})", view.params
    )
    assert isinstance(view.edit_rule(e1, prepared=False), Binary)
    assert isinstance(view.edit_rule(e1, prepared=False).left, Unary)
    assert view.reads(view.edit_rule(e1, prepared=False)) == ["year_of_arrival", "age"]
    # switched off by a parameter: the edit holds whatever the answers
    off = resolved(reference_date="2030-06-30", params={"ARRIVAL_DEFINITION": "most_recent"})
    assert off.edit_rule(e2) == Bool(True) and is_true(off.edit_rule(e2))
    assert not is_true(view.edit_rule(e2))


def test_spec_package_does_not_import_pandas():
    import subprocess

    code = "import sys, migmodule.spec.resolve; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_bound_reading_an_unset_parameter_raises_unless_kept_as_written():
    view = resolved()
    view.params = {**view.params, "REF_DATE": None}
    question = view.module.question_by_id["year_of_arrival"]
    low, high = view.range_bound_trees(question, keep_unset=True)
    assert to_source(low) == "year(REF_DATE) - 110" and to_source(high) == "year(REF_DATE)"
    with pytest.raises(MigmoduleError):
        view.range_bound_trees(question)


def test_resolved_codes_are_shared_and_read_only():
    view = resolved(country="KEN")
    countries = code_list(view, "countries")
    first = view.codes(countries)[0]
    with pytest.raises(TypeError):
        first.labels["en"] = "Changed"  # type: ignore[index]
    assert view.codes(countries)[0].label("en") == "Kenya"
    view.codes(countries).clear()  # a caller's list is its own
    assert len(view.codes(countries)) == len(by_m49()) + 2
