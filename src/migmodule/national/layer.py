"""The national layer of one adapted module, applied to data frames: which file columns to read,
each level's row filter, and per question the standard-coded values and the "blank by national
design" mask.

    layer = NationalLayer(adapted, date_formats(path))      # date_formats: .sav/.dta date columns
    names = layer.columns("person", source_columns)     # what to read from the file
    for frame in chunks:                                 # any chunking: rows are independent
        keep = layer.rows(frame, "person")               # the level's row filter (bool array)
        national = layer.apply(frame, "person")
        national.values["country_of_birth"]              # standard codes (text kept if unmapped)
        national.design_blank["residence_1y_ago"]        # True: not asked by national design

Per question, in this order: the source (a column, a split `{from, where}` of a column, or a
`derive` expression over the file's columns), then the recode (exact value, ranges, `else`).
A value the recode does not map stays as it was: numbers as numbers, numeric text as numbers,
other text as text, so that the validator reports it. `null` in a recode, and rows outside a split,
are blank by design: never a code, universe or non-response error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.expr.ast import ARITHMETIC, COMPARISONS, Binary, In, Name, Node, Num, Str, Unary
from migmodule.expr.columns import column_names, evaluate_on_columns
from migmodule.expr.parser import parse
from migmodule.i18n import Phrase
from migmodule.microdata.source import DataSource
from migmodule.national.dates import as_dates
from migmodule.national.recode import Recode
from migmodule.profile import PROFILE_DATA_COLUMN, PROFILE_DATA_VALUES, Adapted, Source
from migmodule.spec.model import Question, QuestionType

# Questions whose answers are text (their values are not turned into numbers).
TEXT_TYPES = (QuestionType.TEXT, QuestionType.DATE, QuestionType.SELECT_MULTIPLE)
_NUMBER_TEXT = r"^-?[0-9]+(?:\.[0-9]+)?$"  # on trimmed text, as recode.as_number reads it


@dataclass
class NationalColumn:
    """One question as the national layer gives it, for one frame."""

    question: str
    source: Source
    column: str | None  # the file column read (variable or split); None for derive
    values: pd.Series  # standard-coded values (float64; object when unmapped text remains)
    design_blank: np.ndarray  # bool: not asked by national design (null recode, outside a split)
    recoded: np.ndarray  # bool: rows whose value the recode mapped
    raw: pd.Series | None  # the file's values before the recode (None for derive)
    recode: Recode | None = None
    problem: Finding | None = None  # why its derive or split could not be read on this frame

    def shown(self) -> pd.Series:
        """The values examples show: the file's own (a derive: the computed ones)."""
        return self.raw if self.raw is not None else self.values

    def recodes_code(self, national: object) -> bool:
        """Whether the profile recodes this national code (label drift leaves it alone)."""
        return self.recode is not None and self.recode.covers(national)


@dataclass
class NationalFrame:
    """The national layer's result for one frame of one level."""

    columns: dict[str, NationalColumn] = field(default_factory=dict)
    ids: dict[str, pd.Series] = field(default_factory=dict)  # id variable name -> file values
    absent: dict[str, str] = field(default_factory=dict)  # question -> why it cannot be read
    # question -> why its derive or split could not be evaluated on this frame (rows unknown)
    problems: dict[str, Finding] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, pd.Series]:
        return {q: c.values for q, c in self.columns.items()}

    @property
    def design_blank(self) -> dict[str, np.ndarray]:
        return {q: c.design_blank for q, c in self.columns.items()}


def find_column(name: str, available: list[str] | pd.Index) -> str | None:
    """The file's spelling of a variable name: exact, else the only case-insensitive match."""
    names = list(available)
    if name in names:
        return name
    folded = [c for c in names if str(c).lower() == name.lower()]
    return folded[0] if len(folded) == 1 else None


class NationalLayer:
    """The compiled national layer of one adapted module."""

    def __init__(self, adapted: Adapted, date_formats: Mapping[str, str] | None = None):
        """`date_formats`: file column -> SPSS/Stata display format of its date columns
        (`migmodule.national.dates.date_formats(path)`), for readers that keep dates as numbers."""
        self.adapted = adapted
        self.date_formats = dict(date_formats or {})
        self.module = adapted.module
        self._reads: dict[str, list[str]] = {}
        self._numeric: dict[str, frozenset[str]] = {}

    @classmethod
    def for_source(cls, adapted: Adapted, source: DataSource) -> NationalLayer:
        """The layer for one data file: its date columns are read by their display formats."""
        formats = {name: info.format for name, info in source.columns.items() if info.format}
        return cls(adapted, formats)

    # plan ----------------------------------------------------------------------------------
    def questions(self, level: str) -> list[Question]:
        """The level's questions the profile keeps (include/exclude applied)."""
        return [q for q in self.adapted.questions if q.level == level]

    def _expression_names(self, text: str) -> list[str]:
        if text not in self._reads:
            self._reads[text] = column_names(text)
        return self._reads[text]

    def reads(self, question_id: str) -> list[str]:
        """The file variable names (as the profile writes them) a question reads."""
        source = self.adapted.source(question_id)
        if source.kind == "derive":
            return self._expression_names(source.expression or "")
        names = [source.variable] if source.variable else []
        if source.kind == "split":
            names += [n for n in self._expression_names(source.where or "") if n not in names]
        return names

    def handles(self, question_id: str) -> bool:
        """Whether the profile reads this question through the layer (a split, a derive or a
        recode); other questions are plain columns."""
        source = self.adapted.source(question_id)
        return source.kind != "variable" or self.adapted.recode(question_id) is not None

    def columns_of(self, question_id: str, available: list[str] | pd.Index) -> list[str] | None:
        """The file columns a question reads, in the file's spelling; None when one is missing
        (a name that is a parameter, such as a reference date, needs no column)."""
        found: list[str] = []
        for name in self.reads(question_id):
            column = find_column(name, available)
            if column is not None:
                found.append(column)
            elif not _scalar(self.adapted.params.get(name)):
                return None
        return found

    def columns_of_filter(self, level: str, available: list[str] | pd.Index) -> list[str]:
        """The file columns the level's row filter reads (file spelling; missing ones left out:
        `rows` reports them)."""
        text = self.row_filter(level)
        names = self._expression_names(text) if text else []
        return [c for c in (find_column(n, available) for n in names) if c is not None]

    def row_filter(self, level: str) -> str | None:
        """The level's row filter over the file's variable names (None: every row)."""
        return self.adapted.level_filter(level)

    def columns(self, level: str, available_columns: list[str] | pd.Index) -> list[str]:
        """The file columns to read for a level, in the file's spelling: identifiers, the
        questions' variables, and what derive, splits and the row filter read. Names the file
        does not have are left out (`apply` reports them in `absent`)."""
        wanted = list(self.adapted.ids(level).values())
        for question in self.questions(level):
            wanted += self.reads(question.id)
        if self.row_filter(level):
            wanted += self._expression_names(self.row_filter(level) or "")
        found: list[str] = []
        for name in wanted:
            column = find_column(name, available_columns)
            if column is not None and column not in found:
                found.append(column)
        return found

    # rows ----------------------------------------------------------------------------------
    def _view(self, frame: pd.DataFrame, text: str) -> tuple[pd.DataFrame, list[str]]:
        """The columns an expression reads, under the profile's spelling; parameters (REF_DATE)
        stand in for names the file does not have. Returns the view and the names not found.

        A text column the expression only compares with numbers (or computes with) is read as
        numbers value by value (other text unknown), so that a row's result never depends on
        the other values of its chunk."""
        if text not in self._numeric:
            self._numeric[text] = _numeric_names(parse(text))
        numeric = self._numeric[text]
        data: dict[str, pd.Series] = {}
        missing: list[str] = []
        for name in self._expression_names(text):
            column = find_column(name, frame.columns)
            if column is not None:
                series = as_dates(frame[column], self.date_formats.get(column))
                if name in numeric and _holds_text(series):
                    series = pd.Series(_numbers(series), index=frame.index)
                data[name] = series
            elif self.adapted.params.get(name) is not None and _scalar(self.adapted.params[name]):
                data[name] = _constant(self.adapted, name, frame.index)
            else:
                missing.append(name)
        return pd.DataFrame(data, index=frame.index), missing

    def rows(self, frame: pd.DataFrame, level: str) -> np.ndarray:
        """True for the rows of `frame` that belong to the level (its `where` is true)."""
        text = self.row_filter(level)
        if not text:
            return np.ones(len(frame), dtype=bool)
        view, missing = self._view(frame, text)
        if missing:
            raise MigmoduleError.of(
                PROFILE_DATA_COLUMN,
                Location(module=self.module.ref),
                module=self.module.ref,
                what=Phrase("reason.what_row_filter", level=level),
                variable=missing[0],
                file=Phrase("reason.the_data_file"),
                suggestion="",
            )
        result, problem = self._evaluate(text, view, f"the row filter of level {level}", frame)
        if problem is not None:
            raise MigmoduleError(problem)
        return result.fillna(False).to_numpy(dtype=bool)

    def _evaluate(
        self, text: str, view: pd.DataFrame, what: str, frame: pd.DataFrame
    ) -> tuple[pd.Series, Finding | None]:
        """The expression over the view; values of a kind it cannot read (text compared with a
        number, numbers given to a date function) make every row unknown, with a finding."""
        try:
            return evaluate_on_columns(text, view), None
        except (MigmoduleError, TypeError) as exc:  # the file's values, not the profile
            reason = exc.finding.message if isinstance(exc, MigmoduleError) else str(exc)
            reason = reason.rstrip(". ")
            rows = _row_span(frame)
            problem = Finding.make(
                PROFILE_DATA_VALUES,
                Location(module=self.module.ref),
                module=self.module.ref,
                what=what,
                expression=text,
                rows=rows,
                reason=reason,
            )
            return pd.Series(pd.NA, index=view.index, dtype="object"), problem

    # values --------------------------------------------------------------------------------
    def apply(
        self, frame: pd.DataFrame, level: str, only: set[str] | None = None
    ) -> NationalFrame:
        """Per question of the level (or of `only`): standard-coded values and the
        blank-by-design mask."""
        out = NationalFrame()
        for name, national_name in self.adapted.ids(level).items():
            column = find_column(national_name, frame.columns)
            if column is not None:
                out.ids[name] = frame[column]
        n = len(frame)
        for question in self.questions(level):
            if only is not None and question.id not in only:
                continue
            source = self.adapted.source(question.id)
            design_blank = np.zeros(n, dtype=bool)
            raw: pd.Series | None = None
            column: str | None = None
            if source.kind == "derive":
                view, missing = self._view(frame, source.expression or "")
                if missing:
                    out.absent[question.id] = (
                        f"derive `{source.expression}` reads {', '.join(missing)}, not in the file"
                    )
                    continue
                series, problem = self._evaluate(
                    source.expression or "", view, f"derive of {question.id}", frame
                )
                if problem is not None:
                    out.problems[question.id] = problem
                    series = pd.Series(np.nan, index=frame.index)
                if series.dtype == "boolean":  # a condition: true 1, false 0
                    series = series.astype("Float64").astype("float64")
            else:
                column = find_column(source.variable or "", frame.columns)
                if column is None:
                    out.absent[question.id] = f"{source.variable} is not in the file"
                    continue
                raw = frame[column]
                series = raw
                if question.type is QuestionType.DATE:
                    series = as_dates(raw, self.date_formats.get(column))
                if source.kind == "split":
                    view, missing = self._view(frame, source.where or "")
                    if missing:
                        out.absent[question.id] = (
                            f"the split `{source.where}` reads {', '.join(missing)}, not in the file"
                        )
                        continue
                    inside, problem = self._evaluate(
                        source.where or "", view, f"the split of {question.id}", frame
                    )
                    if problem is not None:
                        out.problems[question.id] = problem
                        inside = pd.Series(pd.NA, index=frame.index, dtype="boolean")
                    asked = inside.fillna(False).to_numpy(dtype=bool)
                    design_blank |= (~inside).fillna(False).to_numpy(dtype=bool)
                    series = series.where(asked)
            recode = self.adapted.recode(question.id)
            values, recoded, nulls = standard_values(
                series, recode, numeric=question.type not in TEXT_TYPES
            )
            design_blank |= nulls
            out.columns[question.id] = NationalColumn(
                question.id, source, column, values, design_blank, recoded, raw, recode
            )
        return out


def _row_span(frame: pd.DataFrame) -> str:
    """The frame's rows as the file numbers them (1-based), for messages."""
    if len(frame) == 0:
        return "(none)"
    index = frame.index
    if pd.api.types.is_integer_dtype(index.dtype):
        return f"{int(index.min()) + 1}-{int(index.max()) + 1}"
    return f"1-{len(frame)}"


def _numeric_names(tree: Node) -> frozenset[str]:
    """Names an expression only uses as numbers: compared with a number, in arithmetic, or in an
    `in (...)` list of numbers, and never compared with a text."""
    numeric: set[str] = set()
    text: set[str] = set()

    def number_like(node: Node) -> bool:
        return isinstance(node, Num) or (
            isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Num)
        )

    for node in tree.walk():
        if isinstance(node, Binary) and node.op in ARITHMETIC:
            numeric.update(side.id for side in (node.left, node.right) if isinstance(side, Name))
        elif isinstance(node, Binary) and node.op in COMPARISONS:
            for name, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(name, Name) and number_like(other):
                    numeric.add(name.id)
                elif isinstance(name, Name) and isinstance(other, Str):
                    text.add(name.id)
        elif isinstance(node, In) and isinstance(node.operand, Name):
            if any(isinstance(item, Str) for item in node.items):
                text.add(node.operand.id)
            elif any(number_like(item) for item in node.items):
                numeric.add(node.operand.id)
        elif isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Name):
            numeric.add(node.operand.id)
    return frozenset(numeric - text)


def _holds_text(series: pd.Series) -> bool:
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def _scalar(value: object) -> bool:
    return isinstance(value, (int, float, str)) and not isinstance(value, bool)


def _constant(adapted: Adapted, name: str, index: pd.Index) -> pd.Series:
    """A parameter as a constant column; a date parameter as datetime64."""
    value = adapted.params[name]
    param = adapted.module.parameter_by_id.get(name)
    if param is not None and param.type == "date":
        return pd.Series(pd.Timestamp(value), index=index, dtype="datetime64[ns]")
    return pd.Series(value, index=index)


# recodes -------------------------------------------------------------------------------------
@dataclass
class _Cells:
    """One column read once: which cells are text, their trimmed text, their numbers, and which
    are not blank. Every recode step and the value conversion share it."""

    is_text: np.ndarray
    text: pd.Series | None  # trimmed text where the cell is text (NA elsewhere); None: no text
    numbers: np.ndarray  # finite numbers, NaN where the cell is not one
    present: np.ndarray


def _cells(series: pd.Series) -> _Cells:
    n = len(series)
    notna = series.notna().to_numpy(dtype=bool, copy=True)
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return _Cells(np.zeros(n, dtype=bool), None, np.full(n, np.nan), notna)
    if pd.api.types.is_numeric_dtype(dtype):
        numbers = series.to_numpy(dtype="float64", na_value=np.nan, copy=True)
        numbers[~np.isfinite(numbers)] = np.nan
        return _Cells(np.zeros(n, dtype=bool), None, numbers, notna)
    is_text = _is_text(series)
    text = series.where(is_text).astype("string[pyarrow]").str.strip()
    present = notna & ~(text == "").fillna(False).to_numpy(dtype=bool)
    numbers = np.full(n, np.nan)
    if is_text.any():  # numeric text, parsed by Arrow (RE2 and a cast, no Python loop)
        arrow = pa.array(text.array)
        looks = pc.fill_null(pc.match_substring_regex(arrow, _NUMBER_TEXT), False)
        parsed = pc.cast(pc.if_else(looks, arrow, pa.scalar(None, arrow.type)), pa.float64())
        numbers = parsed.to_numpy(zero_copy_only=False).astype("float64")
    others = ~is_text & notna
    if others.any():  # Python or numpy numbers in an object column
        numbers[others] = [
            float(v)
            if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
            else np.nan
            for v in series[others]
        ]
    numbers[~np.isfinite(numbers)] = np.nan
    return _Cells(is_text, text, numbers, present)


def _numbers(series: pd.Series) -> np.ndarray:
    """Each value as a finite number (NaN when it is not one), as `recode.as_number` reads it."""
    return _cells(series).numbers


def _is_text(series: pd.Series) -> np.ndarray:
    """True where the value is text (str)."""
    notna = series.notna().to_numpy(dtype=bool)
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return notna
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return notna  # an object column of text only (CSV)
    values = series.to_numpy(dtype=object)
    return np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))


def _texts(series: pd.Series, fold_case: bool = False) -> pd.Series:
    """Trimmed text of the values that are text (NA elsewhere)."""
    text = _cells(series).text
    if text is None:
        return pd.Series(pd.NA, index=series.index, dtype="string")
    return text.str.upper() if fold_case else text


def apply_recode(
    series: pd.Series, recode: Recode, cells: _Cells | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(matched, standard): rows the recode maps, and their standard code (NaN for null).

    The same rule as `Recode.lookup`, vectorised: exact text, exact number, ranges, else."""
    cells = cells if cells is not None else _cells(series)
    n = len(series)
    matched = np.zeros(n, dtype=bool)
    standard = np.full(n, np.nan)

    def code(value: int | None) -> float:
        return np.nan if value is None else float(value)

    if recode.texts and cells.text is not None:
        text = cells.text.str.upper() if recode.fold_case else cells.text
        hit = text.isin(list(recode.texts)).fillna(False).to_numpy(dtype=bool)
        if hit.any():
            table = {k: code(v) for k, v in recode.texts.items()}
            standard[hit] = text[hit].map(table).to_numpy(dtype="float64", na_value=np.nan)
            matched |= hit
    numbers = cells.numbers
    if recode.numbers:
        hit = ~matched & np.isin(numbers, list(recode.numbers))
        if hit.any():
            table = {k: code(v) for k, v in recode.numbers.items()}
            standard[hit] = pd.Series(numbers[hit]).map(table).to_numpy(dtype="float64")
            matched |= hit
    with np.errstate(invalid="ignore"):
        for item in recode.ranges:
            hit = ~matched & (numbers >= item.low) & (numbers <= item.high)
            standard[hit] = code(item.standard)
            matched |= hit
    if recode.has_else:
        hit = ~matched & cells.present
        standard[hit] = code(recode.otherwise)
        matched |= hit
    return matched, standard


def standard_values(
    series: pd.Series, recode: Recode | None, *, numeric: bool = True
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(values, recoded, null): the recode applied; values it does not map stay as they were
    (numeric text read as numbers when `numeric`). `null` marks rows recoded to null."""
    n = len(series)
    cells = _cells(series)
    if recode is not None:
        matched, standard = apply_recode(series, recode, cells)
    else:
        matched, standard = np.zeros(n, dtype=bool), np.full(n, np.nan)
    nulls = matched & np.isnan(standard)
    if not numeric or pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _with_codes(series, matched, standard), matched, nulls
    result = np.where(matched, standard, cells.numbers)
    leftover = ~matched & np.isnan(cells.numbers) & cells.present
    if not leftover.any():
        return pd.Series(result, index=series.index, dtype="float64"), matched, nulls
    values = pd.Series(result, index=series.index, dtype=object)
    # unmapped text, kept for the validator to report
    values.iloc[np.flatnonzero(leftover)] = series.to_numpy(dtype=object)[leftover]
    return values, matched, nulls


def _with_codes(series: pd.Series, matched: np.ndarray, standard: np.ndarray) -> pd.Series:
    """Values kept as they are (text, dates), with the recoded rows set to their code."""
    values = series.astype(object).copy()
    if matched.any():
        codes = [None if np.isnan(v) else int(v) for v in standard[matched]]
        values.iloc[np.flatnonzero(matched)] = pd.Series(codes, dtype=object).to_numpy()
    return values
