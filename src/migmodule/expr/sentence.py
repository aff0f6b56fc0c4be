"""Compile expressions to plain sentences in each module language.

"Asked of persons aged 5 or over and born abroad." Named conditions render as their own `text`;
other comparisons render from the variable labels and code labels of the spec. The connecting
words below are the toolkit's, not a module's.
"""

from __future__ import annotations

import re
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
from migmodule.expr.parser import parse
from migmodule.spec.model import Module
from migmodule.spec.text import THIS_COUNTRY, fill, text_in

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "and": "and",
        "or": "or",
        "not": "not",
        "asked_all": "Asked of all {noun}.",
        "asked_of": "Asked of {noun} {condition}.",
        "whose": "whose {label} {op} {value}",
        "==": "is",
        "!=": "is not",
        "<": "is less than",
        "<=": "is at most",
        ">": "is more than",
        ">=": "is at least",
        "in": "is one of",
        "not in": "is none of",
        "known": "whose {label} is known",
        "answered": "who answered “{label}”",
        "selected": "who answered “{code}” to “{label}”",
        "not_selected": "who did not answer “{code}” to “{label}”",
        "or_word": "or",
        "never": "Never asked (the condition is always false).",
        "true": "all",
        "false": "none",
        "units": "units",
        "this_answer": "this answer",
    },
    "fr": {
        "and": "et",
        "or": "ou",
        "not": "non",
        "asked_all": "Posée à l'ensemble des {noun}.",
        "asked_of": "Posée aux {noun} {condition}.",
        "whose": "dont « {label} » {op} {value}",
        "==": "est",
        "!=": "n'est pas",
        "<": "est inférieur à",
        "<=": "est au plus",
        ">": "est supérieur à",
        ">=": "est au moins",
        "in": "est parmi",
        "not in": "n'est pas parmi",
        "known": "dont « {label} » est connu",
        "answered": "ayant répondu à « {label} »",
        "selected": "ayant répondu « {code} » à « {label} »",
        "not_selected": "n'ayant pas répondu « {code} » à « {label} »",
        "or_word": "ou",
        "never": "Jamais posée (la condition est toujours fausse).",
        "true": "tous",
        "false": "aucun",
        "units": "unités",
        "this_answer": "cette réponse",
    },
    "es": {
        "and": "y",
        "or": "o",
        "not": "no",
        "asked_all": "Universo: el conjunto de {noun}.",
        "asked_of": "Universo: {noun} {condition}.",
        "whose": "donde «{label}» {op} {value}",
        "==": "es",
        "!=": "no es",
        "<": "es menor que",
        "<=": "es como máximo",
        ">": "es mayor que",
        ">=": "es al menos",
        "in": "es uno de",
        "not in": "no es ninguno de",
        "known": "donde «{label}» es conocido",
        "answered": "que respondieron a «{label}»",
        "selected": "que respondieron «{code}» a «{label}»",
        "not_selected": "que no respondieron «{code}» a «{label}»",
        "or_word": "o",
        "never": "Nunca se pregunta (la condición es siempre falsa).",
        "true": "todas",
        "false": "ninguna",
        "units": "unidades",
        "this_answer": "esta respuesta",
    },
}


class Sentence:
    def __init__(
        self, module: Module, lang: str, params: dict[str, Any], self_id: str | None = None
    ):
        self.module = module
        self.lang = lang
        self.words = WORDS.get(lang, WORDS["en"])
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
            return THIS_COUNTRY.get(self.lang, THIS_COUNTRY["en"])
        return country_name(int(code), self.lang, in_sentence=True) or str(code)

    def value(self, node: Node, subject: str | None = None) -> str:
        if isinstance(node, Num):
            return self.code_label(subject, node.value) if subject else str(node.value)
        if isinstance(node, Str):
            return f"“{node.value}”"
        if isinstance(node, Name):
            if node.is_parameter:
                param = self.module.parameter_by_id.get(node.id)
                value = self.params.get(node.id)
                if param is not None and param.type == "country" and value is not None:
                    return self.country(value)
                return (
                    str(value)
                    if value is not None
                    else text_in(param.label, self.lang)
                    if param
                    else node.id
                )
            return self.label(node.id)
        if isinstance(node, Self):
            return self.words["this_answer"]
        if isinstance(node, Call) and node.func == "year":
            arg = node.args[0]
            value = self.params.get(arg.id) if isinstance(arg, Name) else None
            return value[:4] if value else f"year({arg.id if isinstance(arg, Name) else ''})"
        if isinstance(node, Unary) and node.op == "-":
            return f"−{self.value(node.operand)}"
        if isinstance(node, Binary) and node.op in ARITHMETIC:
            symbol = {"-": "−", "*": "×", "/": "÷"}.get(node.op, node.op)
            return f"{self.value(node.left)} {symbol} {self.value(node.right)}"
        return "?"

    def condition(self, node: Node) -> str:
        w = self.words
        if isinstance(node, Bool):
            return w["true"] if node.value else w["false"]
        if isinstance(node, Name) and node.id in self.module.condition_by_id:
            text = text_in(self.module.condition_by_id[node.id].text, self.lang)
            return fill(text, self.module, self.params, self.lang)
        if isinstance(node, Unary) and node.op == "not":
            return f"{w['not']} ({self.condition(node.operand)})"
        if isinstance(node, Binary) and node.op in ("and", "or"):
            parts = []
            for side in (node.left, node.right):
                text = self.condition(side)
                nested_other = (
                    isinstance(side, Binary) and side.op in ("and", "or") and side.op != node.op
                )
                parts.append(f"({text})" if nested_other else text)
            return f" {w[node.op]} ".join(parts)
        answer = self._answer(node)
        if answer is not None:
            return answer
        if isinstance(node, Binary) and node.op in COMPARISONS:
            subject = (
                node.left.id
                if isinstance(node.left, Name) and not node.left.is_parameter
                else self.self_id
            )
            return w["whose"].format(
                label=self.value(node.left),
                op=w[node.op],
                value=self.value(node.right, subject if isinstance(node.right, Num) else None),
            )
        if isinstance(node, In):
            subject = node.operand.id if isinstance(node.operand, Name) else self.self_id
            values = ", ".join(self.value(i, subject) for i in node.items)
            return w["whose"].format(
                label=self.value(node.operand),
                op=w["not in" if node.negated else "in"],
                value=values,
            )
        if isinstance(node, Call) and node.func in ("known", "answered"):
            return w[node.func].format(label=self.value(node.args[0]))
        if isinstance(node, Call) and node.func == "selected":
            ref, code = node.args
            name = ref.id if isinstance(ref, Name) else self.self_id
            return w["selected"].format(
                code=self.code_label(name, code.value), label=self.value(ref)
            )
        return "?"

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
        if not expression:
            return self.words["asked_all"].format(noun=noun)
        return self.words["asked_of"].format(noun=noun, condition=self.condition(parse(expression)))


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
