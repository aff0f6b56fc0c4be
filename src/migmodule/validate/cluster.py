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
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from migmodule.microdata.multi import MultiSource
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
    """What the task of one file sends back."""

    states: list[Any]  # each check's partial result (FileRun.parts order)
    rows: int  # rows of the level (a profile may filter the file's rows)
    read: int  # rows read from the file
    kept: Kept | None = None  # the values a child level joins (a parent level's file)


def check_file(
    run: Run, plan: FilePlan, index: int, carried: list[Any] | None = None
) -> FilePartial:
    """One task: the index-th file of a level checked, rows numbered from its first. `carried`
    (per check, None or what `Check.carry` gave: the units of earlier files it shares): the file
    checked again, only by the checks that carry, from those units (the others' states None)."""
    from migmodule.validate.engine import FileRun

    file_run = FileRun(run, plan)
    if carried is not None:
        file_run.narrow([seed is not None for seed in carried])
    file_run.start()
    seeds = [seed for seed in carried or [] if seed is not None]
    for part, seed in zip(file_run.parts, seeds, strict=bool(seeds)):
        part.seed(seed)
    source = plan.source.sources[index] if isinstance(plan.source, MultiSource) else plan.source
    rows, read, kept = file_run.read(file_run.raw_chunks(source), None)
    states = iter(part.state() for part in file_run.parts)
    if carried is not None:  # back in the order of every part, None where not checked again
        return FilePartial([next(states) if s is not None else None for s in carried], rows, read)
    return FilePartial(list(states), rows, read, kept)


def checked_on_cluster(
    client: Any, file_run: FileRun, window: int | None = None
) -> tuple[int, Kept | None]:
    """Check every file of `file_run`'s level on the workers and merge their partial results
    into its checks, in file order: (rows of the level, values kept for child files or None)."""
    from migmodule.validate.engine import FileProgress, Kept

    plan, run = file_run.plan, file_run.run_
    multi = isinstance(plan.source, MultiSource)
    count = len(plan.source.sources) if multi else 1
    window = window or max(2 * len(client.scheduler_info().get("workers", {})), 2)
    # what every task of the level shares (the module, the plans, the parent level's values)
    shared = client.scatter(dataclasses.replace(run, client=None, progress=None), broadcast=True)
    tag = uuid.uuid4().hex[:8]

    def submit(index: int, carried: list[Any] | None = None) -> Any:
        again = "-again" if carried else ""
        return client.submit(
            check_file,
            shared,
            plan,
            index,
            carried,
            key=f"migmodule-{plan.level}-{index}{again}-{tag}",
        )

    tell = FileProgress(plan, run.progress)
    pending = deque(submit(i) for i in range(min(window, count)))
    first = rows = 0
    kept = []
    for index in range(count):
        future = pending.popleft()
        if index + window < count:
            pending.append(submit(index + window))
        partial = future.result()
        future.release()
        carried = [
            part.carry(state) for part, state in zip(file_run.parts, partial.states, strict=True)
        ]
        if any(seed is not None for seed in carried):  # units met in an earlier file
            future = submit(index, carried)
            again = future.result()
            future.release()
            partial.states = [
                state if checked is None else checked
                for state, checked in zip(partial.states, again.states, strict=True)
            ]
        for part, state in zip(file_run.parts, partial.states, strict=True):
            part.absorb(state, first)
        if multi:
            part_info = plan.source.parts[index]
            part_info.first_row, part_info.rows = first, partial.read
        if partial.kept is not None:
            kept.append(partial.kept)
        rows += partial.rows
        first += partial.read
        tell(first)
    tell(first, done=True)
    return rows, Kept.joined(kept) if file_run.keep else None
