"""`migmodule tabulate`: each table on a small hand-made file, compared with values worked out by
hand; chunked equals whole; the national layer applies as in validate; absent variables are said.

The census is Kenya's (COUNTRY 404), reference date 2030-01-01; ADMIN_AREAS is the module's
default (areas 1, 2, 3). Ten persons, one household each:

| p  | area | sex | age | born | citizenship | citizen of | arrived | res. 1y ago | area 1y ago | literate |
|----|------|-----|-----|------|-------------|------------|---------|-------------|-------------|----------|
| 1  | 1    | 1   | 3   | 404  | 1           |            |         | 1 same dw.  |             | 0        |
| 2  | 1    | 2   | 7   | 404  | 1           |            |         | 3 other loc | 2           | 1        |
| 3  | 2    | 1   | 22  | 800  | 3 foreign   | 800        | 2029    | 4 abroad    |             | 1        |
| 4  | 2    | 2   | 24  | 800  | 3 foreign   | 800        | 2020    | 1           |             | 0        |
| 5  | 2    | 1   | 40  | 834  | 2 naturalis.|            | 2001    | 3           | 1           | 1        |
| 6  | 3    | 2   | 999 | 404  | 1           |            |         | 9 not stated|             |          |
| 7  | 3    | 9   | 30  | 404  | 1           |            |         | 3           | 1           | 1        |
| 8  | 3    | 1   | 87  | 404  | 1           |            |         | 1           |             | 0        |
| 9  | 1    | 2   | 0   | 404  | 1           |            |         | (not asked) |             | 0        |
| 10 | 1    | 1   | 33  | 800  | 3 foreign   | 800        | 2027    | 1           |             | 1        |

Migratory status (born here and citizen = 1, foreign-born citizen = 3, foreign-born non-citizen
= 4): persons 1, 2, 6, 7, 8, 9 are 1; person 5 is 3; persons 3, 4, 10 are 4.
"""

from __future__ import annotations

import pandas as pd
import pytest

from migmodule.tabulate.engine import NOT_STATED, TOTAL, tabulate_data

COLUMNS = [
    "hh_id",
    "person_no",
    "current_residence_area",
    "sex",
    "age",
    "country_of_birth",
    "citizenship",
    "country_of_citizenship",
    "year_of_arrival",
    "residence_1y_ago",
    "residence_1y_area",
    "literate",
    "weight",
]
ROWS = [
    (1, 1, 1, 1, 3, 404, 1, None, None, 1, None, 0, 10),
    (2, 1, 1, 2, 7, 404, 1, None, None, 3, 2, 1, 10),
    (3, 1, 2, 1, 22, 800, 3, 800, 2029, 4, None, 1, 20),
    (4, 1, 2, 2, 24, 800, 3, 800, 2020, 1, None, 0, 20),
    (5, 1, 2, 1, 40, 834, 2, None, 2001, 3, 1, 1, 20),
    (6, 1, 3, 2, 999, 404, 1, None, None, 9, None, None, 30),
    (7, 1, 3, 9, 30, 404, 1, None, None, 3, 1, 1, 30),
    (8, 1, 3, 1, 87, 404, 1, None, None, 1, None, 0, 30),
    (9, 1, 1, 2, 0, 404, 1, None, None, None, None, 0, 10),
    (10, 1, 1, 1, 33, 800, 3, 800, 2027, 1, None, 1, 10),
]
PROFILE = """\
profile_format: 1
name: hand-made
country: KEN
reference_date: 2030-01-01
languages: [en, fr, es]
modules:
  - module: census-key-questions@1.0.0
    files:
      person: persons.csv
    exclude: [emigrant_sex, emigrant_age_at_departure, emigrant_year_of_departure, emigrant_destination, emigrant_reason]
"""


def persons() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS).astype("Int64")


@pytest.fixture
def hand(tmp_path):
    persons().to_csv(tmp_path / "persons.csv", index=False)
    (tmp_path / "hand.profile.yaml").write_text(PROFILE, encoding="utf-8")
    return tmp_path / "hand.profile.yaml"


def run(profile, **options):
    options.setdefault("tables", ["census", "migratory-status"])
    tabulation = tabulate_data(profile=profile, **options)
    return {result.table.id: result for result in tabulation.results}, tabulation


def cell(result, **codes) -> float:
    """The estimate of the one cell with these codes (dimensions not named: the total)."""
    cells = result.cells
    mask = pd.Series(True, index=cells.index)
    for dim in result.table.dimensions:
        mask &= cells[dim.id] == codes.get(dim.id, TOTAL)
    assert mask.sum() == 1, codes
    return float(cells.loc[mask, "estimate"].iloc[0])


def test_foreign_born_by_country_sex_and_age(hand):
    results, _ = run(hand)
    table = results["foreign_born_by_country"]
    # Born abroad: persons 3, 4, 10 (Uganda, 800) and 5 (Tanzania, 834); the other six are born
    # here: outside the universe, nobody unknown.
    assert (table.units, table.in_universe, table.outside, table.unknown) == (10, 4, 6, 0)
    assert cell(table, country_of_birth=800, age_group=20, sex=1) == 1  # person 3, aged 22
    assert cell(table, country_of_birth=800, age_group=20, sex=2) == 1  # person 4, aged 24
    assert cell(table, country_of_birth=800, age_group=30, sex=1) == 1  # person 10, aged 33
    assert cell(table, country_of_birth=834, age_group=40, sex=1) == 1  # person 5
    assert cell(table, country_of_birth=800) == 3
    assert cell(table, country_of_birth=800, sex=1) == 2
    assert cell(table, sex=1) == 3 and cell(table, sex=2) == 1
    assert cell(table) == 4


def test_foreign_citizens_by_country(hand):
    results, _ = run(hand)
    table = results["foreign_citizens_by_country"]
    # citizenship == 3: persons 3, 4, 10, citizens of Uganda; person 5 is naturalised (2).
    assert (table.in_universe, table.outside) == (3, 7)
    assert cell(table, country_of_citizenship=800) == 3
    assert cell(table, country_of_citizenship=800, age_group=20) == 2


def test_foreign_born_by_period_of_arrival(hand):
    results, _ = run(hand)
    table = results["foreign_born_by_arrival"]
    # Periods end with the census year 2030: 2029 and 2027 -> 2026-2030 (code 2030); 2020 ->
    # 2016-2020 (2020); 2001 -> 2001-2005 (2005).
    assert cell(table, arrival_period=2030, sex=1) == 2  # persons 3 and 10
    assert cell(table, arrival_period=2020, sex=2) == 1  # person 4
    assert cell(table, arrival_period=2005, sex=1) == 1  # person 5
    assert cell(table, arrival_period=2030) == 2 and cell(table) == 4


def test_internal_migration_matrix_with_in_out_and_net(hand):
    results, _ = run(hand)
    table = results["internal_migration_1y"]
    # Universe: aged 1+ and living in the country a year ago (codes 1-3). Person 3 lived abroad
    # and person 9 is under 1: outside. Person 6's age (999) and residence (9) are not stated:
    # unknown, left out. Area a year ago: the current area for codes 1-2, else the area named.
    assert (table.in_universe, table.outside, table.unknown) == (7, 2, 1)
    assert cell(table, area_1y_ago=1, current_residence_area=1) == 2  # persons 1, 10
    assert cell(table, area_1y_ago=2, current_residence_area=1) == 1  # person 2
    assert cell(table, area_1y_ago=2, current_residence_area=2) == 1  # person 4
    assert cell(table, area_1y_ago=1, current_residence_area=2) == 1  # person 5
    assert cell(table, area_1y_ago=1, current_residence_area=3) == 1  # person 7
    assert cell(table, area_1y_ago=3, current_residence_area=3) == 1  # person 8
    assert cell(table, area_1y_ago=1) == 4 and cell(table, current_residence_area=3) == 2
    flows = table.flows.set_index("area")
    # Area 1: in 1 (person 2), out 2 (persons 5, 7), net -1; area 2: in 1, out 1; area 3: in 1.
    assert flows.loc[1.0].tolist() == [1, 2, -1]
    assert flows.loc[2.0].tolist() == [1, 1, 0]
    assert flows.loc[3.0].tolist() == [1, 0, 1]


def test_migratory_status_by_sex_and_age_with_not_stated(hand):
    results, _ = run(hand)
    table = results["migratory_status_by_sex_age"]
    assert (table.in_universe, table.outside, table.unknown) == (10, 0, 0)
    assert cell(table, migratory_status=1) == 6
    assert cell(table, migratory_status=3) == 1
    assert cell(table, migratory_status=4) == 3
    assert cell(table, age_group=0, migratory_status=1) == 2  # persons 1 (3 years) and 9 (0)
    assert cell(table, age_group=0, migratory_status=1, sex=2) == 1  # person 9
    assert cell(table, age_group=85, migratory_status=1, sex=1) == 1  # person 8, aged 87
    # Not stated is a category of its own: person 6's age (999), person 7's sex (9).
    assert cell(table, age_group=NOT_STATED) == 1
    assert cell(table, sex=NOT_STATED) == 1
    assert table.not_stated == {"age_group": 1, "sex": 1}


def test_population_by_citizenship_status(hand):
    results, _ = run(hand)
    table = results["population_by_citizenship"]
    # citizens (1, 2): persons 1, 2, 5, 6, 7, 8, 9; non-citizens (3): persons 3, 4, 10.
    assert cell(table, citizenship_status=1) == 7 and cell(table, citizenship_status=2) == 3


def test_a_table_needing_an_absent_variable_says_so(hand):
    results, tabulation = run(hand)
    # recent_migrant_1y reads ever_lived_abroad (1.0.0), which the file does not have;
    # second_generation reads the parents' countries of birth; return_migrant is a 2.0.0 variable.
    recent = results["recent_migrants_1y"]
    assert not recent.produced and recent.cells is None
    assert recent.needs == ["recent_migrant_1y (ever_lived_abroad)"]
    second = results["second_generation_by_sex_age"]
    assert second.needs[0].startswith("second_generation (country_of_birth_father")
    assert results["return_migrants"].needs == [
        "return_migrant (not in census-key-questions@1.0.0)"
    ]
    codes = {(f.code, f.values["table"]) for f in tabulation.findings}
    assert ("TAB-NEED-001", "recent_migrants_1y") in codes
    assert ("TAB-NEED-001", "population_by_nativity") not in codes


@pytest.mark.parametrize("size", [1, 3, 7])
def test_chunked_equals_whole_on_the_hand_file(hand, size):
    whole, _ = run(hand, chunk_size=100_000)
    chunked, _ = run(hand, chunk_size=size)
    for name, result in whole.items():
        if result.cells is None:
            assert chunked[name].cells is None
            continue
        pd.testing.assert_frame_equal(result.cells, chunked[name].cells)
        assert result.not_stated == chunked[name].not_stated
        assert (result.in_universe, result.outside, result.unknown) == (
            chunked[name].in_universe,
            chunked[name].outside,
            chunked[name].unknown,
        )


def test_the_national_layer_applies_as_in_validate(tmp_path, hand):
    """National names and codes (sex M/F, citizenship 1-4 national) give the same tables."""
    national = persons().rename(columns={"sex": "B04_SEX", "citizenship": "B09_CIT"})
    national["B04_SEX"] = national["B04_SEX"].map({1: "M", 2: "F", 9: "?"})
    national["B09_CIT"] = national["B09_CIT"].map({1: 11, 2: 12, 3: 30})
    folder = tmp_path / "national"
    folder.mkdir()
    national.to_csv(folder / "persons.csv", index=False)
    profile = PROFILE.replace(
        "    exclude:",
        "    variables: {sex: B04_SEX, citizenship: B09_CIT}\n"
        "    recodes:\n"
        "      sex: {M: 1, F: 2, '?': 9}\n"
        "      citizenship: {'11': 1, '12': 2, '30': 3}\n"
        "    exclude:",
    )
    (folder / "national.profile.yaml").write_text(profile, encoding="utf-8")
    standard, _ = run(hand)
    mapped, _ = run(folder / "national.profile.yaml")
    for name in ("foreign_citizens_by_country", "migratory_status_by_sex_age"):
        pd.testing.assert_frame_equal(standard[name].cells, mapped[name].cells)


def test_weighted_counts_add_the_weights(hand):
    results, tabulation = run(hand, tables=["census"], weight="weight", min_n=0)
    table = results["foreign_born_by_country"]
    # weights of persons 3, 4, 5, 10: 20 + 20 + 20 + 10
    assert cell(table) == 70
    assert cell(table, country_of_birth=800) == 50
    assert table.weighted and tabulation.design["weight"] == "weight"
    assert {"se", "ci_low", "ci_high", "cv", "flag"} <= set(table.cells.columns)


def test_small_cells_are_suppressed_with_a_design(hand):
    results, _ = run(hand, tables=["census"], weight="weight", min_n=4)
    table = results["foreign_born_by_country"]
    # 4 units in all: the total is shown; every other cell has fewer than 4 units.
    assert cell(table) == 70
    flags = table.cells.set_index([d.id for d in table.table.dimensions])["flag"]
    assert flags.loc[(TOTAL, TOTAL, TOTAL)] == ""
    assert flags.loc[(800.0, TOTAL, TOTAL)] == "suppressed"
    assert pd.isna(cell(table, country_of_birth=800))


def test_indicator_by_migratory_status(hand):
    results, _ = run(hand, tables=[], indicator="literate")
    table = results["indicator"]
    assert table.table.statistic == "proportion"
    # Person 6's literacy is blank: left out. Native-born citizens with a value: persons 1, 2,
    # 7, 8, 9, of whom 2 and 7 are literate: 2/5. Foreign-born non-citizens 3, 4, 10: 2/3.
    assert table.value_unknown == 1
    assert cell(table, migratory_status=1) == pytest.approx(0.4)
    assert cell(table, migratory_status=3) == pytest.approx(1.0)
    assert cell(table, migratory_status=4) == pytest.approx(2 / 3)
    assert cell(table) == pytest.approx(5 / 9)


PROFILE_2 = """\
profile_format: 1
name: hand-made-2
country: KEN
reference_date: 2030-01-01
languages: [en, fr, es]
modules:
  - module: census-key-questions@2.0.0
    files:
      person: persons.csv
      emigrant: emigrants.csv
"""
# ever_lived_abroad (asked of the native-born and citizens): persons 2 and 8 lived abroad,
# 1 and 7 did not; blank for the others.
EVER_LIVED_ABROAD = [2, 1, None, None, None, None, 2, 1, None, None]
# The household emigrant roster: (hh_id, emigrant_no, sex, age at departure, destination).
EMIGRANTS = [(1, 1, 1, 25, 826), (1, 2, 2, 31, 826), (2, 1, 1, 19, 784)]


@pytest.fixture
def hand2(tmp_path):
    frame = persons()
    frame["ever_lived_abroad"] = pd.array(EVER_LIVED_ABROAD, dtype="Int64")
    frame.to_csv(tmp_path / "persons.csv", index=False)
    pd.DataFrame(
        EMIGRANTS,
        columns=["hh_id", "emigrant_no", "emigrant_sex", "emigrant_age_at_departure",
                 "emigrant_destination"],
    ).to_csv(tmp_path / "emigrants.csv", index=False)  # fmt: skip
    (tmp_path / "hand2.profile.yaml").write_text(PROFILE_2, encoding="utf-8")
    return tmp_path / "hand2.profile.yaml"


def test_version_2_return_migrants_recent_migrants_and_emigrants(hand2):
    results, tabulation = run(hand2)
    assert tabulation.adapted.module.ref == "census-key-questions@2.0.0"
    returned = results["return_migrants"]
    # Native-born citizens who lived abroad: persons 2 (female, 7) and 8 (male, 87): code 1.
    # Persons 6 and 9 (ever_lived_abroad blank) are unknown (code 9): left out, said so.
    assert (returned.in_universe, returned.unknown) == (2, 2)
    assert cell(returned, return_migrant=1, age_group=5, sex=2) == 1
    assert cell(returned, return_migrant=1, age_group=85, sex=1) == 1
    assert cell(returned) == 2
    # Arrived from abroad in 2029 or 2030: person 3 (foreign-born, male, 22).
    recent = results["recent_migrants_1y"]
    assert cell(recent, nativity=2, age_group=20, sex=1) == 1
    # Emigrants by destination (UK 826, UAE 784), age at departure and sex, from their own file.
    emigrants = results["emigrants_by_destination"]
    assert emigrants.units == 3
    assert cell(emigrants, emigrant_destination=826, emigrant_age_group=25, emigrant_sex=1) == 1
    assert cell(emigrants, emigrant_destination=826) == 2
    assert cell(emigrants, emigrant_destination=784, emigrant_age_group=15) == 1
    assert cell(emigrants) == 3


def test_the_indicator_as_sdmx_csv_read_back_by_pysdmx(hand, tmp_path):
    pytest.importorskip("pysdmx")
    from click.testing import CliRunner

    from migmodule.cli import main
    from migmodule.tabulate.sdmx import MIGRATORY_STATUS_CODES, read_sdmx_csv

    out = tmp_path / "literacy.sdmx.csv"
    args = ["tabulate", "--profile", str(hand), "--indicator", "literate"]
    args += ["--report", str(tmp_path / "t.csv"), "--sdmx", str(out), "--series", "SE_LIT_TEST"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data = read_sdmx_csv(out)
    assert set(data.REF_AREA) == {"404"} and set(data.TIME_PERIOD) == {"2030"}
    assert set(data.UNIT_MEASURE) == {"PT"}
    # migrants (UN DESA: foreign-born; groups 3 and 4): persons 3, 4, 5, 10, of whom 3, 5 and 10
    # are literate: 3 of 4, in percent; everyone: 5 of the 9 whose literacy is known
    assert MIGRATORY_STATUS_CODES[1] == "MS_MIGRANT"
    assert set(data.COMPOSITE_BREAKDOWN) == {"MS_MIGRANT", "_T"}
    overall = data[data.SEX.eq("_T") & data.AGE.eq("_T")]
    values = dict(zip(overall.COMPOSITE_BREAKDOWN, overall.OBS_VALUE.astype(float), strict=True))
    assert values == pytest.approx({"MS_MIGRANT": 75.0, "_T": 500 / 9}, abs=1e-6)
    migrant_women = data[data.COMPOSITE_BREAKDOWN.eq("MS_MIGRANT") & data.SEX.eq("F")]
    assert migrant_women.AGE.tolist() == ["Y20T24", "_T"]  # person 4, 24, not literate
    assert migrant_women.OBS_VALUE.astype(float).tolist() == [0.0, 0.0]
    assert not data.apply(lambda column: column.astype(str).str.contains("PLACEHOLDER")).any().any()
    assert set(data.AGE) >= {"Y0T4", "Y_GE85", "_T"}
    # the groups left out of SDMX are said once, as an info (exit code 0)
    assert result.output.count("TAB-SDMX-003 [info]") == 1
    refused = CliRunner().invoke(main, args[:-2])  # no --series
    assert refused.exit_code == 2 and "TAB-OPTION-004" in refused.output


def test_a_separate_household_file_is_joined_to_its_persons(hand, tmp_path):
    """current_residence_area is a household question: from its own file, joined by hh_id as
    validate joins it, the migration matrix is the flat file's."""
    folder = tmp_path / "levels"
    folder.mkdir()
    frame = persons()
    frame[["hh_id", "current_residence_area"]].to_csv(folder / "households.csv", index=False)
    frame.drop(columns=["current_residence_area"]).to_csv(folder / "persons.csv", index=False)
    profile = PROFILE.replace(
        "      person: persons.csv", "      household: households.csv\n      person: persons.csv"
    )
    (folder / "levels.profile.yaml").write_text(profile, encoding="utf-8")
    flat, _ = run(hand, tables=["census"])
    joined, _ = run(folder / "levels.profile.yaml", tables=["census"])
    for name in ("internal_migration_1y", "foreign_born_by_country"):
        pd.testing.assert_frame_equal(flat[name].cells, joined[name].cells)
    pd.testing.assert_frame_equal(
        flat["internal_migration_1y"].flows, joined["internal_migration_1y"].flows
    )


def test_a_design_is_read_from_the_file_and_marked_in_the_outputs(hand, tmp_path):
    """--strata and --psu are file columns outside the spec; cells get standard errors, and the
    XLSX and HTML show suppressed cells as x and say which design was used."""
    from openpyxl import load_workbook

    from migmodule.tabulate.output import write_tables

    frame = persons()
    frame["stratum"] = [1, 1, 1, 1, 1, 2, 2, 2, 2, 2]
    frame["ea"] = [11, 11, 12, 12, 13, 21, 21, 22, 22, 23]
    frame.to_csv(hand.parent / "persons.csv", index=False)
    design = {"weight": "weight", "strata": "stratum", "psu": "ea"}
    results, tabulation = run(hand, tables=["census"], min_n=3, **design)
    table = results["population_by_citizenship"]
    total = table.cells[
        (table.cells[["age_group", "citizenship_status", "sex"]] == TOTAL).all(axis=1)
    ]
    assert float(total["estimate"].iloc[0]) == 190  # every weight
    assert total["se"].iloc[0] >= 0 and total["flag"].iloc[0] == ""
    assert (table.cells["flag"] == "suppressed").any()
    write_tables(tabulation, tmp_path / "t.xlsx", "en")
    sheet = load_workbook(tmp_path / "t.xlsx")["population_by_citizenship"]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "x" in texts
    assert any("strata stratum, primary sampling units ea" in t for t in texts)
    write_tables(tabulation, tmp_path / "t.csv", "en")
    cells = pd.read_csv(tmp_path / "t.csv")
    assert {"se", "ci_low", "ci_high", "cv", "flag"} <= set(cells.columns)


def test_an_indicator_cell_nobody_is_in_shows_no_value(hand):
    """A count of nobody is 0; a share of nobody is not 0 but no value (shown –)."""
    from migmodule.tabulate.layout import EMPTY_MARK, lay_out

    _, tabulation = run(hand, tables=["migratory-status"], indicator="literate")
    layouts = {layout.id: layout for layout in lay_out(tabulation, "en")}
    indicator = layouts["indicator"]
    # migratory status 3 (person 5, male, 40) has no female: no share for females aged 40-44
    row = next(
        cells for labels, cells in indicator.body if labels == ["Foreign-born citizen", "40–44"]
    )
    assert indicator.header == [["Male", "Female", "Not stated", "Total"]]  # person 7: sex 9
    assert [cell.text("en", 3) for cell in row] == ["1.000", EMPTY_MARK, EMPTY_MARK, "1.000"]
    counts = layouts["migratory_status_by_sex_age"]
    assert any(cell.text("en", 0) == "0" for _, cells in counts.body for cell in cells)


@pytest.mark.parametrize("size", [3, 100_000])
def test_migrants_for_sdmx_are_estimated_from_their_units_weighted(hand, size):
    """The SDMX cells of migrants (groups 3 and 4 together) are a share of their units, not a sum
    of the two groups' shares: persons 3, 4, 5, 10 (weights 20, 20, 20, 10), literate 3, 5, 10:
    (20 + 20 + 10) / 70. Men: 3, 5, 10, all literate. Everyone: the indicator's own margin."""
    results, _ = run(
        hand, tables=[], indicator="literate", weight="weight", min_n=0, chunk_size=size
    )
    indicator = results["indicator"]
    migrants = indicator.migrant_cells
    assert set(migrants["migrant"]) == {1.0, TOTAL}

    def estimate(migrant, sex=TOTAL, age_group=TOTAL):
        row = migrants[
            migrants["migrant"].eq(migrant)
            & migrants["sex"].eq(sex)
            & migrants["age_group"].eq(age_group)
        ]
        assert len(row) == 1
        return float(row["estimate"].iloc[0]), int(row["n"].iloc[0])

    assert estimate(1.0) == (pytest.approx(50 / 70), 4)
    assert estimate(1.0, sex=1.0) == (pytest.approx(1.0), 3)
    assert estimate(1.0, sex=2.0, age_group=20.0) == (pytest.approx(0.0), 1)
    # everyone: literacy known for 9 persons (weights 10+10+20+20+20+30+30+10+10 = 160),
    # literate 2, 3, 5, 7, 10 (10+20+20+30+10 = 90)
    assert estimate(TOTAL) == (pytest.approx(90 / 160), 9)
    assert cell(indicator) == pytest.approx(90 / 160)
    assert {"se", "flag"} <= set(migrants.columns)


@pytest.mark.parametrize("size", [2, 100_000])
@pytest.mark.parametrize(("indicator", "statistic"), [("literate", "proportion"), ("age", "mean")])
def test_census_indicator_streams_and_equals_the_kept_frame_estimate(
    tmp_path, size, indicator, statistic
):
    """A census run's indicator is summed chunk by chunk (memory of the cells, not of the file);
    its shares equal those estimate_cells gives from the whole frame (a survey run whose weights
    are all 1), cell by cell, margins and migrants' cells included."""
    frame = persons()
    frame["one"] = 1
    frame.to_csv(tmp_path / "persons.csv", index=False)
    (tmp_path / "hand.profile.yaml").write_text(PROFILE, encoding="utf-8")
    profile = tmp_path / "hand.profile.yaml"
    summed, _ = run(profile, tables=[], indicator=indicator, chunk_size=size)
    kept, _ = run(profile, tables=[], indicator=indicator, weight="one", min_n=0, max_cv=None)
    for name in ("cells", "migrant_cells"):
        mine = getattr(summed["indicator"], name)
        theirs = getattr(kept["indicator"], name)[mine.columns]
        assert len(mine) > 10
        pd.testing.assert_frame_equal(mine, theirs, check_exact=False, rtol=1e-12)
    assert summed["indicator"].table.statistic == statistic
    assert summed["indicator"].value_unknown == 1  # person 6: literacy blank, age 999
