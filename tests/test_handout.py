"""Handouts for trainers: the document model, the four formats, escaping, languages and the CLI.

Each test builds its spec from tests/specs/mini.yaml with the fragments it needs, so the test reads
like the spec a module author would write.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import lxml.html
import pytest
import yaml
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.countries import by_m49, country_name
from migmodule.handout import render_bytes
from migmodule.handout.model import build_handout
from migmodule.i18n import block
from migmodule.profile import adapt
from migmodule.spec.registry import list_modules, load_module

# The handout's words, from the language catalogue (src/migmodule/i18n/<lang>.yaml, handout:).
WORDS = {lang: dict(block(lang, "handout")) for lang in ("en", "fr", "es")}

MINI = Path(__file__).parent / "specs" / "mini.yaml"
DAY = dt.date(2031, 5, 17)
LANGS = ("en", "fr", "es")


def spec_file(tmp_path: Path, change=None, name: str = "spec.yaml") -> Path:
    """mini.yaml, changed by `change(data)`, written to tmp_path."""
    data = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    if change is not None:
        change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def question(data: dict, qid: str) -> dict:
    return next(q for q in data["questions"] if q["id"] == qid)


def teaching_material(data: dict) -> None:
    """What a real module has and mini.yaml lacks: concepts, instructions, mistakes, an exercise."""
    data["purpose"] = {
        "en": "Measure international migrants.",
        "fr": "Mesurer les migrants internationaux.",
        "es": "Medir los migrantes internacionales.",
    }
    data["concepts"] = [
        {
            "id": "foreign_born",
            "term": {
                "en": "Foreign-born",
                "fr": "Né à l'étranger",
                "es": "Nacido en el extranjero",
            },
            "definition": {
                "en": "Born outside the country.",
                "fr": "Né hors du pays.",
                "es": "Nacido fuera del país.",
            },
        }
    ]
    yoa = question(data, "year_of_arrival")
    yoa["instructions"] = {
        "en": "Record the most recent arrival.",
        "fr": "Notez l'arrivée la plus récente.",
        "es": "Anote la llegada más reciente.",
    }
    yoa["common_mistakes"] = [
        {
            "en": "Writing the year of birth.",
            "fr": "Noter l'année de naissance.",
            "es": "Anotar el año de nacimiento.",
        }
    ]
    data["exercises"] = [
        {
            "id": "ex_ana",
            "situation": {
                "en": "Ana was born in Kenya and came in 2020.",
                "fr": "Ana est née au Kenya et arrivée en 2020.",
                "es": "Ana nació en Kenia y llegó en 2020.",
            },
            "answers": {"country_of_birth": 404, "year_of_arrival": 2020, "reasons": "1 2"},
            "explanation": {
                "en": "She is foreign-born.",
                "fr": "Elle est née à l'étranger.",
                "es": "Nació en el extranjero.",
            },
        }
    ]


def handout_for(path: Path | str, lang: str = "en", profile=None):
    return build_handout(adapt(profile, str(path)), lang, generated=DAY)


# Handouts rendered once per spec text, language and format, shared by the tests of this file
# (the whole-bank test reads each module's HTML twice).
_RENDERED: dict[tuple[str, str, str, str], tuple[bytes, list]] = {}


def rendered(path, lang: str, output_format: str, profile=None) -> tuple[bytes, list]:
    if profile is not None:
        return render_bytes(adapt(profile, str(path)), lang, output_format, generated=DAY)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    key = (str(path), digest, lang, output_format)
    if key not in _RENDERED:
        _RENDERED[key] = render_bytes(adapt(None, str(path)), lang, output_format, generated=DAY)
    return _RENDERED[key]


def html_tree(path, lang="en", profile=None):
    data, _ = rendered(path, lang, "html", profile)
    return data.decode("utf-8"), lxml.html.fromstring(data)


def docx_document(path, lang="en", profile=None):
    data, _ = rendered(path, lang, "docx", profile)
    return docx.Document(io.BytesIO(data))


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def expected_codes(module, q) -> set[str]:
    code_list = module.code_list_by_id.get(q.code_list) if q.code_list else None
    if code_list is None:
        return set()
    codes = {str(c.code) for c in code_list.codes}
    if code_list.source == "builtin:countries":
        codes |= {str(code) for code in by_m49()}
    return codes


# The template's own words -----------------------------------------------------------------------


def test_every_template_word_exists_in_every_language_with_the_same_placeholders():
    keys = set(WORDS["en"])
    for lang in LANGS:
        assert set(WORDS[lang]) == keys, (
            f"{lang}: missing {keys - set(WORDS[lang])}, extra {set(WORDS[lang]) - keys}"
        )
        for key in keys:
            assert WORDS[lang][key].strip(), f"{lang}.{key} is empty"
            assert set(re.findall(r"\{(\w+)\}", WORDS[lang][key])) == set(
                re.findall(r"\{(\w+)\}", WORDS["en"][key])
            )


def english_fragments(lang: str) -> set[str]:
    """Pieces of English template text (between placeholders) that the other language never uses."""
    theirs = " ".join(WORDS[lang].values())
    fragments = set()
    for text in WORDS["en"].values():
        for piece in re.split(r"\{\w+\}", text):
            piece = piece.strip(" .:;,()")
            if len(piece) >= 5 and piece not in theirs:
                fragments.add(piece)
    return fragments


@pytest.mark.parametrize("lang", ["fr", "es"])
@pytest.mark.parametrize("output_format", ["html", "md", "docx"])
def test_french_and_spanish_handouts_contain_no_english_template_words(
    tmp_path, lang, output_format
):
    path = spec_file(tmp_path, teaching_material)
    data, findings = render_bytes(adapt(None, str(path)), lang, output_format, generated=DAY)
    if output_format == "docx":
        text = docx_text(docx.Document(io.BytesIO(data)))
    elif output_format == "html":
        text = lxml.html.fromstring(data).text_content()
    else:
        text = data.decode("utf-8")
    leaked = sorted(f for f in english_fragments(lang) if f in text)
    assert not leaked, f"English template words in the {lang} handout: {leaked}"
    assert findings == []


# Content: routing, universes, edits -----------------------------------------------------------


def test_where_to_go_next_follows_the_universes():
    part = handout_for(MINI).parts[0]
    blocks = {q.id: q for section in part.sections for q in section.questions}
    assert blocks["any_member_abroad"].next_steps == ["Go to Q2 (Age in completed years)."]
    assert (
        blocks["country_of_birth"].next_steps[0]
        == "For persons born abroad: go to Q4 (Year of arrival)."
    )
    assert (
        blocks["country_of_birth"]
        .next_steps[1]
        .startswith("Otherwise: last question for this person")
    )
    # Q4 is asked of the foreign-born; Q5 adds the age condition, which is all Q4 needs to say.
    assert (
        blocks["year_of_arrival"].next_steps[0]
        == "For persons aged 5 or over: go to Q5 (Reasons for migration)."
    )
    assert blocks["year_of_arrival"].universe == "Asked of persons born abroad."
    assert blocks["reasons"].universe == "Asked of persons born abroad and aged 5 or over."


def test_edits_are_listed_under_the_questions_they_read_and_national_switches_apply(tmp_path):
    part = handout_for(MINI).parts[0]
    blocks = {q.id: q for section in part.sections for q in section.questions}
    assert [e.id for e in blocks["age"].edits] == ["E1"]
    assert [e.id for e in blocks["year_of_arrival"].edits] == [
        "E1"
    ]  # E2 is off: ARRIVAL_DEFINITION
    assert blocks["country_of_birth"].edits == []
    assert "before the year of birth" in blocks["age"].edits[0].message
    assert "2030" in blocks["age"].edits[0].expected  # REF_DATE folded in
    first = adapt(None, str(MINI), params={"ARRIVAL_DEFINITION": "first"})
    blocks = {q.id: q for s in build_handout(first, "en").parts[0].sections for q in s.questions}
    assert [e.id for e in blocks["year_of_arrival"].edits] == ["E1", "E2"]


def test_a_change_to_the_spec_changes_the_handout(tmp_path):
    def change(data):
        teaching_material(data)
        question(data, "age")["label"]["en"] = "What was this person's age at the last birthday?"
        question(data, "age")["universe"] = "any_member_abroad == 1"

    html, tree = html_tree(spec_file(tmp_path, change))
    assert "What was this person&#39;s age at the last birthday?" in html
    assert "Record the most recent arrival." in tree.text_content()
    assert "Writing the year of birth." in tree.text_content()
    assert "Born outside the country." in tree.text_content()
    assert "Asked of persons who answered “Yes” to “former member abroad”." in tree.text_content()


def test_profile_puts_country_and_reference_date_on_the_title_page(tmp_path):
    profile_path = tmp_path / "kenya.yaml"
    profile_path.write_text(
        f"name: Kenya 2029\ncountry: KEN\nreference_date: 2029-08-24\n"
        f"modules:\n  - module: {MINI}\n",
        encoding="utf-8",
    )
    from migmodule.profile import load_profile

    handout = build_handout(
        adapt(load_profile(profile_path), str(MINI)), "fr", national=True, generated=DAY
    )
    facts = dict(handout.parts[0].facts)
    assert facts["Pays"] == country_name(404, "fr", in_sentence=True)
    assert facts["Date de référence du recensement ou de l'enquête"] == "2029-08-24"
    labels = [q.label for s in handout.parts[0].sections for q in s.questions]
    assert (
        f"En quelle année cette personne est-elle arrivée pour vivre en {country_name(404, 'fr', in_sentence=True)} ?"
        in labels
    )


def test_missing_translation_is_reported_and_a_missing_language_is_refused(tmp_path):
    def drop_french_hint(data):
        question(data, "age")["hint"] = {
            "en": "Completed years.",
            "fr": "",
            "es": "Años cumplidos.",
        }

    handout = handout_for(spec_file(tmp_path, drop_french_hint), "fr")
    assert [f.code for f in handout.findings] == ["HANDOUT-TEXT-001"]
    assert "hint of question age" in handout.findings[0].message

    def english_only(data):
        data["languages"] = ["en"]

    result = CliRunner().invoke(
        main,
        [
            "handout",
            str(spec_file(tmp_path, english_only, "en.yaml")),
            "--lang",
            "es",
            "-o",
            str(tmp_path / "h.html"),
        ],
    )
    assert result.exit_code == 2
    assert "HANDOUT-LANG-001" in result.output and "--lang en" in result.output
    assert not (tmp_path / "h.html").exists()


# Formats --------------------------------------------------------------------------------------


def level_blocks(questions) -> int:
    """Runs of consecutive questions at one level: each gets its heading and its routing diagram."""
    return sum(1 for i, q in enumerate(questions) if i == 0 or questions[i - 1].level != q.level)


def check_html(path, lang: str, profile=None) -> None:
    module = load_module(str(path)) if profile is None else adapt(profile, str(path))[0].module
    html, tree = html_tree(path, lang, profile)
    h1 = [h.text_content() for h in tree.iter("h1")]
    assert h1 == [module.title[lang]]
    h4 = " ".join(h.text_content() for h in tree.iter("h4"))
    adapted = adapt(profile, str(path))[0]
    text = tree.text_content()
    cells = {td.text_content().strip() for td in tree.iter("td")} | {
        s.text_content().strip() for s in tree.find_class("code")
    }
    for number, q in enumerate(adapted.questions, start=1):
        assert f"{WORDS[lang]['question_prefix']}{number}" in h4, f"question {q.id} has no heading"
        assert q.variable_name in text
        missing = expected_codes(module, q) - cells
        assert not missing, f"codes of {q.id} missing from the HTML: {sorted(missing)[:10]}"
    assert f"{module.id} {module.version}" in tree.find_class("page-footer")[0].text_content()
    assert DAY.isoformat() in tree.find_class("page-footer")[0].text_content()
    # One diagram per level, or one per part of a level long enough to be crowded (issue 18).
    diagrams = [
        len(section.diagrams)
        for section in build_handout([adapted], lang, generated=DAY).parts[0].sections
    ]
    assert len(diagrams) == level_blocks(adapted.questions) and min(diagrams) >= 1
    assert len(tree.findall(".//svg")) == sum(diagrams)
    assert (
        "<link" not in html and 'src="http' not in html and "@import" not in html
    )  # self-contained


def check_docx(path, lang: str) -> None:
    module = load_module(str(path))
    adapted = adapt(None, str(path))[0]
    document = docx_document(path, lang)
    headings = {p.style.name: [] for p in document.paragraphs}
    for p in document.paragraphs:
        headings[p.style.name].append(p.text)
    assert headings["Title"] == [module.title[lang]]
    assert WORDS[lang]["questions"] in headings["Heading 1"]
    table_cells = {
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    }
    for number, q in enumerate(adapted.questions, start=1):
        prefix = WORDS[lang]["question_prefix"]
        assert any(h.startswith(f"{prefix}{number}. ") for h in headings["Heading 3"]), q.id
        missing = expected_codes(module, q) - table_cells
        assert not missing, f"codes of {q.id} missing from the DOCX: {sorted(missing)[:10]}"
    footer = document.sections[0].footer.paragraphs[0].text
    assert f"{module.id} {module.version}" in footer and DAY.isoformat() in footer
    diagrams = [
        len(section.diagrams)
        for section in build_handout([adapted], lang, generated=DAY).parts[0].sections
    ]
    assert len(diagrams) == level_blocks(adapted.questions) and min(diagrams) >= 1
    assert len(document.inline_shapes) == sum(diagrams)  # diagrams
    assert abs(document.sections[0].page_width.mm - 210) < 1


def test_html_of_mini_has_every_heading_question_and_code():
    for lang in LANGS:
        check_html(MINI, lang)


def test_docx_of_mini_opens_with_headings_questions_codes_footer_and_diagrams():
    for lang in LANGS:
        check_docx(MINI, lang)


def test_markdown_has_every_question_and_code(tmp_path):
    data, _ = render_bytes(adapt(None, str(MINI)), "es", "md", generated=DAY)
    text = data.decode("utf-8")
    assert text.startswith("# Minimódulo")
    for number in range(1, 6):
        assert f"#### P{number}. " in text  # Spanish: P for pregunta
    for code in ("1", "2", "98", "9998", "404", "990" if False else "999"):
        assert f"| {code} |" in text
    assert "mini 1.0.0" in text and DAY.isoformat() in text


def test_exercises_render_with_expected_answers_and_code_labels(tmp_path):
    part = handout_for(spec_file(tmp_path, teaching_material)).parts[0]
    [exercise] = part.exercises
    answers = dict(exercise.answers)
    assert answers["Q3 Country of birth"] == "404 (Kenya)"
    assert answers["Q5 Reasons for migration"] == "1 (Work); 2 (Family)"
    assert answers["Q4 Year of arrival"] == "2020"


def test_country_list_is_a_compact_appendix():
    part = handout_for(MINI).parts[0]
    [appendix] = part.appendices
    assert appendix.compact and appendix.letter == "A"
    assert {row.code for row in appendix.rows} >= {str(code) for code in by_m49()}


# Escaping --------------------------------------------------------------------------------------

HOSTILE = "Born <script>alert(1)</script> & <b>bold</b> | *star* [link](http://x)"


def hostile(data):
    for lang in LANGS:
        question(data, "country_of_birth")["label"][lang] = HOSTILE
        data["code_lists"][0]["codes"][0]["label"][lang] = HOSTILE  # yes_no code 1
        data["title"][lang] = HOSTILE


def test_text_from_the_spec_cannot_inject_markup_into_html(tmp_path):
    html, tree = html_tree(spec_file(tmp_path, hostile))
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert not tree.findall(".//script") and not tree.findall(".//b")
    assert HOSTILE in [h.text_content() for h in tree.iter("h1")]
    assert any(HOSTILE in h.text_content() for h in tree.iter("h4"))
    assert any(td.text_content() == HOSTILE for td in tree.iter("td"))
    assert any(HOSTILE in t.text for t in tree.iter("title"))


def test_text_from_the_spec_is_escaped_in_markdown_and_literal_in_docx(tmp_path):
    path = spec_file(tmp_path, hostile)
    data, _ = render_bytes(adapt(None, str(path)), "en", "md", generated=DAY)
    text = data.decode("utf-8")
    assert "<script" not in text and "<b>" not in text
    assert (
        r"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; \| \*star\* \[link\](http://x)"
        in text
    )
    document = docx_document(path)
    assert HOSTILE in [p.text for p in document.paragraphs if p.style.name == "Title"]


# PDF --------------------------------------------------------------------------------------------


def test_pdf_without_the_extra_is_a_coded_error_naming_it(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError("No module named 'weasyprint'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    out = tmp_path / "h.pdf"
    result = CliRunner().invoke(main, ["handout", str(MINI), "-o", str(out)])
    assert result.exit_code == 2
    assert "HANDOUT-PDF-001" in result.output and 'pip install "migmodule[pdf]"' in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_pdf_with_the_extra(tmp_path):
    pytest.importorskip("weasyprint", reason="the optional pdf extra (weasyprint) is not installed")
    out = tmp_path / "h.pdf"
    result = CliRunner().invoke(
        main, ["handout", str(MINI), "--lang", "fr", "--format", "pdf", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Dans quel pays cette personne est-elle née ?" in text
        assert (
            f"mini 1.0.0 · produit le {dt.date.today().isoformat()}" in text
        )  # footer on the page


# CLI ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["html", "docx", "md"])
def test_cli_writes_each_format_from_the_extension(tmp_path, suffix):
    out = tmp_path / f"handout.{suffix}"
    result = CliRunner().invoke(main, ["handout", str(MINI), "--lang", "es", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000
    assert f"escrito ({suffix}, es, 1 módulo)" in result.output


def test_cli_without_a_module_or_profile_is_a_coded_error(tmp_path):
    result = CliRunner().invoke(main, ["handout", "-o", str(tmp_path / "h.html")])
    assert result.exit_code == 2 and "HANDOUT-MODULE-001" in result.output


# Headless Chromium: a picture a person can look at --------------------------------------------


def _chromium() -> str | None:
    return next(
        (
            shutil.which(n)
            for n in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(n)
        ),
        None,
    )


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed")
@pytest.mark.parametrize("width", [390, 1024])  # a phone and a laptop
def test_html_renders_in_headless_chromium(tmp_path, width):
    from PIL import Image

    page = tmp_path / "handout.html"
    page.write_bytes(
        render_bytes(adapt(None, str(spec_file(tmp_path, teaching_material))), "fr", "html")[0]
    )
    png = tmp_path / f"handout-{width}.png"
    subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--window-size={width},2000",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert png.exists(), "Chromium wrote no screenshot"
    image = Image.open(png)
    assert image.size == (width, 2000)
    # Something is drawn: a blank page has one colour; the handout has text, tables and a diagram.
    assert len(image.convert("RGB").getcolors(maxcolors=1_000_000)) > 50
    # The page fits the phone: no horizontal overflow is needed to read it (scroll width check).
    dom = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--window-size={width},2000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Dans quel pays cette personne est-elle née ?" in dom.stdout


# Every module of the bank -----------------------------------------------------------------------

BANK = [entry for entry in list_modules()]


@pytest.mark.slow
@pytest.mark.parametrize("entry", BANK, ids=[e.ref for e in BANK])
@pytest.mark.parametrize("lang", LANGS)
def test_every_bank_module_renders_in_every_language_and_format(tmp_path, entry, lang):
    module = load_module(str(entry.path))
    if lang not in module.languages:
        pytest.skip(f"{entry.ref} is not yet written in {lang}")
    check_html(entry.path, lang)
    check_docx(entry.path, lang)
    data, findings = rendered(entry.path, lang, "md")
    prefix = WORDS[lang]["question_prefix"]
    assert all(
        f"{prefix}{n}. " in data.decode("utf-8") for n in range(1, len(module.questions) + 1)
    )
    assert [str(f) for f in findings] == [], "texts missing in the module's own language"
    if lang != "en":
        tree = lxml.html.fromstring(rendered(entry.path, lang, "html")[0])
        for citation in tree.find_class("cite") + tree.find_class("sources"):
            citation.drop_tree()  # titles and sections of the (English) source documents, cited as they are
        leaked = sorted(f for f in english_fragments(lang) if f in tree.text_content())
        assert not leaked, f"English template words in the {lang} handout: {leaked}"
