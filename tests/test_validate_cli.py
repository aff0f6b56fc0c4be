"""`migmodule validate` and `migmodule map` through click's CliRunner, and the report outputs."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from migmodule.cli import main
from migmodule.codes import all_codes
from migmodule.validate import SCHEMA_VERSION
from validate_helpers import MINI, table, write

PERSONS = """
| hh_id | person_no | age | country_of_birth | year_of_arrival | reasons | region |
|-------|-----------|-----|------------------|-----------------|---------|--------|
| 1     | 1         | 40  | 404              |                 |         | A      |
| 1     | 2         | 35  | 1234             | 2010            | 1 2     | A      |
| 2     | 1         | 30  | 250              | 2028            |         | B      |
"""
HOUSEHOLDS = """
| hh_id | any_member_abroad |
|-------|-------------------|
| 1     | 1                 |
| 2     | 2                 |
"""


def files(tmp_path):
    return (write(table(PERSONS), tmp_path / "p.dta"), write(table(HOUSEHOLDS), tmp_path / "h.dta"))


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_validate_writes_json_html_xlsx_and_exits_1_on_errors(tmp_path):
    persons, households = files(tmp_path)
    out = {ext: tmp_path / f"report.{ext}" for ext in ("json", "html", "xlsx")}
    result = invoke(
        "validate",
        f"person={persons}",
        f"household={households}",
        "--module",
        MINI,
        "--country",
        "KE",
        "--by",
        "region",
        *[x for p in out.values() for x in ("--report", p)],
    )
    assert result.exit_code == 1, result.output
    assert "DATA-CODE-002" in result.output
    data = json.loads(out["json"].read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION and data["valid"] is False
    country = next(r for r in data["results"] if r["code"] == "DATA-CODE-002")
    assert (
        country["count"] == 1
        and country["by"]["A"]["count"] == 1
        and country["examples"][0]["row"] == 2
    )
    assert "<svg" in out["html"].read_text(encoding="utf-8")
    book = load_workbook(out["xlsx"])
    assert book.sheetnames[:3] == ["Summary", "Findings", "Non-response"]
    assert any(name.startswith("DATA-CODE-002") for name in book.sheetnames)


def test_fail_on_controls_the_exit_code(tmp_path):
    persons, households = files(tmp_path)
    clean = table(PERSONS).iloc[[0]]
    path = write(clean, tmp_path / "clean.csv")
    ok = invoke(
        "validate", f"person={path}", f"household={households}", "-m", MINI, "--country", "KE"
    )
    assert ok.exit_code == 0, ok.output
    warn = invoke(
        "validate",
        f"person={path}",
        f"household={households}",
        "-m",
        MINI,
        "--country",
        "KE",
        "--fail-on",
        "info",
    )
    assert warn.exit_code == 1  # reasons and year_of_arrival are empty: warnings


def test_unusable_input_is_exit_2_with_a_coded_message(tmp_path):
    result = invoke("validate", tmp_path / "nothing.dta", "-m", MINI)
    assert result.exit_code == 2
    assert "VAL-FILE-001" in result.output
    persons, _ = files(tmp_path)
    result = invoke("validate", persons, "-m", MINI, "--country", "KE", "--weight", "nope")
    assert result.exit_code == 2 and "VAL-OPTION-001" in result.output
    result = invoke(
        "validate", persons, "-m", MINI, "--country", "KE", "--report", tmp_path / "r.pdf"
    )
    assert result.exit_code == 2 and "VAL-REPORT-001" in result.output


def test_map_proposes_names_and_labels_and_lists_the_rest(tmp_path):
    import pyreadstat

    frame = table(PERSONS).rename(
        columns={"country_of_birth": "P10", "year_of_arrival": "P12_YR", "age": "AGE"}
    )
    path = tmp_path / "national.sav"
    pyreadstat.write_sav(
        frame, str(path), column_labels={"P10": "Pays de naissance", "P12_YR": "Year of arrival"}
    )
    out = tmp_path / "profile.yaml"
    result = invoke("map", path, "--module", MINI, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    profile = yaml.safe_load(text)
    variables = profile["modules"][0]["variables"]
    assert variables == {
        "age": "AGE",
        "country_of_birth": "P10",
        "year_of_arrival": "P12_YR",
        "reasons": "reasons",
    }
    assert "label (fr)" in text and "# Not matched" in text and "any_member_abroad" in text
    # the proposal is a working profile
    result = invoke("validate", "--profile", out, "--country", "KE")
    assert result.exit_code == 1 and "DATA-CODE-002" in result.output


def test_every_validate_code_is_documented():
    docs = (MINI.parent.parent.parent / "docs" / "validation.md").read_text(encoding="utf-8")
    codes = [code for code, issue in all_codes().items() if issue.area == "validate"]
    assert codes and all(code in docs for code in codes)


# Their language, everywhere (issue 15) ----------------------------------------------------------

SAMPLE = MINI.parent.parent.parent / "samples"


def english_phrases(lang: str) -> set[str]:
    """The catalogue's English words (literal parts of every entry, 5+ letters) that the
    catalogue of `lang` does not also use: none of them may appear in a report in `lang`."""
    import string as strings

    from migmodule import i18n

    def parts(words: dict) -> set[str]:
        found = set()
        for text in words.values():
            for one in text.values() if isinstance(text, dict) else [text]:
                for literal, *_ in strings.Formatter().parse(str(one)):
                    for piece in re.split(r"[():;,.!?«»\"]|\s-\s", literal):
                        piece = piece.strip()
                        if len(re.sub(r"[^A-Za-z]", "", piece)) >= 5:
                            found.add(piece)
        return found

    english = parts({k: v for k, v in i18n.catalogue("en").items() if not k.startswith("meta")})
    theirs = " ".join(parts(i18n.catalogue(lang)))
    return {phrase for phrase in english if phrase not in theirs}


def english_found(text: str, lang: str) -> list[str]:
    # File paths are the user's words, not ours: the CI checkout lives under /check/...
    text = re.sub(r"(?:[A-Za-z]:)?[\\/][^\s'\"<>]+", " ", text)
    return sorted(
        p for p in english_phrases(lang) if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)
    )


def html_text(path) -> str:
    from lxml import html

    root = html.parse(str(path)).getroot()
    for style in root.findall(".//style"):
        style.drop_tree()
    return " ".join(root.itertext())


def xlsx_text(path) -> str:
    book = load_workbook(path)
    return (
        " ".join(
            str(cell.value)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        )
        + " "
        + " ".join(book.sheetnames)
    )


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_the_whole_report_and_summary_are_in_the_chosen_language(tmp_path, lang):
    html, xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    result = invoke(
        "validate",
        SAMPLE / "census_persons.sav",
        "--profile",
        SAMPLE / "census.profile.yaml",
        "--lang",
        lang,
        "--report",
        html,
        "--report",
        xlsx,
    )
    assert result.exit_code == 1, result.output
    assert english_found(result.output, lang) == []
    assert english_found(html_text(html), lang) == []
    assert english_found(xlsx_text(xlsx), lang) == []
    page = html.read_text(encoding="utf-8")
    assert f'<html lang="{lang}" dir="ltr">' in page
    assert {"fr": "Rapport de validation", "es": "Informe de validación"}[lang] in page
    # the check itself finds English words: the same run in English has many
    english = invoke(
        "validate", SAMPLE / "census_persons.sav", "--profile", SAMPLE / "census.profile.yaml"
    )
    assert len(english_found(english.output, lang)) > 10


def test_portuguese_words_for_the_program_and_the_profiles_language_by_default(tmp_path):
    html = tmp_path / "r.html"
    result = invoke(
        "validate",
        SAMPLE / "census_persons.sav",
        "--profile",
        SAMPLE / "census.profile.yaml",
        "--lang",
        "pt",
        "--report",
        html,
    )
    assert "não válido: 7 erros, 3 avisos, 0 nota;" in result.output
    assert '<html lang="pt"' in html.read_text(encoding="utf-8")
    profile = yaml.safe_load((SAMPLE / "census.profile.yaml").read_text(encoding="utf-8"))
    profile["languages"] = ["es", "en"]
    for module in profile.get("modules", []):
        for key in ("files",):
            module.pop(key, None)
    spanish = tmp_path / "es.yaml"
    spanish.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    result = invoke("validate", SAMPLE / "census_persons.sav", "--profile", spanish)
    assert "no válido: 7 errores" in result.output, result.output


def test_an_unknown_language_is_refused_with_a_code():
    result = invoke("validate", SAMPLE / "census_persons.sav", "-m", MINI, "--lang", "de")
    assert result.exit_code == 2
    assert "I18N-LANG-001" in result.output and "en, fr, es, pt" in result.output


def test_terminal_summary_one_line_per_finding_wrapped_at_80_columns_without_broken_words():
    result = invoke(
        "validate", SAMPLE / "census_persons.sav", "--profile", SAMPLE / "census.profile.yaml"
    )
    lines = result.output.splitlines()
    heads = [
        line for line in lines if re.match(r"^(error|warning|note)\s+[A-Z]+-[A-Z]+-\d{3}", line)
    ]
    assert len(heads) == 10  # 7 errors, 3 warnings: one line each
    assert heads[0].startswith("error") and heads[-1].startswith("warning")  # errors first
    assert re.search(r"DATA-CODE-002  country_of_birth  1  0\.4%$", result.output, re.M)
    assert all(len(line) <= 80 for line in lines), [x for x in lines if len(x) > 80]
    words = set(re.findall(r"[\w.@'-]+", result.output))
    for identifier in ("C03_arrival_before_birth", "residence_1y_area", "country_of_birth"):
        assert identifier in words  # never cut at the edge
    assert len(lines) <= 45  # 168 lines before
    assert "unit(s)" not in result.output and "`" not in result.output
    assert "has 1 value that is not a code of the list sex" in result.output


def test_quiet_prints_only_the_verdict():
    result = invoke(
        "validate",
        SAMPLE / "census_persons.sav",
        "--profile",
        SAMPLE / "census.profile.yaml",
        "--quiet",
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        result.output.strip()
    ] and result.output.startswith("not valid: 7 errors, 3 warnings, 0 notes; ")


def test_html_report_fits_a_phone_and_says_when_it_was_made(tmp_path):
    html = tmp_path / "r.html"
    invoke(
        "validate",
        SAMPLE / "census_persons.sav",
        "--profile",
        SAMPLE / "census.profile.yaml",
        "--report",
        html,
    )
    page = html.read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert re.search(r"Made on \w{3} \d+, \d{4}", page)
    # the failures chart names each check by its title
    assert "DATA-CODE-002 Invalid country codes" in page
    # errors before warnings
    findings = page[page.index("<h2>Findings</h2>") :]
    badges = re.findall(r'<span class="badge (\w+)">', findings)
    assert badges == sorted(badges, key=["error", "warning", "info"].index) and "warning" in badges


def test_xlsx_report_formats_percentages_freezes_and_filters_headers(tmp_path):
    xlsx = tmp_path / "r.xlsx"
    invoke(
        "validate",
        SAMPLE / "census_persons.sav",
        "--profile",
        SAMPLE / "census.profile.yaml",
        "--report",
        xlsx,
    )
    book = load_workbook(xlsx)
    findings = book["Findings"]
    header = [cell.value for cell in findings[1]]
    rate = header.index("Rate") + 1
    assert findings.cell(2, rate).number_format == "0.0%"
    assert findings.freeze_panes == "A2" and findings.auto_filter.ref.startswith("A1:")
    assert findings.column_dimensions["C"].width > 20
    assert book["Non-response"].freeze_panes == "A2"
    assert any(name.startswith("DATA-CODE-002 country_of_birth") for name in book.sheetnames)


def test_arabic_stub_renders_right_to_left(tmp_path):
    from migmodule.validate import ValidationSettings, validate_data
    from migmodule.validate.html import render_html

    persons, households = files(tmp_path)
    report = validate_data(
        [f"person={persons}", f"household={households}"],
        str(MINI),
        settings=ValidationSettings(checks=("DATA-ID-001",)),
        country="KE",
    )
    page = render_html(report, "ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert "تقرير التحقق" in page and "Validation report" not in page


def test_click_usage_errors_carry_a_code():
    for args in (["validate", "--nope"], ["nope"], ["validate", "x.csv", "--profile", "no.yaml"]):
        result = invoke(*args)
        assert result.exit_code == 2
        assert "CLI-USAGE-001" in result.output, result.output


def test_an_unknown_param_is_refused_by_validate_and_by_exports(tmp_path):
    result = invoke(
        "validate",
        SAMPLE / "census_persons.sav",
        "--profile",
        SAMPLE / "census.profile.yaml",
        "--param",
        "TYPO=1",
    )
    assert result.exit_code == 2 and "PARAM-NAME-001" in result.output and "TYPO" in result.output
    result = invoke("export", "xlsform", str(MINI), "--param", "FOO=bar", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "PARAM-NAME-001" in result.output
    assert not (tmp_path / "x.xlsx").exists()
    result = invoke("export", "xlsform", str(MINI), "--lang", "de", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "I18N-LANG-001" in result.output


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_without_a_profile_the_report_says_so_not_profile_profile(tmp_path, lang):
    """Validated with -m only, the summary, HTML and XLSX said "Profile: profile"."""
    html, xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    result = invoke(
        "validate", f"person={SAMPLE / 'census_persons.sav'}", "-m", "census-key-questions@1.0.0",
        "--lang", lang, "--report", html, "--report", xlsx,
    )  # fmt: skip
    said = {"en": "No national profile", "fr": "Sans profil national"}[lang]
    assert said in result.output
    assert said in html_text(html) and said in xlsx_text(xlsx)
    assert "Profile: profile" not in result.output + html_text(html)
