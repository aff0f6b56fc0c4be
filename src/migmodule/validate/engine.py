"""`validate_data`: check one or more data files (one per level) against an adapted module.

The plan: find each level's file, map questions to the file's variables, read only those columns
in chunks, turn each chunk into question-keyed values (prepare.py), join the parent level's values
onto child rows (the parent file is small and read whole first), compute derived variables, and
feed every check. Returns a `Report`; raises `MigmoduleError` only for unusable input.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.expr.evaluate import derive
from migmodule.expr.semantics import ancestors, referenced
from migmodule.profile import Adapted, Profile, adapt, load_profile
from migmodule.spec.model import QuestionStatus, SpecialKind
from migmodule.validate import codes
from migmodule.validate.checks import (
    Check,
    Context,
    DuplicateIdCheck,
    EditCheck,
    LinkCheck,
    QuestionValueCheck,
    UniverseCheck,
)
from migmodule.validate.flat import FlatLevel
from migmodule.validate.prepare import (
    DEFAULT_STATA_MISSING,
    Chunk,
    MappedQuestion,
    holds_text,
    map_question,
    prepare_question,
)
from migmodule.microdata.source import DataSource, RawChunk
from migmodule.validate.report import CheckResult, Report, Tally, result_from_tally

DEFAULT_CHUNK_SIZE = 100_000
Progress = Callable[[str, int, int | None], None]  # (level, rows done, total rows or None)


@dataclass
class FilePlan:
    """One level's file and what to read from it."""

    level: str
    source: DataSource
    questions: list[MappedQuestion] = field(default_factory=list)
    id_columns: list[str] = field(default_factory=list)  # file spellings of this level's ids
    id_missing: list[str] = field(default_factory=list)
    parent_id_columns: list[str] = field(default_factory=list)
    # Ancestor levels with no file of their own (or missing questions there) whose questions or
    # edits are read from this file -> the file spellings of their ids ([] when one is missing).
    flat_ids: dict[str, list[str]] = field(default_factory=dict)
    weight: str | None = None
    by: str | None = None

    def columns(self) -> list[str]:
        names = [m.column for m in self.questions] + self.id_columns + self.parent_id_columns
        names += [name for ids in self.flat_ids.values() for name in ids]
        names += [name for name in (self.weight, self.by) if name]
        return [name for name in dict.fromkeys(names) if name]


def validate_data(
    data: str | Path | Iterable[str | Path] | dict[str, str | Path] | None = None,
    module: str | Path | Adapted | None = None,
    *,
    profile: str | Path | Profile | None = None,
    weight: str | None = None,
    by: str | None = None,
    max_examples: int = 5,
    chunk_size: int | None = DEFAULT_CHUNK_SIZE,
    encoding: str | None = None,
    missing_map: dict[str, str] | None = None,
    nonresponse_threshold: float = 0.05,
    thresholds: dict[str, float] | None = None,
    language: str = "en",
    country: str | None = None,
    reference_date: str | None = None,
    params: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Validate data files against a module and return a Report (never raises for data problems).

    `data` is a path, several paths (each `PATH` or `LEVEL=PATH`) or a {level: path} dict; the
    profile's `files` (relative to the profile) fill in levels not given. `chunk_size=None` reads
    each file at once. `country`, `reference_date` and `params` override the profile's.
    """
    started = time.perf_counter()
    adapted, profile_dir = _adapted(module, profile, country, reference_date, params)
    files = _files(adapted, data, profile_dir, encoding)
    letters = _missing_map(missing_map)
    plans = _plans(adapted, files, weight, by)
    results: list[CheckResult] = _coverage(adapted, plans)
    parents: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}
    info: dict[str, dict[str, Any]] = {}
    for level in _top_down(adapted, plans):
        plan = plans[level]
        needed_by_child = any(adapted.module.level_by_id[child].parent == level for child in plans)
        level_results, rows, kept, units = _run_file(
            adapted,
            plan,
            plans,
            parents,
            letters,
            chunk_size,
            max_examples,
            nonresponse_threshold,
            thresholds or {},
            language,
            needed_by_child,
            progress,
        )
        if kept is not None:
            parents[level] = kept
        results.extend(level_results)
        info[level] = {
            "path": str(plan.source.path),
            "format": plan.source.format,
            "rows": rows,
            "columns_read": plan.columns(),
        }
        if units:
            info[level]["units"] = units  # flat file: units of each ancestor level read from it
    settings = {
        "weight": weight,
        "by": by,
        "max_examples": max_examples,
        "nonresponse_threshold": nonresponse_threshold,
        "thresholds": thresholds or {},
        "missing_map": {k: v.value for k, v in sorted(letters.items())},
        "language": language,
    }
    return Report(
        adapted.module.ref,
        adapted.profile_name,
        info,
        results,
        settings,
        time.perf_counter() - started,
    )


# ---- inputs ------------------------------------------------------------------------------------
def _adapted(
    module: str | Path | Adapted | None,
    profile: str | Path | Profile | None,
    country: str | None,
    reference_date: str | None,
    params: dict[str, Any] | None,
) -> tuple[Adapted, Path | None]:
    if isinstance(module, Adapted):
        return module, None
    module = str(module) if isinstance(module, Path) else module
    profile_dir = None
    if isinstance(profile, (str, Path)):
        profile_dir = Path(profile).resolve().parent
        profile = load_profile(profile)
    if profile is None and module is None:
        raise ValueError("give a module or a profile")
    adapted = adapt(profile, module, country=country, reference_date=reference_date, params=params)
    return adapted[0], profile_dir


def _files(
    adapted: Adapted, data: Any, profile_dir: Path | None, encoding: str | None
) -> dict[str | None, DataSource]:
    """Data sources by level (None: level still to be inferred)."""
    given: list[tuple[str | None, Path]] = []
    if isinstance(data, dict):
        given = [(level, Path(path)) for level, path in data.items()]
    elif data is not None:
        items = [data] if isinstance(data, (str, Path)) else list(data)
        for item in items:
            text = str(item)
            level, sep, path = text.partition("=")
            if sep and level in adapted.module.level_by_id:
                given.append((level, Path(path)))
            else:
                given.append((None, Path(text)))
    # The profile's `files` only fill in levels the command line does not give: a file named
    # there without LEVEL= is matched first (to the profile's level if it is the profile's file).
    profile_files = {
        level: (
            Path(path) if Path(path).is_absolute() or profile_dir is None else profile_dir / path
        )
        for level, path in adapted.settings.files.items()
    }
    levels = ", ".join(adapted.module.level_by_id)
    for level, path in given + list(profile_files.items()):
        if level is not None and level not in adapted.module.level_by_id:
            raise MigmoduleError.of(
                codes.DATA_LEVEL,
                Location(file=str(path)),
                path=path,
                reason=f"the module has no level '{level}'",
                levels=levels,
            )
    sources: dict[str | None, DataSource] = {
        level: DataSource(path, encoding) for level, path in given if level is not None
    }
    unassigned = [DataSource(path, encoding) for level, path in given if level is None]
    by_path = {path.resolve(): level for level, path in profile_files.items()}
    for source in list(unassigned):
        level = by_path.get(source.path.resolve())
        if level is not None and level not in sources:
            sources[level] = source  # the profile's own file named on the command line too
            unassigned.remove(source)
    for source in unassigned:
        level = _infer_level(adapted, source, set(sources))
        if level is None:
            raise MigmoduleError.of(
                codes.DATA_LEVEL,
                Location(file=str(source.path)),
                path=source.path,
                reason="none of its variables is a question of the module",
                levels=levels,
            )
        sources[level] = source
    read = {source.path.resolve() for source in sources.values()}
    for level, path in profile_files.items():
        if level not in sources and path.resolve() not in read:
            sources[level] = DataSource(path, encoding)
    if not sources:
        raise MigmoduleError.of(
            codes.DATA_LEVEL,
            Location(module=adapted.module.ref),
            path="(no file)",
            reason="no data file was given and the profile has no `files`",
            levels=levels,
        )
    return sources


def _infer_level(adapted: Adapted, source: DataSource, taken: set[str]) -> str | None:
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


def _missing_map(mapping: dict[str, str] | None) -> dict[str, SpecialKind]:
    letters = dict(DEFAULT_STATA_MISSING)
    for letter, kind in (mapping or {}).items():
        letter = letter.lstrip(".").lower()
        if len(letter) != 1 or not letter.isalpha():
            raise MigmoduleError.of(
                codes.DATA_MISSING_MAP, item=f"{letter}={kind}", reason="not a letter a-z"
            )
        try:
            letters[letter] = SpecialKind(kind)
        except ValueError:
            raise MigmoduleError.of(
                codes.DATA_MISSING_MAP,
                item=f"{letter}={kind}",
                reason=f"'{kind}' is not a kind of missing value",
            ) from None
        if letters[letter] is SpecialKind.OTHER:
            raise MigmoduleError.of(
                codes.DATA_MISSING_MAP,
                item=f"{letter}={kind}",
                reason="'other' is a substantive answer, not a missing value",
            )
    return letters


# ---- plan --------------------------------------------------------------------------------------
def _plans(
    adapted: Adapted, sources: dict[str, DataSource], weight: str | None, by: str | None
) -> dict[str, FilePlan]:
    module = adapted.module
    plans = {level: FilePlan(level, source) for level, source in sources.items()}
    for question in adapted.questions:
        # A question is read from its level's file; a flat file at a lower level may carry it too.
        candidates = [question.level] + [
            lv for lv in plans if question.level in ancestors(module, lv)[1:]
        ]
        for level in candidates:
            if level in plans:
                mapped = map_question(adapted, question, plans[level].source)
                if mapped.column is not None:
                    plans[level].questions.append(mapped)
                    break
    for level, plan in plans.items():
        spec_level = module.level_by_id[level]
        for name in spec_level.id_variables:
            column = plan.source.find(adapted.variable(name))
            (plan.id_columns if column else plan.id_missing).append(
                column or adapted.variable(name)
            )
        if spec_level.parent and spec_level.parent in plans:
            parent_ids = module.level_by_id[spec_level.parent].id_variables
            found = [plan.source.find(adapted.variable(name)) for name in parent_ids]
            plan.parent_id_columns = [c for c in found if c] if all(found) else []
        upper = {m.question.level for m in plan.questions} | {
            edit.level for edit in module.edits if _edit_home(module, edit, plans) == level
        }
        for ancestor in ancestors(module, level)[1:]:
            if ancestor in upper:
                ids = module.level_by_id[ancestor].id_variables
                found = [plan.source.find(adapted.variable(name)) for name in ids]
                plan.flat_ids[ancestor] = [c for c in found if c] if all(found) and ids else []
        for option, name in (("weight", weight), ("by", by)):
            if name is not None:
                setattr(plan, option, plan.source.find(name))
    for option, name in (("--weight", weight), ("--by", by)):
        if name is not None and not any(
            getattr(plan, option.strip("-")) for plan in plans.values()
        ):
            plan = next(iter(plans.values()))
            raise MigmoduleError.of(
                codes.DATA_OPTION,
                Location(file=str(plan.source.path)),
                option=option,
                variable=name,
                path=", ".join(str(p.source.path) for p in plans.values()),
                available=", ".join(list(plan.source.columns)[:12]),
            )
    return plans


def _edit_home(module, edit, plans: dict[str, Any]) -> str | None:
    """The file an edit is checked in: its level's, else the nearest lower level's (flat files)."""
    if edit.level in plans:
        return edit.level
    lower = [lv for lv in plans if edit.level in ancestors(module, lv)]
    return min(lower, key=lambda lv: len(ancestors(module, lv)), default=None)


def _top_down(adapted: Adapted, plans: dict[str, FilePlan]) -> list[str]:
    return sorted(plans, key=lambda lv: len(ancestors(adapted.module, lv)))


def _coverage(adapted: Adapted, plans: dict[str, FilePlan]) -> list[CheckResult]:
    """One result per question: present in a file, or a finding by its status."""
    present = {m.id: (plan, m) for plan in plans.values() for m in plan.questions}
    results = []
    first_file = str(next(iter(plans.values())).source.path)
    for question in adapted.questions:
        tally = Tally(0)
        variable = adapted.variable(question.id)
        if question.id in present:
            plan, mapped = present[question.id]
            result = result_from_tally(
                codes.COVER_CORE.code,
                "coverage",
                tally,
                level=question.level,
                question=question.id,
                variable=mapped.column,
            )
            result.details["file"] = str(plan.source.path)
            if plan.level != question.level:
                result.details["read_from"] = (
                    f"{plan.level} file, first row of each {question.level}"
                )
            results.append(result)
            continue
        issue = {
            QuestionStatus.CORE: codes.COVER_CORE,
            QuestionStatus.RECOMMENDED: codes.COVER_RECOMMENDED,
        }.get(question.status, codes.COVER_OPTIONAL)
        tally.total.count = 1
        result = result_from_tally(
            issue.code,
            "coverage",
            tally,
            level=question.level,
            question=question.id,
            variable=variable,
        )
        plan = plans.get(question.level)
        where = str(plan.source.path) if plan else first_file
        result.finding = Finding.make(
            issue,
            Location(
                file=where, module=adapted.module.ref, question=question.id, variable=variable
            ),
            module=adapted.module.ref,
            question=question.id,
            variable=variable,
            status=question.status.value,
        )
        results.append(result)
    return results


# ---- run ---------------------------------------------------------------------------------------
def _checks(
    adapted: Adapted,
    plan: FilePlan,
    plans: dict[str, FilePlan],
    parents: dict[str, tuple[pd.DataFrame, np.ndarray]],
) -> tuple[list[Check], list[FlatLevel]]:
    """The file's own level's checks, and one FlatLevel per ancestor level read from it."""
    module = adapted.module
    by_level: dict[str, list[Check]] = {plan.level: [], **{lv: [] for lv in plan.flat_ids}}
    for mapped in plan.questions:
        by_level[mapped.question.level] += [QuestionValueCheck(mapped), UniverseCheck(mapped)]
    for edit in module.edits:
        if _edit_home(module, edit, plans) == plan.level:
            by_level[edit.level if edit.level in by_level else plan.level].append(EditCheck(edit))
    checks = by_level[plan.level]
    flat = [
        FlatLevel(
            level,
            [m for m in plan.questions if m.question.level == level],
            by_level[level],
            ids,
            set(ancestors(module, level)),
        )
        for level, ids in plan.flat_ids.items()
    ]
    spec_level = module.level_by_id[plan.level]
    if plan.id_columns and not plan.id_missing:
        checks.append(DuplicateIdCheck(plan.id_columns))
    if spec_level.parent in parents and plan.parent_id_columns:
        checks.append(
            LinkCheck(spec_level.parent, parents[spec_level.parent][1], plan.parent_id_columns)
        )
    return checks, flat


def _run_file(
    adapted: Adapted,
    plan: FilePlan,
    plans: dict[str, FilePlan],
    parents: dict[str, tuple[pd.DataFrame, np.ndarray]],
    letters: dict[str, SpecialKind],
    chunk_size: int | None,
    max_examples: int,
    threshold: float,
    thresholds: dict[str, float],
    language: str,
    keep: bool,
    progress: Progress | None,
) -> tuple[list[CheckResult], int, tuple[pd.DataFrame, np.ndarray] | None, dict[str, int]]:
    module = adapted.module
    spec_level = module.level_by_id[plan.level]
    parent = parents.get(spec_level.parent) if spec_level.parent else None
    if parent is not None and not plan.parent_id_columns:
        parent = None
    columns = [m.id for m in plan.questions] + (
        list(parent[0].columns) if parent is not None else []
    )
    derived_columns = derive(
        module, pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}), adapted.params
    ).columns
    context = Context(
        adapted,
        plan.level,
        str(plan.source.path),
        set(derived_columns),
        max_examples=max_examples,
        weighted=plan.weight is not None,
        nonresponse_threshold=threshold,
        thresholds=thresholds,
        language=language,
    )
    checks, flat = _checks(adapted, plan, plans, parents)
    needs_derived = _needs_derived(adapted, checks + [c for f in flat for c in f.checks])
    for check in checks:
        check.start(context)
    for view in flat:
        view.start(
            dataclasses.replace(
                context,
                level=view.level,
                columns={c for c in context.columns if _level_of(module, c) in view.levels},
            )
        )
    results = [_id_missing(adapted, plan, name) for name in plan.id_missing]
    offset = 0
    kept_values, kept_keys = [], []
    joiner = _ParentJoin(*parent) if parent is not None else None
    for raw in plan.source.chunks(plan.columns(), chunk_size):
        chunk = _chunk(plan, raw, offset, letters)
        if joiner is not None:
            joiner.join(chunk)
        if needs_derived:
            chunk.values = derive(module, chunk.values, adapted.params)
        for check in checks:
            check.chunk(chunk)
        for view in flat:
            view.chunk(
                chunk, [c for c in chunk.values.columns if _level_of(module, c) in view.levels]
            )
        if keep:
            kept_values.append(chunk.values[[m.id for m in plan.questions]])
            kept_keys.append(
                chunk.keys if chunk.keys is not None else np.zeros(len(chunk), dtype="uint64")
            )
        offset += len(chunk)
        if progress is not None:
            progress(plan.level, offset, plan.source.n_rows)
    context.rows = offset
    for check in checks:
        results.extend(check.end())
    for view in flat:
        results.extend(view.end())
    kept = None
    if keep:
        values = pd.concat(kept_values, ignore_index=True) if kept_values else pd.DataFrame()
        keys = np.concatenate(kept_keys) if kept_keys else np.zeros(0, dtype="uint64")
        kept = (values, keys)
    return results, offset, kept, {view.level: view.units for view in flat}


def _level_of(module, name: str) -> str | None:
    """The level of a question or derived variable (None for anything else)."""
    item = module.question_by_id.get(name) or module.derived_by_id.get(name)
    return item.level if item is not None else None


def _needs_derived(adapted: Adapted, checks: list[Check]) -> bool:
    """Whether any rule the checks evaluate reads a derived variable (else derive() is skipped)."""
    module = adapted.module
    texts: list[str] = []
    for check in checks:
        if isinstance(check, UniverseCheck) and check.universe:
            texts.append(check.universe)
        elif isinstance(check, QuestionValueCheck) and check.range_rule:
            texts.append(check.range_rule)
        elif isinstance(check, EditCheck):
            texts += [t for t in (check.edit.when, check.edit.check) if t]
    return any(name in module.derived_by_id for text in texts for name in referenced(module, text))


def _id_missing(adapted: Adapted, plan: FilePlan, name: str) -> CheckResult:
    tally = Tally(0)
    tally.total.count = 1
    result = result_from_tally(
        codes.ID_MISSING.code, "identifiers", tally, level=plan.level, variable=name
    )
    result.finding = Finding.make(
        codes.ID_MISSING,
        Location(file=str(plan.source.path), module=adapted.module.ref, variable=name),
        level=plan.level,
        variable=name,
    )
    return result


def _chunk(plan: FilePlan, raw: RawChunk, offset: int, letters: dict[str, SpecialKind]) -> Chunk:
    frame = raw.frame
    values, kinds, not_number, raw_values = {}, {}, {}, {}
    for mapped in plan.questions:
        values[mapped.id], kinds[mapped.id], not_number[mapped.id] = prepare_question(
            mapped, raw, letters
        )
        raw_values[mapped.id] = _display(frame[mapped.column], mapped)
    chunk = Chunk(
        offset,
        pd.DataFrame(values, index=frame.index),
        kinds,
        not_number,
        raw_values,
        ids=frame[plan.id_columns] if plan.id_columns else None,
    )
    if plan.weight:
        weight = pd.to_numeric(frame[plan.weight], errors="coerce").to_numpy(dtype="float64")
        chunk.weight = np.nan_to_num(weight, nan=0.0)
    if plan.by:
        chunk.group = frame[plan.by].map(_group_label, na_action="ignore").fillna("(missing)")
    if plan.id_columns and not plan.id_missing:
        chunk.keys = id_keys(frame[plan.id_columns])
    if plan.parent_id_columns:
        chunk.parent_keys = id_keys(frame[plan.parent_id_columns])
    for level, ids in plan.flat_ids.items():
        chunk.units[level] = (id_keys(frame[ids]), frame[ids]) if ids else (None, None)
    return chunk


def _display(column: pd.Series, mapped: MappedQuestion) -> pd.Series:
    """Values for examples: numbers as numbers (also when stored as text), other text as it is."""
    if mapped.is_text or not holds_text(column):
        return column
    numbers = pd.to_numeric(column, errors="coerce")
    return numbers.astype(object).where(numbers.notna(), column)


def _group_label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def id_keys(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row of identifier columns; 12, 12.0 and "12" hash alike.

    Collisions between different identifiers are possible in principle (about 1 in 10^12 for
    ten million rows) and would show as a duplicate.
    """
    normal = {}
    for position, name in enumerate(frame.columns):
        column = frame[name]
        if holds_text(column):
            text = column.astype("string").str.strip()
            numbers = pd.to_numeric(text, errors="coerce")
            column = numbers if numbers.notna().sum() == text.notna().sum() else text
        normal[position] = column.astype("float64") if column.dtype != "string" else column
    return pd.util.hash_pandas_object(pd.DataFrame(normal), index=False).to_numpy()


class _ParentJoin:
    """Parent-level values onto each child row, by the parent's identifiers; orphans get blanks."""

    def __init__(self, values: pd.DataFrame, keys: np.ndarray):
        first = ~pd.Index(keys).duplicated()
        self.lookup = pd.Index(keys[first])
        self.table = values[first].reset_index(drop=True)

    def join(self, chunk: Chunk) -> None:
        if chunk.parent_keys is None or self.table.empty:
            return
        positions = self.lookup.get_indexer(chunk.parent_keys)
        found = positions >= 0
        safe = np.where(found, positions, 0)
        for name in self.table.columns:
            if name in chunk.values.columns:
                continue
            column = self.table[name].to_numpy()[safe]
            if column.dtype == object:
                chunk.values[name] = np.where(found, column, None)
            else:
                chunk.values[name] = np.where(found, column.astype("float64"), np.nan)
