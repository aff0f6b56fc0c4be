"""--engine dask: the files of a level checked on a 2-worker local Dask cluster, their checks'
partial results merged on the client, give the JSON report of a single-machine run, byte for byte
apart from timings (issue 16).

The person file is split in four regions, one household straddling two of them; a household file
and a flat person file that repeats household answers are checked too (households seen in several
partitions are compared as in one run).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from migmodule.codes import MigmoduleError
from migmodule.validate import validate_data
from test_cluster_merge import SCENARIOS
from test_validate_chunks import persons, split_files
from validate_helpers import mini, write

pytest.importorskip("distributed")


def report_json(report) -> dict:
    data = json.loads(json.dumps(report.to_dict(), default=str))
    data["stats"].pop("seconds")
    return data


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_dask_report_equals_the_local_report(tmp_path, client, suffix):
    frame = persons(80, seed=11)
    split_files(frame, tmp_path / "parts", suffix, cuts=(13, 14, 50))
    households = pd.DataFrame(
        {"hh_id": np.arange(1, 42), "any_member_abroad": ([1, 2, 9, 5] * 11)[:41]}
    )
    data = [
        f"person={tmp_path / 'parts' / f'region_*{suffix}'}",
        str(write(households, tmp_path / f"h{suffix}")),
    ]
    options = {"chunk_size": 9, "weight": "wt", "by": "region", "max_examples": 4}
    local = report_json(validate_data(data, mini(), **options))
    address = client.scheduler.address
    on_dask = report_json(validate_data(data, mini(), engine="dask", scheduler=address, **options))
    assert on_dask == local
    assert local["stats"]["findings"] > 5
    assert len(local["files"]["person"]["files"]) == 4
    examples = [e for r in local["results"] for e in r["examples"] if "data_file" in e]
    assert any(e["data_file"].endswith(f"region_4{suffix}") for e in examples)


def test_dask_on_a_flat_file_in_partitions(tmp_path, client):
    """Household answers repeated on person rows, a household cut by a partition boundary and
    one whose members disagree: the flat checks see them as in a single run."""
    frame = persons(60, seed=2)
    frame["any_member_abroad"] = np.repeat([1, 2, 9], 20)
    frame.loc[14, "any_member_abroad"] = 5  # rows 13 and 14 (one household) now disagree
    split_files(frame, tmp_path / "flat", ".parquet", cuts=(14, 40))
    data = {"person": str(tmp_path / "flat" / "region_*.parquet")}
    local = report_json(validate_data(data, mini(), chunk_size=5))
    on_dask = report_json(
        validate_data(data, mini(), chunk_size=5, engine="dask", scheduler=client.scheduler.address)
    )
    assert on_dask == local
    assert "household" in local["files"]["person"]["units"]
    assert any(r["code"] == "DATA-LEVEL-002" and r["count"] for r in local["results"])


def test_a_local_cluster_starts_when_no_scheduler_is_given(tmp_path):
    frame = persons(30)
    split_files(frame, tmp_path / "parts", ".parquet", cuts=(10,))
    data = {"person": str(tmp_path / "parts" / "region_*.parquet")}
    local = report_json(validate_data(data, mini()))
    assert report_json(validate_data(data, mini(), engine="dask", workers=1)) == local


@pytest.mark.slow
def test_no_scheduler_at_the_address_is_said_plainly(tmp_path):
    from migmodule.validate.cluster import EngineUnavailable

    with pytest.raises(EngineUnavailable, match="no Dask scheduler answers"):
        validate_data(
            write(persons(10), tmp_path / "p.parquet"),
            mini(),
            engine="dask",
            scheduler="tcp://127.0.0.1:9",
        )


@pytest.mark.parametrize(
    "scenario", sorted(set(SCENARIOS.values()), key=lambda f: f.__name__), ids=lambda f: f.__name__
)
def test_dask_merges_each_checks_partial_results(tmp_path, client, scenario):
    """The scenarios of tests/test_cluster_merge.py (every check counting something: a
    duplicate identifier across two files, a household in two files of a flat file, more
    failures than examples spread over the files, missing exchange-rate keys, label drift...)
    on a real cluster: the report of a single run."""
    data, options = scenario(tmp_path)
    module = None if "profile" in options else mini()
    local = report_json(validate_data(data, module, **options))
    address = client.scheduler.address
    on_dask = report_json(validate_data(data, module, engine="dask", scheduler=address, **options))
    assert on_dask == local


def test_a_file_with_no_rows_is_the_same_coded_error_on_dask(tmp_path, client):
    frame = persons(20)
    split_files(frame, tmp_path / "parts", ".parquet", cuts=(10, 10))  # region_2 has no rows
    data = {"person": str(tmp_path / "parts" / "region_*.parquet")}
    with pytest.raises(MigmoduleError) as local:
        validate_data(data, mini())
    with pytest.raises(MigmoduleError) as on_dask:
        validate_data(data, mini(), engine="dask", scheduler=client.scheduler.address)
    assert local.value.finding.code == on_dask.value.finding.code == "VAL-FILE-005"
    assert "region_2" in on_dask.value.finding.location.file
