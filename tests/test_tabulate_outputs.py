"""`migmodule tabulate` outputs and command: the bundled census and national samples give the
census tables in en/fr/es as XLSX, HTML and CSV; coded errors and exit codes as validate's."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from tests.paths import ROOT

from migmodule import i18n
from migmodule.cli import main
from migmodule.tabulate.engine import tabulate_data
from migmodule.tabulate.layout import lay_out, long_rows
from migmodule.tabulate.output import write_tables

SAMPLES = ROOT / "samples"
CENSUS = SAMPLES / "census.profile.yaml"
NATIONAL = SAMPLES / "national.profile.yaml"
PRODUCED_FROM_SAMPLES = {  # census key questions 1.0.0; the samples have no emigrant roster
    CENSUS: {
        "population_by_nativity",
        "foreign_born_by_country",
        "foreign_citizens_by_country",
        "population_by_citizenship",
        "foreign_born_by_arrival",
        "recent_migrants_1y",
        "recent_migrants_5y",
        "internal_migration_1y",
        "internal_migration_5y",
    },
    # the national census does not ask ever_lived_abroad: no recent migrants by that rule
    NATIONAL: {
        "population_by_nativity",
        "foreign_born_by_country",
        "foreign_citizens_by_country",
        "population_by_citizenship",
        "foreign_born_by_arrival",
        "internal_migration_1y",
        "internal_migration_5y",
    },
}


@pytest.fixture(scope="module")
def census():
    return tabulate_data(profile=CENSUS, tables=["census", "migratory-status"])


@pytest.fixture(scope="module")
def national():
    return tabulate_data(profile=NATIONAL, tables=["census", "migratory-status"])


@pytest.mark.parametrize("profile", [CENSUS, NATIONAL], ids=["census", "national"])
def test_the_samples_produce_the_census_tables(profile):
    tabulation = tabulate_data(profile=profile, tables=["census"])
    produced = {r.table.id for r in tabulation.results if r.produced}
    assert produced == PRODUCED_FROM_SAMPLES[profile]
    for result in tabulation.results:
        if result.produced:
            total = result.cells[
                (result.cells[[d.id for d in result.table.dimensions]] == -2).all(axis=1)
            ]
            assert int(total["estimate"].iloc[0]) == result.in_universe
            assert result.in_universe + result.outside + result.unknown == result.units


def test_the_national_layer_filters_visitors_and_recodes(national):
    """The national profile keeps usual residents (P15_USUAL == 1) and recodes citizenship."""
    results = {r.table.id: r for r in national.results}
    assert results["population_by_nativity"].units == national.files["person"]["rows"]
    source = pd.read_spss(SAMPLES / "national_persons.sav", convert_categoricals=False)
    assert national.files["person"]["rows"] == int((source["P15_USUAL"] == 1).sum())
    # national citizenship 6 (stateless) and 7 are non-citizens after the recode
    assert results["population_by_citizenship"].cells["citizenship_status"].isin([1, 2]).any()


def test_chunk_sizes_7_and_100000_agree_on_the_census_sample(census):
    chunked = tabulate_data(profile=CENSUS, tables=["census", "migratory-status"], chunk_size=7)
    for whole, part in zip(census.results, chunked.results, strict=True):
        if whole.cells is None:
            assert part.cells is None and whole.needs == part.needs
            continue
        pd.testing.assert_frame_equal(whole.cells, part.cells)
        if whole.flows is not None:
            pd.testing.assert_frame_equal(whole.flows, part.flows)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_xlsx_has_a_formatted_sheet_per_table_in_the_language(tmp_path, census, lang):
    path = tmp_path / f"tables.{lang}.xlsx"
    write_tables(census, path, lang)
    book = load_workbook(path)
    ids = [r.table.id for r in census.results]
    assert book.sheetnames[1:-1] == [name[:31] for name in ids]
    sheet = book["foreign_born_by_country"]
    assert sheet["A1"].value == i18n.word(lang, "tabulate.table.foreign_born_by_country")
    assert sheet["A2"].value.startswith(
        i18n.word(lang, "tabulate.universe", noun="", condition="").split(":")[0]
    )
    assert sheet["A3"].value.startswith(i18n.word(lang, "tabulate.source", source=""))
    assert sheet.freeze_panes is not None
    labels = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert i18n.word(lang, "tabulate.total") in labels
    numbers = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, (int, float))]
    assert numbers and all(c.number_format == "#,##0" for c in numbers)
    missing = book["emigrants_by_destination"]
    texts = [c.value for row in missing.iter_rows() for c in row if c.value]
    assert any("emigrant_destination" in t for t in texts)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_html_has_tables_charts_and_the_language(tmp_path, national, lang):
    path = tmp_path / "tables.html"
    write_tables(national, path, lang)
    html = path.read_text(encoding="utf-8")
    assert f'<html lang="{lang}"' in html
    assert 'name="viewport"' in html
    assert html.count("<svg") >= 4  # pyramid, arrival bars, two heat maps
    assert i18n.word(lang, "tabulate.chart_pyramid") in html
    assert i18n.word(lang, "tabulate.flow_net") in html
    assert "<script" not in html
    for layout in lay_out(national, lang):
        assert f'id="{layout.id}"' in html


def test_csv_is_one_long_file_with_every_cell(tmp_path, census):
    path = tmp_path / "tables.csv"
    write_tables(census, path, "fr")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(frame.columns[:4]) == ["table", "dimension_1", "code_1", "label_1"]
    nativity = frame[frame.table == "population_by_nativity"]
    grand = nativity[
        (nativity.code_1 == "_T") & (nativity.code_2 == "_T") & (nativity.code_3 == "_T")
    ]
    assert grand["n"].tolist() == ["270"]
    assert set(nativity.label_3) >= {"Masculin", "Féminin", "Total"}
    missing = frame[frame.table == "emigrants_by_destination"]
    assert len(missing) == 1 and "emigrant_destination" in missing.note.iloc[0]


def run_cli(*args):
    return CliRunner().invoke(main, ["tabulate", *map(str, args)])


def test_cli_writes_the_reports_and_says_what_is_missing(tmp_path):
    result = run_cli(
        "--profile", CENSUS, "--tables", "census,migratory-status", "--lang", "es",
        "--report", tmp_path / "t.xlsx", "--report", tmp_path / "t.html",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "11 cuadros producidos; 2 cuadros no producidos" in result.output
    assert "TAB-NEED-001 [advertencia]" in result.output
    assert "cuadro emigrants_by_destination: no producido: necesita" in result.output
    assert (tmp_path / "t.xlsx").is_file() and (tmp_path / "t.html").is_file()
    strict = run_cli("--profile", CENSUS, "--fail-on", "warning", "--report", tmp_path / "t.csv")
    assert strict.exit_code == 1


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--tables", "census,ilo"], "TAB-OPTION-001"),
        (["--report", "out.pdf"], "TAB-REPORT-001"),
        (["--indicator", "no_such_thing"], "TAB-OPTION-002"),
        (["--weight", "no_such_weight"], "VAL-OPTION-001"),
        (["--strata", "no_such_stratum"], "TAB-OPTION-002"),
    ],
)
def test_cli_refuses_bad_options_with_a_code(tmp_path, args, code):
    if "--report" not in args:
        args = [*args, "--report", str(tmp_path / "t.csv")]
    result = run_cli("--profile", CENSUS, *args)
    assert result.exit_code == 2
    assert code in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "t.csv").exists()


def test_an_output_never_replaces_an_input(tmp_path):
    """--report naming the data file is refused (IO code), and the file is left as it was."""
    data = tmp_path / "persons.csv"
    pd.read_spss(SAMPLES / "census_persons.sav", convert_categoricals=False).to_csv(
        data, index=False
    )
    before = data.read_bytes()
    result = run_cli(
        data, "-m", "census-key-questions@1.0.0", "--country", "KEN", "--report", data
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert data.read_bytes() == before


def test_every_table_is_documented_with_its_universe_and_source():
    from migmodule.tabulate.tables import TABLES

    doc = (ROOT / "docs" / "tabulate.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip(" `"): line for line in doc.splitlines() if line.startswith("| `")
    }
    for table in TABLES:
        assert table.id in rows, f"docs/tabulate.md does not list {table.id}"
        assert f"`{table.universe}`" in rows[table.id], table.id
        assert ("DYB" in rows[table.id]) == ("Demographic Yearbook" in table.source), table.id


def test_two_modules_are_refused_not_the_last_one_kept(tmp_path):
    result = run_cli(
        "--profile", CENSUS, "-m", "census-key-questions@1.0.0", "-m", "labour-migration@2.0.0",
        "--report", tmp_path / "t.csv",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "CLI-USAGE-001" in result.output and "one module per run" in result.output
    assert not (tmp_path / "t.csv").exists()


def test_tabulate_reads_files_with_the_same_options_as_validate(tmp_path):
    """A file validated with --missing/--sep/--encoding... is tabulated the same way."""
    from migmodule.cli.tabulate import tabulate
    from migmodule.cli.validate import validate

    def names(command):
        return {p.name for p in command.params}

    reading = {"chunk_size", "encoding", "sep", "decimal", "missing_map", "country"}
    assert reading | {"reference_date", "params"} <= names(tabulate) & names(validate)
    bad = run_cli("--profile", CENSUS, "--missing", "a=nonsense", "--report", tmp_path / "t.csv")
    assert bad.exit_code == 2 and "VAL-OPTION-002" in bad.output, bad.output
    good = run_cli("--profile", CENSUS, "--missing", "a=refused", "--report", tmp_path / "t.csv")
    assert good.exit_code == 0, good.output


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_what_a_table_lacks_is_said_in_the_language(census, lang):
    missing = [f for f in census.findings if f.code == "TAB-NEED-001"]
    assert {f.values["table"] for f in missing} == {"return_migrants", "emigrants_by_destination"}
    for finding in missing:
        line = i18n.error_line(lang, finding)
        assert "the emigrant file" not in line and "(not in " not in line, line
        assert "emigrant_destination" in line or "return_migrant" in line


def test_a_code_outside_the_list_is_labelled_as_such_not_as_a_bare_number(census):
    """The census sample plants sex = 20 and country 1234: both stay counted, labelled as codes
    the list does not have (validate reports them)."""
    cells = long_rows(census, lay_out(census, "en"), "en")
    labels = set(cells.filter(like="label_").stack())
    assert "20 (not in the code list)" in labels and "1234 (not in the code list)" in labels
    assert "20" not in labels and "1234" not in labels
