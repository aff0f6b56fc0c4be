"""CSV files as French and Spanish Excel write them: `;`, decimal comma, Windows-1252 or UTF-16
("Unicode text", tabs). They are detected, said, and validate like the UTF-8 comma file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.microdata import csv_dialect

SAMPLE = Path(__file__).resolve().parents[1] / "samples"
DISTRICTS = ["Thiès", "Ségou", "Zinder", "Kédougou"]


@pytest.fixture(scope="module")
def persons() -> pd.DataFrame:
    frame = pd.read_spss(SAMPLE / "census_persons.sav", convert_categoricals=False)
    for name in frame.columns:
        if frame[name].dtype == "float64" and frame[name].dropna().mod(1).eq(0).all():
            frame[name] = frame[name].astype("Int64")
    frame["weight"] = [1.25 + (i % 7) * 0.5 for i in range(len(frame))]  # decimals
    frame["district"] = [DISTRICTS[i % 4] for i in range(len(frame))]  # accents
    return frame


def excel(frame: pd.DataFrame, path: Path, *, sep: str, decimal: str, encoding: str) -> Path:
    frame.to_csv(path, sep=sep, decimal=decimal, encoding=encoding, index=False)
    return path


def run(path: Path, tmp_path: Path, *options: str) -> tuple[int, str, dict]:
    out = tmp_path / f"{path.stem}.json"
    result = CliRunner().invoke(
        main,
        [
            "validate",
            f"person={path}",
            "--profile",
            str(SAMPLE / "census.profile.yaml"),
            "--weight",
            "weight",
            "--by",
            "district",
            "--report",
            str(out),
            *options,
        ],
    )
    report = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    return result.exit_code, result.output, report


def findings(report: dict) -> list[tuple]:
    return [
        (r["code"], r["question"], r["edit"], r["count"], r["weighted_rate"], json.dumps(r["by"]))
        for r in report["results"]
    ]


def test_semicolon_cp1252_decimal_comma_validates_like_utf8_comma(persons, tmp_path):
    plain = excel(persons, tmp_path / "utf8.csv", sep=",", decimal=".", encoding="utf-8")
    french = excel(persons, tmp_path / "excel_fr.csv", sep=";", decimal=",", encoding="cp1252")
    assert b";1,25;" in french.read_bytes() and "Thiès".encode("cp1252") in french.read_bytes()
    code, _, expected = run(plain, tmp_path)
    assert code == 1 and expected["stats"]["findings"] >= 5
    code, output, report = run(french, tmp_path)
    assert code == 1
    assert findings(report) == findings(expected)
    assert any(r["by"] and "Thiès" in r["by"] for r in report["results"])
    assert "read as cp1252, columns separated by semicolons (;), decimal mark comma (,)" in output


@pytest.mark.parametrize(
    ("sep", "decimal", "encoding", "seen"),
    [
        ("\t", ",", "utf-16", "utf-16"),  # Excel "Unicode text"
        (";", ",", "utf-8-sig", "utf-8-sig"),  # Excel "CSV UTF-8"
        (",", ".", "cp1252", "cp1252"),
    ],
)
def test_excel_variants_validate_alike(persons, tmp_path, sep, decimal, encoding, seen):
    plain = excel(persons, tmp_path / "utf8.csv", sep=",", decimal=".", encoding="utf-8")
    other = excel(persons, tmp_path / "other.csv", sep=sep, decimal=decimal, encoding=encoding)
    _, _, expected = run(plain, tmp_path)
    _, output, report = run(other, tmp_path)
    assert findings(report) == findings(expected)
    dialect = csv_dialect.detect(other)
    assert (dialect.encoding, dialect.sep, dialect.decimal) == (seen, sep, decimal)


def test_detection_and_the_sentence_that_says_it(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("id;poids;nom\n1;1,5;Thiès\n2;2,25;Ségou\n".encode("cp1252"))
    dialect = csv_dialect.detect(path)
    assert (dialect.encoding, dialect.sep, dialect.decimal) == ("cp1252", ";", ",")
    assert csv_dialect.describe(dialect, "a.csv", "fr") == (
        "a.csv : lu en cp1252, colonnes séparées par des points-virgules (;), "
        "séparateur décimal virgule (,)."
    )
    frame = next(csv_dialect.read_chunks(path, None, [], None))
    assert list(frame["poids"]) == ["1.5", "2.25"] and list(frame["nom"]) == ["Thiès", "Ségou"]
    # a comma-separated file keeps its point; "1,5" inside quotes stays text
    path.write_text('id,x,t\n1,2.5,"1,5"\n', encoding="utf-8")
    dialect = csv_dialect.detect(path)
    assert (dialect.encoding, dialect.sep, dialect.decimal) == ("utf-8", ",", ".")


def test_options_override_detection_and_bad_values_are_refused(persons, tmp_path):
    french = excel(persons, tmp_path / "fr.csv", sep=";", decimal=",", encoding="cp1252")
    code, output, _ = run(french, tmp_path, "--sep", ",")
    assert code == 2 and "emigrants_number;weight;district" in output  # read as one column
    code, output, _ = run(french, tmp_path, "--sep", ";", "--decimal", ",", "--encoding", "cp1252")
    assert code == 1 and "columns separated" not in output  # nothing was left to detect
    code, output, _ = run(french, tmp_path, "--sep", "#")
    assert code == 2 and "VAL-OPTION-004" in output and "--sep #" in output
    code, output, _ = run(french, tmp_path, "--encoding", "klingon")
    assert code == 2 and "VAL-OPTION-004" in output
