"""Each expression is compiled once per file, not once per chunk (`expr.evaluate.PreparedExpressions`).

A chunked validation parses exactly what a whole-file one parses, each universe, range and edit is
prepared once, and the report is the same. The cache belongs to one module and one set of
parameters: it refuses to serve others, and different parameters compile differently.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

import migmodule.expr.evaluate as evaluate
import migmodule.expr.semantics as semantics
from migmodule.expr.evaluate import PreparedExpressions, derive, evaluate_frame
from migmodule.validate import validate_data
from test_validate_chunks import persons
from validate_helpers import comparable, mini, write


@pytest.fixture
def counted(monkeypatch):
    """Counters of the texts parsed (every parse of the expression package goes through
    `semantics.parse`) and of the texts prepared for evaluation."""
    parsed: Counter = Counter()
    prepared: Counter = Counter()
    parse, prepare = semantics.parse, evaluate.prepare

    def counting_parse(text, *args, **kwargs):
        parsed[text] += 1
        return parse(text, *args, **kwargs)

    def counting_prepare(module, text, *args, **kwargs):
        prepared[text] += 1
        return prepare(module, text, *args, **kwargs)

    monkeypatch.setattr(semantics, "parse", counting_parse)
    monkeypatch.setattr(evaluate, "prepare", counting_prepare)
    return parsed, prepared


def test_ten_chunks_parse_each_expression_once(tmp_path, counted):
    parsed, prepared = counted
    data = write(persons(), tmp_path / "persons.parquet")
    adapted = mini()
    validate_data(data, adapted, chunk_size=None)  # what a process parses once is parsed now
    parsed.clear()
    prepared.clear()
    whole = validate_data(data, adapted, chunk_size=None)
    parsed_whole, prepared_whole = Counter(parsed), Counter(prepared)
    parsed.clear()
    prepared.clear()
    chunked = validate_data(data, adapted, chunk_size=4)  # 40 rows: 10 chunks
    assert chunked.to_dict()["files"]["person"]["rows"] == 40
    assert comparable(chunked) == comparable(whole)
    # the universes and edits were evaluated, each prepared once for the ten chunks ...
    edits = [e.check for e in adapted.module.edits] + [e.when for e in adapted.module.edits]
    for text in ["foreign_born and old_enough", *edits]:
        assert prepared[text] == 1, (text, prepared)
    # ... and not once more when the run lists the derived columns (from the names they read,
    # nothing evaluated): `foreign_born`, both a universe and a case of `nativity`, is prepared once
    assert prepared["foreign_born"] == 1 and max(prepared.values()) == 1, prepared
    # and ten chunks parse nothing that one chunk does not
    assert prepared == prepared_whole
    assert parsed == parsed_whole


def test_derive_over_chunks_compiles_once(counted):
    _, prepared = counted
    adapted = mini()
    frame = persons().drop(columns=["wt", "region"])
    frame["reasons"] = frame["reasons"].astype(object)
    whole = derive(adapted.module, frame, adapted.params)
    assert {"nativity", "years_since_arrival"} <= set(whole.columns)
    prepared.clear()
    cache = PreparedExpressions(adapted.module, adapted.params)
    parts = [
        derive(adapted.module, frame.iloc[i : i + 4], adapted.params, prepared=cache)
        for i in range(0, len(frame), 4)
    ]
    pd.testing.assert_frame_equal(pd.concat(parts), whole)
    assert prepared and max(prepared.values()) == 1, prepared


def test_parameters_change_the_compiled_form():
    """The same text under other parameters is another tree: one cache per parameter set."""
    frame = pd.DataFrame({"country_of_birth": [404.0, 800.0, np.nan]})
    kenya, uganda = mini("KE"), mini("UG")
    text = "country_of_birth == COUNTRY"
    for adapted, expected in ((kenya, [True, False, None]), (uganda, [False, True, None])):
        cache = PreparedExpressions(adapted.module, adapted.params)
        for _ in range(2):  # the second time from the cache
            result = evaluate_frame(adapted.module, text, frame, adapted.params, prepared=cache)
            assert result.astype(object).where(result.notna(), None).tolist() == expected


def test_a_cache_serves_only_its_module_and_parameters():
    kenya, uganda = mini("KE"), mini("UG")
    cache = PreparedExpressions(kenya.module, kenya.params)
    frame = pd.DataFrame({"country_of_birth": [404.0]})
    with pytest.raises(ValueError, match="other parameters"):
        evaluate_frame(kenya.module, "known(age)", frame, uganda.params, prepared=cache)
    with pytest.raises(ValueError, match="prepared for"):
        evaluate_frame(uganda.module, "known(age)", frame, uganda.params, prepared=cache)
    with pytest.raises(ValueError):
        derive(uganda.module, frame, uganda.params, prepared=cache)


def test_table_lookups_are_compiled_once(tmp_path, counted):
    """The tables check looks rate() up again on the rows whose derived value is unknown: in a
    six-chunk run each look-up is compiled no more often than in a one-chunk run, and the missing
    keys are the same."""
    from test_module_recruitment3 import NEPAL, RATES_CSV, profile_text, workers

    folder = tmp_path / "national"
    folder.mkdir()
    (folder / "rates.csv").write_text(RATES_CSV, encoding="utf-8")
    (folder / "profile.yaml").write_text(profile_text(), encoding="utf-8")
    from migmodule.spec.registry import load_module
    from test_module_recruitment3 import SPEC

    frame = pd.concat([workers(load_module(SPEC))] * 3, ignore_index=True)
    frame["cost_documents"] = [0, 1000] * 3
    frame["cost_documents_currency"] = NEPAL
    frame.insert(0, "person_no", range(1, 7))
    frame.insert(0, "hh_id", 1)
    frame["sex"] = 1
    path = folder / "persons.csv"
    frame.to_csv(path, index=False)
    parsed, prepared = counted

    def run(chunk_size):
        parsed.clear()
        prepared.clear()
        report = validate_data(
            {"person": path}, profile=folder / "profile.yaml", chunk_size=chunk_size
        )
        (result,) = [r for r in report.results if r.code == "DATA-TABLE-001"]
        return result.details["missing_keys"], Counter(prepared), Counter(parsed)

    run(None)  # what a process parses once is parsed now
    keys, prepared_whole, parsed_whole = run(None)
    chunked_keys, prepared_chunked, parsed_chunked = run(1)
    assert keys and chunked_keys == keys
    lookups = [text for text in prepared_chunked if text.startswith("rate(")]
    assert lookups and all(prepared_chunked[text] == 1 for text in lookups)
    assert prepared_chunked == prepared_whole and parsed_chunked == parsed_whole


def test_tabulate_prepares_each_universe_once_whatever_the_chunks(counted):
    """tabulate feeds every chunk to every table: its universes and derived rules are compiled
    once for the run (the census sample, 270 persons, read in 27 chunks)."""
    from pathlib import Path

    from migmodule.tabulate.engine import tabulate_data

    profile = Path(__file__).resolve().parents[1] / "samples" / "census.profile.yaml"
    _, prepared = counted
    tabulate_data(profile=profile, tables=["census"], chunk_size=None)
    prepared.clear()
    whole = tabulate_data(profile=profile, tables=["census"], chunk_size=None)
    once = Counter(prepared)
    prepared.clear()
    chunked = tabulate_data(profile=profile, tables=["census"], chunk_size=10)
    assert prepared == once  # 27 chunks compile what one chunk compiles
    assert max(once.values()) <= 2  # the run, and the column listing on an empty frame
    for a, b in zip(chunked.results, whole.results, strict=True):
        assert (a.cells is None and b.cells is None) or a.cells.equals(b.cells), a.table.id
