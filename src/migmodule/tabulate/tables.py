"""The tables `migmodule tabulate` makes, as data: one registered `Table` per table.

A table names its universe (an expression of the module's language), its row and column
dimensions (question or derived ids, or one of the grouping rules below), what it counts and the
source it follows. Titles are in the language catalogue (`tabulate.table.<id>`); dimension names
and value labels come from the spec. The engine (engine.py) reads the file once for every table.

Sources: the UN Demographic Yearbook (DYB) census tables on migratory status (T17, T18, T20,
T21) were read; the P&R Rev.3 tabulation programme for migration was not: its table numbers are
not cited here (docs/tabulate.md says so) and the tables follow its topics as the reference brief
lists them (`census_key_questions.md` section 9).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---- grouping rules: dimensions made from a variable by a declared rule -------------------------
AGE_GROUP_WIDTH = 5
AGE_GROUP_OPEN = 85  # the last group is "85 and over"


@dataclass(frozen=True)
class Dimension:
    """One dimension of a table: the id it is known by, and how its codes are made.

    `source`: the question/derived id read. `rule`: None (the variable's codes as they are),
    "age_group" (five-year groups 0-4 ... 80-84, 85+ from age), "arrival_period" (five-year
    periods of year_of_arrival ending with the census year), "isco_major" (the ISCO-08 major
    group of a four-digit unit group: its first digit, 0 the armed forces), "isic_section" (the
    ISIC Rev.4 section, coded 1-21 for A-U, of a four-digit class), or "expression"
    (`expression`, whose value is a code of `code_list`).
    """

    id: str
    source: str
    rule: str | None = None
    expression: str | None = None
    code_list: str | None = None


AGE_GROUP = Dimension("age_group", "age", rule="age_group")
ARRIVAL_PERIOD = Dimension("arrival_period", "year_of_arrival", rule="arrival_period")
# Area of residence one (five) years ago: the current area for persons who lived in the same
# locality then; the area they name for persons who lived in another locality of the country.
AREA_1Y_AGO = Dimension(
    "area_1y_ago",
    "residence_1y_area",
    rule="expression",
    expression="if(residence_1y_ago in (1, 2), current_residence_area, residence_1y_area)",
    code_list="admin_areas",
)
AREA_5Y_AGO = Dimension(
    "area_5y_ago",
    "residence_5y_area",
    rule="expression",
    expression="if(residence_5y_ago in (1, 2), current_residence_area, residence_5y_area)",
    code_list="admin_areas",
)
EMIGRANT_AGE_GROUP = Dimension("emigrant_age_group", "emigrant_age_at_departure", rule="age_group")
# Occupation and industry where the profile maps them (labour-migration: the LFS core's codes):
# four-digit ISCO-08 unit groups and ISIC Rev.4 classes, tabulated by major group and section.
OCCUPATION_MAJOR_GROUP = Dimension("occupation_major_group", "occupation", rule="isco_major")
INDUSTRY_SECTION = Dimension("industry_section", "industry", rule="isic_section")
FIRST_JOB_MAJOR_GROUP = Dimension(
    "first_job_major_group", "first_job_occupation", rule="isco_major"
)
# ISIC Rev.4: the first division of each section A-U (a class's division is its first two digits)
ISIC_SECTION_STARTS = (1, 5, 10, 35, 36, 41, 45, 49, 55, 58, 64, 68, 69, 77, 84, 85, 86, 90, 94, 97, 99)  # fmt: skip
ISIC_SECTION_LETTERS = "ABCDEFGHIJKLMNOPQRSTU"


def dimension(name: str) -> Dimension:
    """A dimension by id: a grouping rule's, else the variable itself."""
    return _RULES.get(name) or Dimension(name, name)


_RULES = {
    d.id: d
    for d in (
        AGE_GROUP,
        ARRIVAL_PERIOD,
        AREA_1Y_AGO,
        AREA_5Y_AGO,
        EMIGRANT_AGE_GROUP,
        OCCUPATION_MAJOR_GROUP,
        INDUSTRY_SECTION,
        FIRST_JOB_MAJOR_GROUP,
    )
}


@dataclass(frozen=True)
class Table:
    """One table: what it counts (universe), how (rows x columns), and where it comes from."""

    id: str
    group: str  # the --tables name that selects it: one of GROUPS
    level: str  # the level whose units are counted
    universe: str  # an expression of the module's language ("true": every unit)
    rows: tuple[Dimension, ...]
    columns: tuple[Dimension, ...]
    source: str  # citation, as the reference brief gives it
    kind: str = "counts"  # "counts"; "matrix": also in-, out- and net migration per area
    statistic: str = "total"  # "total"; an indicator table: "proportion", "mean" or "median"
    value: str | None = None  # the indicator variable of an indicator table
    yes_no: bool = False  # the value is coded 1 = yes, 2 = no: its proportion is the share of 1
    notes: tuple[str, ...] = field(default_factory=tuple)  # catalogue keys of fixed notes

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        return self.rows + self.columns

    @property
    def title_key(self) -> str:
        return f"tabulate.table.{self.id}"


_DYB = "UN Demographic Yearbook, census tables on migratory status"
_PR3 = "UN Principles and Recommendations for Population and Housing Censuses, Rev.3, migration tabulations (table number not read)"  # noqa: E501
_EGM = "UN Expert Group Meeting 2017 on migration statistics: disaggregation by migratory status"

# labour-migration cites the ICLS-20 Guidelines by section: their paragraph numbers could not be
# verified (the spec's sources say so), nor the codes of ILOSTAT's ILMS tables.
_ICLS20 = "ICLS-20 Guidelines concerning statistics of international labour migration (2018)"
_ILMS = "ILOSTAT international labour migration statistics (ILMS) database (table codes not read)"
_SDG1071 = (
    "UN SDG indicator metadata 10.7.1 (ILO, World Bank; 2022-05-18), computation method; "
    "ILO-KNOMAD Statistics for SDG indicator 10.7.1 (2019)"
)
_WORKERS = "international_migrant_worker == 1"

TABLES: tuple[Table, ...] = (
    Table(
        "population_by_nativity",
        "census",
        "person",
        "true",
        (AGE_GROUP,),
        (dimension("nativity"), dimension("sex")),
        f"{_DYB}, T17",
    ),
    Table(
        "foreign_born_by_country",
        "census",
        "person",
        "foreign_born",
        (dimension("country_of_birth"), AGE_GROUP),
        (dimension("sex"),),
        f"{_DYB}, T18; {_PR3}",
    ),
    Table(
        "foreign_citizens_by_country",
        "census",
        "person",
        "foreign_citizen",
        (dimension("country_of_citizenship"), AGE_GROUP),
        (dimension("sex"),),
        f"{_DYB}, T21; {_PR3}",
    ),
    Table(
        "population_by_citizenship",
        "census",
        "person",
        "true",
        (AGE_GROUP,),
        (dimension("citizenship_status"), dimension("sex")),
        f"{_DYB}, T20",
    ),
    Table(
        "foreign_born_by_arrival",
        "census",
        "person",
        "foreign_born",
        (ARRIVAL_PERIOD,),
        (dimension("sex"),),
        _PR3,
    ),
    Table(
        "recent_migrants_1y",
        "census",
        "person",
        "recent_migrant_1y == 1",
        (AGE_GROUP,),
        (dimension("nativity"), dimension("sex")),
        _PR3,
    ),
    Table(
        "recent_migrants_5y",
        "census",
        "person",
        "recent_migrant_5y == 1",
        (AGE_GROUP,),
        (dimension("nativity"), dimension("sex")),
        _PR3,
    ),
    Table(
        "internal_migration_1y",
        "census",
        "person",
        "aged_1_plus and here_1y",
        (AREA_1Y_AGO,),
        (dimension("current_residence_area"),),
        _PR3,
        kind="matrix",
    ),
    Table(
        "internal_migration_5y",
        "census",
        "person",
        "aged_5_plus and here_5y",
        (AREA_5Y_AGO,),
        (dimension("current_residence_area"),),
        _PR3,
        kind="matrix",
    ),
    Table(
        "return_migrants",
        "census",
        "person",
        "return_migrant in (1, 2, 3)",
        (dimension("return_migrant"), AGE_GROUP),
        (dimension("sex"),),
        _PR3,
    ),
    Table(
        "emigrants_by_destination",
        "census",
        "emigrant",
        "true",
        (dimension("emigrant_destination"), EMIGRANT_AGE_GROUP),
        (dimension("emigrant_sex"),),
        _PR3,
    ),
    Table(
        "migratory_status_by_sex_age",
        "migratory-status",
        "person",
        "true",
        (AGE_GROUP,),
        (dimension("migratory_status"), dimension("sex")),
        _EGM,
    ),
    Table(
        "second_generation_by_sex_age",
        "migratory-status",
        "person",
        "born_in_country",
        (AGE_GROUP,),
        (dimension("second_generation"), dimension("sex")),
        _EGM,
    ),
    # ---- ILO ILMS (labour-migration 2.0.0; 1.0.0 has only the migrant-worker, for-work and
    # return groups: the others say what they need)
    Table(
        "ilms_migrants_by_sex_age",
        "ilms",
        "person",
        "international_migrant == 1",
        (AGE_GROUP,),
        (dimension("sex"),),
        f"{_ILMS}; ILOSTAT glossary, Migrants",
    ),
    Table(
        "ilms_migrants_by_labour_force_status",
        "ilms",
        "person",
        "international_migrant == 1 and of_working_age",
        (dimension("labour_force_status"),),
        (dimension("sex"),),
        f"{_ILMS}; ICLS-19 resolution on statistics of work (2013)",
    ),
    Table(
        "ilms_migrant_workers_by_sex_age",
        "ilms",
        "person",
        _WORKERS,
        (AGE_GROUP,),
        (dimension("sex"),),
        f"{_ICLS20}, international migrant workers (a); {_ILMS}",
    ),
    Table(
        "ilms_migrant_workers_by_status_in_employment",
        "ilms",
        "person",
        f"{_WORKERS} and employed",
        (dimension("status_in_employment"),),
        (dimension("sex"),),
        f"{_ICLS20}; ICSE-18; {_ILMS}",
    ),
    Table(
        "ilms_migrant_workers_by_occupation",
        "ilms",
        "person",
        f"{_WORKERS} and employed",
        (OCCUPATION_MAJOR_GROUP,),
        (dimension("sex"),),
        f"{_ICLS20}; ISCO-08 major groups; {_ILMS}",
    ),
    Table(
        "ilms_migrant_workers_by_industry",
        "ilms",
        "person",
        f"{_WORKERS} and employed",
        (INDUSTRY_SECTION,),
        (dimension("sex"),),
        f"{_ICLS20}; ISIC Rev.4 sections; {_ILMS}",
    ),
    Table(
        "ilms_for_work_migrants",
        "ilms",
        "person",
        "for_work_international_migrant == 1",
        (AGE_GROUP,),
        (dimension("sex"),),
        f"{_ICLS20}, for-work international migrants; {_ILMS}",
    ),
    Table(
        "ilms_for_work_migrants_by_nationality",
        "ilms",
        "person",
        "for_work_international_migrant == 1",
        (dimension("for_work_migrant_group"),),
        (dimension("sex"),),
        f"{_ICLS20}, for-work international migrants; {_ILMS}",
    ),
    Table(
        "ilms_return_migrant_workers",
        "ilms",
        "person",
        "return_international_migrant_worker == 1",
        (AGE_GROUP,),
        (dimension("sex"),),
        f"{_ICLS20}, return international migrant workers; {_ILMS}",
    ),
    Table(
        "ilms_residents_working_abroad",
        "ilms",
        "person",
        "resident_working_abroad == 1",
        (AGE_GROUP,),
        (dimension("sex"),),
        f"{_ICLS20}, international migrant workers (b), residents working abroad; {_ILMS}",
    ),
    # ---- SDG 10.7.1 (recruitment-costs 3.0.0 and 2.0.0): the weighted mean and median of the
    # cost-to-earnings ratio over the target population; each table's Total row is the overall
    # figure. Workers of the target population without a ratio are left out and counted.
    *(
        Table(
            f"sdg_10_7_1_{statistic}_by_{name}",
            "sdg-10.7.1",
            "person",
            "rci_target_population == 1",
            (dim,),
            (),
            _SDG1071,
            statistic=statistic,
            value="recruitment_cost_indicator",
        )
        for name, dim in (
            ("sex", dimension("sex")),
            ("destination", dimension("country_of_work_abroad")),
            ("occupation", FIRST_JOB_MAJOR_GROUP),
        )
        for statistic in ("mean", "median")
    ),
)

TABLE_BY_ID = {table.id: table for table in TABLES}
GROUPS = ("census", "migratory-status", "ilms", "sdg-10.7.1")


def indicator_table(value: str, by: str, statistic: str, yes_no: bool = False) -> Table:
    """The table of an indicator the user names (`--indicator VAR --by VAR`): its proportion
    (a 0/1 variable, or a yes/no one coded 1 = yes, 2 = no) or mean by the groups of `by`, sex
    and age group."""
    return Table(
        "indicator",
        "indicator",
        "person",
        "true",
        (dimension(by), AGE_GROUP),
        (dimension("sex"),),
        _EGM,
        statistic=statistic,
        value=value,
        yes_no=yes_no,
    )


def tables_of(groups: list[str]) -> list[Table]:
    """The tables of the named groups, in registry order."""
    return [table for table in TABLES if table.group in groups]
