"""The checks. Each declares its codes and has start / chunk / end hooks (frictionless' shape).

`start(context)` sees the file's metadata; `chunk(chunk)` sees one `prepare.Chunk` and only adds
to tallies (vectorised, no loop over rows); `end()` returns `CheckResult`s. Counts are sums over
chunks, so a chunked run and a whole-file run give the same results.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from migmodule.codes import Finding, IssueCode, Location
from migmodule.expr.evaluate import evaluate_frame
from migmodule.expr.semantics import referenced
from migmodule.expr.sentence import describe_universe
from migmodule.profile import Adapted
from migmodule.spec.model import Edit, QuestionType
from migmodule.spec.text import render
from migmodule.validate import codes
from migmodule.validate.prepare import (
    ANSWERED,
    BLANK,
    DONT_KNOW,
    NOT_APPLICABLE,
    NOT_STATED,
    REFUSED,
    Chunk,
    MappedQuestion,
    normalise,
)
from migmodule.validate.report import CheckResult, Tally, result_from_tally


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

    @property
    def module(self):
        return self.adapted.module

    @property
    def params(self) -> dict[str, Any]:
        return self.adapted.params

    def location(self, question: str | None = None, variable: str | None = None) -> Location:
        return Location(
            file=self.file, module=self.module.ref, question=question, variable=variable
        )

    def evaluable(self, text: str) -> list[str]:
        """Names an expression reads that the chunks will not have (empty: it can be evaluated)."""
        return [name for name in referenced(self.module, text) if name not in self.columns]


def truth(
    context: Context,
    chunk: Chunk,
    text: str,
    self_id: str | None = None,
    field_name: str = "expression",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(true, false, unknown) masks of a condition over one chunk, cached per chunk."""
    key = f"{self_id}|{text}"
    if key not in chunk.cache:
        chunk.cache[key] = evaluate_frame(
            context.module, text, chunk.values, context.params, self_id=self_id, field=field_name
        )
    series = chunk.cache[key]
    unknown = series.isna().to_numpy()
    true = series.fillna(False).to_numpy(dtype=bool)
    return true, ~true & ~unknown, unknown


class Check:
    issues: tuple[IssueCode, ...] = ()

    def start(self, context: Context) -> None:
        self.context = context

    def chunk(self, chunk: Chunk) -> None:  # pragma: no cover - every check overrides it
        raise NotImplementedError

    def end(self) -> list[CheckResult]:  # pragma: no cover
        raise NotImplementedError

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


# ----------------------------------------------------------------------------------------------
class QuestionValueCheck(Check):
    """One question's values: empty variable, codes outside the list, text in a number, range."""

    issues = (
        codes.COVER_EMPTY,
        codes.CODE_OUT_OF_LIST,
        codes.CODE_COUNTRY,
        codes.CODE_TEXT_STORED,
        codes.CODE_NOT_NUMBER,
        codes.CODE_RANGE,
        codes.CODE_LABEL_DRIFT,
    )

    def __init__(self, mapped: MappedQuestion):
        self.mapped = mapped
        self.range_rule = _range_rule(mapped.question)

    def start(self, context: Context) -> None:
        super().start(context)
        allowed = allowed_codes(context.adapted, self.mapped)
        self.allowed = np.array(sorted(allowed), dtype="float64") if allowed is not None else None
        self.answered = 0
        self.rows = 0
        self.coding, self.not_number, self.range = self.tally(), self.tally(), self.tally()
        self.bad_values: dict[Any, int] = {}
        if self.range_rule and context.evaluable(self.range_rule):
            self.range_rule = None  # reads a variable the file does not have

    def chunk(self, chunk: Chunk) -> None:
        m = self.mapped
        kinds = chunk.kinds[m.id]
        values = chunk.values[m.id]
        raw = chunk.raw[m.id]
        self.rows += len(kinds)
        self.answered += int((kinds != BLANK).sum())
        if self.allowed is not None:
            if m.question.type is QuestionType.SELECT_MULTIPLE:
                bad = _bad_tokens(values, self.allowed)
            else:
                numbers = values.to_numpy(dtype="float64")
                bad = (kinds == ANSWERED) & ~np.isnan(numbers) & ~np.isin(numbers, self.allowed)
            self.coding.add(chunk, bad, values=raw)
            if bad.any():
                for value, n in raw[bad].value_counts().items():
                    self.bad_values[value] = self.bad_values.get(value, 0) + int(n)
        if not m.is_text:
            self.not_number.add(chunk, chunk.not_number[m.id], values=raw)
        if self.range_rule:
            _, false, _ = truth(
                self.context, chunk, self.range_rule, self_id=m.id, field_name=f"range of {m.id}"
            )
            self.range.add(chunk, false, denominator=(kinds == ANSWERED), values=raw)

    def end(self) -> list[CheckResult]:
        m, q = self.mapped, self.mapped.question
        who = {"question": q.id, "variable": m.column}
        results = [
            self.result(
                codes.COVER_EMPTY,
                "coverage",
                _counted(self.tally(), self.rows - self.answered, self.rows),
                self.rows > 0 and self.answered == 0,
                {"variable": m.column, "question": q.id, "rows": self.rows},
                **who,
            )
        ]
        if self.allowed is not None:
            issue = codes.CODE_COUNTRY if q.type is QuestionType.COUNTRY else codes.CODE_OUT_OF_LIST
            top = sorted(self.bad_values.items(), key=lambda item: (-item[1], str(item[0])))[:5]
            shown = ", ".join(f"{_show(v)} ({n}x)" for v, n in top)
            result = self.result(
                issue,
                "coding",
                self.coding,
                self.coding.count > 0,
                {
                    "variable": m.column,
                    "question": q.id,
                    "count": self.coding.count,
                    "code_list": q.code_list,
                    "values": shown,
                },
                **who,
            )
            result.details["values"] = {_show(v): n for v, n in top}
            results.append(result)
        if m.text_stored:
            results.append(
                self.result(
                    codes.CODE_TEXT_STORED,
                    "coding",
                    self.not_number,
                    True,
                    {
                        "variable": m.column,
                        "question": q.id,
                        "type": q.type.value,
                        "count": self.not_number.count,
                    },
                    **who,
                )
            )
        if not m.is_text:
            shown = ", ".join(str(e.get("value")) for e in self.not_number.examples[:5])
            results.append(
                self.result(
                    codes.CODE_NOT_NUMBER,
                    "coding",
                    self.not_number,
                    self.not_number.count > 0,
                    {
                        "variable": m.column,
                        "question": q.id,
                        "count": self.not_number.count,
                        "values": shown,
                    },
                    **who,
                )
            )
        if self.range_rule:
            shown = ", ".join(str(e.get("value")) for e in self.range.examples[:5])
            result = self.result(
                codes.CODE_RANGE,
                "range",
                self.range,
                self.range.count > 0,
                {
                    "variable": m.column,
                    "question": q.id,
                    "count": self.range.count,
                    "rule": f"`{self.range_rule}`",
                    "values": shown,
                },
                **who,
            )
            result.details["rule"] = self.range_rule
            results.append(result)
        drift = label_drift(self.context, m)
        if drift is not None:
            results.append(drift)
        return results


def allowed_codes(adapted: Adapted, mapped: MappedQuestion) -> frozenset[int] | None:
    """The codes a coded question accepts: its list, M49 for countries, a national list from a parameter."""
    codes_ = mapped.symbol.codes
    if codes_ is None:
        return None
    code_list = adapted.module.code_list_by_id[mapped.question.code_list]
    if code_list.source and code_list.source.startswith("parameter:"):
        national = adapted.params.get(code_list.source.split(":", 1)[1]) or []
        codes_ = codes_ | {
            int(item["code"]) for item in national if isinstance(item, dict) and "code" in item
        }
    return codes_


def _spec_labels(adapted: Adapted, code_list) -> dict[int, dict[str, str]]:
    labels = {c.code: c.label for c in code_list.codes}
    if code_list.source and code_list.source.startswith("parameter:"):
        for item in adapted.params.get(code_list.source.split(":", 1)[1]) or []:
            if isinstance(item, dict) and "code" in item and isinstance(item.get("label"), dict):
                labels.setdefault(int(item["code"]), item["label"])
    return labels


def _counted(tally: Tally, count: int, denominator: int) -> Tally:
    tally.total.count, tally.total.denominator = count, denominator
    return tally


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _range_rule(question) -> str | None:
    parts = []
    if question.range is not None:
        if question.range.minimum is not None:
            parts.append(f". >= {question.range.minimum}")
        if question.range.maximum is not None:
            parts.append(f". <= {question.range.maximum}")
    if question.constraint:
        parts.append(f"({question.constraint})")
    return " and ".join(parts) or None


def _bad_tokens(values: pd.Series, allowed: np.ndarray) -> np.ndarray:
    """Rows of a select_multiple answer with a token that is not a code of the list."""
    text = values.dropna().astype(str)
    if text.empty:
        return np.zeros(len(values), dtype=bool)
    tokens = text.str.split().explode()
    numbers = pd.to_numeric(tokens, errors="coerce")
    bad_token = numbers.isna() | ~numbers.isin(allowed)
    bad_rows = bad_token.groupby(level=0).any()
    return bad_rows.reindex(values.index, fill_value=False).to_numpy(dtype=bool)


def label_drift(context: Context, mapped: MappedQuestion) -> CheckResult | None:
    """The file's value labels against the spec's, code by code (after recodes).

    Country questions are compared on their special codes only: national files name countries in
    many ways. A label matches when, normalised, it equals, contains or closely resembles the
    spec's label in any of the module's languages.
    """
    q = mapped.question
    if mapped.info is None or not mapped.info.value_labels or not q.code_list:
        return None
    code_list = context.module.code_list_by_id[q.code_list]
    spec_labels = _spec_labels(context.adapted, code_list)
    disagreements = []
    for value, file_label in sorted(mapped.info.value_labels.items(), key=lambda kv: str(kv[0])):
        if isinstance(value, str):  # Stata .a-.z labels: read as special codes, not compared
            continue
        code = mapped.recode.get(int(value), int(value)) if float(value).is_integer() else value
        if code not in spec_labels:
            continue
        texts = [
            render(spec_labels[code], context.module, context.params, lang)
            for lang in context.module.languages
        ]
        if not _label_matches(str(file_label), texts):
            disagreements.append({"code": code, "file": str(file_label), "spec": texts[0]})
    tally = Tally(context.max_examples)
    tally.total.count = len(disagreements)
    tally.total.denominator = len(mapped.info.value_labels)
    details = "; ".join(
        f"{d['code']} is '{d['file']}' in the file, '{d['spec']}' in the spec"
        for d in disagreements[:5]
    )
    result = result_from_tally(
        codes.CODE_LABEL_DRIFT.code,
        "labels",
        tally,
        level=context.level,
        question=q.id,
        variable=mapped.column,
    )
    result.details["codes"] = disagreements
    if disagreements:
        result.finding = Finding.make(
            codes.CODE_LABEL_DRIFT,
            context.location(q.id, mapped.column),
            variable=mapped.column,
            question=q.id,
            code_list=q.code_list,
            count=len(disagreements),
            details=details,
        )
    return result


def _label_matches(file_label: str, spec_labels: list[str]) -> bool:
    mine = normalise(file_label)
    for text in spec_labels:
        theirs = normalise(text)
        if not mine or not theirs:
            continue
        if mine == theirs or mine in theirs or theirs in mine:
            return True
        if difflib.SequenceMatcher(None, mine, theirs).ratio() >= 0.8:
            return True
    return False


# ----------------------------------------------------------------------------------------------
class UniverseCheck(Check):
    """Skip logic and item non-response for one question, both over its universe."""

    issues = (codes.UNIV_OUTSIDE, codes.UNIV_INSIDE, codes.NONRESPONSE)

    def __init__(self, mapped: MappedQuestion):
        self.mapped = mapped
        self.universe = mapped.question.universe

    def start(self, context: Context) -> None:
        super().start(context)
        self.skipped = context.evaluable(self.universe) if self.universe else []
        self.outside, self.inside, self.nonresponse = self.tally(), self.tally(), self.tally()
        self.kind_counts = {name: 0 for name in ("not_stated", "dont_know", "refused", "blank")}

    def chunk(self, chunk: Chunk) -> None:
        if self.skipped:
            return
        kinds = chunk.kinds[self.mapped.id]
        raw = chunk.raw[self.mapped.id]
        if self.universe:
            inside, outside, unknown = truth(
                self.context, chunk, self.universe, field_name=f"universe of {self.mapped.id}"
            )
        else:
            inside = np.ones(len(kinds), dtype=bool)
            outside = unknown = np.zeros(len(kinds), dtype=bool)
        blank = (kinds == BLANK) | (kinds == NOT_APPLICABLE)
        if self.universe:
            self.outside.add(
                chunk,
                outside & ~blank,
                denominator=outside,
                not_checkable=unknown & ~blank,
                values=raw,
            )
            self.inside.add(
                chunk, inside & blank, denominator=inside, not_checkable=unknown & blank
            )
        split = {
            "not_stated": kinds == NOT_STATED,
            "dont_know": kinds == DONT_KNOW,
            "refused": kinds == REFUSED,
            "blank": blank,
        }
        for name, mask in split.items():
            self.kind_counts[name] += int((mask & inside).sum())
        missing = inside & (split["not_stated"] | split["dont_know"] | split["refused"] | blank)
        self.nonresponse.add(chunk, missing, denominator=inside, not_checkable=unknown)

    def end(self) -> list[CheckResult]:
        m, q = self.mapped, self.mapped.question
        who = {"question": q.id, "variable": m.column}
        if self.skipped:
            result = CheckResult(
                codes.NONRESPONSE.code, "nonresponse", level=self.context.level, **who
            )
            result.details["skipped"] = f"universe reads {', '.join(self.skipped)}, not in the data"
            return [result]
        results = []
        if self.universe:
            sentence = describe_universe(
                self.context.module,
                self.universe,
                q.level,
                self.context.language,
                self.context.params,
            )
            base = {
                "variable": m.column,
                "question": q.id,
                "universe": self.universe,
                "sentence": sentence,
            }
            results.append(
                self.result(
                    codes.UNIV_OUTSIDE,
                    "universe",
                    self.outside,
                    self.outside.count > 0,
                    {**base, "count": self.outside.count},
                    **who,
                )
            )
            results.append(
                self.result(
                    codes.UNIV_INSIDE,
                    "universe",
                    self.inside,
                    self.inside.count > 0,
                    {**base, "count": self.inside.count},
                    **who,
                )
            )
        threshold = self.context.thresholds.get(q.id, self.context.nonresponse_threshold)
        denominator = self.nonresponse.total.denominator
        rate = self.nonresponse.count / denominator if denominator else 0.0
        result = self.result(
            codes.NONRESPONSE,
            "nonresponse",
            self.nonresponse,
            rate > threshold,
            {
                "variable": m.column,
                "question": q.id,
                "rate": rate,
                "universe_count": denominator,
                "threshold": threshold,
                **self.kind_counts,
            },
            **who,
        )
        result.details.update(
            {"kinds": dict(self.kind_counts), "threshold": threshold, "universe": self.universe}
        )
        results.append(result)
        return results


# ----------------------------------------------------------------------------------------------
class EditCheck(Check):
    """A consistency edit: fails where `when` is true and `check` is false; unknown is not checkable."""

    issues = (codes.EDIT_ERROR, codes.EDIT_WARNING)

    def __init__(self, edit: Edit):
        self.edit = edit
        self.issue = codes.EDIT_ERROR if edit.severity == "error" else codes.EDIT_WARNING

    def start(self, context: Context) -> None:
        super().start(context)
        texts = [self.edit.check] + ([self.edit.when] if self.edit.when else [])
        self.skipped = sorted({name for text in texts for name in context.evaluable(text)})
        self.failures = self.tally()

    def chunk(self, chunk: Chunk) -> None:
        if self.skipped:
            return
        field_name = f"edit {self.edit.id}"
        if self.edit.when:
            when_true, _, when_unknown = truth(
                self.context, chunk, self.edit.when, field_name=field_name
            )
        else:
            when_true, when_unknown = (
                np.ones(len(chunk), dtype=bool),
                np.zeros(len(chunk), dtype=bool),
            )
        _, check_false, check_unknown = truth(
            self.context, chunk, self.edit.check, field_name=field_name
        )
        failed = when_true & check_false
        self.failures.add(
            chunk,
            failed,
            denominator=when_true & ~check_unknown,
            not_checkable=when_unknown | (when_true & check_unknown),
        )

    def end(self) -> list[CheckResult]:
        lang = self.context.language
        module, params = self.context.module, self.context.params
        if self.skipped:
            result = CheckResult(
                self.issue.code, "edit", level=self.context.level, edit=self.edit.id
            )
            result.details["skipped"] = f"reads {', '.join(self.skipped)}, not in the data"
            return [result]
        result = self.result(
            self.issue,
            "edit",
            self.failures,
            self.failures.count > 0,
            {
                "edit": self.edit.id,
                "title": render(self.edit.title, module, params, lang),
                "count": self.failures.count,
                "message": render(self.edit.message, module, params, lang),
            },
            edit=self.edit.id,
        )
        result.details.update({"when": self.edit.when, "check": self.edit.check})
        return [result]


# ----------------------------------------------------------------------------------------------
class DuplicateIdCheck(Check):
    """Rows that repeat the identifiers of an earlier row. Keeps one 64-bit hash per row."""

    issues = (codes.ID_DUPLICATE,)

    def __init__(self, id_variables: list[str]):
        self.id_variables = id_variables

    def start(self, context: Context) -> None:
        super().start(context)
        self.keys: list[np.ndarray] = []

    def chunk(self, chunk: Chunk) -> None:
        if chunk.keys is not None:
            self.keys.append(chunk.keys)

    def end(self) -> list[CheckResult]:
        # Find the repeated key values with one sorted copy, then locate their rows chunk by chunk,
        # so that memory stays at about two 8-byte arrays of the row count.
        total = sum(len(k) for k in self.keys)
        ordered = np.sort(np.concatenate(self.keys)) if self.keys else np.zeros(0, dtype="uint64")
        repeated_values = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        del ordered
        hits, offset = [], 0
        for keys in self.keys:
            positions = np.flatnonzero(np.isin(keys, repeated_values))
            hits.append(pd.DataFrame({"key": keys[positions], "row": positions + offset}))
            offset += len(keys)
        self.keys = []
        found = pd.concat(hits, ignore_index=True) if hits else pd.DataFrame({"key": [], "row": []})
        repeat_rows = found.loc[found["key"].duplicated(), "row"].to_numpy(dtype=np.int64)
        tally = self.tally()
        tally.total.count, tally.total.denominator = len(repeat_rows), total
        tally.examples = [
            {"row": int(pos) + 1} for pos in np.sort(repeat_rows)[: self.context.max_examples]
        ]
        level = self.context.module.level_by_id[self.context.level]
        noun = (
            render(level.noun, self.context.module, self.context.params, self.context.language)
            or level.id
        )
        result = self.result(
            codes.ID_DUPLICATE,
            "identifiers",
            tally,
            tally.count > 0,
            {
                "level": level.id,
                "count": tally.count,
                "id_variables": ", ".join(self.id_variables),
                "noun_one": noun.rstrip("s"),
            },
        )
        return [result]


class LinkCheck(Check):
    """Child rows whose parent is not in the parent file, and parent rows with no child."""

    issues = (codes.ID_ORPHAN, codes.ID_CHILDLESS)

    def __init__(self, parent: str, parent_keys: np.ndarray, parent_id_variables: list[str]):
        self.parent = parent
        self.parent_keys = parent_keys  # one per parent row, in file order
        self.parent_id_variables = parent_id_variables

    def start(self, context: Context) -> None:
        super().start(context)
        self.unique = np.unique(self.parent_keys)
        self.has_child = np.zeros(len(self.unique), dtype=bool)
        self.orphans = self.tally()

    def chunk(self, chunk: Chunk) -> None:
        if chunk.parent_keys is None:
            return
        position = np.searchsorted(self.unique, chunk.parent_keys)
        position = np.minimum(position, max(len(self.unique) - 1, 0))
        found = (
            (self.unique[position] == chunk.parent_keys)
            if len(self.unique)
            else np.zeros(len(chunk), bool)
        )
        self.has_child[position[found]] = True
        self.orphans.add(chunk, ~found)

    def end(self) -> list[CheckResult]:
        ids = ", ".join(self.parent_id_variables)
        results = [
            self.result(
                codes.ID_ORPHAN,
                "identifiers",
                self.orphans,
                self.orphans.count > 0,
                {
                    "count": self.orphans.count,
                    "level": self.context.level,
                    "parent": self.parent,
                    "id_variables": ids,
                },
            )
        ]
        childless_unique = ~self.has_child
        childless_rows = ~np.isin(self.parent_keys, self.unique[self.has_child])
        tally = self.tally()
        tally.total.count, tally.total.denominator = (
            int(childless_rows.sum()),
            len(self.parent_keys),
        )
        tally.examples = [
            {"row": int(pos) + 1, "file": "parent"}
            for pos in np.flatnonzero(childless_rows)[: self.context.max_examples]
        ]
        del childless_unique
        results.append(
            self.result(
                codes.ID_CHILDLESS,
                "identifiers",
                tally,
                tally.count > 0,
                {"count": tally.count, "level": self.context.level, "parent": self.parent},
            )
        )
        return results
