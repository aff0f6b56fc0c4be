"""National adaptation: a profile picks modules and versions and sets country, dates, parameters,
optional questions, national variable names, national code lists and recodes.

Every engine (export, validate, handout) takes an `Adapted` module: the module plus what a profile
(or the command line) decided for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from migmodule.codes import Finding, Location, MigmoduleError, define
from migmodule.countries import lookup
from migmodule.spec.load import read_yaml, schema_findings
from migmodule.spec.model import Module, Question, QuestionStatus
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module

PROFILE_SCHEMA = define(
    "PROFILE-SCHEMA-001",
    "error",
    "Profile does not follow the profile format",
    "at '{path}': {reason}. See docs/profiles.md for the format.",
    "profile",
)
PROFILE_COUNTRY = define(
    "PROFILE-COUNTRY-001",
    "error",
    "Unknown country in profile",
    "country '{value}' is not a UN M49 number or ISO 3166-1 code (e.g. 404, KE or KEN).",
    "profile",
)
PROFILE_QUESTION = define(
    "PROFILE-QUESTION-001",
    "error",
    "Profile names a question the module does not have",
    "{module} has no question '{question}' (in {where}).{suggestion}",
    "profile",
)
PROFILE_EXCLUDE_CORE = define(
    "PROFILE-QUESTION-002",
    "warning",
    "Profile leaves out a core question",
    "{module}: '{question}' is a core question; leaving it out breaks international comparability.",
    "profile",
)
PROFILE_PARAMETER_UNSET = define(
    "PROFILE-PARAM-001",
    "warning",
    "Parameter left at its generic placeholder",
    "{module}: parameter {name} is not set; the generic value {value!r} is used. Set it under parameters.",
    "profile",
)
PROFILE_RECODE = define(
    "PROFILE-RECODE-001",
    "error",
    "Recode to a code that is not in the standard list",
    "{module}: recode of '{question}' maps {national} to {standard}, which is not a code of list '{code_list}'.",
    "profile",
)
PROFILE_DUPLICATE_VARIABLE = define(
    "PROFILE-VAR-001",
    "error",
    "Two questions mapped to one variable",
    "{module}: questions '{first}' and '{second}' are both mapped to variable '{variable}'.",
    "profile",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModuleSettings(_Model):
    module: str  # "census-key-questions@1.0.0" or a path to a spec file
    parameters: dict[str, Any] = Field(default_factory=dict)
    include: list[str] | None = None  # optional questions switched on (None: all)
    exclude: list[str] = Field(default_factory=list)  # questions switched off
    variables: dict[str, str] = Field(default_factory=dict)  # question id -> national variable name
    recodes: dict[str, dict[str, int]] = Field(
        default_factory=dict
    )  # question -> {national: standard}
    files: dict[str, str] = Field(default_factory=dict)  # level -> data file (for validate)


class Profile(_Model):
    profile_format: int = 1
    name: str = "profile"
    country: str | int | None = None
    reference_date: dt.date | None = None
    languages: list[str] = Field(default_factory=lambda: ["en"])
    modules: list[ModuleSettings] = Field(min_length=1)
    _folder: Path | None = PrivateAttr(default=None)  # relative spec paths are read from here

    def module_path(self, reference: str) -> str:
        """A module reference, with a relative spec-file path taken from the profile's folder."""
        if reference.endswith((".yaml", ".yml")) and self._folder is not None:
            path = Path(reference)
            if not path.is_absolute():
                return str(self._folder / path)
        return reference


@dataclass
class Adapted:
    """A module as one country uses it."""

    module: Module
    params: dict[str, Any]
    settings: ModuleSettings
    profile_name: str = "generic"
    languages: list[str] = field(default_factory=lambda: ["en"])

    @property
    def questions(self) -> list[Question]:
        chosen = []
        for q in self.module.questions:
            if q.id in self.settings.exclude:
                continue
            if (
                self.settings.include is not None
                and q.status is QuestionStatus.OPTIONAL
                and q.id not in self.settings.include
            ):
                continue
            chosen.append(q)
        return chosen

    def variable(self, item_id: str) -> str:
        """The data variable of a question or derived variable (national name if the profile gives one)."""
        if item_id in self.settings.variables:
            return self.settings.variables[item_id]
        question = self.module.question_by_id.get(item_id)
        if question is not None:
            return question.variable_name
        derived = self.module.derived_by_id.get(item_id)
        return derived.variable_name if derived else item_id

    def recode_map(self, question_id: str) -> dict[int, int]:
        return {int(k): v for k, v in self.settings.recodes.get(question_id, {}).items()}

    @property
    def label(self) -> str:
        return f"{self.module.ref} (profile: {self.profile_name})"


def _profile_parameters(
    profile: Profile, settings: ModuleSettings, module: Module
) -> dict[str, Any]:
    values = dict(settings.parameters)
    if profile.country is not None and "COUNTRY" in module.parameter_by_id:
        values.setdefault("COUNTRY", profile.country)
    if profile.reference_date is not None and "REF_DATE" in module.parameter_by_id:
        values.setdefault("REF_DATE", profile.reference_date.isoformat())
    return values


def load_profile(path: str | Path) -> Profile:
    path = Path(path)
    data, lines = read_yaml(path)
    try:
        profile = Profile.model_validate(data if data is not None else {})
    except ValidationError as exc:
        findings = [
            Finding(
                PROFILE_SCHEMA.code,
                f.severity,
                f.message.replace(
                    " See `migmodule schema` for the format.",
                    " See docs/profiles.md for the format.",
                ),
                f.location,
            )
            for f in schema_findings(exc, path, lines)
        ]
        from migmodule.spec.load import SpecSchemaError

        raise SpecSchemaError(findings) from None
    profile._folder = path.resolve().parent
    if profile.country is not None and lookup(profile.country) is None:
        raise MigmoduleError.of(
            PROFILE_COUNTRY,
            Location(file=str(path), line=lines.get(("country",))),
            value=profile.country,
        )
    return profile


def adapt(
    profile: Profile | None = None,
    module_ref: str | None = None,
    *,
    country: str | None = None,
    reference_date: str | None = None,
    params: dict[str, Any] | None = None,
    languages: list[str] | None = None,
) -> list[Adapted]:
    """Adapted modules from a profile, or one module from command-line options (options override)."""
    if profile is None:
        if module_ref is None:
            raise ValueError("give a profile or a module reference")
        profile = Profile(
            modules=[ModuleSettings(module=module_ref)], languages=languages or ["en"]
        )
    adapted = []
    for settings in profile.modules:
        if module_ref is not None and not _same_module(settings.module, module_ref):
            continue
        module = load_module(profile.module_path(settings.module))
        values = _profile_parameters(profile, settings, module)
        if country is not None and "COUNTRY" in module.parameter_by_id:
            values["COUNTRY"] = country
        if reference_date is not None and "REF_DATE" in module.parameter_by_id:
            values["REF_DATE"] = reference_date
        for name, value in (params or {}).items():
            if name in module.parameter_by_id:
                values[name] = value
        adapted.append(
            Adapted(
                module,
                resolve_parameters(module, values),
                settings,
                profile.name,
                languages or profile.languages,
            )
        )
    if not adapted and module_ref is not None:
        # The profile does not list this module: use it with the profile's country and date.
        module = load_module(module_ref)
        single = Profile(
            name=profile.name,
            country=country or profile.country,
            reference_date=reference_date or profile.reference_date,
            languages=languages or profile.languages,
            modules=[ModuleSettings(module=module_ref)],
        )
        return adapt(single, params=params)
    return adapted


def _same_module(a: str, b: str) -> bool:
    return a == b or a.split("@")[0] == b.split("@")[0]


def check_profile(profile: Profile, path: str | None = None) -> list[Finding]:
    """Findings for a loadable profile: unknown questions, left-out core questions, unset parameters."""
    import difflib

    findings: list[Finding] = []
    loc = Location(file=path) if path else Location()
    for adapted in adapt(profile):
        module, settings = adapted.module, adapted.settings
        ids = list(module.question_by_id) + list(module.derived_by_id)
        for where, names in (
            ("include", settings.include or []),
            ("exclude", settings.exclude),
            ("variables", list(settings.variables)),
            ("recodes", list(settings.recodes)),
        ):
            for name in names:
                if name not in ids:
                    close = difflib.get_close_matches(name, ids, n=2)
                    hint = f" Did you mean {', '.join(close)}?" if close else ""
                    findings.append(
                        Finding.make(
                            PROFILE_QUESTION,
                            loc,
                            module=module.ref,
                            question=name,
                            where=where,
                            suggestion=hint,
                        )
                    )
        for name in settings.exclude:
            q = module.question_by_id.get(name)
            if q is not None and q.status is QuestionStatus.CORE:
                findings.append(
                    Finding.make(PROFILE_EXCLUDE_CORE, loc, module=module.ref, question=name)
                )
        given = _profile_parameters(profile, settings, module)
        for param in module.parameters:
            if param.required_in_profile and param.id not in given:
                findings.append(
                    Finding.make(
                        PROFILE_PARAMETER_UNSET,
                        loc,
                        module=module.ref,
                        name=param.id,
                        value=adapted.params.get(param.id),
                    )
                )
        seen: dict[str, str] = {}
        for qid in ids:
            variable = adapted.variable(qid).lower()
            if variable in seen:
                findings.append(
                    Finding.make(
                        PROFILE_DUPLICATE_VARIABLE,
                        loc,
                        module=module.ref,
                        first=seen[variable],
                        second=qid,
                        variable=variable,
                    )
                )
            seen[variable] = qid
        from migmodule.expr.semantics import symbols

        table = symbols(module)
        for qid, mapping in settings.recodes.items():
            symbol = table.get(qid)
            if symbol is None or symbol.codes is None:
                continue
            for national, standard in mapping.items():
                if standard not in symbol.codes:
                    findings.append(
                        Finding.make(
                            PROFILE_RECODE,
                            loc,
                            module=module.ref,
                            question=qid,
                            national=national,
                            standard=standard,
                            code_list=symbol.code_list,
                        )
                    )
    return findings
