"""Start-up: the quick commands import no data library (pandas, pyarrow, polars, numpy readers).

A behaviour test, not a timed one: each command runs in a fresh interpreter and reports which heavy
modules it imported. The start-up times themselves are measured by bench/bench_validate.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "pyarrow", "polars", "polars_readstat", "pyreadstat", "dask", "distributed")

PROBE = """
import json, sys
sys.argv = ["migmodule", *json.loads(sys.argv[1])]
from migmodule.cli import main
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def imported_by(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), json.dumps(list(args))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [("--version",), ("list",), ("--help",)])
def test_quick_commands_import_no_data_library(args):
    assert imported_by(*args) == []


def test_the_probe_sees_a_command_that_reads_data(tmp_path):
    """validate on a CSV does import the data libraries: the probe sees them, so the empty lists
    above mean something."""
    data = tmp_path / "persons.csv"
    data.write_text("hh_id,person_no,age\n1,1,30\n", encoding="utf-8")
    spec = Path(__file__).parent / "specs" / "mini.yaml"
    assert "pandas" in imported_by("validate", str(data), "--module", str(spec))
