"""The handout in French and Spanish holds no English word of the catalogue (issue 15): the same
check as the validate report's (`english_found`, file paths ignored), over the whole catalogue:
handout headings, condition sentences, module-text words and CLI findings."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from lxml import html

from migmodule.cli import main
from test_validate_cli import SAMPLE, english_found


def handout_text(tmp_path, lang: str | None) -> str:
    out = tmp_path / f"handout_{lang}.html"
    args = ["handout", "--profile", str(SAMPLE / "census.profile.yaml"), "-o", str(out)]
    result = CliRunner().invoke(main, args + (["--lang", lang] if lang else []))
    assert result.exit_code == 0, result.output
    root = html.parse(str(out)).getroot()
    for element in root.find_class("cite") + root.find_class("sources") + root.findall(".//style"):
        element.drop_tree()  # the cited documents' own (English) titles are quoted as they are
    return " ".join(root.itertext())


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_the_handout_has_no_english_catalogue_words(tmp_path, lang):
    assert english_found(handout_text(tmp_path, lang), lang) == []


def test_the_check_sees_english_in_an_english_handout(tmp_path):
    """The profile's first language is English: the same check finds many English words."""
    found = english_found(handout_text(tmp_path, None), "fr")
    assert len(found) > 10
    assert "Where to go next" in found and "Asked of" in " ".join(found)
