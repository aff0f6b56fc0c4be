"""Tokenizer and recursive-descent parser for the expression language.

    expr       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum [("==" | "!=" | "<" | "<=" | ">" | ">=") sum | ["not"] "in" "(" sum ("," sum)* ")"]
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | atom
    atom       := NUMBER | STRING | "true" | "false" | "." | NAME | NAME "(" [expr ("," expr)*] ")" | "(" expr ")"

Spec text is never evaluated by Python: it is only tokenized and parsed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migmodule.codes import Finding, Location
from migmodule.expr.ast import Binary, Bool, Call, In, Name, Node, Num, Self, Str, Unary

MAX_DEPTH = 64
MAX_LENGTH = 4000
# The depth of a tree, parsed or with its named conditions inlined (semantics.expand): every
# compiler walks trees recursively, and a chain `a + a + ... + a` is as deep as it is long, so
# one limit here keeps every target clear of Python's recursion limit (they fail near 250).
MAX_TREE_DEPTH = 100
TYPOGRAPHIC_QUOTES = "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00b4\u0060"
KEYWORDS = {"and", "or", "not", "in", "true", "false"}


class ExprSyntaxError(Exception):
    """A syntax error with its 1-based column; `typographic` marks curly-quote mistakes."""

    def __init__(self, reason: str, column: int, typographic: str | None = None):
        super().__init__(f"column {column}: {reason}")
        self.reason = reason
        self.column = column
        self.typographic = typographic
        self.expression: str | None = None  # set by parse(): the text that failed

    def finding(self) -> Finding:
        """The coded message (EXPR-SYNTAX-001) for a caller that has no better location."""
        from migmodule.spec.codes import EXPR_SYNTAX

        shown = self.expression or ""
        return Finding.make(
            EXPR_SYNTAX,
            Location(),
            field="an expression",
            expression=shown if len(shown) <= 120 else shown[:117] + "...",
            column=self.column,
            reason=self.reason,
        )


@dataclass(frozen=True)
class Token:
    kind: str  # NUMBER STRING NAME OP EOF
    text: str
    pos: int  # 1-based column


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|,|\.)
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in TYPOGRAPHIC_QUOTES:
            raise ExprSyntaxError(f"typographic quote {char!r}", index + 1, typographic=char)
        match = _TOKEN.match(text, index)
        if match is None:
            if char in "'\"":
                raise ExprSyntaxError("string is not closed", index + 1)
            if char == "=":
                raise ExprSyntaxError("single '=': write '==' to compare", index + 1)
            raise ExprSyntaxError(f"unexpected character {char!r}", index + 1)
        kind = match.lastgroup
        if kind != "space":
            tokens.append(Token(kind.upper(), match.group(), index + 1))
        index = match.end()
    tokens.append(Token("EOF", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.token
        self.index += 1
        return token

    def at(self, *texts: str) -> bool:
        token = self.token
        return token.kind in ("OP", "NAME") and token.text in texts

    def expect(self, text: str) -> Token:
        if not self.at(text):
            found = self.token.text or "end of expression"
            raise ExprSyntaxError(f"expected '{text}' but found '{found}'", self.token.pos)
        return self.advance()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprSyntaxError(
                f"expression nested deeper than {MAX_DEPTH} levels", self.token.pos
            )

    def parse(self) -> Node:
        node = self.or_expr()
        if self.token.kind != "EOF":
            raise ExprSyntaxError(f"unexpected '{self.token.text}'", self.token.pos)
        return node

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.at("or"):
            op = self.advance()
            node = Binary("or", node, self.and_expr(), pos=op.pos)
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.at("and"):
            op = self.advance()
            node = Binary("and", node, self.not_expr(), pos=op.pos)
        return node

    def not_expr(self) -> Node:
        if self.at("not"):
            op = self.advance()
            self.enter()
            operand = self.not_expr()
            self.depth -= 1
            return Unary("not", operand, pos=op.pos)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        if self.at("==", "!=", "<", "<=", ">", ">="):
            op = self.advance()
            node = Binary(op.text, left, self.sum(), pos=op.pos)
            if self.at("==", "!=", "<", "<=", ">", ">="):
                raise ExprSyntaxError(
                    "comparisons cannot be chained; join them with 'and'", self.token.pos
                )
            return node
        negated = False
        if self.at("not") and self.tokens[self.index + 1].text == "in":
            self.advance()
            negated = True
        if self.at("in"):
            op = self.advance()
            self.expect("(")
            items = [self.sum()]
            while self.at(","):
                self.advance()
                items.append(self.sum())
            self.expect(")")
            return In(left, tuple(items), negated, pos=op.pos)
        return left

    def sum(self) -> Node:
        node = self.product()
        while self.at("+", "-"):
            op = self.advance()
            node = Binary(op.text, node, self.product(), pos=op.pos)
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            op = self.advance()
            node = Binary(op.text, node, self.unary(), pos=op.pos)
        return node

    def unary(self) -> Node:
        if self.at("-"):
            op = self.advance()
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return Unary("-", operand, pos=op.pos)
        return self.atom()

    def atom(self) -> Node:
        token = self.token
        if token.kind == "NUMBER":
            self.advance()
            value = float(token.text) if "." in token.text else int(token.text)
            return Num(value, pos=token.pos)
        if token.kind == "STRING":
            self.advance()
            return Str(token.text[1:-1], pos=token.pos)
        if token.kind == "OP" and token.text == ".":
            self.advance()
            return Self(pos=token.pos)
        if token.kind == "OP" and token.text == "(":
            self.advance()
            self.enter()
            node = self.or_expr()
            self.depth -= 1
            self.expect(")")
            return node
        if token.kind == "NAME":
            if token.text in ("true", "false"):
                self.advance()
                return Bool(token.text == "true", pos=token.pos)
            if token.text in KEYWORDS:
                raise ExprSyntaxError(f"'{token.text}' cannot start a value", token.pos)
            self.advance()
            if self.at("("):
                self.advance()
                self.enter()
                args: list[Node] = []
                if not self.at(")"):
                    args.append(self.or_expr())
                    while self.at(","):
                        self.advance()
                        args.append(self.or_expr())
                self.depth -= 1
                self.expect(")")
                return Call(token.text, tuple(args), pos=token.pos)
            return Name(token.text, pos=token.pos)
        if token.kind == "EOF":
            raise ExprSyntaxError("expression ends too early", token.pos)
        raise ExprSyntaxError(f"unexpected '{token.text}'", token.pos)


def parse(text: str) -> Node:
    """Parse expression text into an AST; raise ExprSyntaxError (never anything else)."""
    if not isinstance(text, str):
        raise ExprSyntaxError("an expression must be text", 1)
    if len(text) > MAX_LENGTH:
        raise ExprSyntaxError(f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise ExprSyntaxError("empty expression", 1)
    try:
        tree = _Parser(text).parse()
        if tree_depth(tree) > MAX_TREE_DEPTH:
            raise ExprSyntaxError(
                f"expression deeper than {MAX_TREE_DEPTH} levels (a chain of operators counts one "
                "level each): split it into named conditions or use 'in (...)'",
                1,
            )
    except ExprSyntaxError as exc:
        exc.expression = text
        raise
    return tree


def tree_depth(root: Node) -> int:
    """Depth of a tree (a leaf is 1), without recursion and counting a shared subtree once."""
    depth: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in depth:
            continue
        children = node.children()
        if done:
            depth[id(node)] = 1 + max((depth[id(c)] for c in children), default=0)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in depth)
    return depth[id(root)]
