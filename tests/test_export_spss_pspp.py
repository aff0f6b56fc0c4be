"""The .sps files run through GNU PSPP, the free reader of SPSS syntax, on real .sav files.

PSPP comes from the Debian packages (`apt-get install pspp`); `.ci/run` installs it in CI, where a
missing `pspp` fails these tests. Locally they are skipped, saying so, when it is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from migmodule.export.labels import export_spss, variable_plans
from migmodule.profile import adapt, load_profile
from migmodule.spec.registry import list_modules

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
MINI = Path(__file__).parent / "specs" / "mini.yaml"
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
PSPP = shutil.which("pspp")

if PSPP is None and IN_CI:
    pytest.fail("pspp is not installed in CI: .ci/run should have installed it", pytrace=False)
pytestmark = pytest.mark.skipif(
    PSPP is None, reason="GNU PSPP is not installed here (apt-get install pspp); CI runs these"
)


def run_pspp(data: Path, syntax: Path, out: Path, folder: Path) -> list[str]:
    """Load the data, run the syntax, save; the error and warning messages PSPP printed."""
    script = folder / "run.sps"
    script.write_text(
        f"GET FILE='{data}'.\nINSERT FILE='{syntax}' ERROR=CONTINUE.\nSAVE OUTFILE='{out}'.\n",
        encoding="utf-8",
    )
    listing = folder / "run.txt"
    subprocess.run(
        [PSPP, "-O", "format=txt", str(script), "-o", str(listing)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = re.sub(r"\n(?=\S)(?!\S+: (?:error|warning))", " ", listing.read_text(encoding="utf-8"))
    return [line for line in text.splitlines() if re.search(r": (error|warning):", line)]


def _module_data(adapted, path: Path) -> None:
    """A .sav holding every variable of the modules under its module name, with every code."""
    columns = {}
    for plan in variable_plans(adapted[0], adapted[0].languages[0]):
        codes = sorted(plan.value_labels) or [1, 2]
        if plan.numeric:
            columns[plan.name] = [float(codes[i % len(codes)]) for i in range(6)]
        else:
            columns[plan.name] = ["x"] * 6
    pyreadstat.write_sav(pd.DataFrame(columns), str(path))


@pytest.mark.parametrize("ref", [str(MINI)] + [e.ref for e in list_modules()])
def test_sps_runs_clean_in_pspp_on_data_with_the_module_names(tmp_path, ref):
    adapted = adapt(None, ref, country="KEN", languages=["en", "fr", "es"])
    data = tmp_path / "data.sav"
    _module_data(adapted, data)
    result = export_spss(adapted, tmp_path / "labels.sps", languages=["en", "fr", "es"])
    for lang, syntax in zip(["en", "fr", "es"], result.paths, strict=True):
        out = tmp_path / f"out.{lang}.sav"
        assert run_pspp(data, syntax, out, tmp_path) == [], syntax.name
        _, meta = pyreadstat.read_sav(str(out), user_missing=True)
        for plan in variable_plans(adapted[0], lang):
            assert meta.column_names_to_labels[plan.name] == " ".join(plan.label.split())[:256]
            if plan.numeric and plan.value_labels:
                labels = meta.variable_value_labels[plan.name]
                assert set(labels) == {float(c) for c in plan.value_labels}, plan.name
            if plan.numeric and plan.missing:
                declared = meta.missing_ranges[plan.name]
                covered = {c for c in plan.missing for r in declared if r["lo"] <= c <= r["hi"]}
                assert covered == set(plan.missing) or len(plan.missing) > 3, plan.name


def test_sps_on_the_national_sample_recodes_and_labels(tmp_path):
    """samples/national_persons.sav with its profile: national names, range and else recodes,
    ISO alpha-3 text codes. PSPP refuses only commands for variables the file does not hold."""
    profile = SAMPLES / "national.profile.yaml"
    adapted = adapt(load_profile(str(profile)), languages=["en"])
    data = SAMPLES / "national_persons.sav"
    syntax = tmp_path / "national.sps"
    export_spss(adapted, syntax, languages=["en"])
    out = tmp_path / "out.sav"
    messages = run_pspp(data, syntax, out, tmp_path)
    before, meta_in = pyreadstat.read_sav(str(data), user_missing=True)
    absent = {
        m[1] for m in (re.search(r": (\w+) is not a variable name", m) for m in messages) if m
    }
    assert all("is not a variable name" in m for m in messages), messages
    assert not absent & set(meta_in.column_names)  # only variables the file does not hold
    frame, meta = pyreadstat.read_sav(str(out), user_missing=True)
    # every recoded column equals the reference rule (Recode.lookup) applied to the input:
    # ranges (P23_REASON 11:14 -> 1), else (P17_CITIZEN -> 9), null (P27_RES1Y 0 -> blank)
    for question, column in [
        ("reason_for_migration", "P23_REASON"),
        ("citizenship", "P17_CITIZEN"),
        ("residence_1y_ago", "P27_RES1Y"),
    ]:
        recode = adapted[0].recode(question)
        expected = []
        for value in before[column]:
            matched, standard = recode.lookup(value)
            expected.append(standard if matched else value)
        got = frame[column].tolist()
        assert [None if pd.isna(v) else v for v in got] == [
            None if v is None or pd.isna(v) else v for v in expected
        ], column
    assert (frame["P23_REASON"] == 1).sum() == before["P23_REASON"].between(11, 14).sum() > 0
    assert (
        frame["P27_RES1Y"].isna().sum()
        == (before["P27_RES1Y"].isna() | (before["P27_RES1Y"] == 0)).sum()
    )
    # ISO alpha-3 text became M49 numbers; the text is kept beside it
    assert (frame["P25_MOTHER_COB"] == 404).sum() == (before["P25_MOTHER_COB"] == "KEN").sum()
    assert list(frame["P25_MOTHER_COB_text"]) == list(before["P25_MOTHER_COB"])
    assert meta.variable_value_labels["P25_MOTHER_COB"][404.0].startswith("Kenya")
    assert meta.column_names_to_labels["P11_SEX"] == "Sex"
    assert meta.variable_value_labels["P11_SEX"]
