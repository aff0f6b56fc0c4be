"""Identifiers: missing identifier variables, duplicate identifiers, and links to the parent level
(orphans, and parents without any child)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from migmodule.codes import Finding
from migmodule.microdata.source import DataSource
from migmodule.spec.text import render
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Context, Target, singular
from migmodule.validate.checks.partial import either, tally
from migmodule.validate.keys import describe_ids
from migmodule.validate.prepare import Chunk
from migmodule.validate.report import CheckResult, Tally, result_from_tally

READ_BACK_ROWS = 100_000  # rows read at a time when example identifiers are read back


class MissingIdCheck(Check):
    """An identifier variable of the level that the file lacks."""

    name = "id-variables"
    issues = (codes.ID_MISSING,)
    scope = "file"
    partial = {}  # reads no rows

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


@dataclass
class Repeats:
    """The duplicate check's partial result: rows repeating an earlier key, rows with keys, the
    first repeats' rows (0-based, at most max_examples), and the distinct keys (sorted) with
    their first rows (None once merged: only the next file's are looked at)."""

    count: int
    total: int
    shown: np.ndarray
    keys: np.ndarray
    first_rows: np.ndarray | None


class DuplicateIdCheck(Check):
    """Rows that repeat the identifiers of an earlier row. Keeps one 64-bit hash per row; the
    identifier values of the example rows are read back from the file at the end."""

    name = "duplicates"
    issues = (codes.ID_DUPLICATE,)
    scope = "file"
    partial = {}  # state() and absorb() of its own: a key may repeat one of an earlier file

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
        self.merged: Repeats | None = None  # files checked elsewhere and merged (absorb)

    def chunk(self, chunk: Chunk) -> None:
        if chunk.keys is not None:
            self.keys.append(chunk.keys)
            rows = chunk.rows if chunk.rows is not None else chunk.offset
            self.file_rows.append(int(rows) if np.ndim(rows) == 0 else np.asarray(rows, np.int64))

    def state(self) -> Repeats:
        """The file's repeats, and each of its distinct keys with its first row (a key seen in an
        earlier file makes that row a repeat too: found when the states are merged)."""
        keys = np.concatenate(self.keys or [np.zeros(0, np.uint64)])
        # Rows that follow on from the first chunk's (no rows filtered out): a key's row is its
        # position, and no array of rows is made (two 8-byte arrays less at the peak).
        base = self.file_rows[0] if self.file_rows else 0
        starts = np.cumsum([0] + [len(k) for k in self.keys])[:-1]
        follow = all(
            isinstance(r, int) and r == base + at
            for r, at in zip(self.file_rows, starts, strict=True)
        )
        rows = None
        if not follow:
            rows = np.concatenate(
                [
                    np.arange(r, r + len(k), dtype=np.int64) if isinstance(r, int) else r
                    for k, r in zip(self.keys, self.file_rows, strict=True)
                ]
            )
        self.keys, self.file_rows = [], []
        # np.unique hashes, a stable argsort takes twice as long as this one (--jobs: 0.6 s of a
        # 5M-row range): a key's first row is the least of its rows, the others repeat it.
        order = np.argsort(keys)
        ordered = keys[order]
        del keys
        if rows is None:
            ordered_rows = order
            ordered_rows += base
        else:
            ordered_rows = rows[order]
            del order
        first = np.ones(len(ordered), dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        repeat_rows = ordered_rows[:0]
        if first.all():  # no key repeats (the usual case): nothing more to sort out
            return Repeats(0, len(ordered), repeat_rows, ordered, ordered_rows)
        starts = np.flatnonzero(first)
        first_rows = np.minimum.reduceat(ordered_rows, starts)
        sizes = np.diff(np.append(starts, len(ordered)))
        repeat_rows = ordered_rows[ordered_rows != np.repeat(first_rows, sizes)]
        return Repeats(
            len(repeat_rows),
            len(ordered),
            np.sort(repeat_rows)[: self.context.max_examples],
            ordered[first],
            first_rows,
        )

    def absorb(self, state: Repeats, first_row: int) -> None:
        """Repeats add up; a key of an earlier file makes its first row here a repeat too."""
        merged = self.merged or Repeats(0, 0, np.zeros(0, np.int64), np.zeros(0, np.uint64), None)
        at = np.minimum(np.searchsorted(merged.keys, state.keys), max(len(merged.keys) - 1, 0))
        seen = merged.keys[at] == state.keys if len(merged.keys) else np.zeros(len(at), bool)
        also = state.first_rows[seen] + first_row
        shown = np.concatenate([merged.shown, state.shown + first_row, also])
        keys = np.concatenate([merged.keys, state.keys[~seen]])
        keys.sort()
        self.merged = Repeats(
            merged.count + state.count + int(np.count_nonzero(seen)),
            merged.total + state.total,
            np.sort(shown)[: self.context.max_examples],
            keys,
            None,
        )

    def end(self) -> list[CheckResult]:
        if self.merged is not None:
            count, total, shown = self.merged.count, self.merged.total, self.merged.shown
        else:
            count, total, shown = self._repeats()
        tally = self.tally()
        tally.total.count, tally.total.denominator = count, total
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

    def _repeats(self) -> tuple[int, int, np.ndarray]:
        """(rows repeating an earlier row's key, rows with keys, the first repeats' rows)."""
        # Find the repeated key values with one sorted copy, then locate their rows chunk by chunk,
        # so that memory stays at about two 8-byte arrays of the row count.
        total = sum(len(k) for k in self.keys)
        # In eight slices of the hash range, so that the sorted copy is an eighth of the keys.
        found_values = []
        # each key's slice, once per chunk (a byte per row), not a shift of every key per slice
        parts = [(k >> np.uint64(61)).astype(np.uint8) for k in self.keys]
        for part in range(_PARTS):
            ordered = np.concatenate(
                [k[p == part] for k, p in zip(self.keys, parts, strict=True)]
                or [np.zeros(0, np.uint64)]
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
        return len(repeat_rows), total, np.sort(repeat_rows)[: self.context.max_examples]

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
    partial = {"orphans": tally, "has_child": either}  # a parent with a child in any file

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
