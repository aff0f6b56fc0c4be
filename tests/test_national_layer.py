"""NationalLayer: a national file read as the standard (splits, derive, recodes, levels, ids)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from migmodule.codes import MigmoduleError
from migmodule.national.layer import NationalLayer, standard_values
from migmodule.profile import adapt, check_profile, load_profile
from tables import raw_frame

CKQ = "census-key-questions@1.0.0"
EMIGRANT_ITEMS = (
    "[emigrant_sex, emigrant_age_at_departure, emigrant_year_of_departure, "
    "emigrant_destination, emigrant_reason]"
)


def _layer(tmp_path, body: str, files: dict[str, str] | None = None, module: str = CKQ):
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    path = tmp_path / "p.yaml"
    path.write_text(
        "profile_format: 1\nname: t\ncountry: KEN\nreference_date: 2029-08-24\nmodules:\n"
        f"  - module: {module}\n" + textwrap.indent(textwrap.dedent(body).strip(), "    ") + "\n",
        encoding="utf-8",
    )
    profile = load_profile(path)
    errors = [f for f in check_profile(profile) if f.severity.value == "error"]
    assert errors == [], errors
    [adapted] = adapt(profile)
    return NationalLayer(adapted)


def _column(national, question):
    column = national.columns[question]
    return [None if pd.isna(v) else v for v in column.values], column.design_blank.tolist()


SPLIT = """
variables:
  country_of_birth: P12_COB
  place_of_birth: {from: P12_COB, where: "P12_COB >= 1 and P12_COB <= 47"}
recodes:
  country_of_birth: countries.csv
"""
COUNTRIES = """
national,standard
1:47,404
600,404
601,800
602,null
"""


def test_one_variable_holds_county_or_national_country_of_birth(tmp_path):
    layer = _layer(tmp_path, SPLIT, {"countries.csv": COUNTRIES})
    frame = raw_frame(
        """
        | P12_COB |
        | 5       |
        | 601     |
        | 602     |
        |         |
        | 700     |
        """
    )
    national = layer.apply(frame, "person")
    assert _column(national, "place_of_birth") == (
        [5.0, None, None, None, None],
        [False, True, True, False, True],  # outside the split: blank by design
    )
    assert _column(national, "country_of_birth") == (
        [404.0, 800.0, None, None, 700.0],  # 700 is not mapped: kept for the validator
        [False, False, True, False, False],  # 602 is recoded to null: not asked
    )
    assert national.columns["country_of_birth"].recodes_code(602)
    assert not national.columns["country_of_birth"].recodes_code(700)


def test_derive_with_if_and_age_at_a_date_parameter_or_column(tmp_path):
    layer = _layer(
        tmp_path,
        """
        derive:
          age: "age_at(P05_DOB, REF_DATE)"
          duration_of_residence: "if(E02 == 1, 96, E03)"
        """,
    )
    frame = pd.DataFrame(
        {
            "P05_DOB": pd.to_datetime(["2000-08-24", "2000-08-25", None]),
            "E02": [1, 2, 2],
            "E03": [3.0, 4.0, np.nan],
        }
    )
    national = layer.apply(frame, "person")
    assert _column(national, "age")[0] == [29.0, 28.0, None]
    assert _column(national, "duration_of_residence")[0] == [96.0, 4.0, None]
    # ISO text dates, as a CSV gives them, and a reference-date column the file carries
    text = pd.DataFrame(
        {"P05_DOB": ["2000-08-24", "", "1990-01-01"], "REF_DATE": ["2029-08-24"] * 3}
    )
    national = layer.apply(text.assign(E02="1", E03=""), "person")
    assert _column(national, "age")[0] == [29.0, None, 39.0]


def test_text_answers_recoded_by_text_keys_and_unmapped_text_kept(tmp_path):
    layer = _layer(
        tmp_path,
        """
        variables: {sex: SEXO}
        recodes:
          sex: {Hombre: 1, Mujer: 2, 'No sabe': 9}
          country_of_citizenship: iso3
        """,
    )
    frame = raw_frame(
        """
        | SEXO    | country_of_citizenship |
        | Hombre  | KEN                    |
        | Mujer   | fra                    |
        | hombre  | XXX                    |
        | No sabe |                        |
        """
    )
    national = layer.apply(frame, "person")
    assert _column(national, "sex")[0] == [1.0, 2.0, "hombre", 9.0]
    assert _column(national, "country_of_citizenship")[0] == [404.0, 250.0, "XXX", None]


def test_not_in_universe_code_recoded_to_null_is_blank_by_design(tmp_path):
    layer = _layer(tmp_path, "recodes: {residence_1y_ago: {'0': null, '9': 9}}")
    frame = pd.DataFrame({"residence_1y_ago": [0, 1, 9, np.nan]})
    national = layer.apply(frame, "person")
    assert _column(national, "residence_1y_ago") == (
        [None, 1.0, 9.0, None],
        [True, False, False, False],
    )
    assert national.columns["residence_1y_ago"].recoded.tolist() == [True, False, True, False]


def test_levels_filter_rows_and_share_column_names_across_files(tmp_path):
    layer = _layer(
        tmp_path,
        """
        ids: {hh_id: HHID}
        levels:
          person:
            where: "RELATION != 99"
            ids: {person_no: LINE}
            variables: {sex: SEX}
          emigrant:
            ids: {emigrant_no: LINE}
            variables: {emigrant_sex: SEX}
        """,
    )
    frame = raw_frame(
        """
        | HHID              | LINE | RELATION | SEX |
        | 00000000000000017 | 1    | 1        | 2   |
        | 00000000000000017 | 2    | 99       | 1   |
        """
    )
    assert layer.rows(frame, "person").tolist() == [True, False]
    assert layer.rows(frame, "emigrant").tolist() == [True, True]
    assert layer.columns("person", ["hhid", "LINE", "RELATION", "SEX", "OTHER"]) == [
        "hhid",
        "LINE",
        "SEX",
        "RELATION",
    ]
    national = layer.apply(frame, "person")
    assert national.ids["hh_id"].tolist() == ["00000000000000017"] * 2  # as read, never a float
    assert _column(national, "sex")[0] == [2.0, 1.0]
    assert _column(layer.apply(frame, "emigrant"), "emigrant_sex")[0] == [2.0, 1.0]


def test_absent_variables_are_reported_not_raised(tmp_path):
    layer = _layer(
        tmp_path,
        """
        variables:
          place_of_birth: {from: P12, where: "P12 <= 47"}
        derive: {age: "age_at(DOB, REF_DATE)"}
        """,
    )
    national = layer.apply(pd.DataFrame({"X": [1]}), "person")
    assert "P12 is not in the file" in national.absent["place_of_birth"]
    assert "DOB" in national.absent["age"]
    assert "place_of_birth" not in national.columns


def test_a_missing_row_filter_variable_is_a_coded_error(tmp_path):
    layer = _layer(tmp_path, 'levels: {person: {where: "FLAG == 1"}}')
    with pytest.raises(MigmoduleError) as info:
        layer.rows(pd.DataFrame({"X": [1]}), "person")
    assert info.value.finding.code == "PROFILE-DATA-001"


def test_old_profiles_read_as_before(tmp_path):
    layer = _layer(
        tmp_path,
        f"variables: {{sex: P04_SEX}}\nrecodes: {{sex: {{'7': 2}}}}\nexclude: {EMIGRANT_ITEMS}",
    )
    national = layer.apply(pd.DataFrame({"P04_SEX": [1.0, 7.0, np.nan, 9.0]}), "person")
    assert _column(national, "sex") == ([1.0, 2.0, None, 9.0], [False] * 4)
    assert layer.adapted.recode_map("sex") == {7: 2}


def test_results_do_not_depend_on_chunks(tmp_path):
    layer = _layer(
        tmp_path,
        SPLIT + "  sex: {Male: 1, Female: 2, else: 9}\n",
        {"countries.csv": COUNTRIES},
    )
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "P12_COB": rng.choice([1.0, 30.0, 600.0, 601.0, 602.0, 700.0, np.nan], 200),
            "sex": rng.choice(["Male", "Female", "x", "", None], 200),
        }
    )
    whole = layer.apply(frame, "person")
    chunks = [layer.apply(frame.iloc[i : i + 37], "person") for i in range(0, 200, 37)]
    for question in ("place_of_birth", "country_of_birth", "sex"):
        joined = pd.concat([c.columns[question].values for c in chunks])
        pd.testing.assert_series_equal(
            whole.columns[question].values.astype(object), joined.astype(object)
        )
        assert whole.columns[question].design_blank.tolist() == [
            x for c in chunks for x in c.columns[question].design_blank
        ]


HOSTILE_FRAMES = [
    pd.DataFrame({"P12_COB": [np.nan, np.nan], "sex": [None, None]}),
    pd.DataFrame({"P12_COB": ["abc", " 5 "], "sex": [1.5, True]}, dtype=object),
    pd.DataFrame({"P12_COB": [np.inf, -np.inf], "sex": ["", "  "]}),
    pd.DataFrame({"P12_COB": pd.to_datetime(["2020-01-01", None]), "sex": [b"x", 3]}),
    pd.DataFrame({"P12_COB": pd.Series([], dtype=float), "sex": pd.Series([], dtype=object)}),
]


@pytest.mark.parametrize("frame", HOSTILE_FRAMES)
def test_a_profile_that_passes_check_never_crashes_on_odd_data(tmp_path, frame):
    layer = _layer(
        tmp_path,
        SPLIT + "  sex: {Male: 1, '3:5': 2, else: 9}\n",
        {"countries.csv": COUNTRIES},
    )
    national = layer.apply(frame, "person")
    for column in national.columns.values():
        assert len(column.values) == len(frame) == len(column.design_blank)


def test_standard_values_keep_dates_and_text_for_text_questions():
    dates = pd.Series(pd.to_datetime(["2020-01-01", None]))
    values, recoded, nulls = standard_values(dates, None, numeric=False)
    assert values.iloc[0] == pd.Timestamp("2020-01-01") and not recoded.any() and not nulls.any()


def test_a_split_on_values_of_the_wrong_kind_is_a_finding_and_unknown_rows(tmp_path):
    layer = _layer(tmp_path, SPLIT, {"countries.csv": COUNTRIES})
    frame = pd.DataFrame({"P12_COB": pd.to_datetime(["2020-01-01", "2021-01-01"])})
    national = layer.apply(frame, "person")
    assert national.problems["place_of_birth"].code == "PROFILE-DATA-002"
    assert _column(national, "place_of_birth") == ([None, None], [False, False])


def test_one_roster_feeds_current_and_former_members(tmp_path):
    """The LSMS habit: one household roster lists current and former members, told apart by a
    flag; the two levels read the same columns under their own names."""
    layer = _layer(
        tmp_path,
        """
        ids: {hh_id: hhid}
        files: {member: roster.dta, former_member: roster.dta}
        levels:
          member: {where: "h2q7 <= 4", ids: {member_no: pid}, variables: {sex: h2q3, age: h2q4}}
          former_member:
            where: "h2q11 == 2"
            ids: {former_no: pid}
            variables: {former_sex: h2q3, former_age: h2q4}
        """,
        module="rural-migration@1.0.0",
    )
    roster = raw_frame(
        """
        | hhid | pid | h2q3 | h2q4 | h2q7 | h2q11 |
        | 101  | 1   | 1    | 40   | 1    |       |
        | 101  | 2   | 2    | 35   | 2    |       |
        | 101  | 3   | 1    | 19   | 9    | 2     |
        """
    )
    assert layer.rows(roster, "member").tolist() == [True, True, False]
    assert layer.rows(roster, "former_member").tolist() == [False, False, True]
    members = layer.apply(roster, "member")
    former = layer.apply(roster, "former_member")
    assert _column(members, "sex")[0] == [1.0, 2.0, 1.0]
    assert _column(former, "former_age")[0] == [40.0, 35.0, 19.0]
    assert members.ids["member_no"].tolist() == former.ids["former_no"].tolist() == ["1", "2", "3"]


def test_a_stray_text_in_a_text_column_does_not_change_its_chunk(tmp_path):
    layer = _layer(tmp_path, SPLIT, {"countries.csv": COUNTRIES})
    frame = raw_frame(
        """
        | P12_COB |
        | 5       |
        | 12      |
        | abc     |
        | 601     |
        """
    )
    whole = layer.apply(frame, "person")
    assert whole.problems == {}
    assert _column(whole, "place_of_birth") == (
        [5.0, 12.0, None, None],
        [False, False, False, True],
    )
    parts = [layer.apply(frame.iloc[:2], "person"), layer.apply(frame.iloc[2:], "person")]
    assert [v for p in parts for v in _column(p, "place_of_birth")[0]] == [5.0, 12.0, None, None]
    # the unmapped text stays for the validator to report
    assert _column(whole, "country_of_birth")[0] == [404.0, 404.0, "abc", 800.0]
