"""A chunked run gives exactly the report of a whole-file run (chunk sizes 1, 7 and whole), in every format."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from migmodule.validate import validate_data
from validate_helpers import comparable, mini, write


def persons(n: int = 40, seed: int = 3) -> pd.DataFrame:
    """Persons with every kind of defect scattered through the rows."""
    rng = np.random.default_rng(seed)
    country = rng.choice([404, 404, 404, 250, 800, 998, 999, 1234], size=n)
    foreign = ~np.isin(country, [404, 998, 999])
    year = np.where(foreign, rng.integers(1990, 2030, size=n), np.nan)
    year[rng.random(n) < 0.1] = 9998
    year[rng.random(n) < 0.05] = 2015  # some answered outside the universe
    age = rng.integers(0, 90, size=n).astype(float)
    age[rng.random(n) < 0.1] = 999
    reasons = np.where(foreign, rng.choice(["1", "2 3", "7", "98", "5", ""], size=n), "")
    hh = np.repeat(np.arange(1, n // 2 + 1), 2)[:n]
    person_no = np.tile([1, 2], n)[:n]
    person_no[5] = 1  # duplicate of row 5
    return pd.DataFrame(
        {
            "hh_id": hh,
            "person_no": person_no,
            "age": age,
            "country_of_birth": country,
            "year_of_arrival": year,
            "reasons": reasons,
            "wt": rng.uniform(0.5, 2, size=n).round(2),
            "region": rng.choice(["A", "B", "C"], size=n),
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".csv", ".dta", ".sav", ".parquet"])
def test_chunked_equals_whole(tmp_path, suffix):
    frame = persons()
    households = pd.DataFrame(
        {"hh_id": np.arange(1, 23), "any_member_abroad": [1, 2, 9, 5] * 5 + [1, 2]}
    )
    files = {
        "person": write(frame, tmp_path / f"p{suffix}"),
        "household": write(households, tmp_path / f"h{suffix}"),
    }
    reports = [
        validate_data(files, mini(), chunk_size=size, weight="wt", by="region", max_examples=3)
        for size in (None, 1, 7)
    ]
    whole = reports[0].to_dict()
    whole["stats"].pop("seconds")
    assert whole["stats"]["findings"] > 5  # the data do have defects
    for chunked in reports[1:]:
        data = chunked.to_dict()
        data["stats"].pop("seconds")
        assert data == whole


def test_formats_agree(tmp_path):
    frame = persons()
    households = pd.DataFrame({"hh_id": np.arange(1, 23), "any_member_abroad": [1] * 22})
    results = []
    for suffix in (".csv", ".dta", ".sav", ".parquet"):
        files = {
            "person": write(frame, tmp_path / f"p{suffix}"),
            "household": write(households, tmp_path / f"h{suffix}"),
        }
        results.append(comparable(validate_data(files, mini(), chunk_size=11)))
    for other in results[1:]:
        assert other == results[0]


def test_read_ahead_gives_the_same_report(tmp_path):
    frame = persons()
    path = write(frame, tmp_path / "p.parquet")
    ahead, plain = (
        comparable(validate_data(path, mini(), chunk_size=3, read_ahead=flag))
        for flag in (True, False)
    )
    assert ahead == plain


def test_read_ahead_keeps_order_and_raises_the_reader_error():
    from migmodule.validate.engine import read_ahead

    assert list(read_ahead(iter(range(50)))) == list(range(50))

    def failing():
        yield 1
        yield 2
        raise OSError("disk gone")

    seen = []
    with pytest.raises(OSError, match="disk gone"):
        for item in read_ahead(failing()):
            seen.append(item)
    assert seen == [1, 2]
    stopped = read_ahead(iter(range(1000)))
    assert next(stopped) == 0
    stopped.close()  # stopping early ends the reader thread
    import threading

    assert not [t for t in threading.enumerate() if t.name == "migmodule-reader"]


@pytest.mark.parametrize("suffix", [".csv", ".dta", ".sav", ".parquet"])
def test_progress_has_a_total_for_every_format(tmp_path, suffix):
    path = write(persons(), tmp_path / f"p{suffix}")
    calls = []
    validate_data(path, mini(), chunk_size=7, progress=lambda *call: calls.append(call))
    assert len(calls) > 3 and all(total is not None for _, _, total in calls)
    done = [d for _, d, _ in calls]
    assert done == sorted(done) and done[-1] == calls[-1][2]  # rises to the total, reached
    if suffix == ".csv":  # bytes: the file's size
        assert calls[-1][2] == path.stat().st_size
        assert all(d < path.stat().st_size for d in done[:-1])
    else:  # rows
        assert calls[-1][2] == len(persons())


def test_the_bar_goes_to_stderr_with_a_total_when_stdout_is_a_file(tmp_path):
    """The CLI's bar: on stderr (FORCE_COLOR makes rich draw it as on a terminal), kept when
    stdout goes to a file, counting a CSV file's bytes up to its size, with the time left."""
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    path = write(persons(400), tmp_path / "p.csv")
    size = path.stat().st_size
    with open(tmp_path / "out.txt", "w") as out:
        done = subprocess.run(
            [sys.executable, "-c", "from migmodule.cli import main; main()", "validate", str(path)]
            + ["-m", str(Path(__file__).parent / "specs" / "mini.yaml"), "--chunk-size", "50"],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "FORCE_COLOR": "1", "COLUMNS": "120"},
            timeout=300,
        )
    assert done.returncode in (0, 1)
    screen = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", done.stderr)
    assert f"{size}/{size}" in screen  # the total, reached
    assert re.search(r"\d:\d\d:\d\d\s*$", screen.strip().splitlines()[-1])  # time left
    assert "person" in (tmp_path / "out.txt").read_text()  # the summary still on stdout


# ---- several files for one level ---------------------------------------------------------------
def split_files(frame: pd.DataFrame, folder, suffix: str, cuts=(13, 14, 29)) -> list:
    """The frame's rows in consecutive files region_1, region_2, ... (a household may straddle
    two files: rows 13 and 14 are one household's)."""
    folder.mkdir(exist_ok=True)
    bounds = [0, *cuts, len(frame)]
    return [
        write(frame.iloc[a:b].reset_index(drop=True), folder / f"region_{i + 1}{suffix}")
        for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
    ]


def without_file_names(data: dict) -> dict:
    for info in data["files"].values():
        info.pop("files", None)
    for result in data["results"]:
        for example in result["examples"]:
            example.pop("data_file", None)
            example.pop("data_row", None)
    return data


@pytest.mark.parametrize("suffix", [".csv", ".sav", ".parquet"])
def test_several_files_for_one_level_report_as_one(tmp_path, suffix):
    frame = persons(60, seed=5)
    households = pd.DataFrame(
        {"hh_id": np.arange(1, 32), "any_member_abroad": [1, 2, 9] * 10 + [1]}
    )
    parts = split_files(frame, tmp_path / "parts", suffix)
    options = {"weight": "wt", "by": "region", "max_examples": 50}
    one = validate_data(
        {
            "person": write(frame, tmp_path / f"all{suffix}"),
            "household": write(households, tmp_path / f"h{suffix}"),
        },
        mini(),
        chunk_size=7,
        **options,
    )
    pattern = str(tmp_path / "parts" / f"region_*{suffix}")
    many = validate_data(
        [f"person={pattern}", str(tmp_path / f"h{suffix}")], mini(), chunk_size=7, **options
    )
    # comparable() and without_file_names() change the report's own dicts: copy what we check
    info = copy.deepcopy(many.files["person"])
    examples = copy.deepcopy([e for r in many.results for e in r.examples if "data_file" in e])
    whole = comparable(one)
    assert without_file_names(comparable(many)) == whole
    assert whole["stats"]["findings"] > 5
    assert [Path(f["path"]).name for f in info["files"]] == [p.name for p in parts]
    assert [f["rows"] for f in info["files"]] == [13, 1, 15, 31]
    assert {Path(e["data_file"]).name for e in examples} >= {
        "region_1" + suffix,
        "region_4" + suffix,
    }
    starts = {"region_1": 0, "region_2": 13, "region_3": 14, "region_4": 29}
    for example in examples:
        assert example["row"] == starts[Path(example["data_file"]).stem] + example["data_row"]


def test_a_folder_of_parquet_parts_is_one_level(tmp_path):
    frame = persons(40)
    folder = tmp_path / "persons.parquet.d"
    split_files(frame, folder, ".parquet", cuts=(10, 25))
    one = comparable(validate_data({"person": write(frame, tmp_path / "all.parquet")}, mini()))
    many = validate_data({"person": folder}, mini(), chunk_size=4)
    assert len(many.files["person"]["files"]) == 3
    assert without_file_names(comparable(many)) == one


def test_parts_must_have_the_same_variables(tmp_path):
    from migmodule.codes import MigmoduleError

    frame = persons(20)
    folder = tmp_path / "parts"
    split_files(frame, folder, ".parquet", cuts=(10,))
    write(frame.drop(columns=["age"]), folder / "region_3.parquet")
    with pytest.raises(MigmoduleError, match="missing: age"):
        validate_data({"person": str(folder / "region_*.parquet")}, mini())
    with pytest.raises(MigmoduleError, match="no data file matches"):
        validate_data({"person": str(folder / "nothing_*.parquet")}, mini())
