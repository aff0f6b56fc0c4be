"""The module spec: typed, immutable objects for one versioned question module.

The YAML files in modules/ are parsed into these models (spec/load.py); the JSON Schema that
`migmodule schema` prints is generated from them, so the format has one definition.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from migmodule.spec.patterns import (  # noqa: F401 (defined without pydantic, for the bank)
    ID_PATTERN,
    LANGUAGES,
    MODULE_ID_PATTERN,
    PARAM_PATTERN,
    SEMVER_PATTERN,
)

SPEC_FORMAT = 1

# Text in several languages: {"en": "...", "fr": "...", "es": "..."}.
Text = dict[Annotated[str, Field(pattern=r"^[a-z]{2}$")], str]


class _Model(BaseModel):
    # defer_build: a model's validator is built when it is first used, not on import; a module
    # read back from the cache (spec/load.py) is never validated again, so a run that only reads
    # modules builds none (0.03 s of each start-up).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


# Set by the loader on an element merged from a shared module (`uses`), e.g. "person-core@1.0.0";
# never written in a spec file (the loader refuses it there) and not part of the JSON Schema.
SharedFrom = SkipJsonSchema[str | None]


class Status(str, Enum):
    DRAFT = "draft"
    RELEASED = "released"


class QuestionType(str, Enum):
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    INTEGER = "integer"
    DECIMAL = "decimal"
    YEAR = "year"
    DATE = "date"
    TEXT = "text"
    COUNTRY = "country"  # select_one over the country code list


class SpecialKind(str, Enum):
    NOT_STATED = "not_stated"
    DONT_KNOW = "dont_know"
    REFUSED = "refused"
    NOT_APPLICABLE = "not_applicable"
    OTHER = "other"  # substantive "other (specify)": not a missing value


MISSING_KINDS = (
    SpecialKind.NOT_STATED,
    SpecialKind.DONT_KNOW,
    SpecialKind.REFUSED,
    SpecialKind.NOT_APPLICABLE,
)


class QuestionStatus(str, Enum):
    CORE = "core"
    RECOMMENDED = "recommended"
    ADDITIONAL = "additional"
    OPTIONAL = "optional"


class SourceDocument(_Model):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")
    citation: str
    url: str | None = None
    note: str | None = None


class Citation(_Model):
    """A question's (or edit's) source: a document id from `sources` and where in it."""

    source: str
    section: str | None = None
    note: str | None = None


class Note(_Model):
    """A remark on a spec element. kind=inference marks our design choice, not the standard."""

    kind: Literal["inference", "national_practice", "caveat", "info"] = "info"
    text: Text


class Parameter(_Model):
    id: str = Field(pattern=PARAM_PATTERN)
    type: Literal["country", "date", "integer", "choice", "code_list", "text", "table"]
    label: Text
    description: Text | None = None
    default: Any = None
    choices: list[str] | None = None  # for type choice
    minimum: int | None = None
    maximum: int | None = None
    required_in_profile: bool = False  # the generic default is only a placeholder
    shared_from: SharedFrom = None
    keys: list[str] | None = None  # for type table: the key columns (spec/tables.py)
    value: str | None = None  # for type table: the value column

    @model_validator(mode="after")
    def _choices_match_type(self) -> Parameter:
        if self.type == "table" and (not self.keys or not self.value):
            raise ValueError(f"parameter {self.id}: type table needs 'keys' and 'value' columns")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"parameter {self.id}: type choice needs a 'choices' list")
        if self.type == "choice" and self.default is not None and self.default not in self.choices:
            raise ValueError(
                f"parameter {self.id}: default {self.default!r} is not one of {self.choices}"
            )
        return self


class Code(_Model):
    code: int
    label: Text
    special: SpecialKind | None = None
    description: Text | None = None


class CodeList(_Model):
    id: str = Field(pattern=ID_PATTERN)
    label: Text | None = None
    # Where the codes come from when not listed here: "builtin:countries" (UN M49) or
    # "parameter:ADMIN_AREAS" (a national list set in the profile).
    source: str | None = Field(
        default=None, pattern=r"^(builtin:countries|parameter:[A-Z][A-Z0-9_]*)$"
    )
    codes: list[Code] = Field(default_factory=list)
    note: Text | None = None
    shared_from: SharedFrom = None

    @model_validator(mode="after")
    def _codes_or_source(self) -> CodeList:
        if not self.codes and not self.source:
            raise ValueError(f"code list {self.id}: give 'codes' or a 'source'")
        return self

    @property
    def special_codes(self) -> dict[int, SpecialKind]:
        return {c.code: c.special for c in self.codes if c.special is not None}


class Level(_Model):
    id: str = Field(pattern=ID_PATTERN)
    label: Text
    parent: str | None = None
    repeat: bool = False  # a roster: several units per parent unit
    count: str | None = None  # question id in the parent level giving the number of units
    max_units: int = Field(default=1, ge=1, le=9999)
    id_variables: list[str] = Field(default_factory=list)  # data identifiers for this level
    noun: Text | None = None  # plural noun for sentences: "persons", "households"
    shared_from: SharedFrom = None


class Condition(_Model):
    """A named, reusable condition: written once, used by universes, edits and derived variables."""

    id: str = Field(pattern=ID_PATTERN)
    expression: str
    text: Text  # a phrase completing "Asked of persons ...", e.g. "born abroad"
    shared_from: SharedFrom = None


class Range(_Model):
    minimum: str | int | float | None = None  # a number or an expression (e.g. "REF_YEAR - 110")
    maximum: str | int | float | None = None


class Question(_Model):
    id: str = Field(pattern=ID_PATTERN)
    variable: str | None = None  # name in data files and exports; defaults to id
    level: str
    section: str | None = None
    type: QuestionType
    code_list: str | None = None
    label: Text
    variable_label: Text  # short label: data files (Stata 80 chars) and sentences
    hint: Text | None = None
    instructions: Text | None = None  # interviewer instructions
    definition: Text | None = None  # the concept, as a trainer explains it
    common_mistakes: list[Text] = Field(default_factory=list)
    universe: str | None = None  # expression; None: every unit of the level
    constraint: str | None = None  # expression over "." (this answer) and other names
    constraint_message: Text | None = None
    range: Range | None = None
    required: bool = True
    status: QuestionStatus
    status_source: str | None = None
    concept: str | None = None
    sources: list[Citation] = Field(min_length=1)
    notes: list[Note] = Field(default_factory=list)
    shared_from: SharedFrom = None

    @property
    def variable_name(self) -> str:
        return self.variable or self.id

    @property
    def is_select(self) -> bool:
        return self.type in (
            QuestionType.SELECT_ONE,
            QuestionType.SELECT_MULTIPLE,
            QuestionType.COUNTRY,
        )

    @model_validator(mode="after")
    def _code_list_for_selects(self) -> Question:
        if self.is_select and not self.code_list:
            raise ValueError(f"question {self.id}: type {self.type.value} needs a code_list")
        return self


class Edit(_Model):
    """A consistency edit: for units where `when` holds, `check` must hold."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    level: str
    title: Text
    when: str | None = None
    check: str
    severity: Literal["error", "warning"]
    message: Text
    sources: list[Citation] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    shared_from: SharedFrom = None


class DerivedCase(_Model):
    when: str | None = None  # None: otherwise
    value: int


class Derived(_Model):
    """A derived variable: the first case whose `when` holds, or a numeric expression."""

    id: str = Field(pattern=ID_PATTERN)
    variable: str | None = None
    level: str
    label: Text
    variable_label: Text
    description: Text | None = None
    code_list: str | None = None
    cases: list[DerivedCase] | None = None
    expression: str | None = None
    when: str | None = None  # for expression-derived: computed only where this holds
    sources: list[Citation] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    shared_from: SharedFrom = None

    @property
    def variable_name(self) -> str:
        return self.variable or self.id

    @model_validator(mode="after")
    def _cases_or_expression(self) -> Derived:
        if (self.cases is None) == (self.expression is None):
            raise ValueError(f"derived {self.id}: give exactly one of 'cases' and 'expression'")
        if self.cases is not None and not self.code_list:
            raise ValueError(f"derived {self.id}: 'cases' needs a code_list for its values")
        return self


class Concept(_Model):
    id: str = Field(pattern=ID_PATTERN)
    term: Text
    definition: Text
    sources: list[Citation] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)


class Exercise(_Model):
    """A respondent situation for training, and the expected answers."""

    id: str = Field(pattern=ID_PATTERN)
    situation: Text
    answers: dict[str, int | str]  # question id -> expected code or value
    explanation: Text | None = None


class Use(_Model):
    """A shared module this module uses: `{module: person-core@1.0.0, questions: [sex, age]}`.

    The loader merges the named questions (all when `questions` is left out) with what they need
    into the using module's view, each merged element marked `shared_from`; see spec/shared.py.
    """

    module: str  # an exact reference, MODULE@MAJOR.MINOR.PATCH (lint refuses anything looser)
    questions: list[str] | None = Field(default=None, min_length=1)


class Module(_Model):
    spec_format: Literal[1] = SPEC_FORMAT
    id: str = Field(pattern=MODULE_ID_PATTERN)
    version: str = Field(pattern=SEMVER_PATTERN)
    # "shared": a module of questions other modules use by reference (`uses`), e.g. person-core
    kind: Literal["module", "shared"] = "module"
    status: Status
    languages: list[str] = Field(min_length=1)
    title: Text
    description: Text
    purpose: Text | None = None
    changes: Text | None = None  # what changed since the previous version
    sources: list[SourceDocument] = Field(min_length=1)
    parameters: list[Parameter] = Field(default_factory=list)
    concepts: list[Concept] = Field(default_factory=list)
    levels: list[Level] = Field(default_factory=list)  # at least one, own or from `uses`
    code_lists: list[CodeList] = Field(default_factory=list)
    conditions: list[Condition] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)  # at least one, own or from `uses`
    edits: list[Edit] = Field(default_factory=list)
    derived: list[Derived] = Field(default_factory=list)
    exercises: list[Exercise] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    uses: list[Use] = Field(default_factory=list)

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [lang for lang in value if lang not in LANGUAGES]
        if unknown:
            raise ValueError(f"unsupported language(s) {unknown}; supported: {list(LANGUAGES)}")
        return value

    @model_validator(mode="after")
    def _levels_and_questions(self) -> Module:
        # A module that uses a shared module may take every level and question from it.
        if not self.uses:
            for key in ("levels", "questions"):
                if not getattr(self, key):
                    raise ValueError(
                        f"give at least one item in '{key}' (or take them from `uses`)"
                    )
        if self.uses and self.kind == "shared":
            raise ValueError("a shared module cannot itself use another module (`uses`)")
        return self

    # Lookups. The model is frozen, so these can be cached.
    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @cached_property
    def question_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def code_list_by_id(self) -> dict[str, CodeList]:
        return {c.id: c for c in self.code_lists}

    @cached_property
    def level_by_id(self) -> dict[str, Level]:
        return {lv.id: lv for lv in self.levels}

    @cached_property
    def condition_by_id(self) -> dict[str, Condition]:
        return {c.id: c for c in self.conditions}

    @cached_property
    def parameter_by_id(self) -> dict[str, Parameter]:
        return {p.id: p for p in self.parameters}

    @cached_property
    def derived_by_id(self) -> dict[str, Derived]:
        return {d.id: d for d in self.derived}

    @property
    def shared_refs(self) -> dict[str, str]:
        """Shared module id -> the exact reference this module uses (`person-core` -> `person-core@1.0.0`)."""
        return {use.module.split("@")[0]: use.module for use in self.uses}

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        major, minor, patch = (int(x) for x in self.version.split("."))
        return major, minor, patch


def module_json_schema() -> dict[str, Any]:
    schema = Module.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://migmodule.example/schema/module-1.json"
    schema["title"] = "migmodule question module (spec_format 1)"
    return schema


def is_valid_identifier(name: str) -> bool:
    return re.fullmatch(ID_PATTERN, name) is not None


# The classes a module read back from the cache (spec/load.py, migmodule/cache.py) may name: the
# models and enums of this file, and nothing else.
PICKLED_CLASSES = frozenset(
    (__name__, name)
    for name, value in list(globals().items())
    if isinstance(value, type)
    and value.__module__ == __name__
    and issubclass(value, (BaseModel, Enum))
)
