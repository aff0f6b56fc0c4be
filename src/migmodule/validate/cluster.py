"""`--engine dask`: the files of a level checked on a Dask cluster, one task per file.

A census delivered as one file per region (or as Parquet partitions) is checked by as many
workers as the cluster has: each task reads one file, prepares its chunks (prepare.py: the
national layer, codes, kinds of missing, identifier keys) and feeds them to the file's checks,
then sends back the checks' partial results (`Check.state`: counts, the first examples, the
distinct identifier keys, a flat file's units), small beside the rows. The client merges them in
file order (`Check.absorb`, rules in checks/partial.py) and calls `end()`, so the report is the
one a single run gives: counts add up, row numbers go on from file to file, examples are the
first N in file order, a duplicate identifier across two files is found, and a household whose
rows are in two files of a flat file is compared across them (that file is checked again from
the units it shares with the earlier files: `Check.carry`). A parent level's files send back the
values their child files join (one row per unit). At most `window` files are in flight at once.

Without an address (`--scheduler`) a local cluster of `workers` processes on 127.0.0.1 starts
for the run and stops after it. With one, the run joins that scheduler (started by
dask-jobqueue, dask-kubernetes, Coiled or `dask scheduler`); its workers need migmodule installed
and the data files at the same paths (a shared file system).

`merged` is the merge itself, for any `Tasks`: `--jobs N` (jobs.py) gives it ranges of rows of one
large file, checked by local processes, and the same merge makes the same report.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from migmodule.microdata.multi import MultiSource
from migmodule.microdata.source import RawChunk
from migmodule.validate.plan import FilePlan
from migmodule.validate.settings import ValidationSettings

if TYPE_CHECKING:  # engine imports this module
    from migmodule.validate.engine import FileRun, Kept, Run


class EngineUnavailable(RuntimeError):
    """Dask is not installed, or no scheduler answers at the address given (the CLI says so as a
    usage error: it is the --engine / --scheduler option that cannot be used)."""


ENGINES = ("local", "dask")


@contextmanager
def client_for(settings: ValidationSettings) -> Iterator[Any]:
    """A dask.distributed Client for the run (None for the local engine)."""
    if settings.engine == "local":
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineUnavailable(
            "--engine dask: Dask is not installed (pip install 'migmodule[cluster]')"
        ) from None
    if settings.scheduler:
        try:
            client = Client(settings.scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise EngineUnavailable(
                f"--scheduler {settings.scheduler}: no Dask scheduler answers there ({exc})"
            ) from None
        with client:
            yield client
        return
    cluster = LocalCluster(
        n_workers=settings.workers or 2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    )
    with cluster, Client(cluster) as client:
        yield client


@dataclasses.dataclass
class FilePartial:
    """What the task of one file (or of a range of its rows) sends back."""

    states: list[Any]  # each check's partial result (FileRun.parts order)
    rows: int  # rows of the level (a profile may filter the file's rows)
    read: int  # rows read from the file
    kept: Kept | None = None  # the values a child level joins (a parent level's file)


@dataclasses.dataclass(frozen=True)
class Piece:
    """What one task checks: the index-th file of the level (0 when the level is one file),
    whole, or only its rows [start, stop) (`--jobs`: a large file split between processes)."""

    index: int
    rows: tuple[int, int] | None = None

    @property
    def first_of_file(self) -> bool:
        return self.rows is None or self.rows[0] == 0


class Tasks(Protocol):
    """Where the pieces of a level are checked: a Dask cluster (here) or local processes
    (jobs.py). `submit` starts `check_file` on a piece, `result` waits for what it sends back."""

    def submit(self, piece: Piece, carried: list[Any] | None = None) -> Any: ...

    def result(self, handle: Any) -> FilePartial: ...


def check_file(
    run: Run,
    plan: FilePlan,
    index: int,
    carried: list[Any] | None = None,
    rows: tuple[int, int] | None = None,
    counted: Callable[[int], None] | None = None,
) -> FilePartial:
    """One task: the index-th file of a level checked (only its rows [start, stop) when `rows`
    is given), rows numbered from its first. `carried` (per check, None or what `Check.carry`
    gave: the units of earlier pieces it shares): the piece checked again, only by the checks
    that carry, from those units (the others' states None). `counted` is told the rows of each
    chunk read (the progress of a worker process)."""
    from migmodule.validate.engine import FileRun

    file_run = FileRun(run, plan)
    if carried is not None:
        file_run.narrow([seed is not None for seed in carried])
    file_run.start()
    seeds = [seed for seed in carried or [] if seed is not None]
    for part, seed in zip(file_run.parts, seeds, strict=bool(seeds)):
        part.seed(seed)
    source = plan.source.sources[index] if isinstance(plan.source, MultiSource) else plan.source
    chunks = file_run.raw_chunks(source, rows)
    if counted is not None:
        chunks = _counting(chunks, counted)
    read_rows, read, kept = file_run.read(chunks, None)
    states = iter(part.state() for part in file_run.parts)
    if carried is not None:  # back in the order of every part, None where not checked again
        return FilePartial(
            [next(states) if s is not None else None for s in carried], read_rows, read
        )
    return FilePartial(list(states), read_rows, read, kept)


def _counting(chunks: Iterator[RawChunk], counted: Callable[[int], None]) -> Iterator[RawChunk]:
    for raw in chunks:
        counted(len(raw.frame))
        yield raw


def checked_on_cluster(
    client: Any, file_run: FileRun, window: int | None = None
) -> tuple[int, Kept | None]:
    """Check every file of `file_run`'s level on the workers and merge their partial results
    into its checks, in file order: (rows of the level, values kept for child files or None)."""
    plan, run = file_run.plan, file_run.run_
    count = len(plan.source.sources) if isinstance(plan.source, MultiSource) else 1
    window = window or max(2 * len(client.scheduler_info().get("workers", {})), 2)
    # what every task of the level shares (the module, the plans, the parent level's values)
    # (the rules compiled anew on each worker, once: not sent, their caches are per process)
    copy = dataclasses.replace(run, client=None, progress=None, expressions=None)
    shared = client.scatter(copy, broadcast=True)
    tasks = _DaskTasks(client, shared, plan, uuid.uuid4().hex[:8])
    return merged(file_run, [Piece(index) for index in range(count)], tasks, window)


class _DaskTasks:
    def __init__(self, client: Any, shared: Any, plan: FilePlan, tag: str):
        self.client, self.shared, self.plan, self.tag = client, shared, plan, tag

    def submit(self, piece: Piece, carried: list[Any] | None = None) -> Any:
        again = "-again" if carried else ""
        return self.client.submit(
            check_file,
            self.shared,
            self.plan,
            piece.index,
            carried,
            piece.rows,
            key=f"migmodule-{self.plan.level}-{piece.index}{again}-{self.tag}",
        )

    def result(self, handle: Any) -> FilePartial:
        partial = handle.result()
        handle.release()
        return partial


def merged(
    file_run: FileRun,
    pieces: list[Piece],
    tasks: Tasks,
    window: int,
    told: Callable[[int], None] | None = None,
) -> tuple[int, Kept | None]:
    """Check the pieces of `file_run`'s level (its files, or ranges of their rows, in row order)
    as tasks, at most `window` in flight, and merge their partial results into its checks in
    row order: (rows of the level, values kept for child files or None). `told` is given the
    rows merged so far (default: the run's progress)."""
    from migmodule.validate.engine import FileProgress, Kept

    plan = file_run.plan
    multi = isinstance(plan.source, MultiSource)
    tell = told or FileProgress(plan, file_run.run_.progress)
    pending = deque(tasks.submit(piece) for piece in pieces[:window])
    first = rows = 0
    kept = []
    for number, piece in enumerate(pieces):
        handle = pending.popleft()
        if number + window < len(pieces):
            pending.append(tasks.submit(pieces[number + window]))
        partial = tasks.result(handle)
        carried = [
            part.carry(state) for part, state in zip(file_run.parts, partial.states, strict=True)
        ]
        if any(seed is not None for seed in carried):  # units met in an earlier piece
            again = tasks.result(tasks.submit(piece, carried))
            partial.states = [
                state if checked is None else checked
                for state, checked in zip(partial.states, again.states, strict=True)
            ]
        for part, state in zip(file_run.parts, partial.states, strict=True):
            part.absorb(state, first)
        if multi:
            part_info = plan.source.parts[piece.index]
            if piece.first_of_file:
                part_info.first_row, part_info.rows = first, 0
            part_info.rows += partial.read
        if partial.kept is not None:
            kept.append(partial.kept)
        rows += partial.rows
        first += partial.read
        tell(first)
    tell(first, done=True)
    return rows, Kept.joined(kept) if file_run.keep else None
