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
    periods of year_of_arrival ending with the census year), or "expression" (`expression`,
    whose value is a code of `code_list`).
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


def dimension(name: str) -> Dimension:
    """A dimension by id: a grouping rule's, else the variable itself."""
    return _RULES.get(name) or Dimension(name, name)


_RULES = {
    d.id: d for d in (AGE_GROUP, ARRIVAL_PERIOD, AREA_1Y_AGO, AREA_5Y_AGO, EMIGRANT_AGE_GROUP)
}


@dataclass(frozen=True)
class Table:
    """One table: what it counts (universe), how (rows x columns), and where it comes from."""

    id: str
    group: str  # the --tables name that selects it: "census" or "migratory-status"
    level: str  # the level whose units are counted
    universe: str  # an expression of the module's language ("true": every unit)
    rows: tuple[Dimension, ...]
    columns: tuple[Dimension, ...]
    source: str  # citation, as the reference brief gives it
    kind: str = "counts"  # "counts"; "matrix": also in-, out- and net migration per area
    statistic: str = "total"  # "total"; an indicator table: "proportion" or "mean"
    value: str | None = None  # the indicator variable of an indicator table
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
)

TABLE_BY_ID = {table.id: table for table in TABLES}
GROUPS = ("census", "migratory-status")


def indicator_table(value: str, by: str, statistic: str) -> Table:
    """The table of an indicator the user names (`--indicator VAR --by VAR`): its proportion
    (a 0/1 variable) or mean by the groups of `by`, sex and age group."""
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
    )


def tables_of(groups: list[str]) -> list[Table]:
    """The tables of the named groups, in registry order."""
    return [table for table in TABLES if table.group in groups]
