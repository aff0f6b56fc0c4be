"""Partial results: a check's state after the chunks of some files, merged with the next file's.

`--engine dask` checks each file of a level on a worker and merges the states on the client, in
file order, before `end()`: the report is the one a single pass over the files gives. A check
says how each field of its state merges (`Check.partial`, field name -> rule); a rule takes the
state so far, the next file's (its rows numbered from 0) and the number of rows before that file,
and returns the merged state. A check whose state is not a plain sum writes its own `state()`
and `absorb()` next to its `chunk()` (duplicate identifiers, flat-file units).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from migmodule.validate.keys import SeenUnits
from migmodule.validate.report import Tally

# (state so far, the next file's state, rows before the next file) -> the merged state
Rule = Callable[[Any, Any, int], Any]


def add(so_far: Any, more: Any, first_row: int) -> Any:
    """Counts add up."""
    return so_far + more


def either(so_far: np.ndarray, more: np.ndarray, first_row: int) -> np.ndarray:
    """Boolean masks of the same shape (a parent with a child): true in either file."""
    return so_far | more


def tally(so_far: Tally, more: Tally, first_row: int) -> Tally:
    """Counts add; examples are the first N in file order (the next file's rows shifted)."""
    so_far.absorb(more, first_row)
    return so_far


def tallies(so_far: list[Tally], more: list[Tally], first_row: int) -> list[Tally]:
    """One tally per question, merged pairwise."""
    if len(so_far) != len(more):
        raise ValueError("the states of one check have as many tallies in every file")
    return [tally(a, b, first_row) for a, b in zip(so_far, more, strict=True)]


def counts(so_far: dict, more: dict, first_row: int) -> dict:
    """Counts by value (codes outside the list, kinds of missing, missing table keys): added per
    key, keys kept in the order they were first seen."""
    for key, count in more.items():
        so_far[key] = so_far.get(key, 0) + count
    return so_far


def first_seen(so_far: list, more: list, first_row: int) -> list:
    """Names in the order they were first seen, each once."""
    return so_far + [item for item in more if item not in so_far]


def first_and_count(so_far: dict, more: dict, first_row: int) -> dict:
    """Per key, (the first file's item, count): the item of the earliest file, counts added."""
    for key, (item, count) in more.items():
        first, before = so_far.get(key, (item, 0))
        so_far[key] = (first, before + count)
    return so_far


def units(so_far: SeenUnits, more: SeenUnits, first_row: int) -> SeenUnits:
    """Units of a flat file's upper level: the next file's new units are added, and a unit the
    states share takes the next file's values (it was checked there from the earlier ones, as
    `shared_units` carried them, and may now be marked as counted)."""
    for keys, values in more.runs:
        run, position = so_far.find(keys)
        for index, (_, stored) in enumerate(so_far.runs):
            here = run == index
            stored[position[here]] = values[here]
        so_far.add(keys[run < 0], values[run < 0])
    return so_far


def shared_units(so_far: SeenUnits, more: SeenUnits) -> SeenUnits | None:
    """The units of the state so far that the next file has too (with what is kept of each), or
    None when it has none: then its state merges as it is; else the file is checked again from
    these units, as a single pass would have met them."""
    keys = np.concatenate([k for k, _ in more.runs] or [np.zeros(0, np.uint64)])
    run, position = so_far.find(keys)
    if not (run >= 0).any():
        return None
    carried = SeenUnits(so_far.width)
    carried.add(keys[run >= 0], so_far.values(run[run >= 0], position[run >= 0]))
    return carried
