"""`--jobs N`: a large file checked by N local processes, a range of its rows each, merged exactly.

The checks are Python and numpy and hold the GIL: two threads checking two halves of a file take
as long as one. Here each worker process reads its range of rows (a Parquet file's row groups, a
.dta/.sav/.sas7bdat read up to the end of the range, `DataSource.chunks(rows=...)`), prepares and
checks it as the Dask engine checks one file (`cluster.check_file`), and sends back the checks'
partial results; the parent merges them in row order with the Dask engine's own merge
(`cluster.merged`: rows numbered on from range to range, the first examples kept, identifiers
repeated across ranges, households straddling two ranges checked again from the units carried).
The report is the one a single process gives.

What is split: every file of the level whose rows the metadata counts (Parquet, .dta, .sav,
.zsav, SAS), in ranges of at least `min_rows_per_job` rows (MIN_ROWS_PER_JOB); the files of a
level given as several files are checked each by a process. A CSV file is not split: its records
are not counted before it is read, and a byte range could only be cut at a record's end after
reading every byte before it (a quoted newline is not a record's end).

Processes: on Linux, "forkserver" (the default from Python 3.14), not "fork": a child forked from
a process that has used polars waits forever for polars' thread pool, whose threads it does not
have. The server has migmodule imported once, so a worker starts in milliseconds; on Windows and
macOS, "spawn", where each worker imports migmodule (about 1 s). Workers ignore Ctrl-C; the
parent stops them (and any error of a worker, a coded MigmoduleError too, reaches the parent as
it was raised, and stops the others).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as StillRunning
from typing import TYPE_CHECKING, Any

from migmodule.microdata.multi import MultiSource
from migmodule.validate.cluster import FilePartial, Piece, check_file, merged
from migmodule.validate.settings import ValidationSettings

if TYPE_CHECKING:  # engine imports this module
    from migmodule.microdata.source import DataSource
    from migmodule.validate.engine import FileRun, Kept, Run
    from migmodule.validate.plan import FilePlan

__all__ = ["checked_in_processes", "job_count", "pieces", "row_ranges", "warm_up"]


def job_count(jobs: int) -> int:
    """The processes `jobs` asks for (0: one per CPU)."""
    return jobs or os.cpu_count() or 1


def row_ranges(
    source: DataSource, jobs: int, min_rows: int, chunk_size: int | None
) -> list[tuple[int, int] | None]:
    """A file's rows in up to `jobs` ranges [start, stop) of about equal size and at least
    `min_rows` rows each; [None] (the whole file) when it is not split. Ranges start at a
    multiple of `chunk_size`, so that their chunks are those of one process (a chunk is where a
    rule that cannot be evaluated is counted: PROFILE-DATA-002 says on how many chunks); a file
    read at once (`chunk_size` None) is not split."""
    total = source.n_rows if source.splittable else None
    count = min(jobs, total // min_rows) if total and chunk_size else 1
    if count <= 1:
        return [None]
    inner = {round(total * number / count / chunk_size) * chunk_size for number in range(1, count)}
    bounds = [0, *sorted(b for b in inner if 0 < b < total), total]
    if len(bounds) < 3:
        return [None]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def pieces(source: DataSource | MultiSource, settings: ValidationSettings) -> list[Piece]:
    """What the processes check, in row order: each file of the level, whole or in ranges."""
    jobs = job_count(settings.jobs)
    files = source.sources if isinstance(source, MultiSource) else [source]
    return [
        Piece(index, rows)
        for index, file in enumerate(files)
        for rows in row_ranges(file, jobs, settings.min_rows_per_job, settings.chunk_size)
    ]


def checked_in_processes(file_run: FileRun, split: list[Piece]) -> tuple[int, Kept | None]:
    """Check the pieces of `file_run`'s level in worker processes and merge their partial
    results into its checks in row order: (rows of the level, values kept for child files)."""
    from migmodule.validate.engine import FileProgress

    run = file_run.run_
    workers = min(job_count(run.settings.jobs), len(split))
    context = _context()
    counter = context.Value("q", 0)  # rows read by the workers, for the progress bar
    # The rules compiled anew in each worker (not sent: their caches are per process, and
    # PreparedExpressions pickles without them anyway, its shared subtrees being object ids).
    shared = dataclasses.replace(run, client=None, progress=None, expressions=None)
    executor = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(shared, counter)
    )
    processes: list[Any] = []
    try:
        tasks = _LocalTasks(executor, file_run.plan, FileProgress(file_run.plan, run.progress))
        tasks.counter, tasks.processes = counter, processes
        result = merged(file_run, split, tasks, workers, told=tasks.told)
    except BaseException:  # an error of a worker, or Ctrl-C: stop the others, leave none
        _stop(executor, processes)
        raise
    executor.shutdown(wait=True)
    return result


class _LocalTasks:
    """`cluster.Tasks` on a ProcessPoolExecutor; while waiting, the rows read so far go to the
    progress bar."""

    def __init__(self, executor: ProcessPoolExecutor, plan: FilePlan, tell: Any):
        self.executor, self.plan, self.tell = executor, plan, tell
        self.counter: Any = None
        self.processes: list[Any] = []
        total = plan.source.n_rows
        self.total = total if total is not None else float("inf")

    def submit(self, piece: Piece, carried: list[Any] | None = None) -> Any:
        future = self.executor.submit(_check, self.plan, piece.index, carried, piece.rows)
        # the pool's processes, known once it has started them (to stop them on an error)
        self.processes[:] = list((getattr(self.executor, "_processes", None) or {}).values())
        return future

    def result(self, handle: Any) -> FilePartial:
        while True:
            try:
                return handle.result(timeout=0.2)
            except StillRunning:
                self.told(0)

    def told(self, merged_rows: int, done: bool = False) -> None:
        self.tell(min(max(merged_rows, self.counter.value), self.total), done=done)


# Imported once by the server, not by each worker on its first piece (the readers are imported
# when a file is first read; importing polars starts none of its threads).
_PRELOAD = [
    __name__,
    "migmodule.validate.engine",
    "pyarrow.parquet",
    "polars",
    "polars_readstat",
    "pyreadstat",
]


def _context() -> Any:
    """The multiprocessing context of the workers: the platform's, except "forkserver" for
    "fork" (polars in a forked child hangs), with migmodule imported once in the server."""
    context = multiprocessing.get_context()
    if context.get_start_method() != "fork":
        return context
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def warm_up(plans: Iterable[FilePlan], settings: ValidationSettings) -> None:
    """Start the server the workers are forked from ("forkserver"), which imports migmodule
    (0.5 s and more), now, while the parent sets up the run and reads the files before the one
    split (when a file of `plans` is split)."""
    if not any(len(pieces(plan.source, settings)) > 1 for plan in plans):
        return
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _stop(executor: ProcessPoolExecutor, processes: list[Any]) -> None:
    """Stop every worker now (their pending pieces are dropped)."""
    processes = processes + list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(5)


# In each worker process: the run it checks for, and the shared count of rows read.
_RUN: Run | None = None
_COUNTER: Any = None


def _start_worker(run: Run, counter: Any) -> None:
    global _RUN, _COUNTER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _RUN, _COUNTER = run, counter


def _check(
    plan: FilePlan, index: int, carried: list[Any] | None, rows: tuple[int, int] | None
) -> FilePartial:
    """One piece in a worker (`cluster.check_file`); rows read counted but in a second pass."""
    assert _RUN is not None, "the worker was not started by checked_in_processes"
    return check_file(_RUN, plan, index, carried, rows, None if carried else _count)


def _count(rows: int) -> None:
    with _COUNTER.get_lock():
        _COUNTER.value += rows
