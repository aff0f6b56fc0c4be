"""migmodule: versioned migration question modules, their exports, and validation of microdata.

The Python API mirrors the command line: `load_module`, `lint_module`, `diff_modules`, and the
export, validation and handout functions of their packages.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "list_modules", "load_module"]


def __getattr__(name: str):  # the bank is imported on first use: `--version` needs none of it
    if name in ("list_modules", "load_module"):
        from migmodule.spec import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'migmodule' has no attribute {name!r}")
