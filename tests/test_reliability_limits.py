"""Hangs and blow-ups refused with coded messages (issue 20): YAML alias bombs, deep nesting,
non-regular files and oversized files; named conditions inlined by sharing; one depth limit for
the parser and every compiler. Each run happens in a subprocess with a time bound, so a
regression fails as a timeout instead of hanging the suite."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from migmodule.codes import MigmoduleError
from migmodule.expr.compile import TARGETS, compile_expression
from migmodule.expr.parser import MAX_LENGTH, MAX_TREE_DEPTH, ExprSyntaxError, parse, tree_depth
from migmodule.expr.semantics import MAX_EXPANDED_NODES, expand
from migmodule.spec.load import MAX_YAML_BYTES, MAX_YAML_DEPTH, load_spec_file, read_yaml

MINI = Path(__file__).parent / "specs" / "mini.yaml"
BOUND = 60  # seconds: a hang guard, not a timing target
PARAMS = {"COUNTRY": 404, "REF_DATE": "2030-01-01", "MIN_AGE": 5, "ARRIVAL_DEFINITION": "first"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "migmodule", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=BOUND,
        env={**os.environ, "PYTHONFAULTHANDLER": ""},
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess, code: str) -> None:
    """Refused with `code`: exit 2 (unusable input), or 1 for lint and check, which report it as
    a finding at error."""
    assert result.returncode in (1, 2), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert code in result.stdout + result.stderr


# YAML --------------------------------------------------------------------------------------------
def _alias_bomb(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("command", [["lint"], ["profile", "check"]])
def test_alias_bomb_is_refused_quickly(tmp_path, command):
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(), encoding="utf-8")  # 9^9 strings once expanded, 0.6 KB here
    assert len(path.read_bytes()) < 1500
    assert_refused(run(*command, "./bomb.yaml", cwd=tmp_path), "SPEC-YAML-002")


def test_alias_graph_is_checked_before_anything_is_built(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(), encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(MigmoduleError) as info:
        read_yaml(path)
    assert info.value.finding.code == "SPEC-YAML-002"
    assert "aliases" in info.value.finding.message
    assert time.monotonic() - started < 10


def test_a_few_aliases_still_load(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("a: &a {x: 1, y: [1, 2]}\nb: *a\nc: [*a, *a]\n", encoding="utf-8")
    data, _ = read_yaml(path)
    assert data["c"] == [{"x": 1, "y": [1, 2]}] * 2


def test_recursive_alias_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(MigmoduleError) as info:
        read_yaml(path)
    assert info.value.finding.code == "SPEC-YAML-002"


def test_list_nested_500_deep_is_a_coded_message(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 500 + "1" + "]" * 500 + "\n", encoding="utf-8")
    assert_refused(run("lint", "./deep.yaml", cwd=tmp_path), "SPEC-YAML-002")
    within = tmp_path / "within.yaml"
    depth = MAX_YAML_DEPTH - 2
    within.write_text("a: " + "[" * depth + "1" + "]" * depth + "\n", encoding="utf-8")
    read_yaml(within)  # at the limit: loads


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_and_device_are_refused_before_reading(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")  # reading it would block forever
    assert_refused(run("lint", "./pipe.yaml", cwd=tmp_path), "SPEC-FILE-001")
    (tmp_path / "folder.yaml").mkdir()
    assert_refused(run("lint", "./folder.yaml", cwd=tmp_path), "SPEC-FILE-001")
    if Path("/dev/zero").exists():
        with pytest.raises(MigmoduleError) as info:
            read_yaml(Path("/dev/zero"))
        assert "not a regular file" in info.value.finding.message


def test_symlink_loop_and_nul_byte_in_a_path_are_coded(tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    for path in (tmp_path / "a.yaml", Path(str(tmp_path / "x\0.yaml"))):
        with pytest.raises(MigmoduleError) as info:
            read_yaml(path)
        assert info.value.finding.code == "SPEC-FILE-001"


def test_oversized_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_YAML_BYTES + 1)
    with pytest.raises(MigmoduleError) as info:
        read_yaml(path)
    assert info.value.finding.code == "SPEC-YAML-002"


# Named conditions --------------------------------------------------------------------------------
def _doubling_conditions(tmp_path: Path, count: int) -> Path:
    spec = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    text = {"en": "w", "fr": "w", "es": "w"}
    spec["conditions"].append({"id": "w_0", "expression": "age >= 1", "text": text})
    for i in range(1, count + 1):
        spec["conditions"].append(
            {"id": f"w_{i}", "expression": f"w_{i - 1} and w_{i - 1}", "text": text}
        )
    spec["questions"][1]["universe"] = f"w_{count}"
    path = tmp_path / "doubling.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return path


def test_forty_doubling_conditions_lint_and_export_without_hanging(tmp_path):
    _doubling_conditions(tmp_path, 40)  # 2^40 leaves if copied
    for args in (
        ["lint", "./doubling.yaml"],
        ["export", "xlsform", "./doubling.yaml", "--country", "KEN", "-o", "f.xlsx"],
        ["export", "cspro", "./doubling.yaml", "--country", "KEN", "-o", "f.dcf"],
    ):
        result = run(*args, cwd=tmp_path)
        assert_refused(result, "EXPR-SIZE-001")
    assert not (tmp_path / "f.xlsx").exists()


def test_conditions_are_shared_not_copied(tmp_path):
    module = load_spec_file(_doubling_conditions(tmp_path, 10)).module
    tree = expand(module, parse("w_10"))
    distinct = {id(node) for node in tree.walk()}
    assert len(distinct) < 20  # one node per level, shared: 2^11 once written out
    with pytest.raises(MigmoduleError) as info:
        expand(module, parse(" and ".join(["w_10"] * 20)))  # 20 x 2047 nodes
    assert info.value.finding.code == "EXPR-SIZE-001"
    assert f"{MAX_EXPANDED_NODES:,}" in info.value.finding.message


# One depth limit ---------------------------------------------------------------------------------
def _chain(depth: int, operator: str = " + ") -> str:
    return operator.join(["age"] * depth) + " >= 1"


@pytest.mark.parametrize("target", TARGETS)
def test_deepest_allowed_expression_compiles_in_every_target(target):
    module = load_spec_file(MINI).module
    text = _chain(MAX_TREE_DEPTH - 1)
    assert tree_depth(parse(text)) == MAX_TREE_DEPTH
    compiled = compile_expression(module, text, target, params=PARAMS)
    if target == "pandas":
        compiled(pd.DataFrame({"age": [1.0, 2.0]}))
    elif target == "reference":
        compiled({"age": 1})


def test_long_valid_expression_is_refused_with_a_syntax_message_not_a_recursion_error():
    text = _chain(640)
    assert len(text) < MAX_LENGTH  # about 3,900 characters, under the length limit
    with pytest.raises(ExprSyntaxError, match=f"deeper than {MAX_TREE_DEPTH} levels"):
        parse(text)
    with pytest.raises(ExprSyntaxError, match="deeper"):
        parse(_chain(MAX_TREE_DEPTH))


def test_deep_expression_in_a_spec_is_a_coded_message_in_export_and_handout(tmp_path):
    spec = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    spec["questions"][1]["universe"] = _chain(640)
    (tmp_path / "deep.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    for args in (
        ["export", "xlsform", "./deep.yaml", "--country", "KEN", "-o", "f.xlsx"],
        ["export", "cspro", "./deep.yaml", "--country", "KEN", "-o", "f.dcf"],
        ["export", "stata", "./deep.yaml", "--country", "KEN", "-o", "f.do"],
    ):
        result = run(*args, cwd=tmp_path)
        assert result.returncode in (1, 2) and "Traceback" not in result.stderr, result.stderr
        assert "RecursionError" not in result.stdout + result.stderr


def test_lint_and_check_leave_their_inputs_unchanged(tmp_path):
    path = _doubling_conditions(tmp_path, 12)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    run("lint", "./doubling.yaml", cwd=tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
