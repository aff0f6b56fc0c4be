"""Hostile profiles: whatever a profile says, `profile check` answers with coded findings, and a
profile that passes it never makes the national layer raise, whatever the data holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from migmodule.codes import MigmoduleError
from migmodule.national.layer import NationalLayer
from migmodule.profile import adapt, check_profile, load_profile
from migmodule.spec.load import SpecSchemaError

QUESTIONS = ["sex", "age", "country_of_birth", "place_of_birth", "reason_for_migration", "nope"]
COLUMNS = ["A", "B", "C", "a", "REF_DATE"]
EXPRESSIONS = [
    "A",
    "A + 1",
    "A >= 1 and A <= 47",
    "B == 'x'",
    "if(A == 1, 96, B)",
    "coalesce(A, B)",
    "age_at(C, REF_DATE)",
    "year(C)",
    "A >=",
    "known(A)",
    "foreign_born",
    "true",
    "nope(A)",
    "A = 1",
    "",
]
KEYS = ["Male", "1", 1, "3:5", "5:3", "else", "90:", True, None, "", "x:y", 2.5]
STANDARDS = [1, 2, 9, 404, None, "one", 99999, 1.5]

names = st.sampled_from(COLUMNS)
questions = st.sampled_from(QUESTIONS)
expressions = st.sampled_from(EXPRESSIONS)
recode_values = st.one_of(
    st.dictionaries(st.sampled_from(KEYS), st.sampled_from(STANDARDS), max_size=4),
    st.sampled_from(["iso3", "iso2", "m49", "missing.csv"]),
)
modules = st.fixed_dictionaries(
    {},
    optional={
        "ids": st.dictionaries(st.sampled_from(["hh_id", "person_no", "x_id"]), names, max_size=2),
        "variables": st.dictionaries(
            questions,
            st.one_of(names, st.fixed_dictionaries({"from": names, "where": expressions})),
            max_size=3,
        ),
        "derive": st.dictionaries(questions, expressions, max_size=2),
        "recodes": st.dictionaries(questions, recode_values, max_size=3),
        "levels": st.dictionaries(
            st.sampled_from(["person", "household", "members"]),
            st.fixed_dictionaries({}, optional={"where": expressions}),
            max_size=2,
        ),
        "universes": st.dictionaries(questions, expressions, max_size=2),
    },
)
cells = st.one_of(
    st.none(),
    st.integers(-5, 1000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["Male", "x", "", " 3 ", "2020-01-01", "abc"]),
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(modules, st.lists(st.fixed_dictionaries({c: cells for c in COLUMNS}), max_size=6))
def test_check_answers_and_a_passing_profile_never_crashes_the_layer(tmp_path, module, rows):
    profile = {
        "profile_format": 1,
        "country": "KEN",
        "reference_date": "2029-08-24",
        "modules": [
            {
                "module": "census-key-questions@1.0.0",
                "parameters": {"ADMIN_AREAS": [{"code": 1, "label": {"en": "A"}}]},
                **module,
            }
        ],
    }
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    try:
        findings = check_profile(load_profile(path))
    except SpecSchemaError:
        event("refused by the schema")
        return  # refused as a whole, with coded findings
    if any(f.severity.value == "error" for f in findings):
        event("refused by check")
        return
    event("passed check")
    [adapted] = adapt(load_profile(path))
    layer = NationalLayer(adapted)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for kind in (object, None):
        data = frame.astype(object) if kind is object else frame.infer_objects()
        for level in ("person", "household"):
            try:
                keep = layer.rows(data, level)
            except MigmoduleError as exc:  # a row filter on values it cannot read: coded
                assert exc.finding.code == "PROFILE-DATA-002"
                keep = np.ones(len(data), dtype=bool)
            national = layer.apply(data, level)
            assert len(keep) == len(data)
            for column in national.columns.values():
                assert len(column.values) == len(data) == len(column.design_blank)
