"""Every export target: one signature, one result type, one registered command, and the same
codes, order and bounds from spec/resolve.py in every format."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from migmodule.cli import main
from migmodule.export import EXPORTS, ExportResult
from migmodule.export.cspro import build_dictionary
from migmodule.export.ddi import DDI_NS, build_ddi
from migmodule.export.labels import variable_plans
from migmodule.export.xlsform import build_xlsform
from migmodule.handout.model import build_handout
from migmodule.profile import adapt
from migmodule.spec.resolve import Resolved

MINI = Path(__file__).parent / "specs" / "mini.yaml"


@pytest.mark.parametrize("target", EXPORTS, ids=lambda t: t.name)
def test_every_export_has_the_one_signature(target):
    parameters = list(inspect.signature(target.function).parameters.values())
    assert [p.name for p in parameters[:2]] == ["adapted", "out_path"] or [
        p.name for p in parameters[:2]
    ] == ["adapted_list", "out_path"]
    languages = inspect.signature(target.function).parameters["languages"]
    assert languages.kind is inspect.Parameter.KEYWORD_ONLY and languages.default is None
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters[2:])
    assert inspect.signature(target.function).return_annotation in (ExportResult, "ExportResult")


@pytest.mark.parametrize("target", EXPORTS, ids=lambda t: t.name)
def test_every_export_writes_its_files_and_returns_an_export_result(target, tmp_path):
    out = tmp_path / f"out.{target.name}"
    result = target.function(adapt(None, str(MINI), country="KEN"), out, languages=["en", "fr"])
    assert isinstance(result, ExportResult)
    assert result.paths and all(path.exists() and path.stat().st_size for path in result.paths)
    assert result.path == result.paths[0]


def test_export_commands_are_exactly_the_registered_targets():
    group = main.commands["export"]
    assert sorted(group.commands) == sorted(t.name for t in EXPORTS)
    for target in EXPORTS:
        command = group.commands[target.name]
        assert command.callback.__module__ == target.command_module
        result = CliRunner().invoke(main, ["export", target.name, "--help"])
        assert result.exit_code == 0 and "--output" in result.output


def test_profile_commands_live_beside_profiles_not_in_export():
    assert set(main.commands["profile"].commands) == {"init", "check"}
    assert main.commands["profile"].callback.__module__ == "migmodule.cli.profile"


def test_a_registered_command_module_that_is_missing_fails_loudly():
    script = (
        "import migmodule.export as e\n"
        "e.EXPORTS = (*e.EXPORTS, e.ExportTarget('nothing', e.EXPORTS[0].function, "
        "'migmodule.cli.export_nothing'))\n"
        "import migmodule.cli\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode != 0
    assert "ModuleNotFoundError" in out.stderr and "export_nothing" in out.stderr


# One order, one set of codes, one number type in every format ------------------------------------


def _orders(languages: list[str]) -> dict[str, list[int]]:
    adapted = adapt(None, str(MINI), country="KEN", languages=languages)
    sheets, _ = build_xlsform(adapted, languages)
    xlsform = [int(r["name"]) for r in sheets["choices"] if r["list_name"] == "countries"]
    built = build_dictionary(adapted, languages)
    [item] = [
        item
        for record in built.dictionary.levels[0].records
        for item in record.items
        if item.name == "COUNTRY_OF_BIRTH"
    ]
    cspro = [int(value.value) for value in item.value_sets[0].values]
    root, _ = build_ddi(adapted, languages)
    ddi = [
        int(v)
        for v in root.xpath(
            "//d:var[@name='country_of_birth']/d:catgry/d:catValu/text()",
            namespaces={"d": DDI_NS},
        )
    ]
    [plan] = [p for p in variable_plans(adapted[0], languages[0]) if p.item == "country_of_birth"]
    handout = build_handout(adapted, languages[0]).parts[0].appendices[0]
    return {
        "resolved": [
            c.code
            for c in Resolved(adapted[0], languages).codes(
                adapted[0].module.code_list_by_id["countries"]
            )
        ],
        "xlsform": xlsform,
        "cspro": cspro,
        "ddi": ddi,
        "labels": list(plan.value_labels),
        "handout": [int(row.code) for row in handout.rows],
    }


@pytest.mark.parametrize("languages", [["en"], ["fr", "en"]])
def test_every_format_lists_the_country_codes_in_one_order(languages):
    orders = _orders(languages)
    expected = orders.pop("resolved")
    assert expected[0] == 404 and expected[-2:] == [998, 999]
    for name, order in orders.items():
        assert order == expected, f"{name} lists the countries in another order"


def test_range_bounds_are_whole_numbers_in_every_format():
    adapted = adapt(None, str(MINI), reference_date="2030-06-30")
    sheets, _ = build_xlsform(adapted, ["en"])
    [row] = [r for r in sheets["survey"] if r["name"] == "year_of_arrival"]
    assert "between 1920 and 2030" in row["constraint_message::English (en)"]
    root, _ = build_ddi(adapted, ["en"])
    [rng] = root.xpath(
        "//d:var[@name='year_of_arrival']/d:valrng/d:range", namespaces={"d": DDI_NS}
    )
    assert (rng.get("min"), rng.get("max")) == ("1920", "2030")
    built = build_dictionary(adapted, ["en"])
    [item] = [
        item
        for record in built.dictionary.levels[0].records
        for item in record.items
        if item.name == "YEAR_OF_ARRIVAL"
    ]
    first = item.value_sets[0].values[0]
    assert (first.value, first.to) == ("1920", "2030")
    assert etree.iselement(root)
