"""Broken data files, report paths and specs that engines used to take (issue 20): each gets a
coded message and exit 2 before anything is written, and a spec that `lint` refuses is refused by
every command with lint's code (one validation path, `spec/lint.py: checked_spec`)."""

from __future__ import annotations

import errno
import hashlib
import json
import traceback
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from migmodule.cli import main
from migmodule.spec import lint
from migmodule.spec.registry import bank_dir
from validate_helpers import MINI, table, write

PERSONS = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons | region |
|-------|-----------|-----|------------------|-----------------|---------|--------|
| 1     | 1         | 40  | 404              |                 |         | A      |
| 1     | 2         | 35  | 1234             | 2010            | 1 2     | A      |
| 2     | 1         | 30  | 250              | 2028            |         | B      |
"""
VALIDATE = ["--module", str(MINI), "--country", "KE"]


def run(*args) -> tuple[int, str]:
    """Exit code and output of one command; a traceback fails the test."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    error = result.exception
    if error is not None and not isinstance(error, SystemExit):
        pytest.fail("".join(traceback.format_exception(error)))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def persons(tmp_path) -> dict[str, Path]:
    frame = table(PERSONS)
    paths = {s: write(frame, tmp_path / f"p.{s}") for s in ("csv", "dta", "sav", "parquet")}
    pyreadstat.write_sav(frame, str(tmp_path / "p.zsav"), compress=True)
    paths["zsav"] = tmp_path / "p.zsav"
    return paths


# data files are inputs --------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["dta", "sav"])
def test_apply_labels_onto_the_data_it_reads_is_refused(persons, suffix):
    data = persons[suffix]
    before = digest(data)
    code, output = run("apply-labels", data, "--module", MINI, "--country", "KE", "-o", data)
    assert code == 2 and "OUT-WRITE-002" in output and "a data file it reads" in output
    assert digest(data) == before


def test_map_onto_its_data_file_is_refused(persons):
    data = persons["csv"]
    before = digest(data)
    code, output = run("map", data, "-m", MINI, "-o", data)
    assert code == 2 and digest(data) == before


# broken data files -------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["parquet", "zsav", "sav"])
def test_a_corrupt_file_is_a_coded_message(persons, suffix, tmp_path):
    broken = tmp_path / f"broken.{suffix}"
    broken.write_bytes(persons[suffix].read_bytes()[:300])
    code, output = run("validate", broken, *VALIDATE)
    assert code == 2 and "VAL-FILE-001" in output and "broken." in output


@pytest.mark.parametrize("cut", [7, 100, 1000])
def test_a_truncated_dta_is_not_validated_as_whole(persons, cut, tmp_path):
    whole = persons["dta"].read_bytes()
    short = tmp_path / "short.dta"
    short.write_bytes(whole[:-cut])
    code, output = run("validate", short, *VALIDATE)
    assert code == 2 and "VAL-FILE-003" in output
    assert f"{len(whole) - cut:,} bytes" in output and f"{len(whole):,}" in output


def test_the_whole_dta_is_read(persons):
    code, output = run("validate", persons["dta"], *VALIDATE)
    assert code == 1 and "VAL-FILE" not in output  # findings of the data, not of the file


@pytest.mark.parametrize("command", ["validate", "map"])
def test_an_unknown_encoding_is_a_coded_message(persons, command):
    options = VALIDATE if command == "validate" else ["-m", MINI]
    code, output = run(command, persons["csv"], *options, "--encoding", "no-such-code-page")
    assert code == 2 and "no-such-code-page" in output and "not an encoding" in output


def test_a_utf16_csv_without_bom_reads_as_the_utf8_one(persons, tmp_path):
    text = persons["csv"].read_text(encoding="utf-8")
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes(text.encode("utf-16-le"))
    out8, out16 = tmp_path / "a.json", tmp_path / "b.json"
    assert run("validate", persons["csv"], *VALIDATE, "--report", out8)[0] == 1
    assert run("validate", utf16, *VALIDATE, "--report", out16)[0] == 1
    codes = [
        sorted((r["code"], r["count"]) for r in json.loads(p.read_text())["results"])
        for p in (out8, out16)
    ]
    assert codes[0] == codes[1]


def test_two_columns_of_one_name_are_refused(tmp_path):
    data = tmp_path / "dup.csv"
    data.write_text("hh_id,person_no,age,age\n1,1,30,40\n", encoding="utf-8")
    code, output = run("validate", data, *VALIDATE)
    assert code == 2 and "VAL-FILE-004" in output and "'age'" in output and "3, 4" in output


@pytest.mark.parametrize("content", ["", "hh_id,person_no,age\n"])
def test_an_empty_file_is_never_valid(tmp_path, content):
    data = tmp_path / "empty.csv"
    data.write_text(content, encoding="utf-8")
    code, output = run("validate", data, *VALIDATE)
    assert code == 2 and ("VAL-FILE-005" in output if content else "VAL-FILE-001" in output)
    code, output = run("apply-labels", data, "--module", MINI, "--country", "KE", "-o", "x.dta")
    assert code == 2 and not (tmp_path / "x.dta").exists()


def test_apply_labels_keeps_a_value_beyond_int32(tmp_path):
    data = tmp_path / "big.csv"
    data.write_text("hh_id,person_no,age\n1,1,3000000000\n", encoding="utf-8")
    out = tmp_path / "big.dta"
    code, _ = run("apply-labels", data, "--module", MINI, "--country", "KE", "-o", out)
    assert code == 0
    assert pd.read_stata(out)["age"].tolist() == [3_000_000_000]


def test_identifiers_beyond_2_53_stay_exact(tmp_path):
    data = tmp_path / "ids.csv"
    # ...993 twice, ...992 once: float64 would make all three one identifier
    data.write_text(
        "hh_id,person_no,age\n9007199254740993,1,30\n9007199254740992,1,31\n"
        "9007199254740993,1,32\n",
        encoding="utf-8",
    )
    report = tmp_path / "r.json"
    run("validate", data, *VALIDATE, "--report", report)
    duplicates = [
        r for r in json.loads(report.read_text())["results"] if r["code"] == "DATA-ID-001"
    ]
    assert [r["count"] for r in duplicates] == [1]


def test_a_repeated_header_line_gives_the_same_report_at_every_chunk_size(tmp_path):
    """`cat a.csv b.csv`: the identifier column mixes numbers and text; its type is decided once
    per file, not per chunk."""
    part = "hh_id,person_no,age\n1,1,30\n2,1,31\n"
    data = tmp_path / "cat.csv"
    data.write_text(part + part, encoding="utf-8")
    results = []
    for size in (2, 100000):
        report = tmp_path / f"r{size}.json"
        run("validate", data, *VALIDATE, "--chunk-size", size, "--report", report)
        found = json.loads(report.read_text())["results"]
        results.append(sorted((r["code"], r["count"], r["denominator"]) for r in found))
    assert results[0] == results[1]
    assert ("DATA-ID-001", 2, 5) in results[0]  # 1/1 and 2/1 again; the header line is a unit


# reports -----------------------------------------------------------------------------------------
def test_control_characters_in_values_reach_every_report(tmp_path):
    data = tmp_path / "ctl.csv"
    data.write_bytes(
        b"hh_id,person_no,age,country_of_birth,region\n1,1,40,404,A\n"
        b"1\x01\x1b,2,abc\x07\x00x,=cmd,A\x0c\n"
    )
    reports = [tmp_path / f"r.{s}" for s in ("html", "xlsx", "json")]
    code, output = run("validate", data, *VALIDATE, *[x for r in reports for x in ("--report", r)])
    assert code == 1, output
    assert json.loads(reports[2].read_text(encoding="utf-8"))["valid"] is False
    book = load_workbook(reports[1])
    assert all(c.data_type != "f" for s in book.worksheets for row in s.iter_rows() for c in row)


@pytest.mark.parametrize("where", ["folder", "missing folder"])
def test_a_report_path_that_cannot_be_written_is_refused_before_the_run(persons, tmp_path, where):
    target = tmp_path / "r.json"
    if where == "folder":
        target.mkdir()
    else:
        target = tmp_path / "nowhere" / "r.json"
    code, output = run("validate", persons["csv"], *VALIDATE, "--report", target)
    assert code == 2 and "OUT-WRITE-001" in output
    assert "checks in" not in output  # refused before the validation ran


def test_reports_are_written_all_or_none(persons, tmp_path, monkeypatch):
    import migmodule.validate.xlsx as xlsx

    def broken(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsx, "write_xlsx", broken)
    html, book = tmp_path / "r.html", tmp_path / "r.xlsx"
    code, output = run("validate", persons["csv"], *VALIDATE, "--report", html, "--report", book)
    assert code == 2 and "OUT-WRITE-001" in output and "No space left" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in persons.values()
    )  # no HTML, no XLSX, no .part


def test_a_full_disk_is_a_coded_message_with_the_path(tmp_path, monkeypatch):
    import builtins

    real_open = builtins.open

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    def full_open(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return Full(handle) if "w" in mode and str(path).endswith(".part") else handle

    monkeypatch.setattr(builtins, "open", full_open)
    out = tmp_path / "mini.do"
    code, output = run("export", "stata", MINI, "--country", "KE", "-o", out)
    assert code == 2 and "OUT-WRITE-001" in output and "No space left on device" in output
    assert "mini.do" in output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_a_reference_date_out_of_any_census_is_refused(persons, date):
    code, output = run("validate", persons["csv"], *VALIDATE, "--reference-date", date)
    assert code == 2 and "PARAM-VALUE-001" in output and "1800 and 2200" in output
    out = persons["csv"].with_name("out.xlsx")
    code, output = run(
        "export", "xlsform", MINI, "--country", "KE", "--reference-date", date, "-o", out
    )
    assert code == 2 and "PARAM-VALUE-001" in output and not out.exists()


# one validation path -----------------------------------------------------------------------------
SPEC = MINI.read_text(encoding="utf-8")
MUTATIONS = {
    "edit at a level that does not exist": (
        ("  - id: E2\n    level: person", "  - id: E2\n    level: village"),
        "LINT-LEVEL-001",
    ),
    "duplicated code-list id": (("  - id: reasons\n", "  - id: nativity\n"), "LINT-ID-001"),
    "derived-variable cycle": (
        ("expression: year(REF_DATE) - year_of_arrival", "expression: years_since_arrival + 1"),
        "LINT-DERIVED-001",
    ),
    "range bound written as a condition": (
        ("range: {minimum: 0, maximum: 120}", 'range: {minimum: "age >= 0", maximum: 120}'),
        "LINT-RANGE-001",
    ),
    "a code beyond 32 bits": (
        ("{code: 98, label", "{code: 1" + "0" * 400 + ", label"),
        "LINT-NUMBER-001",
    ),
    "a number beyond float64 in an expression": (
        ("check: year_of_arrival <= year(REF_DATE)", "check: year_of_arrival <= 1" + "0" * 400),
        "LINT-NUMBER-001",
    ),
    "YAML boolean as a code": (
        ("{code: 7, label: {en: Other", "{code: yes, label: {en: Other"),
        "SPEC-SCHEMA-001",
    ),
    "infinite range bound": (("maximum: 120}", "maximum: 1.0e+400}"), "SPEC-SCHEMA-001"),
}
COMMANDS = {
    "export xlsform": ["export", "xlsform", "{spec}", "--country", "KE", "-o", "out.xlsx"],
    "export stata": ["export", "stata", "{spec}", "--country", "KE", "-o", "out.do"],
    "export cspro": ["export", "cspro", "{spec}", "--country", "KE", "-o", "out.dcf"],
    "export ddi": ["export", "ddi", "{spec}", "--country", "KE", "-o", "out.xml"],
    "handout": ["handout", "{spec}", "--format", "md", "-o", "out.md"],
    "validate": ["validate", "{data}", "--module", "{spec}", "--country", "KE"],
    "apply-labels": [
        "apply-labels",
        "{data}",
        "--module",
        "{spec}",
        "--country",
        "KE",
        "-o",
        "o.dta",
    ],
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_every_command_refuses_what_lint_refuses_with_its_code(mutation, tmp_path, monkeypatch):
    (old, new), code = MUTATIONS[mutation]
    assert SPEC.count(old) >= 1
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace(old, new), encoding="utf-8")
    data = write(table(PERSONS), tmp_path / "p.dta")
    monkeypatch.chdir(tmp_path)
    lint_code, lint_output = run("lint", spec)
    assert lint_code == 1 and code in lint_output, lint_output
    for name, args in COMMANDS.items():
        args = [a.replace("{spec}", str(spec)).replace("{data}", str(data)) for a in args]
        exit_code, output = run(*args)
        assert exit_code == 2 and f"error: {code}" in output, f"{name}:\n{output}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.dta", "spec.yaml"]  # nothing written


def test_each_spec_is_linted_once_and_released_bank_files_not_at_all(monkeypatch, tmp_path):
    calls = []
    real = lint._Linter.run

    def counted(self):
        calls.append(self.module.ref)
        return real(self)

    monkeypatch.setattr(lint._Linter, "run", counted)
    monkeypatch.setattr(lint, "_checked", {})
    released = json.loads((bank_dir() / "released.json").read_text(encoding="utf-8"))
    key = sorted(released)[0]
    lint.checked_spec(str(bank_dir() / key))
    assert calls == []  # a released file with its recorded checksum: linted when released
    copy = tmp_path / "spec.yaml"
    copy.write_bytes(MINI.read_bytes())
    lint.checked_spec(str(copy))
    lint.checked_spec(str(copy))
    assert calls == ["mini@1.0.0"]


def test_profile_format_and_languages_it_does_not_know_are_refused(tmp_path):
    for line, expected in (
        ("profile_format: 2", "profile_format 2"),
        ("languages: [en, xx]", "unknown language(s) xx"),
    ):
        profile = tmp_path / "p.yaml"
        profile.write_text(
            f"profile_format: 1\n{line}\ncountry: KEN\nmodules:\n  - module: {MINI}\n".replace(
                "profile_format: 1\nprofile_format: 2", "profile_format: 2"
            ),
            encoding="utf-8",
        )
        out = tmp_path / "out.do"
        for args in (
            ["profile", "check", profile],
            ["export", "stata", "--profile", profile, "-o", out],
        ):
            code, output = run(*args)
            assert code == 2 and "PROFILE-SCHEMA-001" in output and expected in output


def test_a_yaml_boolean_recode_value_is_refused(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text(
        f"profile_format: 1\ncountry: KEN\nmodules:\n  - module: {MINI}\n"
        "    recodes:\n      reasons: {'1': yes}\n",
        encoding="utf-8",
    )
    code, output = run("profile", "check", profile)
    assert code == 2 and "PROFILE-SCHEMA-001" in output and "YAML boolean" in output


@pytest.mark.parametrize("command", [["handout", "--format", "md"], ["export", "stata"]])
def test_a_profiles_reported_errors_are_reported_by_every_command(tmp_path, command):
    profile = tmp_path / "p.yaml"
    profile.write_text(
        f"profile_format: 1\ncountry: KEN\nmodules:\n  - module: {MINI}\n"
        "    variables: {no_such_question: X}\n",
        encoding="utf-8",
    )
    assert "PROFILE-QUESTION-001" in run("profile", "check", profile)[1]
    out = tmp_path / "out.txt"
    code, output = run(*command, "--profile", profile, "-o", out)
    assert code == 1 and "PROFILE-QUESTION-001" in output and out.exists()
