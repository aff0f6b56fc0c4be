"""Compile prepared expressions to two-valued targets: XLSForm (XPath) and CSPro logic.

The spec's logic is three-valued (unknown for blanks and missing-value codes); these targets only
know true and false. So each condition compiles to two formulas: `true_form` (definitely true) and
`false_form` (definitely false). A universe becomes `relevant = true_form`; a check becomes
`constraint = not(false_form)`, so that an unknown answer never blocks the interviewer.
"""

from __future__ import annotations

from collections.abc import Callable

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
from migmodule.expr.semantics import Symbol, symbols
from migmodule.spec.model import Module


class _TwoValued:
    """Shared structure of the T/F translation; subclasses supply the target's syntax."""

    TRUE = FALSE = AND = OR = ""
    OPS: dict[str, str] = {}

    def __init__(self, module: Module, self_id: str | None = None):
        self.module = module
        self.table = symbols(module)
        self.self_id = self_id

    # syntax hooks ------------------------------------------------------------------------------
    def ref(self, name: str) -> str: ...
    def self_ref(self) -> str: ...
    def string(self, value: str) -> str: ...
    def negate(self, text: str) -> str: ...
    def present(self, ref: Node) -> str: ...  # the answer is not blank
    def has_code(self, ref: Node, code: int | str) -> str: ...  # select_multiple membership

    # helpers -------------------------------------------------------------------------------------
    def symbol(self, node: Node) -> Symbol | None:
        if isinstance(node, Name):
            return self.table.get(node.id)
        if isinstance(node, Self):
            return self.table.get(self.self_id or "")
        return None

    def join(self, op: str, parts: list[str]) -> str:
        if op == self.AND:
            # Flatten plain conjunctions and drop repeated terms (guards repeat across atoms).
            terms: list[str] = []
            for part in parts:
                plain = "(" not in part.replace("string-length(", "").replace("special(", "")
                for term in (
                    part.split(f" {self.AND} ") if plain and f" {self.OR} " not in part else [part]
                ):
                    if term != self.TRUE and term not in terms:
                        terms.append(term)
            parts = terms
        if not parts:
            return self.TRUE
        if len(parts) == 1:
            return parts[0]
        return f" {op} ".join(
            f"({p})" if (" or " in p.lower() and op == self.AND) else p for p in parts
        )

    def refs(self, node: Node) -> list[Node]:
        found: list[Node] = []
        for n in node.walk():
            if isinstance(n, (Name, Self)) and self.symbol(n) is not None and n not in found:
                found.append(n)
        return found

    def known(self, ref: Node) -> str:
        symbol = self.symbol(ref)
        parts = [self.present(ref)]
        if symbol is not None:
            for code in sorted(symbol.missing_codes):
                parts.append(
                    self.negate(self.has_code(ref, code))
                    if symbol.multiple
                    else f"{self.value(ref)} {self.OPS['!=']} {code}"
                )
        return self.join(self.AND, parts)

    def all_known(self, node: Node) -> str:
        return self.join(self.AND, [self.known(r) for r in self.refs(node)])

    # values ---------------------------------------------------------------------------------------
    def value(self, node: Node) -> str:
        if isinstance(node, Num):
            return repr(node.value) if isinstance(node.value, float) else str(node.value)
        if isinstance(node, Str):
            return self.string(node.value)
        if isinstance(node, Name):
            return self.ref(node.id)
        if isinstance(node, Self):
            return self.self_ref()
        if isinstance(node, Unary) and node.op == "-":
            return f"-{self.value(node.operand)}"
        if isinstance(node, Binary) and node.op in ARITHMETIC:
            op = self.OPS.get(node.op, node.op)
            return f"({self.value(node.left)} {op} {self.value(node.right)})"
        raise ValueError(f"not a value: {node!r}")

    # conditions -------------------------------------------------------------------------------
    def true_form(self, node: Node) -> str:
        return self._form(node, True)

    def false_form(self, node: Node) -> str:
        return self._form(node, False)

    def _form(self, node: Node, want: bool) -> str:
        if isinstance(node, Bool):
            return self.TRUE if node.value == want else self.FALSE
        if isinstance(node, Unary) and node.op == "not":
            return self._form(node.operand, not want)
        if isinstance(node, Binary) and node.op in ("and", "or"):
            left, right = self._form(node.left, want), self._form(node.right, want)
            # T(a and b) = T(a) and T(b); F(a and b) = F(a) or F(b); dually for or.
            both = (node.op == "and") == want
            return self.join(self.AND, [left, right]) if both else f"({left}) {self.OR} ({right})"
        if isinstance(node, Binary) and node.op in COMPARISONS:
            return self._comparison(node, want)
        if isinstance(node, In):
            tests = [Binary("==", node.operand, item) for item in node.items]
            combined: Node = tests[0]
            for test in tests[1:]:
                combined = Binary("or", combined, test)
            return self._form(Unary("not", combined) if node.negated else combined, want)
        if isinstance(node, Call):
            return self._call(node, want)
        raise ValueError(f"not a condition: {node!r}")

    def _raw_special(self, node: Binary) -> tuple[Node, Num] | None:
        for ref, lit in ((node.left, node.right), (node.right, node.left)):
            symbol = self.symbol(ref)
            if (
                symbol
                and not symbol.multiple
                and isinstance(lit, Num)
                and lit.value in symbol.missing_codes
            ):
                return ref, lit
        return None

    def special_literal(self, ref: Node, literal: Num) -> str:
        """How a missing-value code is written when compared with raw (target may override)."""
        return self.value(literal)

    def special_kind(self, ref: Node, code: int) -> str | None:
        symbol = self.symbol(ref)
        code_list = self.module.code_list_by_id.get(symbol.code_list or "") if symbol else None
        for entry in code_list.codes if code_list else ():
            if entry.code == code and entry.special is not None:
                return entry.special.value
        return None

    def _comparison(self, node: Binary, want: bool) -> str:
        raw = self._raw_special(node) if node.op in ("==", "!=") else None
        if raw is not None:
            ref, lit = raw
            equal = f"{self.value(ref)} {self.OPS['==']} {self.special_literal(ref, lit)}"
            positive = (node.op == "==") == want
            return equal if positive else self.negate(equal)
        text = f"{self.value(node.left)} {self.OPS[node.op]} {self.value(node.right)}"
        guard = self.all_known(node)
        return self.join(self.AND, [guard, text if want else self.negate(text)])

    def _call(self, node: Call, want: bool) -> str:
        ref = node.args[0]
        if node.func in ("known", "answered"):
            text = self.known(ref) if node.func == "known" else self.present(ref)
            return text if want else self.negate(text)
        if node.func == "selected":
            symbol = self.symbol(ref)
            code = node.args[1].value
            if symbol is not None and symbol.multiple:
                test = self.has_code(ref, code)
                if isinstance(code, int) and code in symbol.missing_codes:
                    return test if want else self.negate(test)
                return self.join(self.AND, [self.known(ref), test if want else self.negate(test)])
            return self._comparison(Binary("==", ref, Num(int(code))), want)
        raise ValueError(f"function {node.func} cannot be compiled")

    # derived variables ---------------------------------------------------------------------------
    def cases(self, cases: list[tuple[Node | None, int]]) -> str:
        """First case whose condition is definitely true; blank when none holds."""
        result = self.string("")
        for when, value in reversed(cases):
            result = (
                str(value) if when is None else f"if({self.true_form(when)}, {value}, {result})"
            )
        return result


class XPath(_TwoValued):
    """XLSForm expressions: ${name} references, = != < <= > >=, div, selected(), string-length()."""

    TRUE, FALSE, AND, OR = "true()", "false()", "and", "or"
    OPS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "/": "div"}

    def ref(self, name: str) -> str:
        return "${" + name + "}"

    def self_ref(self) -> str:
        return "."

    def string(self, value: str) -> str:
        return "'" + value + "'" if "'" not in value else '"' + value + '"'

    def negate(self, text: str) -> str:
        return f"not({text})"

    def present(self, ref: Node) -> str:
        return f"string-length({self.value(ref)}) > 0"

    def has_code(self, ref: Node, code: int | str) -> str:
        return f"selected({self.value(ref)}, '{code}')"

    def expression_value(self, node: Node, when: Node | None = None) -> str:
        """A derived numeric value: blank unless every input is known (and `when` holds)."""
        guard = self.all_known(node)
        if when is not None:
            guard = self.join(self.AND, [guard, self.true_form(when)])
        body = self.value(node)
        return body if guard == self.TRUE else f"if({guard}, {body}, '')"


class CSProLogic(_TwoValued):
    """CSPro logic: upper-case item names, = <> and or not, special() for MISSING/REFUSED/NOTAPPL.

    select_multiple answers are items with one yes(1)/no item per code, named <VAR>_<code>.
    Missing-value codes that CSPro has special values for (not stated, refused, not applicable) are
    written as those special values by the CSPro export; don't-know codes stay ordinary codes.
    """

    TRUE, FALSE, AND, OR = "1 = 1", "1 = 0", "and", "or"
    OPS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "/": "/"}

    def __init__(
        self,
        module: Module,
        self_id: str | None = None,
        item_name: Callable[[str], str] | None = None,
    ):
        super().__init__(module, self_id)
        self.item_name = item_name or self._default_item_name

    def _default_item_name(self, name: str) -> str:
        question = self.module.question_by_id.get(name)
        derived = self.module.derived_by_id.get(name)
        variable = (
            question.variable_name if question else derived.variable_name if derived else name
        )
        return variable.upper()

    # The CSPro export writes these kinds as CSPro special values; don't know stays a code.
    SPECIAL_VALUES = {"not_stated": "MISSING", "refused": "REFUSED", "not_applicable": "NOTAPPL"}

    def ref(self, name: str) -> str:
        return self.item_name(name)

    def special_literal(self, ref: Node, literal: Num) -> str:
        kind = self.special_kind(ref, int(literal.value))
        return self.SPECIAL_VALUES.get(kind or "", self.value(literal))

    def self_ref(self) -> str:
        return self.item_name(self.self_id or "$")

    def string(self, value: str) -> str:
        return '"' + value.replace('"', "'") + '"'

    def negate(self, text: str) -> str:
        return f"not ({text})"

    def present(self, ref: Node) -> str:
        symbol = self.symbol(ref)
        if symbol is not None and symbol.multiple:
            return " or ".join(f"{self.value(ref)}_{c} = 1" for c in sorted(symbol.codes or ()))
        return (
            f"not special({self.value(ref)})"
            if symbol is None or symbol.numeric
            else f'strip({self.value(ref)}) <> ""'
        )

    def known(self, ref: Node) -> str:
        symbol = self.symbol(ref)
        if symbol is not None and not symbol.multiple and symbol.numeric:
            codes = [
                c
                for c in sorted(symbol.missing_codes)
                if self.special_kind(ref, c) not in self.SPECIAL_VALUES
            ]
            return self.join(
                self.AND, [self.present(ref)] + [f"{self.value(ref)} <> {c}" for c in codes]
            )
        if symbol is not None and symbol.multiple:
            return self.join(
                self.AND,
                [f"{self.value(ref)}_{c} <> 1" for c in sorted(symbol.missing_codes)]
                + [self.present(ref)],
            )
        return super().known(ref)

    def has_code(self, ref: Node, code: int | str) -> str:
        return f"{self.value(ref)}_{code} = 1"

    def cases(self, cases: list[tuple[Node | None, int]]) -> str:
        lines, first = [], True
        for when, value in cases:
            if when is None:
                lines.append(f"else\n  $ = {value};" if not first else f"$ = {value};")
                break
            keyword = "if" if first else "elseif"
            lines.append(f"{keyword} {self.true_form(when)} then\n  $ = {value};")
            first = False
        text = "\n".join(lines)
        return text + ("\nendif;" if not first else "")
