"""The Check contract, and what a check is built for (`Target`) and sees (`Context`).

A check is a registered part (frictionless' shape, made vectorised): it has a `name`, the issue
codes it may emit (`issues`; a test and the engine hold it to them) and the expressions it reads
(`expressions()`). `build(target)` makes the checks of one kind for one target; then
`start(context)`, one `chunk(chunk)` per chunk (tallies only, no loop over rows) and `end()`, which
returns `CheckResult`s. Counts are sums over chunks, so a chunked run equals a whole-file run.

`scope` says what a check sees:
- "run": nothing but the plan (coverage); built once, before any file is read;
- "rows": the rows of its level (in a flat file, the first row of each unit of an upper level);
- "file": every row of the file (identifiers; answers of an upper level compared across its rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from migmodule.codes import Finding, IssueCode, Location
from migmodule.expr.evaluate import PreparedExpressions, evaluate_truth
from migmodule.expr.semantics import referenced
from migmodule.profile import Adapted
from migmodule.spec.model import Edit
from migmodule.validate.prepare import Chunk, MappedQuestion
from migmodule.validate.report import CheckResult, Tally, result_from_tally

if TYPE_CHECKING:
    from migmodule.validate.plan import FilePlan


@dataclass
class Target:
    """What checks are built for: the rows of one level read from one file (or, for "run"
    checks, the whole plan: `plan` and `level` are None)."""

    adapted: Adapted
    plans: dict[str, FilePlan]
    plan: FilePlan | None = None
    level: str | None = None  # the file's own level, or an upper level read from a flat file
    edits: list[Edit] = field(default_factory=list)  # the edits checked on these rows
    parent_keys: np.ndarray | None = None  # identifier keys of the parent file's rows
    parent_ids: pd.DataFrame | None = None  # and their identifier columns, as in the file

    @property
    def flat(self) -> bool:
        """An upper level's rows read from a lower level's file."""
        return self.plan is not None and self.level != self.plan.level

    @property
    def questions(self) -> list[MappedQuestion]:
        return self.plan.questions_of(self.level) if self.plan is not None else []


@dataclass
class Context:
    """What every check of one file knows."""

    adapted: Adapted
    level: str
    file: str
    columns: set[str]  # names available in each chunk's values (questions, parents, derived)
    rows: int = 0  # filled in before end()
    max_examples: int = 5
    weighted: bool = False
    nonresponse_threshold: float = 0.05
    thresholds: dict[str, float] = field(default_factory=dict)
    language: str = "en"
    absent: set[str] = field(default_factory=set)  # names the rules may read that the data lack
    variables: dict[str, str] = field(default_factory=dict)  # question id -> the file's column
    # The chunk being checked and the results of the subtrees its rules share (`truth`): kept
    # here, one chunk at a time, not on the chunk, which a parent file keeps for its children.
    _subtrees: tuple[Chunk, dict] | None = field(default=None, repr=False, compare=False)

    @property
    def module(self):
        return self.adapted.module

    @property
    def params(self) -> dict[str, Any]:
        return self.adapted.params

    @cached_property
    def expressions(self) -> PreparedExpressions:
        """Each rule compiled once for this file, reused for every chunk."""
        return PreparedExpressions(self.module, self.params)

    def subtrees(self, chunk: Chunk) -> dict:
        """The shared subtrees' results over `chunk` (`evaluate_truth(subtrees=...)`), a new
        dict when another chunk comes."""
        if self._subtrees is None or self._subtrees[0] is not chunk:
            self._subtrees = (chunk, {})
        return self._subtrees[1]

    def location(self, question: str | None = None, variable: str | None = None) -> Location:
        return Location(
            file=self.file, module=self.module.ref, question=question, variable=variable
        )

    def absent_in(self, text: str) -> list[str]:
        """Names an expression reads that the data do not have (unknown on every row)."""
        return [name for name in referenced(self.module, text) if name in self.absent]

    def reads(self, *texts: str | None) -> list[str]:
        """Names the expressions read that the data have, in first-use order."""
        names = [n for text in texts if text for n in referenced(self.module, text)]
        return [n for n in dict.fromkeys(names) if n not in self.absent]

    def label(self, name: str) -> str:
        """A variable as an example names it: the question id and the file's column."""
        column = self.variables.get(name)
        return f"{name} ({column})" if column and column != name else name

    def read_values(self, chunk: Chunk, names: list[str]) -> dict[str, pd.Series]:
        """The chunk's values of each variable, as the file has them, for examples."""
        out = {}
        for name in names:
            series = chunk.raw.get(name)
            if series is None and name in chunk.values.columns:
                series = chunk.values[name]
            if series is not None:
                out[self.label(name)] = series
        return out


def truth(
    context: Context,
    chunk: Chunk,
    text: str,
    self_id: str | None = None,
    field_name: str = "expression",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(true, false, unknown) masks of a condition over one chunk, cached per chunk: read-only
    arrays shared by every check that asks (`evaluate_truth`, no pandas Series around them)."""
    key = f"{self_id}|{text}"
    found = chunk.cache.get(key)
    if found is None:
        found = chunk.cache[key] = evaluate_truth(
            context.module,
            text,
            chunk.values,
            context.params,
            self_id=self_id,
            field=field_name,
            undetermined=chunk.undetermined,
            columns=chunk.columns_read,
            prepared=context.expressions,
            subtrees=context.subtrees(chunk),
        )
    return found


def masks(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(true, false, unknown) of a nullable boolean Series, new arrays the caller may keep.

    A `BooleanArray` holds its values and its mask as two numpy arrays: reading them costs two
    array operations, where `isna()` and `to_numpy(dtype=bool, na_value=False)` copy through
    pandas' generic paths (0.15 s of a 1M-row run, 700 conditions). Any other Series goes the
    generic way."""
    array = series.array
    data, mask = getattr(array, "_data", None), getattr(array, "_mask", None)
    if (
        isinstance(array, pd.arrays.BooleanArray)
        and isinstance(data, np.ndarray)
        and isinstance(mask, np.ndarray)
        and data.dtype == bool
        and mask.dtype == bool
    ):
        unknown = mask.copy()
        true = data & ~mask
    else:
        unknown = series.isna().to_numpy()
        true = series.to_numpy(dtype=bool, na_value=False)
    return true, ~true & ~unknown, unknown


class Check:
    """One kind of check. Subclasses set `name`, `issues`, `scope` and write `build`."""

    name: ClassVar[str] = ""
    issues: ClassVar[tuple[IssueCode, ...]] = ()
    scope: ClassVar[str] = "rows"
    # How the state `chunk()` builds merges with the next file's, field by field (partial.py):
    # `--engine dask` checks each file on a worker and merges the states on the client. None: not
    # declared, and `state()` refuses (a check without a merge rule fails loudly, not silently).
    partial: ClassVar[dict[str, Any] | None] = None

    @classmethod
    def build(cls, target: Target) -> list[Check]:  # pragma: no cover - every check overrides it
        raise NotImplementedError

    def expressions(self) -> list[str]:
        """The expressions (universe, range, edit) this check evaluates on each chunk."""
        return []

    def start(self, context: Context) -> None:
        self.context = context

    def chunk(self, chunk: Chunk) -> None:
        """Add one chunk to the tallies (checks that read no rows need not override it)."""

    def end(self) -> list[CheckResult]:  # pragma: no cover
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        """What `chunk()` has gathered (picklable): the partial result of the files fed so far."""
        return {name: getattr(self, name) for name in self._rules()}

    def absorb(self, state: dict[str, Any], first_row: int) -> None:
        """Merge the state of the next file (its rows numbered from 0; `first_row` rows came
        before it), as if its chunks had been fed here after the earlier files'."""
        for name, rule in self._rules().items():
            setattr(self, name, rule(getattr(self, name), state[name], first_row))

    def carry(self, state: dict[str, Any]) -> Any:
        """What the next file must be checked again from when its state cannot be merged with
        the state so far (a flat file's units seen in both files); None when it can."""
        return None

    def seed(self, carried: Any) -> None:  # pragma: no cover - only checks that carry() write it
        """Start from what `carry()` gave (after `start()`, before the file's chunks)."""
        raise NotImplementedError

    def _rules(self) -> dict[str, Any]:
        if self.partial is None:
            raise NotImplementedError(
                f"check '{self.name}' ({type(self).__name__}) declares no merge rule (partial)"
            )
        return self.partial

    def tally(self) -> Tally:
        return Tally(self.context.max_examples)

    def result(
        self,
        issue: IssueCode,
        check: str,
        tally: Tally,
        fails: bool,
        values: dict[str, Any],
        **identity: Any,
    ) -> CheckResult:
        result = result_from_tally(
            issue.code,
            check,
            tally,
            weighted=self.context.weighted,
            level=self.context.level,
            **identity,
        )
        if fails:
            location = self.context.location(identity.get("question"), identity.get("variable"))
            result.finding = Finding.make(issue, location, **values)
        return result


def explain(result: CheckResult, tally: Tally, absent: list[str], what: str = "reads") -> None:
    """Say why rows were not checkable: the variables the rule reads that the data lack. When no
    row could be decided at all, say so under `skipped` as well."""
    if not absent or not tally.not_checkable:
        return
    reason = f"{what} {', '.join(absent)}, not in the data"
    result.details["not_checkable_reason"] = reason
    if not tally.total.denominator:
        result.details["skipped"] = reason


def counted(tally: Tally, count: int, denominator: int) -> Tally:
    tally.total.count, tally.total.denominator = count, denominator
    return tally


def show(value: Any) -> str:
    """A value as a person reads it: 12, not 12.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def singular(noun: str, lang: str = "en") -> str:
    """A level's noun (the spec writes it in the plural, "households") in the singular, by the
    regular plural of each language: "hogares" -> "hogar", "personas" -> "persona", "ménages"
    -> "ménage". Nouns are a level's, a handful of regular words; an irregular one is left as it is."""
    words = noun.split(" ")
    head = words[0] if lang in ("fr", "es", "pt") else words[-1]  # "household members"
    if lang == "es" and head.endswith("es") and head[-3:-2] in set("rlndzj"):
        one = head[:-2]
    elif head.endswith("s") and not head.endswith("ss"):
        one = head[:-1]
    else:
        one = head
    index = 0 if lang in ("fr", "es", "pt") else len(words) - 1
    words[index] = one
    return " ".join(words)
