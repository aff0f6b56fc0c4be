"""Compile expressions to plain sentences in each module language.

"Asked of persons aged 5 or over and born abroad." Named conditions render as their own `text`;
other comparisons render from the variable labels and code labels of the spec. The connecting
words are the toolkit's, not a module's: they live in the language catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from migmodule.countries import THIS_COUNTRY_PLACEHOLDER, country_name
from migmodule.expr.ast import (
    ARITHMETIC,
    COMPARISONS,
    Binary,
    Bool,
    Call,
    In,
    Name,
    Node,
    Num,
    Self,
    Str,
    Unary,
)
from migmodule.expr.functions import implementation
from migmodule.expr.parser import parse
from migmodule.expr.visit import Visitor
from migmodule.i18n import block, phrase
from migmodule.spec.model import Module
from migmodule.spec.text import fill, text_in

# The connecting words are the ``sentence`` block of the language catalogue
# (src/migmodule/i18n/<lang>.yaml). A comparison's verb is op_<name> (OPERATORS below); a
# function's phrase is ``sentence.fn_<name>``, filled with its arguments by name: a new function
# adds that key to every catalogue and a ``call_<name>`` method to _ValuePhrase.
OPERATORS = {
    "==": "op_eq",
    "!=": "op_ne",
    "<": "op_lt",
    "<=": "op_le",
    ">": "op_gt",
    ">=": "op_ge",
    "in": "op_in",
    "not in": "op_not_in",
}


def words(lang: str) -> Mapping[str, str]:
    """The sentence words of `lang`; a language with no catalogue is a coded refusal."""
    return block(lang, "sentence")


class Sentence:
    def __init__(
        self, module: Module, lang: str, params: dict[str, Any], self_id: str | None = None
    ):
        self.module = module
        self.lang = lang
        self.words = words(lang)
        self.params = params
        self.self_id = self_id

    def label(self, name: str) -> str:
        item = self.module.question_by_id.get(name) or self.module.derived_by_id.get(name)
        if item is None:
            return name
        text = text_in(item.variable_label, self.lang)
        first_word = text.split(" ", 1)[0]
        if len(first_word) > 1 and first_word.isupper():  # an acronym (SDG, ICLS) keeps its case
            return text
        return text[:1].lower() + text[1:]

    def code_label(self, name: str | None, code: Any) -> str:
        item = self.module.question_by_id.get(name or "") or self.module.derived_by_id.get(
            name or ""
        )
        code_list = (
            self.module.code_list_by_id.get(item.code_list) if item and item.code_list else None
        )
        if code_list is not None:
            for entry in code_list.codes:
                if entry.code == code:
                    return text_in(entry.label, self.lang)
            if code_list.source == "builtin:countries":
                return self.country(code)
        return str(code)

    def country(self, code: Any) -> str:
        if code == THIS_COUNTRY_PLACEHOLDER:
            return phrase(self.lang, "text.this_country")
        return country_name(int(code), self.lang, in_sentence=True) or str(code)

    def value(self, node: Node, subject: str | None = None) -> str:
        """A value as words; `subject` names the question whose code labels a number."""
        return _ValuePhrase(self, subject).visit(node)

    def condition(self, node: Node) -> str:
        """A condition as a phrase that completes a noun: "born abroad and aged 5 or over"."""
        return _ConditionPhrase(self).visit(node)

    def _answer(self, node: Node) -> str | None:
        """`q == 2`, `q != 2`, `q in (1, 2)` on a coded question: "who answered “No” to “...”"."""
        if isinstance(node, Binary) and node.op in ("==", "!="):
            ref, codes = node.left, [node.right]
            negated = node.op == "!="
        elif isinstance(node, In):
            ref, codes, negated = node.operand, list(node.items), node.negated
        else:
            return None
        question = self.module.question_by_id.get(ref.id) if isinstance(ref, Name) else None
        if question is None or not question.is_select or not all(isinstance(c, Num) for c in codes):
            return None
        labels = [self.code_label(question.id, c.value) for c in codes]
        # The language's quotes around a code, with their spacing (French: « ... »).
        before, after = self.words["selected"].split("{code}")
        opening = re.search(r"\S\s?$", before).group(0)
        closing = re.match(r"\s?\S", after).group(0)
        joined = f"{closing} {self.words['or_word']} {opening}".join(labels)
        template = self.words["not_selected" if negated else "selected"]
        return template.format(code=joined, label=self.value(ref))

    def universe(self, expression: str | None, level: str) -> str:
        level_def = self.module.level_by_id.get(level)
        noun = (
            text_in(level_def.noun, self.lang)
            if level_def and level_def.noun
            else self.words["units"]
        )
        tree = parse(expression) if expression else Bool(True)
        if isinstance(tree, Bool) and tree.value:  # no universe, or a national "true"
            return self.words["asked_all"].format(noun=noun)
        return self.words["asked_of"].format(noun=noun, condition=self.condition(tree))


class SentenceError(ValueError):
    """A tree that has no sentence (a value where a condition belongs, or the reverse)."""


class _ValuePhrase(Visitor[str]):
    def __init__(self, sentence: Sentence, subject: str | None):
        self.sentence = sentence
        self.subject = subject
        self.words = sentence.words

    def inner(self, node: Node) -> str:
        return self.sentence.value(node)

    def visit_Num(self, node: Num) -> str:
        if self.subject:
            return self.sentence.code_label(self.subject, node.value)
        return str(node.value)

    def visit_Str(self, node: Str) -> str:
        return f"“{node.value}”"

    def visit_Name(self, node: Name) -> str:
        sentence = self.sentence
        if not node.is_parameter:
            return sentence.label(node.id)
        param = sentence.module.parameter_by_id.get(node.id)
        value = sentence.params.get(node.id)
        if param is not None and param.type == "country" and value is not None:
            return sentence.country(value)
        if value is not None:
            return str(value)
        return text_in(param.label, sentence.lang) if param else node.id

    def visit_Self(self, node: Self) -> str:
        return self.words["this_answer"]

    def visit_Unary(self, node: Unary) -> str:
        if node.op != "-":
            raise SentenceError(f"a condition where a value belongs: {node!r}")
        return f"−{self.inner(node.operand)}"

    def visit_Binary(self, node: Binary) -> str:
        if node.op not in ARITHMETIC:
            raise SentenceError(f"a condition where a value belongs: {node!r}")
        symbol = {"-": "−", "*": "×", "/": "÷"}.get(node.op, node.op)
        return f"{self.inner(node.left)} {symbol} {self.inner(node.right)}"

    def not_a_value(self, node: Node) -> str:
        raise SentenceError(f"a condition where a value belongs: {node!r}")

    visit_Bool = visit_In = not_a_value

    def visit_Call(self, node: Call) -> str:
        return implementation(self, node)(node)

    def condition_function(self, node: Call) -> str:
        raise SentenceError(f"a condition where a value belongs: {node.func}()")

    call_known = call_answered = call_selected = condition_function

    def call_year(self, node: Call) -> str:
        arg = node.args[0]
        if isinstance(arg, Name) and arg.is_parameter:
            value = self.sentence.params.get(arg.id)
            return value[:4] if value else f"year({arg.id})"
        return self.words["fn_year"].format(date=self.inner(arg))

    def call_age_at(self, node: Call) -> str:
        birth, at = (self.inner(a) for a in node.args)
        return self.words["fn_age_at"].format(birth=birth, at=at)

    def call_if(self, node: Call) -> str:
        test, then, other = node.args
        return self.words["fn_if"].format(
            test=self.sentence.condition(test), then=self.inner(then), other=self.inner(other)
        )

    def call_coalesce(self, node: Call) -> str:
        first, *rest = node.args
        rest_text = self.inner(rest[0] if len(rest) == 1 else Call("coalesce", tuple(rest)))
        return self.words["fn_coalesce"].format(first=self.inner(first), rest=rest_text)

    def call_rate(self, node: Call) -> str:
        table, *keys = node.args
        name = getattr(table, "id", getattr(table, "value", ""))
        param = self.sentence.module.parameter_by_id.get(name)
        title = text_in(param.label, self.sentence.lang) if param is not None else name
        return self.words["fn_rate"].format(
            table=title[:1].lower() + title[1:], keys=", ".join(self.inner(k) for k in keys)
        )


class _ConditionPhrase(Visitor[str]):
    def __init__(self, sentence: Sentence):
        self.sentence = sentence
        self.words = sentence.words

    def visit_Bool(self, node: Bool) -> str:
        return self.words["all_word"] if node.value else self.words["none_word"]

    def visit_Name(self, node: Name) -> str:
        sentence = self.sentence
        condition = sentence.module.condition_by_id.get(node.id)
        if condition is None:
            raise SentenceError(f"a value where a condition belongs: {node.id}")
        text = text_in(condition.text, sentence.lang)
        return fill(text, sentence.module, sentence.params, sentence.lang)

    def not_a_condition(self, node: Node) -> str:
        raise SentenceError(f"a value where a condition belongs: {node!r}")

    visit_Num = visit_Str = visit_Self = not_a_condition

    def visit_Unary(self, node: Unary) -> str:
        if node.op != "not":
            return self.not_a_condition(node)
        return f"{self.words['not']} ({self.visit(node.operand)})"

    def visit_Binary(self, node: Binary) -> str:
        w = self.words
        if node.op in ("and", "or"):
            parts = []
            for side in (node.left, node.right):
                text = self.visit(side)
                nested_other = (
                    isinstance(side, Binary) and side.op in ("and", "or") and side.op != node.op
                )
                parts.append(f"({text})" if nested_other else text)
            return f" {w[node.op]} ".join(parts)
        if node.op not in COMPARISONS:
            return self.not_a_condition(node)
        answer = self.sentence._answer(node)
        if answer is not None:
            return answer
        subject = (
            node.left.id
            if isinstance(node.left, Name) and not node.left.is_parameter
            else self.sentence.self_id
        )
        return w["whose"].format(
            label=self.sentence.value(node.left),
            op=w[OPERATORS[node.op]],
            value=self.sentence.value(node.right, subject if isinstance(node.right, Num) else None),
        )

    def visit_In(self, node: In) -> str:
        answer = self.sentence._answer(node)
        if answer is not None:
            return answer
        subject = node.operand.id if isinstance(node.operand, Name) else self.sentence.self_id
        values = ", ".join(self.sentence.value(i, subject) for i in node.items)
        return self.words["whose"].format(
            label=self.sentence.value(node.operand),
            op=self.words[OPERATORS["not in" if node.negated else "in"]],
            value=values,
        )

    def visit_Call(self, node: Call) -> str:
        return implementation(self, node)(node)

    def call_known(self, node: Call) -> str:
        return self.words["known"].format(label=self.sentence.value(node.args[0]))

    def call_answered(self, node: Call) -> str:
        return self.words["answered"].format(label=self.sentence.value(node.args[0]))

    def call_selected(self, node: Call) -> str:
        ref, code = node.args
        name = ref.id if isinstance(ref, Name) else self.sentence.self_id
        return self.words["selected"].format(
            code=self.sentence.code_label(name, code.value), label=self.sentence.value(ref)
        )

    def value_function(self, node: Call) -> str:
        raise SentenceError(f"a value where a condition belongs: {node.func}()")

    call_year = call_age_at = call_if = call_coalesce = call_rate = value_function


def describe(
    module: Module, expression: str, lang: str, params: dict[str, Any], self_id: str | None = None
) -> str:
    """A condition as a phrase: "aged 5 or over and born abroad"."""
    return Sentence(module, lang, params, self_id).condition(parse(expression))


def describe_universe(
    module: Module, expression: str | None, level: str, lang: str, params: dict[str, Any]
) -> str:
    """A universe as a sentence: "Asked of persons aged 5 or over and born abroad."."""
    return Sentence(module, lang, params).universe(expression, level)
