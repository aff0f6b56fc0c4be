"""Writing a tabulation: XLSX (a formatted sheet per table), HTML (tables and inline SVG charts)
and CSV (every cell of every table in one long file), chosen by the extension, written atomically.

The CSV is one file, not one per table: a long (tidy) table with the table's id, up to three
dimensions as (name, code, label), the unweighted n, the estimate and the design columns, so one
file goes into a spreadsheet, R or pandas as it is; a table not produced is one row with its note.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup, escape
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from migmodule import i18n
from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.escape import xlsx_literals, xlsx_sheet_title, xlsx_value
from migmodule.io import atomic_path, write_text
from migmodule.tabulate import codes
from migmodule.tabulate.engine import NOT_STATED, TOTAL, Tabulation
from migmodule.tabulate.layout import (
    EMPTY_MARK,
    SUPPRESSED_MARK,
    Layout,
    lay_out,
    long_rows,
    value_label,
)

FORMATS = (".xlsx", ".html", ".csv")
TITLE = Font(bold=True, size=13)
BOLD = Font(bold=True)
ITALIC = Font(italic=True, color="555555")
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def check_output_path(path: str | Path) -> str:
    """The format of an output path (by its extension), or a coded refusal."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise MigmoduleError.of(codes.REPORT_FORMAT, Location(file=str(path)), path=path)
    return suffix


def write_tables(tabulation: Tabulation, path: str | Path, lang: str = "en") -> None:
    """Write every table of `tabulation` to `path` (.xlsx, .html or .csv) in `lang`."""
    suffix = check_output_path(path)
    layouts = lay_out(tabulation, lang)
    if suffix == ".xlsx":
        write_xlsx(tabulation, layouts, path, lang)
    elif suffix == ".html":
        write_text(path, render_html(tabulation, layouts, lang))
    else:
        frame = long_rows(tabulation, layouts, lang)
        write_text(path, frame.to_csv(index=False, lineterminator="\n"))


# ---- XLSX ---------------------------------------------------------------------------------------
def _number_format(decimals: int) -> str:
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals


def write_xlsx(tabulation: Tabulation, layouts: list[Layout], path: str | Path, lang: str) -> None:
    book = Workbook()
    contents = book.active
    contents.title = xlsx_sheet_title(i18n.word(lang, "tabulate.contents"), set())
    taken = {contents.title.lower()}
    contents.append([i18n.word(lang, "tabulate.heading", module=tabulation.adapted.module.ref)])
    contents["A1"].font = TITLE
    if tabulation.adapted.profile_name:
        contents.append(
            [i18n.word(lang, "tabulate.profile", profile=tabulation.adapted.profile_name)]
        )
    contents.append([])
    contents.column_dimensions["A"].width = 32
    contents.column_dimensions["B"].width = 100
    for layout in layouts:
        name = xlsx_sheet_title(layout.sheet_name, taken)
        contents.append(
            [name, layout.title if layout.produced else f"{layout.title} — {layout.notes[0]}"]
        )
        contents.cell(contents.max_row, 1).hyperlink = f"#'{name}'!A1"
        _table_sheet(book.create_sheet(name), layout, lang)
    cells = book.create_sheet(xlsx_sheet_title(i18n.word(lang, "tabulate.cells_sheet"), taken))
    frame = long_rows(tabulation, layouts, lang)
    cells.append(list(frame.columns))
    for cell in cells[1]:
        cell.font = BOLD
    for row in frame.itertuples(index=False):
        cells.append([xlsx_value(_plain(v)) for v in row])
    cells.freeze_panes = "A2"
    with atomic_path(path) as temp:
        xlsx_literals(book).save(temp)


def _plain(value):
    """A long-table value for a cell: NaN and NA are empty cells, numpy numbers plain ones."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def _table_sheet(sheet, layout: Layout, lang: str) -> None:
    """Title, universe, source and notes above the table; a frozen header; number formats."""
    sheet.append([xlsx_value(layout.title)])
    sheet["A1"].font = TITLE
    for line in [layout.universe, layout.source]:
        sheet.append([xlsx_value(line)])
    sheet.append([i18n.word(lang, "tabulate.notes")])
    sheet.cell(sheet.max_row, 1).font = BOLD
    for note in layout.notes:
        sheet.append([xlsx_value(note)])
        sheet.cell(sheet.max_row, 1).font = ITALIC
    sheet.append([])
    if not layout.produced:
        return
    lead = len(layout.row_headers)
    first_header = sheet.max_row + 1
    for depth, labels in enumerate(layout.header):
        names = layout.row_headers if depth == len(layout.header) - 1 else [""] * lead
        sheet.append([xlsx_value(x) for x in names + labels])
        for cell in sheet[sheet.max_row]:
            cell.font, cell.fill = BOLD, HEADER_FILL
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
    number_format = _number_format(layout.decimals)
    for (labels, shown), is_total in zip(layout.body, layout.total_rows, strict=True):
        row = [xlsx_value(x) for x in labels]
        for cell in shown:
            if cell.flag == "empty":
                row.append(EMPTY_MARK)
            elif cell.flag == "suppressed" or cell.value is None:
                row.append(SUPPRESSED_MARK)
            else:
                row.append(cell.value)
        sheet.append(row)
        for index, cell in enumerate(sheet[sheet.max_row], start=1):
            if index > lead:
                cell.number_format = number_format
                flag = shown[index - lead - 1].flag
                if flag == "unreliable":
                    cell.font = Font(italic=True, color="A04000")
            if is_total:
                if index <= lead:
                    cell.font = BOLD
                cell.fill = TOTAL_FILL
    sheet.freeze_panes = sheet.cell(first_header + len(layout.header), lead + 1).coordinate
    for index in range(1, lead + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 28
    for index in range(lead + 1, lead + 1 + len(layout.header[-1] if layout.header else [])):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    if layout.flows:
        sheet.append([])
        sheet.append([i18n.word(lang, "tabulate.flows")])
        sheet.cell(sheet.max_row, 1).font = TITLE
        sheet.append(
            [
                i18n.word(lang, f"tabulate.{key}")
                for key in ("area", "flow_in", "flow_out", "flow_net")
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.font, cell.fill = BOLD, HEADER_FILL
        for area, inflow, outflow, net in layout.flows:
            sheet.append([xlsx_value(area), inflow, outflow, net])
            for cell in sheet[sheet.max_row][1:]:
                cell.number_format = number_format


# ---- HTML ---------------------------------------------------------------------------------------
PALETTE = ("#1f6f8b", "#e07a1f", "#5b8e3e", "#8e44ad", "#7f8c8d")


def render_html(tabulation: Tabulation, layouts: list[Layout], lang: str) -> str:
    """The self-contained HTML page: inline CSS and SVG, no script, no network."""
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    text = (
        resources.files("migmodule.tabulate")
        .joinpath("templates/tables.html.j2")
        .read_text(encoding="utf-8")
    )
    info = i18n.info(lang)
    return environment.from_string(text).render(
        lang=info.tag,
        direction=info.direction,
        heading=i18n.word(lang, "tabulate.heading", module=tabulation.adapted.module.ref),
        profile=tabulation.adapted.profile_name,
        profile_line=i18n.word(
            lang, "tabulate.profile", profile=tabulation.adapted.profile_name or ""
        ),
        layouts=layouts,
        charts={layout.id: chart(tabulation, layout, lang) for layout in layouts},
        word=lambda key, **values: i18n.word(lang, key, **values),
        shown=lambda cell, decimals: cell.text(lang, decimals),
        number=lambda value, decimals: i18n.number(lang, value, decimals),
    )


def chart(tabulation: Tabulation, layout: Layout, lang: str) -> Markup:
    """The chart of a table, when it has one: a population pyramid by migratory status, stacked
    bars of arrival periods, a heat map of the migration matrix."""
    result = layout.result
    if result is None or result.cells is None or result.cells.empty:
        return Markup("")
    if layout.id == "migratory_status_by_sex_age":
        return pyramid(tabulation, result, lang)
    if layout.id == "foreign_born_by_arrival":
        return stacked_bars(tabulation, result, lang)
    if result.table.kind == "matrix":
        return heat_map(tabulation, result, lang)
    return Markup("")


def _full(result, dims: list[str]):
    cells = result.cells
    keep = (cells[dims] != TOTAL).all(axis=1)
    others = [d.id for d in result.table.dimensions if d.id not in dims]
    if others:
        keep &= (cells[others] == TOTAL).all(axis=1)
    return cells[keep]


def pyramid(tabulation: Tabulation, result, lang: str) -> Markup:
    """Age groups up the middle; males left, females right; each bar split by migratory status."""
    table = result.table
    age, status, sex = (d for d in table.dimensions)
    cells = _full(result, [age.id, status.id, sex.id])
    cells = cells[(cells[age.id] != NOT_STATED) & cells[sex.id].isin([1.0, 2.0])]
    if cells.empty:
        return Markup("")
    ages = sorted(set(cells[age.id]))
    statuses = sorted(set(cells[status.id]))
    sides = cells.groupby([age.id, sex.id])["estimate"].sum()
    top = float(sides.max()) or 1.0
    row_height, half = 14, 200
    height = row_height * len(ages) + 40
    title = i18n.word(lang, "tabulate.chart_pyramid")
    parts = [
        f'<svg class="chart-svg" viewBox="0 0 {2 * half + 120} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    centre = half + 60
    for i, group in enumerate(reversed(ages)):
        y = 10 + i * row_height
        parts.append(
            f'<text x="{centre}" y="{y + 10}" font-size="9" text-anchor="middle">'
            f"{escape(value_label(tabulation.adapted, age, group, lang))}</text>"
        )
        for sex_code, direction in ((1.0, -1), (2.0, 1)):
            offset = 30.0
            for k, code in enumerate(statuses):
                hit = cells[
                    (cells[age.id] == group)
                    & (cells[sex.id] == sex_code)
                    & (cells[status.id] == code)
                ]
                value = float(hit["estimate"].sum())
                width = half * value / top
                x = centre + direction * offset if direction > 0 else centre - offset - width
                label = value_label(tabulation.adapted, status, code, lang)
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{row_height - 2}" '
                    f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(label)}: {value:g}</title></rect>'
                )
                offset += width
    y = height - 12
    for k, code in enumerate(statuses):
        x = 10 + k * (2 * half + 100) / max(len(statuses), 1)
        parts.append(
            f'<rect x="{x:.0f}" y="{y - 8}" width="8" height="8" fill="{PALETTE[k % len(PALETTE)]}"/>'
            f'<text x="{x + 11:.0f}" y="{y}" font-size="8">'
            f"{escape(value_label(tabulation.adapted, status, code, lang))}</text>"
        )
    for sex_code, x in ((1.0, 10), (2.0, 2 * half + 110)):
        anchor = "start" if x == 10 else "end"
        parts.append(
            f'<text x="{x}" y="10" font-size="10" font-weight="bold" text-anchor="{anchor}">'
            f"{escape(value_label(tabulation.adapted, sex, sex_code, lang))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bars(tabulation: Tabulation, result, lang: str) -> Markup:
    """One bar per period of arrival, stacked by sex."""
    period, sex = result.table.dimensions
    cells = _full(result, [period.id, sex.id])
    periods = [p for p in sorted(set(cells[period.id])) if p != NOT_STATED]
    sexes = sorted(set(cells[sex.id]))
    if not periods:
        return Markup("")
    totals = cells.groupby(period.id)["estimate"].sum()
    top = float(totals.max()) or 1.0
    width, bar, height = 120 + 40 * len(periods), 28, 190
    title = i18n.word(lang, "tabulate.chart_arrival")
    parts = [
        f'<svg class="chart-svg" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, code in enumerate(periods):
        x, base = 20 + i * 40, 150.0
        for k, sex_code in enumerate(sexes):
            value = float(
                cells[(cells[period.id] == code) & (cells[sex.id] == sex_code)]["estimate"].sum()
            )
            h = 130 * value / top
            base -= h
            label = value_label(tabulation.adapted, sex, sex_code, lang)
            parts.append(
                f'<rect x="{x}" y="{base:.1f}" width="{bar}" height="{h:.1f}" '
                f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(label)}: {value:g}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar / 2}" y="165" font-size="7" text-anchor="middle">'
            f"{escape(value_label(tabulation.adapted, period, code, lang))}</text>"
        )
    for k, sex_code in enumerate(sexes):
        x = width - 95
        parts.append(
            f'<rect x="{x}" y="{10 + 12 * k}" width="8" height="8" fill="{PALETTE[k % len(PALETTE)]}"/>'
            f'<text x="{x + 11}" y="{18 + 12 * k}" font-size="8">'
            f"{escape(value_label(tabulation.adapted, sex, sex_code, lang))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def heat_map(tabulation: Tabulation, result, lang: str) -> Markup:
    """The migration matrix as shaded squares (rows: area before; columns: current area); the
    diagonal (persons who stayed in their area) is left white so that moves show."""
    before, now = result.table.dimensions
    cells = _full(result, [before.id, now.id])
    cells = cells[(cells[before.id] != NOT_STATED) & (cells[now.id] != NOT_STATED)]
    areas = sorted(set(cells[before.id]) | set(cells[now.id]))
    if not areas:
        return Markup("")
    moved = cells[cells[before.id] != cells[now.id]]
    top = float(moved["estimate"].max()) if not moved.empty else 1.0
    size = max(4, min(16, 480 // len(areas)))
    side = 60 + size * len(areas)
    title = i18n.word(lang, "tabulate.chart_matrix")
    parts = [
        f'<svg class="chart-svg" viewBox="0 0 {side} {side}" style="max-width: {min(720, 3 * side)}px" '
        f'role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    index = {area: i for i, area in enumerate(areas)}
    for record in cells.to_dict("records"):
        i, j = index[record[before.id]], index[record[now.id]]
        value = float(record["estimate"])
        share = 0.0 if i == j else value / (top or 1.0)
        shade = int(255 - 200 * share)
        parts.append(
            f'<rect x="{60 + j * size}" y="{60 + i * size}" width="{size}" height="{size}" '
            f'fill="rgb({shade},{shade},255)" stroke="#ccc" stroke-width="0.3">'
            f"<title>{escape(value_label(tabulation.adapted, before, record[before.id], lang))} → "
            f"{escape(value_label(tabulation.adapted, now, record[now.id], lang))}: {value:g}</title></rect>"
        )
    if len(areas) <= 30:
        for area, i in index.items():
            label = escape(value_label(tabulation.adapted, now, area, lang))[:10]
            parts.append(
                f'<text x="56" y="{60 + i * size + size * 0.75:.1f}" font-size="{size * 0.6:.1f}" '
                f'text-anchor="end">{label}</text>'
                f'<text x="{60 + i * size + size * 0.75:.1f}" y="56" font-size="{size * 0.6:.1f}" '
                f'transform="rotate(-90 {60 + i * size + size * 0.75:.1f} 56)">{label}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


# ---- SDMX-CSV (an SDG indicator by migratory status) --------------------------------------------
# The SDG series of indicator 10.7.1 ("Recruitment cost borne by employee as a proportion of
# monthly income earned in country of destination") was not found: neither in the SDG structures
# read (the CN_SERIES_SDG_GLH 1.22 sample, see sdmx.py) nor elsewhere, nor the unit the database
# uses for the ratio. A placeholder, named so (the registry refuses it): give --series once the
# code is checked. "SL_EMP_RCOST" inside it is a guess, not a code read (docs/tabulate.md).
SDG_10_7_1_SERIES = "PLACEHOLDER_SL_EMP_RCOST"


def write_sdg_10_7_1_sdmx(tabulation: Tabulation, path: str | Path, series: str) -> int:
    """The SDG 10.7.1 mean (the table by sex: its Total is the overall figure) as SDMX-CSV: SEX
    M/F/_T, the ratio as a number (unit NUMBER). The medians and the breakdowns by destination
    and occupation are not sent: the SDG structure's codes for them could not be checked here.
    Returns the number of observations written."""
    from migmodule.tabulate.engine import reference_year
    from migmodule.tabulate.sdmx import write_sdmx_csv

    result = next((r for r in tabulation.results if r.table.id == "sdg_10_7_1_mean_by_sex"), None)
    if result is None or result.cells is None:
        raise MigmoduleError.of(
            codes.SDMX_NEEDS_INDICATOR,
            Location(file=str(path)),
            path=path,
            reason="the SDG 10.7.1 table by sex was not produced",
        )
    return write_sdmx_csv(
        result.cells,
        path,
        indicator=series,
        dimensions={"sex": "SEX"},
        unit="NUMBER",
        ref_area=str(tabulation.adapted.params["COUNTRY"]),
        time_period=str(reference_year(tabulation.adapted)),
    )


def write_indicator_sdmx(tabulation: Tabulation, path: str | Path, series: str | None) -> int:
    """The indicator table as SDMX-CSV for the SDG database (sdmx.py, pysdmx): REF_AREA the
    census country's M49 code, TIME_PERIOD the reference year, SEX, AGE (five-year bands) and,
    by migratory_status, COMPOSITE_BREAKDOWN "MS_MIGRANT" (migrants: groups 3 and 4) and "_T";
    a proportion is written in percent (unit PT), a mean as a number. The four groups are not
    written (the SDG structure has no codes for them): an info finding (TAB-SDMX-003) is added
    to `tabulation.findings` to say so. Returns the number of observations written."""
    from migmodule.tabulate.engine import reference_year
    from migmodule.tabulate.sdmx import (
        MIGRANT_CODE,
        MIGRANT_GROUPS,
        MIGRATORY_STATUS_CODES,
        MIGRATORY_STATUS_DIMENSION,
        age_code,
        write_sdmx_csv,
    )
    from migmodule.tabulate.tables import AGE_GROUP_OPEN, AGE_GROUP_WIDTH

    result = next((r for r in tabulation.results if r.table.id == "indicator"), None)
    if result is None and any(r.table.group == "sdg-10.7.1" for r in tabulation.results):
        return write_sdg_10_7_1_sdmx(tabulation, path, series or SDG_10_7_1_SERIES)
    reason = None
    if result is None:
        reason = "no --indicator was tabulated"
    elif not series:
        reason = "no --series was given"
    elif result.cells is None:
        reason = "the indicator was not produced"
    if reason is not None:
        raise MigmoduleError.of(
            codes.SDMX_NEEDS_INDICATOR, Location(file=str(path)), path=path, reason=reason
        )
    table = result.table
    by = table.rows[0].id
    ages = {
        float(low): age_code(low, None if low >= AGE_GROUP_OPEN else low + AGE_GROUP_WIDTH - 1)
        for low in range(0, AGE_GROUP_OPEN + 1, AGE_GROUP_WIDTH)
    }
    proportion = table.statistic == "proportion"
    dimensions = {"sex": "SEX", "age_group": "AGE"}
    if by == "migratory_status":  # migrants (MS_MIGRANT) and everyone (_T): the SDG's codes
        dimensions["migrant"] = MIGRATORY_STATUS_DIMENSION
        cells = result.migrant_cells
        tabulation.findings.append(
            Finding.make(
                codes.SDMX_GROUPS_NOT_SENT,
                Location(file=str(path)),
                code=MIGRANT_CODE,
                groups=", ".join(str(g) for g in MIGRANT_GROUPS),
            )
        )
    else:  # only its margin fits the SDG structure's dimensions
        cells = result.cells[result.cells[by] == TOTAL].drop(columns=[by])
    return write_sdmx_csv(
        cells,
        path,
        indicator=series,
        dimensions=dimensions,
        unit="PT" if proportion else "NUMBER",
        scale=100.0 if proportion else 1.0,
        ref_area=str(tabulation.adapted.params["COUNTRY"]),
        time_period=str(reference_year(tabulation.adapted)),
        codes={"AGE": ages, MIGRATORY_STATUS_DIMENSION: MIGRATORY_STATUS_CODES},
    )
