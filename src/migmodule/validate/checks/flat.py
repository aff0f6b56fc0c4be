"""Answers of an upper level read from a flat file, compared across the rows of each unit.

A census person file often repeats its household's answers on every person row. Every row of a
household is compared with the household's first row (in file order, the unit identified by the
household level's `id_variables`): a household whose rows disagree is a DATA-LEVEL-002 finding.

Streaming and chunk-safe: a household may span chunks (or be scattered through an unsorted
file). What is kept between chunks is, per unit seen so far, the 64-bit hash of its identifiers
and one 64-bit fingerprint per question of its first row, in sorted runs merged as they grow
(lookups are binary searches). No row is kept.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from migmodule.codes import Finding
from migmodule.spec.text import render
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Context, Target, singular
from migmodule.validate.checks.partial import shared_units, tallies, units
from migmodule.validate.keys import SPENT, SeenUnits
from migmodule.validate.prepare import Chunk, MappedQuestion
from migmodule.validate.report import CheckResult, Tally, result_from_tally

# A fingerprint is the value's float64 bits (numbers, after recodes and special codes) or a hash
# of its text. Missing values get a NaN bit pattern per kind (a number's bits are never NaN), and
# SPENT marks a unit already counted as inconsistent for that question (counted once).
_MISSING = np.uint64(0x7FF8_0000_0000_1000)
DESIGN = np.uint64(0x7FF8_0000_0000_2000)  # blank by national design: agrees with any answer


def fingerprints(chunk: Chunk, questions: list[MappedQuestion]) -> np.ndarray:
    """One uint64 per row and question: equal answers give equal fingerprints."""
    out = np.empty((len(chunk), len(questions)), dtype=np.uint64)
    for j, mapped in enumerate(questions):
        kinds = chunk.kinds[mapped.id].astype(np.uint64)
        values = chunk.values[mapped.id]
        if mapped.is_text:
            missing = values.isna().to_numpy()
            text = values.astype(object).where(~missing, "").to_numpy(dtype=object)
            column = pd.util.hash_array(text.astype(str))
        else:
            numbers = values.to_numpy(dtype="float64", na_value=np.nan) + 0.0  # -0.0 is 0.0
            column = numbers.view(np.uint64).copy()
            missing = np.isnan(numbers)
            not_number = chunk.not_number[mapped.id]
            if not_number.any():  # text in a numeric question: compare the text itself
                raw = chunk.raw[mapped.id].astype(str).to_numpy(dtype=object)
                column[not_number] = pd.util.hash_array(raw[not_number])
                missing &= ~not_number
        column[missing] = _MISSING + kinds[missing]
        column[chunk.blank_by_design(mapped.id)] = DESIGN
        out[:, j] = column
    return out


class LevelConsistencyCheck(Check):
    """One upper level's questions in a flat file: do the rows of each unit agree?"""

    name = "levels"
    issues = (codes.LEVEL_INCONSISTENT,)
    scope = "file"
    # a unit whose rows are in two files is compared across them: the later file is checked
    # again from the units it shares with the earlier ones (carry, seed)
    partial = {"tallies": tallies, "seen": units}

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        if not target.flat or not target.questions:
            return []
        return [cls(target.level, target.questions, target.plan.flat_ids[target.level])]

    def __init__(self, level: str, questions: list[MappedQuestion], id_variables: list[str]):
        self.level = level
        self.questions = questions
        self.id_variables = id_variables  # file spellings; empty when the file lacks one

    def start(self, context: Context) -> None:
        super().start(context)
        self.seen = SeenUnits(len(self.questions))
        self.tallies = [Tally(context.max_examples) for _ in self.questions]

    def carry(self, state: dict) -> SeenUnits | None:
        return shared_units(self.seen, state["seen"])

    def seed(self, carried: SeenUnits) -> None:
        self.seen = carried

    def chunk(self, chunk: Chunk) -> None:
        keys, _ = chunk.units.get(self.level, (None, None))
        if keys is None:  # units cannot be told apart: nothing to compare
            return
        first_here = np.flatnonzero(~pd.Series(keys).duplicated().to_numpy())
        run, _ = self.seen.find(keys[first_here])
        new = first_here[run < 0]
        rows = fingerprints(chunk, self.questions)
        self.seen.add(keys[new], rows[new])
        self._compare(chunk, keys, new, rows)

    def _compare(self, chunk: Chunk, keys: np.ndarray, new: np.ndarray, rows: np.ndarray) -> None:
        """Each row's parent answers against its unit's first row; a unit counts once per question."""
        run, position = self.seen.find(keys)
        first = self.seen.values(run, position)
        is_new = np.zeros(len(chunk), dtype=bool)
        is_new[new] = True
        plain = dataclasses.replace(chunk, weight=None, group=None)  # counted per unit, unweighted
        for j, mapped in enumerate(self.questions):
            mine, theirs = rows[:, j], first[:, j]
            differs = np.flatnonzero(
                (mine != theirs) & (theirs != SPENT) & (mine != DESIGN) & (theirs != DESIGN)
            )
            failed = np.zeros(len(chunk), dtype=bool)
            if len(differs):
                differs = differs[~pd.Series(keys[differs]).duplicated().to_numpy()]
                failed[differs] = True
                self.seen.spend(run[differs], position[differs], j)
            self.tallies[j].add(plain, failed, denominator=is_new, values=chunk.raw[mapped.id])

    def end(self) -> list[CheckResult]:
        return [self._consistency(j, mapped) for j, mapped in enumerate(self.questions)]

    def _consistency(self, j: int, mapped: MappedQuestion) -> CheckResult:
        context = self.context
        tally = self.tallies[j]
        level = context.module.level_by_id[self.level]
        who = {"question": mapped.id, "variable": mapped.column}
        if not self.id_variables:
            result = CheckResult(codes.LEVEL_INCONSISTENT.code, "levels", level=self.level, **who)
            result.details["skipped"] = (
                f"the file lacks the {self.level} identifiers "
                f"({', '.join(level.id_variables)}): every row was taken as one {self.level}"
            )
            return result
        noun = render(level.noun, context.module, context.params, context.language) or level.id
        examples = ", ".join(str(e.get("id", f"row {e['row']}")) for e in tally.examples[:3])
        result = result_from_tally(
            codes.LEVEL_INCONSISTENT.code, "levels", tally, level=self.level, **who
        )
        result.details["rule"] = "the first row of each unit is checked; the others are compared"
        if tally.count:
            result.finding = Finding.make(
                codes.LEVEL_INCONSISTENT,
                context.location(mapped.id, mapped.column),
                variable=mapped.column,
                question=mapped.id,
                level=self.level,
                count=tally.count,
                noun=noun,
                noun_one=singular(noun, context.language),
                id_variables=", ".join(self.id_variables),
                examples=examples,
            )
        return result
