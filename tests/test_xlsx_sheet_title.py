"""One rule for sheet names in every workbook the program writes (validate and tabulate reports)."""

from __future__ import annotations

from openpyxl import Workbook

from migmodule.escape import xlsx_sheet_title


def test_sheet_names_are_what_excel_accepts_and_unique():
    taken: set[str] = set()
    names = [
        xlsx_sheet_title(text, taken)
        for text in [
            "'Quoted'",
            "Population née à l'étranger par pays de naissance",
            "a/b:c[d]*?\\",
            "A/B:C[D]*?\\",
            "x" * 40,
            "X" * 40,
            "bad\x1bname",
        ]
    ]
    book = Workbook()
    for name in names:
        book.create_sheet(name)  # openpyxl refuses []:*?/\ itself
        assert len(name) <= 31 and not name.startswith("'") and not name.endswith("'")
        assert "\x1b" not in name
    assert len({n.lower() for n in names}) == len(names)
    assert names[1] == "Population née à l'étranger par"  # an inner apostrophe is fine
    assert names[3].endswith(" (2)") and names[5].endswith(" (2)")
