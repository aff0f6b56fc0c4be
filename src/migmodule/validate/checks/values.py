"""One question's values: empty variable, codes outside the list, text in a number, range."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from migmodule.expr.ast import to_source
from migmodule.spec.model import QuestionType
from migmodule.spec.resolve import Resolved
from migmodule.validate import codes
from migmodule.validate.checks.base import (
    Check,
    Context,
    Target,
    counted,
    explain,
    show,
    truth,
)
from migmodule.validate.checks.partial import add, counts, tally
from migmodule.validate.prepare import ANSWERED, BLANK, Chunk, MappedQuestion
from migmodule.validate.report import CheckResult

# Above this many codes, `in_codes` looks values up in a table instead of comparing each code.
FEW_CODES = 16
# The widest range of whole-number codes looked up in a table (one byte per code in the range).
TABLE_SPAN = 1 << 20


def in_codes(numbers: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """`np.isin(numbers, allowed)` for float64 values against sorted float64 codes, without
    np.isin's sort of both arrays on every chunk (a country list of 250 codes: 0.9 ms a column of
    100,000 rows, 0.07 s of a 1M-row run). A few codes are compared one by one; whole-number
    codes within a span of TABLE_SPAN are looked up in a table of booleans; anything else goes
    to np.isin. NaN is in no list."""
    if len(allowed) <= FEW_CODES:
        found = np.zeros(len(numbers), dtype=bool)
        for code in allowed:
            found |= numbers == code
        return found
    low, high = float(allowed[0]), float(allowed[-1])
    whole = bool(np.all(allowed == np.floor(allowed)))
    if not whole or not np.isfinite(low) or not np.isfinite(high) or high - low >= TABLE_SPAN:
        return np.isin(numbers, allowed)
    table = np.zeros(int(high - low) + 1, dtype=bool)
    table[(allowed - low).astype(np.int64)] = True
    offset = numbers - low
    inside = (offset >= 0) & (offset < len(table))  # False for NaN
    position = np.where(inside, offset, 0).astype(np.int64)
    # a fraction truncates to a whole position: only a value equal to its code is in the list
    return inside & table[position] & (position + low == numbers)


class QuestionValueCheck(Check):
    name = "values"
    issues = (
        codes.COVER_EMPTY,
        codes.CODE_OUT_OF_LIST,
        codes.CODE_COUNTRY,
        codes.CODE_TEXT_STORED,
        codes.CODE_NOT_NUMBER,
        codes.CODE_RANGE,
    )
    partial = {
        "answered": add,
        "rows": add,
        "asked": add,
        "coding": tally,
        "not_number": tally,
        "range": tally,
        "bad_values": counts,
    }

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        resolved = Resolved(target.adapted)
        return [cls(mapped, resolved) for mapped in target.questions]

    def __init__(self, mapped: MappedQuestion, resolved: Resolved):
        self.mapped = mapped
        question = mapped.question
        rule = resolved.answer_rule(question)
        self.range_rule = to_source(rule) if rule is not None else None
        self.allowed_codes: frozenset[int] | None = None
        if mapped.symbol.codes is not None:  # a coded question (not a number with special codes)
            code_list = resolved.module.code_list_by_id[question.code_list]
            self.allowed_codes = resolved.allowed_codes(code_list)

    def expressions(self) -> list[str]:
        return [self.range_rule] if self.range_rule else []

    def start(self, context: Context) -> None:
        super().start(context)
        allowed = self.allowed_codes
        self.allowed = np.array(sorted(allowed), dtype="float64") if allowed is not None else None
        self.answered = 0
        self.rows = 0
        self.asked = 0  # rows not blank by national design
        self.coding, self.not_number, self.range = self.tally(), self.tally(), self.tally()
        self.bad_values: dict[Any, int] = {}
        self.absent = context.absent_in(self.range_rule) if self.range_rule else []
        self.range_reads = context.reads(self.range_rule) if self.range_rule else []

    def chunk(self, chunk: Chunk) -> None:
        m = self.mapped
        kinds = chunk.kinds[m.id]
        values = chunk.values[m.id]
        raw = chunk.raw[m.id]
        design = chunk.blank_by_design(m.id)  # not asked by national design: never a code error
        self.rows += len(kinds)
        self.asked += len(design) - int(np.count_nonzero(design))
        self.answered += int(np.count_nonzero((kinds != BLANK) & ~design))
        if self.allowed is not None:
            if m.question.type is QuestionType.SELECT_MULTIPLE:
                bad = _bad_tokens(values, self.allowed)
            else:
                numbers = values.to_numpy(dtype="float64")
                bad = (kinds == ANSWERED) & ~np.isnan(numbers) & ~in_codes(numbers, self.allowed)
            bad = bad & ~design
            self.coding.add(chunk, bad, values=raw)
            if bad.any():
                for value, n in raw[bad].value_counts().items():
                    self.bad_values[value] = self.bad_values.get(value, 0) + int(n)
        if not m.is_text:
            self.not_number.add(chunk, chunk.not_number[m.id] & ~design, values=raw)
        if self.range_rule:
            _, false, unknown = truth(
                self.context, chunk, self.range_rule, self_id=m.id, field_name=f"range of {m.id}"
            )
            answered = (kinds == ANSWERED) & ~design
            self.range.add(
                chunk,
                false,
                denominator=answered & ~unknown,
                not_checkable=answered & unknown,
                values=raw,
                read=self.context.read_values(chunk, self.range_reads),
            )

    def end(self) -> list[CheckResult]:
        results = [self._empty()]
        if self.allowed is not None:
            results.append(self._coding())
        if self.mapped.text_stored:
            results.append(self._text_stored())
        if not self.mapped.is_text:
            results.append(self._not_number())
        if self.range_rule:
            results.append(self._range())
        return results

    @property
    def who(self) -> dict[str, Any]:
        return {"question": self.mapped.id, "variable": self.mapped.column}

    def _empty(self) -> CheckResult:
        return self.result(
            codes.COVER_EMPTY,
            "coverage",
            counted(self.tally(), self.asked - self.answered, self.asked),
            self.asked > 0 and self.answered == 0,
            {"variable": self.mapped.column, "question": self.mapped.id, "rows": self.rows},
            **self.who,
        )

    def _coding(self) -> CheckResult:
        q = self.mapped.question
        issue = codes.CODE_COUNTRY if q.type is QuestionType.COUNTRY else codes.CODE_OUT_OF_LIST
        top = sorted(self.bad_values.items(), key=lambda item: (-item[1], str(item[0])))[:5]
        result = self.result(
            issue,
            "coding",
            self.coding,
            self.coding.count > 0,
            {
                "variable": self.mapped.column,
                "question": q.id,
                "count": self.coding.count,
                "code_list": q.code_list,
                "values": ", ".join(f"{show(v)} ({n}x)" for v, n in top),
            },
            **self.who,
        )
        result.details["values"] = {show(v): n for v, n in top}
        return result

    def _text_stored(self) -> CheckResult:
        return self.result(
            codes.CODE_TEXT_STORED,
            "coding",
            self.not_number,
            True,
            {
                "variable": self.mapped.column,
                "question": self.mapped.id,
                "type": self.mapped.question.type.value,
                "count": self.not_number.count,
            },
            **self.who,
        )

    def _not_number(self) -> CheckResult:
        return self.result(
            codes.CODE_NOT_NUMBER,
            "coding",
            self.not_number,
            self.not_number.count > 0,
            {
                "variable": self.mapped.column,
                "question": self.mapped.id,
                "count": self.not_number.count,
                "values": ", ".join(str(e.get("value")) for e in self.not_number.examples[:5]),
            },
            **self.who,
        )

    def _range(self) -> CheckResult:
        result = self.result(
            codes.CODE_RANGE,
            "range",
            self.range,
            self.range.count > 0,
            {
                "variable": self.mapped.column,
                "question": self.mapped.id,
                "count": self.range.count,
                "rule": f"`{self.range_rule}`",
                "values": ", ".join(str(e.get("value")) for e in self.range.examples[:5]),
            },
            **self.who,
        )
        result.details["rule"] = self.range_rule
        explain(result, self.range, self.absent)
        return result


def _bad_tokens(values: pd.Series, allowed: np.ndarray) -> np.ndarray:
    """Rows of a select_multiple answer with a token that is not a code of the list."""
    text = values.dropna().astype(str)
    if text.empty:
        return np.zeros(len(values), dtype=bool)
    tokens = text.str.split().explode()
    numbers = pd.to_numeric(tokens, errors="coerce")
    bad_token = numbers.isna() | ~numbers.isin(allowed)
    bad_rows = bad_token.groupby(level=0).any()
    return bad_rows.reindex(values.index, fill_value=False).to_numpy(dtype=bool)
