"""The national layer of a profile: recodes, splits, derived questions, level filters and national
universes, compiled for the engines.

`migmodule.national.recode` is pure Python (profiles and exports use it);
`migmodule.national.layer` holds `NationalLayer`, the pandas side used by validation.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NationalColumn", "NationalFrame", "NationalLayer"]


def __getattr__(name: str) -> Any:  # pandas is imported only when the layer is used
    if name in __all__:
        from migmodule.national import layer

        return getattr(layer, name)
    raise AttributeError(name)
