"""A profile's side files (a crosswalk CSV, a code-list parameter CSV) are inputs of the command
that reads them: an output path naming one is refused (OUT-WRITE-002) and the file is unchanged.
`tabulate --report x.csv` is the output that can carry their name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from migmodule.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SIDE_FILES = ["national_countries.csv", "national_counties.csv"]  # crosswalk, ADMIN_AREAS


@pytest.fixture
def profile(tmp_path) -> Path:
    for name in ["national.profile.yaml", "national_persons.sav", *SIDE_FILES]:
        shutil.copy(SAMPLES / name, tmp_path / name)
    return tmp_path / "national.profile.yaml"


@pytest.mark.parametrize("side", SIDE_FILES)
def test_an_output_onto_a_side_file_of_the_profile_is_refused(profile, side):
    target = profile.parent / side
    before = target.read_bytes()
    data = profile.parent / "national_persons.sav"
    result = CliRunner().invoke(
        main, ["tabulate", str(data), "--profile", str(profile), "--report", str(target)]
    )
    assert result.exit_code == 2, result.output
    assert "OUT-WRITE-002" in result.output and "Traceback" not in result.output
    assert target.read_bytes() == before
