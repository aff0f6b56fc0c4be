"""Benchmark: validate a census-like person file against census-key-questions (run by hand).

    python bench/bench_validate.py            # 1,000,000 rows: the speed ratios
    python bench/bench_validate.py --memory   # also peak memory of a chunked run on 10,000,000 rows

Generates into bench/data/ (gitignored): a person file with 27 variables, of which the module maps
11, as .dta, as uncompressed .sav and as bytecode-compressed .sav (`row_compress=True`, SPSS's
default). Prints, measured in the same run and in-process (interpreter start-up excluded):
validate time / `pandas.read_stata` full read of the .dta (target <= 1.5); validate time /
`pyreadstat.read_sav` full read (pandas output) of the .sav (target <= 0.5), for the uncompressed
and the compressed file, each against the read of the same file; and, with --memory, peak
resident memory of a chunked validation of a 10,000,000-row .dta, measured in a subprocess
(target < 500 MB). Each timing is taken --repeat times, interleaved (read, validate, read, ...);
the ratio is of the medians, and every single time is printed too. Validation runs with its
default chunk size (100,000 rows), as the CLI does. Each line says which reader validation used.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parent / "data"
MODULE = "census-key-questions@1.0.0"
MAPPED = 11
TOTAL_VARIABLES = 27
COUNTRY = 404


def chosen_questions():
    from migmodule.profile import adapt
    from migmodule.spec.model import QuestionType

    adapted = adapt(None, MODULE, country=str(COUNTRY))[0]
    person = [
        q for q in adapted.questions if q.level == "person" and q.type is not QuestionType.TEXT
    ]
    return adapted, person[:MAPPED]


def write_profile(questions) -> Path:
    from migmodule.profile import adapt

    adapted = adapt(None, MODULE, country=str(COUNTRY))[0]
    keep = {q.id for q in questions}
    excluded = [q.id for q in adapted.module.questions if q.id not in keep]
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / "bench.profile.yaml"
    path.write_text(
        "profile_format: 1\nname: bench\ncountry: KEN\nreference_date: 2030-01-01\nmodules:\n"
        f"  - module: {MODULE}\n    exclude: [{', '.join(excluded)}]\n",
        encoding="utf-8",
    )
    return path


def generate(rows: int, seed: int = 1) -> pd.DataFrame:
    """A census-like person file: identifiers, the mapped questions (universes applied), filler variables."""
    from migmodule.expr.evaluate import derive, evaluate_frame
    from migmodule.expr.semantics import referenced
    from migmodule.spec.model import MISSING_KINDS, QuestionType

    adapted, questions = chosen_questions()
    module = adapted.module
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 8, size=rows // 2 + 1)
    hh = np.repeat(np.arange(1, len(sizes) + 1), sizes)[:rows]
    starts = np.r_[0, np.flatnonzero(np.diff(hh)) + 1]
    person_no = np.arange(rows) - np.repeat(starts, np.diff(np.r_[starts, rows])) + 1
    frame = pd.DataFrame({"hh_id": hh.astype("int32"), "person_no": person_no.astype("int16")})
    for q in questions:
        if q.type is QuestionType.COUNTRY:
            values = np.where(
                rng.random(rows) < 0.85, COUNTRY, rng.choice([800, 834, 706, 250], size=rows)
            )
        elif q.code_list and q.type in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
            code_list = module.code_list_by_id[q.code_list]
            codes = [c.code for c in code_list.codes if c.special not in MISSING_KINDS]
            if code_list.source and code_list.source.startswith("parameter:"):
                codes += [
                    int(i["code"]) for i in adapted.params.get(code_list.source.split(":")[1]) or []
                ]
            values = rng.choice(codes, size=rows)
        elif q.type is QuestionType.YEAR:
            values = rng.integers(2000, 2030, size=rows)
        elif q.id == "age":
            values = rng.integers(0, 90, size=rows)
        else:
            values = rng.integers(0, 10, size=rows)
        values = values.astype("float64")
        values[rng.random(rows) < 0.01] = np.nan  # some blanks
        frame[q.id] = values
        if q.universe and all(n in frame.columns for n in referenced(module, q.universe)):
            inside = evaluate_frame(
                module, q.universe, derive(module, frame, adapted.params), adapted.params
            )
            frame.loc[~inside.fillna(False).to_numpy(dtype=bool), q.id] = np.nan
        if q.type is QuestionType.SELECT_MULTIPLE:
            frame[q.id] = frame[q.id].map(lambda v: "" if np.isnan(v) else str(int(v)))
    for i in range(TOTAL_VARIABLES - frame.shape[1]):
        frame[f"v{i:02d}"] = rng.integers(0, 100, size=rows).astype("int16" if i % 2 else "float64")
    return frame


def make_files(rows: int, sav: bool = True) -> tuple[Path, Path | None, Path | None]:
    DATA.mkdir(parents=True, exist_ok=True)
    dta, sav_path = DATA / f"persons_{rows}.dta", DATA / f"persons_{rows}.sav"
    packed = DATA / f"persons_{rows}_compressed.sav"
    missing = not dta.exists() or (sav and not (sav_path.exists() and packed.exists()))
    if missing:
        started = time.perf_counter()
        frame = generate(rows)
        frame.to_stata(dta, write_index=False, version=118)
        if sav:
            import pyreadstat

            pyreadstat.write_sav(frame, str(sav_path))
            pyreadstat.write_sav(frame, str(packed), row_compress=True)
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return dta, (sav_path if sav else None), (packed if sav else None)


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def reader_used(path: str | Path, columns: list[str]) -> str:
    """Which reader validation used for these columns of this file (and why, for a fallback)."""
    from migmodule.microdata.source import DataSource

    source = DataSource(path)
    next(source.chunks(columns, 1000))
    return source.reader


def compare(read, path: Path, profile: Path, repeat: int) -> dict:
    """Interleaved timings of a full read and a validation of one file; ratio of the medians."""
    from migmodule.validate import validate_data

    reads, validations, report = [], [], None
    for _ in range(repeat):
        seconds, result = timed(read, str(path))
        del result
        reads.append(seconds)
        seconds, report = timed(validate_data, path, profile=profile)
        validations.append(seconds)
    read_s, validate_s = float(np.median(reads)), float(np.median(validations))
    return {
        "file": path.name,
        "reader": reader_used(path, report.files["person"]["columns_read"]),
        "columns_read": len(report.files["person"]["columns_read"]),
        "read_s": round(read_s, 2),
        "validate_s": round(validate_s, 2),
        "ratio": round(validate_s / read_s, 2),
        "read_runs_s": [round(x, 2) for x in reads],
        "validate_runs_s": [round(x, 2) for x in validations],
    }


def speed(rows: int, repeat: int) -> dict:
    import pyreadstat

    from migmodule.validate import validate_data

    _, questions = chosen_questions()
    profile = write_profile(questions)
    dta, sav, packed = make_files(rows)
    validate_data(dta, profile=profile, chunk_size=1000)  # warm up imports and caches
    return {
        "rows": rows,
        "variables": TOTAL_VARIABLES,
        "dta": compare(pd.read_stata, dta, profile, repeat),
        "sav": compare(pyreadstat.read_sav, sav, profile, repeat),
        "sav_compressed": compare(pyreadstat.read_sav, packed, profile, repeat),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory. /proc's VmHWM starts afresh at exec; ru_maxrss on Linux
    keeps the high-water mark of the parent that forked us, so it is only the fallback."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(path: str, profile: str, chunk_size: int) -> None:
    """Run in a subprocess: validate in chunks and print peak RSS (MB) before and after."""
    from migmodule.validate import validate_data

    before = peak_rss_mb()
    seconds, report = timed(validate_data, path, profile=profile, chunk_size=chunk_size)
    peak = peak_rss_mb()
    reader = reader_used(path, report.files["person"]["columns_read"])
    print(
        json.dumps(
            {
                "rows": report.files["person"]["rows"],
                "peak_rss_mb": round(peak),
                "rss_after_imports_mb": round(before),
                "seconds": round(seconds, 1),
                "chunk_size": chunk_size,
                "reader": reader,
            }
        )
    )


def memory(rows: int, chunk_size: int) -> dict:
    _, questions = chosen_questions()
    profile = write_profile(questions)
    dta, _, _ = make_files(rows, sav=False)
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(dta), str(profile), str(chunk_size)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--memory", action="store_true", help="also the 10,000,000-row memory run")
    parser.add_argument("--memory-rows", type=int, default=10_000_000)
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="timings per figure (median)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        memory_child(args.child[0], args.child[1], int(args.child[2]))
        return
    results = speed(args.rows, args.repeat)
    for key, read, target in (
        ("dta", "pandas.read_stata", 1.5),
        ("sav", "pyreadstat.read_sav (pandas output)", 0.5),
        ("sav_compressed", "pyreadstat.read_sav (pandas output)", 0.5),
    ):
        r = results[key]
        print(
            f"validate / {read} ({r['file']}, {results['rows']:,} rows): "
            f"{r['validate_s']} s / {r['read_s']} s = {r['ratio']} (target <= {target}); "
            f"validation read with: {r['reader']}"
        )
    if args.memory:
        mem = memory(args.memory_rows, args.chunk_size)
        results["memory"] = mem
        print(
            f"peak RSS, chunked run on {mem['rows']:,} rows: {mem['peak_rss_mb']} MB (target < 500); "
            f"read with: {mem['reader']}"
        )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
