"""migmodule: versioned migration question modules, their exports, and validation of microdata.

The Python API mirrors the command line: `load_module`, `lint_module`, `diff_modules`, and the
export, validation and handout functions of their packages.
"""

__version__ = "0.1.0"

from migmodule.spec.registry import list_modules, load_module  # noqa: E402

__all__ = ["__version__", "list_modules", "load_module"]
