"""Benchmark: `migmodule tabulate` on a 10,000,000-person census file (run by hand).

    python bench/bench_tabulate.py                     # Parquet, .dta, CSV; census, migratory-status
    python bench/bench_tabulate.py --indicator ever_lived_abroad   # also an indicator by status

The files are bench_validate.py's: `bench/data/persons_10000000.{parquet,dta,csv}` (copies of the
generated 1,000,000-row census-like person file, households renumbered; 27 columns, of which the
profile `bench/data/bench.profile.yaml` maps 11 questions of census-key-questions@1.0.0, country
KEN, reference date 2030-01-01). They are made by bench_validate.py if absent.

Every figure is a whole process (interpreter start-up and imports included), with its peak
resident memory from GNU time (%M): `migmodule tabulate FILE -p PROFILE --tables GROUP --report
out.csv -q` at the default chunk size. Each run is repeated --repeat times (at least 3): the time
is the median, the peak memory the largest. Target: under 1 GB (1024 MB) for every run.

--check also runs the 1,000,000-row Parquet file once in chunks (the default 100,000 rows) and once
in a single chunk (the whole file) and compares the two CSV outputs byte for byte: the chunked
result must equal the whole-file result.

The machine may be shared: the load average (1, 5, 15 min) is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_validate import (  # noqa: E402  (the bench folder is not a package)
    MIGMODULE,
    chosen_questions,
    make_files,
    print_results,
    repeated_files,
    run,
    write_profile,
)

LIMIT_MB = 1024
GROUPS = ("census", "migratory-status")


def tabulate_command(path: Path, profile: Path, out: Path, options: list[str]) -> list[str]:
    return [
        MIGMODULE,
        "tabulate",
        str(path),
        "-p",
        str(profile),
        *options,
        "--report",
        str(out),
        "-q",
    ]


def measure(path: Path, profile: Path, options: list[str], repeat: int, folder: Path) -> dict:
    """Median wall and CPU time, and the largest peak RSS, of `repeat` whole-process runs."""
    walls, peaks, cpus = [], [], []
    for _ in range(repeat):
        seconds, peak, cpu = run(tabulate_command(path, profile, folder / "tables.csv", options))
        walls.append(seconds)
        peaks.append(peak)
        cpus.append(cpu)
    return {
        "file": path.name,
        "options": " ".join(options),
        "seconds": round(float(np.median(walls)), 1),
        "cpu_seconds": round(float(np.median(cpus)), 1),
        "peak_rss_mb": round(max(peaks)),
        "runs_s": [round(x, 1) for x in walls],
        "peaks_mb": [round(x) for x in peaks],
    }


def chunked_equals_whole(profile: Path, folder: Path) -> dict:
    """The census and migratory-status tables of the 1,000,000-row Parquet file, in chunks of
    100,000 rows and in one chunk: the two CSV files must be identical."""
    rows = 1_000_000
    path = make_files(rows, ["parquet"])["parquet"]
    options = ["--tables", ",".join(GROUPS)]
    outputs = {}
    for name, size in (("chunked", 100_000), ("whole", rows)):
        outputs[name] = folder / f"{name}.csv"
        command = tabulate_command(path, profile, outputs[name], options)
        seconds, peak, _ = run([*command, "--chunk-size", str(size)])
        outputs[f"{name}_peak_mb"] = round(peak)
    return {
        "file": path.name,
        "identical": filecmp.cmp(outputs["chunked"], outputs["whole"], shallow=False),
        "chunked_peak_mb": outputs["chunked_peak_mb"],
        "whole_peak_mb": outputs["whole_peak_mb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--formats", default="parquet,dta,csv", help="comma-separated subset")
    parser.add_argument("--groups", default=",".join(GROUPS), help="table groups, one run each")
    parser.add_argument("--indicator", help="also tabulate this indicator by migratory_status")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median, >= 3)")
    parser.add_argument("--check", action="store_true", help="also chunked vs whole (1M rows)")
    args = parser.parse_args()
    repeat = max(args.repeat, 3)
    results: dict = {"load_average_start": [round(x, 1) for x in os.getloadavg()]}
    _, questions = chosen_questions()
    profile = write_profile(questions)
    formats = [f for f in args.formats.split(",") if f]
    paths = repeated_files(args.rows, 1_000_000, formats)
    runs = [["--tables", group] for group in args.groups.split(",") if group]
    if args.indicator:
        runs.append(["--indicator", args.indicator])
    with tempfile.TemporaryDirectory() as folder:
        found = []
        for fmt in formats:
            for options in runs:
                figure = measure(paths[fmt], profile, options, repeat, Path(folder))
                found.append(figure)
                verdict = "under" if figure["peak_rss_mb"] < LIMIT_MB else "OVER"
                print(
                    f"{fmt}: tabulate {figure['options']} on {args.rows:,} rows: "
                    f"{figure['seconds']} s (median of {repeat}; CPU {figure['cpu_seconds']} s), "
                    f"peak RSS {figure['peak_rss_mb']} MB ({verdict} {LIMIT_MB} MB)",
                    flush=True,
                )
        results["runs"] = found
        if args.check:
            results["chunked_vs_whole"] = check = chunked_equals_whole(profile, Path(folder))
            print(
                f"chunked (100,000 rows) vs whole file ({check['file']}): identical output "
                f"{check['identical']}; peak RSS {check['chunked_peak_mb']} MB chunked, "
                f"{check['whole_peak_mb']} MB whole"
            )
    print_results(results)


if __name__ == "__main__":
    main()
