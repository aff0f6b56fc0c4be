"""The language catalogue (src/migmodule/i18n/*.yaml): same keys and placeholders in every
language, plurals by Babel's rules, a missing key fails loudly, unknown languages are refused."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

from migmodule import i18n
from migmodule.codes import MigmoduleError, all_codes
from migmodule.validate.checks import CHECKS

EN = i18n.catalogue("en")
COMPLETE = [lang for lang in i18n.complete_languages() if lang != "en"]


def test_languages_are_derived_from_the_files():
    assert i18n.all_languages() == ("ar", "en", "es", "fr", "pt")
    assert i18n.complete_languages() == ("en", "fr", "es", "pt")  # ar is a draft stub
    assert i18n.info("ar").direction == "rtl" and i18n.info("fr").direction == "ltr"
    assert i18n.info("pt").tag == "pt" and i18n.info("es").name == "Español"


@pytest.mark.parametrize("lang", COMPLETE)
def test_every_complete_catalogue_has_the_english_keys_and_placeholders(lang):
    words = i18n.catalogue(lang)
    assert sorted(set(EN) - set(words)) == [], f"missing in {lang}"
    assert sorted(set(words) - set(EN)) == [], f"not in en, but in {lang}"
    for key, text in EN.items():
        assert i18n.placeholders(words[key]) == i18n.placeholders(text), f"{lang}: {key}"
        assert i18n.is_plural(words[key]) == i18n.is_plural(text), f"{lang}: {key}"


def test_the_draft_stub_uses_english_keys_and_placeholders():
    words = i18n.catalogue("ar")
    assert set(words) - set(EN) == {"meta.draft"}
    for key, text in words.items():
        if key in EN:
            # a subset: Arabic's one and two forms need no number ("صفان", two rows)
            assert i18n.placeholders(text) <= i18n.placeholders(EN[key]), key


@pytest.mark.parametrize("lang", i18n.all_languages())
def test_plural_entries_use_the_languages_own_categories(lang):
    categories = set(i18n.locale(lang).plural_form.tags) | {"other"}
    for key, text in i18n.catalogue(lang).items():
        if isinstance(text, dict):
            assert set(text) <= categories, f"{lang}: {key} has {set(text) - categories}"
            if "one" in categories:
                assert "one" in text, f"{lang}: {key}"


def test_plurals_follow_each_languages_rules():
    assert i18n.word("en", "report.rows", count=1) == "1 row"
    assert i18n.word("en", "report.rows", count=2) == "2 rows"
    assert i18n.word("en", "report.rows", count=0) == "0 rows"
    assert i18n.word("fr", "report.rows", count=0) == "0 ligne"  # French singular includes 0
    assert i18n.word("fr", "report.rows", count=1) == "1 ligne"
    assert i18n.word("es", "report.rows", count=2) == "2 filas"
    assert i18n.word("ar", "report.rows", count=2) == "صفان"  # the dual


def test_numbers_percentages_and_dates_by_babel():
    from datetime import datetime

    assert i18n.word("en", "report.rows", count=12345) == "12,345 rows"
    assert i18n.word("fr", "report.rows", count=12345) == "12\u202f345 lignes"
    assert i18n.percent("en", 0.125) == "12.5%"
    assert i18n.percent("fr", 0.125) == "12,5\u00a0%"
    made = i18n.word("fr", "report.made", when=datetime(2026, 3, 5, 14, 30))
    assert "mars 2026" in made and "14:30" in made
    assert "Mar 5, 2026" in i18n.word("en", "report.made", when=datetime(2026, 3, 5, 14, 30))


def test_a_missing_key_fails_loudly_and_never_falls_back_to_english():
    with pytest.raises(i18n.MissingWord):
        i18n.word("fr", "report.no_such_word")
    with pytest.raises(i18n.MissingWord):  # the Arabic stub has no CSV words yet
        i18n.word("ar", "csv.sep_tab")
    with pytest.raises(i18n.MissingWord):
        i18n.word("en", "report.rows")  # a plural entry needs count=


def test_unknown_language_is_refused_with_a_code():
    with pytest.raises(MigmoduleError) as caught:
        i18n.check_language("de")
    assert caught.value.finding.code == "I18N-LANG-001"
    assert "en, fr, es, pt" in caught.value.finding.message
    with pytest.raises(MigmoduleError):
        i18n.check_language("ar")  # a draft is not offered yet


def _template_fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_code_a_check_can_emit_has_a_title_and_message_in_every_language():
    emitted = {issue.code: issue for check in CHECKS for issue in check.issues}
    validate = {c: i for c, i in all_codes().items() if c.startswith(("DATA-", "VAL-"))}
    for code, issue in {**validate, **emitted}.items():
        for lang in i18n.complete_languages():
            assert i18n.finding_title(lang, code), (lang, code)
            message = i18n.entry(lang, f"finding.{code}.message")
            # every value a message uses is one the check passes (its define() template's)
            assert i18n.placeholders(message) <= _template_fields(str(issue.template)) | (
                i18n.placeholders(issue.template) if isinstance(issue.template, str) else set()
            ), (lang, code)
        assert i18n.word("en", f"finding.{code}.title") == issue.title


def test_validate_codes_take_their_english_wording_from_the_catalogue():
    from migmodule.validate import codes

    assert isinstance(codes.CODE_OUT_OF_LIST.template, i18n.Template)
    one = codes.CODE_OUT_OF_LIST.format(
        variable="P04", question="sex", count=1, code_list="sex", values="9 (1x)"
    )
    many = codes.CODE_OUT_OF_LIST.format(
        variable="P04", question="sex", count=3, code_list="sex", values="9 (3x)"
    )
    assert "has 1 value that is not a code" in one
    assert "has 3 values that are not codes" in many


PLAIN_WORDS = re.compile(r"`|\(s\)|\{\w+!r\}")


@pytest.mark.parametrize("lang", i18n.all_languages())
def test_messages_are_plain_words(lang):
    """No backticks, no "unit(s)", no Python reprs in any message of the catalogue."""
    for key, text in i18n.catalogue(lang).items():
        for one in text.values() if isinstance(text, dict) else [text]:
            assert not PLAIN_WORDS.search(str(one)), f"{lang}: {key}: {one}"


def test_a_finding_is_rendered_in_the_reports_language():
    from migmodule.codes import Finding
    from migmodule.validate import codes

    finding = Finding.make(
        codes.ID_DUPLICATE, level="person", count=2, id_variables="hh_id", noun_one="person"
    )
    assert finding.message.startswith("person file: 2 rows repeat")
    assert i18n.finding_message("fr", finding).startswith("fichier person : 2 lignes répètent")
    assert i18n.finding_message("es", finding).startswith("archivo person: 2 filas repiten")
    assert i18n.finding_message("pt", finding).startswith("arquivo person: 2 linhas repetem")


def test_values_are_written_in_words_not_reprs():
    areas = [{"code": 1, "label": {"en": "Area 1", "fr": "Zone 1"}}, {"code": 2, "label": "Area 2"}]
    assert i18n.plain(areas) == "1 = Area 1, 2 = Area 2"
    assert i18n.plain(areas, "fr") == "1 = Zone 1, 2 = Area 2"
    from migmodule.codes import Finding
    from migmodule.profile import PROFILE_PARAMETER_UNSET

    finding = Finding.make(PROFILE_PARAMETER_UNSET, module="m@1", name="ADMIN_AREAS", value=areas)
    assert "1 = Area 1, 2 = Area 2" in finding.message and "{" not in finding.message
    assert "'" not in finding.message
    assert "1 = Zone 1" in i18n.finding_message("fr", finding)


class _NoDuplicates(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice (the plain loader keeps the last one)."""


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    keys = [loader.construct_object(key) for key, _ in node.value]
    twice = sorted({str(k) for k in keys if keys.count(k) > 1})
    assert not twice, f"written twice at line {node.start_mark.line + 1}: {twice}"
    return loader.construct_mapping(node)


_NoDuplicates.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@pytest.mark.parametrize("lang", i18n.all_languages())
def test_no_catalogue_key_is_written_twice(lang):
    """Moved from the handout's word table: a key written twice silently keeps its last value."""
    path = Path(i18n.__file__).parent / "i18n" / f"{lang}.yaml"
    yaml.load(path.read_text(encoding="utf-8"), Loader=_NoDuplicates)  # noqa: S506 (SafeLoader)
    with pytest.raises(AssertionError):
        yaml.load("a:\n  b: 1\n  b: 2\n", Loader=_NoDuplicates)  # noqa: S506


def test_every_catalogue_key_is_a_string():
    """`no:`, `yes:`, `true:` are booleans in YAML: such a key would never be found by word()."""
    for lang in i18n.all_languages():
        data = yaml.safe_load(
            (Path(i18n.__file__).parent / "i18n" / f"{lang}.yaml").read_text(encoding="utf-8")
        )
        stack = [data]
        while stack:
            node = stack.pop()
            for key, value in node.items():
                assert isinstance(key, str), f"{lang}: key {key!r} is not a string"
                if isinstance(value, dict):
                    stack.append(value)
