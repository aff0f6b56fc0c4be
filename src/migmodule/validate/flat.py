"""Upper-level questions read from a lower level's file (a "flat" file): checked once per unit.

A census person file often repeats its household's answers on every person row. The household's
"rows" checks (values, universes, non-response, edits) see one row per household, the first row
of each household in file order (the unit is identified by the household level's
`id_variables`), so that counts, rates and breakdowns are per household, not per person. Whether
the other rows agree with the first is a check of its own (checks/flat.py, DATA-LEVEL-002).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from migmodule.validate.checks.base import Check, Context
from migmodule.validate.checks.partial import shared_units, units
from migmodule.validate.keys import SeenUnits
from migmodule.validate.prepare import Chunk
from migmodule.validate.report import CheckResult

__all__ = ["FlatLevel", "SeenUnits"]


class FlatLevel:
    """Feeds an upper level's checks the first row of each unit not seen in an earlier chunk."""

    def __init__(self, level: str, checks: list[Check], levels: set[str]):
        self.level = level
        self.checks = checks
        self.levels = levels  # this level and its ancestors: the columns its rules may read

    def start(self, context: Context) -> None:
        for check in self.checks:
            check.start(context)
        self.seen = SeenUnits(0)
        self.units = 0

    def chunk(self, chunk: Chunk, columns: list[str]) -> None:
        keys, _ = chunk.units.get(self.level, (None, None))
        if keys is None:  # units cannot be told apart: every row is one
            new = np.arange(len(chunk))
        else:
            first_here = np.flatnonzero(~pd.Series(keys).duplicated().to_numpy())
            run, _ = self.seen.find(keys[first_here])
            new = first_here[run < 0]
            self.seen.add(keys[new], np.zeros((len(new), 0), dtype=np.uint64))
        self.units += len(new)
        unit_chunk = chunk.take(new, columns, self.level)
        for check in self.checks:
            check.chunk(unit_chunk)

    def state(self) -> dict[str, Any]:
        """The partial result of the files fed so far (see Check.state)."""
        return {
            "seen": self.seen,
            "units": self.units,
            "checks": [check.state() for check in self.checks],
        }

    def absorb(self, state: dict[str, Any], first_row: int) -> None:
        """The next file's units and its checks' states; a unit seen in an earlier file was fed
        there (the next file was checked again from it: `carry`)."""
        self.seen = units(self.seen, state["seen"], first_row)
        self.units += state["units"]
        for check, more in zip(self.checks, state["checks"], strict=True):
            check.absorb(more, first_row)

    def carry(self, state: dict[str, Any]) -> SeenUnits | None:
        return shared_units(self.seen, state["seen"])

    def seed(self, carried: SeenUnits) -> None:
        self.seen = carried

    def end(self) -> list[tuple[Check, list[CheckResult]]]:
        return [(check, check.end()) for check in self.checks]
