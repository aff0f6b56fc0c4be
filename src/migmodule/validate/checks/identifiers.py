"""Identifiers: missing identifier variables, duplicate identifiers, and links to the parent level
(orphans, and parents without any child)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from migmodule.codes import Finding
from migmodule.microdata.source import DataSource
from migmodule.spec.text import render
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Context, Target, singular
from migmodule.validate.keys import describe_ids
from migmodule.validate.prepare import Chunk
from migmodule.validate.report import CheckResult, Tally, result_from_tally

READ_BACK_ROWS = 100_000  # rows read at a time when example identifiers are read back


class MissingIdCheck(Check):
    """An identifier variable of the level that the file lacks."""

    name = "id-variables"
    issues = (codes.ID_MISSING,)
    scope = "file"

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        if target.plan is None or target.flat:
            return []
        return [cls(name) for name in target.plan.id_missing]

    def __init__(self, variable: str):
        self.variable = variable

    def end(self) -> list[CheckResult]:
        tally = Tally(0)
        tally.total.count = 1
        level = self.context.level
        result = result_from_tally(
            codes.ID_MISSING.code, "identifiers", tally, level=level, variable=self.variable
        )
        result.finding = Finding.make(
            codes.ID_MISSING,
            self.context.location(variable=self.variable),
            level=level,
            variable=self.variable,
        )
        return [result]


_PARTS = 8  # slices of the 64-bit key range, by its top 3 bits


class DuplicateIdCheck(Check):
    """Rows that repeat the identifiers of an earlier row. Keeps one 64-bit hash per row; the
    identifier values of the example rows are read back from the file at the end."""

    name = "duplicates"
    issues = (codes.ID_DUPLICATE,)
    scope = "file"

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        plan = target.plan
        if plan is None or target.flat or not plan.id_columns or plan.id_missing:
            return []
        return [cls(plan.id_columns, plan.source)]

    def __init__(self, id_variables: list[str], source: DataSource | None = None):
        self.id_variables = id_variables
        self.source = source

    def start(self, context: Context) -> None:
        super().start(context)
        self.keys: list[np.ndarray] = []
        # 0-based file rows (a level may filter rows), or the chunk's offset when its rows follow
        # on from there: no 8 bytes a row kept for what an offset says.
        self.file_rows: list[np.ndarray | int] = []

    def chunk(self, chunk: Chunk) -> None:
        if chunk.keys is not None:
            self.keys.append(chunk.keys)
            rows = chunk.rows if chunk.rows is not None else chunk.offset
            self.file_rows.append(int(rows) if np.ndim(rows) == 0 else np.asarray(rows, np.int64))

    def end(self) -> list[CheckResult]:
        # Find the repeated key values with one sorted copy, then locate their rows chunk by chunk,
        # so that memory stays at about two 8-byte arrays of the row count.
        total = sum(len(k) for k in self.keys)
        # In eight slices of the hash range, so that the sorted copy is an eighth of the keys.
        found_values = []
        for part in range(_PARTS):
            ordered = np.concatenate(
                [k[(k >> np.uint64(61)) == part] for k in self.keys] or [np.zeros(0, np.uint64)]
            )
            ordered.sort()
            found_values.append(ordered[1:][ordered[1:] == ordered[:-1]])
        repeated_values = np.unique(np.concatenate(found_values))
        hits = []
        for keys, rows in zip(self.keys, self.file_rows, strict=True):
            positions = np.flatnonzero(np.isin(keys, repeated_values))
            at = rows + positions if isinstance(rows, int) else rows[positions]
            hits.append(pd.DataFrame({"key": keys[positions], "row": at}))
        self.keys, self.file_rows = [], []
        found = pd.concat(hits, ignore_index=True) if hits else pd.DataFrame({"key": [], "row": []})
        repeat_rows = found.loc[found["key"].duplicated(), "row"].to_numpy(dtype=np.int64)
        tally = self.tally()
        tally.total.count, tally.total.denominator = len(repeat_rows), total
        shown = np.sort(repeat_rows)[: self.context.max_examples]
        ids = self._ids(shown)
        tally.examples = [
            {"row": int(pos) + 1, **({"id": ids[int(pos)]} if int(pos) in ids else {})}
            for pos in shown
        ]
        context = self.context
        level = context.module.level_by_id[context.level]
        noun = render(level.noun, context.module, context.params, context.language) or level.id
        result = self.result(
            codes.ID_DUPLICATE,
            "identifiers",
            tally,
            tally.count > 0,
            {
                "level": level.id,
                "count": tally.count,
                "id_variables": ", ".join(self.id_variables),
                "noun_one": singular(noun, context.language),
            },
        )
        return [result]

    def _ids(self, positions: np.ndarray) -> dict[int, str]:
        """The identifier values of a few rows (0-based file positions), read back from the file."""
        if self.source is None or not len(positions):
            return {}
        wanted, out, offset = set(positions.tolist()), {}, 0
        for raw in self.source.chunks(self.id_variables, READ_BACK_ROWS):
            frame = raw.frame[self.id_variables]
            for pos in wanted & set(range(offset, offset + len(frame))):
                out[pos] = describe_ids(frame, pos - offset)
            offset += len(frame)
            if len(out) == len(wanted):
                break
        return out


class LinkCheck(Check):
    """Child rows whose parent is not in the parent file, and parent rows with no child."""

    name = "links"
    issues = (codes.ID_ORPHAN, codes.ID_CHILDLESS)
    scope = "file"

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        plan = target.plan
        if plan is None or target.flat or target.parent_keys is None:
            return []
        if not plan.parent_id_columns:
            return []
        parent = target.adapted.module.level_by_id[plan.level].parent
        return [cls(parent, target.parent_keys, plan.parent_id_columns, target.parent_ids)]

    def __init__(
        self,
        parent: str,
        parent_keys: np.ndarray,
        parent_id_variables: list[str],
        parent_ids: pd.DataFrame | None = None,
    ):
        self.parent = parent
        self.parent_keys = parent_keys  # one per parent row, in file order
        self.parent_id_variables = parent_id_variables
        self.parent_ids = parent_ids  # the parent file's identifier values, one row per row

    def start(self, context: Context) -> None:
        super().start(context)
        self.unique = np.unique(self.parent_keys)
        self.has_child = np.zeros(len(self.unique), dtype=bool)
        self.orphans = self.tally()

    def chunk(self, chunk: Chunk) -> None:
        if chunk.parent_keys is None:
            return
        position = np.searchsorted(self.unique, chunk.parent_keys)
        position = np.minimum(position, max(len(self.unique) - 1, 0))
        found = (
            (self.unique[position] == chunk.parent_keys)
            if len(self.unique)
            else np.zeros(len(chunk), bool)
        )
        self.has_child[position[found]] = True
        self.orphans.add(chunk, ~found)

    def end(self) -> list[CheckResult]:
        level = self.context.level
        orphans = self.result(
            codes.ID_ORPHAN,
            "identifiers",
            self.orphans,
            self.orphans.count > 0,
            {
                "count": self.orphans.count,
                "level": level,
                "parent": self.parent,
                "id_variables": ", ".join(self.parent_id_variables),
            },
        )
        childless_rows = ~np.isin(self.parent_keys, self.unique[self.has_child])
        tally = self.tally()
        tally.total.count = int(childless_rows.sum())
        tally.total.denominator = len(self.parent_keys)
        tally.examples = []
        for pos in np.flatnonzero(childless_rows)[: self.context.max_examples]:
            example: dict[str, object] = {"row": int(pos) + 1, "file": "parent"}
            if self.parent_ids is not None:
                example["id"] = describe_ids(self.parent_ids, int(pos))
            tally.examples.append(example)
        childless = self.result(
            codes.ID_CHILDLESS,
            "identifiers",
            tally,
            tally.count > 0,
            {"count": tally.count, "level": level, "parent": self.parent},
        )
        return [orphans, childless]
