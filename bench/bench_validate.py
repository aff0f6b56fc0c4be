"""Benchmark: validate a census-like person file against census-key-questions (run by hand).

    python bench/bench_validate.py               # 1,000,000 rows: ratios and start-up times
    python bench/bench_validate.py --memory      # also peak memory of 10,000,000-row runs

Generates into bench/data/ (gitignored) a person file with 27 variables, of which the module maps
11, as .dta, uncompressed .sav, bytecode-compressed .sav (`row_compress=True`, SPSS's default),
.zsav, CSV and Parquet. Every figure is a whole process (interpreter start-up and imports
included), timed --repeat times (median; at least 3), interleaved with the reference read:

- `migmodule validate FILE -p PROFILE` / the fastest full read of the same file measured in the
  same run (polars-readstat `read_readstat` for .sav/.zsav/.dta, polars `read_csv` for CSV,
  polars `read_parquet` for Parquet; every column read). Target <= 1.0 for every format.
- the floor / the same reference: a process with no migmodule code that reads only the columns
  validation reads, with the same reader, and makes one polars pass of two sums per check (the
  least any validator of these rows must do). It says how far below 1.0 a validator can go.
Migmodule's bytecode is compiled first, as `pip install` does.
- start-up: `migmodule --version`, `list`, `show` (target < 0.4 s).
- with --memory: peak resident memory (GNU time's %M, else the child's ru_maxrss) of a
  validation of a 10,000,000-row file (copies of the 1,000,000-row one, households renumbered)
  in Parquet, CSV and .dta, with its time (target < 500 MB).
Each line says which reader validation used.
"""

from __future__ import annotations

import argparse
import json
import os
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


FORMATS = ("dta", "sav", "sav_compressed", "zsav", "csv", "parquet")
REFERENCE = {
    "dta": "polars_readstat.read_readstat",
    "sav": "polars_readstat.read_readstat",
    "sav_compressed": "polars_readstat.read_readstat",
    "zsav": "polars_readstat.read_readstat",
    "csv": "polars.read_csv",
    "parquet": "polars.read_parquet",
}
READ = {
    "polars_readstat.read_readstat": "import polars_readstat, sys; polars_readstat.read_readstat(sys.argv[1])",
    "polars.read_csv": "import polars, sys; polars.read_csv(sys.argv[1])",
    "polars.read_parquet": "import polars, sys; polars.read_parquet(sys.argv[1])",
}
MIGMODULE = str(Path(sys.executable).with_name("migmodule"))

# The floor: what any program that checks these rows must at least do, with no migmodule code at
# all: start Python, read only the columns validation reads with the same reader as the reference,
# and make one multi-threaded polars pass of two sums (count, unknown) per check over three-valued
# conditions. Its ratio to the reference says how far below 1.0 a validator can go on this file.
FLOOR = """
import sys
import polars as pl
path, columns, checks = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
if path.endswith(".parquet"):
    frame = pl.read_parquet(path, columns=columns)
elif path.endswith(".csv"):
    frame = pl.read_csv(path, columns=columns)
else:
    import polars_readstat
    frame = polars_readstat.read_readstat(path, columns=columns)
names = frame.columns
sums = []
for i in range(checks):
    a, b, c = (pl.col(names[(i + k) % len(names)]) for k in range(3))
    condition = ((a > i % 10) & (b < 3 * (i % 30))) | c.is_null()
    sums += [condition.sum().alias(f"c{i}"), condition.is_null().sum().alias(f"u{i}")]
frame.select(sums)
"""


def file_of(rows: int, fmt: str) -> Path:
    suffix = {"sav_compressed": "_compressed.sav", "zsav": ".zsav"}.get(fmt, f".{fmt}")
    return DATA / f"persons_{rows}{suffix}"


def make_files(rows: int, formats=FORMATS) -> dict[str, Path]:
    """The person file in each format (generated once, kept in bench/data/)."""
    DATA.mkdir(parents=True, exist_ok=True)
    paths = {fmt: file_of(rows, fmt) for fmt in formats}
    if all(path.exists() for path in paths.values()):
        return paths
    import pyreadstat

    started = time.perf_counter()
    frame = generate(rows)
    writers = {
        "dta": lambda p: frame.to_stata(p, write_index=False, version=118),
        "sav": lambda p: pyreadstat.write_sav(frame, str(p)),
        "sav_compressed": lambda p: pyreadstat.write_sav(frame, str(p), row_compress=True),
        "zsav": lambda p: pyreadstat.write_sav(frame, str(p), compress=True),
        "csv": lambda p: _polars(frame).write_csv(p),
        "parquet": lambda p: frame.to_parquet(p, index=False),
    }
    for fmt, path in paths.items():
        if not path.exists():
            writers[fmt](path)
    print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return paths


def _polars(frame: pd.DataFrame):
    import polars as pl

    return pl.from_pandas(frame)


TIME = Path("/usr/bin/time")


def run(command: list[str], tree: bool = False) -> tuple[float, float, float]:
    """Wall time (s), peak resident memory (MB) and CPU time (user + system, s) of one whole
    process, its output discarded. On a shared machine the CPU time moves less with the load
    than the wall time (which waits for a core), so both are given.

    The peak comes from GNU time when it is there: a child's ru_maxrss (wait4) starts from the
    high-water mark of the process that forked it, so a bench process that held a big frame
    would show its own peak for every child. GNU time is a small process of its own.

    `tree`: the process starts others (validate --jobs: a server and its workers), whose memory
    GNU time does not see and whose CPU time wait4 may not (the workers are the server's
    children): both are then sampled from the whole process tree (`TreeSampler`)."""
    report = DATA / "time.out"
    timed_command = (
        [str(TIME), "-f", "%M", "-o", str(report), *command] if TIME.exists() else command
    )
    started = time.perf_counter()
    process = subprocess.Popen(timed_command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(process.pid) if tree else None
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode not in (0, 1):  # 1: findings at --fail-on, a normal outcome here
        raise RuntimeError(f"{' '.join(command)} failed: {error[-2000:]}")
    peak_kb = usage.ru_maxrss
    if TIME.exists():
        lines = [line for line in report.read_text().splitlines() if line.strip().isdigit()]
        peak_kb = int(lines[-1]) if lines else peak_kb
    cpu = usage.ru_utime + usage.ru_stime  # the child's and its waited-for children's
    if sampler is not None:
        sampler.stop()
        return seconds, max(sampler.peak_mb, peak_kb / 1024), max(sampler.cpu_s, cpu)
    return seconds, peak_kb / 1024, cpu


class TreeSampler:
    """The peak of the summed memory of a process and all its descendants, sampled every 20 ms
    (proportional set size where the system gives it, so pages the workers share with their
    server count once; else resident size), and their CPU time (the last seen of each)."""

    def __init__(self, pid: int, every: float = 0.02):
        import threading

        import psutil

        self.psutil, self.root, self.every = psutil, psutil.Process(pid), every
        self.peak_mb, self.cpu = 0.0, {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        psutil = self.psutil
        while not self.done.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            total = 0
            for process in processes:
                try:
                    with process.oneshot():
                        info = process.memory_full_info()
                        times = process.cpu_times()
                except psutil.Error:
                    continue
                total += getattr(info, "pss", info.rss)
                self.cpu[process.pid] = times.user + times.system
            self.peak_mb = max(self.peak_mb, total / 2**20)
            self.done.wait(self.every)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu.values())


def compile_bytecode() -> None:
    """Compile migmodule's bytecode first, as `pip install` does: with PYTHONDONTWRITEBYTECODE
    set (as on some CI machines and this one) an editable checkout would otherwise compile every
    module from source in every timed process (0.15 s of each run that no installed user pays)."""
    import compileall

    import migmodule

    compileall.compile_dir(Path(migmodule.__file__).parent, quiet=1)


def validate_command(path: Path, profile: Path, jobs: int = 1) -> list[str]:
    command = [MIGMODULE, "validate", str(path), "-p", str(profile)]
    return command if jobs == 1 else [*command, "--jobs", str(jobs)]


def reader_used(path: str | Path, columns: list[str]) -> str:
    """Which reader validation used for these columns of this file (and why, for a fallback)."""
    from migmodule.microdata.source import DataSource

    source = DataSource(path)
    next(source.chunks(columns, 1000))
    return source.reader or source.format


def columns_read(path: Path, profile: Path) -> list[str]:
    from migmodule.validate import validate_data

    report = validate_data(path, profile=profile, chunk_size=1000, checks=["DATA-ID-001"])
    return report.files["person"]["columns_read"]


def checks_run(path: Path, profile: Path) -> int:
    """How many checks a validation of the file runs (the report's results)."""
    from migmodule.validate import validate_data

    return len(validate_data(path, profile=profile, chunk_size=20_000).results)


def compare(fmt: str, path: Path, profile: Path, repeat: int, jobs=(1,)) -> dict:
    """Interleaved whole-process timings of the reference read, the floor and validate (with
    each --jobs value); medians and ratios. The top-level figures are the first --jobs value's."""
    reference = REFERENCE[fmt]
    columns = columns_read(path, profile)
    checks = checks_run(path, profile)
    floor_command = [sys.executable, "-c", FLOOR, str(path), ",".join(columns), str(checks)]
    reads, read_cpu, floors = [], [], []
    walls: dict[int, list[float]] = {n: [] for n in jobs}
    cpus: dict[int, list[float]] = {n: [] for n in jobs}
    for _ in range(repeat):
        seconds, _, cpu = run([sys.executable, "-c", READ[reference], str(path)])
        reads.append(seconds)
        read_cpu.append(cpu)
        floors.append(run(floor_command)[0])
        for n in jobs:
            seconds, _, cpu = run(validate_command(path, profile, n), tree=n != 1)
            walls[n].append(seconds)
            cpus[n].append(cpu)
    read_s, read_c = float(np.median(reads)), float(np.median(read_cpu))
    floor_s = float(np.median(floors))
    by_jobs = {}
    for n in jobs:
        wall, cpu = float(np.median(walls[n])), float(np.median(cpus[n]))
        by_jobs[n] = {
            "validate_s": round(wall, 2),
            "ratio": round(wall / read_s, 2),
            "validate_cpu_s": round(cpu, 2),
            "cpu_ratio": round(cpu / read_c, 2),
            "validate_runs_s": [round(x, 2) for x in walls[n]],
        }
    return {
        "file": path.name,
        "reference": reference,
        "reader": reader_used(path, columns),
        "columns_read": len(columns),
        "read_s": round(read_s, 2),
        **by_jobs[jobs[0]],
        "read_cpu_s": round(read_c, 2),
        "checks": checks,
        "floor_s": round(floor_s, 2),
        "floor_ratio": round(floor_s / read_s, 2),
        "read_runs_s": [round(x, 2) for x in reads],
        "jobs": {str(n): figures for n, figures in by_jobs.items()},
    }


def speed(rows: int, repeat: int, formats, jobs=(1,)) -> dict:
    _, questions = chosen_questions()
    profile = write_profile(questions)
    paths = make_files(rows, formats)
    results: dict = {"rows": rows, "variables": TOTAL_VARIABLES, "repeat": repeat}
    for fmt in formats:
        results[fmt] = compare(fmt, paths[fmt], profile, repeat, jobs)
    return results


def startup(repeat: int) -> dict:
    commands = {
        "--version": [MIGMODULE, "--version"],
        "list": [MIGMODULE, "list"],
        "show": [MIGMODULE, "show", MODULE],
    }
    times: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(max(repeat, 5)):
        for name, command in commands.items():
            times[name].append(run(command))
    return {
        name: {
            "wall": round(float(np.median([t[0] for t in runs])), 3),
            "cpu": round(float(np.median([t[2] for t in runs])), 3),
        }
        for name, runs in times.items()
    }


def repeated_files(rows: int, base: int, formats) -> dict[str, Path]:
    """A `rows`-row file made of copies of the `base`-row one, households renumbered in each
    copy (generating 10,000,000 rows afresh takes a quarter of an hour): Parquet, CSV, .dta."""
    import polars as pl

    source = make_files(base, ["parquet"])["parquet"]
    paths = {fmt: file_of(rows, fmt) for fmt in formats}
    if all(path.exists() for path in paths.values()):
        return paths
    one = pl.read_parquet(source)
    step = int(one["hh_id"].max()) + 1
    copies = -(-rows // base)
    frame = pl.concat([one.with_columns(pl.col("hh_id") + i * step) for i in range(copies)]).head(
        rows
    )
    for fmt, path in paths.items():
        if path.exists():
            continue
        if fmt == "parquet":
            frame.write_parquet(path)
        elif fmt == "csv":
            frame.write_csv(path)
        elif fmt == "dta":
            frame.to_pandas().to_stata(path, write_index=False, version=118)
        else:
            raise SystemExit(f"--memory makes {fmt} files only from copies: use parquet,csv,dta")
    return paths


def scaling(rows: int, repeat: int, parts: int = 4) -> dict:
    """validate on `parts` Parquet files of one level: local engine, then --engine dask with 1
    and 2 local workers (whole processes, interleaved, medians)."""
    import polars as pl

    _, questions = chosen_questions()
    profile = write_profile(questions)
    folder = DATA / f"parts_{rows}"
    if not folder.is_dir():
        folder.mkdir()
        whole = pl.read_parquet(make_files(rows, ["parquet"])["parquet"])
        size = -(-whole.height // parts)
        for i in range(parts):
            whole.slice(i * size, size).write_parquet(folder / f"region_{i + 1}.parquet")
    data = f"person={folder / 'region_*.parquet'}"
    base = [MIGMODULE, "validate", data, "-p", str(profile)]
    runs = {
        "local": base,
        "dask, 1 worker": [*base, "--engine", "dask", "--workers", "1"],
        "dask, 2 workers": [*base, "--engine", "dask", "--workers", "2"],
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, command in runs.items():
            times[name].append(run(command)[0])
    return {name: round(float(np.median(t)), 2) for name, t in times.items()}


def memory(rows: int, formats, jobs=(1,)) -> dict:
    """Peak memory of a validation of each file, with its time, for each --jobs value (with
    several processes, the peak of their sum: TreeSampler)."""
    _, questions = chosen_questions()
    profile = write_profile(questions)
    paths = repeated_files(rows, 1_000_000, formats)
    found = {}
    for fmt in formats:
        for n in jobs:
            seconds, peak, _ = run(validate_command(paths[fmt], profile, n), tree=n != 1)
            found[fmt if n == 1 else f"{fmt}, --jobs {n}"] = {
                "file": paths[fmt].name,
                "seconds": round(seconds, 1),
                "peak_rss_mb": round(peak),
            }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--memory", action="store_true", help="also the 10,000,000-row memory runs")
    parser.add_argument("--memory-rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="timings per figure (median, >= 3)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated subset")
    parser.add_argument("--memory-formats", default="parquet,csv,dta")
    parser.add_argument("--scaling", action="store_true", help="also local vs dask 1, 2 workers")
    parser.add_argument("--no-speed", action="store_true", help="skip the ratios")
    parser.add_argument(
        "--jobs",
        default="1",
        help="validate --jobs values to time, comma-separated (e.g. 1,2; with several processes "
        "memory and CPU are summed over the process tree)",
    )
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f] if not args.no_speed else []
    compile_bytecode()
    repeat = max(args.repeat, 3)
    jobs = tuple(int(n) for n in args.jobs.split(",") if n)
    results: dict = {"load_average_start": [round(x, 1) for x in os.getloadavg()]}
    if not args.no_speed:
        results["startup_s"] = startup(repeat)
        for name, seconds in results["startup_s"].items():
            print(
                f"start-up: migmodule {name}: {seconds['wall']} s, CPU {seconds['cpu']} s "
                "(target < 0.4)"
            )
        results.update(speed(args.rows, repeat, formats, jobs))
    if args.scaling:
        results["scaling_s"] = scaling(args.rows, repeat)
        for name, seconds in results["scaling_s"].items():
            print(f"4 Parquet parts of {args.rows:,} rows, {name}: {seconds} s")
    for fmt in formats:
        r = results[fmt]
        print(
            f"{fmt}: validate / {r['reference']} ({r['file']}, {results['rows']:,} rows, whole "
            f"processes): {r['validate_s']} s / {r['read_s']} s = {r['ratio']} (target <= 1.0); "
            f"CPU time {r['validate_cpu_s']} s / {r['read_cpu_s']} s = {r['cpu_ratio']}; "
            f"validation read {r['columns_read']} columns with: {r['reader']}"
        )
        for n, figures in list(r["jobs"].items())[1:]:
            print(
                f"{fmt}: validate --jobs {n}: {figures['validate_s']} s = {figures['ratio']}; "
                f"CPU time of every process {figures['validate_cpu_s']} s = {figures['cpu_ratio']}"
            )
        print(
            f"{fmt}: floor (read those {r['columns_read']} columns, {2 * r['checks']} polars sums "
            f"for {r['checks']} checks, no migmodule) / {r['reference']}: {r['floor_s']} s / "
            f"{r['read_s']} s = {r['floor_ratio']}"
        )
    if args.memory:
        results["memory"] = memory(args.memory_rows, args.memory_formats.split(","), jobs)
        for fmt, m in results["memory"].items():
            print(
                f"{fmt}: peak memory of validate on {args.memory_rows:,} rows: {m['peak_rss_mb']} MB "
                f"(target < 500), {m['seconds']} s"
            )
    print_results(results)


def print_results(results: dict) -> None:
    """The load at the end (the machine may be shared: it says how far the absolute times are
    from an idle machine's), then every figure as JSON."""
    results["load_average_end"] = [round(x, 1) for x in os.getloadavg()]
    print(
        f"load average (1, 5, 15 min): {results['load_average_start']} at the start, "
        f"{results['load_average_end']} at the end"
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
