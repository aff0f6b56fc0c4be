"""The expression parser: coded errors with columns, never a crash; print and re-parse is identity."""

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migmodule.expr.ast import Binary, Bool, Call, In, Name, Num, Self, Str, Unary, to_source
from migmodule.expr.parser import ExprSyntaxError, parse


@pytest.mark.parametrize(
    "text, column, reason",
    [
        ("age = 5", 5, "single '='"),
        ("a < b < c", 7, "cannot be chained"),
        ("(age >= 5", 10, "expected ')'"),
        ("cob == ‘6’", 8, "typographic quote"),
        ("", 1, "empty expression"),
        ("and age", 1, "cannot start a value"),
        ("selected(x, ", 13, "ends too early"),
        ("age >= 5 $", 10, "unexpected character"),
        ("name == 'open", 9, "not closed"),
    ],
)
def test_syntax_errors_name_the_column(text, column, reason):
    with pytest.raises(ExprSyntaxError) as info:
        parse(text)
    assert info.value.column == column
    assert reason in info.value.reason


def test_typographic_quotes_are_flagged_as_such():
    # The UNHCR form in the corpus has exactly this authoring bug.
    with pytest.raises(ExprSyntaxError) as info:
        parse("${IDP01} = ‘6’")
    assert info.value.typographic is None or info.value.typographic == "‘"


def test_precedence_and_associativity():
    assert parse("a or b and c") == Binary("or", Name("a"), Binary("and", Name("b"), Name("c")))
    assert parse("not a == 1") == Unary("not", Binary("==", Name("a"), Num(1)))
    assert parse("a - b - c") == Binary("-", Binary("-", Name("a"), Name("b")), Name("c"))
    assert parse("x not in (1, 2)") == In(Name("x"), (Num(1), Num(2)), negated=True)
    assert parse(". >= 1900") == Binary(">=", Self(), Num(1900))


def test_deep_nesting_is_a_coded_error_not_a_recursion_crash():
    with pytest.raises(ExprSyntaxError, match="nested deeper"):
        parse("(" * 500 + "a" + ")" * 500)
    with pytest.raises(ExprSyntaxError):
        parse("not " * 500 + "a")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_any_string_gives_an_ast_or_a_coded_error(text):
    try:
        tree = parse(text)
    except ExprSyntaxError as exc:
        assert exc.column >= 1
    else:
        assert parse(to_source(tree)) == tree


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab01 ()=!<>.,'+-*/andortiselc_", max_size=40))
def test_operator_soup_never_crashes(text):
    with contextlib.suppress(ExprSyntaxError):
        parse(text)


names = st.sampled_from(["age", "sex", "country_of_birth", "COUNTRY", "REF_DATE", "x_1"]).map(Name)
numbers = st.one_of(
    st.integers(0, 10_000), st.floats(0, 1000, allow_nan=False).map(lambda f: round(f, 3))
)
leaves = st.one_of(
    names,
    numbers.map(Num),
    st.text("abc xyz", max_size=5).map(Str),
    st.booleans().map(Bool),
    st.just(Self()),
)


def _extend(children):
    return st.one_of(
        st.tuples(
            st.sampled_from(["and", "or", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/"]),
            children,
            children,
        ).map(lambda t: Binary(*t)),
        children.map(lambda c: Unary("not", c)),
        children.map(lambda c: Unary("-", c)),
        st.tuples(children, st.lists(children, min_size=1, max_size=3), st.booleans()).map(
            lambda t: In(t[0], tuple(t[1]), t[2])
        ),
        st.tuples(
            st.sampled_from(["selected", "known", "answered", "year"]),
            st.lists(children, min_size=1, max_size=2),
        ).map(lambda t: Call(t[0], tuple(t[1]))),
    )


trees = st.recursive(leaves, _extend, max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(trees)
def test_print_then_parse_gives_the_same_tree(tree):
    assert parse(to_source(tree)) == tree
