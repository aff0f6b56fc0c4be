"""Checks are registered parts: each declares its codes, every finding comes from one, and a user
picks them by code or name (`--checks` / `--skip`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.codes import MigmoduleError, all_codes
from migmodule.validate import CHECKS, ValidationSettings, validate_data
from migmodule.validate import engine as engine_module
from migmodule.validate.checks import Check, Selection
from migmodule.validate.checks.identifiers import DuplicateIdCheck
from test_validate_chunks import persons
from validate_helpers import MINI, comparable, mini, write

FLAT = pd.DataFrame(
    {
        "hh_id": [1, 1, 2, 2, 2],
        "person_no": [1, 2, 1, 2, 2],
        "any_member_abroad": [1, 2, 1, 1, 1],
        "age": [30, 40, 50, 60, 70],
    }
)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Every kind of defect: a person file and its household file, and a flat person file."""
    folder = tmp_path_factory.mktemp("registry")
    households = pd.DataFrame(
        {"hh_id": np.arange(1, 23), "any_member_abroad": [1, 2, 9, 5] * 5 + [1, 2]}
    )
    return {
        "levels": {
            "person": write(persons(), folder / "p.csv"),
            "household": write(households, folder / "h.csv"),
        },
        "flat": write(FLAT, folder / "flat.csv"),
    }


def results(report) -> list[dict]:
    return sorted(
        comparable(report)["results"],
        key=lambda r: (r["code"], str(r["question"]), str(r["edit"]), str(r["level"])),
    )


def test_every_validate_finding_code_belongs_to_exactly_one_check():
    declared = [issue.code for check in CHECKS for issue in check.issues]
    assert len(declared) == len(set(declared))
    data_codes = {
        code
        for code, issue in all_codes().items()
        if issue.area == "validate" and code.startswith("DATA-")
    }
    assert {code for code in declared if code.startswith("DATA-")} == data_codes
    # A check may also report a profile's code where the data meet the profile (PROFILE-DATA-002).
    assert {code for code in declared if not code.startswith("DATA-")} <= set(all_codes())


def test_every_check_has_a_name_a_scope_and_codes():
    names = [check.name for check in CHECKS]
    assert len(names) == len(set(names)) and all(names)
    assert all(check.scope in ("run", "rows", "file") and check.issues for check in CHECKS)


@pytest.mark.parametrize("which", ["levels", "flat"])
def test_each_check_alone_reports_exactly_its_part_of_the_full_report(files, which):
    data = files[which]
    full = results(validate_data(data, mini(), chunk_size=7))
    assert {r["code"] for r in full if r["failed"]}  # there are findings to share out
    pieces = []
    for check in CHECKS:
        alone = results(validate_data(data, mini(), chunk_size=7, checks=[check.name]))
        assert {r["code"] for r in alone} <= {issue.code for issue in check.issues}
        pieces += alone
    assert (
        sorted(
            pieces, key=lambda r: (r["code"], str(r["question"]), str(r["edit"]), str(r["level"]))
        )
        == full
    )


def test_skip_leaves_out_one_code_and_nothing_else(files):
    full = results(validate_data(files["levels"], mini()))
    skipped = results(validate_data(files["levels"], mini(), skip=["DATA-NR-001", "duplicates"]))
    assert skipped == [r for r in full if r["code"] not in ("DATA-NR-001", "DATA-ID-001")]
    picked = results(validate_data(files["levels"], mini(), checks=["data-univ-001"]))
    assert {r["code"] for r in picked} == {"DATA-UNIV-001"}


def test_a_check_reporting_an_undeclared_code_fails_loudly(files, monkeypatch):
    class Sloppy(DuplicateIdCheck):
        def end(self):
            found = super().end()
            found[0].code = "DATA-EDIT-001"
            return found

    table = tuple(Sloppy if check is DuplicateIdCheck else check for check in CHECKS)
    monkeypatch.setattr(engine_module, "CHECKS", table)
    with pytest.raises(RuntimeError, match="does not declare"):
        validate_data(files["levels"], mini())


def test_unknown_check_is_a_coded_error(files):
    with pytest.raises(MigmoduleError) as caught:
        Selection.of(["DATA-XX-001"])
    assert caught.value.finding.code == "VAL-OPTION-003"
    result = CliRunner().invoke(
        main,
        ["validate", str(files["flat"]), "-m", str(MINI), "--country", "KE", "--skip", "nonsense"],
    )
    assert result.exit_code == 2 and "VAL-OPTION-003" in result.output


def test_cli_checks_option_picks_by_code_and_name(files):
    result = CliRunner().invoke(
        main,
        [
            "validate",
            str(files["flat"]),
            "-m",
            str(MINI),
            "--country",
            "KE",
            "--checks",
            "DATA-ID-001,levels",
        ],
    )
    # the flat file repeats person 2 of household 2; household 1's rows disagree; nothing else runs
    assert result.exit_code == 1 and "DATA-ID-001" in result.output
    assert "DATA-LEVEL-002" in result.output and "DATA-COVER-001" not in result.output


def test_settings_object_equals_keywords(files):
    keywords = validate_data(files["levels"], mini(), weight="wt", by="region", max_examples=2)
    settings = ValidationSettings.from_options(weight="wt", by="region", max_examples=2)
    assert comparable(validate_data(files["levels"], mini(), settings=settings)) == comparable(
        keywords
    )
    with pytest.raises(TypeError):
        validate_data(files["levels"], mini(), settings=settings, weight="wt")


def test_a_check_declares_what_it_reads(files):
    from migmodule.validate.checks import Target
    from migmodule.validate.plan import plan_files

    adapted = mini()
    plans = plan_files(adapted, files["levels"], None, ValidationSettings())
    plan = plans["person"]
    target = Target(adapted, plans, plan, "person", list(adapted.module.edits))
    reads: dict[str, list[str]] = {}
    for kind in CHECKS:
        if kind.scope == "rows":
            for check in kind.build(target):
                reads.setdefault(kind.name, []).extend(check.expressions())
    assert "foreign_born" in reads["universe"]
    assert ". >= 0 and . <= 120" in reads["values"]  # age's range, bounds folded
    assert any("year_of_arrival" in text for text in reads["edits"])
    assert Check.expressions(Check()) == []


def _imports(path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_outputs_do_not_import_the_engine_and_readers_import_no_engine():
    from pathlib import Path

    import migmodule

    src = Path(migmodule.__file__).parent
    for name in ("terminal.py", "html.py", "xlsx.py", "report.py", "settings.py"):
        assert "migmodule.validate.engine" not in _imports(src / "validate" / name), name
    for path in (src / "microdata").glob("*.py"):
        engines = {m for m in _imports(path) if m.split(".")[1:2] in (["validate"], ["export"])}
        assert not engines, (path.name, engines)
    for path in (src / "validate" / "checks").glob("*.py"):  # checks never reach into the run
        assert "migmodule.validate.engine" not in _imports(path), path.name


def test_every_check_class_is_in_the_table():
    """A check written in validate/checks/ but left out of CHECKS would never run: fail loudly."""
    import importlib
    import inspect
    import pkgutil

    import migmodule.validate.checks as package

    defined = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        defined |= {
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Check) and obj is not Check
        }
    assert defined == set(CHECKS)
