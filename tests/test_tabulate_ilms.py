"""`migmodule tabulate --tables ilms`: the ILO international labour migration statistics tables of
labour-migration 2.0.0 on a small hand-made LFS file, compared with counts worked out by hand.

Kenya (COUNTRY 404), reference date 2030-01-01, the module's defaults: MIGRANT_BASIS citizenship,
WORKING_AGE 15, FOR_WORK_PERIOD_YEARS 1 (arrived in 2029 or 2030), RETURN_PERIOD_YEARS 0 (any
return). Eight persons (sex 1 male, 2 female; citizenship 1 citizen, 3 foreign citizen):

| p | sex | age | born | cit. | lived abr. | arrived | reason | lf | ICSE | ISCO | ISIC | worked abr. | now | return |
|---|-----|-----|------|------|------------|---------|--------|----|------|------|------|-------------|-----|--------|
| 1 | 1   | 30  | 800  | 3    | 1          | 2029    | 1 work | 1  | 41   | 2211 | 8610 | 2           |     |        |
| 2 | 2   | 25  | 800  | 3    | 1          | 2020    | 2      | 2  |      |      |      | 2           |     |        |
| 3 | 2   | 45  | 800  | 3    | 1          | 2010    | 2      | 3  |      |      |      | 2           |     |        |
| 4 | 1   | 10  | 800  | 3    | 1          | 2025    | 2      |    |      |      |      | 2           |     |        |
| 5 | 1   | 40  | 404  | 1    | 2          |         |        | 1  | 41   | 7126 | 4100 | 1           | 2   | 2028   |
| 6 | 2   | 35  | 404  | 1    | 2          |         |        | 1  | 22   | 110  | 111  | 1           | 1   |        |
| 7 | 1   | 50  | 404  | 1    | 2          |         |        | 1  | 41   | 9999 | 9999 | 2           |     |        |
| 8 | 1   | 28  | 800  | 3    | 1          | 2029    | 1 work | 1  | 41   | 2512 | 6201 | 2           |     |        |

By hand:
- international migrants (not citizens): 1, 2, 3, 4, 8: men 1, 4, 8 (ages 30, 10, 28), women 2, 3
  (25, 45). Of working age: 1 and 8 employed (men), 2 unemployed and 3 outside (women); 4 is
  outside the universe (aged 10).
- international migrant workers (migrants of working age in the labour force): 1, 2, 8; employed:
  1 and 8, both permanent employees (ICSE-18 41), ISCO-08 major group 2; ISIC divisions 86
  (section Q, the 17th) and 62 (section J, the 10th).
- for-work migrants (working age, arrived in 2029-2030 for work): 1 and 8, non-nationals (2).
- return migrant workers: 5 (man, 40); residents working abroad: 6 (woman, 35).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from migmodule.tabulate.engine import NOT_STATED, TOTAL, dimension_codes, tabulate_data
from migmodule.tabulate.tables import INDUSTRY_SECTION, OCCUPATION_MAJOR_GROUP

COLUMNS = [
    "hh_id", "person_no", "sex", "age", "country_of_birth", "citizenship", "ever_lived_abroad",
    "year_of_arrival", "reason_for_migration", "labour_force_status", "status_in_employment",
    "occupation", "industry", "worked_abroad", "works_abroad_now", "year_of_return",
]  # fmt: skip
ROWS = [
    (1, 1, 1, 30, 800, 3, 1, 2029, 1, 1, 41, 2211, 8610, 2, None, None),
    (2, 1, 2, 25, 800, 3, 1, 2020, 2, 2, None, None, None, 2, None, None),
    (3, 1, 2, 45, 800, 3, 1, 2010, 2, 3, None, None, None, 2, None, None),
    (4, 1, 1, 10, 800, 3, 1, 2025, 2, None, None, None, None, 2, None, None),
    (5, 1, 1, 40, 404, 1, 2, None, None, 1, 41, 7126, 4100, 1, 2, 2028),
    (6, 1, 2, 35, 404, 1, 2, None, None, 1, 22, 110, 111, 1, 1, None),
    (7, 1, 1, 50, 404, 1, 2, None, None, 1, 41, 9999, 9999, 2, None, None),
    (8, 1, 1, 28, 800, 3, 1, 2029, 1, 1, 41, 2512, 6201, 2, None, None),
]
PROFILE = """\
profile_format: 1
name: hand-made LFS
country: KEN
reference_date: 2030-01-01
languages: [en, fr, es]
modules:
  - module: labour-migration@2.0.0
    files:
      person: lfs.csv
"""


@pytest.fixture
def lfs(tmp_path):
    pd.DataFrame(ROWS, columns=COLUMNS).astype("Int64").to_csv(tmp_path / "lfs.csv", index=False)
    (tmp_path / "lfs.profile.yaml").write_text(PROFILE, encoding="utf-8")
    return tmp_path / "lfs.profile.yaml"


def cells_of(tabulation, table_id: str) -> dict[tuple, float]:
    result = next(r for r in tabulation.results if r.table.id == table_id)
    assert result.produced, result.needs
    dims = [d.id for d in result.table.dimensions]
    return {tuple(row[d] for d in dims): row["estimate"] for row in result.cells.to_dict("records")}


def test_ilms_tables_by_hand(lfs):
    tab = tabulate_data(profile=lfs, tables=["ilms"])
    migrants = cells_of(tab, "ilms_migrants_by_sex_age")
    assert migrants[(TOTAL, 1.0)] == 3 and migrants[(TOTAL, 2.0)] == 2
    assert migrants[(25.0, TOTAL)] == 2  # persons 2 and 8
    assert migrants[(10.0, 1.0)] == 1 and migrants[(TOTAL, TOTAL)] == 5
    lf = cells_of(tab, "ilms_migrants_by_labour_force_status")
    assert lf[(1.0, 1.0)] == 2 and lf[(2.0, 2.0)] == 1 and lf[(3.0, 2.0)] == 1
    assert lf[(TOTAL, TOTAL)] == 4  # person 4 (aged 10) is outside
    workers = cells_of(tab, "ilms_migrant_workers_by_sex_age")
    assert workers[(TOTAL, TOTAL)] == 3 and workers[(TOTAL, 2.0)] == 1
    status = cells_of(tab, "ilms_migrant_workers_by_status_in_employment")
    assert status == {(41.0, 1.0): 2, (41.0, TOTAL): 2, (TOTAL, 1.0): 2, (TOTAL, TOTAL): 2}
    occupation = cells_of(tab, "ilms_migrant_workers_by_occupation")
    assert occupation[(2.0, 1.0)] == 2 and occupation[(TOTAL, TOTAL)] == 2
    industry = cells_of(tab, "ilms_migrant_workers_by_industry")
    assert industry[(17.0, 1.0)] == 1 and industry[(10.0, 1.0)] == 1
    for_work = cells_of(tab, "ilms_for_work_migrants_by_nationality")
    assert for_work[(2.0, 1.0)] == 2 and for_work[(TOTAL, TOTAL)] == 2
    assert cells_of(tab, "ilms_for_work_migrants")[(25.0, 1.0)] == 1  # person 8 (28)
    returned = cells_of(tab, "ilms_return_migrant_workers")
    assert returned == {(40.0, 1.0): 1, (40.0, TOTAL): 1, (TOTAL, 1.0): 1, (TOTAL, TOTAL): 1}
    abroad = cells_of(tab, "ilms_residents_working_abroad")
    assert abroad[(35.0, 2.0)] == 1 and abroad[(TOTAL, TOTAL)] == 1
    assert not tab.findings  # every ILMS table is produced from labour-migration 2.0.0


def test_major_group_and_section_rules(lfs):
    tab = tabulate_data(profile=lfs, tables=["ilms"])
    values = pd.DataFrame(
        {
            "occupation": pd.array([110, 2211, 9999, 7126, None], dtype="Int64"),
            "industry": pd.array([111, 4100, 8610, 9900, 9998], dtype="Int64"),
        }
    )
    major = dimension_codes(tab.adapted, OCCUPATION_MAJOR_GROUP, values)
    # 110 armed forces: group 0; 9999 not stated; blank not stated
    assert list(major) == [0.0, 2.0, NOT_STATED, 7.0, NOT_STATED]
    section = dimension_codes(tab.adapted, INDUSTRY_SECTION, values)
    # division 1 -> A (1), 41 -> F (6), 86 -> Q (17), 99 -> U (21); 9998 not classifiable
    assert list(section) == [1.0, 6.0, 17.0, 21.0, NOT_STATED]
    assert np.all(np.isfinite(section))


def test_ilms_written_with_labels(lfs, tmp_path):
    from migmodule.tabulate.output import write_tables

    tab = tabulate_data(profile=lfs, tables=["ilms"])
    write_tables(tab, tmp_path / "ilms.csv", "fr")
    long = pd.read_csv(tmp_path / "ilms.csv")
    industry = long[long["table"] == "ilms_migrant_workers_by_industry"]
    # the section's letter and its CITI Rév.4 title; the major group's number and its CITP-08 title
    assert "Q Activités relatives à la santé humaine et à l'action sociale" in set(
        industry["label_1"]
    )
    occupation = long[long["table"] == "ilms_migrant_workers_by_occupation"]
    assert "2 Professions intellectuelles et scientifiques" in set(occupation["label_1"])


@pytest.mark.parametrize(
    ("lang", "major_2", "major_0", "section_q", "section_f"),
    [
        (
            "en",
            "2 Professionals",
            "0 Armed forces occupations",
            "Q Human health and social work activities",
            "F Construction",
        ),
        (
            "fr",
            "2 Professions intellectuelles et scientifiques",
            "0 Professions militaires",
            "Q Activités relatives à la santé humaine et à l'action sociale",
            "F Construction",
        ),
        (
            "es",
            "2 Profesionales científicos e intelectuales",
            "0 Ocupaciones militares",
            "Q Actividades de atención de la salud humana y de asistencia social",
            "F Construcción",
        ),
        # no pt titles: the catalogue's number-only label
        ("pt", "Grande grupo 2 da CIUO-08", "Grande grupo 0 da CIUO-08", "Secção Q da CIIU Rev.4",
         "Secção F da CIIU Rev.4"),
    ],
)  # fmt: skip
def test_isco_and_isic_labels_in_each_language(lfs, lang, major_2, major_0, section_q, section_f):
    from migmodule.tabulate.layout import value_label

    tab = tabulate_data(profile=lfs, tables=["ilms"])
    assert value_label(tab.adapted, OCCUPATION_MAJOR_GROUP, 2.0, lang) == major_2
    assert value_label(tab.adapted, OCCUPATION_MAJOR_GROUP, 0.0, lang) == major_0
    assert value_label(tab.adapted, INDUSTRY_SECTION, 17.0, lang) == section_q  # Q: 17th section
    assert value_label(tab.adapted, INDUSTRY_SECTION, 6.0, lang) == section_f


def test_every_major_group_and_section_has_a_title_in_en_fr_es():
    from migmodule.tabulate.classifications import ISCO_08_MAJOR_GROUPS, ISIC_4_SECTIONS
    from migmodule.tabulate.tables import ISIC_SECTION_LETTERS

    assert sorted(ISCO_08_MAJOR_GROUPS) == list(range(10))
    assert "".join(ISIC_4_SECTIONS) == ISIC_SECTION_LETTERS
    for titles in [*ISCO_08_MAJOR_GROUPS.values(), *ISIC_4_SECTIONS.values()]:
        assert set(titles) == {"en", "fr", "es"} and all(t.strip() for t in titles.values())


def test_labour_migration_1_gives_what_it_has_and_says_what_it_lacks(lfs):
    # 1.0.0 names the reason question reason_for_coming and has no international_migrant,
    # status in employment, occupation, industry or resident_working_abroad
    data = pd.read_csv(lfs.parent / "lfs.csv").rename(
        columns={"reason_for_migration": "reason_for_coming", "worked_abroad": "ever_worked_abroad"}
    )
    data.to_csv(lfs.parent / "lfs.csv", index=False)
    lfs.write_text(lfs.read_text().replace("@2.0.0", "@1.0.0"), encoding="utf-8")
    tab = tabulate_data(profile=lfs, tables=["ilms"])
    produced = {r.table.id for r in tab.results if r.produced}
    assert "ilms_migrant_workers_by_sex_age" in produced
    needs = {r.table.id: r.needs for r in tab.results if not r.produced}
    assert needs["ilms_migrants_by_sex_age"] == [
        "international_migrant (not in labour-migration@1.0.0)"
    ]
    assert "ilms_residents_working_abroad" in needs
    assert {f.code for f in tab.findings} == {"TAB-NEED-001"}


def test_sdg_group_in_an_lfs_run_is_not_produced_and_says_why(lfs):
    # one module per run: SDG 10.7.1 needs recruitment-costs, the run is labour-migration's
    tab = tabulate_data(profile=lfs, tables=["ilms", "sdg-10.7.1"])
    sdg = [r for r in tab.results if r.table.group == "sdg-10.7.1"]
    assert len(sdg) == 6 and not any(r.produced for r in sdg)
    assert "rci_target_population (not in labour-migration@2.0.0)" in sdg[0].needs
    assert all(r.produced for r in tab.results if r.table.group == "ilms")
