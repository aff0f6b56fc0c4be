"""The fixed hostile corpus (`tests/hostile/`) through every command that reads it (issue 20).

For every file: each command exits 0, 1 or 2; no traceback; the run finishes within a bound; the
inputs are unchanged (checksums); an output path holds either a whole file or nothing, and no
hidden `.part` file is left. One subprocess per corpus file runs its commands in-process with
click's runner, so a hang fails as a timeout of that subprocess."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = Path(__file__).parent / "hostile"
BOUND = 120  # seconds for all the commands of one file: a hang guard, not a timing target
ROOT = Path(__file__).resolve().parents[1]

SPEC_COMMANDS = [
    ["lint", "{file}"],
    ["export", "xlsform", "{file}", "--country", "KEN", "-o", "out.xlsx"],
    ["export", "stata", "{file}", "--country", "KEN", "-o", "out.do"],
    ["export", "cspro", "{file}", "--country", "KEN", "-o", "out.dcf"],
    ["handout", "{file}", "--format", "md", "-o", "out.md"],
]
PROFILE_COMMANDS = [
    ["profile", "check", "{file}"],
    ["export", "spss", "--profile", "{file}", "-o", "out.sps"],
    ["export", "xlsform", "--profile", "{file}", "-o", "out.xlsx"],
]

RUNNER = """
import json, sys, traceback
from click.testing import CliRunner
from migmodule.cli import main
results = []
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(main, args)
    error = result.exception
    crashed = error is not None and not isinstance(error, SystemExit)
    results.append({
        "args": args,
        "code": result.exit_code,
        "output": result.output[-2000:],
        "traceback": "".join(traceback.format_exception(error))[-3000:] if crashed else "",
    })
print(json.dumps(results))
"""


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.yaml")}


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.glob("*.yaml")))
def test_hostile_file_gets_a_coded_answer_in_bounded_time(name, tmp_path):
    shutil.copy(HOSTILE / name, tmp_path / name)
    commands = PROFILE_COMMANDS if name.startswith("profile_") else SPEC_COMMANDS
    runs = [[part.replace("{file}", f"./{name}") for part in args] for args in commands]
    before = _digest(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(runs)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=BOUND,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for result in json.loads(done.stdout):
        shown = " ".join(result["args"])
        assert result["traceback"] == "", f"{shown}:\n{result['traceback']}"
        assert result["code"] in (0, 1, 2), f"{shown}: exit {result['code']}"
        assert "Traceback" not in result["output"], f"{shown}:\n{result['output']}"
    assert _digest(tmp_path) == before  # inputs unchanged
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    for output in tmp_path.glob("out.*"):
        assert output.stat().st_size > 0  # whole or absent, never an empty stub


def test_corpus_covers_specs_and_profiles():
    names = [p.name for p in HOSTILE.glob("*.yaml")]
    assert any(n.startswith("spec_") for n in names) and any(
        n.startswith("profile_") for n in names
    )
