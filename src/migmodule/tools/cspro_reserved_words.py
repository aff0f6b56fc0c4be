"""Extract CSPro's reserved words from its public source into `data/cspro_reserved_words.csv`.

    python -m migmodule.tools.cspro_reserved_words /path/to/cspro-git-dir [--commit HEAD]

Reads the three tables that `ReservedWords::IsReservedWord` (`cspro/zLogicO/ReservedWords.cpp`)
consults when the dictionary validator and the compiler refuse a name:

- `zLogicO/KeywordTable.cpp` `Keywords[]`, with the deprecated `box`/`endbox` (which
  `ForeachReservedWord` leaves out of the help list, but `IsKeyword` still refuses);
- `zLogicO/FunctionTable.cpp` `FunctionNamespaces[]` without a parent namespace (`CS`, `Path`,
  `Barcode`) and `Functions[]` whose domain is `SymbolType::None` (`abs`, `sysdate`...; methods
  such as `Map.show` are called with a dot and reserve nothing);
- `zLogicO/ReservedWords.cpp` `AdditionalReservedWords[]` (`weight`, `cases`, `notes`...).

CSPro compares names case-insensitively, so the words are written upper-case and sorted, one a
row, with the table each comes from and the CSPro version (the commit and its subject).
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "data" / "cspro_reserved_words.csv"

_STRING = r'_T\("([^"]*)"\)'
_KEYWORD = re.compile(
    rf"^\s*\{{\s*{_STRING},\s*(?:{_STRING}|nullptr),\s*TokenCode::(\w+)\s*\}}", re.M
)
_NAMESPACE = re.compile(
    rf"^\s*\{{\s*{_STRING},\s*FunctionNamespace::\w+,\s*(std::nullopt|FunctionNamespace::\w+)", re.M
)
_FUNCTION = re.compile(
    rf"\{{\s*{_STRING},\s*{_STRING},\s*(?:{_STRING}|nullptr),\s*FunctionCode::\w+,\s*(\w+::\w+)\s*,"
)
_ADDITIONAL = re.compile(rf"^\s*\{{\s*{_STRING},\s*(?:{_STRING}|nullptr)\s*,?\s*\}}", re.M)


def _array(source: str, name: str) -> str:
    """The text of one C array initialiser `name[] = { ... };`, with line comments removed."""
    start = source.index(f"{name}[] =")
    end = source.index("\n    };", start)
    return re.sub(r"//[^\n]*", "", source[start:end])


def reserved_words(keyword_cpp: str, function_cpp: str, reserved_cpp: str) -> dict[str, str]:
    """Upper-case reserved word -> the table it comes from, for the three source files."""
    tables = [
        ("keyword", (w for w, _h, _t in _KEYWORD.findall(_array(keyword_cpp, "Keywords")))),
        (
            "namespace",
            (
                w
                for w, parent in _NAMESPACE.findall(_array(function_cpp, "FunctionNamespaces"))
                if parent == "std::nullopt"
            ),
        ),
        (
            "function",
            (
                w
                for w, _s, _h, domain in _FUNCTION.findall(_array(function_cpp, "Functions"))
                if domain == "SymbolType::None"
            ),
        ),
        (
            "additional",
            (w for w, _h in _ADDITIONAL.findall(_array(reserved_cpp, "AdditionalReservedWords"))),
        ),
    ]
    words: dict[str, str] = {}
    for table, found in tables:
        for word in found:
            words.setdefault(word.upper(), table)
    return dict(sorted(words.items()))


def _show(git_dir: Path, commit: str, path: str) -> str:
    out = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
        capture_output=True,
        check=True,
    )
    return out.stdout.decode("utf-8-sig")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir", type=Path, help="a git directory of csprousers/cspro")
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    show = lambda path: _show(args.git_dir, args.commit, f"cspro/zLogicO/{path}")  # noqa: E731
    words = reserved_words(
        show("KeywordTable.cpp"), show("FunctionTable.cpp"), show("ReservedWords.cpp")
    )
    log = subprocess.run(
        ["git", "--git-dir", str(args.git_dir), "log", "-1", "--format=%h %s", args.commit],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    source = f"csprousers/cspro {log}"
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["word", "table", "source"])
        writer.writerows([word, table, source] for word, table in words.items())
    print(f"{len(words)} words -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
