"""`migmodule tabulate`: the standard migration tables from data files (issue 19).

tables.py registers the tables (universe, dimensions, source); engine.py reads the files as
validate does and computes them (`tabulate_data`); estimate.py gives design-based estimates and
small-cell flags; layout.py, xlsx.py, html.py and csv.py write the outputs (`write_tables`).
Kept light: importing the package (for its issue codes) loads neither pandas nor the readers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["tabulate_data", "write_tables"]


def __getattr__(name: str) -> Any:
    if name == "tabulate_data":
        from migmodule.tabulate.engine import tabulate_data

        return tabulate_data
    if name == "write_tables":
        from migmodule.tabulate.output import write_tables

        return write_tables
    raise AttributeError(name)
