"""`migmodule show MODULE` readable at 80 columns (issue 15): one line per question with what a
data manager maps and checks (id, type, level, status, code list), the rest wrapped under it,
identifiers never cut, the same layout when stdout is a file."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from migmodule import i18n
from migmodule.cli import main
from migmodule.spec.registry import load_module

MODULES = ["census-key-questions", "person-core"]


def show(*args: str, columns: int = 80):
    return CliRunner().invoke(main, ["show", *args], env={"COLUMNS": str(columns)})


@pytest.mark.parametrize("ref", MODULES)
def test_every_question_has_one_line_with_its_essentials_at_80_columns(ref):
    result = show(ref)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    spec = load_module(ref)
    width = len(str(len(spec.questions)))
    for number, q in enumerate(spec.questions, 1):
        head = f"{number:>{width}}. {q.id}  {q.type.value}  {q.level}  {q.status.value}"
        at = next(i for i, line in enumerate(lines) if line.startswith(head))
        block = [lines[at][len(head) :]]
        for line in lines[at + 1 :]:
            if not line.startswith(" " * (width + 2)):
                break
            block.append(line)
        under = " ".join(block)
        if q.code_list:  # on the question's line when it fits, else just under it
            assert f"codes {q.code_list}" in (block[0] + " " + block[1]), q.id
        # the universe as written: every identifier it names is whole on one line
        universe = q.universe or "everyone"
        for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", universe):
            assert re.search(rf"(?<![\w]){name}(?![\w])", under), (q.id, name)
        assert "universe: " in under


def test_no_identifier_is_broken_across_lines():
    spec = load_module("census-key-questions")
    text = show("census-key-questions", columns=50).output
    words = set(re.findall(r"[\w-]+", text))
    for name in [q.id for q in spec.questions] + [e.id for e in spec.edits]:
        assert name in words, name
    assert max(len(line) for line in text.splitlines() if "_" not in line) <= 50


def test_the_same_layout_when_stdout_is_a_file(tmp_path):
    out = tmp_path / "show.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    with out.open("w", encoding="utf-8") as handle:
        subprocess.run(
            [sys.executable, "-m", "migmodule", "show", "person-core"],
            stdout=handle,
            env=env,
            check=True,
        )
    assert out.read_text(encoding="utf-8") == show("person-core").output


def test_a_code_stays_with_its_label():
    text = show("person-core").output
    assert "1 = Male; 2 = Female; 9 = Not stated" in text
    for line in text.splitlines():
        assert not re.search(r"\d+ =$|^\s*= ", line), line


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_show_speaks_the_chosen_language(lang):
    result = show("person-core", "--lang", lang)
    assert result.exit_code == 0, result.output
    english = i18n.block("en", "show")
    for key in ("universe", "languages_levels", "derived"):
        assert english[key].split(":")[0] + ":" not in result.output, key
    assert i18n.phrase(lang, "show.everyone") in result.output


def test_an_unknown_language_is_refused_with_a_code():
    result = show("person-core", "--lang", "de")
    assert result.exit_code == 2
    assert "I18N-LANG-001" in result.output and "Traceback" not in result.output
