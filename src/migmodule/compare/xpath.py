"""National skip logic read into a small tree: XLSForm `relevant` (XPath, `${name}`) and CSPro
`ask if` conditions. The tree is evaluated with the form's own semantics (answers are text, a
blank answer is '') to find conditions that never change, and translated to the module's
expression language once its names are matched.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from migmodule.expr.parser import TYPOGRAPHIC_QUOTES
from migmodule.i18n import Phrase


class LogicError(Exception):
    """An expression the reader cannot read (typographic quotes, unknown syntax)."""

    @property
    def reason(self) -> str:
        """Why, as a `Phrase` said in the reader's language (`str(error)` is the English)."""
        return self.args[0]


@dataclass
class Node:
    kind: str  # or, and, not, cmp, var, str, num, self, call, arith
    args: list[Any] = field(default_factory=list)
    text: str = ""  # the national source of this node

    def walk(self) -> Iterator[Node]:
        yield self
        for arg in self.args:
            if isinstance(arg, Node):
                yield from arg.walk()

    def variables(self) -> list[str]:
        found: list[str] = []
        for node in self.walk():
            if node.kind == "var" and node.args[0] not in found:
                found.append(node.args[0])
        return found


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<var>\$\{\s*[^}\s]+\s*\})
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>!=|<>|<=|>=|=|<|>|\+|-|\*|\(|\)|,|:)
  | (?P<name>[A-Za-z_][A-Za-z0-9_:.-]*)
  | (?P<dot>\.)
    """,
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    position = 0
    while position < len(text):
        found = _TOKEN.match(text, position)
        if not found:
            char = text[position]
            if char in TYPOGRAPHIC_QUOTES:
                raise LogicError(
                    Phrase("compare.logic.typographic_quote", quote=char, column=position + 1)
                )
            raise LogicError(Phrase("compare.logic.unexpected", token=char, column=position + 1))
        kind = found.lastgroup or ""
        if kind != "space":
            out.append((kind, found.group(), position))
        position = found.end()
    out.append(("end", "", len(text)))
    return out


class _Parser:
    """XPath (`xpath=True`) or CSPro logic: or/and/not, comparisons, calls, + - *, `in a:b`."""

    def __init__(self, text: str, xpath: bool):
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.xpath = xpath

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.at]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def word(self, *words: str) -> bool:
        kind, value, _ = self.peek()
        return kind == "name" and value.lower() in words

    def expect(self, value: str) -> None:
        kind, found, position = self.take()
        if found != value:
            raise LogicError(
                Phrase("compare.logic.expected", expected=value, column=position + 1, found=found)
            )

    def node(self, kind: str, args: list[Any], start: int) -> Node:
        end = self.tokens[self.at - 1][2] + len(self.tokens[self.at - 1][1])
        return Node(kind, args, self.text[start:end].strip())

    def parse(self) -> Node:
        tree = self.disjunction()
        kind, value, position = self.peek()
        if kind != "end":
            raise LogicError(Phrase("compare.logic.unexpected", token=value, column=position + 1))
        return tree

    def disjunction(self) -> Node:
        start = self.peek()[2]
        left = self.conjunction()
        while self.word("or"):
            self.take()
            left = self.node("or", [left, self.conjunction()], start)
        return left

    def conjunction(self) -> Node:
        start = self.peek()[2]
        left = self.negation()
        while self.word("and"):
            self.take()
            left = self.node("and", [left, self.negation()], start)
        return left

    def negation(self) -> Node:
        start = self.peek()[2]
        if self.word("not") and (not self.xpath or self.tokens[self.at + 1][1] == "("):
            self.take()
            return self.node("not", [self.negation()], start)
        return self.comparison()

    def comparison(self) -> Node:
        start = self.peek()[2]
        left = self.sum()
        kind, value, _ = self.peek()
        if kind == "op" and value in ("=", "!=", "<>", "<", "<=", ">", ">="):
            self.take()
            operator = {"=": "==", "<>": "!="}.get(value, value)
            return self.node("cmp", [operator, left, self.sum()], start)
        if not self.xpath and self.word("in"):
            self.take()
            return self.node("in", [left, self.ranges()], start)
        return left

    def ranges(self) -> list[tuple[Node, Node]]:
        found = []
        while True:
            low = self.sum()
            high = low
            if self.peek()[1] == ":":
                self.take()
                high = self.sum()
            found.append((low, high))
            if self.peek()[1] != ",":
                return found
            self.take()

    def sum(self) -> Node:
        start = self.peek()[2]
        left = self.product()
        while self.peek()[1] in ("+", "-"):
            operator = self.take()[1]
            left = self.node("arith", [operator, left, self.product()], start)
        return left

    def product(self) -> Node:
        start = self.peek()[2]
        left = self.atom()
        while self.peek()[1] == "*" or self.word("div", "mod"):
            operator = self.take()[1]
            left = self.node("arith", [operator, left, self.atom()], start)
        return left

    def atom(self) -> Node:
        kind, value, position = self.take()
        if kind == "var":
            return Node("var", [value[2:-1].strip()], value)
        if kind == "number":
            return Node("num", [float(value)], value)
        if kind == "string":
            return Node("str", [value[1:-1]], value)
        if kind == "dot":
            return Node("self", [], ".")
        if value == "-":
            inner = self.atom()
            return Node("arith", ["-", Node("num", [0.0], "0"), inner], "-" + inner.text)
        if value == "(":
            inner = self.disjunction()
            self.expect(")")
            return inner
        if kind == "name":
            if self.peek()[1] == "(":
                self.take()
                args = []
                if self.peek()[1] != ")":
                    args.append(self.disjunction())
                    while self.peek()[1] == ",":
                        self.take()
                        args.append(self.disjunction())
                self.expect(")")
                return self.node("call", [value.lower(), *args], position)
            if not self.xpath:  # a CSPro item name; NOTAPPL and MISSING are blank
                if value.upper() in ("NOTAPPL", "MISSING"):
                    return Node("str", [""], value)
                return Node("var", [value], value)
        raise LogicError(Phrase("compare.logic.unexpected", token=value, column=position + 1))


def parse_xpath(text: str) -> Node:
    """An XLSForm `relevant` (or `constraint`, `choice_filter`) as a tree; LogicError if unread."""
    return _Parser(text, xpath=True).parse()


def parse_cspro(text: str) -> Node:
    """A CSPro condition (`ask if P12 >= 5 and P19 in 600:813`) as a tree; LogicError if unread."""
    return _Parser(text.strip().rstrip(";"), xpath=False).parse()


# Evaluation with the form's semantics ----------------------------------------------------------
Answers = dict[str, str]


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _value(node: Node, answers: Answers, self_value: str) -> Any:
    if node.kind == "var":
        return answers.get(node.args[0], "")
    if node.kind == "str":
        return node.args[0]
    if node.kind == "num":
        return node.args[0]
    if node.kind == "self":
        return self_value
    if node.kind == "arith":
        operator, left, right = node.args
        a = _number(_value(left, answers, self_value))
        b = _number(_value(right, answers, self_value))
        if operator == "+":
            return a + b
        if operator == "-":
            return a - b
        if operator == "*":
            return a * b
        if operator == "div":
            return a / b if b else math.nan
        return math.fmod(a, b) if b else math.nan
    return truth(node, answers, self_value)


def _compare(operator: str, a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float) or operator not in ("==", "!="):
        x, y = _number(a), _number(b)
        if math.isnan(x) or math.isnan(y):
            return operator == "!=" and str(a) != str(b)
        return {
            "==": x == y,
            "!=": x != y,
            "<": x < y,
            "<=": x <= y,
            ">": x > y,
            ">=": x >= y,
        }[operator]
    return (str(a) == str(b)) == (operator == "==")


def truth(node: Node, answers: Answers, self_value: str = "") -> bool:
    """The condition on one set of answers (text; '' is blank), as ODK and CSPro would see it."""
    kind = node.kind
    if kind == "or":
        return truth(node.args[0], answers, self_value) or truth(node.args[1], answers, self_value)
    if kind == "and":
        return truth(node.args[0], answers, self_value) and truth(node.args[1], answers, self_value)
    if kind == "not":
        return not truth(node.args[0], answers, self_value)
    if kind == "cmp":
        operator, left, right = node.args
        return _compare(
            operator, _value(left, answers, self_value), _value(right, answers, self_value)
        )
    if kind == "in":
        value = _number(_value(node.args[0], answers, self_value))
        return any(
            _number(_value(low, answers, self_value))
            <= value
            <= _number(_value(high, answers, self_value))
            for low, high in node.args[1]
        )
    if kind == "call":
        name, *args = node.args
        if name == "selected" and len(args) == 2:
            chosen = str(_value(args[0], answers, self_value)).split()
            return str(_value(args[1], answers, self_value)) in chosen
        if name in ("true", "false") and not args:
            return name == "true"
        if name == "string-length" and len(args) == 1:
            return bool(str(_value(args[0], answers, self_value)))
        if name == "count-selected" and len(args) == 1:
            return bool(str(_value(args[0], answers, self_value)).split())
        raise LogicError(Phrase("compare.logic.function", name=name))
    if kind in ("var", "self"):
        return _value(node, answers, self_value) not in ("", None)
    if kind == "num":
        return node.args[0] != 0
    if kind == "str":
        return node.args[0] != ""
    raise LogicError(Phrase("compare.logic.not_a_condition", text=node.text))


def literals_of(tree: Node) -> dict[str, set[str]]:
    """Per variable, the literal values the tree compares it with (and one either side of numbers)."""
    found: dict[str, set[str]] = {}
    for node in tree.walk():
        pairs: list[tuple[Node, Node]] = []
        if node.kind == "cmp":
            pairs = [(node.args[1], node.args[2]), (node.args[2], node.args[1])]
        elif node.kind == "call" and node.args[0] == "selected" and len(node.args) == 3:
            pairs = [(node.args[1], node.args[2])]
        elif node.kind == "in":
            pairs = [(node.args[0], n) for pair in node.args[1] for n in pair]
        for subject, literal in pairs:
            if subject.kind != "var" or literal.kind not in ("str", "num"):
                continue
            values = found.setdefault(subject.args[0], set())
            if literal.kind == "num":
                number = literal.args[0]
                values |= {_shown(number - 1), _shown(number), _shown(number + 1)}
            else:
                values.add(literal.args[0])
    return found


def _shown(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


MAX_COMBINATIONS = 20_000


def outcomes(
    tree: Node, candidates: Callable[[str], list[str]]
) -> tuple[set[bool], dict[bool, Answers]] | None:
    """The truth values the condition takes over candidate answers of the variables it reads,
    with one example of each; None when there are too many combinations or it cannot be read."""
    names = tree.variables()
    pools = [sorted(set(candidates(name)) | {""}) for name in names]
    if math.prod(len(pool) for pool in pools) > MAX_COMBINATIONS:
        return None
    seen: set[bool] = set()
    examples: dict[bool, Answers] = {}
    try:
        for values in itertools.product(*pools):
            answers = dict(zip(names, values, strict=True))
            result = truth(tree, answers)
            if result not in seen:
                seen.add(result)
                examples[result] = answers
            if len(seen) == 2:
                break
    except LogicError:
        return None
    return seen, examples


def conjuncts(tree: Node) -> list[Node]:
    """The parts of a top-level `and` chain."""
    if tree.kind == "and":
        return conjuncts(tree.args[0]) + conjuncts(tree.args[1])
    return [tree]


def is_answered_test(tree: Node) -> bool:
    """`${x} != ''` or `string-length(${x}) > 0`: a test that an earlier answer was given."""
    if tree.kind == "cmp" and tree.args[0] == "!=":
        sides = tree.args[1:]
        return any(s.kind == "var" for s in sides) and any(
            s.kind == "str" and s.args[0] == "" for s in sides
        )
    if tree.kind == "cmp" and tree.args[1].kind == "call":
        return tree.args[1].args[0] == "string-length" and tree.args[0] in (">", "!=")
    return False
