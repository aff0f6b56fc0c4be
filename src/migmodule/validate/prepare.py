"""From a raw chunk (the file's names and storage) to a chunk keyed by question id, ready for checks.

Per question: the national variable is found (profile `variables`, else the spec's name,
case-insensitively), text-stored numbers are parsed, the profile's recodes are applied, and every
missing value is given its kind (blank, not stated, don't know, refused, not applicable). Stata
extended missings and SPSS user-missing values become the question's own special code for that
kind, so that the expression language (which knows the spec's codes) and the non-response split
both see them right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from migmodule.codes import Finding
from migmodule.expr.semantics import Symbol, symbols
from migmodule.microdata.source import ColumnInfo, DataSource, RawChunk
from migmodule.national.layer import NationalColumn, NationalLayer
from migmodule.national.recode import Recode
from migmodule.profile import Adapted
from migmodule.spec.model import Question, QuestionType, SpecialKind
from migmodule.validate.keys import arrow_text_cast, describe_ids, id_keys

if TYPE_CHECKING:
    from migmodule.validate.plan import FilePlan

# Kinds of answer, one int8 per cell.
ANSWERED, BLANK, NOT_STATED, DONT_KNOW, REFUSED, NOT_APPLICABLE = range(6)
KIND_OF_SPECIAL = {
    SpecialKind.NOT_STATED: NOT_STATED,
    SpecialKind.DONT_KNOW: DONT_KNOW,
    SpecialKind.REFUSED: REFUSED,
    SpecialKind.NOT_APPLICABLE: NOT_APPLICABLE,
}
KIND_NAMES = {
    BLANK: "blank",
    NOT_STATED: "not_stated",
    DONT_KNOW: "dont_know",
    REFUSED: "refused",
    NOT_APPLICABLE: "not_applicable",
}

# An SPSS user-missing value that is not a spec code gets its kind from its value label.
_LABEL_KINDS = (
    (REFUSED, ("refus", "rehus", "declin", "niega")),
    (
        DONT_KNOW,
        ("don't know", "dont know", "do not know", "dk", "ne sait", "nsp", "no sabe", "ns/nr"),
    ),
    (NOT_APPLICABLE, ("not applicable", "n/a", "sans objet", "no aplica", "inapplicable", "niu")),
)

TEXT_TYPES = (QuestionType.SELECT_MULTIPLE, QuestionType.TEXT, QuestionType.DATE)


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation: for comparing labels and names."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def kind_from_label(label: str | None) -> int:
    text = " " + (label or "").lower().replace("’", "'") + " "
    for kind, words in _LABEL_KINDS:
        if any(word in text for word in words):
            return kind
    return NOT_STATED


@dataclass
class MappedQuestion:
    """A question of the module and where it is in one file."""

    question: Question
    variable: str  # the name the profile (or spec) expects
    column: str | None  # the file's spelling (a derive: its expression), None when absent
    info: ColumnInfo | None
    symbol: Symbol
    recode: dict[int, int]
    code_for_kind: dict[int, int]  # kind -> the question's special code
    kind_of_code: dict[int, int]  # special code -> kind
    # Read through the profile's national layer (a split, a derive, or a recode): the layer
    # gives the standard values and the cells blank by design; `reads` are the file columns.
    national: Recode | bool = False
    reads: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.question.id

    def recodes(self, value: object) -> bool:
        """Whether the profile recodes this national value on purpose (label drift skips it)."""
        if isinstance(self.national, Recode):
            return self.national.covers(value)
        return value in self.recode

    @property
    def is_text(self) -> bool:
        return self.question.type in TEXT_TYPES

    @property
    def text_stored(self) -> bool:
        """A numeric question stored as a string variable (CSV is untyped and does not count);
        not when the profile recodes the text on purpose (`iso3`, `Male: 1`)."""
        if isinstance(self.national, Recode) and self.national.reads_text():
            return False
        return not self.is_text and self.info is not None and self.info.storage == "string"


def map_question(
    adapted: Adapted,
    question: Question,
    source: DataSource,
    layer: NationalLayer | None = None,
) -> MappedQuestion:
    """Where a question is in one file. With a national layer, a question the profile splits,
    derives or recodes is read through it: present when every column it reads is in the file."""
    variable = adapted.variable(question.id)
    national = layer is not None and layer.handles(question.id)
    if national:
        reads = layer.columns_of(question.id, list(source.columns))
        present = reads is not None
        origin = adapted.source(question.id)
        if origin.kind == "derive":
            column = f"{origin.expression}" if present else None
        else:
            column = source.find(origin.variable or variable) if present else None
    else:
        column = source.find(variable)
        reads = [column] if column else []
    code_list = (
        adapted.module.code_list_by_id.get(question.code_list) if question.code_list else None
    )
    kind_of_code: dict[int, int] = {}
    code_for_kind: dict[int, int] = {}
    for code, special in code_list.special_codes.items() if code_list else []:
        if special in KIND_OF_SPECIAL:
            kind_of_code[code] = KIND_OF_SPECIAL[special]
            code_for_kind.setdefault(KIND_OF_SPECIAL[special], code)
    return MappedQuestion(
        question,
        variable,
        column,
        source.columns.get(column) if column else None,
        symbols(adapted.module)[question.id],
        {} if national else adapted.recode_map(question.id),
        code_for_kind,
        kind_of_code,
        _national(adapted, question.id) if national else False,
        reads or [],
    )


def _national(adapted: Adapted, question_id: str) -> Recode | bool:
    recode = adapted.recode(question_id)
    return recode if recode is not None else True


@dataclass
class Chunk:
    """One chunk of one file, keyed by question id."""

    offset: int  # rows of the file before this chunk
    values: pd.DataFrame  # question ids (and derived, and parent questions joined in)
    kinds: dict[str, np.ndarray] = field(default_factory=dict)
    not_number: dict[str, np.ndarray] = field(default_factory=dict)
    raw: dict[str, pd.Series] = field(default_factory=dict)  # values as in the file, for examples
    ids: pd.DataFrame | None = None  # identifier columns as in the file (keys.py compares them)
    weight: np.ndarray | None = None
    group: pd.Series | None = None
    keys: np.ndarray | None = None  # hash of this level's identifiers, one per row
    parent_keys: np.ndarray | None = None  # hash of the parent level's identifiers
    # evaluated conditions: (true, false, unknown) read-only masks per expression (checks.base)
    cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    columns_read: dict = field(default_factory=dict)  # the evaluator's columns, read once
    # Flat files: per ancestor level read from this file, its units' identifiers (hash, columns).
    units: dict[str, tuple[np.ndarray | None, pd.DataFrame | None]] = field(default_factory=dict)
    rows: np.ndarray | None = None  # 0-based file rows when this chunk is a subset (`take`)
    # Per question, the rows blank by national design (a profile recode to null, or outside a
    # `{from, where}` split): never a code, universe or non-response finding; unknown in rules.
    design_blank: dict[str, np.ndarray] = field(default_factory=dict)
    # Per question or derived variable, the rows whose answer is not known at all (blank by
    # design, or the variable absent from the file): what the rules' three-valued logic is told.
    undetermined: dict[str, np.ndarray] = field(default_factory=dict)
    # Per question, the national layer's finding on this chunk (a derive or split it could not
    # evaluate on the file's values; those rows are unknown).
    national_problems: dict[str, Finding] = field(default_factory=dict)
    _constants: dict[bool, np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.values)

    def take(self, positions: np.ndarray, columns: list[str], level: str) -> Chunk:
        """The rows at `positions` as a chunk of the ancestor `level` (one row per unit).

        Values keep only `columns`; identifiers and keys become the level's own, so examples name
        the unit (e.g. hh_id=17) and the file row it was read from.
        """
        keys, ids = self.units.get(level, (None, None))
        file_rows = (self.rows if self.rows is not None else self.offset + np.arange(len(self)))[
            positions
        ]
        return Chunk(
            self.offset,
            self.values[columns].iloc[positions].reset_index(drop=True),
            {name: self.kinds[name][positions] for name in columns if name in self.kinds},
            {name: self.not_number[name][positions] for name in columns if name in self.not_number},
            {
                name: self.raw[name].iloc[positions].reset_index(drop=True)
                for name in columns
                if name in self.raw
            },
            ids=ids.iloc[positions].reset_index(drop=True) if ids is not None else None,
            weight=self.weight[positions] if self.weight is not None else None,
            group=self.group.iloc[positions].reset_index(drop=True)
            if self.group is not None
            else None,
            keys=keys[positions] if keys is not None else None,
            rows=file_rows,
            design_blank={
                name: mask[positions] for name, mask in self.design_blank.items() if name in columns
            },
            undetermined={
                name: mask[positions] for name, mask in self.undetermined.items() if name in columns
            },
        )

    def blank_by_design(self, name: str) -> np.ndarray:
        """Rows of one question that are blank by national design (all False when none)."""
        mask = self.design_blank.get(name)
        return mask if mask is not None else self.every(False)

    def every(self, value: bool) -> np.ndarray:
        """A mask of `value` on every row, read-only and made once per chunk: checks share it (a
        check never writes to a mask), instead of a new array per question and chunk."""
        mask = self._constants.get(value)
        if mask is None:
            mask = self._constants[value] = np.full(len(self), value, dtype=bool)
            mask.setflags(write=False)
        return mask

    def describe_rows(self, positions: np.ndarray) -> list[dict[str, object]]:
        """Example rows: 1-based row number in the file and the identifiers, for positions in this chunk."""
        rows = []
        for pos in positions:
            number = self.rows[pos] if self.rows is not None else self.offset + pos
            row: dict[str, object] = {"row": int(number + 1)}
            if self.ids is not None and len(self.ids.columns):
                row["id"] = describe_ids(self.ids, int(pos))
            rows.append(row)
        return rows


def _plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "."
    return str(value)


def holds_text(series: pd.Series) -> bool:
    """Object or string storage (pandas 3 reads text as the `str` dtype, not object)."""
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def parse_numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Text cells as numbers: (float64 values, NaN where not a number; the cells that hold text
    which is not a number). Surrounding spaces are ignored; a blank or empty cell is missing,
    not "not a number". The values of `pandas.to_numeric(errors="coerce")` on the stripped text
    (as before), computed by polars' cast, ten times faster: see `parse_columns`."""
    return parse_columns(pd.DataFrame({"cells": series}), ["cells"])["cells"]


def parse_columns(
    frame: pd.DataFrame, names: list[str]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """`parse_numbers` of several text columns of one chunk in one polars pass (each polars call
    waits for its thread pool, which the reader of the next chunk also uses: one call per chunk,
    not three per column). A cell polars cannot read (text, or a space polars does not strip
    such as U+001C) is asked of pandas again, by distinct value, so that both agree on every
    spelling; a column that is not all text (mixed objects) is read by pandas as before.
    An Arrow-backed column whose every cell casts as it is (a CSV column of numbers and blanks)
    is cast by Arrow instead (`_arrow_numbers`), three times faster than the hand-over to polars
    and its cast. No text column (Parquet, Stata, SPSS files of numbers), or none that Arrow
    cannot cast: polars is not imported at all."""
    if not names:
        return {}
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    left = []
    for name in dict.fromkeys(names):
        cast = _arrow_numbers(frame[name])
        if cast is None:
            left.append(name)
        else:
            out[name] = _asked_again(frame[name], *cast)
    if not left:
        return out
    import polars as pl

    columns = []
    for name in left:
        try:  # pandas' Arrow-backed text is handed over without a copy
            text = pl.from_pandas(frame[name])
        except (TypeError, ValueError, pl.exceptions.PolarsError):  # not every cell is text
            text = None
        if text is None or text.dtype != pl.String:
            out[name] = _parse_numbers_pandas(frame[name])
        else:
            columns.append((name, text.alias(f"c{len(columns)}")))
    if not columns:
        return out
    # Cast the cells as they are (a cell that casts needs no stripping): stripping every cell
    # first made new strings of the whole chunk, 4/5 of the time of this call. A cell that does
    # not cast (blank, padded, text, NaN) is read again below.
    parsed = pl.DataFrame([text for _, text in columns]).select(
        *[
            pl.col(t.name).cast(pl.Float64, strict=False).alias(f"n{i}")
            for i, (_, t) in enumerate(columns)
        ],
        *[pl.col(t.name).is_not_null().alias(f"p{i}") for i, (_, t) in enumerate(columns)],
    )
    for i, (name, text) in enumerate(columns):
        numbers = parsed[f"n{i}"].to_numpy().astype("float64", copy=True)
        present = parsed[f"p{i}"].to_numpy()
        failed = np.flatnonzero(np.isnan(numbers) & present)
        not_number = np.zeros(len(numbers), dtype=bool)
        if len(failed) > STRIP_IN_POLARS:  # many (padded numbers?): stripped, by polars
            stripped = text.gather(failed).str.strip_chars()
            again = stripped.cast(pl.Float64, strict=False).to_numpy().astype("float64")
            numbers[failed] = again
            failed = failed[
                np.isnan(again) & (stripped.str.len_bytes().fill_null(0) > 0).to_numpy()
            ]
        out[name] = _asked_again(frame[name], numbers, failed, not_number)
    return out


def _asked_again(
    column: pd.Series, numbers: np.ndarray, failed: np.ndarray, not_number: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The cells at `failed` (positions a fast cast left NaN) read by pandas, by distinct value,
    so that the fast casts and pandas agree on every spelling: (numbers, not a number)."""
    if len(failed):
        if not numbers.flags.writeable:
            numbers = numbers.copy()
        codes, distinct = pd.factorize(column.iloc[failed])
        again, again_not = _parse_numbers_pandas(pd.Series(np.asarray(distinct, dtype=object)))
        numbers[failed] = again[codes]
        not_number[failed] = again_not[codes]
    return numbers, not_number


def _arrow_numbers(column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(numbers, positions left NaN by the cast, all False) of an Arrow-backed text column whose
    every cell casts to a number as it is, or None (a padded, blank or text cell: Arrow refuses
    the whole column, which polars then reads cell by cell). Arrow and polars read every spelling
    both accept alike (correctly rounded, "-0" as -0.0, "nan" as NaN): the NaNs ("nan", "NaN")
    and missing cells are told apart as polars' are, and pandas reads the NaNs again."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = arrow_text_cast(column, pa.float64())
    if found is None:
        return None
    cells, cast = found
    numbers = np.asarray(cast.to_numpy(), dtype=np.float64)
    failed = np.flatnonzero(np.isnan(numbers))
    if len(failed):  # NaN: a missing cell, or a cell spelling NaN ("nan"), for pandas to read
        present = np.asarray(pc.is_valid(cells).to_numpy(), dtype=bool)
        failed = failed[present[failed]]
    return numbers, failed, np.zeros(len(numbers), dtype=bool)


# Cells of one column of one chunk that do not cast as they are, beyond which polars strips them
# (one more call) before pandas is asked of what is left, by distinct value.
STRIP_IN_POLARS = 64


def _parse_numbers_pandas(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """`parse_numbers` for cells that are not all text (mixed objects): pandas, as before."""
    stripped = series.astype("string").str.strip()
    numbers = pd.to_numeric(stripped, errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan, copy=True
    )
    not_number = (
        np.isnan(numbers)
        & stripped.notna().to_numpy(dtype=bool)
        & (stripped != "").fillna(False).to_numpy(dtype=bool)
    )
    return numbers, not_number


def prepare_question(
    mapped: MappedQuestion,
    raw: RawChunk,
    missing_map: Mapping[str, SpecialKind],
    national: NationalColumn | None = None,
    parsed: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Values, kinds and the not-a-number mask of one question in one chunk. A question read
    through the national layer starts from the layer's standard values (already recoded); the
    file's own values still tell SPSS user-missing and Stata extended missing values."""
    series = raw.frame[mapped.column] if national is None else national.values
    n = len(series)
    if mapped.is_text:
        text = series if holds_text(series) else series.map(_plain, na_action="ignore")
        text = text.astype("string").str.strip()
        text = text.mask(text == "")
        kinds = np.where(text.isna().to_numpy(), BLANK, ANSWERED).astype("int8")
        for code, kind in mapped.kind_of_code.items():
            kinds[(text == str(code)).fillna(False).to_numpy(dtype=bool)] = kind
        return text.astype(object), kinds, np.zeros(n, dtype=bool)

    info = mapped.info
    codes = raw.letters.get(mapped.column) if national is None or national.column else None
    # `numbers` is written to below only for recodes, user-missing values and Stata letters;
    # otherwise it is the reader's array itself (a copy of 100,000 numbers per question saved)
    written = bool(mapped.recode) or (info is not None and bool(info.user_missing))
    written = written or codes is not None
    if holds_text(series):
        numbers, not_number = parsed if parsed is not None else parse_numbers(series)
        numbers = numbers.copy() if written else numbers
    else:
        numbers = series.to_numpy(dtype="float64", copy=written, na_value=np.nan)
        not_number = np.zeros(n, dtype=bool)
    # the file's own values, as numbers: a copy only when recodes and user-missing values below
    # change `numbers` while reading them
    changed = bool(mapped.recode) or (info is not None and bool(info.user_missing))
    file_values = numbers.copy() if changed else numbers
    if national is not None and national.raw is not None:
        file_values = (
            parse_numbers(national.raw)[0]
            if holds_text(national.raw)
            else pd.to_numeric(national.raw, errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan
            )
        )
    if mapped.recode:
        for national, standard in mapped.recode.items():
            numbers[file_values == national] = standard

    blank = np.isnan(numbers) & ~not_number
    # not np.where(blank, BLANK, ANSWERED): it takes a branch per cell, 0.35 ms a column of
    # 100,000 rows whose blanks have no pattern, ten times this arithmetic
    kinds = ANSWERED + (BLANK - ANSWERED) * blank.view(np.int8)
    for code, kind in mapped.kind_of_code.items():
        kinds[numbers == code] = kind

    # SPSS user-missing values that are not the spec's own special codes.
    if info is not None and info.user_missing:
        for lo, hi in info.user_missing:
            if isinstance(lo, str):
                continue
            hit = (file_values >= lo) & (file_values <= hi) & (kinds == ANSWERED)
            if hit.any():
                for value in np.unique(file_values[hit]):
                    kind = kind_from_label(info.value_labels.get(value))
                    where = hit & (file_values == value)
                    kinds[where] = kind
                    numbers[where] = mapped.code_for_kind.get(kind, np.nan)

    # Stata extended missings .a-.z (letter codes 1..26, one per row).
    if codes is not None:
        for code in np.unique(codes[codes > 0]):
            special = missing_map.get(chr(ord("a") + int(code) - 1), SpecialKind.NOT_STATED)
            kind = KIND_OF_SPECIAL[special]
            where = codes == code
            kinds[where] = kind
            numbers[where] = mapped.code_for_kind.get(kind, np.nan)
    return pd.Series(numbers, index=series.index, copy=False), kinds, not_number


def make_chunk(
    plan: FilePlan, raw: RawChunk, offset: int, letters: Mapping[str, SpecialKind]
) -> Chunk:
    """One raw chunk of a file as a Chunk: values, kinds and examples per question, ids, keys."""
    frame = raw.frame
    national = national_columns(plan, frame)
    parsed = parse_columns(
        frame,
        [
            m.column
            for m in plan.questions
            if m.id not in national
            and not m.is_text
            and m.column in frame.columns
            and holds_text(frame[m.column])
        ],
    )
    values, kinds, not_number, raw_values = {}, {}, {}, {}
    for mapped in plan.questions:
        column = national.get(mapped.id)
        numbers = parsed.get(mapped.column) if column is None else None
        values[mapped.id], kinds[mapped.id], not_number[mapped.id] = prepare_question(
            mapped, raw, letters, column, numbers
        )
        shown = frame[mapped.column] if column is None else column.shown()
        raw_values[mapped.id] = _display(shown, mapped, numbers)
    chunk = Chunk(
        offset,
        # copy=False: one block per question, not one consolidated copy of them all per chunk
        pd.DataFrame(values, index=frame.index, copy=False),
        kinds,
        not_number,
        raw_values,
        ids=frame[plan.id_columns] if plan.id_columns else None,
        design_blank={q: c.design_blank for q, c in national.items() if c.design_blank.any()},
    )
    chunk.national_problems = {q: c.problem for q, c in national.items() if c.problem}
    if plan.weight:
        weight = pd.to_numeric(frame[plan.weight], errors="coerce").to_numpy(dtype="float64")
        chunk.weight = np.nan_to_num(weight, nan=0.0)
    if plan.by:
        chunk.group = frame[plan.by].map(_group_label, na_action="ignore").fillna("(missing)")
    if plan.id_columns and not plan.id_missing:
        chunk.keys = id_keys(chunk.ids)
    if plan.parent_id_columns:
        chunk.parent_keys = id_keys(frame[plan.parent_id_columns])
    for level, ids in plan.flat_ids.items():
        chunk.units[level] = (id_keys(frame[ids]), frame[ids]) if ids else (None, None)
    return chunk


def national_columns(plan: FilePlan, frame: pd.DataFrame) -> dict[str, NationalColumn]:
    """The questions of one chunk that the profile's national layer reads, by question id."""
    layer = plan.layer
    wanted: dict[str, set[str]] = {}
    for mapped in plan.questions:
        if mapped.national is not False:
            wanted.setdefault(mapped.question.level, set()).add(mapped.id)
    if layer is None or not wanted:
        return {}
    columns: dict[str, NationalColumn] = {}
    for level, questions in wanted.items():
        result = layer.apply(frame, level, only=questions)
        for question, column in result.columns.items():
            column.problem = result.problems.get(question)
            if column.problem is not None:  # unknown, said once (PROFILE-DATA-002): not blanks
                column.design_blank = np.ones(len(frame), dtype=bool)
            columns[question] = column
    return columns


def _display(
    column: pd.Series, mapped: MappedQuestion, parsed: tuple[np.ndarray, np.ndarray] | None = None
) -> pd.Series:
    """Values for examples: numbers as numbers (also when stored as text), other text as it is."""
    if mapped.is_text or not holds_text(column):
        return column
    numbers = parsed[0] if parsed is not None else parse_numbers(column)[0]
    other = np.isnan(numbers)  # missing, blank or not a number: the cell as it is
    big_numbers = np.isfinite(numbers) & (np.abs(numbers) >= 2**53)
    if (
        isinstance(column.dtype, pd.StringDtype)
        and column.dtype.na_value is np.nan
        and not big_numbers.any()
        and not (other & column.notna().to_numpy()).any()
    ):
        # Every cell a number or missing (NaN, as the text column has it): the numbers
        # themselves, not a million Python floats in an object column.
        return pd.Series(numbers, index=column.index, copy=False)  # written to by no one
    shown = numbers.astype(object)
    if other.any():
        shown[other] = column[other].to_numpy(dtype=object)
    # Beyond 2^53 a float is not the file's number: a whole number is shown exactly, cell by
    # cell (not by what else the chunk holds, so that chunked and whole runs show the same).
    big = np.flatnonzero(big_numbers)
    for pos in big:
        exact = pd.to_numeric(pd.Series([str(column.iat[pos]).strip()], dtype=object))
        shown[pos] = exact.tolist()[0]
    return pd.Series(shown, index=column.index, dtype=object, copy=False)


def _group_label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
