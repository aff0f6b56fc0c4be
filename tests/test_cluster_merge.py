"""The merge of the checks' partial results (issue 16, `--engine dask`): each file of a level
checked alone, its checks' states merged in file order, gives the report of one pass over the
files.

Here the "cluster" is this process: `InProcess` runs each task at once and passes every argument
and result through pickle, as a worker would get and send them, so the merge (engine, cluster.py,
checks/partial.py) is tested without Dask; tests/test_validate_dask.py runs the same data on a
2-worker local cluster. Every check of `CHECKS` has a scenario that makes it count something
(a new check without one, or without a merge rule, fails here).
"""

from __future__ import annotations

import json
import pickle
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import migmodule.validate.engine as engine
from migmodule.validate import validate_data
from migmodule.validate.checks import (
    CHECKS,
    Check,
    CoverageCheck,
    DuplicateIdCheck,
    EditCheck,
    LabelDriftCheck,
    LevelConsistencyCheck,
    LinkCheck,
    MissingIdCheck,
    NationalLayerCheck,
    NationalUniverseCheck,
    QuestionValueCheck,
    TableKeyCheck,
    UniverseCheck,
)
from migmodule.validate.checks.partial import shared_units, units
from migmodule.validate.keys import SPENT, SeenUnits
from migmodule.validate.report import Tally
from test_module_recruitment3 import RATES_CSV, profile_text
from test_module_recruitment3 import workers as recruits
from test_validate_chunks import persons
from validate_helpers import mini, write

MAX_EXAMPLES = 3


class _Done:
    def __init__(self, value):
        self.value = pickle.loads(pickle.dumps(value))  # sent back from a worker

    def result(self):
        return self.value

    def release(self) -> None:
        pass


class InProcess:
    """A Dask client's calls the engine makes, run in this process (arguments and results
    pickled as they would be on the way to and from a worker)."""

    def __init__(self):
        self.tasks: list[str] = []

    def scheduler_info(self) -> dict:
        return {"workers": {"a": {}, "b": {}}}

    def scatter(self, value, broadcast: bool = False):
        return pickle.loads(pickle.dumps(value))

    def submit(self, function, *args, key: str):
        self.tasks.append(key)
        return _Done(function(*pickle.loads(pickle.dumps(args))))


@pytest.fixture()
def in_process(monkeypatch):
    """validate_data(engine="dask") runs its tasks here; the client is returned to count them."""
    client = InProcess()

    @contextmanager
    def client_for(settings):
        yield client if settings.engine == "dask" else None

    monkeypatch.setattr(engine, "client_for", client_for)
    return client


def report_json(report) -> dict:
    data = json.loads(json.dumps(report.to_dict(), default=str))
    data["stats"].pop("seconds")
    return data


def parts(frame: pd.DataFrame, folder: Path, suffix: str, cuts: tuple[int, ...]) -> str:
    """The frame's rows in files part_1, part_2, ... cut at `cuts` (a repeated cut gives a file
    with no rows); returns the glob naming them."""
    folder.mkdir(exist_ok=True)
    bounds = [0, *cuts, len(frame)]
    for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        write(frame.iloc[a:b].reset_index(drop=True), folder / f"part_{i + 1}{suffix}")
    return str(folder / f"part_*{suffix}")


def census(tmp_path: Path, suffix: str = ".parquet") -> tuple[dict, dict]:
    """Persons in four files, households in two (a person's household may be in either): a
    household cut by a file boundary, an identifier repeated within a file and one repeated
    across two files, more failures of each kind than the examples kept, an orphan and a
    childless household."""
    frame = persons(70, seed=7)
    frame.loc[50] = frame.loc[3]  # rows 4 and 51 (files 1 and 4): same hh_id and person_no
    frame.loc[61, "hh_id"] = 99  # a person whose household is not in the household file
    households = pd.DataFrame(
        {"hh_id": np.arange(1, 38), "any_member_abroad": ([1, 2, 9, 5] * 10)[:37]}
    )
    data = {
        "person": parts(frame, tmp_path / "persons", suffix, (13, 30, 48)),
        "household": parts(households, tmp_path / "households", suffix, (20,)),
    }
    options = {"chunk_size": 6, "weight": "wt", "by": "region", "max_examples": MAX_EXAMPLES}
    return data, options


def flat(tmp_path: Path) -> tuple[dict, dict]:
    """Household answers repeated on person rows, in four files: households cut by the file
    boundaries, and household 3 again in the last file (an unsorted file), its members there
    disagreeing with its first row in file 1; household 12 disagreeing within one file."""
    frame = persons(48, seed=4)
    frame["any_member_abroad"] = np.repeat([1, 2, 1, 9, 2, 1], 8)
    frame.loc[45:47, "hh_id"] = 3  # household 3 again, at the end
    frame.loc[45:47, "person_no"] = [7, 8, 9]
    frame.loc[46, "any_member_abroad"] = 5
    frame.loc[23, "any_member_abroad"] = 9  # rows 23 and 24: household 12
    data = {"person": parts(frame, tmp_path / "flat", ".parquet", (15, 23, 33))}
    return data, {"chunk_size": 4, "max_examples": 2}


def no_person_numbers(tmp_path: Path) -> tuple[dict, dict]:
    frame = persons(30, seed=9).drop(columns="person_no")
    return {"person": parts(frame, tmp_path / "ids", ".parquet", (12,))}, {"chunk_size": 5}


def labelled(tmp_path: Path) -> tuple[dict, dict]:
    """Household files in SPSS whose value labels disagree with the spec's code list."""
    import pyreadstat

    folder = tmp_path / "sav"
    folder.mkdir()
    labels = {"any_member_abroad": {1: "Yes", 2: "Maybe", 9: "Not stated"}}
    for i, rows in enumerate((range(1, 8), range(8, 15))):
        frame = pd.DataFrame({"hh_id": list(rows), "any_member_abroad": [1, 2, 9, 2, 1, 1, 2]})
        pyreadstat.write_sav(frame, str(folder / f"h_{i}.sav"), variable_value_labels=labels)
    return {"household": str(folder / "h_*.sav")}, {"chunk_size": 3}


def rates(tmp_path: Path) -> tuple[dict, dict]:
    """Workers whose month of departure is not in the exchange-rate table, in three files."""
    from migmodule.spec.registry import load_module

    folder = tmp_path / "national"
    folder.mkdir()
    (folder / "rates.csv").write_text(RATES_CSV, encoding="utf-8")
    (folder / "profile.yaml").write_text(profile_text(), encoding="utf-8")
    spec = Path(__file__).resolve().parents[1] / "modules/recruitment-costs/3.0.0.yaml"
    frame = pd.concat([recruits(load_module(spec))] * 4, ignore_index=True)
    frame["cost_documents"] = [0, 1000] * 4
    frame["cost_documents_currency"] = 524
    frame.insert(0, "person_no", range(1, 9))
    frame.insert(0, "hh_id", 1)
    frame["sex"] = 1
    data = {"person": parts(frame, folder / "workers", ".csv", (3, 5))}
    return data, {"profile": folder / "profile.yaml", "chunk_size": 2}


def unreadable_derive(tmp_path: Path) -> tuple[dict, dict]:
    """Numbers where the profile's derive needs a date (PROFILE-DATA-002) in every file."""
    path = tmp_path / "national.profile.yaml"
    module = {
        "module": "census-key-questions@1.0.0",
        "ids": {"hh_id": "HH", "person_no": "LINE"},
        "variables": {"residence_1y_ago": "RES1Y"},
        "derive": {"age": "age_at(DOB, REF_DATE)"},
        "universes": {"residence_1y_ago": "age >= 2"},
    }
    profile = {"profile_format": 1, "name": "test", "country": "KEN", "modules": [module]}
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    frame = pd.DataFrame(
        {
            "HH": np.repeat(np.arange(1, 6), 2),
            "LINE": [1, 2] * 5,
            "DOB": [19900203] * 10,
            "RES1Y": [1] * 10,
        }
    )
    data = {"person": parts(frame, tmp_path / "dob", ".csv", (4, 7))}
    return data, {"profile": path, "reference_date": "2029-08-24", "chunk_size": 3}


# Each check's scenario: a new check needs one here (and a merge rule) or this file fails.
SCENARIOS = {
    CoverageCheck: census,
    NationalUniverseCheck: unreadable_derive,
    MissingIdCheck: no_person_numbers,
    NationalLayerCheck: unreadable_derive,
    QuestionValueCheck: census,
    LabelDriftCheck: labelled,
    UniverseCheck: census,
    EditCheck: census,
    TableKeyCheck: rates,
    DuplicateIdCheck: census,
    LinkCheck: census,
    LevelConsistencyCheck: flat,
}


def both_ways(tmp_path: Path, scenario, in_process: InProcess) -> tuple[dict, dict]:
    data, options = scenario(tmp_path)
    module = None if "profile" in options else mini()
    local = report_json(validate_data(data, module, **options))
    before = len(in_process.tasks)
    merged = report_json(validate_data(data, module, engine="dask", **options))
    assert len(in_process.tasks) > before  # the files were checked as tasks, one per file
    return local, merged


@pytest.mark.parametrize("kind", CHECKS, ids=lambda kind: kind.name)
def test_merged_states_give_the_single_run_results_for_every_check(tmp_path, in_process, kind):
    assert kind.partial is not None, f"{kind.__name__} declares no merge rule (Check.partial)"
    assert kind in SCENARIOS, f"{kind.__name__} has no scenario in this file"
    local, merged = both_ways(tmp_path, SCENARIOS[kind], in_process)
    assert merged == local
    codes = {issue.code for issue in kind.issues}
    mine = [r for r in local["results"] if r["code"] in codes]
    assert mine, f"the scenario of {kind.__name__} does not build it"
    if kind.scope != "run":  # a check of the rows: the scenario makes it count something
        assert any(r["count"] for r in mine), f"{kind.__name__} counts nothing in its scenario"


def test_the_census_in_four_files(tmp_path, in_process):
    """Examples are the first ones in file order (rows numbered on from file to file), a
    duplicate across two files is found."""
    local, merged = both_ways(tmp_path, census, in_process)
    assert merged == local
    files = local["files"]["person"]["files"]
    assert [f["rows"] for f in files] == [13, 17, 18, 22]
    (duplicates,) = [
        r for r in local["results"] if r["code"] == "DATA-ID-001" and r["level"] == "person"
    ]
    assert duplicates["count"] == 2  # row 6 repeats row 5; row 51 (file 4) repeats row 4
    assert [e["row"] for e in duplicates["examples"]] == [6, 51]
    orphans = next(r for r in local["results"] if r["code"] == "DATA-ID-002" and r["count"])
    assert [e["row"] for e in orphans["examples"]] == [62]
    capped = [r for r in local["results"] if r["examples"] and r["count"] > 6]
    assert len(capped) > 3  # more failures than examples kept, spread over the files
    for result in capped:
        rows = [e["row"] for e in result["examples"]]
        assert rows == sorted(rows) and len(rows) == MAX_EXAMPLES


def test_a_flat_file_whose_households_straddle_files(tmp_path, in_process):
    local, merged = both_ways(tmp_path, flat, in_process)
    assert merged == local
    assert any(key.endswith("-again-" + key.rsplit("-", 1)[1]) for key in in_process.tasks)
    (levels,) = [r for r in local["results"] if r["code"] == "DATA-LEVEL-002"]
    assert levels["count"] == 2  # household 12 within a file, household 3 across files
    assert [e["row"] for e in levels["examples"]] == [24, 47]
    assert local["files"]["person"]["units"] == {"household": 23}


def test_the_merge_of_a_tally_keeps_the_first_examples_and_shifts_rows():
    first, second = Tally(3), Tally(3)
    first.total.count, first.total.denominator = 2, 10
    first.examples = [{"row": 2}, {"row": 9}]
    second.total.count, second.total.denominator = 4, 10
    second.examples = [{"row": 1}, {"row": 3}, {"row": 4, "file": "parent"}]
    first.absorb(second, 10)
    assert (first.count, first.total.denominator) == (6, 20)
    assert first.examples == [{"row": 2}, {"row": 9}, {"row": 11}]
    assert first.capped()


def test_units_shared_by_two_files_are_carried_and_take_the_later_files_marks():
    so_far, later = SeenUnits(1), SeenUnits(1)
    so_far.add(np.array([5, 7], np.uint64), np.array([[50], [70]], np.uint64))
    later.add(np.array([7, 9], np.uint64), np.array([[SPENT], [90]], np.uint64))
    carried = shared_units(so_far, later)
    assert carried is not None and carried.runs[0][0].tolist() == [7]
    assert carried.runs[0][1].tolist() == [[70]]  # what the earlier file kept of unit 7
    merged = units(so_far, later, 0)
    run, position = merged.find(np.array([5, 7, 9], np.uint64))
    assert merged.values(run, position).ravel().tolist() == [50, int(SPENT), 90]
    only_new = SeenUnits(1)
    only_new.add(np.array([11], np.uint64), np.array([[1]], np.uint64))
    assert shared_units(merged, only_new) is None


def test_a_check_without_a_merge_rule_refuses_to_give_its_state():
    class Unmerged(Check):
        name = "unmerged"

    with pytest.raises(NotImplementedError, match="declares no merge rule"):
        Unmerged().state()
