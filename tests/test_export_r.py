"""R export: `migmodule_labels(data)` run by R with haven on real .sav and .dta files.

R and haven come from the Debian packages (`apt-get install r-base-core r-cran-haven`); the tests
that run R are skipped, saying so, where `Rscript` or haven is missing. The text checks run
everywhere.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.export.r import export_r, r_script, r_string
from migmodule.profile import ModuleSettings, Profile, adapt

MINI = Path(__file__).parent / "specs" / "mini.yaml"


@cache
def have_haven() -> bool:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return False
    out = subprocess.run(
        [rscript, "-e", "library(haven)"], capture_output=True, text=True, timeout=120
    )
    return out.returncode == 0


needs_r = pytest.mark.skipif(
    not have_haven(),
    reason="R with haven is not installed here (apt-get install r-base-core r-cran-haven)",
)


def run_r(script: Path, data: Path, reader: str, out: Path, folder: Path) -> str:
    runner = folder / "run.R"
    runner.write_text(
        f'data <- haven::{reader}("{data}"{", user_na = TRUE" if reader == "read_sav" else ""})\n'
        f'source("{script}", encoding = "UTF-8")\n'
        "data <- migmodule_labels(data)\n"
        'stopifnot(inherits(data[["year_of_arrival"]], "haven_labelled_spss"))\n'
        f'haven::write_sav(data, "{out}")\n',
        encoding="utf-8",
    )
    done = subprocess.run(["Rscript", str(runner)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stderr


def _profile() -> Profile:
    recodes = {"any_member_abroad": {"1": 1, "3:4": 2, "0": None, "else": 9}}
    return Profile(
        name="nat",
        country="KEN",
        languages=["fr"],
        modules=[ModuleSettings(module=str(MINI), recodes=recodes)],
    )


FRAME = {
    "age": [30.0, 999.0, None, 5.0],
    "country_of_birth": [404.0, 998.0, 999.0, 4.0],
    "year_of_arrival": [2001.0, 9998.0, 9999.0, None],
    "any_member_abroad": [1.0, 3.0, 0.0, 7.0],
}


def test_r_strings_escape_quotes_and_backslashes():
    assert r_string('say "hi" \\ now') == '"say \\"hi\\" \\\\ now"'
    text, _ = r_script(adapt(None, str(MINI), languages=["fr"]), "fr")
    assert 'label = "Année d\'arrivée"' in text
    assert "na_values = c(9998, 9999)" in text


def _check_sav(out: Path) -> None:
    frame, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert frame["year_of_arrival"].tolist()[:3] == [2001, 9998, 9999]
    assert {r["lo"] for r in meta.missing_ranges["year_of_arrival"]} == {9998, 9999}
    assert meta.column_names_to_labels["year_of_arrival"] == "Année d'arrivée"
    assert meta.variable_value_labels["country_of_birth"][998] == "Ne sait pas"
    # the recode, rule by rule: 1 -> 1, 3:4 -> 2, 0 -> blank, else -> 9
    assert [None if pd.isna(v) else v for v in frame["any_member_abroad"]] == [1, 2, None, 9]


@needs_r
def test_r_script_labels_a_sav_with_user_missing(tmp_path):
    data = tmp_path / "in.sav"
    pyreadstat.write_sav(
        pd.DataFrame(FRAME), str(data), missing_ranges={"year_of_arrival": [9998.0, 9999.0]}
    )
    script = tmp_path / "labels.R"
    export_r(adapt(_profile()), script, languages=["fr"])
    out = tmp_path / "out.sav"
    run_r(script, data, "read_sav", out, tmp_path)
    _check_sav(out)


@needs_r
def test_r_script_turns_stata_extended_missing_back_into_codes(tmp_path):
    data = tmp_path / "in.dta"
    frame = pd.DataFrame({**FRAME, "year_of_arrival": [2001.0, "a", "c", None]})
    pyreadstat.write_dta(frame, str(data), missing_user_values={"year_of_arrival": ["a", "c"]})
    script = tmp_path / "labels.R"
    export_r(adapt(_profile()), script, languages=["fr"])
    out = tmp_path / "out.sav"
    run_r(script, data, "read_dta", out, tmp_path)
    _check_sav(out)


def test_cli_writes_one_script_per_language(tmp_path):
    result = CliRunner().invoke(
        main, ["export", "r", str(MINI), "--lang", "en,fr", "-o", str(tmp_path / "l.R")]
    )
    assert result.exit_code == 0, result.output
    assert "migmodule_labels <- function(data)" in (tmp_path / "l.fr.R").read_text("utf-8")
    assert (tmp_path / "l.en.R").exists()
