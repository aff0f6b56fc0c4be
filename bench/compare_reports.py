"""Compare the JSON reports of `migmodule validate` on the bench files with saved ones (run by hand).

    python bench/compare_reports.py save DIR        # write DIR/<file>.json for each bench file
    python bench/compare_reports.py check DIR       # validate again, compare with DIR's reports

A speed change must leave every report as it was: this validates the 1,000,000-row bench files
(made by bench_validate.py; --rows, --formats) against the bench profile and compares the whole
JSON report with the saved one, timing fields ("seconds") left out. Exit status 1 on any
difference, with the first differing paths.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_validate  # noqa: E402

TIMING = {"seconds"}


def strip_timing(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_timing(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [strip_timing(v) for v in value]
    return value


def differences(before: Any, after: Any, path: str = "$") -> list[str]:
    """The paths where two JSON values differ (all of them)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = [f"{path}.{k}: only in one" for k in sorted(set(before) ^ set(after))]
        for key in before:
            if key in after:
                out += differences(before[key], after[key], f"{path}.{key}")
        return out
    if isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            return [f"{path}: {len(before)} items, then {len(after)}"]
        return [
            d
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for d in differences(b, a, f"{path}[{i}]")
        ]
    return [] if before == after else [f"{path}: {before!r} != {after!r}"]


def report_of(path: Path, profile: Path, out: Path) -> dict:
    command = [*bench_validate.validate_command(path, profile), "--report", str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return strip_timing(json.loads(out.read_text(encoding="utf-8")))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=["save", "check"])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default="parquet,dta,csv,sav_compressed")
    args = parser.parse_args()
    _, questions = bench_validate.chosen_questions()
    profile = bench_validate.write_profile(questions)
    formats = args.formats.split(",")
    paths = bench_validate.make_files(args.rows, formats)
    args.directory.mkdir(parents=True, exist_ok=True)
    failed = False
    for fmt in formats:
        saved = args.directory / f"{paths[fmt].name}.json"
        if args.action == "save":
            report_of(paths[fmt], profile, saved)
            print(f"{fmt}: saved {saved}")
            continue
        before = strip_timing(json.loads(saved.read_text(encoding="utf-8")))
        after = report_of(paths[fmt], profile, args.directory / f"{paths[fmt].name}.after.json")
        found = differences(before, after)
        failed = failed or bool(found)
        print(f"{fmt}: {'identical' if not found else f'{len(found)} differences'}")
        for line in found[:20]:
            print(f"  {line}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
