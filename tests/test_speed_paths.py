"""The fast paths of validation give the results of the slow ones they replace.

- Text cells to numbers (`prepare.parse_numbers`, polars' cast): the same numbers and the same
  "not a number" cells as `pandas.to_numeric` on every spelling, in a CSV run the same findings
  (DATA-CODE-005 with row and value), identifiers beyond 2^53 kept exact.
- The module bank (`spec/registry.py`) reads only the header keys of each module file: the same
  entries as a full parse, and a full parse whenever the file's top level is not plain keys.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from migmodule.spec import registry
from migmodule.spec.load import read_yaml
from migmodule.validate import validate_data
from migmodule.validate.prepare import _display, _parse_numbers_pandas, parse_numbers
from validate_helpers import comparable, mini

SPELLINGS = [
    "1", "1.5", "-2", "+3", "1e3", "1E-2", ".5", "5.", "inf", "-inf", "Infinity", "nan", "NaN",
    "NA", "null", "1_000", "1,5", "0x10", "12345678901234567890", "9007199254740993", "1e400",
    "-0", "  7 ", "abc", "1.5.2", "", "   ", "--1", "1d3", "١٢", "１２", "True", "e5", "1e", "- 1",
    "00012", "+.5", "INF", "nAn", "1.0e+10", "1 000", "\t4\t", None, "\x1c5\x1c", "\x1c", "\xa0",
]  # fmt: skip


def _as_file_column(cells: list) -> pd.Series:
    """A text column as a CSV chunk holds it (pandas' str dtype) and as a .sav/.dta one (object)."""
    return pd.DataFrame({"c": np.array(cells, dtype=object)})["c"]


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_parse_numbers_is_pandas_to_numeric(dtype):
    series = _as_file_column(SPELLINGS)
    series = series if dtype == "str" else series.astype(object)
    numbers, not_number = parse_numbers(series)
    expected, expected_not = _parse_numbers_pandas(series)
    np.testing.assert_array_equal(numbers, expected)  # NaN == NaN here, -0.0 == 0.0
    np.testing.assert_array_equal(np.signbit(numbers), np.signbit(expected))
    np.testing.assert_array_equal(not_number, expected_not)
    # And what the two agree on is what it should be.
    by_cell = dict(zip(SPELLINGS, not_number, strict=True))
    assert by_cell["abc"] and by_cell["1,5"] and by_cell["1_000"] and by_cell["١٢"]
    assert not by_cell[""] and not by_cell["   "] and not by_cell[None] and not by_cell["  7 "]
    assert numbers[SPELLINGS.index("\t4\t")] == 4.0


def test_parse_numbers_mixed_objects_go_to_pandas():
    series = pd.Series(["1", 2, 3.5, None, "x"], dtype=object)
    numbers, not_number = parse_numbers(series)
    np.testing.assert_array_equal(numbers, [1.0, 2.0, 3.5, np.nan, np.nan])
    assert not_number.tolist() == [False, False, False, False, True]


def test_display_keeps_text_and_exact_big_numbers():
    class Mapped:
        is_text = False

    shown = _display(_as_file_column(["5", "abc", None, " ", "2.5"]), Mapped())
    assert shown.tolist()[:2] == [5.0, "abc"] and shown.tolist()[4] == 2.5
    assert pd.isna(shown.iloc[2]) and shown.iloc[3] == " "
    # Whole numbers beyond 2^53 are shown exactly, whatever else the chunk holds (a chunk of
    # numbers only, or one with text: once pandas gave the exact number only for the first).
    for cells in (["9007199254740993", "1"], ["9007199254740993", "abc"]):
        big = _display(_as_file_column(cells), Mapped()).tolist()
        assert big[0] == 9007199254740993 and isinstance(big[0], int)
    assert _display(_as_file_column(["1e400", "-1e20"]), Mapped()).tolist() == [np.inf, -1e20]


def test_csv_mixed_text_and_numbers_reported_with_rows_and_values(tmp_path):
    """A CSV with text in a numeric question, a decimal comma file and identifiers > 2^53: the
    findings name the rows and the values, whatever the chunk size."""
    rows = [
        ("90071992547409930", "1", "30"),
        ("90071992547409931", "2", "abc"),
        ("90071992547409931", "3", " 41 "),
        ("90071992547409932", "1", "1e400"),
        ("90071992547409933", "1", ""),
        ("90071992547409933", "2", "n/a"),
        ("90071992547409934", "1", "12345678901234567890"),
    ]
    data = tmp_path / "persons.csv"
    data.write_text(
        "hh_id,person_no,age\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8"
    )
    reports = [validate_data(data, mini(), chunk_size=size) for size in (None, 1, 3)]
    whole = comparable(reports[0])
    for other in reports[1:]:
        assert comparable(other) == whole
    not_number = [r for r in reports[0].results if r.code == "DATA-CODE-005"]
    assert len(not_number) == 1
    examples = not_number[0].examples
    assert [(e["row"], e["value"]) for e in examples] == [(2, "abc"), (6, "n/a")]
    # A number beyond 2^53 is shown as the file writes it, in every chunking.
    out_of_range = [r for r in reports[0].results if r.code == "DATA-RANGE-001"][0]
    assert [e["value"] for e in out_of_range.examples] == [
        float("inf"),
        12345678901234567890,
    ]


def test_csv_decimal_comma_numbers(tmp_path):
    data = tmp_path / "persons.csv"
    data.write_text("hh_id;person_no;age\n1;1;30,5\n1;2;abc\n2;1;7\n", encoding="utf-8")
    report = validate_data(data, mini(), chunk_size=1)
    not_number = [r for r in report.results if r.code == "DATA-CODE-005"]
    assert [(e["row"], e["value"]) for e in not_number[0].examples] == [(2, "abc")]


# --- the module bank -------------------------------------------------------------------------


def _full_entry(path: Path) -> tuple:
    data, _ = read_yaml(path)
    title = data.get("title") or {}
    return (
        str(data.get("id", path.parent.name)),
        str(data.get("version", path.stem)),
        str(data.get("status", "draft")),
        title.get("en", "") if isinstance(title, dict) else str(title),
        str(data.get("kind", "module")),
    )


def test_bank_entries_from_headers_equal_full_parse():
    entries = registry.list_modules()
    assert entries
    for entry in entries:
        assert (entry.id, entry.version, entry.status, entry.title, entry.kind) == _full_entry(
            entry.path
        )


HEADER = """spec_format: 1
id: demo
version: 1.0.0
status: released
title:
  en: A demo
  fr: Une démo
questions:
- id: q1
  text: |
    status: draft
    id: other
"""


def test_header_excerpt_reads_only_top_level_keys():
    excerpt = registry._header_excerpt(HEADER)
    assert excerpt is not None
    assert "questions" not in excerpt and "status: draft" not in excerpt
    assert "  en: A demo" in excerpt


@pytest.mark.parametrize(
    "text",
    [
        "base: &b\n  id: x\n<<: *b\nversion: 1.0.0\n",  # a merge key
        "{id: x, version: 1.0.0}\n",  # a flow mapping
        "id: x\nid: y\n",  # a duplicate key
        "---\nid: x\n",  # a document marker
        '"id": x\n',  # a quoted key
    ],
)
def test_header_excerpt_gives_up_on_unusual_top_levels(text):
    assert registry._header_excerpt(text) is None


def test_bank_with_unusual_files_is_read_whole(tmp_path):
    """Files the excerpt cannot read are parsed whole: same entries, same resolution."""
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "1.0.0.yaml").write_text(HEADER, encoding="utf-8")
    (tmp_path / "demo" / "2.0.0.yaml").write_text(
        "{id: demo, version: 2.0.0, status: draft, title: {en: Flow}}\n", encoding="utf-8"
    )
    (tmp_path / "demo" / "1.1.0.yaml").write_text(
        "\ufeffid: demo\nversion: 1.1.0\nstatus: released\ntitle: {en: With a BOM}\n",
        encoding="utf-8",
    )
    entries = registry.list_modules(tmp_path)
    assert [(e.version, e.status, e.title) for e in entries] == [
        ("1.0.0", "released", "A demo"),
        ("1.1.0", "released", "With a BOM"),
        ("2.0.0", "draft", "Flow"),
    ]
    for entry in entries:
        assert (entry.id, entry.version, entry.status, entry.title, entry.kind) == _full_entry(
            entry.path
        )
    assert registry.resolve("demo", tmp_path).version == "1.1.0"  # newest released


def test_text_identifiers_hash_as_their_exact_whole_numbers():
    """keys.py reads whole-number text by an int64 cast (not to_numeric): still exact at 18
    digits, "5.00" is 5, and ids one apart beyond 2^53 stay apart."""
    from migmodule.validate.keys import id_keys

    cells = ["123456789012345678", "5.00", " 7 ", "123456789012345679", "-0"]
    text = pd.DataFrame({"id": pd.Series(cells, dtype=object)})
    ints = pd.DataFrame({"id": np.array([123456789012345678, 5, 7, 123456789012345679, 0])})
    np.testing.assert_array_equal(id_keys(text), id_keys(ints))
    assert len(set(id_keys(text).tolist())) == 5


@pytest.mark.parametrize("suffix", [".dta", ".sav"])
def test_readstat_batches_pulled_one_at_a_time_equal_the_streamed_ones(
    tmp_path, monkeypatch, suffix
):
    """readstat.py pulls batches from polars-readstat's reader (bounded memory) instead of
    polars' collect_batches (which reads ahead without bound): same frames, same Stata letters,
    exactly chunk_size rows each."""
    from migmodule.microdata import readstat
    from validate_helpers import write

    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "hh_id": np.arange(25),
            "age": np.where(rng.random(25) < 0.2, np.nan, rng.integers(0, 90, 25)),
            "region": rng.choice(["A", "Bé", ""], 25),
            "unused": rng.random(25),
        }
    )
    path = write(frame, tmp_path / f"p{suffix}")
    fmt = suffix[1:]
    names = ["region", "age", "hh_id"]  # not the file's order
    assert readstat._pulled(path, names, 7, None, None) is not None  # this version has it
    pulled = list(readstat.read_chunks(path, fmt, names, 7, ["age", "hh_id"]))
    assert [len(f) for f, _ in pulled] == [7, 7, 7, 4]
    monkeypatch.setattr(readstat, "_pulled", lambda *args: None)
    streamed = list(readstat.read_chunks(path, fmt, names, 7, ["age", "hh_id"]))
    assert [len(f) for f, _ in streamed] == [7, 7, 7, 4]
    for (a, letters_a), (b, letters_b) in zip(pulled, streamed, strict=True):
        assert list(a.columns) == names
        pd.testing.assert_frame_equal(a, b)
        assert letters_a.keys() == letters_b.keys()


CSV_TEXT = (
    'hh_id,person_no,age,note\r\n1,1,30,"a ""quoted"" note"\r\n1,2,,"two\nlines, and a comma"\r\n'
    '2,1,"",plain\r\n2,2,41,"ends with a newline\n"\r\n3,1,7,é\r\n3,2,8,\r\n4,1,9,"x"\r\n4,2,10,last'
)


@pytest.mark.parametrize("block", [1, 5, 17, 64, 1 << 20])
def test_csv_blocks_cut_at_record_ends_only(tmp_path, monkeypatch, block):
    """csv_blocks.py cuts the file where a record ends (never in a quoted newline), whatever the
    block size: the chunks read in blocks are the chunks of one polars read of the whole file."""
    from migmodule.microdata import csv_blocks, csv_fast

    path = tmp_path / "p.csv"
    path.write_bytes(("\ufeff" + CSV_TEXT).encode("utf-8"))
    whole = next(csv_fast.read_chunks(path, None, ["hh_id", "age", "note"], None))
    monkeypatch.setattr(csv_blocks, "BLOCK", block)
    for buffer in csv_blocks.blocks(path):
        assert buffer.startswith("\ufeffhh_id,person_no,age,note\r\n".encode())
    chunks = list(csv_fast.read_chunks(path, None, ["hh_id", "age", "note"], 3))
    assert [len(c) for c in chunks] == [3, 3, 2]
    joined = pd.concat(chunks, ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole)
    assert joined["note"].tolist()[:2] == ['a "quoted" note', "two\nlines, and a comma"]
    assert pd.isna(joined["age"][1]) and pd.isna(joined["age"][2])  # empty and quoted empty


def test_csv_header_only_gives_one_empty_chunk(tmp_path, monkeypatch):
    from migmodule.microdata import csv_blocks, csv_fast

    path = tmp_path / "p.csv"
    path.write_text("hh_id,age\n", encoding="utf-8")
    monkeypatch.setattr(csv_blocks, "BLOCK", 3)
    chunks = list(csv_fast.read_chunks(path, None, ["hh_id", "age"], 5))
    assert len(chunks) == 1 and len(chunks[0]) == 0 and list(chunks[0].columns) == ["hh_id", "age"]


def test_csv_frames_are_the_object_frames_they_replace():
    """csv_fast._frame hands polars text to pandas through Arrow: the same frame (dtype included)
    as the object arrays it replaces, for columns with and without values and no rows."""
    import polars as pl

    from migmodule.microdata.csv_fast import _frame

    def by_objects(batch):
        columns = {
            n: s.to_numpy().astype(object)
            for n, s in zip(batch.columns, batch.get_columns(), strict=True)
        }
        return pd.DataFrame(columns, columns=list(batch.columns))

    schema = {"a": pl.String, "b": pl.String}
    for batch in (
        pl.DataFrame({"a": ["1", None], "b": [None, None]}, schema=schema),
        pl.DataFrame({"a": [None], "b": ["é"]}, schema=schema),
        pl.DataFrame({"a": [], "b": []}, schema=schema),
        pl.DataFrame({"a": ["x", "y"], "b": ["", " "]}, schema=schema),
    ):
        pd.testing.assert_frame_equal(_frame(batch), by_objects(batch))


def test_display_of_a_column_of_numbers_gives_the_same_examples():
    """A CSV column whose cells are all numbers or missing is shown as float64 (no object
    column): every value reads as the object column's value did, in JSON and in messages."""
    from migmodule.validate.checks.base import show
    from migmodule.validate.report import _json_value

    class Mapped:
        is_text = False

    column = _as_file_column(["5", None, " 7 ", "2.5", "-0", "1e3"])
    assert column.dtype.na_value is np.nan
    fast = _display(column, Mapped())
    assert fast.dtype == "float64"
    numbers, _ = parse_numbers(column)
    slow = pd.Series(numbers.astype(object), dtype=object).where(~np.isnan(numbers), column)
    for a, b in zip(fast.tolist(), slow.tolist(), strict=True):
        assert (
            _json_value(a) == _json_value(b) and show(a) == show(b) or (pd.isna(a) and pd.isna(b))
        )
    assert fast.value_counts().to_dict() == slow.value_counts().to_dict()
    # With text or a blank cell, the object column as before.
    assert _display(_as_file_column(["5", "x"]), Mapped()).dtype == object
    assert _display(_as_file_column(["5", " "]), Mapped()).tolist() == [5.0, " "]
