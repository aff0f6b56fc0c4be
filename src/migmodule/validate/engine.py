"""`validate_data`: check data files (one per level, or several read as one) against a module.

The run: plan the files (plan.py: which file is which level, what to read), build the checks from
the one table (checks/), read each file in chunks, turn each chunk into question-keyed values
(prepare.py), join the parent level's values onto child rows (the parent file is read first and
kept small: one row of values per parent unit), compute derived variables, and feed every check.
Returns a `Report`; raises `MigmoduleError` only for unusable input.
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from migmodule.expr.evaluate import PreparedExpressions, derive
from migmodule.expr.semantics import ancestors, referenced
from migmodule.microdata.multi import MultiSource
from migmodule.microdata.source import RawChunk
from migmodule.profile import Adapted, Profile, adapt, load_profile
from migmodule.validate.checks import CHECKS, Check, Context, Selection, Target
from migmodule.validate.cluster import client_for
from migmodule.validate.flat import FlatLevel
from migmodule.validate.plan import FilePlan, edit_home, plan_files, top_down
from migmodule.validate.prepare import Chunk, make_chunk
from migmodule.validate.report import CheckResult, Report
from migmodule.validate.settings import DEFAULT_CHUNK_SIZE, Progress, ValidationSettings

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "FileRun",
    "Progress",
    "Run",
    "ValidationSettings",
    "prepare_chunk",
    "validate_data",
]


@dataclasses.dataclass
class Kept:
    """What a parent file leaves for its child files, one row per parent row."""

    values: pd.DataFrame  # the parent questions' values
    keys: np.ndarray  # identifier keys
    ids: pd.DataFrame | None  # identifier columns (for examples)
    design: pd.DataFrame  # per question: rows blank by national design (bool columns)

    @classmethod
    def gather(cls, chunks: list[Chunk], questions: list[str]) -> Kept:
        if not chunks:
            return cls(pd.DataFrame(), np.zeros(0, dtype="uint64"), None, pd.DataFrame())
        ids = [c.ids for c in chunks if c.ids is not None]
        return cls(
            pd.concat([c.values[questions] for c in chunks], ignore_index=True),
            np.concatenate(
                [c.keys if c.keys is not None else np.zeros(len(c), "uint64") for c in chunks]
            ),
            pd.concat(ids, ignore_index=True) if ids else None,
            pd.concat(
                [
                    pd.DataFrame(
                        {q: c.design_blank[q] for q in questions if q in c.design_blank},
                        index=pd.RangeIndex(len(c)),
                    )
                    for c in chunks
                ],
                ignore_index=True,
            ).fillna(False),
        )

    @classmethod
    def joined(cls, parts: list[Kept]) -> Kept:
        """The kept values of a level's files, in file order, as one."""
        parts = [part for part in parts if len(part.keys)] or parts[:1]  # files with no rows
        if len(parts) == 1:
            return parts[0]
        ids = [part.ids for part in parts if part.ids is not None]
        return cls(
            pd.concat([part.values for part in parts], ignore_index=True),
            np.concatenate([part.keys for part in parts]),
            pd.concat(ids, ignore_index=True) if ids else None,
            pd.concat([part.design for part in parts], ignore_index=True).fillna(False),
        )


def validate_data(
    data: str | Path | Iterable[str | Path] | dict[str, str | Path] | None = None,
    module: str | Path | Adapted | None = None,
    *,
    profile: str | Path | Profile | None = None,
    settings: ValidationSettings | None = None,
    country: str | None = None,
    reference_date: str | None = None,
    params: dict[str, Any] | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> Report:
    """Validate data files against a module and return a Report (never raises for data problems).

    `data` is a path, several paths (each `PATH` or `LEVEL=PATH`) or a {level: path} dict; the
    profile's `files` (relative to the profile) fill in levels not given. `country`,
    `reference_date` and `params` override the profile's. How to validate is `settings`, or the
    same as keywords: weight, by, max_examples, chunk_size (None: each file at once), encoding,
    missing_map (LETTER -> kind), nonresponse_threshold, thresholds, language, checks, skip,
    read_ahead, engine ("local" or "dask"), scheduler (a Dask address), workers, jobs (local
    processes sharing each large file: jobs.py) and min_rows_per_job. A PATH may be a glob or a
    folder: its files are one level (microdata/multi.py).
    """
    started = time.perf_counter()
    settings = ValidationSettings.given(settings, options)
    selection = Selection.of(settings.checks, settings.skip)
    adapted, profile_dir = adapted_for_run(module, profile, country, reference_date, params)
    plans = plan_files(adapted, data, profile_dir, settings)
    if settings.jobs != 1:  # the worker processes' server starts while the run is set up
        from migmodule.validate.jobs import warm_up

        warm_up(plans.values(), settings)
    run = Run(adapted, plans, settings, selection, progress)
    results = run.run_checks()
    files: dict[str, dict[str, Any]] = {}
    with client_for(settings) as run.client:
        for level in top_down(adapted.module, plans):
            level_results, files[level] = FileRun(run, plans[level]).run()
            results.extend(level_results)
    return Report(
        adapted.module.ref,
        adapted.profile_name,
        files,
        results,
        settings.to_report(),
        time.perf_counter() - started,
        generic=adapted.generic,
    )


def adapted_for_run(
    module: str | Path | Adapted | None,
    profile: str | Path | Profile | None,
    country: str | None,
    reference_date: str | None,
    params: dict[str, Any] | None,
) -> tuple[Adapted, Path | None]:
    """The adapted module of a run (the profile's first, or `module`), with the folder relative
    paths of the profile are read from (None without a profile file)."""
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


@dataclasses.dataclass
class Run:
    """What every file of one validation shares."""

    adapted: Adapted
    plans: dict[str, FilePlan]
    settings: ValidationSettings
    selection: Selection
    progress: Progress | None
    parents: dict[str, Kept] = dataclasses.field(default_factory=dict)
    client: Any = None  # a dask.distributed Client with --engine dask (cluster.py)
    # Shared by the files of the run (and by the tasks of one Dask worker, which keeps the run it
    # was sent): each rule compiled once, the names each set of columns gives.
    expressions: PreparedExpressions | None = None
    names: dict[tuple[str, ...], set[str]] = dataclasses.field(default_factory=dict)

    def available(self, columns: list[str]) -> set[str]:
        """`available_names` of these columns, computed once per run."""
        key = tuple(columns)
        if key not in self.names:
            self.names[key] = available_names(self.adapted, columns)
        return set(self.names[key])

    def build(self, target: Target, scopes: tuple[str, ...]) -> list[Check]:
        """The selected checks of these scopes for one target, in the table's order."""
        return [
            check
            for kind in CHECKS
            if kind.scope in scopes and self.selection.wants(kind)
            for check in kind.build(target)
        ]

    def run_checks(self) -> list[CheckResult]:
        """The checks that read no file (coverage), reported first."""
        first = next(iter(self.plans.values()))
        context = self.context(str(first.source.path), "", set(), weighted=False)
        results = []
        for check in self.build(Target(self.adapted, self.plans), ("run",)):
            check.start(context)
            results += self.selection.keep(check, check.end())
        return results

    def context(self, file: str, level: str, columns: set[str], weighted: bool) -> Context:
        settings = self.settings
        if self.expressions is None:
            self.expressions = PreparedExpressions(self.adapted.module, self.adapted.params)
        context = Context(
            self.adapted,
            level,
            file,
            columns,
            max_examples=settings.max_examples,
            weighted=weighted,
            nonresponse_threshold=settings.nonresponse_threshold,
            thresholds=dict(settings.thresholds),
            language=settings.language,
        )
        context.expressions = self.expressions  # its cached_property, computed once per run
        return context


class FileRun:
    """One file: its checks (own level, and upper levels read from it), fed chunk by chunk."""

    def __init__(self, run: Run, plan: FilePlan):
        self.run_ = run
        self.plan = plan
        module = run.adapted.module
        self.module = module
        parent_level = module.level_by_id[plan.level].parent
        parent = run.parents.get(parent_level) if plan.parent_id_columns else None
        self.joiner = ParentJoin(parent) if parent is not None else None
        self.keep = any(module.level_by_id[child].parent == plan.level for child in run.plans)
        columns = [m.id for m in plan.questions] + (list(parent.values.columns) if parent else [])
        self.context = run.context(
            str(plan.source.path),
            plan.level,
            run.available(columns),
            plan.weight is not None,
        )
        self.context.variables = {m.id: m.column for m in plan.questions if m.column}
        self.direct: list[tuple[Check, Context]] = []
        self.views: list[tuple[FlatLevel, Context]] = []
        target = Target(run.adapted, run.plans, plan, plan.level, self._edits(plan.level))
        if parent is not None:
            target.parent_keys, target.parent_ids = parent.keys, parent.ids
        self._build(target)
        self._rules_read(columns)

    def _rules_read(self, columns: list[str]) -> None:
        """What the checks' rules read: whether derived variables are needed, and what is absent."""
        module = self.module
        every = [c for c, _ in self.direct] + [c for view, _ in self.views for c in view.checks]
        read = _reads(module, [text for check in every for text in check.expressions()])
        self.needs_derived = any(name in module.derived_by_id for name in read)
        self._absent(read, columns)

    def _absent(self, read: set[str], columns: list[str]) -> None:
        """Questions the rules read that the data lack: each chunk gets them as columns that are
        unknown on every row (and so are derived variables computed from them)."""
        module = self.module
        self.absent = [q.id for q in module.questions if q.id in read and q.id not in columns]
        if not self.absent:
            return
        available = self.run_.available(columns + self.absent)
        absent = set(self.absent)
        for item in module.derived:
            if item.id in available and _reads(module, _derived_texts(item)) & absent:
                absent.add(item.id)
        for context in [self.context, *(c for _, c in self.direct), *(c for _, c in self.views)]:
            levels = set(ancestors(module, context.level))
            mine = {n for n in available if _level_of(module, n) in levels}
            context.columns |= mine
            context.absent |= absent & mine

    def _build(self, target: Target) -> None:
        """The file's own level's checks, and for each upper level read from the file, a FlatLevel
        feeding its row checks one row per unit (its file checks see every row)."""
        run, module = self.run_, self.module
        self.direct = [(check, self.context) for check in run.build(target, ("rows", "file"))]
        for level in self.plan.flat_ids:
            upper = dataclasses.replace(target, level=level, edits=self._edits(level))
            levels = set(ancestors(module, level))
            context = dataclasses.replace(
                self.context,
                level=level,
                columns={c for c in self.context.columns if _level_of(module, c) in levels},
            )
            context.expressions = self.context.expressions
            self.views.append((FlatLevel(level, run.build(upper, ("rows",)), levels), context))
            self.direct += [(check, context) for check in run.build(upper, ("file",))]

    def _edits(self, level: str) -> list:
        """The edits checked on the rows of `level` in this file."""
        plan, module = self.plan, self.module
        homed = [e for e in module.edits if edit_home(module, e, self.run_.plans) == plan.level]
        if level != plan.level:
            return [e for e in homed if e.level == level]
        return [e for e in homed if e.level not in plan.flat_ids]

    def run(self) -> tuple[list[CheckResult], dict[str, Any]]:
        self.start()
        if self.run_.client is not None:  # checked on the Dask workers, merged here
            from migmodule.validate.cluster import checked_on_cluster

            rows, kept = checked_on_cluster(self.run_.client, self)
            return self.finish(rows, kept)
        if self.run_.settings.jobs != 1:  # ranges of rows checked by local processes, merged here
            from migmodule.validate.jobs import checked_in_processes, pieces

            split = pieces(self.plan.source, self.run_.settings)
            if len(split) > 1:
                rows, kept = checked_in_processes(self, split)
                return self.finish(rows, kept)
        rows, _, kept = self.read(self.raw_chunks(), self.run_.progress)
        return self.finish(rows, kept)

    def start(self) -> None:
        for check, context in self.direct:
            check.start(context)
        for view, context in self.views:
            view.start(context)

    @property
    def parts(self) -> list[Check | FlatLevel]:
        """What holds a partial result (Check.state), in an order every run of the file shares:
        the file's checks, then each upper level read from it."""
        return [check for check, _ in self.direct] + [view for view, _ in self.views]

    def narrow(self, wanted: list[bool]) -> None:
        """Keep only the parts (`parts` order) `wanted` names, and no values for child files:
        a file checked again for what could not be merged (cluster.py)."""
        count = len(self.direct)
        self.direct = [d for d, keep in zip(self.direct, wanted[:count], strict=True) if keep]
        self.views = [v for v, keep in zip(self.views, wanted[count:], strict=True) if keep]
        self.keep = False

    def finish(
        self, rows: int, kept: Kept | None, columns: list[str] | None = None
    ) -> tuple[list[CheckResult], dict[str, Any]]:
        """Every check's results once the file's rows are fed (or merged), and the file's entry
        in the report (`columns`: those read, when more than this run's: several modules)."""
        if kept is not None:
            self.run_.parents[self.plan.level] = kept
        self.context.rows = rows
        keep = self.run_.selection.keep
        results = [r for check, _ in self.direct for r in keep(check, check.end())]
        for view, _ in self.views:
            results += [r for check, found in view.end() for r in keep(check, found)]
        info: dict[str, Any] = {
            "path": str(self.plan.source.path),
            "format": self.plan.source.format,
            "rows": rows,
            "columns_read": columns if columns is not None else self.plan.columns(),
        }
        if self.views:  # flat file: units of each upper level read from it
            info["units"] = {view.level: view.units for view, _ in self.views}
        source = self.plan.source
        if isinstance(source, MultiSource):  # several files for the level: each example's file
            info["files"] = [{"path": str(p.path), "rows": p.rows} for p in source.parts]
            _name_files(results, source)
        return results, info

    def read(
        self, chunks: Iterable[RawChunk], progress: Progress | None
    ) -> tuple[int, int, Kept | None]:
        """Feed every chunk (raw, in file order) to the checks: (rows of the level, rows read
        from the file, the values kept for child files or None)."""
        plan = self.plan
        offset = rows = 0
        kept: list[Chunk] = []
        tell = FileProgress(plan, progress)
        for chunk, read in prepared(plan, chunks, self.run_.settings.missing_map):
            self.feed(chunk)
            if self.keep:  # kept for the child files' values, not the rules' masks
                chunk.cache.clear()
                chunk.columns_read.clear()
                kept.append(chunk)
            offset += read
            rows += len(chunk)
            tell(offset)
        tell(offset, done=True)
        if not self.keep:
            return rows, offset, None
        return rows, offset, Kept.gather(kept, [m.id for m in plan.questions])

    def raw_chunks(
        self, source: Any = None, rows: tuple[int, int] | None = None
    ) -> Iterator[RawChunk]:
        """The raw chunks of the file (or of one of its files, `source`; only its rows [start,
        stop) when `rows` is given), the next one read in a thread while the checks run on this
        one."""
        plan, settings = self.plan, self.run_.settings
        source = source or plan.source
        if rows is None:
            chunks = source.chunks(plan.columns(), settings.chunk_size)
        else:
            chunks = source.chunks(plan.columns(), settings.chunk_size, rows)
        if settings.read_ahead and settings.chunk_size is not None:
            chunks = read_ahead(chunks)
        return chunks

    def feed(self, chunk: Chunk) -> None:
        if self.joiner is not None:
            self.joiner.join(chunk)
        self._undetermined(chunk)
        if self.needs_derived:
            chunk.values = derive(
                self.module,
                chunk.values,
                self.run_.adapted.params,
                prepared=self.context.expressions,
            )
            if chunk.undetermined:
                _derived_undetermined(self.module, chunk)
        for check, _ in self.direct:
            check.chunk(chunk)
        for view, _ in self.views:
            columns = [c for c in chunk.values.columns if _level_of(self.module, c) in view.levels]
            view.chunk(chunk, columns)

    def _undetermined(self, chunk: Chunk) -> None:
        """What the rules cannot know: cells blank by design, and every row of an absent variable
        (and of a derived variable computed from one)."""
        chunk.undetermined = dict(chunk.design_blank)
        every = np.ones(len(chunk), dtype=bool)
        values = chunk.values
        if self.absent and not values.columns.isin(self.absent).any():
            # one read-only column of blanks shared by all of them, not one insertion (and copy
            # of the index) each, nor a 2-D block pandas copies again (0.1 s of a 1M-row run)
            blank = np.full(len(values), np.nan)
            blank.setflags(write=False)
            extra = pd.DataFrame(dict.fromkeys(self.absent, blank), index=values.index, copy=False)
            chunk.values = pd.concat([values, extra], axis=1)
        else:
            for name in self.absent:
                values[name] = np.nan
        for name in self.absent:
            chunk.undetermined[name] = every


def _name_files(results: list[CheckResult], source: MultiSource) -> None:
    """Each example of a level read from several files gets its file (`data_file`) and its
    1-based row there (`data_row`); `row` stays the row in the level, all files in a row."""
    for result in results:
        for example in result.examples:
            row = example.get("row")
            if isinstance(row, int) and "file" not in example:  # "file": the parent's example
                part, inside = source.part_of(row - 1)
                example["data_file"], example["data_row"] = str(part.path), inside + 1


class FileProgress:
    """The progress callback of one file, with a total: rows (of the file's header or metadata),
    or bytes for a CSV file, whose rows are not counted before it is read (the bytes done are
    estimated from the mean width of its first lines, and exact at the end)."""

    def __init__(self, plan: FilePlan, progress: Progress | None):
        self.progress, self.level = progress, plan.level
        source = plan.source
        self.total, self.width = source.n_rows, None
        if progress is not None and self.total is None and source.format == "csv":
            if isinstance(source, MultiSource):
                self.width = _csv_width(source.sources[0].path)[1]
                self.total = max(source.size, 1)
            else:
                self.total, self.width = _csv_width(source.path)

    def __call__(self, rows: int, done: bool = False) -> None:
        if self.progress is None:
            return
        if self.width is None:
            self.progress(self.level, rows, self.total)
        elif done:
            self.progress(self.level, self.total, self.total)
        else:
            self.progress(self.level, min(round(rows * self.width), self.total - 1), self.total)


def _csv_width(path: Path) -> tuple[int, float]:
    """A CSV file's size in bytes and the mean width of a row among its first MB of lines."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        sample = handle.read(1 << 20)
    lines = sample.count(b"\n")
    if len(sample) < size:  # the last line of the sample is cut
        sample, lines = sample[: sample.rfind(b"\n") + 1], max(lines, 1)
    header = sample.find(b"\n") + 1
    return max(size, 1), (len(sample) - header) / max(lines - 1, 1) or 1.0


_DONE = object()


def read_ahead(chunks: Iterator[RawChunk], depth: int = 1) -> Iterator[RawChunk]:
    """The same chunks, the next one read by a thread while the checks run on this one (the
    readers, in Rust or C, let go of the GIL while they read). An error of the reader is raised
    here, where the chunk would have come; stopping early stops the thread at its next chunk."""
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                ready.put(chunk)
            ready.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            ready.put(exc)

    thread = threading.Thread(target=produce, name="migmodule-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a blocked put finish
            try:
                ready.get_nowait()
            except queue.Empty:
                thread.join(0.05)


def prepared(
    plan: FilePlan, chunks: Iterable[RawChunk], missing_map: Any
) -> Iterator[tuple[Chunk, int]]:
    """Raw chunks of one file as prepared chunks (prepare.py), with the rows each read: only the
    level's rows when the profile filters them; rows numbered from the file's first."""
    offset = 0
    for raw in chunks:
        read = len(raw.frame)
        yield prepare_chunk(plan, raw, offset, missing_map), read
        offset += read


def prepare_chunk(plan: FilePlan, raw: RawChunk, offset: int, missing_map: Any) -> Chunk:
    """One raw chunk as a prepared chunk (prepare.py), its rows numbered from `offset`: only the
    level's rows when the profile filters them."""
    positions = level_rows(plan, raw)
    if positions is not None:
        raw = subset_rows(raw, positions)
    chunk = make_chunk(plan, raw, offset, missing_map)
    if positions is not None:
        chunk.rows = offset + positions
    return chunk


def level_rows(plan: FilePlan, raw: RawChunk) -> np.ndarray | None:
    """Positions of the rows of this level when the profile filters the file's rows (one roster
    feeding two levels, visitors left out), None when every row belongs."""
    if plan.layer is None or not plan.row_filter:
        return None
    return np.flatnonzero(plan.layer.rows(raw.frame, plan.level))


def subset_rows(raw: RawChunk, positions: np.ndarray) -> RawChunk:
    """The rows at `positions` of a raw chunk (frame and Stata missing letters alike)."""
    return RawChunk(
        raw.frame.iloc[positions].reset_index(drop=True),
        {name: letters[positions] for name, letters in raw.letters.items()},
    )


def _derived_texts(item) -> list[str]:
    return [c.when for c in item.cases or [] if c.when] + [
        t for t in (item.expression, item.when) if t
    ]


def _reads(module, texts: Iterable[str]) -> set[str]:
    """The question and derived ids expressions read, with what those derived variables read."""
    read: set[str] = set()
    pending = [name for text in texts for name in referenced(module, text)]
    while pending:
        name = pending.pop()
        if name in read:
            continue
        read.add(name)
        item = module.derived_by_id.get(name)
        if item is not None:
            pending += [n for text in _derived_texts(item) for n in referenced(module, text)]
    return read


def _derived_undetermined(module, chunk: Chunk) -> None:
    """A derived value is undetermined where a variable it reads is (spec order: derived
    variables may read earlier ones)."""
    for item in module.derived:
        if item.id not in chunk.values.columns:
            continue
        masks = [
            chunk.undetermined[name]
            for name in _reads(module, _derived_texts(item))
            if name in chunk.undetermined
        ]
        if masks:
            chunk.undetermined[item.id] = np.logical_or.reduce(masks)


def available_names(adapted: Adapted, columns: list[str]) -> set[str]:
    """The names each chunk's values will have: the columns read, and what derive() adds.

    derive() adds a derived variable when every name it reads is there, in spec order (one may
    read an earlier one): the same rule is followed here on the names alone, without evaluating
    every expression on an empty frame (0.03 s a call).
    """
    module = adapted.module
    names = set(columns)
    for item in module.derived:
        if {name for text in _derived_texts(item) for name in referenced(module, text)} <= names:
            names.add(item.id)
    return names


def _level_of(module, name: str) -> str | None:
    """The level of a question or derived variable (None for anything else)."""
    item = module.question_by_id.get(name) or module.derived_by_id.get(name)
    return item.level if item is not None else None


class ParentJoin:
    """Parent-level values onto each child row, by the parent's identifiers; orphans get blanks.
    A parent answer blank by national design stays so on its children's rows."""

    def __init__(self, parent: Kept):
        first = ~pd.Index(parent.keys).duplicated()
        self.lookup = pd.Index(parent.keys[first])
        self.table = parent.values[first].reset_index(drop=True)
        self.design = parent.design[first].reset_index(drop=True) if len(parent.design) else None

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
            if self.design is not None and name in self.design.columns:
                chunk.design_blank[name] = found & self.design[name].to_numpy(dtype=bool)[safe]
