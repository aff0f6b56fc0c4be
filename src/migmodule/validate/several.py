"""`validate_modules`: data files checked against several modules at once, each file read once.

Modules that `use` the same shared module (person-core, work-abroad) carry the same shared
questions, edits and levels. Here each file is read once and every module's checks are fed from
the same chunks; a shared element (same `shared_from`, same id: `spec.shared.duplicates`) is
checked by the first module that carries it and left out of the later ones, so its findings
appear once. Every result says which module it comes from (`CheckResult.module`): the shared
module for a shared element, else the module itself. The national layer of the profile applies
per module; what it says of a shared question in one module (name, recode, universe) is lent to
the others that carry it, so a national name given once works for all.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from migmodule.codes import Finding
from migmodule.microdata.multi import MultiSource
from migmodule.profile import Adapted, Profile, adapt, load_profile
from migmodule.spec.shared import align_adapted_texts, duplicates, shared_from
from migmodule.validate.checks import (
    Check,
    DuplicateIdCheck,
    LinkCheck,
    MissingIdCheck,
    Selection,
    Target,
)
from migmodule.validate.engine import FileProgress, FileRun, Kept, Run, prepare_chunk, read_ahead
from migmodule.validate.plan import FilePlan, plan_files
from migmodule.validate.prepare import Chunk
from migmodule.validate.report import CheckResult, Report
from migmodule.validate.settings import Progress, ValidationSettings

__all__ = ["validate_modules"]

# Checks about a level's identifiers: checked once when the level is shared.
_LEVEL_CHECKS = (MissingIdCheck, DuplicateIdCheck, LinkCheck)
_LEVEL_CODES = frozenset(issue.code for check in _LEVEL_CHECKS for issue in check.issues)
# What a profile says of one question, lent to the other modules that share it.
_PER_QUESTION = ("variables", "derive", "recodes", "universes")


def validate_modules(
    data: Any = None,
    modules: Sequence[str | Path | Adapted] = (),
    *,
    profile: str | Path | Profile | None = None,
    settings: ValidationSettings | None = None,
    country: str | None = None,
    reference_date: str | None = None,
    params: dict[str, Any] | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> Report:
    """Validate data files against several modules at once and return one Report.

    `modules` are references (`labour-migration@2.0.0`), spec paths or Adapted modules, in the
    order that decides which module checks a shared question (the first that carries it). The
    other arguments are those of `validate_data`. Raises MigmoduleError SPEC-USES-008 (before
    any file is read) when the modules pin versions of a shared module that define a common
    element differently (`spec.shared.check_shared_versions`). The report's
    `modules` lists the modules; each result's `module` is where its element comes from.
    """
    started = time.perf_counter()
    settings = ValidationSettings.given(settings, options)
    if settings.engine != "local":
        raise ValueError("several modules are validated with the local engine only")
    if settings.jobs != 1:
        raise ValueError("several modules are validated with jobs=1 only")
    selection = Selection.of(settings.checks, settings.skip)
    adapted, profile_dir = adapt_modules(modules, profile, country, reference_date, params)
    # Refuses as check_shared_versions does; where versions differ in their texts only, the
    # newest texts are used and the report says so (SPEC-USES-010, an info result).
    adapted, aligned = align_adapted_texts(adapted)
    adapted = lend_national_names(adapted)
    owned = _owned_elsewhere(adapted)
    runs = []
    for index, one in enumerate(adapted):
        plans = plan_files(one, data, profile_dir, settings)
        runs.append(_ModuleRun(one, plans, settings, selection, progress, elsewhere=owned[index]))
    per_module: list[list[CheckResult]] = [run.run_checks() for run in runs]
    files: dict[str, dict[str, Any]] = {}
    for group in _file_groups(runs):
        for index, results, level, info in _SharedRead(group, settings, progress).run():
            per_module[index] += results
            files.setdefault(level, info)
    results = [CheckResult(f.code, "shared_versions", finding=f) for f in aligned]
    for run, found in zip(runs, per_module, strict=True):
        results += [_attributed(run, r) for r in found if not run.shared_elsewhere(r)]
    refs = [a.module.ref for a in adapted]
    return Report(
        ", ".join(refs),
        adapted[0].profile_name,
        files,
        results,
        settings.to_report(),
        time.perf_counter() - started,
        modules=refs,
        generic=adapted[0].generic,
    )


def adapt_modules(
    modules: Sequence[str | Path | Adapted],
    profile: str | Path | Profile | None,
    country: str | None = None,
    reference_date: str | None = None,
    params: dict[str, Any] | None = None,
) -> tuple[list[Adapted], Path | None]:
    """Each module as the profile adapts it (a module the profile does not list gets the profile's
    country and date), in the order given, a module given twice once; and the profile's folder."""
    profile_dir = None
    if isinstance(profile, (str, Path)):
        profile_dir = Path(profile).resolve().parent
        profile = load_profile(profile)
    adapted: list[Adapted] = []
    for module in modules:
        if isinstance(module, Adapted):
            one = module
        else:
            ref = str(module)
            one = adapt(
                profile, ref, country=country, reference_date=reference_date, params=params
            )[0]
        if all(one.module.ref != other.module.ref for other in adapted):
            adapted.append(one)
    if not adapted:
        raise ValueError("give at least one module")
    return adapted, profile_dir


def lend_national_names(adapted: list[Adapted]) -> list[Adapted]:
    """What a profile says of a shared question or level in one module (national variable name,
    derive, recode, national universe, identifier names, the level's file), given to each other
    module that carries the same shared element and says nothing of it."""
    lent = []
    for one in adapted:
        settings, recodes = one.settings, dict(one.recodes or {})
        updates: dict[str, Any] = {}
        for other in adapted:
            if other is one:
                continue
            for key in _PER_QUESTION:
                mine = dict(updates.get(key, getattr(settings, key)))
                for question_id, value in getattr(other.settings, key).items():
                    if question_id not in mine and _same_shared(one, other, question_id):
                        mine[question_id] = value
                        if key == "recodes" and question_id in (other.recodes or {}):
                            recodes[question_id] = other.recodes[question_id]
                updates[key] = mine
            for key in ("ids", "files", "levels"):
                mine = dict(updates.get(key, getattr(settings, key)))
                for name, value in getattr(other.settings, key).items():
                    if name not in mine and _lends_level_setting(one, other, key, name):
                        mine[name] = value
                updates[key] = mine
        if updates:
            settings = settings.model_copy(update=updates)
        lent.append(dataclasses.replace(one, settings=settings, recodes=recodes))
    return lent


def _same_shared(one: Adapted, other: Adapted, item_id: str) -> bool:
    origin = shared_from(one.module, item_id)
    return origin is not None and origin == shared_from(other.module, item_id)


def _lends_level_setting(one: Adapted, other: Adapted, key: str, name: str) -> bool:
    """`ids` are keyed by identifier (lent when every level of `one` naming it is shared);
    `files` and `levels` by level."""
    if key == "ids":
        levels = [lv.id for lv in one.module.levels if name in lv.id_variables]
        return bool(levels) and all(_same_shared(one, other, lv) for lv in levels)
    return _same_shared(one, other, name)


def _owned_elsewhere(adapted: list[Adapted]) -> list[dict[str, set[str]]]:
    """Per module, the shared questions, edits, derived variables and levels an earlier module
    carries (and so checks): {"questions": ids, "edits": ids, "levels": ids}."""
    kinds = {
        "questions": lambda a: [q.id for q in a.questions],
        "edits": lambda a: [e.id for e in a.module.edits],
        "derived": lambda a: [d.id for d in a.module.derived],
        "levels": lambda a: [lv.id for lv in a.module.levels],
    }
    owned: list[dict[str, set[str]]] = [{kind: set() for kind in kinds} for _ in adapted]
    for kind, ids in kinds.items():
        found = duplicates([(a.module, ids(a)) for a in adapted])
        for index, item_id in found:
            owned[index][kind].add(item_id)
    return owned


@dataclasses.dataclass
class _ModuleRun(Run):
    """One module's share of the run: its checks leave out what an earlier module checks."""

    elsewhere: dict[str, set[str]] = dataclasses.field(default_factory=dict)

    def build(self, target: Target, scopes: tuple[str, ...]) -> list[Check]:
        return [c for c in super().build(target, scopes) if not self._checked_elsewhere(c, target)]

    def _checked_elsewhere(self, check: Check, target: Target) -> bool:
        mapped = getattr(check, "mapped", None)
        if mapped is not None:
            return mapped.id in self.elsewhere["questions"]
        edit = getattr(check, "edit", None)
        if edit is not None:
            return edit.id in self.elsewhere["edits"]
        if isinstance(check, _LEVEL_CHECKS):
            return target.level in self.elsewhere["levels"]
        return False  # checks of the whole run or of a level's answers: their results are sorted

    def shared_elsewhere(self, result: CheckResult) -> bool:
        """A result on an element an earlier module checks (coverage, level consistency...)."""
        if result.question is not None:
            return result.question in self.elsewhere["questions"] | self.elsewhere["derived"]
        if result.edit is not None:
            return result.edit in self.elsewhere["edits"]
        return result.code in _LEVEL_CODES and result.level in self.elsewhere["levels"]

    def origin(self, result: CheckResult) -> str:
        """The module a result's element comes from: its shared module, else this module."""
        module = self.adapted.module
        for item_id in (result.question, result.edit):
            if item_id is not None:
                return shared_from(module, item_id) or module.ref
        if result.code in _LEVEL_CODES and result.level is not None:
            return shared_from(module, result.level) or module.ref
        return module.ref


def _attributed(run: _ModuleRun, result: CheckResult) -> CheckResult:
    """The result with its module, and its finding located in that module."""
    result.module = run.origin(result)
    finding = result.finding
    if finding is not None and finding.location.module != result.module:
        location = dataclasses.replace(finding.location, module=result.module)
        result.finding = Finding(
            finding.code, finding.severity, finding.message, location, finding.values
        )
    return result


def _source_key(plan: FilePlan) -> tuple[str, ...]:
    source = plan.source
    if isinstance(source, MultiSource):
        return tuple(str(s.path.resolve()) for s in source.sources)
    return (str(source.path.resolve()),)


def _file_groups(runs: list[_ModuleRun]) -> list[list[tuple[int, _ModuleRun, FilePlan]]]:
    """The files of the run, each with the modules that read it, upper levels first (a child
    file joins its parent's values, so every module's parent file is read before)."""
    groups: dict[tuple[str, ...], list[tuple[int, _ModuleRun, FilePlan]]] = {}
    depth: dict[tuple[str, ...], int] = {}
    for index, run in enumerate(runs):
        module = run.adapted.module
        for level, plan in run.plans.items():
            key = _source_key(plan)
            groups.setdefault(key, []).append((index, run, plan))
            below = len(_ancestors(module, level))
            depth[key] = max(depth.get(key, 0), below)
    return [groups[key] for key in sorted(groups, key=lambda k: depth[k])]


def _ancestors(module, level: str) -> list[str]:
    from migmodule.expr.semantics import ancestors

    return ancestors(module, level)


class _SharedRead:
    """One file read once: the raw chunks are read with every module's columns and each module
    prepares its own Chunk from them (its mapping and national layer) and feeds its checks."""

    def __init__(
        self,
        group: list[tuple[int, _ModuleRun, FilePlan]],
        settings: ValidationSettings,
        progress: Progress | None,
    ):
        source = group[0][2].source
        for _, _, plan in group:
            plan.source = source  # one reader; a level read from several files names each part
        self.members = [(index, FileRun(run, plan)) for index, run, plan in group]
        self.settings, self.progress, self.source = settings, progress, source
        self.columns = list(dict.fromkeys(name for _, _, plan in group for name in plan.columns()))

    def run(self) -> list[tuple[int, list[CheckResult], str, dict[str, Any]]]:
        settings = self.settings
        for _, file_run in self.members:
            file_run.start()
        rows = [0] * len(self.members)
        kept: list[list[Chunk]] = [[] for _ in self.members]
        tell = FileProgress(self.members[0][1].plan, self.progress)
        chunks = self.source.chunks(self.columns, settings.chunk_size)
        if settings.read_ahead and settings.chunk_size is not None:
            chunks = read_ahead(chunks)
        offset = 0
        for raw in chunks:
            for k, (_, file_run) in enumerate(self.members):
                chunk = prepare_chunk(file_run.plan, raw, offset, settings.missing_map)
                file_run.feed(chunk)
                if file_run.keep:
                    kept[k].append(chunk)
                rows[k] += len(chunk)
            offset += len(raw.frame)
            tell(offset)
        tell(offset, done=True)
        out = []
        for k, (index, file_run) in enumerate(self.members):
            plan = file_run.plan
            chunks = Kept.gather(kept[k], [m.id for m in plan.questions]) if file_run.keep else None
            results, info = file_run.finish(rows[k], chunks, self.columns)
            out.append((index, results, plan.level, info))
        return out
