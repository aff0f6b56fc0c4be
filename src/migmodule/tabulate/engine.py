"""`tabulate_data`: the registered tables (tables.py) computed from data files.

Files are read exactly as `validate` reads them (validate/plan.py, prepare.py, engine.py: the
profile, its national layer, special codes, derived variables), in chunks. A census run (no
design) adds each chunk's weighted and unweighted counts per cell, and for an indicator the sum
of its value; sums add across chunks, so the chunked result is the whole-file result and memory
is that of the cells. A survey run (--weight/--strata/--psu) keeps the universe's few columns in
memory and calls `estimate_cells` (estimate.py) once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.expr.evaluate import PreparedExpressions, derive, evaluate_frame
from migmodule.expr.parser import tokenize
from migmodule.expr.semantics import referenced
from migmodule.i18n import Joined, Phrase
from migmodule.profile import Adapted, Profile
from migmodule.spec.model import SpecialKind
from migmodule.tabulate import codes
from migmodule.tabulate.tables import (
    AGE_GROUP_OPEN,
    AGE_GROUP_WIDTH,
    GROUPS,
    ISIC_SECTION_STARTS,
    Dimension,
    Table,
    indicator_table,
    tables_of,
)
from migmodule.validate.engine import (
    Kept,
    ParentJoin,
    adapted_for_run,
    available_names,
    level_rows,
    read_ahead,
    subset_rows,
)
from migmodule.validate.plan import FilePlan, plan_files
from migmodule.validate.prepare import Chunk, make_chunk
from migmodule.validate.settings import DEFAULT_CHUNK_SIZE, ValidationSettings

__all__ = ["NOT_STATED", "TOTAL", "TableResult", "Tabulation", "tabulate_data"]

# Codes of the two categories every dimension may get besides its own: "not stated" (blank,
# not stated, don't know or refused, as the validator kinds them) and the margin ("total").
NOT_STATED = -1.0
TOTAL = -2.0
ARRIVAL_PERIODS = 10  # five-year periods of arrival shown; earlier arrivals are grouped
_MISSING_KINDS = {SpecialKind.NOT_STATED, SpecialKind.DONT_KNOW, SpecialKind.REFUSED}
_WORDS = {"and", "or", "not", "in", "true", "false"}


@dataclass
class TableResult:
    """One table computed (or not): its cells and the account of its universe.

    `cells`: one row per cell and per margin: the dimension columns (codes; NOT_STATED, TOTAL),
    `n` (unweighted units), `estimate` (weighted count, or the proportion/mean of an indicator),
    and with a design `se`, `ci_low`, `ci_high`, `cv`, `flag`.
    """

    table: Table
    needs: list[str] = field(default_factory=list)  # what the data lack (not produced)
    cells: pd.DataFrame | None = None
    units: int = 0  # units of the level read
    in_universe: int = 0
    outside: int = 0  # units outside the universe (by definition, not counted)
    unknown: int = 0  # left out: whether they are in the universe is not known
    value_unknown: int = 0  # indicator tables: left out, the indicator is not known
    not_stated: dict[str, int] = field(default_factory=dict)  # per dimension, units counted
    flows: pd.DataFrame | None = None  # matrix tables: area, in, out, net
    weighted: bool = False
    # an indicator by migratory_status: the same estimates for migrants (column `migrant`, 1;
    # the margin TOTAL) in place of the four groups, for SDMX-CSV (sdmx.MIGRANT_GROUPS)
    migrant_cells: pd.DataFrame | None = None

    @property
    def produced(self) -> bool:
        return not self.needs


@dataclass
class Tabulation:
    """The result of one run: every table asked for, produced or not, and what was read."""

    adapted: Adapted
    results: list[TableResult]
    files: dict[str, dict[str, Any]]
    design: dict[str, str | None]
    findings: list[Finding]


def tabulate_data(
    data: str | Path | Iterable[str | Path] | dict[str, str | Path] | None = None,
    module: str | Path | Adapted | None = None,
    *,
    profile: str | Path | Profile | None = None,
    tables: Iterable[str] = ("census",),
    indicator: str | None = None,
    by: str = "migratory_status",
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    chunk_size: int | None = DEFAULT_CHUNK_SIZE,
    encoding: str | None = None,
    missing_map: dict[str, str] | None = None,
    country: str | None = None,
    reference_date: str | None = None,
    params: dict[str, Any] | None = None,
    min_n: int = 30,
    max_cv: float | None = 0.3,
) -> Tabulation:
    """Compute the tables of the groups in `tables` (census, migratory-status, ilms,
    sdg-10.7.1) and, with
    `indicator`, the indicator by `by`, sex and age group. Never raises for data problems: a
    table the data cannot give is reported as not produced (TAB-NEED-001)."""
    groups = list(dict.fromkeys(tables))
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        raise MigmoduleError.of(
            codes.UNKNOWN_TABLES, value=",".join(unknown), known=", ".join(GROUPS)
        )
    if not groups and not indicator:
        raise MigmoduleError.of(codes.NO_TABLES, known=", ".join(GROUPS))
    adapted, profile_dir = adapted_for_run(module, profile, country, reference_date, params)
    settings = ValidationSettings.from_options(
        weight=weight, chunk_size=chunk_size, encoding=encoding, missing_map=missing_map
    )
    plans = plan_files(adapted, data, profile_dir, settings)
    design = {"weight": weight, "strata": strata, "psu": psu}
    wanted = tables_of(groups)
    if indicator:
        wanted.append(_indicator(adapted, plans, indicator, by))
    run = _Run(adapted, plans, settings, design, min_n, max_cv)
    results = run.tabulate(wanted)
    findings = [
        Finding.make(
            codes.NOT_PRODUCED,
            Location(module=adapted.module.ref),
            table=r.table.id,
            needs=Joined(", ", r.needs),
        )
        for r in results
        if not r.produced
    ]
    return Tabulation(adapted, results, run.files, design, findings)


def _indicator(adapted: Adapted, plans: dict[str, FilePlan], name: str, by: str) -> Table:
    """The indicator table; its statistic (proportion or mean) is set from the data at the end."""
    module = adapted.module
    plan = plans.get("person")
    in_spec = name in module.question_by_id or name in module.derived_by_id
    if not in_spec and (plan is None or plan.source.find(name) is None):
        raise MigmoduleError.of(
            codes.BAD_VARIABLE,
            option="--indicator",
            variable=name,
            reason="no such question, derived variable or column",
            module=module.ref,
            path=plan.source.path if plan else "(no person file)",
        )
    if by not in module.question_by_id and by not in module.derived_by_id:
        raise MigmoduleError.of(
            codes.BAD_VARIABLE,
            option="--by",
            variable=by,
            reason="no such question or derived variable",
            module=module.ref,
            path=plan.source.path if plan else "(no person file)",
        )
    if in_spec:
        return indicator_table(name, by, "mean", yes_no=_yes_no(adapted, name))
    return indicator_table(name, by, "mean")


def _yes_no(adapted: Adapted, name: str) -> bool:
    """Whether an indicator of the spec is a yes/no variable (its code list's codes, special
    codes aside, are 1 labelled Yes and 2 labelled No: the modules' yes_no lists); refuses a
    text variable and one whose codes are categories (labels that are not numbers)."""
    module = adapted.module
    item = module.question_by_id.get(name) or module.derived_by_id.get(name)
    kind = getattr(getattr(item, "type", None), "value", None)
    code_list = module.code_list_by_id.get(item.code_list) if item.code_list else None
    if kind in ("text", "select_multiple", "date") or (kind == "country" and code_list is None):
        raise MigmoduleError.of(
            codes.NOT_A_NUMBER,
            option="--indicator",
            variable=name,
            reason=f"it is a {kind} question, not a number",
            fix="derive a 0/1 or yes/no variable from it in the profile, or tabulate it with --by",
        )
    if code_list is None:
        return False
    special = set(code_list.special_codes)
    substantive = {c.code: c for c in code_list.codes if c.code not in special}
    if set(substantive) == {1, 2} and [
        _text_en(substantive[c].label).strip().lower() for c in (1, 2)
    ] == ["yes", "no"]:
        return True
    words = [_text_en(c.label) for c in substantive.values()]
    if kind == "country" or any(not _is_number(w) for w in words):
        raise MigmoduleError.of(
            codes.NOT_A_NUMBER,
            option="--indicator",
            variable=name,
            reason="its codes are categories ("
            + ", ".join(w for w in words[:4] if w)
            + ("..." if len(words) > 4 else "")
            + "), not numbers, and not a yes/no list coded 1 = yes, 2 = no",
            fix="give it with --by, or derive a 0/1 or yes/no variable from it in the profile",
        )
    return False


def _text_en(label: Any) -> str:
    if isinstance(label, dict):
        return str(label.get("en") or next(iter(label.values()), ""))
    return "" if label is None else str(label)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def needs_of(adapted: Adapted, table: Table) -> list[str]:
    """The question and derived ids a table reads (its universe, dimensions and value)."""
    module = adapted.module
    texts = [table.universe] + [d.expression for d in table.dimensions if d.expression]
    names: list[str] = [d.source for d in table.dimensions if not d.expression]
    for text in texts:
        names += referenced(module, text)
        names += [
            t.text
            for t, after in itertools.pairwise(tokenize(text))
            if t.kind == "NAME"
            and t.text not in _WORDS
            and after.text != "("
            and not t.text.isupper()
            and t.text not in module.condition_by_id
        ]
    if table.value and (
        table.value in module.question_by_id
        or table.value in module.derived_by_id
        or table.id != "indicator"  # a registered table's value is the spec's, or it is lacking
    ):
        names.append(table.value)
    return list(dict.fromkeys(names))


class _Run:
    """One tabulation: the files read level by level, every table fed from each chunk."""

    def __init__(
        self,
        adapted: Adapted,
        plans: dict[str, FilePlan],
        settings: ValidationSettings,
        design: dict[str, str | None],
        min_n: int,
        max_cv: float | None,
    ):
        self.adapted, self.plans, self.settings = adapted, plans, settings
        self.design, self.min_n, self.max_cv = design, min_n, max_cv
        self.survey = any(design.values())
        self.files: dict[str, dict[str, Any]] = {}
        # every universe and dimension rule compiled once for the run, not once per chunk
        self.prepared = PreparedExpressions(adapted.module, adapted.params)

    def tabulate(self, wanted: list[Table]) -> list[TableResult]:
        results = {table.id: TableResult(table) for table in wanted}
        for level in dict.fromkeys(t.level for t in wanted):
            mine = [t for t in wanted if t.level == level]
            if level not in self.plans:
                for table in mine:
                    questions = [
                        n
                        for n in needs_of(self.adapted, table)
                        if n in self.adapted.module.question_by_id
                    ]
                    results[table.id].needs = [
                        Phrase("tabulate.need_file", level=level, questions=", ".join(questions))
                    ]
                continue
            self._level(level, mine, results)
        return list(results.values())

    def _level(self, level: str, mine: list[Table], results: dict[str, TableResult]) -> None:
        module, plan = self.adapted.module, self.plans[level]
        parent_level = module.level_by_id[level].parent
        joiner = None
        columns = [m.id for m in plan.questions]
        if parent_level in self.plans and plan.parent_id_columns:
            kept = self._kept(self.plans[parent_level])
            joiner = ParentJoin(kept)
            columns += list(kept.values.columns)
        available = available_names(self.adapted, columns)
        extra = self._extra_columns(plan, mine)
        builders = []
        for table in mine:
            missing = [n for n in needs_of(self.adapted, table) if n not in available]
            if missing:
                results[table.id].needs = _explain(self.adapted, missing, set(available))
            else:
                builders.append(_Builder(self, table, results[table.id]))
        if not builders:
            return
        rows = 0
        for chunk, frame in self._chunks(plan, extra):
            if joiner is not None:
                joiner.join(chunk)
            chunk.values = derive(module, chunk.values, self.adapted.params, prepared=self.prepared)
            rows += len(chunk)
            read: dict = {}  # the evaluator's columns, read once for every table's universe
            for builder in builders:
                builder.chunk(chunk, frame, read)
        self.files[level] = {"path": str(plan.source.path), "rows": rows}
        for builder in builders:
            builder.finish()

    def _kept(self, plan: FilePlan) -> Kept:
        """The parent file's values, one row per unit, for its children's rows."""
        chunks = [chunk for chunk, _ in self._chunks(plan, [])]
        return Kept.gather(chunks, [m.id for m in plan.questions])

    def _extra_columns(self, plan: FilePlan, mine: list[Table]) -> list[str]:
        """File columns read besides the questions: strata, PSU, an indicator not in the spec."""
        names = [self.design["strata"], self.design["psu"]]
        module = self.adapted.module
        for table in mine:
            value = table.value if table.id == "indicator" else None  # a user's file column
            if value and value not in module.question_by_id and value not in module.derived_by_id:
                names.append(value)
        found = []
        for option, name in zip(("--strata", "--psu", "--indicator"), names, strict=False):
            if not name:
                continue
            column = plan.source.find(name)
            if column is None:
                raise MigmoduleError.of(
                    codes.BAD_VARIABLE,
                    Location(file=str(plan.source.path)),
                    option=option,
                    variable=name,
                    reason="the file has no such column",
                    module=module.ref,
                    path=plan.source.path,
                )
            found.append(column)
        return found

    def _chunks(self, plan: FilePlan, extra: list[str]) -> Iterator[tuple[Chunk, pd.DataFrame]]:
        """Prepared chunks of one file, each with its rows' `extra` file columns."""
        settings = self.settings
        raws = plan.source.chunks(list(dict.fromkeys(plan.columns() + extra)), settings.chunk_size)
        if settings.read_ahead and settings.chunk_size is not None:
            raws = read_ahead(raws)
        offset = 0
        for raw in raws:
            read = len(raw.frame)
            positions = level_rows(plan, raw)
            if positions is not None:  # the profile filters the level's rows (visitors out)
                raw = subset_rows(raw, positions)
            chunk = make_chunk(plan, raw, offset, settings.missing_map)
            offset += read
            yield chunk, raw.frame[extra].reset_index(drop=True)


def _explain(adapted: Adapted, missing: list[str], available: set[str]) -> list[str]:
    """What a table lacks, in the user's terms: a derived variable with the questions it needs."""
    module = adapted.module
    out = []
    for name in missing:
        item = module.derived_by_id.get(name)
        if item is None:
            known = name in module.question_by_id
            out.append(
                name if known else Phrase("tabulate.need_unknown", name=name, module=module.ref)
            )
            continue
        questions = sorted(_missing_questions(module, name, available, set()))
        out.append(f"{name} ({', '.join(questions)})" if questions else name)
    return out


def _missing_questions(module, name: str, available: set[str], seen: set[str]) -> set[str]:
    """The questions a derived variable reads, through the derived variables it reads, that
    the data lack."""
    item = module.derived_by_id.get(name)
    if item is None or name in seen:
        return set()
    seen.add(name)
    texts = [c.when for c in item.cases or [] if c.when] + [
        t for t in (item.expression, item.when) if t
    ]
    inputs = {n for text in texts for n in referenced(module, text)} - available
    found = {n for n in inputs if n in module.question_by_id}
    for other in inputs - found:
        found |= _missing_questions(module, other, available, seen)
    return found


class _Builder:
    """One table's cells, fed chunk by chunk."""

    def __init__(self, run: _Run, table: Table, result: TableResult):
        self.run, self.table, self.result = run, table, result
        self.dims = [d.id for d in table.dimensions]
        self.counts: pd.DataFrame | None = None
        self.frames: list[pd.DataFrame] = []
        # An indicator of a census run (no design) streams as counts do: per cell, the units and
        # the sum of the value, added chunk by chunk (a share or a mean is sum / units). A survey
        # run, and the medians of SDG 10.7.1, keep the universe's columns for `estimate_cells`.
        self.summed = table.id == "indicator" and not run.survey
        self.binary = True  # every value seen is 0 or 1: the indicator's statistic is a share
        self.keep = (run.survey or table.value is not None) and not self.summed
        result.weighted = run.design["weight"] is not None

    def chunk(self, chunk: Chunk, extra: pd.DataFrame, read: dict | None = None) -> None:
        adapted, table, result = self.run.adapted, self.table, self.result
        values = chunk.values
        result.units += len(values)
        if table.universe == "true":
            inside = np.ones(len(values), dtype=bool)
            unknown = np.zeros(len(values), dtype=bool)
        else:
            mask = evaluate_frame(
                adapted.module,
                table.universe,
                values,
                adapted.params,
                undetermined=chunk.undetermined or None,
                columns=read,
                prepared=self.run.prepared,
            )
            unknown = mask.isna().to_numpy(dtype=bool)
            inside = mask.fillna(False).to_numpy(dtype=bool)
        result.unknown += int(unknown.sum())
        result.outside += int((~inside & ~unknown).sum())
        weight = chunk.weight if chunk.weight is not None else np.ones(len(values))
        if table.value is not None:
            number = _indicator_values(adapted, table.value, values, extra, table.yes_no)
            known = ~np.isnan(number)
            result.value_unknown += int((inside & ~known).sum())
            inside = inside & known
        result.in_universe += int(inside.sum())
        # codes on every row, then the universe's rows: cheaper than a subset of the whole frame
        frame = pd.DataFrame(
            {
                d.id: dimension_codes(
                    adapted, d, values, read, chunk.undetermined, self.run.prepared
                )[inside]
                for d in table.dimensions
            }
        )
        frame["_weight"] = weight[inside]
        if self.keep:
            for name in (self.run.design["strata"], self.run.design["psu"]):
                if name:
                    frame[name] = extra.loc[inside, _find(extra, name)].to_numpy()
            if table.value is not None:
                frame["_value"] = number[inside]
            self.frames.append(frame)
            return
        if self.summed:  # "_weight" carries the value: its sum per cell, then sum / units
            values = number[inside]
            self.binary = self.binary and bool(np.isin(values, (0.0, 1.0)).all())
            frame["_weight"] = values
        counted = frame.assign(n=1.0).groupby(self.dims, sort=False)[["n", "_weight"]].sum()
        self.counts = counted if self.counts is None else self.counts.add(counted, fill_value=0)

    def finish(self) -> None:
        result = self.result
        if self.keep:
            cells = self._estimated()
        elif self.summed:
            cells = self._summed()
        else:
            cells = _with_margins(self.counts, self.dims)
        result.cells = cells
        full = cells[(cells[self.dims] != TOTAL).all(axis=1)]
        result.not_stated = {
            dim: int(full.loc[full[dim] == NOT_STATED, "n"].sum())
            for dim in self.dims
            if (full[dim] == NOT_STATED).any()
        }
        if self.table.kind == "matrix":
            result.flows = migration_flows(full, self.dims[0], self.dims[1])

    def _summed(self) -> pd.DataFrame:
        """The cells and margins of a census run's indicator from its per-cell sums: units and
        share (a 0/1 or yes/no indicator) or mean (sum / units); by migratory_status, also the
        migrants' cells (`migrant_cells`), from the sums of groups MIGRANT_GROUPS."""
        from migmodule.tabulate.sdmx import MIGRANT_GROUPS

        table, dims = self.table, self.dims
        statistic = "proportion" if table.yes_no or self.binary else "mean"
        self.result.table = indicator_table(table.value, dims[0], statistic, yes_no=table.yes_no)
        cells = _means(_with_margins(self.counts, dims))
        if dims[0] == "migratory_status" and self.counts is not None:
            sums = self.counts.reset_index()
            sums = sums[sums[dims[0]].isin(MIGRANT_GROUPS)].assign(**{dims[0]: 1.0})
            found = _means(
                _with_margins(sums.groupby(dims, sort=False)[["n", "_weight"]].sum(), dims)
            )
            found = pd.concat(
                [found[found[dims[0]] == 1.0], cells[cells[dims[0]] == TOTAL]], ignore_index=True
            ).rename(columns={dims[0]: "migrant"})
            self.result.migrant_cells = _ordered(found, ["migrant", *dims[1:]])
        return cells

    def _estimated(self) -> pd.DataFrame:
        """Cells and margins from `estimate_cells` (survey runs and indicators)."""
        from migmodule.tabulate.estimate import estimate_cells, suppress

        run, table = self.run, self.table
        frame = (
            pd.concat(self.frames, ignore_index=True)
            if self.frames
            else pd.DataFrame({d: pd.Series(dtype="float64") for d in self.dims + ["_weight"]})
        )
        for dim in self.dims:  # estimate_cells takes NaN as "not stated"
            frame[dim] = frame[dim].mask(frame[dim] == NOT_STATED)
        statistic = table.statistic
        if table.id == "indicator":  # the user's indicator: a share of 0/1 (or yes/no), or a mean
            known = frame["_value"].dropna().unique()
            statistic = "proportion" if table.yes_no or set(known) <= {0.0, 1.0} else "mean"
            self.result.table = indicator_table(
                table.value, self.dims[0], statistic, yes_no=table.yes_no
            )
        weight = "_weight" if run.design["weight"] else None
        parts = []
        for keep in _subsets(self.dims):
            cells = estimate_cells(
                frame,
                list(keep),
                value="_value" if table.value is not None else None,
                statistic=statistic,
                weight=weight,
                strata=run.design["strata"],
                psu=run.design["psu"],
            )
            for dim in self.dims:
                if dim in keep:
                    cells[dim] = cells[dim].fillna(NOT_STATED)
                else:
                    cells[dim] = TOTAL
            parts.append(cells)
        cells = pd.concat(parts, ignore_index=True)
        if table.id == "indicator" and self.dims[0] == "migratory_status":
            self.result.migrant_cells = self._migrant_cells(frame, cells, statistic, weight)
        if run.survey:
            cells = suppress(cells, min_n=run.min_n, max_cv=run.max_cv)
        return _ordered(cells, self.dims)

    def _migrant_cells(
        self, frame: pd.DataFrame, cells: pd.DataFrame, statistic: str, weight: str | None
    ) -> pd.DataFrame:
        """The indicator for migrants (groups MIGRANT_GROUPS of migratory_status) by the other
        dimensions, with the margins over everyone: a share or a mean of migrants is estimated
        from their units (it is not a sum of the groups' cells). Not-stated units (9) are in the
        margins only, as in the table."""
        from migmodule.tabulate.estimate import estimate_cells, suppress
        from migmodule.tabulate.sdmx import MIGRANT_GROUPS

        run, by, rest = self.run, self.dims[0], self.dims[1:]
        groups = frame[by]
        migrant = frame.assign(
            **{by: np.where(groups.isin(MIGRANT_GROUPS), 1.0, np.where(groups.isna(), np.nan, 0.0))}
        )
        parts = []
        for keep in _subsets(rest):
            part = estimate_cells(
                migrant,
                [by, *keep],
                value="_value",
                statistic=statistic,
                weight=weight,
                strata=run.design["strata"],
                psu=run.design["psu"],
            )
            part = part[part[by] == 1.0].copy()
            for dim in rest:
                part[dim] = part[dim].fillna(NOT_STATED) if dim in keep else TOTAL
            parts.append(part)
        parts.append(cells[cells[by] == TOTAL])
        found = pd.concat(parts, ignore_index=True).rename(columns={by: "migrant"})
        if run.survey:
            found = suppress(found, min_n=run.min_n, max_cv=run.max_cv)
        return _ordered(found, ["migrant", *rest])


def _find(frame: pd.DataFrame, name: str) -> str:
    """A column of `frame` by name, case-insensitively (as the file readers find them)."""
    for column in frame.columns:
        if column.lower() == name.lower():
            return column
    return name


def _indicator_values(
    adapted: Adapted, name: str, values: pd.DataFrame, extra: pd.DataFrame, yes_no: bool = False
) -> np.ndarray:
    """The indicator as numbers; unknown (NaN) where blank or a special code. A yes/no variable
    (1 = yes, 2 = no) is 1 for yes and 0 for no, so its mean is the share of yes."""
    if name in values.columns:
        number = pd.to_numeric(values[name], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        number = _blank_specials(adapted, name, number)
        if yes_no:
            number = np.where(number == 1, 1.0, np.where(number == 2, 0.0, np.nan))
        return number
    column = extra[_find(extra, name)]
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _code_list(adapted: Adapted, name: str):
    module = adapted.module
    item = module.question_by_id.get(name) or module.derived_by_id.get(name)
    list_id = item.code_list if item is not None else name
    return module.code_list_by_id.get(list_id) if list_id else None


def _blank_specials(adapted: Adapted, list_of: str, number: np.ndarray) -> np.ndarray:
    """NaN where the value is one of the code list's missing codes (not stated, don't know,
    refused): the validator's kinds, so "not stated" is one category however it was coded."""
    code_list = _code_list(adapted, list_of)
    if code_list is None:
        return number
    missing = [code for code, kind in code_list.special_codes.items() if kind in _MISSING_KINDS]
    if missing:
        number = np.where(np.isin(number, missing), np.nan, number)
    return number


def dimension_codes(
    adapted: Adapted,
    dim: Dimension,
    values: pd.DataFrame,
    read: dict | None = None,
    undetermined: dict | None = None,
    prepared: PreparedExpressions | None = None,
) -> np.ndarray:
    """A dimension's code on each row: the variable's code, its group by the dimension's rule, or
    NOT_STATED (blank, not stated, don't know, refused)."""
    if dim.rule == "expression":
        result = evaluate_frame(
            adapted.module,
            dim.expression,
            values,
            adapted.params,
            undetermined=undetermined or None,
            columns=read,
            prepared=prepared,
        )
        number = result.to_numpy(dtype="float64", na_value=np.nan)
        number = _blank_specials(adapted, dim.code_list, number)
    else:
        number = pd.to_numeric(values[dim.source], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        number = _blank_specials(adapted, dim.source, number)
    if dim.rule == "age_group":
        grouped = np.floor(np.minimum(number, AGE_GROUP_OPEN) / AGE_GROUP_WIDTH) * AGE_GROUP_WIDTH
        number = np.where(number >= 0, grouped, np.nan)
    elif dim.rule == "arrival_period":
        number = arrival_period(number, reference_year(adapted))
    elif dim.rule == "isco_major":  # four-digit unit group (armed forces 110, 210, 310): 0-9
        number = np.where((number >= 0) & (number <= 9999), np.floor(number / 1000), np.nan)
    elif dim.rule == "isic_section":  # four-digit class: its division, then the section 1-21
        division = np.floor(number / 100)
        section = np.searchsorted(np.array(ISIC_SECTION_STARTS), division, side="right")
        number = np.where((division >= 1) & (division <= 99), section, np.nan).astype(float)
    return np.where(np.isnan(number), NOT_STATED, number)


def reference_year(adapted: Adapted) -> int:
    return int(str(adapted.params["REF_DATE"])[:4])


def arrival_period(year: np.ndarray, census_year: int) -> np.ndarray:
    """Five-year periods ending with the census year, coded by their last year (2030: 2026-2030,
    2021-2025, ...); arrivals before the last of ARRIVAL_PERIODS periods are coded by the year
    before it; a year after the census is not stated."""
    back = np.floor((census_year - year) / AGE_GROUP_WIDTH)
    back = np.minimum(back, ARRIVAL_PERIODS)
    end = census_year - back * AGE_GROUP_WIDTH
    return np.where((year <= census_year) & (year > 0), end, np.nan)


def _subsets(dims: list[str]) -> list[tuple[str, ...]]:
    """Every subset of the dimensions, all first: the cells, then each margin."""
    return [
        keep for size in range(len(dims), -1, -1) for keep in itertools.combinations(dims, size)
    ]


def _with_margins(counts: pd.DataFrame | None, dims: list[str]) -> pd.DataFrame:
    """Cells and every margin (sums over the dimensions left out, coded TOTAL)."""
    if counts is None:
        full = pd.DataFrame({**{d: [] for d in dims}, "n": [], "_weight": []}, dtype="float64")
    else:
        full = counts.reset_index()
    parts = []
    for keep in _subsets(dims):
        if keep:
            part = full.groupby(list(keep), sort=False)[["n", "_weight"]].sum().reset_index()
        else:
            part = pd.DataFrame({"n": [full["n"].sum()], "_weight": [full["_weight"].sum()]})
        for dim in dims:
            if dim not in keep:
                part[dim] = TOTAL
        parts.append(part)
    cells = pd.concat(parts, ignore_index=True).rename(columns={"_weight": "estimate"})
    cells["n"] = cells["n"].astype("int64")
    return _ordered(cells, dims)


def _means(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells whose `estimate` holds a sum of values: the mean of the cell's units in its place."""
    cells["estimate"] = cells["estimate"] / cells["n"]
    return cells


def _ordered(cells: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Cells sorted by code, the margin last and "not stated" before it, in the column order."""
    keys = []
    for dim in reversed(dims):  # np.lexsort: the last key is the primary one
        codes = cells[dim].to_numpy(dtype="float64")
        keys += [codes, codes == NOT_STATED, codes == TOTAL]
    order = np.lexsort(keys) if keys else np.arange(len(cells))
    rest = [c for c in cells.columns if c not in dims]
    return cells.iloc[order][dims + rest].reset_index(drop=True)


def migration_flows(full: pd.DataFrame, before: str, now: str) -> pd.DataFrame:
    """Per area: in-migrants (now there, elsewhere before), out-migrants (there before, elsewhere
    now) and net migration (in - out); persons whose area is not stated are left out."""
    known = full[(full[before] != NOT_STATED) & (full[now] != NOT_STATED)]
    moved = known[known[before] != known[now]]
    areas = sorted(set(known[before]) | set(known[now]))
    inflow = moved.groupby(now)["estimate"].sum()
    outflow = moved.groupby(before)["estimate"].sum()
    flows = pd.DataFrame({"area": areas})
    flows["in"] = flows["area"].map(inflow).fillna(0.0)
    flows["out"] = flows["area"].map(outflow).fillna(0.0)
    flows["net"] = flows["in"] - flows["out"]
    return flows
