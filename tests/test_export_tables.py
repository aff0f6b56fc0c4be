"""Table look-ups (rate()) in the forms: the XLSForm's CSV attachment and the CSPro HashMap.

An XLSForm reads a table with pulldata() from a CSV the form carries as a media attachment; the
export writes that CSV beside the form, and here the form's own key-building XPath is run by lxml
with ODK's pulldata() registered over the written file. CSPro logic reads the table from a
HashMap declared in PROC GLOBAL and filled in the questionnaire's preproc; the declaration is
held to CSPro 8.0.1's grammar (`HashMapCC.cpp`, csprousers/cspro d33c4b1) and the compiled
conditions are run by the property tests' CSPro evaluator, taught the look-up, against the
reference semantics.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, example, given
from hypothesis import strategies as st
from openpyxl import load_workbook

import test_expr_properties as props
from migmodule.cli import main
from migmodule.codes import MigmoduleError
from migmodule.export.cspro import RESERVED, export_cspro
from migmodule.export.xlsform import build_xlsform, convert_sheets, export_xlsform, pyxform_input
from migmodule.expr.ast import Binary, Call, Name, Num, to_source
from migmodule.expr.compile import compile_expression
from migmodule.naming import cspro_reserved_words
from migmodule.profile import adapt, load_profile
from migmodule.spec.params import resolve_parameters
from migmodule.spec.tables import Table, pulldata_csv
from test_export_xlsform import needs_java

MODULE = "recruitment-costs@4.0.0"
RATES_CSV = """currency,year,month,rate
NPR,2025,2,136.9
NPR,2025,3,137.5
QAR,2025,3,3.64
USD,2025,3,1
KWD,2025,3,0.0000125
"""
# The same table as ODK's pulldata() and CSPro look it up: ISO 4217 numeric codes, one number.
FROM_FILE = {
    (524, 2025, 2): 136.9,
    (524, 2025, 3): 137.5,
    (634, 2025, 3): 3.64,
    (840, 2025, 3): 1.0,
    (414, 2025, 3): 0.0000125,
}
INLINE = (
    "[{currency: QAR, year: 2025, month: 3, rate: 3.64}, "
    "{currency: 524, year: 2024, month: 12, rate: 133}]"
)
FROM_ROWS = {(634, 2025, 3): 3.64, (524, 2024, 12): 133.0}
LOOKUP = (
    "rate(EXCHANGE_RATES, first_month_earnings_currency, year_left_for_work_abroad, "
    "departure_month)"
)


def national(folder: Path, rates: str = "{file: rates.csv}", table_file: str = "rates.csv") -> Path:
    """A profile for recruitment-costs 4.0.0 that sets EXCHANGE_RATES, with its rates file."""
    folder.mkdir(exist_ok=True)
    (folder / table_file).write_text(RATES_CSV, encoding="utf-8")
    path = folder / "profile.yaml"
    path.write_text(
        "profile_format: 1\nname: npl-lfs-2026\ncountry: NPL\nreference_date: 2026-06-30\n"
        f"languages: [en]\nmodules:\n  - module: {MODULE}\n    parameters:\n"
        f"      EXCHANGE_RATES: {rates}\n",
        encoding="utf-8",
    )
    return path


def read_attachment(path: Path) -> dict[str, float]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {row["key"]: float(row["value"]) for row in rows}


def joined(rows: dict[tuple[int, ...], float]) -> dict[str, float]:
    return {"-".join(map(str, key)): value for key, value in rows.items()}


def cells(sheets) -> list[str]:
    return [value for row in sheets["survey"] for value in row.values()]


# --- the XLSForm's attachment -------------------------------------------------------------------


@pytest.mark.parametrize("rates, expected", [("{file: rates.csv}", FROM_FILE), (INLINE, FROM_ROWS)])
def test_the_form_is_written_with_the_csv_its_pulldata_reads(tmp_path, rates, expected):
    adapted = adapt(load_profile(national(tmp_path / "national", rates)))
    out = tmp_path / "out" / "form.xlsx"
    out.parent.mkdir()
    result = export_xlsform(adapted, out)
    attachment = out.parent / "exchange_rates.csv"
    assert result.paths == [out, attachment]
    assert attachment.read_text(encoding="utf-8").splitlines()[0] == "key,value"
    assert read_attachment(attachment) == joined(expected)
    assert "e-" not in attachment.read_text(encoding="utf-8")  # XPath's number() reads no exponent
    # the user is told to upload it: in the export's findings and in the workbook itself
    media = [f for f in result.findings if f.code == "XLSF-MEDIA-001"]
    assert len(media) == 1 and "exchange_rates.csv" in media[0].message
    assert "ODK Central" in media[0].message and "Media" in media[0].message
    notes = {row[0].value: row[1].value for row in load_workbook(out)["migmodule"].iter_rows()}
    assert notes["media"].startswith("exchange_rates.csv: upload with the form")


def _attachment_lookup(folder: Path):
    def pulldata(context, name, column, key_column, key):
        path = folder / f"{props._string(name)}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row[props._string(key_column)] == props._string(key):
                    return row[props._string(column)]
        return ""

    return pulldata


WORKER_ROWS = [
    # (earnings currency, year of departure, month of departure): found, other month, other
    # currency, a blank answer, a don't know month, a currency with a tiny rate
    {"first_month_earnings_currency": c, "year_left_for_work_abroad": y, "departure_month": m}
    for c, y, m in [
        (634, 2025, 3),
        (524, 2025, 2),
        (524, 2025, 4),
        (356, 2025, 3),
        (None, 2025, 3),
        (634, 2025, 98),
        (414, 2025, 3),
        (840, None, 3),
    ]
]


def test_the_forms_key_joins_the_written_csv_as_the_reference_reads_the_table(tmp_path):
    """The key the form builds (concat of the answers with '-') finds exactly the rows the
    reference evaluator finds in the profile's table: lxml runs the form's XPath, with ODK's
    pulldata() reading the CSV the export wrote."""
    adapted = adapt(load_profile(national(tmp_path / "national")))
    out = tmp_path / "form.xlsx"
    export_xlsform(adapted, out)
    sheets, _ = build_xlsform(adapted)
    module, params = adapted[0].module, adapted[0].params
    xpath = compile_expression(module, LOOKUP, "xpath", params=params)
    pulldata = re.search(r"pulldata\('exchange_rates', [^)]*\)\)", xpath).group()
    assert any(pulldata in cell for cell in cells(sheets))  # the form builds this very key
    reference = compile_expression(module, LOOKUP, "reference", params=params)
    props.FUNCTIONS["pulldata"] = _attachment_lookup(tmp_path)
    found = []
    for row in WORKER_ROWS:
        value = props.run_xpath(xpath, row)
        value = None if value == "" or (isinstance(value, float) and math.isnan(value)) else value
        assert value == reference(row), row
        found.append(value)
    assert found == [3.64, 136.9, None, None, None, None, 0.0000125, None]


def test_pyxform_names_the_written_file_as_the_forms_attachment(tmp_path):
    """pyxform declares a CSV instance for each pulldata() table: its file is the one written."""
    from pyxform.xls2xform import convert

    adapted = adapt(load_profile(national(tmp_path / "national")))
    sheets, _ = build_xlsform(adapted)
    assert convert_sheets(sheets, modules=MODULE) == []
    xform = convert(pyxform_input(sheets)).xform
    assert re.findall(r'src="jr://file-csv/([^"]+)"', xform) == ["exchange_rates.csv"]
    result = export_xlsform(adapted, tmp_path / "form.xlsx")
    assert [p.name for p in result.paths[1:]] == ["exchange_rates.csv"]


@pytest.mark.odk
@needs_java
def test_odk_validate_accepts_the_form_that_reads_a_table(tmp_path):
    adapted = adapt(load_profile(national(tmp_path / "national")))
    sheets, _ = build_xlsform(adapted)
    assert convert_sheets(sheets, validate=True, modules=MODULE) == []


@pytest.mark.parametrize("ref", [MODULE, "recruitment-costs@3.0.0", "census-key-questions@1.0.0"])
def test_a_form_without_a_table_writes_no_csv_and_reads_none(tmp_path, ref):
    """No profile: EXCHANGE_RATES is empty, its look-ups are unknown and are not written, so the
    form needs no attachment (pyxform would otherwise ask for one)."""
    adapted = adapt(None, ref)
    out = tmp_path / "form.xlsx"
    result = export_xlsform(adapted, out)
    assert result.paths == [out]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["form.xlsx"]
    assert "XLSF-MEDIA-001" not in [f.code for f in result.findings]
    sheets, _ = build_xlsform(adapted)
    assert not [cell for cell in cells(sheets) if "pulldata" in cell]
    assert "media" not in [row["key"] for row in sheets["migmodule"]]


def test_an_attachment_that_cannot_be_written_stops_the_export_with_a_code(tmp_path):
    adapted = adapt(load_profile(national(tmp_path / "national")))
    out = tmp_path / "out" / "form.xlsx"
    (out.parent / "exchange_rates.csv").mkdir(parents=True)  # a folder where the file goes
    with pytest.raises(MigmoduleError) as info:
        export_xlsform(adapted, out)
    assert info.value.finding.code == "OUT-WRITE-001"
    assert "exchange_rates.csv" in info.value.finding.message
    assert not out.exists()  # checked before the form is written


def test_the_cli_lists_the_attachment_and_never_writes_over_the_profiles_table(tmp_path):
    profile = national(tmp_path / "national")
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(
        main, ["export", "xlsform", "--profile", str(profile), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "XLSF-MEDIA-001" in result.output
    assert f"wrote {tmp_path / 'exchange_rates.csv'}" in result.output
    # the profile's own table is called exchange_rates.csv and the form goes beside it
    folder = tmp_path / "beside"
    profile = national(folder, "{file: exchange_rates.csv}", "exchange_rates.csv")
    result = CliRunner().invoke(
        main, ["export", "xlsform", "--profile", str(profile), "-o", str(folder / "form.xlsx")]
    )
    assert result.exit_code == 2, result.output
    assert "OUT-WRITE-002" in result.output
    assert (folder / "exchange_rates.csv").read_text(encoding="utf-8") == RATES_CSV
    assert not (folder / "form.xlsx").exists()


def test_two_modules_share_one_attachment_only_when_their_tables_agree(tmp_path):
    """Two modules reading EXCHANGE_RATES read one file: the same rows share it, different rows
    cannot (pulldata() has one file per name)."""

    def rows(rate: float) -> dict:
        return {"EXCHANGE_RATES": [{"currency": "QAR", "year": 2025, "month": 3, "rate": rate}]}

    first = adapt(None, MODULE, params=rows(3.64))
    same = adapt(None, "recruitment-costs@3.0.0", params=rows(3.64))
    result = export_xlsform(first + same, tmp_path / "form.xlsx")
    assert [p.name for p in result.paths] == ["form.xlsx", "exchange_rates.csv"]
    assert read_attachment(result.paths[1]) == {"634-2025-3": 3.64}
    other = adapt(None, "recruitment-costs@3.0.0", params=rows(3.7))
    with pytest.raises(MigmoduleError) as info:
        build_xlsform(first + other)
    assert info.value.finding.code == "XLSF-TABLE-001"
    assert "exchange_rates.csv" in info.value.finding.message


# --- CSPro: a HashMap ---------------------------------------------------------------------------


def apc(tmp_path: Path, adapted) -> tuple[str, list]:
    result = export_cspro(adapted, tmp_path / "q.dcf")
    return (tmp_path / "q.apc").read_text(encoding="utf-8-sig"), result.findings


def section(logic: str, start: str) -> str:
    """From `start` to the next PROC."""
    return start + logic.split(start, 1)[1].split("\nPROC ", 1)[0]


DECLARATION = re.compile(
    # HashMapCC.cpp, CompileLogicHashMapDeclaration(s): HashMap [numeric|string] NAME
    # [(numeric|string|all, ...)] [default(<constant>)] ;
    r"^HashMap(?: (numeric|string))? ([A-Za-z][A-Za-z0-9_]*)"
    r"(?:\(((?:numeric|string|all)(?:, (?:numeric|string|all))*)\))?"
    r"(?: default\((-?\d+(?:\.\d+)?|notappl|missing|refused|default)\))?;$"
)
# CompileLogicHashMapComputeInstruction: NAME(key, ...) = value; here numbers only
FILL = re.compile(r"^ {2}([A-Z][A-Z0-9_]*)\((-?\d+(?:, -?\d+)*)\) = (\d+(?:\.\d+)?);$")


@pytest.mark.parametrize("rates, expected", [("{file: rates.csv}", FROM_FILE), (INLINE, FROM_ROWS)])
def test_cspro_declares_the_table_in_proc_global_and_fills_it_in_the_preproc(
    tmp_path, rates, expected
):
    adapted = adapt(load_profile(national(tmp_path / "national", rates)))
    logic, findings = apc(tmp_path, adapted)
    global_section = section(logic, "PROC GLOBAL")
    declarations = [DECLARATION.match(line) for line in global_section.splitlines()]
    declarations = [m for m in declarations if m]
    assert len(declarations) == 1
    value_type, name, dimensions, default = declarations[0].groups()
    assert (value_type, name, dimensions, default) == (
        "numeric",
        "EXCHANGE_RATES",
        "numeric, numeric, numeric",
        "notappl",
    )
    preproc = section(logic, "PROC MIGMODULE_QUEST").split("postproc")[0]
    assert preproc.splitlines()[1] == "preproc"
    fills = [FILL.match(line) for line in preproc.splitlines()]
    filled = {tuple(int(k) for k in m.group(2).split(", ")): float(m.group(3)) for m in fills if m}
    assert filled == expected
    assert all(m.group(1) == name for m in fills if m)
    # the table's column names never reach the logic: only numbers and the parameter's name
    for word in ("currency", "month", "rate,", "NPR", "QAR"):
        assert word not in global_section + preproc
    # rates_in_table reads the HashMap now; nothing says the look-up cannot be written
    assert not [f for f in findings if "rate()" in f.message]
    assert f"not special({name}(FIRST_MONTH_EARNINGS_CURRENCY, " in logic
    assert "rates_in_table" not in {
        f.location.question for f in findings if f.code == "CSPRO-LOGIC-001"
    }


def test_the_hashmap_name_is_a_cspro_name_and_a_clash_with_an_item_is_renamed(tmp_path):
    profile = national(tmp_path / "national")
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text + "    variables: {departure_month: EXCHANGE_RATES}\n", "utf-8")
    logic, _ = apc(tmp_path, adapt(load_profile(profile)))
    names = [m.group(2) for line in logic.splitlines() if (m := DECLARATION.match(line))]
    assert names == ["EXCHANGE_RATES_2"]
    assert "EXCHANGE_RATES_2" not in RESERVED
    # the words the declaration and the look-up use are CSPro 8.0.1's (its zLogicO tables)
    words = cspro_reserved_words()
    for word in ("HASHMAP", "NUMERIC", "DEFAULT", "NOTAPPL", "SPECIAL"):
        assert "CSPro 8.0.1" in words[word], word
    assert "not special(EXCHANGE_RATES_2(FIRST_MONTH_EARNINGS_CURRENCY, " in logic
    assert "YEAR_LEFT_FOR_WORK_ABROAD, EXCHANGE_RATES))" in logic  # the item, as a key
    assert "EXCHANGE_RATES_2(524, 2025, 3) = 137.5;" in logic


def test_without_a_table_the_cspro_logic_has_no_hashmap(tmp_path):
    logic, _ = apc(tmp_path, adapt(None, MODULE))
    assert "HashMap" not in logic and "EXCHANGE_RATES" not in logic
    assert "preproc" not in section(logic, "PROC MIGMODULE_QUEST")


def test_a_derived_variable_reading_a_rate_keeps_six_decimals_and_pycspro_reads_it(tmp_path):
    """xr_earnings_used holds an exchange rate (0.3075 Kuwaiti dinars per dollar): 15 characters
    with 6 decimals, CSPro's widest numeric item (MAX_NUMERIC_ITEM_LEN in zDictO/DDClass.h)."""
    from pycspro import DictionaryParser

    adapted = adapt(load_profile(national(tmp_path / "national")))
    export_cspro(adapted, tmp_path / "q.dcf")
    parser = DictionaryParser((tmp_path / "q.dcf").read_text(encoding="utf-8"))
    parser.parse()
    records = parser.parsed_dictionary["Dictionary"]["Level"]["Records"]
    items = {i["Name"]: i for r in records for i in r["Items"]}
    for name in ("XR_EARNINGS_USED", "COST_RECRUITMENT_FEE_CONV"):
        assert (items[name]["Len"], int(items[name]["Decimal"])) == (15, 6), items[name]
        assert items[name]["DecimalChar"] is True


# --- CSPro's look-up against the reference semantics ---------------------------------------------

TABLE = Table(
    "RATES",
    ("currency", "year", "month"),
    "rate",
    {(18, 3, 1): 2.5, (30, 30, 2): 150.0, (0, 0, 1): 1.0, (17, 30, 2): 0.5, (3, 3, 1): 250.0},
)
PARAMS = resolve_parameters(props.MODULE, {"RATES": TABLE})
LOOKUPS = [
    "rate(RATES, age, years, answer) > 100",
    "rate(RATES, age, years, answer) * 2 <= 5 or answer == 2",
    "not (rate(RATES, age, years, answer) == 150)",
    "coalesce(rate(RATES, age, years, answer), years) >= 3",
    "rate(RATES, coalesce(age, years), years, answer) > 1",
    "known(age) and rate(RATES, age, 30, 2) < 200",
    "rate(RATES, 30, 30, 2) == 150 and rate(RATES, years, years, 1) > 2",
]


class CSProWithHashMaps(props.CSPro):
    """The property tests' evaluator, with `NAME(k, ...)` read from a HashMap whose default is
    notappl (what `HashMap numeric NAME(...) default(notappl)` does for an absent key)."""

    hashmaps = {"RATES": TABLE.rows}

    def atom(self):
        token = self.peek()
        if token in self.hashmaps:
            self.take()
            self.take("(")
            keys = [self.sum()]
            while self.peek() == ",":
                self.take()
                keys.append(self.sum())
            self.take(")")
            return self.hashmaps[token].get(tuple(keys), props.SPECIALS["NOTAPPL"])
        return super().atom()


# random answers, and answers that are keys of TABLE (the look-ups must find rows too)
rows = st.one_of(
    props.rows,
    st.sampled_from(
        [
            {"age": a, "years": y, "answer": m, "reasons": None, "birth_date": None}
            for (a, y, m) in TABLE.rows
        ]
        + [{"age": None, "years": 3, "answer": 1, "reasons": None, "birth_date": None}]
    ),
)


@props.SETTINGS
@given(st.sampled_from(LOOKUPS), st.lists(rows, min_size=1, max_size=8))
def test_cspro_look_ups_agree_with_the_reference(text, data):
    forms = compile_expression(props.MODULE, text, "cspro", params=PARAMS)
    reference = compile_expression(props.MODULE, text, "reference", params=PARAMS)
    for row in data:
        expected = reference(row)
        items = props.cspro_items(row)
        assert bool(CSProWithHashMaps(forms.true, items).run()) == (expected is True), row
        assert bool(CSProWithHashMaps(forms.false, items).run()) == (expected is False), row


@props.SETTINGS
@given(st.sampled_from(LOOKUPS), st.lists(rows, min_size=1, max_size=8))
def test_xpath_look_ups_through_the_csv_agree_with_the_reference(tmp_path_factory, text, data):
    folder = tmp_path_factory.mktemp("media")
    (folder / "rates.csv").write_text(pulldata_csv(TABLE), encoding="utf-8")
    props.FUNCTIONS["pulldata"] = _attachment_lookup(folder)
    forms = compile_expression(props.MODULE, text, "xpath", params=PARAMS)
    reference = compile_expression(props.MODULE, text, "reference", params=PARAMS)
    for row in data:
        expected = reference(row)
        assert props.run_xpath(forms.true, row) == (expected is True), row
        assert props.run_xpath(forms.false, row) == (expected is False), row


def test_the_look_ups_reach_rows_that_are_in_the_table():
    """The random rows do find keys of TABLE (else the two tests above prove little)."""
    reference = compile_expression(props.MODULE, LOOKUPS[0], "reference", params=PARAMS)
    assert reference({"age": 3, "years": 3, "answer": 1}) is True
    assert reference({"age": 30, "years": 30, "answer": 2}) is True
    assert reference({"age": 18, "years": 3, "answer": 1}) is False
    assert reference({"age": 18, "years": 3, "answer": 2}) is None
    forms = compile_expression(props.MODULE, LOOKUPS[0], "cspro", params=PARAMS)
    items = props.cspro_items({"age": 30, "years": 30, "answer": 2})
    assert CSProWithHashMaps(forms.true, items).run()


# --- CSPro: derived values reading rate(), if() and coalesce() ---------------------------------

PROPS_ADAPTED = adapt(None, str(props.PROPS), params={"RATES": TABLE})
LOOKUP_NODE = Call("rate", (Name("RATES"), Name("age"), Name("years"), Name("answer")))
KEYED_BY_COALESCE = Call(
    "rate", (Name("RATES"), Call("coalesce", (Name("age"), Name("years"))), Name("years"), Num(1))
)
values = st.recursive(
    st.one_of(
        st.sampled_from([0, 3, 5, 18, 30, 998]).map(Num),
        st.sampled_from(["age", "years"]).map(Name),
        st.just(LOOKUP_NODE),
        st.just(KEYED_BY_COALESCE),
    ),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), inner, inner).map(lambda t: Binary(*t)),
        st.tuples(props.simple_conditions, inner, inner).map(lambda t: Call("if", t)),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: Call("coalesce", tuple(xs))),
    ),
    max_leaves=5,
)


def run_assignments(text: str, items: dict[str, float]) -> float | None:
    """Run the derived variable's statements (if/elseif/else/endif and `X = value;`)."""
    lines = [line.strip() for line in text.splitlines()]
    state = {"at": 0, "value": None}

    def evaluate(expression: str):
        return CSProWithHashMaps(expression.replace("notappl", "NOTAPPL"), items).run()

    def block(active: bool) -> None:
        while state["at"] < len(lines):
            line = lines[state["at"]]
            if line.startswith("elseif ") or line in ("else", "endif;"):
                return
            state["at"] += 1
            if line.startswith("if ") and line.endswith(" then"):
                taken = active and bool(evaluate(line[3:-5]))
                block(taken)
                while True:
                    line = lines[state["at"]]
                    state["at"] += 1
                    if line.startswith("elseif "):
                        go = active and not taken and bool(evaluate(line[7:-5]))
                        block(go)
                        taken = taken or go
                    elif line == "else":
                        block(active and not taken)
                    else:
                        assert line == "endif;", line
                        break
            else:
                name, expression = line.rstrip(";").split(" = ", 1)
                assert name == "X", line
                if active:
                    state["value"] = evaluate(expression)

    block(True)
    assert state["at"] == len(lines), lines[state["at"] :]
    value = state["value"]
    return None if value is None or value >= props.SPECIALS["NOTAPPL"] else value


AGREE_ON_A_MISSING_CODE = Call(  # found by hypothesis: the branches "agree" only on known values
    "coalesce",
    (Call("if", (Binary("==", Name("answer"), Num(1)), Num(998), Name("age"))), Num(0)),
)


@props.SETTINGS
@given(values, st.lists(rows, min_size=1, max_size=6))
@example(
    AGREE_ON_A_MISSING_CODE,
    [{"age": 998, "years": None, "answer": None, "reasons": None, "birth_date": None}],
)
def test_cspro_derived_values_split_by_branch_agree_with_the_reference(tree, data):
    """A derived value reading if()/coalesce() (and rate() keyed by a coalesce()) is written as
    assignments split by the branch taken; run, each gives the reference's value or notappl."""
    from migmodule.export.cspro import build_dictionary
    from migmodule.export.cspro_logic import MAX_BRANCHING, LogicWriter

    branching = sum(1 for n in tree.walk() if isinstance(n, Call) and n.func in ("if", "coalesce"))
    assume(branching <= MAX_BRANCHING)
    writer = LogicWriter(PROPS_ADAPTED[0], build_dictionary(PROPS_ADAPTED))
    text = to_source(tree)
    prepared = writer.prepared(text)
    code = writer.split_value(writer.compiler(), "X", prepared, None)
    reference = compile_expression(props.MODULE, text, "reference", params=PARAMS)
    for row in data:
        expected = reference(row)
        got = run_assignments(code, props.cspro_items(row))
        assert (got is None) == (expected is None), (row, got, expected, code)
        if expected is not None:
            assert got == pytest.approx(expected), row


def test_recruitment_costs_converts_every_cost_in_cspro_with_a_table(tmp_path):
    """With the profile's table, xr_earnings_used and the *_conv items (coalesce of a rate keyed
    by a coalesce) are written; without one they are the 2.0.0 arithmetic, as before."""
    adapted = adapt(load_profile(national(tmp_path / "national")))
    logic, findings = apc(tmp_path, adapted)
    assert [f for f in findings if f.code == "CSPRO-LOGIC-001"] == []
    assert "XR_EARNINGS_USED = EXCHANGE_RATES(FIRST_MONTH_EARNINGS_CURRENCY, " in logic
    assert "XR_EARNINGS_USED = XR_EARNINGS;" in logic
    assert "/ EXCHANGE_RATES(COST_RECRUITMENT_FEE_CURRENCY, " in logic
    assert "/ EXCHANGE_RATES(FIRST_MONTH_EARNINGS_CURRENCY, " in logic  # the coalesce key's 2nd
    (tmp_path / "generic").mkdir()
    generic, _ = apc(tmp_path / "generic", adapt(None, MODULE))
    assert "EXCHANGE_RATES" not in generic and "XR_EARNINGS_USED = XR_EARNINGS;" in generic
