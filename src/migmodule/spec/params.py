"""Parameter values: module defaults, overridden by a profile or the command line, checked by type."""

from __future__ import annotations

import datetime as dt
from typing import Any

from migmodule.codes import Location, MigmoduleError, define
from migmodule.countries import THIS_COUNTRY_PLACEHOLDER, lookup
from migmodule.spec.model import Module, Parameter

BAD_PARAMETER_VALUE = define(
    "PARAM-VALUE-001",
    "error",
    "Bad parameter value",
    "parameter {name} = {value!r} is not valid: {reason}.",
    "spec",
)
UNKNOWN_PARAMETER = define(
    "PARAM-NAME-001",
    "error",
    "Unknown parameter",
    "{module} has no parameter {name}. Its parameters: {known}.",
    "spec",
)


def _coerce(param: Parameter, value: Any) -> Any:
    """Return the value in its canonical type, or raise ValueError with the reason."""
    if value is None:
        return None
    if param.type == "country":
        if str(value).strip() in ("0", "000"):  # the generic "this country" placeholder
            return THIS_COUNTRY_PLACEHOLDER
        country = lookup(value)
        if country is None:
            raise ValueError(
                "not a UN M49 number or ISO 3166-1 alpha-2/alpha-3 code (e.g. 404, KE, KEN)"
            )
        return country.m49
    if param.type == "date":
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError("not a date in the form YYYY-MM-DD") from None
    if param.type == "integer":
        if isinstance(value, bool) or not str(value).lstrip("-").isdigit():
            raise ValueError("not a whole number")
        number = int(value)
        if param.minimum is not None and number < param.minimum:
            raise ValueError(f"below the minimum {param.minimum}")
        if param.maximum is not None and number > param.maximum:
            raise ValueError(f"above the maximum {param.maximum}")
        return number
    if param.type == "choice":
        if str(value) not in param.choices:
            raise ValueError(f"choose one of {', '.join(param.choices)}")
        return str(value)
    if param.type == "code_list":
        if not isinstance(value, list) or not all(
            isinstance(v, dict) and "code" in v for v in value
        ):
            raise ValueError("give a list of {code: ..., label: {en: ...}} entries")
        return value
    if isinstance(value, dict):  # a text in several languages, e.g. {en: Kenyan shillings, fr: ...}
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ValueError("give a text, or a text per language ({en: ..., fr: ...})")
        return dict(value)
    return str(value)


def resolve_parameters(module: Module, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """All parameter values for a module: defaults, then overrides. Raises on unknown or bad values."""
    overrides = overrides or {}
    for name in overrides:
        if name not in module.parameter_by_id:
            raise MigmoduleError.of(
                UNKNOWN_PARAMETER,
                Location(module=module.ref),
                module=module.ref,
                name=name,
                known=", ".join(module.parameter_by_id) or "none",
            )
    values: dict[str, Any] = {}
    for param in module.parameters:
        raw = overrides.get(param.id, param.default)
        try:
            values[param.id] = _coerce(param, raw)
        except ValueError as exc:
            raise MigmoduleError.of(
                BAD_PARAMETER_VALUE,
                Location(module=module.ref),
                name=param.id,
                value=raw,
                reason=exc,
            ) from None
    if "COUNTRY" in values and values["COUNTRY"] is None:
        values["COUNTRY"] = THIS_COUNTRY_PLACEHOLDER
    return values


def unset_profile_parameters(module: Module, overrides: dict[str, Any] | None) -> list[str]:
    """Parameters a profile should set (required_in_profile) but that are left at their placeholder."""
    overrides = overrides or {}
    return [p.id for p in module.parameters if p.required_in_profile and p.id not in overrides]
