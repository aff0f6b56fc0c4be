"""Stata .do: several languages in one file with `label language`, and labels holding any quote.

No Stata runs here. `stata_tokens` reproduces how Stata reads a command line, as its manual
describes it ([U] 18.3.5 Double quotes, [U] 18.3.11 Escape characters, `help quotes`): macro
expansion first (`\\$` -> `$`, `` \\` `` -> `` ` ``, `\\\\` -> `\\`), then strings: `"..."` ends at the
next `"`; compound quotes `` `"..."' `` nest, each `` `" `` opening and each `"'` closing one level.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.export.labels import export_stata, mata_string, stata_literal, stata_syntax
from migmodule.profile import adapt

MINI = Path(__file__).parent / "specs" / "mini.yaml"


def macro_expand(line: str) -> str:
    return re.sub(r"\\([\\$`])", r"\1", line)


def stata_tokens(line: str) -> list[str]:
    """The words and string contents of one expanded command line, as Stata splits them."""
    text, tokens, i = macro_expand(line), [], 0
    while i < len(text):
        if text[i] == " ":
            i += 1
        elif text.startswith('`"', i):
            depth, j = 1, i + 2
            while depth:
                assert j < len(text), f"compound quote never closed: {line}"
                if text.startswith('`"', j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("\"'", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            tokens.append(text[i + 2 : j - 2])
            i = j
        elif text[i] == '"':
            j = text.index('"', i + 1)
            tokens.append(text[i + 1 : j])
            i = j + 1
        else:
            j = text.find(" ", i)
            j = len(text) if j < 0 else j
            tokens.append(text[i:j])
            i = j
    return tokens


def mata_value(expression: str) -> str:
    """The value of a string expression written by mata_string: "..." + char(34) + "..."."""
    parts = expression.split(" + char(34) + ")
    assert all(p.startswith('"') and p.endswith('"') and '"' not in p[1:-1] for p in parts)
    return '"'.join(macro_expand(p[1:-1]) for p in parts)


HOSTILE = [
    "plain",
    'He said "yes"',
    "d'accord",
    "l'\"ensemble\"'",  # the two characters "' inside
    "\"'",
    'a `" b "\' c',  # balanced compound quotes in the text
    "$HOME and `x' and \\ back",
    "ends with `",
    '`"',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_label_is_read_back_as_written(text):
    literal = stata_literal(text)
    if literal is None:
        assert mata_value(mata_string(text)) == text
    else:
        assert stata_tokens(f"label variable x {literal}") == ["label", "variable", "x", text]


def test_an_unpaired_compound_close_goes_through_mata():
    assert stata_literal("l'\"ensemble\"'") is None
    assert stata_literal('say "hi"') == '`"say "hi""\''


def _spec(tmp_path: Path, label_fr: str) -> str:
    spec = MINI.read_text(encoding="utf-8").replace(
        '{code: 1, label: {en: "Yes", fr: Oui, es: Sí}}',
        '{code: 1, label: {en: "Yes", fr: \'' + label_fr.replace("'", "''") + "', es: Sí}}",
    )
    path = tmp_path / "mini" / "1.0.0.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(spec, encoding="utf-8")
    return str(path)


def test_a_label_with_quote_apostrophe_keeps_its_whole_label_set(tmp_path):
    label = 'Oui "tout à fait"\' vraiment'
    text, _ = stata_syntax(adapt(None, _spec(tmp_path, label), languages=["fr"]), "fr")
    joined = re.sub(r" ///\n\s*", " ", text)
    define = next(line for line in joined.splitlines() if line.startswith("label define yes_no "))
    tokens = stata_tokens(define)
    assert tokens[:3] == ["label", "define", "yes_no"] and tokens[-2:] == [",", "replace"]
    pairs = dict(zip(tokens[3:-2:2], tokens[4:-2:2], strict=True))
    assert pairs == {"2": "Non", ".a": "Ne sait pas", ".c": "Non déclaré"}
    mata = next(line for line in text.splitlines() if line.startswith("mata: st_vlmodify"))
    match = re.fullmatch(r'mata: st_vlmodify\("yes_no", 1, (.*)\)', mata)
    assert match and mata_value(match[1]) == label
    # every label define, variable label and value of the whole file tokenises
    for line in joined.splitlines():
        if line.startswith(("label define", "    label variable")):
            stata_tokens(line.strip())


def test_several_languages_in_one_do_with_label_language(tmp_path):
    out = tmp_path / "labels.do"
    result = export_stata(adapt(None, str(MINI)), out, languages=["en", "fr", "es"])
    assert result.paths[0] == out
    assert {p.name for p in result.paths} == {
        "labels.do",
        "labels.en.do",
        "labels.fr.do",
        "labels.es.do",
    }
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    switches = [
        line for line in lines if line.startswith(("label language", "capture label language"))
    ]
    assert switches == [
        "capture label language en, rename",
        "label language en",
        "capture label language fr, new",
        "label language fr",
        "capture label language es, new",
        "label language es",
        "label language en",  # the first language is left current
    ]
    blocks = re.split(r"^capture label language \w+, (?:rename|new)$", text, flags=re.M)[1:]
    english, french, spanish = blocks
    assert 'label define yes_no ///\n    1 "Yes"' in english
    assert 'label define yes_no_fr ///\n    1 "Oui"' in french
    assert 'label define yes_no_es ///\n    1 "Sí"' in spanish
    assert "label values any_member_abroad yes_no_fr" in french
    assert 'label variable year_of_arrival "Année d\'arrivée"' in french
    # data are changed once: extended missing values and recodes only in the first block
    assert english.count("replace year_of_arrival = .a if year_of_arrival == 9998") == 1
    assert "replace " not in french + spanish and "recode " not in french + spanish
    assert all(len(n) <= 32 for n in re.findall(r"label define (\w+)", text))


def test_cli_writes_the_bilingual_do(tmp_path):
    out = tmp_path / "l.do"
    result = CliRunner().invoke(
        main, ["export", "stata", str(MINI), "--lang", "en,fr", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "label language fr" in out.read_text(encoding="utf-8")
