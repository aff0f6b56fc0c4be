"""`--engine dask`: the files of a level read and prepared on a Dask cluster, one task per file.

A census delivered as one file per region (or as Parquet partitions) is read by as many workers
as the cluster has: each task reads one file and turns its chunks into question-keyed values
(prepare.py: the national layer, codes, kinds of missing, identifier keys), the heavy part of a
validation. The client feeds the prepared chunks to the checks in file order, as a single run
would, so the report is the same report: row numbers go on from file to file, examples are the
first ones in file order, and a household that straddles two files is compared across them.
At most `window` files are in flight at once (memory on the client stays bounded by those).

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
from typing import Any

from migmodule.microdata.multi import MultiSource
from migmodule.validate.plan import FilePlan
from migmodule.validate.settings import ValidationSettings


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


def prepare_file(
    plan: FilePlan, index: int, chunk_size: int | None, missing_map: dict
) -> list[tuple[Any, int]]:
    """One task: the prepared chunks of the index-th file of a level, rows numbered in the file."""
    from migmodule.validate.engine import prepared

    source = plan.source.sources[index] if isinstance(plan.source, MultiSource) else plan.source
    part = dataclasses.replace(plan, source=source)
    return list(prepared(part, source.chunks(plan.columns(), chunk_size), missing_map))


def prepared_on_cluster(
    client: Any, plan: FilePlan, settings: ValidationSettings, window: int | None = None
) -> Iterator[tuple[Any, int]]:
    """(chunk, rows read) of every file of the plan, in file order, prepared by the workers."""
    multi = isinstance(plan.source, MultiSource)
    count = len(plan.source.sources) if multi else 1
    window = window or max(2 * len(client.scheduler_info().get("workers", {})), 2)
    run = uuid.uuid4().hex[:8]

    def submit(index: int) -> Any:
        return client.submit(
            prepare_file,
            plan,
            index,
            settings.chunk_size,
            dict(settings.missing_map),
            key=f"migmodule-{plan.level}-{index}-{run}",
        )

    pending = deque(submit(i) for i in range(min(window, count)))
    first = 0
    for index in range(count):
        future = pending.popleft()
        if index + window < count:
            pending.append(submit(index + window))
        chunks = future.result()
        future.release()
        rows = sum(read for _, read in chunks)
        if multi:
            part = plan.source.parts[index]
            part.first_row, part.rows = first, rows
        for chunk, read in chunks:
            chunk.offset += first
            if chunk.rows is not None:
                chunk.rows = chunk.rows + first
            yield chunk, read
        first += rows
