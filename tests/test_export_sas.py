"""SAS export: PROC FORMAT and the %migmodule_labels macro.

No SAS runs here. The program is read back by a small reader that follows the SAS language
reference: statements end with `;` outside quotes, a quoted string doubles its own quote, format
names are at most 32 characters and do not end in a digit, special missing values are `.A`-`.Z`,
and every `FORMAT var fmt.;` names a format defined in PROC FORMAT.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.export.sas import format_name, sas_program, sas_string
from migmodule.profile import ModuleSettings, Profile, adapt
from migmodule.spec.registry import list_modules

MINI = Path(__file__).parent / "specs" / "mini.yaml"
SAS_STRING = r"'(?:[^']|'')*'"


def statements(text: str) -> list[str]:
    """The statements of a SAS program (comments removed), checking that quotes balance."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out, current, quoted = [], [], False
    for char in text:
        current.append(char)
        if char == "'":
            quoted = not quoted
        elif char == ";" and not quoted:
            out.append(" ".join("".join(current).split()))
            current = []
    assert not quoted, "unbalanced quote"
    assert not "".join(current).strip(), "last statement not ended"
    return out


def read_program(text: str) -> dict:
    formats: dict[str, dict[str, str]] = {}
    labels: dict[str, str] = {}
    used: dict[str, str] = {}
    specials: list[tuple[str, str, str]] = []
    for statement in statements(text):
        if statement.startswith("VALUE "):
            name = statement.split()[1]
            assert len(name) <= 32 and not name[-1].isdigit(), name
            pairs = re.findall(rf"(-?\d+|\.[A-Z]) = ({SAS_STRING})", statement)
            formats[name] = {v: s[1:-1].replace("''", "'") for v, s in pairs}
        elif statement.startswith("LABEL "):
            match = re.fullmatch(rf"LABEL (\w+) = ({SAS_STRING});", statement)
            assert match, statement
            labels[match[1]] = match[2][1:-1].replace("''", "'")
        elif statement.startswith("FORMAT "):
            match = re.fullmatch(r"FORMAT (\w+) (\w+)\.;", statement)
            assert match, statement
            used[match[1]] = match[2]
        elif re.match(r"IF \w+ = -?\d+ THEN \w+ = \.[A-Z];", statement):
            var, code, letter = re.match(
                r"IF (\w+) = (-?\d+) THEN \w+ = (\.[A-Z]);", statement
            ).groups()
            specials.append((var, code, letter))
    for var, name in used.items():
        assert name in formats, f"FORMAT {var} {name}. has no VALUE"
    for var, _code, letter in specials:
        assert letter in formats[used[var]], (var, letter)
    for label in labels.values():
        assert len(label) <= 256
    return {"formats": formats, "labels": labels, "used": used, "specials": specials}


def test_strings_and_format_names():
    assert sas_string("Don't know") == "'Don''t know'"
    assert sas_string("&x %y") == "'&x %y'"  # single quotes: no macro resolution
    assert format_name("countries_2") == "countries_2f"
    assert format_name("a" * 32) == "a" * 32


def test_mini_program():
    text, findings = sas_program(adapt(None, str(MINI), languages=["fr"]), "fr")
    assert findings == []
    program = read_program(text)
    assert program["formats"]["yes_no"] == {
        "1": "Oui",
        "2": "Non",
        ".A": "Ne sait pas",
        ".C": "Non déclaré",
    }
    assert program["labels"]["year_of_arrival"] == "Année d'arrivée"
    assert ("year_of_arrival", "9998", ".A") in program["specials"]
    assert program["used"]["country_of_birth"] == "countries"
    assert "%macro migmodule_labels(ds);" in text and "%mend migmodule_labels;" in text
    # every variable is guarded by its presence and type in the data set
    assert "%if %migmodule_type(&ds, age) = N %then %do;" in text


def test_recode_is_one_first_match_chain():
    profile = Profile(
        name="nat",
        country="KEN",
        languages=["en"],
        modules=[
            ModuleSettings(
                module=str(MINI),
                recodes={"any_member_abroad": {"1": 1, "3:4": 2, "0": None, "else": 9}},
            )
        ],
    )
    text, _ = sas_program(adapt(profile), "en")
    assert (
        "    _mm_x = any_member_abroad;\n"
        "    IF _mm_x = 0 THEN any_member_abroad = .;\n"
        "    ELSE IF _mm_x = 1 THEN any_member_abroad = 1;\n"
        "    ELSE IF 3 <= _mm_x <= 4 THEN any_member_abroad = 2;\n"
        "    ELSE IF NOT MISSING(_mm_x) THEN any_member_abroad = 9;\n"
    ) in text
    read_program(text)


@pytest.mark.parametrize("ref", [e.ref for e in list_modules()])
def test_every_module_reads_back(ref):
    for lang in ("en", "fr", "es"):
        text, _ = sas_program(adapt(None, ref, languages=[lang]), lang)
        read_program(text)


def test_cli(tmp_path):
    out = tmp_path / "labels.sas"
    result = CliRunner().invoke(main, ["export", "sas", str(MINI), "-o", str(out)])
    assert result.exit_code == 0, result.output
    read_program(out.read_text(encoding="utf-8"))
