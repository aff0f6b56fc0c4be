"""`migmodule profile init`: write a commented starting profile for one or more modules.

The YAML is written as text, not dumped, so that every key carries a comment saying what it is
for and which values it takes. The result loads with `load_profile` and passes `check_profile`
once the national values are filled in; docs/profiles.md describes the format.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from migmodule.codes import Location, MigmoduleError, define
from migmodule.countries import lookup
from migmodule.i18n import word
from migmodule.io import write_text
from migmodule.profile import PROFILE_COUNTRY
from migmodule.spec.model import Module, Parameter, QuestionStatus
from migmodule.spec.registry import load_module
from migmodule.spec.text import text_in

PROFILE_EXISTS = define(
    "PROFILE-INIT-001",
    "error",
    "Profile file already exists",
    "{path} already exists; choose another name or pass --force to overwrite it.",
    "profile",
)


def _scalar(value: Any) -> str:
    """A YAML scalar; JSON strings are valid YAML and quote whatever needs quoting."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _say(lang: str, key: str, **values: Any) -> str:
    return word(lang, f"map.init.{key}", **values)


def _parameter_lines(module: Module, param: Parameter, lang: str = "en") -> list[str]:
    """Comment lines saying what a parameter is, then its entry in the `parameters` flow
    mapping. A parameter whose generic value only stands in for the national one
    (`required_in_profile`) is written commented out, so that `profile check` and every export
    report it until it is set; uncommenting the line keeps the file valid. Comments in `lang`."""
    label = text_in(param.label, lang)
    if param.id in ("COUNTRY", "REF_DATE"):
        source = "country" if param.id == "COUNTRY" else "reference_date"
        return ["      # " + _say(lang, "from_above", id=param.id, label=label, source=source)]
    lines = [
        f"      # {label}" + (f". {text_in(param.description, lang)}" if param.description else "")
    ]
    if param.type == "choice":
        lines.append("      # " + _say(lang, "one_of", choices=", ".join(param.choices or [])))
    elif param.type == "integer" and (param.minimum is not None or param.maximum is not None):
        bounds = {"minimum": str(param.minimum), "maximum": str(param.maximum)}
        lines.append("      # " + _say(lang, "whole_number", **bounds))
    elif param.type == "date":
        lines.append("      # " + _say(lang, "a_date"))
    if param.type == "table":  # a CSV file beside the profile (spec/tables.py)
        columns = ", ".join([*(param.keys or []), param.value or ""])
        lines.append("      # " + _say(lang, "table", columns=columns))
        lines.append(f"      # {param.id}: {{file: {param.id.lower()}.csv}},")
        return lines
    if param.type == "code_list":
        example = (
            f"{param.id}: [{{code: 1, label: {{en: Region one, fr: Région un, es: Región uno}}}}, "
            "{code: 2, label: {en: Region two, fr: Région deux, es: Región dos}}],"
        )
        lines.append("      # " + _say(lang, "code_list"))
        if param.required_in_profile or not param.default:
            if param.required_in_profile:
                lines.append("      # " + _say(lang, "set_list"))
            lines.append(f"      # {example}")
        else:
            lines.append(f"      {param.id}: {json.dumps(param.default, ensure_ascii=False)},")
    elif param.required_in_profile:
        lines.append("      # " + _say(lang, "set_value"))
        lines.append(f"      # {param.id}: {_scalar(param.default)},")
    else:
        lines.append(f"      {param.id}: {_scalar(param.default)},")
    return lines


def _flow(key: str, comments: list[str], entries: list[str]) -> list[str]:
    """`key: { ... }` over several lines: commented examples and real entries each end in a
    comma, so uncommenting any of them keeps the YAML valid."""
    return [f"    {key}: {{", *comments, *(f"      {entry}," for entry in entries), "    }"]


def _module_lines(ref: str, module: Module, folder: Path | None, lang: str = "en") -> list[str]:
    # A spec file outside the bank is named by its path relative to the profile's folder, a bank
    # module by id@version.
    where = module.ref
    if ref.endswith((".yaml", ".yml")):
        where = os.path.relpath(Path(ref).resolve(), (folder or Path.cwd()).resolve())
        where = Path(where).as_posix()
    lines = [
        f"  - module: {_scalar(where)}   # {text_in(module.title, lang)} {module.ref} ({module.status.value})"
    ]
    parameter_lines = [
        line for param in module.parameters for line in _parameter_lines(module, param, lang)
    ]
    lines += ["    parameters: {", *parameter_lines, "    }"]
    optional = [q for q in module.questions if q.status is QuestionStatus.OPTIONAL]
    lines.append("    # " + _say(lang, "include"))
    lines.append("    # " + _say(lang, "include_more"))
    lines.append("    include: [" + ", ".join(q.id for q in optional) + "]")
    lines.append("    # " + _say(lang, "exclude"))
    lines.append("    exclude: []")
    items = [(q.id, q.variable_name) for q in module.questions] + [
        (d.id, d.variable_name) for d in module.derived
    ]
    lines += _flow(
        "variables",
        [
            "      # " + _say(lang, "variables"),
            "      # " + _say(lang, "variables_listed"),
            "      # " + _say(lang, "variables_more"),
            *(f"      # {item}: {name}," for item, name in items),
        ],
        [],
    )
    lines += _flow(
        "recodes",
        [
            "      # " + _say(lang, "recodes"),
            "      # country_of_birth: {'1001': 404},",
        ],
        [],
    )
    lines += _flow(
        "files",
        [
            "      # " + _say(lang, "files"),
            *(f"      # {lv.id}: data/{lv.id}.csv," for lv in module.levels),
        ],
        [],
    )
    return lines


def profile_text(
    module_refs: list[str],
    country: str | None = None,
    reference_date: str | None = None,
    languages: list[str] | None = None,
    name: str | None = None,
    folder: Path | None = None,
    lang: str = "en",
) -> str:
    """The commented profile for these modules; paths are relative to `folder` (the profile's).
    The comments are in `lang` (the keys stay English: they are the profile format)."""
    if country is not None and lookup(country) is None:
        raise MigmoduleError.of(PROFILE_COUNTRY, Location(), value=country)
    if reference_date is not None:
        dt.date.fromisoformat(reference_date)  # a bad date is a usage error (click reports it)
    modules = [load_module(ref) for ref in module_refs]
    languages = languages or ["en"]
    found = lookup(country) if country is not None else None
    name = name or (f"{found.iso3.lower()}-census" if found else "national-adaptation")
    date = reference_date  # never the module's generic date: profile check reports it unset
    lines = [
        "# " + _say(lang, "head"),
        "# " + _say(lang, "head_check"),
        "# " + _say(lang, "head_docs"),
        "profile_format: 1",
        "# " + _say(lang, "name"),
        f"name: {_scalar(name)}",
        "# " + _say(lang, "country"),
        f"country: {_scalar(found.iso3 if found else None)}"
        + ("" if found else "   # " + _say(lang, "country_unset")),
        "# " + _say(lang, "date"),
        f"reference_date: {_scalar(date)}" + ("" if date else "   # " + _say(lang, "date_unset")),
        "# " + _say(lang, "languages"),
        f"languages: [{', '.join(languages)}]",
        "# " + _say(lang, "modules"),
        "modules:",
    ]
    for ref, module in zip(module_refs, modules, strict=True):
        lines += _module_lines(ref, module, folder, lang)
    return "\n".join(lines) + "\n"


def init_profile(
    module_refs: list[str],
    out_path: str | Path,
    country: str | None = None,
    reference_date: str | None = None,
    languages: list[str] | None = None,
    force: bool = False,
    lang: str = "en",
) -> Path:
    """Write `profile_text` to `out_path` (not over an existing file unless `force`), its
    comments in `lang`."""
    out_path = Path(out_path)
    if out_path.exists() and not force:
        raise MigmoduleError.of(PROFILE_EXISTS, Location(file=str(out_path)), path=out_path)
    text = profile_text(
        module_refs, country, reference_date, languages, folder=out_path.resolve().parent, lang=lang
    )
    write_text(out_path, text)
    return out_path
