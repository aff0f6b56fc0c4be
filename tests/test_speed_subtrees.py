"""What cut validate's per-row cost (issue 16) keeps the results as they were.

- Rules share their equal subtrees: `known(country_of_birth)` in ten rules is evaluated once per
  chunk (`PreparedExpressions` makes equal subtrees one object, `evaluate_truth(subtrees=...)`
  keeps their results for one frame), and each rule's masks are those it has alone.
- Unknown numbers become NaN without np.where when they are NaN already (`_unknown_as_nan`).
- A prepared question reads the reader's array without a copy, and never writes into it.
- Integer identifiers are hashed as the same numbers stored as floats or text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import migmodule.expr.evaluate as evaluate
import migmodule.validate.engine as engine_module
from migmodule.expr.ast import Binary, Call, In, Unary
from migmodule.expr.evaluate import PreparedExpressions, evaluate_truth
from migmodule.expr.reference import evaluate_row
from migmodule.expr.semantics import mark_raw_codes, prepare
from migmodule.profile import ModuleSettings, Profile, adapt
from migmodule.spec.params import resolve_parameters
from migmodule.spec.registry import load_module
from migmodule.validate import validate_data
from migmodule.validate.keys import id_keys
from test_validate_chunks import persons
from validate_helpers import MINI, comparable, write

KENYA = {"COUNTRY": 404}
# Rules that share subtrees: `known(country_of_birth)` (inside foreign_born), `age >= 15`, the
# arithmetic `year(REF_DATE) - year_of_arrival`, and `.` under two meanings.
RULES = [
    ("foreign_born", None),
    ("foreign_born and old_enough", None),
    ("not foreign_born or age >= 15", None),
    ("known(country_of_birth)", None),
    ("known(country_of_birth) and age >= 15", None),
    ("age >= 15", None),
    ("age == 999", None),  # a raw code: a subtree of its own, not `age == 999` as unknown
    ("year(REF_DATE) - year_of_arrival > 10", None),
    ("year(REF_DATE) - year_of_arrival <= 10 or age in (30, 999)", None),
    ("10 < year(REF_DATE) - year_of_arrival", None),
    ("age * 2 - 1 >= 29", None),
    ("age / 2 > 7", None),
    (". >= 0 and . <= 120", "age"),
    (". >= 0 and . <= 120", "year_of_arrival"),
    (". >= 1920 and . <= 2030", "year_of_arrival"),
]


@pytest.fixture(scope="module")
def module():
    return load_module(MINI)


def rows(n: int = 400, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 90, size=n).astype(float)
    age[rng.random(n) < 0.3] = np.nan
    age[rng.random(n) < 0.1] = 999
    year = rng.integers(1990, 2031, size=n).astype(float)
    year[rng.random(n) < 0.4] = np.nan
    year[rng.random(n) < 0.1] = 9998
    country = rng.choice([404.0, 250.0, 998.0, np.nan, 800.0], size=n)
    return pd.DataFrame({"age": age, "country_of_birth": country, "year_of_arrival": year})


def test_equal_subtrees_are_one_object_and_the_trees_stay_equal(module):
    prepared = PreparedExpressions(module, KENYA)
    values = resolve_parameters(module, KENYA)
    trees = [prepared.tree(text, self_id) for text, self_id in RULES]
    for (text, self_id), tree in zip(RULES, trees, strict=True):
        assert tree == mark_raw_codes(module, prepare(module, text, values), self_id)
    first = [n for n in trees[3].walk() if isinstance(n, Call)][0]  # known(country_of_birth)
    inside = [n for n in trees[0].walk() if n == first]
    assert inside and all(n is first for n in inside)
    compound = (Binary, Unary, In, Call)
    shared = {id(n) for t in trees for n in t.walk() if isinstance(n, compound)}
    assert shared <= prepared.shared


def test_shared_results_are_the_results_of_each_rule_alone(module):
    frame = rows()
    # the last rows of year_of_arrival are not known at all (blank by design)
    open_rows = np.zeros(len(frame), dtype=bool)
    open_rows[-50:] = True
    undetermined = {"year_of_arrival": open_rows}
    prepared = PreparedExpressions(module, KENYA)
    columns: dict = {}
    subtrees: dict = {}
    for text, self_id in RULES:
        got = evaluate_truth(
            module, text, frame, KENYA, self_id=self_id, undetermined=undetermined,
            columns=columns, prepared=prepared, subtrees=subtrees,
        )  # fmt: skip
        alone = evaluate_truth(
            module, text, frame, KENYA, self_id=self_id, undetermined=undetermined
        )
        for a, b in zip(got, alone, strict=True):
            assert not a.flags.writeable
            np.testing.assert_array_equal(a, b, err_msg=f"{text} ({self_id})")
    assert subtrees  # something was shared


@pytest.mark.parametrize(("text", "self_id"), RULES)
def test_shared_results_follow_the_reference(module, text, self_id):
    """Each rule after all the others over the same frame, row by row against the plain-Python
    reference evaluator."""
    frame = rows(120, seed=11)
    prepared = PreparedExpressions(module, KENYA)
    columns: dict = {}
    subtrees: dict = {}
    for other, other_self in RULES:
        evaluate_truth(
            module, other, frame, KENYA, self_id=other_self, columns=columns,
            prepared=prepared, subtrees=subtrees,
        )  # fmt: skip
    true, false, _ = evaluate_truth(
        module, text, frame, KENYA, self_id=self_id, columns=columns, prepared=prepared,
        subtrees=subtrees,
    )  # fmt: skip
    values = resolve_parameters(module, KENYA)
    for position, row in enumerate(frame.to_dict("records")):
        cells = {k: (None if pd.isna(v) else v) for k, v in row.items()}
        expected = evaluate_row(module, text, cells, values, self_id=self_id)
        assert (True if true[position] else False if false[position] else None) == expected


def test_a_shared_subtree_is_evaluated_once_per_frame(module, monkeypatch):
    compared: list[str] = []
    real = evaluate.FrameEvaluator.compare

    def counting(self, node):
        compared.append(node.op)
        return real(self, node)

    monkeypatch.setattr(evaluate.FrameEvaluator, "compare", counting)
    frame = rows(50)
    texts = ["age >= 15", "known(age) and age >= 15", "not known(age) or age >= 15"]
    prepared = PreparedExpressions(module, KENYA)
    subtrees: dict = {}
    for text in texts:
        evaluate_truth(module, text, frame, KENYA, prepared=prepared, subtrees=subtrees)
    assert compared == [">="]
    compared.clear()
    for text in texts:  # without a dict per frame, each rule evaluates its own
        evaluate_truth(module, text, frame, KENYA, prepared=prepared)
    assert compared == [">="] * 3
    compared.clear()
    other = rows(50, seed=6)  # another frame (the next chunk) has a dict of its own
    evaluate_truth(module, texts[0], other, KENYA, prepared=prepared, subtrees={})
    assert compared == [">="]


@pytest.mark.parametrize("seed", range(5))
def test_unknown_as_nan_is_np_where(seed):
    rng = np.random.default_rng(seed)
    values = rng.choice([1.0, -0.0, 2.5, np.inf, -np.inf, np.nan], size=300)
    unknown = rng.random(300) < 0.4
    expected = np.where(unknown, np.nan, values)
    np.testing.assert_array_equal(evaluate._unknown_as_nan(values, unknown), expected)
    already = np.where(unknown, np.nan, values)  # NaN wherever unknown: given back as it is
    assert evaluate._unknown_as_nan(already, unknown) is already
    np.testing.assert_array_equal(evaluate._unknown_as_nan(values, np.bool_(True)), np.nan)
    assert evaluate._unknown_as_nan(values, np.bool_(False)) is values


def test_integer_identifiers_hash_as_the_same_numbers_as_floats_or_text():
    hh = np.array([1, 7, 7, 30000, 0, 12])
    person = np.array([1, 1, 2, 3, 1, 2])
    expected = id_keys(pd.DataFrame({"hh": hh.astype("float64"), "p": person.astype("float64")}))
    for dtype in ("int8", "int16", "int32", "int64", "uint16", "uint32"):
        if dtype == "int8":
            frame = pd.DataFrame({"hh": (hh % 100).astype(dtype), "p": person.astype(dtype)})
            floats = pd.DataFrame({"hh": (hh % 100).astype(float), "p": person.astype(float)})
            assert id_keys(frame).tolist() == id_keys(floats).tolist()
            continue
        frame = pd.DataFrame({"hh": hh.astype(dtype), "p": person.astype(dtype)})
        assert id_keys(frame).tolist() == expected.tolist(), dtype
    text = pd.DataFrame({"hh": [str(v) for v in hh], "p": [f" {v}.0" for v in person]})
    assert id_keys(text).tolist() == expected.tolist()
    mixed = pd.DataFrame({"hh": [1.0, 2.5, np.nan, np.inf, 2.0**70, -3.0], "p": 1.0})
    assert len(set(id_keys(mixed).tolist())) == 6  # 2.5, a blank, inf, 2^70 each a key of its own


@pytest.mark.parametrize("suffix", [".parquet", ".dta", ".csv"])
def test_preparing_never_writes_into_the_file_values(tmp_path, monkeypatch, suffix):
    """A question's numbers are the reader's own array unless something is written into them:
    the file's values stay as read, a recode (77 -> 250) still applies, and chunks agree."""
    frame = persons(60)
    frame.loc[::7, "country_of_birth"] = 77
    frame["country_of_birth"] = frame["country_of_birth"].astype("float64")  # read as it is
    frame["hh_id"] = frame["hh_id"].astype("int32")
    frame["person_no"] = frame["person_no"].astype("int16")
    path = write(frame.drop(columns=["reasons", "region"]), tmp_path / f"p{suffix}")
    real = engine_module.make_chunk
    seen: list[tuple[pd.DataFrame, pd.DataFrame]] = []

    def keeping(plan, raw, offset, letters):
        before = raw.frame.copy(deep=True)
        chunk = real(plan, raw, offset, letters)
        seen.append((before, raw.frame))
        return chunk

    monkeypatch.setattr(engine_module, "make_chunk", keeping)
    adapted = adapt(
        Profile(
            country="KE",
            modules=[ModuleSettings(module=str(MINI), recodes={"country_of_birth": {"77": 250}})],
        )
    )[0]
    whole = validate_data({"person": path}, adapted, chunk_size=None)
    chunked = validate_data({"person": path}, adapted, chunk_size=7)
    assert comparable(chunked) == comparable(whole)
    assert len(seen) > 2
    for before, after in seen:
        pd.testing.assert_frame_equal(before, after)
    plain = validate_data({"person": path}, adapt(None, str(MINI), country="KE")[0])

    def bad_codes(report) -> dict:
        found = [r for r in report.results if r.code == "DATA-CODE-002"]
        return next(r.details["values"] for r in found if r.question == "country_of_birth")

    assert "77" in bad_codes(plain) and "77" not in bad_codes(whole)


def test_a_chunk_shares_one_read_only_mask_of_each_value():
    from migmodule.validate.prepare import Chunk

    chunk = Chunk(0, pd.DataFrame({"age": [1.0, 2.0, np.nan]}))
    every, none = chunk.every(True), chunk.every(False)
    assert every.tolist() == [True] * 3 and none.tolist() == [False] * 3
    assert chunk.every(True) is every and chunk.blank_by_design("age") is none
    with pytest.raises(ValueError):
        every[0] = False  # shared by every check of the chunk: never written to
    chunk.design_blank["age"] = np.array([False, True, False])
    assert chunk.blank_by_design("age").tolist() == [False, True, False]
    other = Chunk(0, pd.DataFrame({"age": [1.0]}))
    assert other.every(True).tolist() == [True]  # a mask per chunk, of its length


CASTABLE = [
    "1", "1.5", "-2", "+3", "1e3", "1E-2", ".5", "5.", "inf", "-inf", "Infinity", "nan", "NaN",
    "nAn", "12345678901234567890", "9007199254740993", "1e400", "-0", "-0.0", "00012", "+.5",
    "INF", "1.0e+10", "0.1000000000000000055511151231257827", None,
]  # fmt: skip


@pytest.mark.parametrize("chunks", [1, 3])
def test_arrow_cast_of_a_column_of_numbers_is_the_polars_one(monkeypatch, chunks):
    """Every cell casts as it is: Arrow reads the column, with the numbers and the "not a number"
    cells polars and pandas give (NaN spellings asked of pandas again); one odd cell and the
    column goes to polars as before."""
    import pyarrow as pa

    from migmodule.validate import prepare as prep

    cells = CASTABLE * 3
    parts = np.array_split(np.array(cells, dtype=object), chunks)
    arrow = pa.chunked_array([pa.array(list(p), pa.large_string()) for p in parts])
    column = pd.Series(pd.arrays.ArrowStringArray(arrow))
    frame = pd.DataFrame({"c": column, "odd": pd.Series(cells[:-1] + ["  7 "], dtype="str")})
    assert prep._arrow_numbers(frame["c"]) is not None
    assert prep._arrow_numbers(frame["odd"]) is None  # a padded cell: polars, cell by cell
    got = prep.parse_columns(frame, ["c", "odd"])
    monkeypatch.setattr(prep, "_arrow_numbers", lambda column: None)
    expected = prep.parse_columns(frame, ["c", "odd"])
    for name in ("c", "odd"):
        (numbers, not_number), (want, want_not) = got[name], expected[name]
        np.testing.assert_array_equal(numbers, want)
        np.testing.assert_array_equal(np.signbit(numbers), np.signbit(want))
        np.testing.assert_array_equal(not_number, want_not)
    numbers, not_number = got["c"]
    assert not_number[cells.index("nan")] and not not_number[cells.index(None)]
    assert numbers[cells.index("9007199254740993")] == 2.0**53


@pytest.mark.parametrize(
    "odd",
    [None, "007", "+7", "-0", "1234567890123456789", "-9223372036854775808", " 12", "12.0", "x"],
)
def test_text_ids_cast_at_once_split_as_the_pattern_does(monkeypatch, odd):
    """A CSV id column of plain whole numbers (and blanks) is cast to int64 at once; one cell
    written otherwise ("007" is text, "12.0" is 12, 19 digits are text) and the column is
    split by the trim and the pattern, as before: the same split either way."""
    from migmodule.validate import keys

    cells = ["1", "17", None, "-3", "999999999999999999", "1", odd]
    column = pd.Series(cells, dtype="str")
    fast = keys._canonical_ints(column)
    assert (fast is not None) == (odd is None)
    got = keys._split(column)
    monkeypatch.setattr(keys, "_canonical_ints", lambda column: None)
    expected = keys._split(column)
    for a, b in zip(got, expected, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    frame = pd.DataFrame({"hh": column})
    monkeypatch.undo()
    fast_keys = id_keys(frame)
    monkeypatch.setattr(keys, "_canonical_ints", lambda column: None)
    assert fast_keys.tolist() == id_keys(frame).tolist()


def test_shared_results_live_with_the_chunk_being_checked():
    """A check context keeps the shared subtrees' results of one chunk at a time (a parent
    file's chunks are kept for its child files: their rules' results are not)."""
    from migmodule.validate.checks.base import Context, truth
    from migmodule.validate.prepare import Chunk
    from validate_helpers import mini

    context = Context(mini(), "person", "p.csv", {"age", "country_of_birth"})
    first, second = Chunk(0, rows(30)), Chunk(30, rows(30, seed=9))
    kept = context.subtrees(first)
    assert context.subtrees(first) is kept
    truth(context, first, "known(age) and age >= 15")
    truth(context, first, "not known(age) or age >= 15")
    assert kept  # `known(age)` and `age >= 15`, once each
    assert context.subtrees(second) is not kept and context.subtrees(second) == {}
    true, false, _ = truth(context, second, "known(age) and age >= 15")
    alone = evaluate_truth(context.module, "known(age) and age >= 15", second.values, KENYA)
    np.testing.assert_array_equal(true, alone[0])
    np.testing.assert_array_equal(false, alone[1])
    assert not hasattr(first, "subtrees")


def test_a_pickled_copy_starts_without_the_object_ids_of_its_original(module):
    """A worker process (--jobs, --engine dask) gets a pickled copy: the ids in `shared` name
    the original's subtrees, so the copy starts empty and its results are the original's."""
    import pickle

    prepared = PreparedExpressions(module, KENYA)
    frame = rows()
    before = [evaluate_truth(module, t, frame, KENYA, self_id=s, prepared=prepared, subtrees={})
              for t, s in RULES]  # fmt: skip
    assert prepared.shared
    copy = pickle.loads(pickle.dumps(prepared))
    assert not copy.shared and copy.params == KENYA
    twin = copy.module  # the copy's own module and parameters, as a worker has them
    after = [evaluate_truth(twin, t, frame, copy.params, self_id=s, prepared=copy, subtrees={})
             for t, s in RULES]  # fmt: skip
    for got, expected in zip(after, before, strict=True):
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)
    assert copy.shared and copy.shared.isdisjoint(prepared.shared)
