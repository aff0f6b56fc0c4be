"""`migmodule map` and the draft profiles speak the user's language (issue 15 follow-up).

`map --lang` says the proposals, the matcher's evidence, the guesses and the summary in the
language, and the draft profiles written by `map -o` and `compare -o` carry their `# review:`
comments in it; the keys stay English (they are the profile format) and the drafts load. The
national file's own names and labels are shown as the file has them. English is unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import paths
from migmodule.cli import main
from migmodule.mapping_text import map_profile, map_summary
from migmodule.matching.sources import items_from_data
from migmodule.matching.text import clean_label
from migmodule.profile import load_profile
from migmodule.spec.registry import load_module
from migmodule.validate import propose_mapping
from test_compare_language import REACH_FORM, national_texts, needs_reach, ours
from test_i18n_coverage import english_found

SAMPLE = paths.ROOT / "samples" / "national_persons.sav"
CORPUS_FILE = paths.CORPUS / "ipa-hfc" / "household_backcheck.dta"
needs_corpus = pytest.mark.skipif(not CORPUS_FILE.exists(), reason="corpus not available")
MODULE = "census-key-questions"


def invoke(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def file_texts(path: Path) -> list[str]:
    """Every text of the data file the output may quote (names, labels, codes, value labels),
    longest first: they are shown as the file has them, in whatever language it was written."""
    texts = {path.name, path.stem}
    for item in items_from_data(path):
        texts.add(item.name)
        for label in item.labels.values():
            texts |= {label, clean_label(label)}
        for labels in item.value_labels.values():
            texts |= {str(code) for code in labels} | {str(v) for v in labels.values()}
    return sorted((t for t in texts if len(t.strip()) >= 3), key=len, reverse=True)


def comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[1] for line in text.splitlines() if "#" in line)


@pytest.mark.parametrize(
    ("data", "lang"),
    [
        (SAMPLE, "fr"),
        (SAMPLE, "es"),
        (SAMPLE, "pt"),
        pytest.param(CORPUS_FILE, "fr", marks=needs_corpus),
        pytest.param(CORPUS_FILE, "es", marks=needs_corpus),
    ],
    ids=["sample-fr", "sample-es", "sample-pt", "corpus-fr", "corpus-es"],
)
def test_map_says_no_english_word_of_ours(tmp_path, data, lang):
    draft = tmp_path / "draft.yaml"
    national = file_texts(data)
    shown = invoke("map", data, "-m", MODULE, "--lang", lang)
    written = invoke("map", data, "-m", MODULE, "--lang", lang, "-o", draft)
    assert shown.exit_code == 0 and written.exit_code == 0, shown.output + written.output
    outputs = {
        "terminal": shown.output,
        "terminal -o": written.output,
        "draft": draft.read_text(encoding="utf-8"),
    }
    for name, text in outputs.items():
        assert english_found(ours(text, national), lang) == [], name
    # the detector is not blind: the English run is full of the words it looks for
    english = invoke("map", data, "-m", MODULE)
    found = set(english_found(ours(english.output, national), lang))
    assert {"check each one before use", "not found"} <= found, found
    if data == SAMPLE:
        assert {"value labels are countries", "value labels match the code list"} <= found


def test_the_french_map_says_what_the_user_reads(tmp_path):
    result = invoke("map", SAMPLE, "-m", MODULE, "--lang", "fr")
    lines = result.output.splitlines()
    assert lines[0] == "national_persons.sav -> census-key-questions@2.0.0 (niveau person)"
    sex = next(line for line in lines if "sex <- P11_SEX" in line)
    assert "libellé (en) « Sex » ~ « sex » ; 2 libellés de valeurs sur 2 correspondent" in sex
    assert any(line.startswith("        recodage : 500 -> 404") for line in lines)
    assert "    #   age" in lines
    assert any(line.startswith("  non trouvées : age, ever_lived_abroad") for line in lines)
    draft = tmp_path / "brouillon.yaml"
    written = invoke("map", SAMPLE, "-m", MODULE, "--lang", "fr", "-o", draft)
    last = written.output.splitlines()[-1]
    assert last == f"23 questions appariées, 10 non appariées ; profil écrit dans {draft}"


@needs_corpus
def test_a_guess_below_the_threshold_is_said_in_the_language():
    result = invoke("map", CORPUS_FILE, "-m", MODULE, "--lang", "es")
    assert "age <- a_pl_ch_age  [suposición, no propuesta]" in result.output
    assert "#   age (mejor suposición a_pl_ch_age, 0.72: palabras del nombre" in result.output


def test_the_french_map_draft_loads_and_is_the_english_one(tmp_path):
    french, english = tmp_path / "fr.yaml", tmp_path / "en.yaml"
    assert invoke("map", SAMPLE, "-m", MODULE, "--lang", "fr", "-o", french).exit_code == 0
    assert invoke("map", SAMPLE, "-m", MODULE, "-o", english).exit_code == 0
    loaded, reference = load_profile(french), load_profile(english)
    assert loaded.modules == reference.modules  # same variables, ids, recodes and files
    assert loaded.name == "national_persons (proposé)"
    text = french.read_text(encoding="utf-8")
    assert text.startswith("# Proposé par `migmodule map` à partir de national_persons.sav.")
    assert "# à vérifier : 1.00 libellé (en) « Sex »" in text
    assert "# Non appariées (ajoutez-les ci-dessus si le fichier les contient) :" in text
    assert "# Variables du fichier non utilisées : INT_DATE" in text
    assert '# "1:47" : code M49 du pays du recensement (codes de place_of_birth' in text
    assert "review" not in comments(text)
    # the keys stay English: the format's
    assert set(yaml.safe_load(text)["modules"][0]) == {
        "module",
        "files",
        "ids",
        "variables",
        "recodes",
    }


def test_english_map_is_unchanged():
    """`MappingProposal.summary()`/`to_yaml()` are the English of `mapping_text`; the English text
    is the one map printed before it spoke other languages (lines pinned here)."""
    proposal = propose_mapping(SAMPLE, MODULE)
    summary, draft = map_summary(proposal), map_profile(proposal)
    assert summary.splitlines()[0] == (
        "national_persons.sav -> census-key-questions@2.0.0 (level person)"
    )
    assert (
        '  1.00  sex <- P11_SEX  (label (en) "Sex" ~ "sex"; 2 of 2 value labels match the code'
        in summary
    )
    assert "\n  not found: age, ever_lived_abroad, month_of_arrival," in summary
    assert draft.startswith(
        "# Proposed by `migmodule map` from national_persons.sav. Every line marked `review` is a\n"
        "# guess by the matcher (score 0-1 and why): check each one before use.\n"
        "profile_format: 1\n"
    )
    assert (proposal.summary(), proposal.to_yaml()) == (summary, draft)
    result = invoke("map", SAMPLE, "-m", MODULE)
    assert result.output == summary + draft


def test_map_names_what_lang_covers_and_refuses_an_unknown_language():
    help_text = " ".join(invoke("map", "--help").output.split())
    assert "--lang LANG" in help_text
    assert "the comments of the -o profile (its keys stay English" in help_text
    result = invoke("map", SAMPLE, "-m", MODULE, "--lang", "xx")
    assert result.exit_code != 0
    assert "I18N-LANG-001" in result.output and "Traceback" not in result.output


@needs_reach
@pytest.mark.parametrize("lang", ["fr", "es"])
def test_the_compare_draft_in_the_language_loads(tmp_path, lang):
    draft, english = tmp_path / "draft.yaml", tmp_path / "en.yaml"
    args = [*REACH_FORM, "-m", MODULE]
    assert invoke("compare", *args, "--lang", lang, "-o", draft).exit_code in (0, 1)
    assert invoke("compare", *args, "-o", english).exit_code in (0, 1)
    text = draft.read_text(encoding="utf-8")
    assert english_found(ours(text, national_texts(REACH_FORM)), lang) == []
    review = {"fr": "# à vérifier : ", "es": "# revisar: "}[lang]
    assert text.count(review) >= 5 and "review" not in comments(text)
    loaded, reference = load_profile(draft), load_profile(english)
    assert loaded.modules == reference.modules
    assert loaded.name == {"fr": "SOM_QUESTIONS (ébauche)", "es": "SOM_QUESTIONS (borrador)"}[lang]
    help_text = " ".join(invoke("compare", "--help").output.split())
    assert "the comments of the -o draft profile (its keys stay English)" in help_text
    english_text = english.read_text(encoding="utf-8")
    assert english_text.startswith("# Drafted by `migmodule compare` from ")
    assert "# review: " in english_text


def format_words(refs: list[str]) -> list[str]:
    """The modules' ids, names, levels, parameter ids and choices and status: the profile format's
    values, not words of ours, whatever the language."""
    words = set()
    for module in map(load_module, refs):
        words |= {module.ref, module.id, module.status.value, *(lv.id for lv in module.levels)}
        for param in module.parameters:
            words |= {param.id, *(param.choices or [])}
        for item in [*module.questions, *module.derived]:
            words |= {item.id, item.variable_name}
    return sorted(words, key=len, reverse=True)


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_profile_init_comments_in_the_first_language(tmp_path, lang):
    path, english = tmp_path / "profile.yaml", tmp_path / "en.yaml"
    args = ["profile", "init", MODULE, "work-abroad", "--country", "KEN"]
    assert invoke(*args, "--lang", f"{lang},en", "-o", path).exit_code == 0
    assert invoke(*args, "--lang", "en", "-o", english).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert english_found(ours(comments(text), format_words([MODULE, "work-abroad"])), lang) == []
    assert english_found(comments(english.read_text(encoding="utf-8")), lang) != []
    head = {"fr": "# Profil migmodule : comment", "es": "# Perfil de migmodule: cómo"}[lang]
    assert text.startswith(head)
    loaded, reference = load_profile(path), load_profile(english)
    assert loaded.modules == reference.modules and loaded.languages == [lang, "en"]


def test_profile_init_in_english_is_unchanged():
    from migmodule.profile_init import profile_text

    text = profile_text([MODULE], "KEN", None, ["en"])
    assert text == profile_text([MODULE], "KEN", None, ["en"], lang="en")
    assert text.startswith("# migmodule profile: how one country uses these modules.\n")
    assert "      # One of: most_of_12_months, 12_months.\n" in text
    assert "   # set this: YYYY-MM-DD; null uses the generic placeholder date\n" in text
