"""Generated hostile input through every command (issue 20), with hypothesis.

Generators: specs (mutations of the small valid `tests/specs/mini.yaml`), profiles (mutations of
a small valid profile), data files (CSV and SPSS .sav with random names, labels and values) and
hostile strings. For every generated input each command, run in-process with click's runner:
exits 0, 1 or 2; prints no traceback; finishes within a time bound; leaves its inputs unchanged
(checksums); leaves at its target path a whole file or nothing, and no hidden `.part` file. And the
one validation path: when `lint` (or `profile check`) reports an error, every command refuses the
input with exit 2 and one of those codes.

The runs are derandomized, so CI is reproducible. A local run tries a few examples per generator;
CI (the `CI` variable set, as tests/conftest.py reads it) tries many more.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time
import traceback
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migmodule.cli import main
from migmodule.spec.lint import ENGINE_HANDLED

HERE = Path(__file__).parent
MINI = HERE / "specs" / "mini.yaml"
SPEC = yaml.safe_load(MINI.read_text(encoding="utf-8"))
BOUND = 60.0  # seconds for one command: a hang guard, not a timing target

_IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
settings.register_profile(
    "reliability",
    max_examples=60 if _IN_CI else 6,
    derandomize=True,  # the same examples on every run and in CI
    deadline=None,  # the time bound is checked per command below
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
RELIABILITY = settings.get_profile("reliability")

# Texts that have broken a target before: line breaks with a command behind them, comment and
# string escapes of Stata, SPSS, CSPro and XPath, formulas, NUL and other controls, bidi
# overrides, YAML 1.1 booleans, huge numbers, very long text.
HOSTILE_TEXT = [
    "\nshell rm -rf ~",
    "x\r\nFREQUENCIES ALL.",
    "*/ display 1 /*",
    "// } PROC X",
    "`\"'quoted'\"'",
    "$HOME ${x} `macro'",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(A1)",
    "a\x00b",
    "\x1b[31mred",
    "\u202eevil\u202c",
    "\u2028line",
    "yes",
    "no",
    "on",
    "1e400",
    "9" * 40,
    "NaN",
    "",
    " ",
    "é" * 300,
    "' or 1=1 --",
    "<script>alert(1)</script>",
    "{COUNTRY_NAME}{",
]
hostile_text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))
hostile_scalar = st.one_of(
    hostile_text,
    st.booleans(),
    st.none(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([float("inf"), float("nan"), 1e308, -0.0, 2**53 + 1, 2**31]),
    st.floats(allow_nan=False, allow_infinity=False),
)
hostile_value = st.one_of(
    hostile_scalar,
    st.lists(hostile_scalar, max_size=3),
    st.dictionaries(hostile_text, hostile_scalar, max_size=3),
)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside nested dicts and lists."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated(draw, base: dict[str, Any], steps: int = 3) -> dict[str, Any]:
    """`base` with a few values replaced by hostile ones, keys removed or list items doubled."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=steps))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["text", "text", "replace", "delete", "duplicate"]))
        texts = [p for p in paths if isinstance(_at(data, p), str)]
        if action == "text" and texts:  # keeps the schema: hostile text reaches every target
            path = draw(st.sampled_from(texts))
            parent = _at(data, path[:-1])
            parent[path[-1]] = draw(hostile_text)
        elif action in ("replace", "text"):
            parent[path[-1]] = draw(hostile_value)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    return data


def _dump(data: Any) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:  # a value safe_dump cannot write: keep the text of its repr
        return yaml.safe_dump(json.loads(json.dumps(data, default=repr)), allow_unicode=True)


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


def invoke(folder: Path, args: list[str], outputs: tuple[str, ...] = ()) -> tuple[int, str]:
    """Run one command; check the properties every run must have. Returns (exit code, output)."""
    before = _digest(folder)
    for name in outputs:  # a target left by an earlier command would hide a partial write
        (folder / name).unlink(missing_ok=True)
    start = time.monotonic()
    result = CliRunner().invoke(main, args)
    seconds = time.monotonic() - start
    shown = " ".join(args)
    error = result.exception
    if error is not None and not isinstance(error, SystemExit):
        pytest.fail(f"{shown}:\n" + "".join(traceback.format_exception(error)))
    assert result.exit_code in (0, 1, 2), f"{shown}: exit {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output, f"{shown}:\n{result.output}"
    assert seconds < BOUND, f"{shown}: {seconds:.0f} s"
    after = _digest(folder)
    assert {k: v for k, v in after.items() if k in before} == before, f"{shown}: input changed"
    assert not [n for n in after if n.endswith(".part")], f"{shown}: .part left"
    for name in outputs:
        target = folder / name
        if result.exit_code == 2:
            assert not target.exists(), f"{shown}: refused, yet {name} was written"
        if target.exists():
            assert target.stat().st_size > 0, f"{shown}: {name} is empty"
    return result.exit_code, result.output


def _error_codes(json_output: str) -> set[str]:
    """Codes of error findings in a `--format json` list (the text before it is skipped)."""
    start = json_output.find("[")
    try:
        findings = json.loads(json_output[start:]) if start >= 0 else []
    except json.JSONDecodeError:
        return set()
    return {f["code"] for f in findings if f.get("severity") == "error"}


SPEC_COMMANDS = {
    "out.xlsx": ["export", "xlsform", "{spec}", "--country", "KE", "-o", "{out}"],
    "out.do": ["export", "stata", "{spec}", "--country", "KE", "-o", "{out}"],
    "out.dcf": ["export", "cspro", "{spec}", "--country", "KE", "-o", "{out}"],
    "out.md": ["handout", "{spec}", "--format", "md", "-o", "{out}"],
}


@RELIABILITY
@given(spec=mutated(SPEC))
def test_generated_specs(spec, tmp_path_factory):
    folder = tmp_path_factory.mktemp("spec")
    path = folder / "spec.yaml"
    path.write_text(_dump(spec), encoding="utf-8")
    code, output = invoke(folder, ["lint", "--format", "json", str(path)])
    refused = _error_codes(output) - ENGINE_HANDLED - {"LINT-VERSION-001"}
    if code == 2:  # not loadable at all: a coded message
        assert "error:" in output
    for name, args in SPEC_COMMANDS.items():
        args = [a.replace("{spec}", str(path)).replace("{out}", str(folder / name)) for a in args]
        exit_code, shown = invoke(folder, args, outputs=(name,))
        if refused or code == 2:  # one validation path: what lint refuses, no command uses
            assert exit_code == 2, f"lint refused ({sorted(refused)}); {args[:2]}:\n{shown}"


PROFILE = {
    "profile_format": 1,
    "name": "generated",
    "country": "KEN",
    "reference_date": "2030-01-01",
    "languages": ["en", "fr"],
    "modules": [
        {
            "module": str(MINI),
            "ids": {"hh_id": "HH", "person_no": "PN"},
            "variables": {"age": "AGE", "country_of_birth": "COB"},
            "recodes": {"reasons": {"1": 1, "2": 2, "else": 7}},
            "exclude": ["any_member_abroad"],
            "parameters": {"MIN_AGE": 5},
        }
    ],
}


@RELIABILITY
@given(profile=mutated(PROFILE))
def test_generated_profiles(profile, tmp_path_factory):
    folder = tmp_path_factory.mktemp("profile")
    path = folder / "p.yaml"
    path.write_text(_dump(profile), encoding="utf-8")
    code, output = invoke(folder, ["profile", "check", "--format", "json", str(path)])
    # `profile check` refuses (exit 2) what cannot be loaded; its other errors (an unknown
    # question, exit 1) are reported by the exports too, which still write (test_profile.py).
    refused = code == 2
    for name, args in {
        "out.sps": ["export", "spss", "--profile", str(path), "-o", str(folder / "out.sps")],
        "out.md": [
            "handout",
            "--profile",
            str(path),
            "--format",
            "md",
            "-o",
            str(folder / "out.md"),
        ],
    }.items():
        exit_code, shown = invoke(folder, args, outputs=(name,))
        if refused:
            assert exit_code == 2, f"profile check refused; {args[:2]}:\n{shown}"


# data files ------------------------------------------------------------------------------------
NAMES = ["hh_id", "person_no", "age", "country_of_birth", "year_of_arrival", "reasons"]
name = st.one_of(
    st.sampled_from(NAMES), st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,10}", fullmatch=True)
)
cell = st.one_of(
    st.sampled_from(["1", "2", "404", "999", "", "2010", "-1", "1e400", "9007199254740993"]),
    st.integers(min_value=-(2**40), max_value=2**40).map(str),
    hostile_text,
)


@st.composite
def csv_files(draw) -> bytes:
    columns = draw(st.lists(name, min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns)), max_size=6))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    sep = draw(st.sampled_from([",", ";", "\t"]))

    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    lines = [sep.join(map(quoted, columns))] + [sep.join(map(quoted, row)) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding, errors="replace")


def _validate_and_label(folder: Path, data: Path) -> None:
    report = folder / "r.json"
    code, _ = invoke(
        folder,
        ["validate", str(data), "--module", str(MINI), "--country", "KE", "--report", str(report)],
        outputs=("r.json",),
    )
    if code in (0, 1):
        assert json.loads(report.read_text(encoding="utf-8"))["valid"] is (code == 0)
    invoke(
        folder,
        [
            "apply-labels",
            str(data),
            "--module",
            str(MINI),
            "--country",
            "KE",
            "-o",
            str(folder / "o.sav"),
        ],
        outputs=("o.sav",),
    )


@RELIABILITY
@given(content=csv_files())
def test_generated_csv_files(content, tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv")
    data = folder / "data.csv"
    data.write_bytes(content)
    _validate_and_label(folder, data)


@st.composite
def sav_frames(draw):
    import pandas as pd

    columns = draw(st.lists(name, min_size=1, max_size=5, unique_by=str.lower))
    n = draw(st.integers(min_value=0, max_value=5))
    frame = {}
    for column in columns:
        if draw(st.booleans()):
            values = draw(
                st.lists(st.one_of(st.none(), st.floats(-1e12, 1e12)), min_size=n, max_size=n)
            )
            frame[column] = pd.Series(values, dtype="float64")
        else:
            values = draw(st.lists(st.text(max_size=20), min_size=n, max_size=n))
            frame[column] = pd.Series(values, dtype=object)
    labels = {
        c: draw(st.dictionaries(st.integers(-(2**31), 2**31 - 1), hostile_text, max_size=3))
        for c in columns
        if frame[c].dtype == "float64"
    }
    variable_labels = [draw(hostile_text) for _ in columns]
    return pd.DataFrame(frame), labels, variable_labels


@RELIABILITY
@given(generated=sav_frames())
def test_generated_sav_files(generated, tmp_path_factory):
    import pyreadstat

    frame, labels, variable_labels = generated
    folder = tmp_path_factory.mktemp("sav")
    data = folder / "data.sav"
    clean = [label.replace("\x00", " ") for label in variable_labels]
    try:
        pyreadstat.write_sav(
            frame,
            str(data),
            column_labels=clean,
            variable_value_labels={
                k: {c: v.replace("\x00", " ") for c, v in d.items()} for k, d in labels.items()
            },
        )
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, UnicodeError, ValueError):
        return  # a file SPSS itself could not hold
    _validate_and_label(folder, data)
