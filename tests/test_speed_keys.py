"""Text identifiers split by Arrow's kernels (`keys._split_text`) give what the pandas path they
replace gave, cell for cell, and so the same keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migmodule.validate import keys
from migmodule.validate.keys import _WHOLE, _split, id_keys

CELLS = [
    "1",
    " 12 ",
    "12.0",
    "12.",
    "12.000",
    "007",
    "0",
    "-0",
    "-5",
    "-05",
    "A12",
    "",
    "   ",
    None,
    "12345678901234567",
    "123456789012345678",
    "1234567890123456789",
    "1e3",
    "12.5",
    "0.0",
    "\u00a012\u00a0",
    "\u3000 7",
    "x y",
    "+3",
    " -0.00 ",
    "٣",
    "12\n",
]


def _old_split(column: pd.Series):
    """keys._split of a text column as it was (pandas string methods, int64 through Python)."""
    n = len(column)
    ints = np.zeros(n, dtype=np.int64)
    texts = np.full(n, None, dtype=object)
    text = column.astype("string").str.strip()
    missing = (text.isna() | (text == "")).to_numpy(dtype=bool)
    whole = text.str.fullmatch(_WHOLE).fillna(False).to_numpy(dtype=bool) & ~missing
    if whole.any():
        digits = text[whole]
        if digits.str.contains(".", regex=False).any():
            digits = digits.str.replace(r"\.0*$", "", regex=True)
        ints[whole] = digits.astype("int64").to_numpy(dtype=np.int64)
    other = ~whole & ~missing
    texts[other] = text[other].to_numpy(dtype=object)
    return ints, whole, texts, missing


def _columns():
    rng = np.random.default_rng(7)
    many = list(rng.choice(np.array(CELLS, dtype=object), size=3000))
    yield pd.Series(CELLS, dtype="str")
    yield pd.Series(CELLS, dtype=object)
    yield pd.Series(many, dtype="str")
    yield pd.Series([str(i) for i in range(1, 2000)], dtype="str")  # no point, no text
    yield pd.Series([1, 2**62, None, "7", " 8 "], dtype=object)  # Python ints, exactly
    yield pd.Series([None, None], dtype=object)
    yield pd.Series([], dtype="str")


@pytest.mark.parametrize("column", list(_columns()), ids=lambda c: f"{c.dtype}-{len(c)}")
def test_text_split_is_the_pandas_split(column):
    got, expected = _split(column), _old_split(column)
    for a, b in zip(got, expected, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    frame = pd.DataFrame({"hh": column, "p": column})
    assert id_keys(frame).tolist() == id_keys(frame.astype(object)).tolist()


def test_text_split_sees_whole_numbers_texts_and_blanks():
    ints, whole, texts, missing = keys._split(pd.Series(["12.0", "007", " ", "-3"], dtype="str"))
    assert ints[whole].tolist() == [12, -3]
    assert texts.tolist() == [None, "007", None, None]
    assert missing.tolist() == [False, False, True, False]
