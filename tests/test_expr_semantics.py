"""Names, checks and the compilers of the expression language, on the small test module."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyxform.xls2xform import convert

from migmodule.expr.ast import Binary, Bool, Call, Name, Num, Unary
from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.expr.semantics import Field, check, prepare, symbols
from migmodule.expr.sentence import describe, describe_universe
from migmodule.expr.targets import CSProLogic, XPath
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module
from tables import raw_frame

MINI = Path(__file__).parent / "specs" / "mini.yaml"
KENYA = {"COUNTRY": 404}


@pytest.fixture(scope="module")
def module():
    return load_module(MINI)


def frame(text: str) -> pd.DataFrame:
    """A small data frame written as a markdown table; blank cells are missing."""
    out = raw_frame(text)
    for column in out.columns:
        if column != "reasons":
            out[column] = pd.to_numeric(out[column])
    return out


# --- checking names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code, fragment",
    [
        ("agee >= 5", "EXPR-NAME-001", "Did you mean age"),
        ("lenght(age) > 1", "EXPR-NAME-002", "unknown function"),
        ("known(age, age)", "EXPR-ARG-001", "takes 1 argument"),
        ("any_member_abroad == 7", "EXPR-CODE-001", "7 is not a code"),
        ("year(MIN_AGE) > 1", "EXPR-ARG-001", "date parameter"),
        (". > 1", "EXPR-SELF-001", "constraint"),
        ("country_of_birth == ‘404’", "EXPR-SYNTAX-002", "typographic"),
    ],
)
def test_check_reports_coded_findings_with_column(module, text, code, fragment):
    _, findings = check(module, text, Field("universe of x", level="person"))
    assert [f.code for f in findings] == [code]
    assert fragment in findings[0].message
    assert findings[0].location.column >= 1


def test_a_household_rule_cannot_read_a_person_answer(module):
    _, findings = check(
        module, "age > 5", Field("universe of any_member_abroad", level="household")
    )
    assert [f.code for f in findings] == ["EXPR-LEVEL-001"]


def test_parameters_fold_and_switch_rules_off(module):
    params = resolve_parameters(module, KENYA)
    assert prepare(module, "ARRIVAL_DEFINITION == 'first' and known(age)", params) == Bool(False)
    folded = prepare(module, "year(REF_DATE) - 110", params)
    assert folded == Num(1920)


# --- pandas: three-valued logic -----------------------------------------------------------------


def test_universe_is_unknown_where_the_answer_is_missing_or_special(module):
    data = frame("""
        | age | country_of_birth | year_of_arrival | reasons |
        |-----|------------------|-----------------|---------|
        | 30  | 250              | 2010            | 1 3     |
        | 30  | 404              |                 |         |
        | 30  | 998              |                 |         |
        | 999 | 250              | 2015            | 98      |
        | 3   | 250              | 2029            |         |
    """)
    born_abroad = evaluate_frame(module, "foreign_born", data, KENYA)
    assert born_abroad.tolist() == [True, False, False, True, True]
    asked_reasons = evaluate_frame(module, "foreign_born and old_enough", data, KENYA)
    assert asked_reasons.tolist() == [True, False, False, pd.NA, False]
    assert evaluate_frame(module, "selected(reasons, 3)", data, KENYA).tolist() == [
        True,
        pd.NA,
        pd.NA,
        pd.NA,
        pd.NA,
    ]
    # A literal special code compares the raw code: "don't know" is findable.
    assert evaluate_frame(module, "selected(reasons, 98)", data, KENYA).tolist() == [
        False,
        False,
        False,
        True,
        False,
    ]
    assert evaluate_frame(module, "country_of_birth == 998", data, KENYA).tolist() == [
        False,
        False,
        True,
        False,
        False,
    ]


def test_derive_nativity_and_years_since_arrival(module):
    data = frame("""
        | country_of_birth | year_of_arrival |
        |------------------|-----------------|
        | 404              |                 |
        | 250              | 2010            |
        | 999              | 9998            |
    """)
    out = derive(module, data, KENYA)
    assert out["nativity"].tolist() == [1, 2, 9]
    assert out["years_since_arrival"].tolist() == [pd.NA, 20, pd.NA]


def _reference(node, row: dict, table) -> object:
    """Plain-Python statement of the semantics: None is unknown."""
    if isinstance(node, Bool):
        return node.value
    if isinstance(node, Num):
        return float(node.value)
    if isinstance(node, Name):
        value = row.get(node.id)
        if (
            value is None
            or (isinstance(value, float) and np.isnan(value))
            or value in table[node.id].missing_codes
        ):
            return None
        return value
    if isinstance(node, Unary) and node.op == "not":
        value = _reference(node.operand, row, table)
        return None if value is None else not value
    if isinstance(node, Binary) and node.op in ("and", "or"):
        a, b = _reference(node.left, row, table), _reference(node.right, row, table)
        if node.op == "and":
            return False if a is False or b is False else (None if a is None or b is None else True)
        return True if a is True or b is True else (None if a is None or b is None else False)
    if isinstance(node, Binary):
        for ref, lit in ((node.left, node.right), (node.right, node.left)):
            if (
                node.op in ("==", "!=")
                and isinstance(ref, Name)
                and isinstance(lit, Num)
                and lit.value in table[ref.id].missing_codes
            ):
                equal = row.get(ref.id) == lit.value
                return equal if node.op == "==" else not equal
        a, b = _reference(node.left, row, table), _reference(node.right, row, table)
        if a is None or b is None:
            return None
        return {
            "==": a == b,
            "!=": a != b,
            "<": a < b,
            "<=": a <= b,
            ">": a > b,
            ">=": a >= b,
            "+": a + b,
            "-": a - b,
        }[node.op]
    if isinstance(node, Call) and node.func == "known":
        return _reference(node.args[0], row, table) is not None
    raise AssertionError(node)


atoms = st.one_of(
    st.tuples(
        st.sampled_from(["==", "!=", "<", ">=", ">"]),
        st.sampled_from(["age", "year_of_arrival"]),
        st.sampled_from([0, 5, 30, 999, 2010, 9998]),
    ).map(lambda t: Binary(t[0], Name(t[1]), Num(t[2]))),
    st.sampled_from(["age", "country_of_birth", "year_of_arrival"]).map(
        lambda n: Call("known", (Name(n),))
    ),
    st.sampled_from([404, 250, 998]).map(lambda c: Binary("==", Name("country_of_birth"), Num(c))),
)
conditions = st.recursive(
    atoms,
    lambda c: st.one_of(
        st.tuples(st.sampled_from(["and", "or"]), c, c).map(lambda t: Binary(*t)),
        c.map(lambda x: Unary("not", x)),
    ),
    max_leaves=6,
)
rows = st.lists(
    st.fixed_dictionaries(
        {
            "age": st.sampled_from([np.nan, 0, 4, 5, 30, 999]),
            "country_of_birth": st.sampled_from([np.nan, 404, 250, 998, 999]),
            "year_of_arrival": st.sampled_from([np.nan, 1990, 2010, 9998, 9999]),
        }
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(conditions, rows)
def test_vectorised_evaluation_matches_the_plain_rules(tree, data):
    module = load_module(MINI)
    from migmodule.expr.ast import to_source

    frame_ = pd.DataFrame(data)
    result = evaluate_frame(module, to_source(tree), frame_, KENYA).tolist()
    table = symbols(module)
    expected = [_reference(tree, row, table) for row in data]
    assert [None if r is pd.NA else r for r in result] == expected


# --- XLSForm, CSPro, sentences ------------------------------------------------------------------


def test_xpath_relevant_and_constraint(module):
    params = resolve_parameters(module, KENYA)
    xpath = XPath(module)
    tree = prepare(module, "foreign_born and old_enough", params)
    relevant = xpath.true_form(tree)
    assert "${country_of_birth} != 404" in relevant and "${age} >= 5" in relevant
    assert "${country_of_birth} != 998" in relevant  # don't know is not "born abroad"
    assert xpath.true_form(prepare(module, "selected(reasons, 3)", params)).endswith(
        "selected(${reasons}, '3')"
    )
    self_check = XPath(module, self_id="age").false_form(prepare(module, ". >= 0", params))
    assert self_check.startswith("string-length(.) > 0")


def test_pyxform_accepts_the_compiled_relevant(module):
    params = resolve_parameters(module, KENYA)
    xpath = XPath(module)
    survey = [
        {"type": "integer", "name": "age", "label": "Age"},
        {"type": "select_one cob", "name": "country_of_birth", "label": "Country of birth"},
        {
            "type": "integer",
            "name": "year_of_arrival",
            "label": "Year of arrival",
            "relevant": xpath.true_form(prepare(module, "foreign_born", params)),
            "constraint": "not("
            + XPath(module, self_id="year_of_arrival").false_form(
                prepare(module, ". <= year(REF_DATE) and . >= year(REF_DATE) - 110", params)
            )
            + ")",
        },
        {
            "type": "calculate",
            "name": "nativity",
            "calculation": xpath.cases(
                [
                    (prepare(module, c.when, params) if c.when else None, c.value)
                    for c in module.derived_by_id["nativity"].cases
                ]
            ),
        },
    ]
    choices = [
        {"list_name": "cob", "name": str(code), "label": str(code)} for code in (404, 250, 998, 999)
    ]
    result = convert({"survey": survey, "choices": choices}, form_name="t")
    assert "relevant=" in result.xform and "calculate=" in result.xform


def test_cspro_logic(module):
    params = resolve_parameters(module, KENYA)
    logic = CSProLogic(module)
    assert logic.true_form(prepare(module, "foreign_born", params)) == (
        "not special(COUNTRY_OF_BIRTH) and COUNTRY_OF_BIRTH <> 998 and COUNTRY_OF_BIRTH <> 404"
    )
    # Not stated is written as CSPro's MISSING special value by the CSPro export.
    assert logic.true_form(prepare(module, "country_of_birth == 999", params)) == (
        "COUNTRY_OF_BIRTH = MISSING"
    )
    assert "REASONS_3 = 1" in logic.true_form(prepare(module, "selected(reasons, 3)", params))
    cases = logic.cases(
        [
            (prepare(module, c.when, params) if c.when else None, c.value)
            for c in module.derived_by_id["nativity"].cases
        ]
    )
    assert cases.startswith("if ") and "elseif" in cases and cases.endswith("endif;")


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "Asked of persons born abroad and aged 5 or over."),
        ("fr", "Posée aux personnes nées à l'étranger et âgées de 5 ans ou plus."),
        ("es", "Universo: personas nacidas en el extranjero y de 5 años o más."),
    ],
)
def test_universe_sentences(module, lang, expected):
    params = resolve_parameters(module, KENYA)
    question = module.question_by_id["reasons"]
    assert describe_universe(module, question.universe, "person", lang, params) == expected


def test_comparisons_render_with_labels_and_country_names(module):
    params = resolve_parameters(module, KENYA)
    text = describe(module, "country_of_birth == COUNTRY and age >= 15", "en", params)
    assert text == "whose country of birth is Kenya and whose age in completed years is at least 15"
    france = resolve_parameters(module, {"COUNTRY": "FRA"})
    assert describe(module, "country_of_birth == COUNTRY", "es", france).endswith("es Francia")


def test_question_text_placeholders_in_each_language(module):
    from migmodule.spec.text import fill

    params = resolve_parameters(module, {"COUNTRY": "KEN", "REF_DATE": "2029-08-24"})
    assert (
        fill("on {REF_DATE-1Y} in {COUNTRY_NAME}", module, params, "en")
        == "on 24 August 2028 in Kenya"
    )
    assert (
        fill("le {REF_DATE-1Y}, au {COUNTRY_NAME}", module, params, "fr")
        == "le 24 août 2028, au Kenya"
    )
    assert fill("el {REF_DATE}", module, params, "es") == "el 24 de agosto de 2029"
    assert fill("{UNKNOWN} stays", module, params, "en") == "{UNKNOWN} stays"


def test_a_text_parameter_may_be_given_per_language():
    from migmodule.spec.model import Parameter
    from migmodule.spec.params import _coerce

    param = Parameter(id="CURRENCY", type="text", label={"en": "Currency"})
    assert (
        _coerce(param, {"en": "Kenyan shillings", "fr": "shillings kényans"})["fr"]
        == "shillings kényans"
    )
    with pytest.raises(ValueError):
        _coerce(param, {"en": 5})


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "who answered “Yes” or “Don't know” to “former member abroad”"),
        ("fr", "ayant répondu « Oui » ou « Ne sait pas » à « ancien membre à l'étranger »"),
        ("es", "que respondieron «Sí» o «No sabe» a «exmiembro en el extranjero»"),
    ],
)
def test_coded_answers_read_as_answers(module, lang, expected):
    params = resolve_parameters(module, KENYA)
    assert describe(module, "any_member_abroad in (1, 8)", lang, params) == expected
    assert describe(module, "any_member_abroad != 2", "en", params) == (
        "who did not answer “No” to “former member abroad”"
    )
