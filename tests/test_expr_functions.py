"""The visitor protocol and the function table: every target handles every node and function."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

import migmodule.expr.columns
import migmodule.expr.compile
import migmodule.expr.evaluate
import migmodule.expr.printer
import migmodule.expr.reference
import migmodule.expr.sentence
import migmodule.expr.targets  # noqa: F401  (every visitor class is defined on import)
from migmodule.codes import MigmoduleError
from migmodule.expr.ast import Name, Node, Num
from migmodule.expr.compile import TARGETS, TwoValuedForms, compile_expression
from migmodule.expr.evaluate import FrameEvaluator
from migmodule.expr.functions import FUNCTIONS, missing_implementations
from migmodule.expr.reference import RowCompiler
from migmodule.expr.semantics import Field, check
from migmodule.expr.sentence import _ConditionPhrase, _ValuePhrase, words
from migmodule.expr.targets import _TwoValued
from migmodule.expr.visit import NODE_CLASSES, UnhandledNode, Visitor, handles_every_node
from migmodule.i18n import complete_languages
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module

PROPS = Path(__file__).parent / "specs" / "props.yaml"

# One use of each function of the table, over tests/specs/props.yaml. A function added to the
# table without an example here fails `test_every_function_has_an_example`.
EXAMPLES = {
    "selected": "selected(reasons, 3)",
    "answered": "answered(age)",
    "known": "known(age)",
    "year": "year(birth_date) >= 1990",
    "if": "if(answer == 1, age, years) > 20",
    "coalesce": "coalesce(age, years, 0) >= 18",
    "age_at": "age_at(birth_date, REF_DATE) >= 15",
    # constant keys are looked up when the parameters are folded, so CSPro can take it too;
    # rate() over answers is in tests/test_exchange_rates.py (CSPro refuses it with a code)
    "rate": "rate(RATES, 524, 2025, 3) > 100",
}


@pytest.fixture(scope="module")
def module():
    return load_module(PROPS)


@pytest.fixture(scope="module")
def params(module):
    return resolve_parameters(module, {})


def _all_visitors(cls=Visitor):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_visitors(sub)


def test_every_node_class_is_in_the_protocol():
    assert set(NODE_CLASSES) == {
        cls for cls in _subclasses(Node) if cls.__module__ == "migmodule.expr.ast"
    }


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.mark.parametrize(
    "visitor", [v for v in _all_visitors() if v.__module__.startswith("migmodule.")], ids=str
)
def test_every_visitor_handles_every_node(visitor):
    assert handles_every_node(visitor) == []


def test_an_unhandled_node_fails_loudly():
    class OnlyNumbers(Visitor):
        def visit_Num(self, node):
            return node.value

    assert OnlyNumbers().visit(Num(3)) == 3
    with pytest.raises(UnhandledNode, match="visit_Name"):
        OnlyNumbers().visit(Name("age"))


@pytest.mark.parametrize("target", [FrameEvaluator, RowCompiler, _TwoValued], ids=str)
def test_every_target_implements_every_function(target):
    assert missing_implementations(target) == []


def test_value_functions_have_a_value_form_and_words_in_each_language():
    for name, spec in FUNCTIONS.items():
        phrase = _ValuePhrase if spec.result == "value" else _ConditionPhrase
        assert callable(getattr(phrase, f"call_{name}", None)), name
        if spec.result == "value":
            assert callable(getattr(_TwoValued, f"{name}_value", None)), name
            for lang in complete_languages():  # the sentence words of the catalogue
                assert f"fn_{name}" in words(lang), (lang, name)


def test_every_function_has_an_example():
    assert set(EXAMPLES) == set(FUNCTIONS)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_function_compiles_for_every_target(module, params, name):
    text = EXAMPLES[name]
    tree, findings = check(module, text, Field("test", level="person"))
    assert findings == []
    assert any(getattr(n, "func", None) == name for n in tree.walk())
    frame = pd.DataFrame(
        {"age": [30], "years": [3], "answer": [1], "reasons": ["1 3"], "birth_date": ["1990-05-01"]}
    )
    for target in TARGETS:
        result = compile_expression(module, text, target, params=params)
        if isinstance(result, TwoValuedForms):
            assert result.true and result.false and "?" not in result.true
        elif target == "pandas":
            assert result(frame).tolist() == [True]
        elif target == "reference":
            assert result(frame.iloc[0].to_dict()) is True
        else:
            assert isinstance(result, str) and "?" not in result


@pytest.mark.parametrize("name", ["if", "coalesce"])
def test_cspro_refuses_a_conditional_value_with_a_code(module, params, name):
    text = {"if": "if(answer == 1, age, years)", "coalesce": "coalesce(age, years)"}[name]
    assert compile_expression(module, text, "xpath", params=params).startswith("if(")
    with pytest.raises(MigmoduleError) as info:
        compile_expression(module, text, "cspro", params=params)
    assert info.value.finding.code == "EXPR-TARGET-001"
    assert isinstance(info.value, ValueError)  # the exporters turn it into a finding


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("if(age, 1, 2) > 0", "takes a condition"),
        ("coalesce(age > 1, years) > 0", "takes values"),
        ("if(answer == 1, 2) > 0", "takes 3 argument(s)"),
        ("coalesce(age) > 0", "2 or more arguments"),
        ("year(age) > 1990", "date"),
        ("age_at(birth_date, age) > 1", "dates"),
    ],
)
def test_function_arguments_are_checked(module, text, fragment):
    _, findings = check(module, text, Field("test", level="person"))
    assert [f.code for f in findings] == ["EXPR-ARG-001"]
    assert fragment in findings[0].message


def test_sentences_say_the_new_functions(module, params):
    text = compile_expression(
        module, "age_at(birth_date, REF_DATE) >= 15", "sentence-en", params=params
    )
    assert text == "whose age on 2030-01-01 from date of birth is at least 15"
    french = compile_expression(
        module, "if(answer == 1, age, years) > 20", "sentence-fr", params=params
    )
    assert "si" in french and "sinon" in french


def test_a_sentence_never_answers_a_question_mark(module, params):
    from migmodule.expr.sentence import SentenceError, describe

    with pytest.raises(SentenceError):
        describe(module, "age", "en", params)  # a value where a condition belongs


def _form_with_new_functions(module, params):
    def relevant(text):
        return compile_expression(module, text, "xpath", params=params).true

    survey = [
        {"type": "integer", "name": "age", "label": "Age"},
        {"type": "integer", "name": "years", "label": "Years"},
        {"type": "select_one answer", "name": "answer", "label": "Answer"},
        {"type": "date", "name": "birth_date", "label": "Date of birth"},
        {
            "type": "integer",
            "name": "q1",
            "label": "Q1",
            "relevant": relevant("age_at(birth_date, REF_DATE) >= 15 and year(birth_date) > 1950"),
        },
        {
            "type": "integer",
            "name": "q2",
            "label": "Q2",
            "relevant": relevant("if(answer == 1, age, years) > 20 or coalesce(age, years) < 3"),
        },
        {
            "type": "calculate",
            "name": "c1",
            "calculation": compile_expression(
                module, "coalesce(age, years, 0)", "xpath", params=params
            ),
        },
    ]
    choices = [{"list_name": "answer", "name": str(c), "label": str(c)} for c in (1, 2, 7, 8)]
    return {"survey": survey, "choices": choices}


def test_pyxform_accepts_the_new_functions(module, params):
    from pyxform.xls2xform import convert

    result = convert(_form_with_new_functions(module, params), form_name="t")
    assert "format-date" in result.xform and "relevant=" in result.xform


@pytest.mark.odk
@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_odk_validate_accepts_the_new_functions(module, params):
    from pyxform.xls2xform import convert

    result = convert(_form_with_new_functions(module, params), form_name="t", validate=True)
    assert "format-date" in result.xform


def test_every_function_is_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "spec-format.md").read_text("utf-8")
    section = doc.split("## The expression language", 1)[1].split("\n## ", 1)[0]
    for name in FUNCTIONS:
        assert f"`{name}(" in section, name
