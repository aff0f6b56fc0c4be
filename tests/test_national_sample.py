"""The national census sample (samples/national_*): committed files, planted defects, every profile form.

The sample is coded the way a national office delivers a census file (samples/README.md, section
"national"): the generator's files, the national layer's reading of them, and the engine's findings.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from click.testing import CliRunner

from migmodule.codes import Severity
from migmodule.countries import by_m49

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
MANIFEST = json.loads((SAMPLES / "national_defects.json").read_text(encoding="utf-8"))
PLANTED_ROWS = {row for defect in MANIFEST["defects"] for row in defect["rows"]}


def generator():
    spec = importlib.util.spec_from_file_location(
        "make_national_sample", SAMPLES / "make_national_sample.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_national_sample", module)
    spec.loader.exec_module(module)
    return module


def read(name: str) -> pd.DataFrame:
    path = SAMPLES / name
    if path.suffix == ".sav":
        return pyreadstat.read_sav(str(path), user_missing=True)[0]
    if path.suffix == ".dta":
        return pyreadstat.read_dta(str(path))[0]
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# ---- the committed files and the generator (run now) ----------------------------------------------
TEXT_OUTPUTS = [
    "national_persons.csv",
    "national.profile.yaml",
    "national_csv.profile.yaml",
    "national_countries.csv",
    "national_counties.csv",
    "national_defects.json",
]


def test_the_generator_is_deterministic_and_the_committed_files_are_its_output(tmp_path):
    generator().make(tmp_path, check=False)
    for name in TEXT_OUTPUTS:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name
    section = (tmp_path / "README.md").read_text(encoding="utf-8").split("## national:")[1]
    assert "## national:" + section in (SAMPLES / "README.md").read_text(encoding="utf-8")
    for name in MANIFEST["files"]:  # the .sav/.dta headers carry the census date, not today's
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_recoded_to_the_standard_todays_engine_finds_exactly_the_planted_defects():
    """The clean rows are clean by the module's rules: checked on the standard view of the file."""
    make = generator()

    rng = np.random.default_rng(make.SEED)
    _, frame = make.draw(rng)
    defects = make.plant(frame, rng)
    assert [d.__dict__ for d in defects] == MANIFEST["defects"]
    make.verify(frame, defects)  # raises SystemExit with the difference


def test_every_file_holds_the_same_persons_and_answers():
    sav = read("national_persons.sav")
    csv = read("national_persons.csv")
    assert len(sav) == len(csv) == MANIFEST["rows"]
    for name in MANIFEST["files"]:
        frame = read(name)
        assert list(frame.columns) == list(sav.columns), name
        for column in ["P01_LINE", "P19_BIRTHPLACE", "P23_REASON", "P21_YEARS_HERE"]:
            values = pd.to_numeric(frame[column].replace("", None)).astype(float)
            assert values.equals(sav[column].astype(float)), (name, column)
    # the CSV answers in words where the .sav has codes and labels
    assert set(csv["P11_SEX"]) == {"Male", "Female", "7"}
    assert "Not applicable (not born then)" in set(csv["P27_RES1Y"])
    assert csv["P12_DOB"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()


def test_identifiers_are_17_digit_text_and_would_collide_as_floating_point():
    sav, dta, csv = (read(n) for n in ["national_persons.sav", "national_persons.dta",
                                       "national_persons.csv"])  # fmt: skip
    for frame in (sav, dta, csv):
        assert frame["HHID"].str.fullmatch(r"\d{17}").all()
    assert sav["HHID"].equals(csv["HHID"]) and dta["HHID"].equals(csv["HHID"])
    ids = csv["HHID"].drop_duplicates()
    assert len(ids) == MANIFEST["households"]
    # neighbouring households differ in the last digit only, and as floats many are one number
    assert (ids.str[:-1].duplicated()).sum() > 100
    assert ids.astype(float).nunique() < len(ids) - 100
    key = csv[["HHID", "P01_LINE"]]
    repeated = [int(r) + 1 for r in key.index[key.duplicated()]]
    (duplicates,) = [d for d in MANIFEST["defects"] if d["code"] == "DATA-ID-001"]
    assert repeated == duplicates["rows"] and len(repeated) == 3
    assert duplicates["ids"] == [[csv.at[r - 1, "HHID"], int(csv.at[r - 1, "P01_LINE"])]
                                 for r in repeated]  # fmt: skip
    # the numeric variant: the same households, ids without the county digits, exact as doubles
    for name in ["national_persons_numid.sav", "national_persons_numid.dta"]:
        numeric = read(name)["HHID"]
        assert numeric.max() < 2**53
        assert numeric.map(lambda v: f"{int(v):015d}").equals(csv["HHID"].str[2:]), name


def test_the_profiles_use_every_form_of_the_national_profile_language():
    main = yaml.safe_load((SAMPLES / "national.profile.yaml").read_text(encoding="utf-8"))
    text = yaml.safe_load((SAMPLES / "national_csv.profile.yaml").read_text(encoding="utf-8"))
    (settings,) = main["modules"]
    assert settings["ids"] == {"hh_id": "HHID", "person_no": "P01_LINE"}
    variables = settings["variables"]
    assert isinstance(variables["country_of_birth"], str)
    assert variables["place_of_birth"] == {
        "from": "P19_BIRTHPLACE",
        "where": "P19_BIRTHPLACE >= 1 and P19_BIRTHPLACE <= 47",
    }
    derive = settings["derive"]
    assert "age_at(" in derive["age"] and derive["year_of_arrival"].startswith("year(")
    assert derive["duration_of_residence"].startswith("if(")
    recodes = settings["recodes"]
    assert (
        "11:14" in recodes["reason_for_migration"] and "else" not in recodes["reason_for_migration"]
    )
    assert recodes["citizenship"]["else"] == 9
    assert recodes["residence_1y_ago"]["0"] is None
    assert recodes["country_of_birth"] == "national_countries.csv"
    assert recodes["country_of_birth_mother"] == "iso3"
    assert settings["parameters"] == {"ADMIN_AREAS": "national_counties.csv"}
    assert settings["levels"] == {"person": {"where": "P15_USUAL == 1"}}
    assert settings["universes"] == {
        "year_of_arrival": "foreign_born",
        "country_of_citizenship": "true",
    }
    (csv_settings,) = text["modules"]
    assert csv_settings["recodes"]["sex"] == {"Male": 1, "Female": 2}
    assert csv_settings["recodes"]["residence_1y_ago"]["Not applicable (not born then)"] is None
    assert csv_settings["files"] == {"person": "national_persons.csv"}
    # the two profiles differ only in the file and the text recodes
    assert {k: v for k, v in csv_settings.items() if k not in ("files", "recodes")} == {
        k: v for k, v in settings.items() if k not in ("files", "recodes")
    }


def _crosswalk() -> list[tuple[str, str]]:
    frame = pd.read_csv(SAMPLES / "national_countries.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["national", "standard"]
    return list(zip(frame["national"], frame["standard"], strict=True))


def _covered(code: int, rows: list[tuple[str, str]]) -> bool:
    for national, _ in rows:
        low, _, high = national.partition(":")
        if int(low) <= code <= int(high or low):
            return True
    return False


def test_the_crosswalk_covers_every_national_code_but_the_planted_one():
    rows = _crosswalk()
    m49 = set(by_m49())
    for _, standard in rows:
        assert standard == "null" or int(standard) in m49 | {996, 999}, standard
    assert ("1:47", "404") in rows  # the counties: born in Kenya
    sav = read("national_persons.sav")
    unknown = MANIFEST["unknown_country_code"]
    for column in ["P18_NATIONALITY", "P19_BIRTHPLACE", "P22A_PREV_PLACE", "P28_RES1Y_PLACE",
                   "P30_RES5Y_PLACE"]:  # fmt: skip
        codes = {int(v) for v in sav[column].dropna()} - {unknown}
        assert all(_covered(code, rows) for code in codes), column
    assert not _covered(unknown, rows) and unknown not in m49
    assert (sav["P19_BIRTHPLACE"] == unknown).sum() == 1
    counties = pd.read_csv(SAMPLES / "national_counties.csv")
    assert list(counties.columns) == ["code", "label_en", "label_fr", "label_es"]
    assert list(counties["code"]) == list(range(1, 48))


def test_the_readme_shows_the_command_and_every_planted_defect():
    text = (SAMPLES / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## national:") :]
    assert (
        "migmodule validate samples/national_persons.sav --profile samples/national.profile.yaml "
        "--report out/national-report.html"
    ) in section
    for defect in MANIFEST["defects"]:
        line = next(line for line in section.splitlines() if defect["description"] in line)
        assert defect["code"] in line and ", ".join(map(str, defect["rows"])) in line


# ---- the engine on the national files (lands with the national profile forms) ---------------------
FILES = sorted(MANIFEST["files"])


def _standard_view_of_the_generator() -> tuple[pd.DataFrame, list[int]]:

    make = generator()
    rng = np.random.default_rng(make.SEED)
    _, frame = make.draw(rng)
    make.plant(frame, rng)
    return make.standard_view(frame)


@pytest.mark.parametrize("name", FILES)  # .sav/.dta dates are read by their formats (DATE11, %td)
def test_the_national_layer_reads_every_file_as_the_standard_view_the_generator_checked(name):
    """Splits, derive, recodes (text, ranges, else, null), crosswalk, iso3 and the level filter,
    read through the national layer, give the standard codes the generator validated."""
    from migmodule.microdata.source import DataSource
    from migmodule.national.layer import NationalLayer
    from migmodule.profile import adapt, load_profile

    view, rows = _standard_view_of_the_generator()
    (adapted,) = adapt(load_profile(SAMPLES / MANIFEST["files"][name]["profile"]))
    source = DataSource(SAMPLES / name)
    layer = NationalLayer.for_source(adapted, source)
    kept, parts = [], []
    start = 0
    names = list(source.columns)
    columns = list(
        dict.fromkeys(layer.columns("person", names) + layer.columns("household", names))
    )
    for chunk in source.chunks(columns, 700):
        keep = layer.rows(chunk.frame, "person")
        values = {}
        for level in ("person", "household"):  # a flat file: household questions on every row
            national = layer.apply(chunk.frame, level)
            values.update({q: c.values.to_numpy() for q, c in national.columns.items()})
        parts.append(pd.DataFrame(values)[keep])
        kept += [start + i + 1 for i in np.flatnonzero(keep)]
        start += len(chunk.frame)
    got = pd.concat(parts, ignore_index=True)
    assert kept == rows  # the visitors are left out by the level's where
    assert set(view.columns) - {"hh_id", "person_no"} == set(got.columns)
    for question in got.columns:
        values = pd.to_numeric(got[question], errors="coerce").astype(float)
        assert values.equals(view[question].astype(float)), question


def findings(report) -> dict[tuple[str, str], list[int]]:
    return {
        (r.code, r.question or r.edit or ""): sorted(e["row"] for e in r.examples)
        for r in report.results
        if r.finding is not None and r.severity is Severity.ERROR
    }


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("chunk_size", [None, 500])
def test_the_engine_finds_exactly_the_planted_defects_and_nothing_on_clean_rows(name, chunk_size):
    """Text ids (.sav, .dta), numbers (numid), CSV with text answers: the same error findings."""
    from migmodule.validate import validate_data

    report = validate_data(
        {"person": SAMPLES / name},
        profile=SAMPLES / MANIFEST["files"][name]["profile"],
        chunk_size=chunk_size,
        max_examples=10_000,
    )
    expected = {(d["code"], d["question"]): d["rows"] for d in MANIFEST["defects"]}
    found = findings(report)
    assert found == expected, name
    for result in report.results:  # and no error-level finding on a clean row, whatever its form
        if result.finding is not None and result.severity is Severity.ERROR:
            assert {e["row"] for e in result.examples} <= PLANTED_ROWS, result.code


def test_the_national_universes_are_stated_once_as_information():
    from migmodule.validate import validate_data

    report = validate_data(
        {"person": SAMPLES / "national_persons.sav"}, profile=SAMPLES / "national.profile.yaml"
    )
    for question in ("year_of_arrival", "country_of_citizenship"):
        stated = [
            r
            for r in report.results
            if r.finding is not None and r.question == question and r.severity is Severity.INFO
        ]
        assert len(stated) == 1, question


def test_the_readme_command_writes_the_report(tmp_path):
    from migmodule.cli import main

    out = tmp_path / "out" / "national-report.html"
    out.parent.mkdir()  # the README's `mkdir -p out`
    result = CliRunner().invoke(
        main,
        ["validate", str(SAMPLES / "national_persons.sav"), "--profile",
         str(SAMPLES / "national.profile.yaml"), "--report", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1, result.output  # the planted errors
    html = out.read_text(encoding="utf-8")
    for defect in MANIFEST["defects"]:
        assert defect["code"] in html


@pytest.mark.parametrize("profile", ["national.profile.yaml", "national_csv.profile.yaml"])
def test_profile_check_accepts_the_national_profiles(profile):
    from migmodule.cli import main

    result = CliRunner().invoke(main, ["profile", "check", str(SAMPLES / profile)])
    assert result.exit_code == 0, result.output
