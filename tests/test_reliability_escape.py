"""Hostile text reaches every syntax file and workbook only as a literal (issue 20).

A profile name and the spec's labels hold a newline followed by a command (Stata `shell`, an SPSS
command, a CSPro `//` comment escape), compound quotes, macro characters and a spreadsheet formula.
Each output is read the way its target reads it: a small Stata tokenizer for `.do`, GNU PSPP for
`.sps`, R's own parser for `.R`, the SAS and CSPro comment and string rules for `.sas` / `.apc`,
openpyxl for `.xlsx`. The commands must appear only inside strings and comments.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migmodule.escape import (
    line_comment,
    one_line,
    sas_comment,
    spss_comment,
    stata_comment,
    xlsx_literals,
)
from migmodule.export.cspro import export_cspro
from migmodule.export.labels import export_spss, export_stata
from migmodule.export.r import export_r
from migmodule.export.sas import export_sas
from migmodule.export.xlsform import export_xlsform
from migmodule.profile import adapt, load_profile

MINI = Path(__file__).parent / "specs" / "mini.yaml"
MARK = "PWNED"
HOSTILE = (
    "=cmd|' /C calc'!A0 \"'`\"' $HOME `pwd'\n"
    f"shell rm -rf /tmp/{MARK}\r\n"
    f"// */ END\x85FREQUENCIES {MARK}.\u2028"
    f"* /* {MARK} ///\n"
    f"!{MARK} \x00 \u202e <b>{MARK}</b>"
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> list:
    """The mini module with every label and the title prefixed by hostile text, and a profile
    whose name is hostile: the two ways user text reaches an export."""
    folder = tmp_path_factory.mktemp("hostile")
    spec = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    spec["title"] = {lang: HOSTILE for lang in spec["title"]}
    for code_list in spec["code_lists"]:
        for code in code_list.get("codes", []):
            code["label"] = {k: f"{HOSTILE} {v}" for k, v in code["label"].items()}
    for question in spec["questions"]:
        for key in ("label", "variable_label"):
            if isinstance(question.get(key), dict):
                question[key] = {k: f"{HOSTILE} {v}" for k, v in question[key].items()}
    (folder / "h.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    profile = {
        "profile_format": 1,
        "name": HOSTILE,
        "country": "KEN",
        "modules": [{"module": str(folder / "h.yaml")}],
    }
    path = folder / "p.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    return adapt(load_profile(path), languages=["en"])


# Stata -------------------------------------------------------------------------------------------
def stata_code(text: str) -> str:
    """The .do file as Stata runs it, with comments and literal text blanked, in one pass: strings
    `"..."` and compound `` `"..."' `` (they nest), block comments `/* */` (they nest), `//` to the
    end of the line, `///` joining the next line, a line starting with `*` a comment, and the text
    of `notes NAME: text` (Stata keeps the rest of the line as the note)."""
    code, i, line_start = [], 0, True
    while i < len(text):
        if line_start:
            rest = text[i:].lstrip(" \t")
            i += len(text) - i - len(rest)
            if rest.startswith("*") or re.match(r"notes \w+:", rest):
                end = text.find("\n", i)
                i = len(text) if end < 0 else end
                continue
        line_start = False
        if text.startswith('`"', i):
            depth, i = 1, i + 2
            while i < len(text) and depth and text[i] != "\n":
                if text.startswith('`"', i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("\"'", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            assert depth == 0, f"unclosed compound quote at {i}"
            code.append("S")
        elif text[i] == '"':
            end = text.find('"', i + 1)
            assert end > i and "\n" not in text[i:end], f"unclosed string at {i}"
            code.append("S")
            i = end + 1
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < len(text) and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif text.startswith("///", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end + 1
            code.append(" ")
        elif text.startswith("//", i) and (i == 0 or text[i - 1] in " \t\n"):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
        else:
            code.append(text[i])
            line_start = text[i] == "\n"
            i += 1
    return "".join(code)


def test_stata_tokenizer_sees_code_and_strings():
    do = '* x\nlabel variable a `"say "hi" `"n"\' "\'\ndisplay "//" // c\nshell ls'
    code = stata_code(do)
    assert code.splitlines() == ["", "label variable a S", "display S ", "shell ls"]


def test_stata_do_holds_hostile_text_only_in_strings_and_comments(hostile, tmp_path):
    out = tmp_path / "h.do"
    export_stata(hostile, out)
    text = out.read_text(encoding="utf-8")
    assert MARK in text  # the text is there, as a literal
    code = stata_code(text)
    assert MARK not in code and "shell" not in code
    assert "$HOME" not in text.replace("\\$HOME", "")  # no global macro is expanded


# SPSS (PSPP) -------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("pspp") is None, reason="GNU PSPP is not installed")
def test_spss_sps_runs_in_pspp_with_the_text_as_one_label(hostile, tmp_path):
    import pandas as pd
    import pyreadstat

    from migmodule.export.labels import variable_plans

    plans = variable_plans(hostile[0], "en")
    columns = {p.name: [1.0, 2.0] if p.numeric else ["a", "b"] for p in plans}
    data = tmp_path / "d.sav"
    pyreadstat.write_sav(pd.DataFrame(columns), str(data))
    syntax, saved = tmp_path / "h.sps", tmp_path / "out.sav"
    export_spss(hostile, syntax)
    script = tmp_path / "run.sps"
    script.write_text(
        f"GET FILE='{data}'.\nINSERT FILE='{syntax}' ERROR=STOP.\nSAVE OUTFILE='{saved}'.\n",
        encoding="utf-8",
    )
    listing = tmp_path / "run.txt"
    subprocess.run(
        ["pspp", "-O", "format=txt", str(script), "-o", str(listing)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    report = listing.read_text(encoding="utf-8")
    assert not re.search(r"(error|warning):", report), report[:2000]
    assert MARK not in report  # no FREQUENCIES ran, nothing echoed as a command
    _, meta = pyreadstat.read_sav(str(saved), metadataonly=True)
    label = meta.column_names_to_labels["age"]
    assert label.startswith(one_line(HOSTILE)[:40])


# R -----------------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_r_script_parses_with_the_text_only_in_strings_and_comments(hostile, tmp_path):
    out = tmp_path / "h.R"
    export_r(hostile, out)
    probe = (
        f'p <- parse("{out}", encoding = "UTF-8"); d <- getParseData(p); '
        'cat(d$text[d$terminal & !(d$token %in% c("STR_CONST", "COMMENT"))], sep = "\\n")'
    )
    run = subprocess.run(
        ["Rscript", "-e", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert MARK not in run.stdout and "shell" not in run.stdout


# SAS ---------------------------------------------------------------------------------------------
def sas_code(text: str) -> str:
    """SAS with `/* */` comments (they do not nest) and quoted strings ('' and "" double) blanked."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", "S", text)


def test_sas_program_holds_hostile_text_only_in_strings_and_comments(hostile, tmp_path):
    out = tmp_path / "h.sas"
    export_sas(hostile, out)
    text = out.read_text(encoding="utf-8")
    assert MARK in text
    code = sas_code(text)
    assert MARK not in code and "shell" not in code and "FREQUENCIES" not in code


# CSPro -------------------------------------------------------------------------------------------
def test_cspro_logic_holds_hostile_text_only_in_strings_and_comments(hostile, tmp_path):
    dictionary = tmp_path / "h.dcf"
    export_cspro(hostile, dictionary)
    logic = dictionary.with_suffix(".apc").read_text(encoding="utf-8-sig")
    code = re.sub(r"/\*.*?\*/", " ", logic, flags=re.S)
    code = re.sub(r"//[^\n]*", " ", code)
    code = re.sub(r'"[^"\n]*"', "S", code)
    assert MARK not in code and "shell" not in code
    # the dictionary: one label per line, never a line of its own for the user's text
    for line in re.split(r"\r?\n", dictionary.read_text(encoding="utf-8-sig")):
        assert MARK not in line or line.startswith(("Label=", "Note=", "Value="))


# XLSX (XLSForm) ----------------------------------------------------------------------------------
def test_xlsform_labels_starting_with_a_formula_stay_text(hostile, tmp_path):
    out = tmp_path / "h.xlsx"
    export_xlsform(hostile, out)
    book = openpyxl.load_workbook(out)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert any(isinstance(c.value, str) and c.value.startswith("=cmd|") for c in cells)


def test_xlsx_literals_keeps_formula_text_as_text(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["=cmd|' /C calc'!A0", "=1+1", "+1", "plain", 3])
    xlsx_literals(book)
    book.save(tmp_path / "x.xlsx")
    row = next(openpyxl.load_workbook(tmp_path / "x.xlsx").active.iter_rows())
    assert [(c.value, c.data_type) for c in row] == [
        ("=cmd|' /C calc'!A0", "s"),
        ("=1+1", "s"),
        ("+1", "s"),
        ("plain", "s"),
        (3, "n"),
    ]


# the escape functions themselves -----------------------------------------------------------------
@given(st.text())
def test_comments_are_one_line_and_cannot_end_early(text):
    for escaped in (one_line(text), line_comment(text), spss_comment(text)):
        assert len(escaped.splitlines()) <= 1 and "\x00" not in escaped
    assert not any(m in stata_comment(text) for m in ("/*", "*/", "//"))
    assert not any(m in sas_comment(text) for m in ("/*", "*/"))
    assert len(stata_comment(text).splitlines()) <= 1
    assert not spss_comment(text).endswith(".")


def test_one_line_breaks_every_unicode_line_separator():
    assert (
        one_line("a\nb\rc\x0bd\x0ce\x1cf\x85g\u2028h\u2029i\x00j\u202ek") == "a b c d e f g h i j k"
    )


def test_xlsx_value_drops_what_xml_forbids_and_keeps_line_breaks():
    from migmodule.escape import xlsx_value

    assert xlsx_value("a\x00b\x1bc\nd\te") == "a b c\nd\te"
    assert xlsx_value(3) == 3


# any profile name ---------------------------------------------------------------------------------
HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(list("ab /*\\\"'`$#;.=+-@!%&\n\r\t\x00\x0b\x85\u2028\u202e")),
    max_size=40,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=HOSTILE_TEXT)
def test_any_profile_name_leaves_the_code_of_every_syntax_file_unchanged(name):
    """The code (what is left without comments and strings) of the .do and .sas files is the
    same whatever the profile name: the name is only ever comment or string."""
    import dataclasses

    from migmodule.export.labels import stata_syntax
    from migmodule.export.sas import sas_program

    base = adapt(None, str(MINI), languages=["en"])
    named = [dataclasses.replace(a, generic=False, profile_name=name) for a in base]
    plain = [dataclasses.replace(a, generic=False, profile_name="plain") for a in base]
    for write, code in ((stata_syntax, stata_code), (sas_program, sas_code)):
        assert code(write(named, "en")[0]) == code(write(plain, "en")[0])
