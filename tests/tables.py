"""Markdown tables in tests (pyxform's habit): the one parser every test file uses."""

import pandas as pd


def _split(text: str) -> tuple[list[str], list[list[str]]]:
    """Header cells and data rows (stripped cell text); the separator row is skipped."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[1:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if not all(cell and set(cell) <= {"-", ":"} for cell in cells):
            rows.append(cells)
    return header, rows


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of a markdown table as dicts of stripped cell text."""
    header, rows = _split(text)
    return [dict(zip(header, cells, strict=True)) for cells in rows]


def raw_frame(text: str) -> pd.DataFrame:
    """A markdown table as a frame of text cells; blank cells are None."""
    header, rows = _split(text)
    return pd.DataFrame([[cell or None for cell in cells] for cells in rows], columns=header)


def questions_frame(module, rows: list[dict]) -> pd.DataFrame:
    """One row per respondent, one column per question of the module; unanswered cells are blank."""
    columns = [q.id for q in module.questions]
    return pd.DataFrame(
        [{c: r.get(c) for c in columns} for r in rows], columns=columns, dtype=object
    )
