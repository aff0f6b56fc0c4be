"""The heavy imports of a command that reads data (pandas, numpy, pyarrow, pydantic), made without
Python's cyclic garbage collector walking them again and again.

Those imports make some 140,000 objects that live as long as the process. The collector walks
them in every full collection, during the imports and after them, while the command runs: 0.1 s
of a 20,000-row validation (issue 16). `heavy_imports()` pauses the collector while the
imports run, then freezes what exists (`gc.freeze`: moved out of the collector's sight for good)
and lets it run again for the objects the command itself makes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def heavy_imports() -> Iterator[None]:
    """`with heavy_imports(): from migmodule.validate import ...`

    Once per process: later uses (a test session running many commands) neither pause nor freeze
    again, so garbage a long session made is not frozen with them.
    """
    if _done:
        yield
        return
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _done.append(True)
        gc.freeze()
        if collecting:
            gc.enable()


_done: list[bool] = []  # not empty once the imports were frozen in this process
