"""Time `migmodule validate` of two source trees on the same bench files, interleaved (run by hand).

    git archive <commit> src | tar -x -C /tmp/before
    python bench/compare_versions.py /tmp/before/src [--repeat 5] [--formats parquet,dta,csv]
    python bench/compare_versions.py /tmp/before/src --after /tmp/after/src   # two archives

Each run is a whole process (`python -m migmodule validate FILE -p PROFILE`), the tree before
first on PYTHONPATH, then this checkout's (or --after's: a `git archive` of the code after, when
the checkout holds other unfinished work), alternately; the medians of wall time and of CPU time
(user + system) are printed per format. On a shared machine the CPU time is the figure to compare.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_validate  # noqa: E402

SRC = Path(__file__).resolve().parent.parent / "src"


def timed(tree: Path, path: Path, profile: Path) -> tuple[float, float]:
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(tree)
    try:
        command = [sys.executable, "-m", "migmodule", "validate", str(path), "-p", str(profile)]
        seconds, _, cpu = bench_validate.run(command)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("before", type=Path, help="the src folder of the code before")
    parser.add_argument("--after", type=Path, default=SRC, help="the src folder after (this one)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--formats", default="parquet,dta,csv")
    args = parser.parse_args()
    _, questions = bench_validate.chosen_questions()
    profile = bench_validate.write_profile(questions)
    formats = args.formats.split(",")
    paths = bench_validate.make_files(args.rows, formats)
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for fmt in formats:
        runs: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        for _ in range(args.repeat):
            runs["before"].append(timed(args.before, paths[fmt], profile))
            runs["after"].append(timed(args.after, paths[fmt], profile))
        line = [f"{fmt:8}"]
        for name, times in runs.items():
            wall = statistics.median(t[0] for t in times)
            cpu = statistics.median(t[1] for t in times)
            line.append(f"{name} wall {wall:.2f} s, CPU {cpu:.2f} s")
        print(" | ".join(line), flush=True)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
