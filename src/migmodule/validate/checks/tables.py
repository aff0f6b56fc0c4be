"""Table look-ups: keys the data look for in a table parameter (an exchange-rate table) that the
table lacks, said once per table with each key and its rows.

A missing month must not silently blank the indicator: rows where a derived variable reading
`rate()` stays unknown are looked up again, and the keys not found are counted. A key that is
missing but not needed (an office item filled instead, or a cost needing no conversion) leaves
the derived variable known and is not reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from migmodule.expr.ast import Call, to_source
from migmodule.expr.evaluate import _ModuleEvaluator
from migmodule.expr.parser import parse
from migmodule.expr.semantics import expand
from migmodule.spec.model import Derived
from migmodule.validate import codes
from migmodule.validate.checks.base import Check, Target, truth
from migmodule.validate.checks.partial import add, counts, first_seen
from migmodule.validate.prepare import Chunk
from migmodule.validate.report import CheckResult, Tally

SHOWN_KEYS = 10  # keys listed in the message; the details hold all of them


def rate_calls(module, derived: Derived) -> list[tuple[str, str]]:
    """(table parameter, call text) of each rate() a derived variable's expression reads."""
    if not derived.expression:
        return []
    calls = []
    for node in expand(module, parse(derived.expression)).walk():
        if isinstance(node, Call) and node.func == "rate" and node.args:
            table = getattr(node.args[0], "id", None)
            if table in module.parameter_by_id:
                calls.append((table, to_source(node)))
    return list(dict.fromkeys(calls))


class TableKeyCheck(Check):
    name = "tables"
    issues = (codes.TABLE_KEYS_MISSING,)
    partial = {"missing": counts, "rows": add, "looked_up": add, "derived": first_seen}

    @classmethod
    def build(cls, target: Target) -> list[Check]:
        module = target.adapted.module
        by_table: dict[str, list[tuple[Derived, str]]] = {}
        for derived in module.derived:
            if derived.level != target.level:
                continue
            for table, call in rate_calls(module, derived):
                by_table.setdefault(table, []).append((derived, call))
        return [cls(table, uses) for table, uses in by_table.items()]

    def __init__(self, table: str, uses: list[tuple[Derived, str]]):
        self.table = table
        self.uses = uses
        self.missing: dict[tuple[int, ...], int] = {}  # key -> rows that looked for it
        self.rows = 0  # rows with at least one missing key
        self.looked_up = 0  # rows whose derived variable was unknown and looked up again
        self.derived: list[str] = []

    def expressions(self) -> list[str]:
        """The derived variables it looks at (so that they are computed), their `when` and the
        rate() calls it looks up again."""
        texts = []
        for derived, call in self.uses:
            texts += [derived.id, call] + ([derived.when] if derived.when else [])
        return list(dict.fromkeys(texts))

    def chunk(self, chunk: Chunk) -> None:
        context, values = self.context, chunk.values
        found: list[pd.DataFrame] = []
        looked = np.zeros(len(values), dtype=bool)
        for derived, call in self.uses:
            if derived.id not in values.columns:
                continue
            open_rows = values[derived.id].isna().to_numpy().copy()
            if derived.when:
                open_rows &= truth(context, chunk, derived.when)[0]
            if not open_rows.any():
                continue
            looked |= open_rows
            undetermined = {k: v[open_rows] for k, v in chunk.undetermined.items()}
            evaluator = _ModuleEvaluator(
                context.module, values[open_rows], None, "tables", call, undetermined
            )
            evaluator.value(context.expressions.tree(call))  # compiled once per file
            positions = np.flatnonzero(open_rows)
            for table, rows, keys in evaluator.missing_rows:
                if table != self.table:
                    continue
                frame = pd.DataFrame(keys)
                frame.insert(0, "row", positions[rows])
                found.append(frame)
                if derived.id not in self.derived:
                    self.derived.append(derived.id)
        self.looked_up += int(looked.sum())
        if not found:
            return
        # a row looking for one key through several derived variables counts once for it
        pairs = pd.concat(found, ignore_index=True).drop_duplicates()
        self.rows += int(pairs["row"].nunique())
        counts = pairs.drop(columns="row").value_counts()
        for key, count in counts.items():
            key = tuple(int(k) for k in (key if isinstance(key, tuple) else (key,)))
            self.missing[key] = self.missing.get(key, 0) + int(count)

    def end(self) -> list[CheckResult]:
        table = self.context.params.get(self.table)
        columns = list(getattr(table, "keys", ())) or ["key"]
        keys = sorted(self.missing.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = "; ".join(
            ", ".join(f"{c} {k}" for c, k in zip(columns, key, strict=False)) + f" ({count} rows)"
            for key, count in keys[:SHOWN_KEYS]
        ) + ("; …" if len(keys) > SHOWN_KEYS else "")
        tally = Tally(self.context.max_examples)
        tally.total.count = self.rows
        tally.total.denominator = self.looked_up
        result = self.result(
            codes.TABLE_KEYS_MISSING,
            "tables",
            tally,
            bool(keys),
            {
                "table": self.table,
                "count": len(keys),
                "rows": self.rows,
                "derived": ", ".join(self.derived),
                "keys": shown,
            },
            variable=self.table,
        )
        result.details["missing_keys"] = [
            {**dict(zip(columns, key, strict=False)), "rows": count} for key, count in keys
        ]
        return [result]
