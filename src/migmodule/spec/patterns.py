"""The spec format's identifier patterns and languages, without the models.

Kept apart from `spec/model.py` (which imports pydantic) so that the module bank and the quick
commands (`migmodule --version`, `list`) can use them without building the models.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr", "es")
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
PARAM_PATTERN = r"^[A-Z][A-Z0-9_]*$"
MODULE_ID_PATTERN = r"^[a-z][a-z0-9-]*[a-z0-9]$"
SEMVER_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$"
