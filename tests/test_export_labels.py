"""Stata .do and SPSS .sps label syntax (checked by small parsers of our own) and apply-labels
(checked by reading the written .dta/.sav back with pyreadstat)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.export.labels import (
    VariablePlan,
    apply_labels,
    spss_missing,
    spss_syntax,
    stata_syntax,
)
from migmodule.profile import ModuleSettings, Profile, adapt
from migmodule.spec.model import SpecialKind
from migmodule.spec.registry import list_modules, load_module

MINI = Path(__file__).parent / "specs" / "mini.yaml"
LANGS = ["en", "fr", "es"]


# --- a reader of the Stata syntax we write ---------------------------------------------------------
STATA_STRING = r'(?:`"(?:.*?)"\'|"(?:[^"]*)")'


def parse_do(text: str) -> dict:
    """Label sets, value-label assignments, variable labels and missing recodes of a .do file."""
    joined = re.sub(r" ///\n\s*", " ", text)  # /// continues a line
    sets, values, variables, replaces = {}, {}, {}, []
    for line in joined.splitlines():
        line = line.strip()
        if line.startswith("label define "):
            match = re.fullmatch(r"label define (\w+) (.*) , replace", line)
            assert match, line
            pairs = re.findall(rf"(-?\d+|\.[a-z]) ({STATA_STRING})", match[2])
            assert " ".join(f"{c} {s}" for c, s in pairs) == match[2].strip(), line
            assert len(match[1]) <= 32
            sets[match[1]] = {code: s for code, s in pairs}
        elif line.startswith("label values "):
            _, _, var, name = line.split()
            values[var] = name
        elif line.startswith("label variable "):
            match = re.fullmatch(rf"label variable (\w+) ({STATA_STRING})", line)
            assert match, line
            variables[match[1]] = match[2].strip("`\"'")
        elif line.startswith("replace "):
            match = re.fullmatch(r"replace (\w+) = \.([a-z]) if (\w+) == (-?\d+)", line)
            assert match and match[1] == match[3], line
            replaces.append((match[1], match[2], int(match[4])))
    return {"sets": sets, "values": values, "variables": variables, "replaces": replaces}


def check_do(text: str) -> dict:
    parsed = parse_do(text)
    assert text.count("if !_rc {") == text.count("\n}")
    for var, name in parsed["values"].items():
        assert name in parsed["sets"], f"label values {var} {name}: set not defined"
    for var, label in parsed["variables"].items():
        assert len(label) <= 80, var
    for var, letter, _code in parsed["replaces"]:
        assert f".{letter}" in parsed["sets"][parsed["values"][var]], (var, letter)
    return parsed


# --- a reader of the SPSS syntax we write ----------------------------------------------------------
def spss_commands(text: str) -> list[str]:
    """Commands: lines up to one ending in a period outside quotes."""
    commands, current = [], []
    for line in text.splitlines():
        if not line.strip() or line.startswith("*"):
            assert not current or line.strip(), "blank line inside a command"
            if line.startswith("*"):
                assert line.endswith("."), line
            continue
        current.append(line)
        outside = re.sub(r"'(?:[^']|'')*'", "", line)
        assert "'" not in outside, f"unbalanced quote: {line}"
        if outside.rstrip().endswith("."):
            commands.append("\n".join(current))
            current = []
    assert not current, "last command not terminated"
    return commands


def check_sps(text: str) -> dict:
    assert text.startswith("* Encoding: UTF-8.")
    parsed = {"labels": {}, "values": {}, "missing": {}}
    for command in spss_commands(text):
        keyword = command.split()[0]
        if command.startswith("VARIABLE LABELS"):
            match = re.fullmatch(r"VARIABLE LABELS (\S+) '((?:[^']|'')*)'\.", command)
            assert match, command
            label = match[2].replace("''", "'")
            assert len(label.encode()) <= 256
            parsed["labels"][match[1]] = label
        elif command.startswith("VALUE LABELS"):
            lines = command.splitlines()
            var = lines[0].split()[2]
            pairs = {}
            for line in lines[1:]:
                match = re.fullmatch(r"  (-?\d+) '((?:[^']|'')*)'\.?", line)
                assert match, line
                label = match[2].replace("''", "'")
                assert len(label.encode()) <= 120
                pairs[int(match[1])] = label
            parsed["values"][var] = pairs
        elif command.startswith("MISSING VALUES"):
            match = re.fullmatch(r"MISSING VALUES (\S+) \((.*)\)\.", command)
            assert match, command
            parts = [p.strip() for p in match[2].split(",")]
            ranges = [p for p in parts if "THRU" in p]
            assert (not ranges and len(parts) <= 3) or (len(ranges) == 1 and len(parts) <= 2), (
                command
            )
            parsed["missing"][match[1]] = parts
        else:
            assert keyword in ("RECODE", "EXECUTE."), command
    assert text.rstrip().endswith("EXECUTE.")
    return parsed


# --- tests ---------------------------------------------------------------------------------------------
def test_stata_mini_structure():
    text, findings = stata_syntax(adapt(None, str(MINI)), "en")
    assert findings == []
    parsed = check_do(text)
    assert parsed["sets"]["yes_no"] == {
        "1": '"Yes"',
        "2": '"No"',
        ".a": '"Don\'t know"',
        ".c": '"Not stated"',
    }
    assert parsed["values"]["country_of_birth"] == "countries"
    assert ("year_of_arrival", "a", 9998) in parsed["replaces"]
    assert ("year_of_arrival", "c", 9999) in parsed["replaces"]
    assert "notes year_of_arrival: Asked of persons born abroad." in text
    assert "reasons" not in parsed["values"]  # select_multiple is text data: no value labels
    assert "mini@1.0.0 (no national profile)" in text.splitlines()[0]


def test_spss_mini_structure():
    text, findings = spss_syntax(adapt(None, str(MINI)), "fr")
    assert findings == []
    parsed = check_sps(text)
    assert parsed["labels"]["year_of_arrival"] == "Année d'arrivée"
    assert parsed["values"]["any_member_abroad"] == {
        1: "Oui",
        2: "Non",
        8: "Ne sait pas",
        9: "Non déclaré",
    }
    assert parsed["missing"]["year_of_arrival"] == ["9998", "9999"]
    assert "reasons" not in parsed["values"]


def _plan(codes: list[int]) -> VariablePlan:
    return VariablePlan(
        item="q",
        name="q",
        label="Q",
        numeric=True,
        module=load_module(str(MINI)),
        missing=dict.fromkeys(codes, SpecialKind.NOT_STATED),
    )


@pytest.mark.parametrize(
    "codes, values, span, finding",
    [
        ([97, 98, 99], [97, 98, 99], None, None),
        ([96, 97, 98, 99], [], (96, 99), "SPSS-MISSING-001"),
        ([7, 97, 98, 99], [7], (97, 99), "SPSS-MISSING-001"),
        ([1, 3, 5, 7], [1, 3, 5], None, "SPSS-MISSING-002"),
    ],
)
def test_spss_missing_value_rules(codes, values, span, finding):
    findings = []
    assert spss_missing(_plan(codes), findings) == (values, span)
    assert [f.code for f in findings] == ([finding] if finding else [])


def test_long_labels_are_cut_with_a_finding(tmp_path):
    long_label = "Country of birth as reported by the respondent " * 4
    spec = MINI.read_text(encoding="utf-8").replace(
        "variable_label: {en: Country of birth,", f"variable_label: {{en: {long_label.strip()},"
    )
    path = tmp_path / "long.yaml"
    path.write_text(spec, encoding="utf-8")
    text, findings = stata_syntax(adapt(None, str(path)), "en")
    parsed = check_do(text)
    assert len(parsed["variables"]["country_of_birth"]) == 80
    assert [f.code for f in findings] == ["LABEL-LENGTH-001"]
    assert findings[0].location.variable == "country_of_birth"
    text, findings = spss_syntax(adapt(None, str(path)), "en")
    assert findings == []  # within SPSS's 256 bytes


def test_quotes_and_macros_are_escaped(tmp_path):
    spec = MINI.read_text(encoding="utf-8").replace(
        "variable_label: {en: Country of birth,",
        "variable_label: {en: 'The \"born\" country $HOME `x''',",
    )
    path = tmp_path / "quotes.yaml"
    path.write_text(spec, encoding="utf-8")
    stata, _ = stata_syntax(adapt(None, str(path)), "en")
    assert 'label variable country_of_birth `"The "born" country \\$HOME \\`x\'"\'' in stata
    spss, _ = spss_syntax(adapt(None, str(path)), "en")
    assert check_sps(spss)["labels"]["country_of_birth"] == 'The "born" country $HOME `x\''


MODULES = [entry.ref for entry in list_modules()] + [str(MINI)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("ref", MODULES)
def test_every_module_gives_well_formed_syntax_within_limits(ref, lang):
    adapted = adapt(None, ref, languages=[lang])
    stata, stata_findings = stata_syntax(adapted, lang)
    check_do(stata)
    spss, spss_findings = spss_syntax(adapted, lang)
    check_sps(spss)
    # every finding is coded and located (a name the format refuses is reported, never written)
    for finding in stata_findings + spss_findings:
        assert finding.location.module and finding.location.variable
        if finding.code == "LABEL-NAME-001":
            assert f"label variable {finding.location.variable} " not in stata


def _frame():
    return pd.DataFrame(
        {
            "age": [30, 999, None, 5],
            "country_of_birth": [404, 998, 999, 1001],
            "year_of_arrival": [2000, 9998, None, 9999],
            "extra": [1, 2, 3, 4],
        }
    )


def test_apply_labels_dta_round_trip(tmp_path):
    data = tmp_path / "persons.csv"
    _frame().to_csv(data, index=False)
    profile = Profile(
        name="ken",
        country="KEN",
        languages=["fr"],
        modules=[ModuleSettings(module=str(MINI), recodes={"country_of_birth": {"1001": 404}})],
    )
    out = tmp_path / "labelled.dta"
    result = apply_labels(data, adapt(profile), out)
    assert {f.code for f in result.findings} == {"APPLY-VAR-001", "APPLY-VAR-002"}
    # output_format="dict": pandas output mangles system missing after tagged missing (formats.md 4.9)
    frame, meta = pyreadstat.read_dta(str(out), user_missing=True, output_format="dict")
    assert list(frame["age"]) == [30, "c", None, 5]
    assert list(frame["country_of_birth"]) == [404, "a", "c", 404]  # 1001 recoded to 404
    assert meta.missing_user_values == {
        "age": ["c"],
        "country_of_birth": ["a", "c"],
        "year_of_arrival": ["a", "c"],
    }
    assert meta.column_names_to_labels["year_of_arrival"] == "Année d'arrivée"
    assert meta.variable_value_labels["country_of_birth"][404] == "Kenya (le)"
    assert meta.variable_value_labels["year_of_arrival"] == {"a": "Ne sait pas", "c": "Non déclaré"}
    assert "ken" in meta.file_label


def test_apply_labels_sav_round_trip(tmp_path):
    data = tmp_path / "persons.sav"
    pyreadstat.write_sav(_frame(), str(data))
    out = tmp_path / "labelled.sav"
    apply_labels(data, adapt(None, str(MINI), languages=["es"]), out)
    frame, meta = pyreadstat.read_sav(str(out), user_missing=True)
    assert frame["age"].tolist()[:2] == [30, 999]
    assert meta.missing_ranges["year_of_arrival"] == [
        {"lo": 9998, "hi": 9998},
        {"lo": 9999, "hi": 9999},
    ]
    assert meta.column_names_to_labels["age"] == "Edad en años cumplidos"
    assert meta.variable_value_labels["country_of_birth"][998] == "No sabe"
    without, _ = pyreadstat.read_sav(str(out))
    assert without["age"].isna().tolist() == [False, True, True, False]


def test_apply_labels_refuses_other_outputs_and_unreadable_input(tmp_path):
    data = tmp_path / "d.csv"
    _frame().to_csv(data, index=False)
    runner = CliRunner()
    result = runner.invoke(
        main, ["apply-labels", str(data), "--module", str(MINI), "-o", str(tmp_path / "x.xlsx")]
    )
    assert result.exit_code == 2 and "APPLY-FORMAT-001" in result.output
    bad = tmp_path / "bad.dta"
    bad.write_bytes(b"not stata")
    result = runner.invoke(
        main, ["apply-labels", str(bad), "--module", str(MINI), "-o", str(tmp_path / "x.dta")]
    )
    assert result.exit_code == 2 and "APPLY-READ-001" in result.output


def test_cli_stata_one_file_per_language(tmp_path):
    out = tmp_path / "labels.do"
    result = CliRunner().invoke(
        main, ["export", "stata", str(MINI), "--lang", "en,fr", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Année d'arrivée" in (tmp_path / "labels.fr.do").read_text(encoding="utf-8")
    check_do((tmp_path / "labels.en.do").read_text(encoding="utf-8"))


def test_cli_spss_and_apply_labels(tmp_path):
    out = tmp_path / "labels.sps"
    result = CliRunner().invoke(main, ["export", "spss", str(MINI), "--lang", "fr", "-o", str(out)])
    assert result.exit_code == 0, result.output
    check_sps(out.read_text(encoding="utf-8"))
    data = tmp_path / "d.csv"
    _frame().to_csv(data, index=False)
    result = CliRunner().invoke(
        main,
        [
            "apply-labels",
            str(data),
            "--module",
            str(MINI),
            "-o",
            str(tmp_path / "l.sav"),
            "--fail-on",
            "info",
        ],
    )
    assert result.exit_code == 1  # info findings: variables not in the data
    assert pyreadstat.read_sav(str(tmp_path / "l.sav"))[1].column_names_to_labels["age"]
