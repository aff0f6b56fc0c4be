"""A computed table as people read it, in one language: title, universe, source, notes, and the
cells pivoted into rows x columns with labels. XLSX, HTML and CSV are written from this.

Words come from the catalogue (`tabulate.*` in i18n/<lang>.yaml); dimension names and value
labels from the spec (variable labels, code lists, the profile's ADMIN_AREAS, UN M49 names);
ISCO-08 major groups and ISIC Rev.4 sections from their titles (classifications.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from migmodule import i18n
from migmodule.countries import country_name
from migmodule.expr.sentence import describe
from migmodule.profile import Adapted
from migmodule.tabulate.classifications import isco_major_group_title, isic_section_title
from migmodule.tabulate.engine import NOT_STATED, TOTAL, TableResult, Tabulation, reference_year
from migmodule.tabulate.tables import (
    AGE_GROUP_OPEN,
    AGE_GROUP_WIDTH,
    ISIC_SECTION_LETTERS,
    Dimension,
)

SUPPRESSED_MARK = "x"
UNRELIABLE_MARK = "†"
EMPTY_MARK = "–"  # no unit in the cell: no share or mean to show


@dataclass
class Cell:
    """One shown number: the estimate (None when suppressed) and its flag."""

    value: float | None
    flag: str = ""
    n: int = 0

    def text(self, lang: str, decimals: int) -> str:
        if self.flag == "empty":
            return EMPTY_MARK
        if self.flag == "suppressed" or self.value is None:
            return SUPPRESSED_MARK
        shown = i18n.number(lang, self.value, decimals)
        return shown + (UNRELIABLE_MARK if self.flag == "unreliable" else "")


@dataclass
class Layout:
    """One table laid out: texts above it, header rows, and body rows (labels, then cells)."""

    id: str
    title: str
    universe: str
    source: str
    notes: list[str]
    produced: bool
    row_headers: list[str] = field(default_factory=list)  # names of the row dimensions
    header: list[list[str]] = field(default_factory=list)  # one row per column dimension
    body: list[tuple[list[str], list[Cell]]] = field(default_factory=list)
    total_rows: list[bool] = field(default_factory=list)  # which body rows are margins
    decimals: int = 0
    flows: list[tuple[str, float, float, float]] = field(default_factory=list)
    result: TableResult | None = None

    @property
    def sheet_name(self) -> str:
        return self.id[:31]


def lay_out(tabulation: Tabulation, lang: str) -> list[Layout]:
    """Every table of a run laid out in `lang`."""
    return [lay_out_table(tabulation, result, lang) for result in tabulation.results]


def lay_out_table(tabulation: Tabulation, result: TableResult, lang: str) -> Layout:
    adapted, table = tabulation.adapted, result.table
    if table.id == "indicator":
        title = i18n.word(
            lang,
            "tabulate.table.indicator",
            statistic=i18n.word(lang, f"tabulate.statistic.{table.statistic}"),
            variable=dimension_name(adapted, _plain(table.value), lang),
            by=dimension_name(adapted, table.rows[0], lang),
        )
    else:
        title = i18n.word(lang, table.title_key)
    layout = Layout(
        table.id,
        title,
        universe_text(adapted, table.universe, table.level, lang),
        i18n.word(lang, "tabulate.source", source=table.source),
        notes(tabulation, result, lang),
        result.produced,
        result=result,
    )
    if result.cells is None:
        return layout
    layout.decimals = 0 if table.statistic == "total" and not result.weighted else 1
    if table.statistic == "proportion" or table.group == "sdg-10.7.1":  # shares and ratios
        layout.decimals = 3
    _pivot(adapted, result, layout, lang)
    if result.flows is not None:
        area = table.columns[0]
        layout.flows = [
            (value_label(adapted, area, row.area, lang), row["in"], row.out, row.net)
            for _, row in result.flows.iterrows()
        ]
    return layout


def _plain(name: str) -> Dimension:
    return Dimension(name, name)


def _pivot(adapted: Adapted, result: TableResult, layout: Layout, lang: str) -> None:
    table, cells = result.table, result.cells
    rows = [d.id for d in table.rows]
    columns = [d.id for d in table.columns]
    lookup: dict[tuple, Cell] = {}
    has_flag = "flag" in cells.columns
    for record in cells.to_dict("records"):
        estimate = record["estimate"]
        value = None if estimate is None or _nan(estimate) else float(estimate)
        flag = record.get("flag", "") if has_flag else ""
        lookup[tuple(record[d] for d in rows + columns)] = Cell(
            value, flag if isinstance(flag, str) else "", int(record["n"])
        )
    row_keys = sorted(
        dict.fromkeys(tuple(r) for r in cells[rows].itertuples(index=False)), key=_order
    )
    column_keys = sorted(
        dict.fromkeys(tuple(r) for r in cells[columns].itertuples(index=False)), key=_order
    )
    layout.row_headers = [dimension_name(adapted, d, lang) for d in table.rows]
    layout.header = [
        [value_label(adapted, dim, key[i], lang) for key in column_keys]
        for i, dim in enumerate(table.columns)
    ]
    if not table.columns:  # one column of figures (SDG 10.7.1): headed by its statistic
        layout.header = [[i18n.word(lang, f"tabulate.statistic.{table.statistic}")]]
    for key in row_keys:
        labels = [value_label(adapted, dim, key[i], lang) for i, dim in enumerate(table.rows)]
        # a combination nobody has: 0 persons in a count, no value for a share or a mean
        empty = Cell(0.0) if table.statistic == "total" else Cell(None, "empty")
        shown = [lookup.get(key + column, empty) for column in column_keys]
        layout.body.append((labels, shown))
        layout.total_rows.append(TOTAL in key)


def _order(key: tuple) -> tuple:
    """Codes in order, "not stated" after them and the total last, dimension by dimension."""
    return tuple((code == TOTAL, code == NOT_STATED, code) for code in key)


def _nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def universe_text(adapted: Adapted, universe: str, level: str, lang: str) -> str:
    noun = (
        _text(adapted.module.level_by_id[level].noun, lang)
        if level in adapted.module.level_by_id
        else level
    )
    if universe == "true":
        return i18n.word(lang, "tabulate.universe_all", noun=noun)
    spoken = lang if lang in adapted.module.languages else "en"
    condition = describe(adapted.module, universe, spoken, adapted.params)
    return i18n.word(lang, "tabulate.universe", noun=noun, condition=condition)


def notes(tabulation: Tabulation, result: TableResult, lang: str) -> list[str]:
    """What the reader must know: what was left out and why, not-stated counts, weights."""
    adapted = tabulation.adapted
    if not result.produced:
        return [i18n.word(lang, "tabulate.not_produced", needs=i18n.Joined(", ", result.needs))]
    said = [
        i18n.word(lang, "tabulate.note.read", count=result.units),
        i18n.word(lang, "tabulate.note.counted", count=result.in_universe),
    ]
    if result.outside:
        said.append(i18n.word(lang, "tabulate.note.outside", count=result.outside))
    if result.unknown:
        said.append(i18n.word(lang, "tabulate.note.unknown", count=result.unknown))
    if result.value_unknown:
        said.append(
            i18n.word(
                lang,
                "tabulate.note.value_unknown",
                count=result.value_unknown,
                variable=result.table.value,
            )
        )
    for dim in result.table.dimensions:
        count = result.not_stated.get(dim.id)
        if count:
            said.append(
                i18n.word(
                    lang,
                    "tabulate.note.not_stated",
                    count=count,
                    dimension=dimension_name(adapted, dim, lang),
                )
            )
    design = tabulation.design
    if design["weight"]:
        said.append(i18n.word(lang, "tabulate.note.weighted", weight=design["weight"]))
    if any(design.values()):
        said.append(
            i18n.word(
                lang,
                "tabulate.note.design",
                strata=design["strata"] or "-",
                psu=design["psu"] or "-",
            )
        )
        said.append(
            i18n.word(
                lang, "tabulate.note.flags", suppressed=SUPPRESSED_MARK, unreliable=UNRELIABLE_MARK
            )
        )
    return said


def _text(text: Any, lang: str) -> str:
    if isinstance(text, dict):
        return text.get(lang) or text.get("en") or next(iter(text.values()), "")
    return "" if text is None else str(text)


def dimension_name(adapted: Adapted, dim: Dimension, lang: str) -> str:
    """A dimension's heading: the grouping rule's name, else the variable's label."""
    if dim.rule is not None:
        return i18n.word(lang, f"tabulate.dimension.{dim.id}")
    module = adapted.module
    item = module.question_by_id.get(dim.source) or module.derived_by_id.get(dim.source)
    return _text(item.variable_label, lang) if item is not None else dim.source


def value_label(adapted: Adapted, dim: Dimension, code: float, lang: str) -> str:
    """A code's label: "Total", "Not stated", an age group, a period, or the code list's label."""
    if code == TOTAL:
        return i18n.word(lang, "tabulate.total")
    if code == NOT_STATED:
        return i18n.word(lang, "tabulate.not_stated")
    whole = int(code)
    if dim.rule == "age_group":
        if whole >= AGE_GROUP_OPEN:
            return i18n.word(lang, "tabulate.age_open", low=whole)
        return f"{whole}–{whole + AGE_GROUP_WIDTH - 1}"
    if dim.rule == "arrival_period":
        from migmodule.tabulate.engine import ARRIVAL_PERIODS

        if whole <= reference_year(adapted) - ARRIVAL_PERIODS * AGE_GROUP_WIDTH:
            return i18n.word(lang, "tabulate.arrival_before", year=whole + 1)
        return f"{whole - AGE_GROUP_WIDTH + 1}–{whole}"
    if dim.rule == "isco_major":  # "2 Professionals": the number and the ILO's title
        title = isco_major_group_title(whole, lang)
        if title is None:
            return i18n.word(lang, "tabulate.isco_major", code=whole)
        return f"{whole} {title}"
    if dim.rule == "isic_section":  # "Q Human health and social work activities"
        letter = ISIC_SECTION_LETTERS[whole - 1]
        title = isic_section_title(letter, lang)
        if title is None:
            return i18n.word(lang, "tabulate.isic_section", code=letter)
        return f"{letter} {title}"
    return code_label(adapted, dim.code_list or dim.source, whole, lang)


def code_label(adapted: Adapted, name: str, code: int, lang: str) -> str:
    """The label of `code` for a variable (or code list) `name`; the code itself when unlabelled."""
    module = adapted.module
    item = module.question_by_id.get(name) or module.derived_by_id.get(name)
    list_id = item.code_list if item is not None else name
    code_list = module.code_list_by_id.get(list_id) if list_id else None
    if code_list is None:
        return str(code)
    for listed in code_list.codes:
        if listed.code == code:
            return _text(listed.label, lang)
    source = code_list.source or ""
    if source == "builtin:countries":
        name = country_name(code, lang if lang in ("en", "fr", "es") else "en", in_sentence=True)
        if name:
            return name
    if source.startswith("parameter:"):
        for entry in adapted.params.get(source.split(":", 1)[1]) or []:
            if isinstance(entry, dict) and entry.get("code") == code:
                return _text(entry.get("label"), lang) or str(code)
    # A code the list does not have (validate reports it): counted, and said to be outside the list.
    return i18n.word(lang, "tabulate.code_not_listed", code=str(code))


def long_rows(tabulation: Tabulation, layouts: list[Layout], lang: str) -> pd.DataFrame:
    """Every cell of every table as one long frame (the CSV, the XLSX `cells` sheet): table,
    up to three dimensions (name, code, label), n, estimate and the design columns."""
    records = []
    width = max((len(r.table.dimensions) for r in tabulation.results), default=0)
    for layout in layouts:
        result = layout.result
        if result is None or result.cells is None:
            records.append({"table": layout.id, "note": " ".join(layout.notes)})
            continue
        dims = result.table.dimensions
        for cell in result.cells.to_dict("records"):
            record: dict[str, Any] = {"table": layout.id}
            for i, dim in enumerate(dims, start=1):
                code = cell[dim.id]
                record[f"dimension_{i}"] = dim.id
                record[f"code_{i}"] = (
                    "_T" if code == TOTAL else "_N" if code == NOT_STATED else int(code)
                )
                record[f"label_{i}"] = value_label(tabulation.adapted, dim, code, lang)
            for name in ("n", "estimate", "se", "ci_low", "ci_high", "cv", "flag"):
                if name in cell:
                    record[name] = cell[name]
            records.append(record)
    columns = ["table"]
    for i in range(1, width + 1):
        columns += [f"dimension_{i}", f"code_{i}", f"label_{i}"]
    columns += ["n", "estimate", "se", "ci_low", "ci_high", "cv", "flag", "note"]
    frame = pd.DataFrame.from_records(records)
    if "n" in frame.columns:
        frame["n"] = frame["n"].astype("Int64")
    return frame.reindex(columns=[c for c in columns if c in frame.columns])
