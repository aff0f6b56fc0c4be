"""The plan of a validation: which file is which level, and what to read from each.

`plan_files` finds each level's file (LEVEL=PATH, the profile's `files`, else inferred from the
file's variables), maps the module's questions to each file's columns (a question is read from its
level's file, or from a lower level's "flat" file that repeats it), and finds the identifier,
parent-identifier, weight and breakdown columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migmodule.codes import Location, MigmoduleError
from migmodule.expr.semantics import ancestors
from migmodule.i18n import Phrase
from migmodule.microdata.multi import MultiSource, open_source
from migmodule.microdata.source import DataSource
from migmodule.national.layer import NationalLayer
from migmodule.profile import Adapted
from migmodule.spec.model import Edit, Module
from migmodule.validate import codes
from migmodule.validate.prepare import MappedQuestion, map_question
from migmodule.validate.settings import ValidationSettings


@dataclass
class FilePlan:
    """One level's file and what to read from it."""

    level: str
    source: DataSource | MultiSource  # MultiSource: several files for the level (multi.py)
    questions: list[MappedQuestion] = field(default_factory=list)
    id_columns: list[str] = field(default_factory=list)  # file spellings of this level's ids
    id_missing: list[str] = field(default_factory=list)
    parent_id_columns: list[str] = field(default_factory=list)
    # Ancestor levels with no file of their own (or missing questions there) whose questions or
    # edits are read from this file -> the file spellings of their ids ([] when one is missing).
    flat_ids: dict[str, list[str]] = field(default_factory=dict)
    weight: str | None = None
    by: str | None = None
    # The profile's national layer (splits, derive, recodes) and this level's row filter.
    layer: NationalLayer | None = None
    row_filter: str | None = None

    def columns(self) -> list[str]:
        names = [name for m in self.questions for name in m.reads]
        names += self.id_columns + self.parent_id_columns
        names += [name for ids in self.flat_ids.values() for name in ids]
        names += [name for name in (self.weight, self.by) if name]
        if self.layer is not None and self.row_filter:
            names += self.layer.columns_of_filter(self.level, list(self.source.columns))
        return [name for name in dict.fromkeys(names) if name]

    def questions_of(self, level: str) -> list[MappedQuestion]:
        return [m for m in self.questions if m.question.level == level]


def plan_files(
    adapted: Adapted, data: Any, profile_dir: Path | None, settings: ValidationSettings
) -> dict[str, FilePlan]:
    """One FilePlan per level that has a file; raises a coded error when a file fits no level."""
    sources = find_files(adapted, data, profile_dir, settings.encoding)
    plans = {level: _plan(adapted, level, source) for level, source in sources.items()}
    _place_questions(adapted, plans)
    for plan in plans.values():
        _find_ids(adapted, plan, plans)
    _find_options(plans, settings)
    return plans


def _plan(adapted: Adapted, level: str, source: DataSource) -> FilePlan:
    """A level's plan, with the profile's national layer (splits, derive, recodes, the level's
    row filter); the dates of .sav/.dta files are read by their display formats."""
    layer = NationalLayer.for_source(adapted, source)
    return FilePlan(level, source, layer=layer, row_filter=layer.row_filter(level))


# ---- which file is which level -----------------------------------------------------------------
def find_files(
    adapted: Adapted, data: Any, profile_dir: Path | None, encoding: str | None
) -> dict[str, DataSource]:
    """Data sources by level: LEVEL=PATH first, then the profile's `files`, then inference."""
    levels = ", ".join(adapted.module.level_by_id)
    given = _given(adapted, data)
    profile_files = _profile_files(adapted, profile_dir)
    for level, path in given + list(profile_files.items()):
        if level is not None and level not in adapted.module.level_by_id:
            raise MigmoduleError.of(
                codes.DATA_LEVEL,
                Location(file=str(path)),
                path=path,
                reason=Phrase("reason.no_such_level", level=level),
                levels=levels,
            )
    sources = _assign(adapted, given, profile_files, encoding)
    # The profile's `files` only fill in levels the command line does not give.
    # A file already read for one level serves another only when the profile filters the rows
    # of each (one roster of current and former members).
    read = {source.path.resolve() for source in sources.values()}
    for level, path in profile_files.items():
        filtered = adapted.level_filter(level) is not None
        if level not in sources and (filtered or path.resolve() not in read):
            sources[level] = open_source(path, encoding)
    if not sources:
        raise MigmoduleError.of(
            codes.DATA_LEVEL,
            Location(module=adapted.module.ref),
            path="(no file)",
            reason=Phrase("reason.no_data_file"),
            levels=levels,
        )
    return sources


def _assign(
    adapted: Adapted,
    given: list[tuple[str | None, Path]],
    profile_files: dict[str, Path],
    encoding: str | None,
) -> dict[str, DataSource]:
    """The files given on the command line by level: LEVEL=PATH, the profile's level for the
    profile's own file, else the level inferred from the file's variables."""
    sources = {level: open_source(path, encoding) for level, path in given if level is not None}
    unassigned = [open_source(path, encoding) for level, path in given if level is None]
    # A file named without LEVEL= that is the profile's file for a level takes that level.
    by_path = {path.resolve(): level for level, path in profile_files.items()}
    for source in list(unassigned):
        level = by_path.get(source.path.resolve())
        if level is not None and level not in sources:
            sources[level] = source
            unassigned.remove(source)
    for source in unassigned:
        level = infer_level(adapted, source, set(sources))
        if level is None:
            raise MigmoduleError.of(
                codes.DATA_LEVEL,
                Location(file=str(source.path)),
                path=source.path,
                reason=Phrase("reason.no_module_question"),
                levels=", ".join(adapted.module.level_by_id),
            )
        sources[level] = source
    return sources


def _given(adapted: Adapted, data: Any) -> list[tuple[str | None, Path]]:
    """(level or None, path) for each file given: a {level: path} dict, PATH or LEVEL=PATH."""
    if isinstance(data, dict):
        return [(level, Path(path)) for level, path in data.items()]
    if data is None:
        return []
    given: list[tuple[str | None, Path]] = []
    for item in [data] if isinstance(data, (str, Path)) else list(data):
        text = str(item)
        level, sep, path = text.partition("=")
        if sep and level in adapted.module.level_by_id:
            given.append((level, Path(path)))
        else:
            given.append((None, Path(text)))
    return given


def _profile_files(adapted: Adapted, profile_dir: Path | None) -> dict[str, Path]:
    """The profile's `files`, relative to the profile."""
    return {
        level: Path(path) if Path(path).is_absolute() or profile_dir is None else profile_dir / path
        for level, path in adapted.settings.files.items()
    }


def infer_level(adapted: Adapted, source: DataSource, taken: set[str]) -> str | None:
    """The level of a file named without LEVEL=: the lowest level it has questions and ids of.

    A flat person file repeats household questions, possibly more of them than person questions,
    but only it has the person identifiers (hh_id and person_no). So: among the levels with
    questions in the file, those whose identifiers are all there; of these the lowest (then the
    one with most questions). When no such level has all its ids, the level with most questions
    (on a tie, the lower one).
    """
    module = adapted.module
    depth = {lv: len(ancestors(module, lv)) for lv in module.level_by_id}
    scores = {
        level: sum(
            1 for q in adapted.questions if q.level == level and source.find(adapted.variable(q.id))
        )
        for level in module.level_by_id
        if level not in taken
    }
    scores = {level: score for level, score in scores.items() if score}
    identified = [
        level
        for level in scores
        if module.level_by_id[level].id_variables
        and all(source.find(adapted.variable(n)) for n in module.level_by_id[level].id_variables)
    ]
    if identified:
        return max(identified, key=lambda lv: (depth[lv], scores[lv]))
    return max(scores, key=lambda lv: (scores[lv], depth[lv]), default=None)


# ---- what to read from each file ---------------------------------------------------------------
def _place_questions(adapted: Adapted, plans: dict[str, FilePlan]) -> None:
    """Each question from its level's file, else from the first lower-level file that has it."""
    module = adapted.module
    for question in adapted.questions:
        candidates = [question.level] + [
            lv for lv in plans if question.level in ancestors(module, lv)[1:]
        ]
        for level in (lv for lv in candidates if lv in plans):
            mapped = map_question(adapted, question, plans[level].source, plans[level].layer)
            if mapped.column is not None:
                plans[level].questions.append(mapped)
                break


def _columns(adapted: Adapted, plan: FilePlan, names: list[str]) -> list[str | None]:
    return [plan.source.find(adapted.variable(name, plan.level)) for name in names]


def _find_ids(adapted: Adapted, plan: FilePlan, plans: dict[str, FilePlan]) -> None:
    """This level's id columns, its parent's (for the parent join) and flat ancestors' ids."""
    module = adapted.module
    spec_level = module.level_by_id[plan.level]
    for name, column in zip(
        spec_level.id_variables, _columns(adapted, plan, spec_level.id_variables), strict=True
    ):
        (plan.id_columns if column else plan.id_missing).append(column or adapted.variable(name))
    if spec_level.parent and spec_level.parent in plans:
        found = _columns(adapted, plan, module.level_by_id[spec_level.parent].id_variables)
        plan.parent_id_columns = [c for c in found if c] if all(found) else []
    _find_flat_ids(adapted, plan, plans)


def _find_flat_ids(adapted: Adapted, plan: FilePlan, plans: dict[str, FilePlan]) -> None:
    """Upper levels whose questions or edits are read from this file, and their id columns."""
    module = adapted.module
    upper = {m.question.level for m in plan.questions} | {
        edit.level for edit in module.edits if edit_home(module, edit, plans) == plan.level
    }
    for ancestor in ancestors(module, plan.level)[1:]:
        if ancestor in upper:
            ids = module.level_by_id[ancestor].id_variables
            found = _columns(adapted, plan, ids)
            plan.flat_ids[ancestor] = [c for c in found if c] if all(found) and ids else []


def _find_options(plans: dict[str, FilePlan], settings: ValidationSettings) -> None:
    """The weight and breakdown columns in each file; a coded error when no file has one."""
    for option, name in (("weight", settings.weight), ("by", settings.by)):
        if name is None:
            continue
        for plan in plans.values():
            setattr(plan, option, plan.source.find(name))
        if not any(getattr(plan, option) for plan in plans.values()):
            plan = next(iter(plans.values()))
            raise MigmoduleError.of(
                codes.DATA_OPTION,
                Location(file=str(plan.source.path)),
                option=f"--{option}",
                variable=name,
                path=", ".join(str(p.source.path) for p in plans.values()),
                available=", ".join(list(plan.source.columns)[:12]),
            )


def edit_home(module: Module, edit: Edit, plans: dict[str, Any]) -> str | None:
    """The file an edit is checked in: its level's, else the nearest lower level's (flat files)."""
    if edit.level in plans:
        return edit.level
    lower = [lv for lv in plans if edit.level in ancestors(module, lv)]
    return min(lower, key=lambda lv: len(ancestors(module, lv)), default=None)


def top_down(module: Module, plans: dict[str, FilePlan]) -> list[str]:
    """Levels with a file, parents before children (a child joins its parent's values)."""
    return sorted(plans, key=lambda lv: len(ancestors(module, lv)))
