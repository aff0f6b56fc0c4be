"""National adaptation: a profile picks modules and versions and sets country, dates, parameters,
optional questions, national variable names, national code lists and recodes, and how a national
file holds the questions (identifiers, splits of one variable, derived questions, level filters,
national universes).

Every engine (export, validate, handout) takes an `Adapted` module: the module plus what a profile
(or the command line) decided for it. `migmodule.national.layer.NationalLayer` applies the national
part to data frames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StringConstraints,
    Tag,
    ValidationError,
    field_validator,
)

from migmodule.codes import Finding, Location, MigmoduleError, define
from migmodule.countries import lookup
from migmodule.expr.ast import Call, Node, Self
from migmodule.expr.functions import FUNCTIONS, is_condition
from migmodule.expr.parser import ExprSyntaxError, parse
from migmodule.expr.semantics import Field as ExprField
from migmodule.expr.semantics import check, symbols
from migmodule.i18n import Phrase, template
from migmodule.national.recode import Recode, parse_recode
from migmodule.spec.load import read_yaml, schema_findings
from migmodule.spec.model import LANGUAGES, Module, Question, QuestionStatus
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module
from migmodule.spec.tables import relative_table_value

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
    template("finding.PROFILE-PARAM-001.message"),  # in words, from the catalogue (i18n/)
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
    "{module}: '{first}' and '{second}' are both mapped to variable '{variable}'. {fix}",
    "profile",
)
PROFILE_TWO_SOURCES = define(
    "PROFILE-VAR-002",
    "error",
    "A question is given two sources",
    "{module}: '{question}' is given in both {first} and {second}; keep one.",
    "profile",
)
PROFILE_SPLIT = define(
    "PROFILE-VAR-003",
    "error",
    "Split of a variable is not usable",
    "{module}: split of '{question}' ({{from: {variable}, where: ...}}): {reason}.",
    "profile",
)
PROFILE_RECODE_TYPE = define(
    "PROFILE-RECODE-002",
    "error",
    "Recode key or code of the wrong type",
    "{module}: recode of '{question}', key '{key}': {reason}.",
    "profile",
)
PROFILE_RECODE_RANGE = define(
    "PROFILE-RECODE-003",
    "error",
    "Bad range in a recode",
    "{module}: recode of '{question}', range '{key}': {reason}. A range is 'low:high' "
    "(both included), 'low:' or ':high'.",
    "profile",
)
PROFILE_RECODE_TWICE = define(
    "PROFILE-RECODE-004",
    "error",
    "Recode key given twice",
    "{module}: recode of '{question}', key '{key}': {reason}; keep one.",
    "profile",
)
PROFILE_CROSSWALK = define(
    "PROFILE-RECODE-005",
    "error",
    "Crosswalk file missing or malformed",
    "{module}: recode of '{question}' from {key}: {reason}. A crosswalk is a CSV with the columns "
    "national,standard (ranges, else and empty or null for not asked are allowed), read relative "
    "to the profile.",
    "profile",
)
PROFILE_RECODE_BUILTIN = define(
    "PROFILE-RECODE-006",
    "error",
    "Unknown built-in recode",
    "{module}: recode of '{question}': {reason}.",
    "profile",
)
PROFILE_RECODE_UNUSED = define(
    "PROFILE-RECODE-007",
    "warning",
    "Recode key never occurs in the data",
    "{module}: recode of '{question}', key '{key}' matches no value of {variable} in {file} "
    "(neither in the data nor in its value labels); check the key.",
    "profile",
)
PROFILE_LEVEL = define(
    "PROFILE-LEVEL-001",
    "error",
    "Profile names a level the module does not have",
    "{module} has no level '{level}' (in {where}). Its levels: {known}.",
    "profile",
)
PROFILE_LEVEL_QUESTION = define(
    "PROFILE-LEVEL-002",
    "error",
    "A level's variables name a question of another level",
    "{module}: '{question}' is a question of level {other}, not {level}; move it under "
    "levels: {{{other}: {{variables: ...}}}}.",
    "profile",
)
PROFILE_ID = define(
    "PROFILE-ID-001",
    "error",
    "Profile names an identifier the module does not have",
    "{module}: '{name}' (in {where}) is not an identifier of {scope}. Identifiers: {known}.",
    "profile",
)
PROFILE_EXPRESSION = define(
    "PROFILE-EXPR-001",
    "error",
    "Expression is not usable where it stands",
    "{module}: {field} \"{expression}\": {reason}.",
    "profile",
)
PROFILE_DATA_VALUES = define(
    "PROFILE-DATA-002",
    "error",
    "Expression cannot be evaluated on the file's values",
    "{module}: {what} {expression} cannot be evaluated on rows {rows} of the file: {reason}. "
    "Those rows are read as unknown; check the variable's type (numbers, text or dates).",
    "profile",
)
PROFILE_OTHER_VERSION = define(
    "PROFILE-MODULE-001",
    "error",
    "The profile adapts another version of the module",
    "the profile adapts {listed}, not {asked}: its national names, recodes and universes were "
    "written for {listed}. Give -m {module_id} to use the profile's version, or write {asked} in "
    "the profile's module line and run migmodule profile check.",
    "profile",
)
PROFILE_DATA_COLUMN = define(
    "PROFILE-DATA-001",
    "error",
    "Profile names a variable that is not in the data file",
    "{module}: {what} reads '{variable}', which is not a variable of {file}.{suggestion}",
    "profile",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A variable name of a data file: any text but blank (Kobo headers may hold spaces and slashes).
VariableName = Annotated[str, StringConstraints(pattern=r"\S")]


class Split(_Model):
    """`{from: VAR, where: "expr"}`: the question reads VAR only on rows where the condition holds
    (file variable names) and is blank, by national design, elsewhere."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    source: VariableName = Field(alias="from")
    where: str = Field(min_length=1)


def _variable_kind(value: Any) -> str:
    return "split" if isinstance(value, (dict, Split)) else "name"


# A plain name, or a split: one message for a broken split, not one per form.
Variable = Annotated[
    Annotated[str, Tag("name")] | Annotated[Split, Tag("split")], Discriminator(_variable_kind)
]


def _names_not_blank(value: dict[str, Any]) -> dict[str, Any]:
    blank = [key for key, name in value.items() if isinstance(name, str) and not name.strip()]
    if blank:
        raise ValueError(f"the variable name of {', '.join(blank)} is blank")
    return value


def _truth_text(value: Any) -> Any:
    """YAML reads an unquoted `true` as a boolean: a universe or a condition may be written so."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class LevelSettings(_Model):
    """Per level: a row filter over the file's variables, and the level's own names."""

    where: str | None = None
    variables: dict[str, Variable] = Field(default_factory=dict)
    ids: dict[str, VariableName] = Field(default_factory=dict)  # id name -> national name

    @field_validator("where", mode="before")
    @classmethod
    def _where(cls, value: Any) -> Any:
        return _truth_text(value)

    @field_validator("variables")
    @classmethod
    def _variables(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _names_not_blank(value)


class ModuleSettings(_Model):
    module: str  # "census-key-questions@1.0.0" or a path to a spec file
    parameters: dict[str, Any] = Field(default_factory=dict)
    include: list[str] | None = None  # optional questions switched on (None: all)
    exclude: list[str] = Field(default_factory=list)  # questions switched off
    ids: dict[str, VariableName] = Field(default_factory=dict)  # id name -> national name
    # question id -> national variable name, or a split {from: VAR, where: "expr"}
    variables: dict[str, Variable] = Field(default_factory=dict)
    derive: dict[str, str] = Field(default_factory=dict)  # question -> expression over file names
    # question -> {national: standard}, a crosswalk .csv path, or a built-in (iso3, iso2)
    recodes: dict[str, dict[Any, Any] | str] = Field(default_factory=dict)
    levels: dict[str, LevelSettings] = Field(default_factory=dict)
    universes: dict[str, str] = Field(default_factory=dict)  # question -> national universe
    files: dict[str, str] = Field(default_factory=dict)  # level -> data file (for validate)

    @field_validator("variables")
    @classmethod
    def _variables(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _names_not_blank(value)

    @field_validator("universes", mode="before")
    @classmethod
    def _universes(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _truth_text(v) for k, v in value.items()}
        return value


PROFILE_FORMAT = 1  # the `profile_format` this version reads


class Profile(_Model):
    profile_format: int = 1
    name: str = "profile"
    country: str | int | None = None
    reference_date: dt.date | None = None
    languages: list[str] = Field(default_factory=lambda: ["en"])
    modules: list[ModuleSettings] = Field(min_length=1)
    _folder: Path | None = PrivateAttr(default=None)  # relative paths are read from here
    _path: Path | None = PrivateAttr(default=None)
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)

    @field_validator("profile_format")
    @classmethod
    def _known_format(cls, value: int) -> int:
        if value != PROFILE_FORMAT:  # a newer format's keys would be read with the old meanings
            raise ValueError(
                f"profile_format {value} is not one this version reads (it reads "
                f"{PROFILE_FORMAT}); upgrade migmodule or write the profile in format "
                f"{PROFILE_FORMAT}"
            )
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        from migmodule import i18n

        known = list(dict.fromkeys([*LANGUAGES, *i18n.all_languages()]))
        unknown = [lang for lang in value if lang not in known]
        if unknown:  # a label asked in 'xx' would silently fall back to English
            raise ValueError(
                f"unknown language(s) {', '.join(map(str, unknown))}; known: {', '.join(known)}"
            )
        return value

    def module_path(self, reference: str) -> str:
        """A module reference, with a relative spec-file path taken from the profile's folder."""
        if reference.endswith((".yaml", ".yml")) and self._folder is not None:
            path = Path(reference)
            if not path.is_absolute():
                return str(self._folder / path)
        return reference

    def line_of(self, *path: Any) -> int | None:
        """The YAML line of the deepest known prefix of `path` (None for a profile built in code)."""
        for end in range(len(path), 0, -1):
            line = self._lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


@dataclass(frozen=True)
class Source:
    """Where a national file holds a question."""

    kind: str  # "variable" (a column), "split" (a column on some rows) or "derive" (an expression)
    variable: str | None = None  # the column, for "variable" and "split"
    where: str | None = None  # split: condition over the file's variable names
    expression: str | None = None  # derive: expression over the file's variable names


@dataclass
class Adapted:
    """A module as one country uses it."""

    module: Module
    params: dict[str, Any]
    settings: ModuleSettings
    profile_name: str = "generic"
    languages: list[str] = field(default_factory=lambda: ["en"])
    recodes: dict[str, Recode] | None = None  # compiled from settings.recodes when not given
    generic: bool = False  # no profile was given: the module with command-line options only

    def __post_init__(self) -> None:
        if self.recodes is None:
            self.recodes, findings = compile_recodes(self.settings, None)
            errors = [f for f in findings if f.severity.value == "error"]
            if errors:
                raise MigmoduleError(errors[0])

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

    def _level_of(self, item_id: str) -> str | None:
        item = self.module.question_by_id.get(item_id) or self.module.derived_by_id.get(item_id)
        return item.level if item is not None else None

    def _named(self, item_id: str) -> Variable | None:
        level = self.settings.levels.get(self._level_of(item_id) or "")
        if level is not None and item_id in level.variables:
            return level.variables[item_id]
        return self.settings.variables.get(item_id)

    def source(self, item_id: str) -> Source:
        """How the national file holds a question: a column, a split of a column, or an expression."""
        if item_id in self.settings.derive:
            return Source("derive", expression=self.settings.derive[item_id])
        named = self._named(item_id)
        if isinstance(named, Split):
            return Source("split", variable=named.source, where=named.where)
        return Source("variable", variable=self.variable(item_id))

    def variable(self, item_id: str, level: str | None = None) -> str:
        """The data variable of a question, derived variable or identifier (national name if the
        profile gives one). A split or derived question keeps its standard name: exports write one
        variable per question; `source()` says where the national file holds it."""
        question = self.module.question_by_id.get(item_id)
        derived = self.module.derived_by_id.get(item_id)
        if question is not None or derived is not None:
            named = self._named(item_id)
            if isinstance(named, str) and item_id not in self.settings.derive:
                return named
            return (question or derived).variable_name
        if level is not None and item_id in self.settings.levels.get(level, _NO_LEVEL).ids:
            return self.settings.levels[level].ids[item_id]
        if item_id in self.settings.ids:
            return self.settings.ids[item_id]
        named = self.settings.variables.get(item_id)
        return named if isinstance(named, str) else item_id

    def ids(self, level: str) -> dict[str, str]:
        """The level's identifier variables (the module's names) and their national names."""
        definition = self.module.level_by_id.get(level)
        names = definition.id_variables if definition is not None else []
        return {name: self.variable(name, level) for name in names}

    def level_filter(self, level: str) -> str | None:
        """The row filter of a level (over the file's variable names), None for every row."""
        settings = self.settings.levels.get(level)
        return settings.where if settings is not None else None

    def national_universe(self, question_id: str) -> str | None:
        """The national universe the profile sets for a question (module names), if any."""
        return self.settings.universes.get(question_id)

    def universe(self, question_id: str) -> str | None:
        """The universe row checks use: the national one if the profile sets it, else the module's."""
        if question_id in self.settings.universes:
            return self.settings.universes[question_id]
        question = self.module.question_by_id.get(question_id)
        return question.universe if question is not None else None

    def recode(self, question_id: str) -> Recode | None:
        """The compiled recode of a question (mapping, crosswalk file or built-in)."""
        return self.recodes.get(question_id)

    def recode_map(self, question_id: str) -> dict[int, int]:
        """The exact whole-number national codes and their standard codes, as Stata/SPSS `recode`
        lines write them. Ranges, `else`, null and text keys are not in it: see
        `Recode.syntax_rules()` and docs/profiles.md."""
        recode = self.recodes.get(question_id)
        return recode.numeric_map() if recode is not None else {}

    @property
    def profile_note(self) -> str:
        """"(profile: NAME)", or "(no national profile)" when none was given."""
        return "(no national profile)" if self.generic else f"(profile: {self.profile_name})"

    @property
    def label(self) -> str:
        return f"{self.module.ref} {self.profile_note}"


_NO_LEVEL = LevelSettings()


# Recode problem kind -> issue code.
_RECODE_CODES = {
    "key_type": PROFILE_RECODE_TYPE,
    "value_type": PROFILE_RECODE_TYPE,
    "range": PROFILE_RECODE_RANGE,
    "overlap": PROFILE_RECODE_RANGE,
    "duplicate": PROFILE_RECODE_TWICE,
    "crosswalk_missing": PROFILE_CROSSWALK,
    "crosswalk_format": PROFILE_CROSSWALK,
    "builtin": PROFILE_RECODE_BUILTIN,
}


def compile_recodes(
    settings: ModuleSettings,
    profile: Profile | None,
    index: int = 0,
    module_ref: str | None = None,
) -> tuple[dict[str, Recode], list[Finding]]:
    """Every recode of one module's settings, compiled; problems as coded findings with file and line."""
    folder = profile._folder if profile is not None else None
    file = str(profile._path) if profile is not None and profile._path else None
    ref = module_ref or settings.module
    compiled: dict[str, Recode] = {}
    findings: list[Finding] = []
    for question, value in settings.recodes.items():
        prefix = ("modules", index, "recodes", question)
        key_lines: dict[str, int] = {}
        if profile is not None:
            for path, line in profile._lines.items():
                if len(path) == len(prefix) + 1 and path[: len(prefix)] == prefix:
                    key_lines[str(path[-1])] = line
        recode, problems = parse_recode(question, value, folder, key_lines)
        if recode is not None:
            compiled[question] = recode
        for problem in problems:
            if problem.file is not None:
                shown = problem.file
                crosswalk = Path(shown)
                if folder is not None and not crosswalk.is_absolute():
                    shown = str(folder / crosswalk)
                location = Location(file=shown, line=problem.line, question=question)
            else:
                line = problem.line or (profile.line_of(*prefix) if profile is not None else None)
                location = Location(file=file, line=line, question=question)
            issue = _RECODE_CODES[problem.kind]
            key = value if problem.kind.startswith("crosswalk") else problem.key
            if problem.kind.startswith("crosswalk") and problem.file and problem.line:
                key = f"{value} line {problem.line}"
            findings.append(
                Finding.make(
                    issue, location, module=ref, question=question, key=key, reason=problem.reason
                )
            )
    return compiled, findings


def _profile_parameters(
    profile: Profile, settings: ModuleSettings, module: Module
) -> dict[str, Any]:
    values = dict(settings.parameters)
    for name, value in values.items():
        param = module.parameter_by_id.get(name)
        if param is not None and param.type == "code_list" and isinstance(value, str):
            path = Path(value)  # a national list in a CSV file, read relative to the profile
            if not path.is_absolute() and profile._folder is not None:
                values[name] = str(profile._folder / path)
        if param is not None and param.type == "table":  # {file: rates.csv}, beside the profile
            values[name] = relative_table_value(value, profile._folder)
    if profile.country is not None and "COUNTRY" in module.parameter_by_id:
        values.setdefault("COUNTRY", profile.country)
    if profile.reference_date is not None and "REF_DATE" in module.parameter_by_id:
        values.setdefault("REF_DATE", profile.reference_date.isoformat())
    return values


def load_profile(path: str | Path) -> Profile:
    path = Path(path)
    try:
        data, lines = read_yaml(path)
    except MigmoduleError as exc:  # a YAML coercion (spec/load.py) is a profile schema problem
        if exc.finding.code != "SPEC-SCHEMA-001":
            raise
        found = exc.finding
        message = found.message.replace(
            " See `migmodule schema` for the format.", " See docs/profiles.md for the format."
        )
        raise MigmoduleError(
            Finding(PROFILE_SCHEMA.code, found.severity, message, found.location, found.values)
        ) from None
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
    profile._path = path
    profile._lines = dict(lines)
    if profile.country is not None and lookup(profile.country) is None:
        raise MigmoduleError.of(
            PROFILE_COUNTRY,
            Location(file=str(path), line=lines.get(("country",))),
            value=profile.country,
        )
    return profile


def _module_languages(module: Module, languages: list[str]) -> list[str]:
    return list(dict.fromkeys([*languages, *module.languages]))


def _adapted(
    profile: Profile,
    index: int,
    module: Module,
    values: dict[str, Any],
    languages: list[str] | None,
    findings: list[Finding] | None = None,
) -> Adapted:
    """One Adapted module; with `findings` given, problems are collected there instead of raised."""
    settings = profile.modules[index]
    recodes, problems = compile_recodes(settings, profile, index, module.ref)
    if findings is not None:
        findings.extend(problems)
    else:
        errors = [f for f in problems if f.severity.value == "error"]
        if errors:
            raise MigmoduleError(errors[0])
    return Adapted(
        module,
        resolve_parameters(module, values, languages=_module_languages(module, profile.languages)),
        settings,
        profile.name,
        languages or profile.languages,
        recodes,
    )


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
    generic = profile is None
    if profile is None:
        if module_ref is None:
            raise ValueError("give a profile or a module reference")
        profile = Profile(
            modules=[ModuleSettings(module=module_ref)], languages=languages or ["en"]
        )
    adapted = []
    for index, settings in enumerate(profile.modules):
        if module_ref is not None and not _same_module(settings.module, module_ref):
            continue
        module = _checked_module(profile.module_path(settings.module))
        _refuse_other_version(profile, index, module, module_ref)
        values = _profile_parameters(profile, settings, module)
        if country is not None and "COUNTRY" in module.parameter_by_id:
            values["COUNTRY"] = country
        if reference_date is not None and "REF_DATE" in module.parameter_by_id:
            values["REF_DATE"] = reference_date
        for name, value in (params or {}).items():
            if name in module.parameter_by_id:
                values[name] = value
        adapted.append(_adapted(profile, index, module, values, languages))
        adapted[-1].generic = generic
    if not adapted and module_ref is not None:
        # The profile does not list this module: use it with the profile's country and date.
        module = _checked_module(module_ref)
        single = Profile(
            name=profile.name,
            country=country or profile.country,
            reference_date=reference_date or profile.reference_date,
            languages=languages or profile.languages,
            modules=[ModuleSettings(module=module_ref)],
        )
        return adapt(single, params=params)
    return adapted


def _checked_module(reference: str) -> Module:
    """The module, refused with lint's codes when lint reports an error (spec/lint.py): the one
    validation path every command goes through before an engine runs."""
    from migmodule.spec.lint import checked_spec

    return checked_spec(reference).module


def _refuse_other_version(
    profile: Profile, index: int, module: Module, module_ref: str | None
) -> None:
    """A version asked for (-m census-key-questions@2.0.0) that is not the one the profile
    adapts is refused: the profile's settings would be applied to the wrong questions, or the
    profile's version validated in its place without a word."""
    if module_ref is None or "@" not in module_ref:
        return
    if module_ref.split("@", 1)[1] == module.version:
        return
    raise MigmoduleError.of(
        PROFILE_OTHER_VERSION,
        Location(file=str(profile._path or ""), line=profile.line_of("modules", index)),
        listed=module.ref,
        asked=module_ref,
        module_id=module.id,
    )


def _same_module(a: str, b: str) -> bool:
    return a == b or a.split("@")[0] == b.split("@")[0]


# check_profile ------------------------------------------------------------------------------------
def _is_condition(node: Node, module: Module | None = None) -> bool:
    """Whether an expression gives true/false (a filter or a universe) rather than a value."""
    names = frozenset(module.condition_by_id) if module is not None else frozenset()
    return is_condition(node, names)


class _Checker:
    """The findings of one module of a profile, each with file, line, module and question."""

    def __init__(self, profile: Profile, index: int, module: Module, path: str | None):
        self.profile = profile
        self.index = index
        self.module = module
        self.settings = profile.modules[index]
        self.file = path or (str(profile._path) if profile._path else None)
        self.findings: list[Finding] = []

    def at(self, *path: Any, question: str | None = None) -> Location:
        line = self.profile.line_of("modules", self.index, *path)
        return Location(file=self.file, line=line, question=question)

    def add(self, issue, location: Location, **values: Any) -> None:
        self.findings.append(Finding.make(issue, location, module=self.module.ref, **values))

    # names ----------------------------------------------------------------------------------
    def unknown_questions(self) -> None:
        import difflib

        module, settings = self.module, self.settings
        known = list(module.question_by_id) + list(module.derived_by_id)
        groups: list[tuple[tuple[Any, ...], str, list[str]]] = [
            (("include",), "include", settings.include or []),
            (("exclude",), "exclude", settings.exclude),
            (("variables",), "variables", list(settings.variables)),
            (("recodes",), "recodes", list(settings.recodes)),
            (("derive",), "derive", list(settings.derive)),
            (("universes",), "universes", list(settings.universes)),
        ]
        for level, level_settings in settings.levels.items():
            groups.append(
                (
                    ("levels", level, "variables"),
                    f"levels.{level}.variables",
                    list(level_settings.variables),
                )
            )
        for path, where, names in groups:
            for name in names:
                if name in known:
                    continue
                if where in ("derive", "universes") and name in module.derived_by_id:
                    continue
                close = difflib.get_close_matches(name, known, n=2)
                hint = Phrase("reason.did_you_mean", names=", ".join(close)) if close else ""
                self.add(
                    PROFILE_QUESTION,
                    self.at(*path, name, question=name),
                    question=name,
                    where=where,
                    suggestion=hint,
                )
        for where, names in (("derive", settings.derive), ("universes", settings.universes)):
            for name in names:
                if name in module.derived_by_id:
                    self.add(
                        PROFILE_QUESTION,
                        self.at(where, name, question=name),
                        question=name,
                        where=Phrase("reason.derived_variable", where=where, name=name),
                        suggestion="",
                    )

    def levels_and_ids(self) -> None:
        module, settings = self.module, self.settings
        levels = list(module.level_by_id)
        all_ids = sorted({n for level in module.levels for n in level.id_variables})
        for level, level_settings in settings.levels.items():
            if level not in module.level_by_id:
                self.add(
                    PROFILE_LEVEL,
                    self.at("levels", level),
                    level=level,
                    where="levels",
                    known=", ".join(levels),
                )
                continue
            own = module.level_by_id[level].id_variables
            for name in level_settings.ids:
                if name not in own:
                    self.add(
                        PROFILE_ID,
                        self.at("levels", level, "ids", name),
                        name=name,
                        where=f"levels.{level}.ids",
                        scope=f"level {level}",
                        known=", ".join(own) or "none",
                    )
            for name in level_settings.variables:
                other = self._level_of(name)
                if other is not None and other != level:
                    self.add(
                        PROFILE_LEVEL_QUESTION,
                        self.at("levels", level, "variables", name, question=name),
                        question=name,
                        other=other,
                        level=level,
                    )
        for level in settings.files:
            if level not in module.level_by_id:
                self.add(
                    PROFILE_LEVEL,
                    self.at("files", level),
                    level=level,
                    where="files",
                    known=", ".join(levels),
                )
        for name in settings.ids:
            if name not in all_ids:
                self.add(
                    PROFILE_ID,
                    self.at("ids", name),
                    name=name,
                    where="ids",
                    scope="any level",
                    known=", ".join(all_ids) or "none",
                )

    def _level_of(self, item_id: str) -> str | None:
        item = self.module.question_by_id.get(item_id) or self.module.derived_by_id.get(item_id)
        return item.level if item is not None else None

    def sources(self) -> None:
        """A question with two sources, and two questions (or identifiers) on one column."""
        module, settings = self.module, self.settings
        for question in settings.derive:
            level = settings.levels.get(self._level_of(question) or "")
            if question in settings.variables or (
                level is not None and question in level.variables
            ):
                self.add(
                    PROFILE_TWO_SOURCES,
                    self.at("derive", question, question=question),
                    question=question,
                    first="variables",
                    second="derive",
                )
        for level, level_settings in settings.levels.items():
            for question in level_settings.variables:
                if question in settings.variables:
                    self.add(
                        PROFILE_TWO_SOURCES,
                        self.at("levels", level, "variables", question, question=question),
                        question=question,
                        first="variables",
                        second=f"levels.{level}.variables",
                    )
        # Per level: every column read whole (plain names and identifiers). Splits may share a
        # column; names given under a level may repeat names of another level's file.
        adapted_names: dict[str, dict[str, tuple[str, bool]]] = {}
        items = [*module.questions, *module.derived]
        for item in items:
            if item.id in settings.derive:
                continue
            level_settings = settings.levels.get(item.level)
            own = level_settings is not None and item.id in level_settings.variables
            named = level_settings.variables[item.id] if own else settings.variables.get(item.id)
            if isinstance(named, Split):
                continue
            variable = (named or item.variable_name).lower()
            scope = item.level if own else "(module)"
            seen = adapted_names.setdefault(scope, {})
            if variable in seen:
                path = ("levels", item.level, "variables") if own else ("variables",)
                self.add(
                    PROFILE_DUPLICATE_VARIABLE,
                    self.at(*path, item.id, question=item.id),
                    first=seen[variable][0],
                    second=item.id,
                    variable=named or item.variable_name,
                    fix=_split_fix(named or item.variable_name),
                )
            seen[variable] = (item.id, own)
        # Level-specific names must not collide with module-level names of the same level.
        for item in items:
            level_settings = settings.levels.get(item.level)
            if level_settings is None or not isinstance(level_settings.variables.get(item.id), str):
                continue
            variable = level_settings.variables[item.id].lower()
            for other in items:
                if other.id == item.id or other.level != item.level or other.id in settings.derive:
                    continue
                if other.id in level_settings.variables:
                    continue
                named = settings.variables.get(other.id)
                if isinstance(named, Split):
                    continue
                if (named or other.variable_name).lower() == variable:
                    self.add(
                        PROFILE_DUPLICATE_VARIABLE,
                        self.at("levels", item.level, "variables", item.id, question=item.id),
                        first=other.id,
                        second=item.id,
                        variable=level_settings.variables[item.id],
                        fix=_split_fix(level_settings.variables[item.id]),
                    )
        # Identifiers: two identifiers of one level, or an identifier and a question, on one column.
        adapted = Adapted(module, {}, settings, recodes={})  # names only
        for level in module.levels:
            columns: dict[str, str] = {}
            for name, column in adapted.ids(level.id).items():
                if column.lower() in columns:
                    self.add(
                        PROFILE_DUPLICATE_VARIABLE,
                        self.at("ids", name),
                        first=columns[column.lower()],
                        second=name,
                        variable=column,
                        fix="Each identifier needs a variable of its own.",
                    )
                columns[column.lower()] = name
            for item in items:
                if item.level != level.id or item.id in settings.derive:
                    continue
                if isinstance(adapted._named(item.id), Split):
                    continue
                column = adapted.variable(item.id).lower()
                if column in columns:
                    self.add(
                        PROFILE_DUPLICATE_VARIABLE,
                        self.at("variables", item.id, question=item.id),
                        first=columns[column],
                        second=item.id,
                        variable=adapted.variable(item.id),
                        fix="An identifier's variable cannot hold a question: map the question "
                        "to its own variable.",
                    )

    # expressions -----------------------------------------------------------------------------
    def file_expression(
        self, text: str, label: str, location: Location, *, condition: bool
    ) -> None:
        """An expression over the file's variable names (derive, split, level filter)."""
        from migmodule.spec import codes as spec_codes

        loc = location
        try:
            tree = parse(text)
        except ExprSyntaxError as exc:
            values = {"field": label, "expression": text, "column": exc.column}
            if exc.typographic:
                self.findings.append(
                    Finding.make(
                        spec_codes.EXPR_TYPOGRAPHIC_QUOTE, loc, char=exc.typographic, **values
                    )
                )
            else:
                self.findings.append(
                    Finding.make(spec_codes.EXPR_SYNTAX, loc, reason=exc.reason, **values)
                )
            return
        for node in tree.walk():
            if isinstance(node, Self):  # the same code as the column evaluator raises
                self.findings.append(
                    Finding.make(
                        spec_codes.EXPR_SELF, loc, field=label, expression=text, column=node.pos
                    )
                )
            elif isinstance(node, Call):
                spec = FUNCTIONS.get(node.func)
                if spec is None:
                    self.findings.append(
                        Finding.make(
                            spec_codes.EXPR_UNKNOWN_FUNCTION,
                            loc,
                            field=label,
                            expression=text,
                            column=node.pos,
                            name=node.func,
                            known=", ".join(FUNCTIONS),
                        )
                    )
                elif not spec.accepts(len(node.args)):
                    self.findings.append(
                        Finding.make(
                            spec_codes.EXPR_ARGUMENTS,
                            loc,
                            field=label,
                            expression=text,
                            column=node.pos,
                            reason=f"{node.func}() takes {spec.arity_text()}, not {len(node.args)}",
                        )
                    )
        if condition and not _is_condition(tree):
            self.add(
                PROFILE_EXPRESSION,
                loc,
                field=label,
                expression=text,
                reason="this must be a condition (true or false on each row), e.g. P12 >= 1 and P12 <= 47",
            )
        if not condition and _is_condition(tree):
            self.add(
                PROFILE_EXPRESSION,
                loc,
                field=label,
                expression=text,
                reason="this must give a value (a number, a code or a date), not true/false",
            )

    def expressions(self) -> None:
        settings, module = self.settings, self.module
        for question, text in settings.derive.items():
            self.file_expression(
                text,
                f"derive of {question}",
                self.at("derive", question, question=question),
                condition=False,
            )
        splits: list[tuple[tuple[Any, ...], str, Split]] = [
            (("variables", q), q, v) for q, v in settings.variables.items() if isinstance(v, Split)
        ]
        for level, level_settings in settings.levels.items():
            splits += [
                (("levels", level, "variables", q), q, v)
                for q, v in level_settings.variables.items()
                if isinstance(v, Split)
            ]
            if level_settings.where is not None:
                self.file_expression(
                    level_settings.where,
                    f"row filter of level {level}",
                    self.at("levels", level, "where"),
                    condition=True,
                )
        for path, question, split in splits:
            self.file_expression(
                split.where,
                f"split of {question}",
                self.at(*path, "where", question=question),
                condition=True,
            )
            if not split.source.strip() or split.source != split.source.strip():
                self.add(
                    PROFILE_SPLIT,
                    self.at(*path, "from", question=question),
                    question=question,
                    variable=split.source,
                    reason="'from' must name one variable of the file, without spaces",
                )
        for question, text in settings.universes.items():
            item = module.question_by_id.get(question)
            if item is None:
                continue
            location = self.at("universes", question, question=question)
            tree, problems = check(
                module,
                text,
                ExprField(f"national universe of {question}", item.level, None, location),
            )
            self.findings.extend(problems)
            if tree is not None and not problems and not _is_condition(tree, module):
                self.add(
                    PROFILE_EXPRESSION,
                    location,
                    field=f"national universe of {question}",
                    expression=text,
                    reason='a universe is a condition over the module\'s names, e.g. foreign_born or "true"',
                )

    def recode_codes(self, recodes: dict[str, Recode]) -> None:
        table = symbols(self.module)
        for question, recode in recodes.items():
            symbol = table.get(question)
            if symbol is None or symbol.codes is None:
                continue
            pairs = [(_shown(k), v) for k, v in recode.numbers.items()]
            pairs += list(recode.texts.items()) if not recode.source.startswith("builtin:") else []
            pairs += [(r.written, r.standard) for r in recode.ranges]
            if recode.has_else:
                pairs.append(("else", recode.otherwise))
            for national, standard in pairs:
                if standard is not None and standard not in symbol.codes:
                    self.add(
                        PROFILE_RECODE,
                        self.at("recodes", question, national, question=question),
                        question=question,
                        national=national,
                        standard=standard,
                        code_list=symbol.code_list,
                    )


def _split_fix(variable: str) -> str:
    return (
        "Map one of them elsewhere; if the variable holds both, give each a split "
        f"{{from: {variable}, where: ...}}; if they come from files of different levels, give "
        "the names under levels: {LEVEL: {variables: ...}}."
    )


def _shown(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def check_profile(profile: Profile, path: str | None = None) -> list[Finding]:
    """Findings for a loadable profile: every problem `validate` would refuse (with the same code),
    plus unknown questions, left-out core questions and unset parameters."""
    findings: list[Finding] = []
    for index, settings in enumerate(profile.modules):
        module = load_module(profile.module_path(settings.module))
        checker = _Checker(profile, index, module, path)
        values = _profile_parameters(profile, settings, module)
        recodes, problems = compile_recodes(settings, profile, index, module.ref)
        checker.findings.extend(problems)
        try:
            adapted = _adapted(profile, index, module, values, None, [])
        except MigmoduleError as exc:  # a bad parameter value
            checker.findings.append(exc.finding)
            adapted = None
        checker.unknown_questions()
        for name in settings.exclude:
            q = module.question_by_id.get(name)
            if q is not None and q.status is QuestionStatus.CORE:
                checker.add(PROFILE_EXCLUDE_CORE, checker.at("exclude"), question=name)
        generic = resolve_parameters(module, {})
        for param in module.parameters:
            # unset, or set under parameters to the generic placeholder itself (as `profile
            # init` once wrote "Area 1, Area 2, Area 3")
            placeholder = (
                param.id in settings.parameters
                and adapted is not None
                and adapted.params.get(param.id) == generic.get(param.id)
            )
            if param.required_in_profile and (param.id not in values or placeholder):
                default = generic.get(param.id)
                checker.add(
                    PROFILE_PARAMETER_UNSET,
                    checker.at("parameters"),
                    name=param.id,
                    value=adapted.params.get(param.id) if adapted is not None else default,
                )
        checker.levels_and_ids()
        checker.sources()
        checker.expressions()
        checker.recode_codes(recodes)
        findings.extend(checker.findings)
    return findings
