"""Checks on the built-in country list, src/migmodule/data/countries.csv.

The file is read with the csv module, not through migmodule, so these tests check the
data file itself. The last test rebuilds the file and compares bytes. Because of that
test, the committed CSV cannot drift away from build_countries.py.
"""

import csv
import importlib.util
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "src" / "migmodule" / "data"
CSV_PATH = DATA / "countries.csv"
BUILD_SCRIPT = DATA / "build_countries.py"


@pytest.fixture(scope="module")
def rows():
    with open(CSV_PATH, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_row_count(rows):
    assert len(rows) == 248


def test_unique_codes(rows):
    m49 = [r["m49"] for r in rows]
    iso3 = [r["iso3"] for r in rows]
    assert len(set(m49)) == len(m49)
    assert all(iso3) and len(set(iso3)) == len(iso3)


def test_sorted_by_m49_without_padding(rows):
    codes = [int(r["m49"]) for r in rows]
    assert codes == sorted(codes)
    assert all(r["m49"] == str(int(r["m49"])) for r in rows)


def test_afghanistan(rows):
    afg = next(r for r in rows if r["m49"] == "4")
    assert (afg["name_en"], afg["iso3"], afg["iso2"]) == ("Afghanistan", "AFG", "AF")


def test_cote_divoire_keeps_typographic_apostrophe(rows):
    civ = next(r for r in rows if r["m49"] == "384")
    assert civ["name_en"] == "C\u00f4te d\u2019Ivoire"  # U+2019, as UNSD publishes it
    assert "'" not in civ["name_en"]


def test_every_row_has_three_names(rows):
    for r in rows:
        for col in ("name_en", "name_fr", "name_es"):
            assert r[col].strip(), f"m49 {r['m49']} has no {col}"
        assert r["name_source_fr"] in {"unterm", "unsd", "pycountry"}
        assert r["name_source_es"] in {"unterm", "unsd", "pycountry"}


def test_no_unterm_footnote_markers(rows):
    for r in rows:
        assert not r["name_fr"].endswith("*") and not r["name_es"].endswith("*"), r["m49"]


def test_reserved_special_range_unused(rows):
    # migmodule keeps 900-999 for its own special codes.
    assert not [r["m49"] for r in rows if 900 <= int(r["m49"]) <= 999]


@pytest.fixture(scope="module")
def builder():
    """The build script, imported from its path (it is not part of the package)."""
    pytest.importorskip("pycountry")
    spec = importlib.util.spec_from_file_location("build_countries", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not (module.UNSD_CSV.exists() and module.DATASETS_CSV.exists()):
        pytest.skip(f"source files not found in {module.SOURCE_DIR}")
    return module


def test_rebuild_is_byte_identical(builder, tmp_path):
    out = tmp_path / "countries.csv"
    builder.build(out)
    assert out.read_bytes() == CSV_PATH.read_bytes()


def test_missing_name_fails_loudly(builder, tmp_path, monkeypatch):
    # Blank every French source for Afghanistan: the build must name the row, not write a blank.
    with open(builder.DATASETS_CSV, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, src = reader.fieldnames, list(reader)
    for r in src:
        if r["M49"] == "4":
            r["UNTERM French Short"] = r["official_name_fr"] = ""
    edited = tmp_path / "country-codes.csv"
    with open(edited, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(src)
    monkeypatch.setattr(builder, "DATASETS_CSV", edited)
    monkeypatch.setattr(
        builder, "_iso_translators", lambda: {"fr": lambda s: None, "es": lambda s: s}
    )
    with pytest.raises(builder.BuildError, match=r"M49 4 .*no fr name"):
        builder.build(tmp_path / "out.csv")
