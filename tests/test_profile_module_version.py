"""-m MODULE@VERSION with a profile that adapts another version of that module is refused: the
profile's version used to be validated in its place, without a word."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.codes import MigmoduleError
from migmodule.profile import adapt, load_profile

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PROFILE = SAMPLES / "census.profile.yaml"  # adapts census-key-questions@1.0.0


def test_another_version_than_the_profiles_is_refused_with_the_profiles_line():
    with pytest.raises(MigmoduleError) as caught:
        adapt(load_profile(PROFILE), "census-key-questions@2.0.0")
    finding = caught.value.finding
    assert finding.code == "PROFILE-MODULE-001"
    assert finding.location.file.endswith("census.profile.yaml") and finding.location.line
    assert (
        "census-key-questions@1.0.0" in finding.message
        and "-m census-key-questions" in finding.message
    )


@pytest.mark.parametrize("ref", ["census-key-questions", "census-key-questions@1.0.0"])
def test_the_profiles_version_or_no_version_adapts_the_profiles_module(ref):
    (adapted,) = adapt(load_profile(PROFILE), ref)
    assert adapted.module.ref == "census-key-questions@1.0.0"


def test_validate_refuses_it_before_reading_the_data(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "validate",
            str(SAMPLES / "census_persons.sav"),
            "--profile",
            str(PROFILE),
            "-m",
            "census-key-questions@2.0.0",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "PROFILE-MODULE-001" in result.output and "Traceback" not in result.output
