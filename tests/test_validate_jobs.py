"""validate --jobs N (issue 16): a file split into ranges of rows, each checked by a local worker
process, the checks' partial results merged in row order by the Dask engine's merge, gives the
JSON report of one process, byte for byte apart from timings.

The scenarios of tests/test_cluster_merge.py (each check of CHECKS counting something) are run
with their files joined into one file (split into ranges) and as they are (several files, each
split), in Parquet, .dta and .sav; the minimum rows per range is lowered so that files of a few
dozen rows are split, and every run asserts that it was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import migmodule.validate.jobs as jobs
from migmodule.cli import main
from migmodule.codes import MigmoduleError
from migmodule.microdata.multi import expand
from migmodule.microdata.source import DataSource
from migmodule.validate import validate_data
from migmodule.validate.checks import CHECKS, LabelDriftCheck
from test_cluster_merge import SCENARIOS
from test_validate_chunks import persons
from validate_helpers import mini, write

SPLIT = {"jobs": 3, "min_rows_per_job": 2}  # files of 6 rows and more in three ranges


def report_json(report) -> dict:
    data = json.loads(json.dumps(report.to_dict(), default=str))
    data["stats"].pop("seconds")
    return data


@pytest.fixture()
def split_seen(monkeypatch):
    """The pieces each run checked in worker processes (one list per level split), and how
    many pieces were checked again from units carried from an earlier range."""
    seen: dict = {"pieces": [], "again": 0}
    checked, submit = jobs.checked_in_processes, jobs._LocalTasks.submit

    def recorded(file_run, split):
        seen["pieces"].append((file_run.plan.level, list(split)))
        return checked(file_run, split)

    def submitted(self, piece, carried=None):
        seen["again"] += carried is not None
        return submit(self, piece, carried)

    monkeypatch.setattr(jobs, "checked_in_processes", recorded)
    monkeypatch.setattr(jobs._LocalTasks, "submit", submitted)
    return seen


def _frame(path: Path) -> tuple[pd.DataFrame, dict]:
    """A data file's rows (and SPSS value labels), to write it again in another format."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path), {}
    if path.suffix == ".csv":
        return pd.read_csv(path), {}
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(path))
    return frame, meta.variable_value_labels


def _write(frame: pd.DataFrame, labels: dict, path: Path) -> None:
    if path.suffix == ".sav" and labels:
        import pyreadstat

        pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)
    else:
        write(frame, path)


def rewritten(data: dict, folder: Path, suffix: str, joined: bool) -> dict:
    """The scenario's files in the format `suffix`: each level's files joined into one file
    (`joined`), or each file rewritten (a glob again)."""
    folder.mkdir()
    given = {}
    for level, pattern in data.items():
        files = expand(pattern)
        read = [_frame(path) for path in files]
        labels = read[0][1]
        if joined:
            frame = pd.concat([frame for frame, _ in read], ignore_index=True)
            _write(frame, labels, folder / f"{level}{suffix}")
            given[level] = str(folder / f"{level}{suffix}")
        else:
            (folder / level).mkdir()
            for path, (frame, _) in zip(files, read, strict=True):
                _write(frame, labels, folder / level / f"{path.stem}{suffix}")
            given[level] = str(folder / level / f"*{suffix}")
    return given


def in_one_and_in_many(
    tmp_path: Path, scenario, suffix: str, joined: bool, split_seen, split: dict = SPLIT
) -> dict:
    """The scenario's report with --jobs 1 and with the files split into ranges (equal)."""
    data, options = scenario(tmp_path)
    module = None if "profile" in options else mini()
    data = rewritten(data, tmp_path / f"as{suffix}", suffix, joined)
    one = report_json(validate_data(data, module, **options))
    before = len(split_seen["pieces"])
    many = report_json(validate_data(data, module, **split, **options))
    assert many == one
    ranges = [p for _, split in split_seen["pieces"][before:] for p in split if p.rows]
    assert ranges, "no file was split into ranges of rows"
    return one


@pytest.mark.parametrize("suffix", [".parquet", ".dta", ".sav"])
@pytest.mark.parametrize("kind", CHECKS, ids=lambda kind: kind.name)
def test_ranges_of_one_file_give_the_single_process_report(tmp_path, kind, suffix, split_seen):
    one = in_one_and_in_many(tmp_path, SCENARIOS[kind], suffix, True, split_seen)
    codes = {issue.code for issue in kind.issues}
    mine = [r for r in one["results"] if r["code"] in codes]
    if kind is not LabelDriftCheck or suffix == ".sav":  # value labels: in SPSS files only
        assert mine, f"the scenario of {kind.__name__} does not build it"


@pytest.mark.parametrize("suffix", [".parquet", pytest.param(".sav", marks=pytest.mark.slow)])
@pytest.mark.parametrize(
    "scenario", sorted(set(SCENARIOS.values()), key=lambda f: f.__name__), ids=lambda f: f.__name__
)
def test_each_file_of_a_level_split_too(tmp_path, scenario, suffix, split_seen):
    """Several files for a level: each file in ranges; examples keep their file and row."""
    split = {"jobs": 2, "min_rows_per_job": 1}  # files of 2 rows and more in two ranges
    one = in_one_and_in_many(tmp_path, scenario, suffix, False, split_seen, split)
    if scenario.__name__ == "census":
        examples = [e for r in one["results"] for e in r["examples"] if "data_file" in e]
        assert any(e["data_file"].endswith(f"part_4{suffix}") for e in examples)


def flat_persons() -> pd.DataFrame:
    """Household answers on person rows; household 30 (rows 23 to 26, 1-based) straddles the
    cut at row 25 of 48 rows, its row 26 disagreeing with the others; household 31 is rows 4
    and 41, which disagree."""
    frame = persons(48, seed=4)
    frame["hh_id"] = np.repeat(np.arange(1, 13), 4)
    frame["person_no"] = np.tile([1, 2, 3, 4], 12)
    frame["any_member_abroad"] = np.repeat([1, 2, 1, 9, 2, 1], 8)
    frame.loc[22:25, "hh_id"] = 30
    frame.loc[22:25, "any_member_abroad"] = [1, 1, 1, 5]  # row 26 disagrees with rows 23 to 25
    frame.loc[[3, 40], "hh_id"] = 31  # household 31: row 4 and row 41
    frame.loc[40, "any_member_abroad"] = 9
    return frame


@pytest.mark.parametrize("suffix", [".parquet", ".dta"])
def test_a_household_straddling_two_ranges_is_compared_across_them(tmp_path, suffix, split_seen):
    path = write(flat_persons(), tmp_path / f"flat{suffix}")
    one = report_json(validate_data({"person": path}, mini(), chunk_size=5))
    many = report_json(
        validate_data({"person": path}, mini(), chunk_size=5, jobs=2, min_rows_per_job=10)
    )
    assert many == one
    assert [p.rows for p in split_seen["pieces"][0][1]] == [(0, 25), (25, 48)]
    assert split_seen["again"] == 1  # the second range checked again from the units carried
    (levels,) = [r for r in one["results"] if r["code"] == "DATA-LEVEL-002"]
    assert [e["row"] for e in levels["examples"]] == [26, 41]


def test_a_duplicate_identifier_across_ranges(tmp_path, split_seen):
    frame = persons(40, seed=5)
    frame.loc[31, ["hh_id", "person_no"]] = frame.loc[2, ["hh_id", "person_no"]].to_numpy()
    path = write(frame, tmp_path / "p.parquet")
    one = report_json(validate_data({"person": path}, mini(), chunk_size=4, max_examples=9))
    many = report_json(
        validate_data(
            {"person": path}, mini(), chunk_size=4, max_examples=9, jobs=2, min_rows_per_job=5
        )
    )
    assert many == one
    assert len(split_seen["pieces"][0][1]) == 2
    (duplicates,) = [r for r in one["results"] if r["code"] == "DATA-ID-001"]
    assert [e["row"] for e in duplicates["examples"]] == [6, 32]  # row 32 repeats row 3
    assert "data_file" not in duplicates["examples"][1]  # ranges of one file are not files


def test_parent_values_kept_from_ranges_reach_the_child_level(tmp_path, split_seen):
    """A household file split into ranges: the values its person rows join are those of the
    whole file (universes of person questions read household answers)."""
    households = pd.DataFrame(
        {"hh_id": np.arange(1, 31), "any_member_abroad": ([1, 2, 9, 5, 2] * 6)}
    )
    files = {
        "household": write(households, tmp_path / "h.dta"),
        "person": write(persons(60, seed=8), tmp_path / "p.dta"),
    }
    one = report_json(validate_data(files, mini(), chunk_size=7))
    many = report_json(validate_data(files, mini(), chunk_size=7, jobs=2, min_rows_per_job=5))
    assert many == one
    assert {level for level, _ in split_seen["pieces"]} == {"household", "person"}


def test_the_progress_reaches_the_rows_of_the_file(tmp_path):
    path = write(persons(40), tmp_path / "p.parquet")
    calls = []
    validate_data(
        {"person": path},
        mini(),
        chunk_size=3,
        jobs=2,
        min_rows_per_job=5,
        progress=lambda *call: calls.append(call),
    )
    assert calls[-1] == ("person", 40, 40)
    done = [rows for _, rows, _ in calls]
    assert done == sorted(done)


def test_a_failing_range_gives_the_coded_message_of_one_process(tmp_path):
    """An SPSS file cut short: the reader fails in the second range as in the whole file."""
    import pyreadstat

    whole = tmp_path / "whole.sav"
    pyreadstat.write_sav(persons(4000, seed=1).drop(columns=["reasons", "region"]), str(whole))
    cut = tmp_path / "cut.sav"
    shutil.copyfile(whole, cut)
    with open(cut, "r+b") as handle:
        handle.truncate(whole.stat().st_size * 3 // 4)
    assert DataSource(cut).n_rows == 4000  # the header still says so
    with pytest.raises(MigmoduleError) as one:
        validate_data({"person": cut}, mini(), chunk_size=500)
    with pytest.raises(MigmoduleError) as many:
        validate_data({"person": cut}, mini(), chunk_size=500, jobs=2, min_rows_per_job=100)
    assert str(many.value) == str(one.value)
    assert one.value.finding.code == "VAL-FILE-001"


def test_a_file_with_no_rows_among_several_is_the_coded_error_of_one_process(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    frame = persons(20)
    write(frame.iloc[:10], folder / "region_1.parquet")
    write(frame.iloc[:0], folder / "region_2.parquet")
    data = {"person": str(folder / "region_*.parquet")}
    with pytest.raises(MigmoduleError) as one:
        validate_data(data, mini())
    with pytest.raises(MigmoduleError) as many:
        validate_data(data, mini(), jobs=2, min_rows_per_job=2)
    assert str(many.value) == str(one.value)
    assert one.value.finding.code == "VAL-FILE-005"


def test_a_small_file_is_not_split(tmp_path, split_seen):
    path = write(persons(40), tmp_path / "p.parquet")
    validate_data({"person": path}, mini(), jobs=2)  # 40 rows: below MIN_ROWS_PER_JOB
    assert split_seen["pieces"] == []
    source = DataSource(path)
    assert jobs.row_ranges(source, 2, 20, 3) == [(0, 21), (21, 40)]  # from a chunk's first row
    assert jobs.row_ranges(source, 3, 2, 10) == [(0, 10), (10, 30), (30, 40)]
    assert jobs.row_ranges(source, 2, 21, 3) == [None]
    assert jobs.row_ranges(source, 2, 2, None) == [None]  # read at once: one chunk
    csv = write(persons(40), tmp_path / "p.csv")
    assert jobs.row_ranges(DataSource(csv), 2, 2, 3) == [None]  # a CSV file is read whole


def test_a_file_whose_rows_are_not_counted_is_read_whole(tmp_path):
    import pyreadstat

    pyreadstat.write_xport(persons(50).drop(columns="reasons"), str(tmp_path / "p.xpt"))
    source = DataSource(tmp_path / "p.xpt")  # SAS transport: no row count in its header
    assert source.n_rows is None and not source.splittable
    assert jobs.row_ranges(source, 2, 2, 5) == [None]


@pytest.mark.parametrize("suffix", [".parquet", ".dta", ".sav"])
def test_a_range_reads_its_rows_only(tmp_path, suffix):
    frame = persons(50, seed=3)
    source = DataSource(write(frame, tmp_path / f"p{suffix}"))
    assert source.splittable
    names = ["hh_id", "person_no", "age"]
    whole = pd.concat([c.frame for c in source.chunks(names, 7)], ignore_index=True)
    for rows in [(0, 17), (17, 34), (34, 50), (5, 6)]:
        part = pd.concat([c.frame for c in source.chunks(names, 7, rows)], ignore_index=True)
        expected = whole.iloc[rows[0] : rows[1]].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected)


def test_jobs_with_the_dask_engine_or_several_modules_are_refused(tmp_path):
    path = str(write(persons(10), tmp_path / "p.parquet"))
    runner = CliRunner()
    result = runner.invoke(
        main, ["validate", path, "-m", str(tmp_path), "--engine", "dask", "--jobs", "2"]
    )
    assert result.exit_code == 2 and "--jobs is for --engine local" in result.output
    several = ["-m", "labour-migration@2.0.0", "-m", "recruitment-costs@2.0.0"]
    result = runner.invoke(main, ["validate", path, *several, "--jobs", "2"])
    assert result.exit_code == 2 and "--jobs 1 only" in result.output
    with pytest.raises(ValueError, match="give workers instead"):
        validate_data(path, mini(), engine="dask", jobs=2)
