"""The sample files: the validator finds exactly the planted defects (samples/defects.json), in their rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.validate import validate_data

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
MANIFEST = (
    json.loads((SAMPLES / "defects.json").read_text(encoding="utf-8"))
    if (SAMPLES / "defects.json").exists()
    else {}
)

CASES = [
    (name, level, file)
    for name, sample in MANIFEST.items()
    for level, files in sample["files"].items()
    for file in files
]


def found(report) -> dict[tuple[str, str, str], list[int]]:
    return {
        (r.level or "", r.code, r.question or r.edit or ""): [
            e["row"] for e in r.examples if e.get("file") != "parent"
        ]
        for r in report.results
        if r.finding is not None
    }


@pytest.mark.parametrize("name", sorted(MANIFEST))
@pytest.mark.parametrize("chunk_size", [None, 13])
def test_exactly_the_planted_defects(name, chunk_size):
    sample = MANIFEST[name]
    expected = {(d["level"], d["code"], d["what"]): d["rows"] for d in sample["defects"]}
    assert expected, "the sample has no planted defect"
    for variant in range(max(len(files) for files in sample["files"].values())):
        files = {
            level: SAMPLES / names[min(variant, len(names) - 1)]
            for level, names in sample["files"].items()
        }
        report = validate_data(
            files, profile=SAMPLES / sample["profile"], chunk_size=chunk_size, max_examples=100
        )
        assert found(report) == expected, f"{name}: {files}"


def test_every_defect_kind_of_the_issue_is_planted_somewhere():
    codes = {d["code"] for sample in MANIFEST.values() for d in sample["defects"]}
    wanted = {
        "DATA-CODE-001",
        "DATA-CODE-002",
        "DATA-UNIV-001",
        "DATA-UNIV-002",
        "DATA-NR-001",
        "DATA-ID-001",
        "DATA-ID-002",
        "DATA-CODE-003",
        "DATA-CODE-004",
        "DATA-LEVEL-002",  # a flat person file whose household rows disagree
    }
    assert wanted <= codes
    # an edit failure is planted once a sample's module has edits (make_samples.py says which it could not plant)
    for sample in MANIFEST.values():
        assert set(sample["not_planted"]) <= {"edit failure", "household without persons"}


def test_readme_lists_every_defect():
    text = (SAMPLES / "README.md").read_text(encoding="utf-8")
    for sample in MANIFEST.values():
        for defect in sample["defects"]:
            assert defect["description"] in text


def test_readme_command_writes_an_html_report(tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        main,
        [
            "validate",
            str(SAMPLES / "census_persons.sav"),
            "--profile",
            str(SAMPLES / "census.profile.yaml"),
            "--report",
            str(out),
        ],
    )
    assert result.exit_code == 1, result.output  # the sample has errors on purpose
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html and "DATA-CODE-002" in html
    # self-contained: no script, no style sheet or image fetched from anywhere
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert html.count("http") == html.count('xmlns="http://www.w3.org/2000/svg"')


@pytest.mark.parametrize("name", ["census_persons.sav", "census_persons.dta"])
def test_the_readme_command_finds_exactly_the_planted_defects(tmp_path, name):
    """The README's commands: the profile's own file, and another file named on the command line.

    The .dta is not the profile's person file: it must replace it (not be read as a household file).
    """
    import json as _json

    from click.testing import CliRunner

    from migmodule.cli import main

    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        [
            "validate",
            str(SAMPLES / name),
            "--profile",
            str(SAMPLES / "census.profile.yaml"),
            "--report",
            str(report_path),
        ],
    )
    assert result.exit_code == 1, result.output  # the planted errors reach --fail-on error
    report = _json.loads(report_path.read_text(encoding="utf-8"))
    planted = sorted(d["code"] for d in MANIFEST["census"]["defects"])
    assert sorted(f["code"] for f in report["findings"]) == planted
    # the file is read once, as the person file (not also as a household file)
    assert list(report["files"]) == ["person"], report["files"]
    assert report["files"]["person"]["path"].endswith(name)
