"""Regenerate `xlsforms/`: the ready XLSForm of every released built-in module.

    python -m migmodule.tools.regenerate_xlsforms [--check] [--folder xlsforms]

Each form is for the generic country (code 0 "this country"), in English, French and Spanish,
named `<module-id>-<version>.xlsx`. The files are byte-deterministic, so git shows a change only
when a form really changed. `--check` writes nothing and exits 1 if a file is stale or missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from migmodule.export.xlsform import build_xlsform, convert_sheets, xlsx_bytes
from migmodule.io import write_bytes
from migmodule.profile import adapt
from migmodule.spec.registry import list_modules

LANGUAGES = ["en", "fr", "es"]
DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / "xlsforms"


def expected_forms() -> dict[str, bytes]:
    """File name -> workbook bytes for every released module in the bank."""
    forms = {}
    for entry in list_modules():
        if entry.status != "released":
            continue
        adapted = adapt(None, entry.ref, languages=LANGUAGES)
        sheets, _ = build_xlsform(adapted, LANGUAGES)
        convert_sheets(sheets, modules=entry.ref)  # never ship a form pyxform rejects
        forms[f"{entry.id}-{entry.version}.xlsx"] = xlsx_bytes(sheets)
    return forms


def stale(folder: Path) -> list[str]:
    """Names of forms that are missing or differ from what the specs give now."""
    return [
        name
        for name, data in expected_forms().items()
        if not (folder / name).is_file() or (folder / name).read_bytes() != data
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--check", action="store_true", help="report stale forms, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        names = stale(args.folder)
        for name in names:
            print(f"stale: {args.folder / name}")
        return 1 if names else 0
    args.folder.mkdir(exist_ok=True)
    for name, data in expected_forms().items():
        write_bytes(args.folder / name, data)
        print(f"wrote {args.folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
