"""Issue 18: handouts a trainer can teach from and a participant can be given.

Print keeps every question and diagram box, the contents are listed, participants get no
answers, the deck has a slide per question, exercises follow the national reference date, only
published sources are cited, and the diagram is laid out by Graphviz.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import lxml.html
import pytest
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.handout import render_bytes
from migmodule.handout.model import build_handout
from migmodule.i18n import block
from migmodule.profile import adapt, load_profile
from migmodule.spec.registry import list_modules

# The handout's words, from the language catalogue (src/migmodule/i18n/<lang>.yaml, handout:).
WORDS = {lang: dict(block(lang, "handout")) for lang in ("en", "fr", "es")}

MINI = Path(__file__).parent / "specs" / "mini.yaml"
DAY = dt.date(2031, 5, 17)
LANGS = ("en", "fr", "es")
CENSUS = "census-key-questions@1.0.0"
BANK = sorted({f"{e.id}@{e.version}" for e in list_modules()})


def pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "h.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def needs_pdf():
    pytest.importorskip("weasyprint", reason="the optional pdf extra (weasyprint) is not installed")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")


def check_pdf(ref: str, lang: str, tmp_path: Path) -> None:
    adapted = adapt(None, ref)
    data, _ = render_bytes(adapted, lang, "pdf", generated=DAY)
    pages = pdf_pages(data, tmp_path)
    text = re.sub(r"\s+", " ", " ".join(pages))
    prefix = WORDS[lang]["question_prefix"]
    for number, question in enumerate(adapted[0].questions, start=1):
        assert f"{prefix}{number} " in text, f"{ref}: no question {prefix}{number} in the PDF"
        # Its box in a routing diagram: tag and variable name, as drawn.
        assert f"{prefix}{number} · {question.variable_name}" in text, (
            f"{ref} ({lang}): the diagram box of {prefix}{number} is not in the PDF"
        )
    assert WORDS[lang]["contents"] in pages[0]
    assert re.search(r"\.{5,} ?\d+", pages[0]), "the contents list no page numbers"
    for number, page in enumerate(pages[1:-1], start=2):  # after the contents, before the last
        assert len(page.split()) > 40, f"{ref} ({lang}): page {number} is almost empty"


def test_pdf_holds_every_question_and_diagram_box_and_no_near_empty_page(tmp_path):
    needs_pdf()
    check_pdf(str(MINI), "fr", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("ref", BANK)
def test_pdf_of_every_bank_module_holds_every_question_and_diagram_box(tmp_path, ref, lang):
    needs_pdf()
    check_pdf(ref, lang, tmp_path)


def test_html_contents_link_to_every_level_section_exercises_and_appendices():
    data, _ = render_bytes(adapt(None, CENSUS), "en", "html", generated=DAY)
    tree = lxml.html.fromstring(data)
    [nav] = tree.find_class("toc")
    targets = [a.get("href")[1:] for a in nav.iter("a")]
    ids = {element.get("id") for element in tree.iter() if element.get("id")}
    assert targets and set(targets) <= ids
    sections = build_handout(adapt(None, CENSUS), "en").parts[0].sections
    assert sum("-section-" in t for t in targets) == len(sections)
    assert any(t.endswith("-exercises") for t in targets)
    assert any(t.endswith("-appendices") for t in targets)


def test_docx_has_a_table_of_contents_field_listing_the_headings():
    data, _ = render_bytes(adapt(None, CENSUS), "fr", "docx", generated=DAY)
    document = docx.Document(io.BytesIO(data))
    xml = document.element.xml
    assert "TOC \\o" in xml and 'w:dirty="true"' in xml
    assert "updateFields" in document.settings.element.xml
    texts = [p.text for p in document.paragraphs]
    start = texts.index(WORDS["fr"]["contents"])
    listed = texts[start + 1 : start + 12]
    assert WORDS["fr"]["questions"] in listed and WORDS["fr"]["exercises"] in listed


def exercise_answers(handout_lang: str = "en"):
    handout = build_handout(adapt(None, CENSUS), handout_lang)
    return [value for ex in handout.parts[0].exercises for _, value in ex.answers]


@pytest.mark.parametrize("output_format", ["html", "docx", "md"])
def test_participant_edition_has_no_answers_under_the_exercises_but_an_answer_key(output_format):
    handout = build_handout(adapt(None, CENSUS), "en")
    first = handout.parts[0].exercises[0]
    [answer_value] = [v for name, v in first.answers if name.startswith("Q6 ")][:1] or [None]
    explanation = first.explanation[:60]

    def text_of(audience: str) -> str:
        data, _ = render_bytes(
            adapt(None, CENSUS), "en", output_format, generated=DAY, audience=audience
        )
        if output_format == "docx":
            document = docx.Document(io.BytesIO(data))
            cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
            return "\n".join([p.text for p in document.paragraphs] + cells)
        if output_format == "html":
            return lxml.html.fromstring(data).text_content()
        return data.decode("utf-8").replace("\\", "")

    trainer, participant = text_of("trainer"), text_of("participant")
    key = WORDS["en"]["answer_key"]
    assert key not in trainer and key in participant
    head, _, answer_key = participant.rpartition(key)  # the contents name it first
    assert explanation in trainer and explanation not in head and explanation in answer_key
    assert WORDS["en"]["answers_in_key"] in head
    assert answer_value is not None


@pytest.mark.slow
def test_pptx_deck_has_a_slide_per_question_answer_slides_and_speaker_notes_in_each_language():
    pptx = pytest.importorskip("pptx", reason="the optional pptx extra is not installed")
    for lang in LANGS:
        adapted = adapt(None, CENSUS)
        handout = build_handout(adapted, lang)
        part = handout.parts[0]
        data, _ = render_bytes(adapted, lang, "pptx", generated=DAY)
        deck = pptx.Presentation(io.BytesIO(data))
        titles = [s.shapes.title.text if s.shapes.title is not None else "" for s in deck.slides]
        assert titles[0] == part.title
        assert WORDS[lang]["objectives"] in titles and WORDS[lang]["concepts"] in titles
        for section in part.sections:
            for q in section.questions:
                [slide] = [
                    s
                    for s in deck.slides
                    if s.shapes.title and s.shapes.title.text == f"{q.tag}. {q.label}"
                ]
                body = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
                assert q.universe in body and WORDS[lang]["deck_routing"] in body
                if q.instructions:
                    assert q.instructions in slide.notes_slide.notes_text_frame.text
        for exercise in part.exercises:
            at = titles.index(exercise.heading)
            assert titles[at + 1] == WORDS[lang]["deck_answers_of"].format(heading=exercise.heading)
        diagrams = sum(len(s.diagrams) for s in part.sections)
        pictures = sum(1 for s in deck.slides for sh in s.shapes if sh.shape_type == 13)
        assert pictures == diagrams
        assert WORDS[lang]["edits"] in titles


def test_unknown_format_and_audience_are_coded_errors(tmp_path):
    out = tmp_path / "h.odt"
    result = CliRunner().invoke(main, ["handout", str(MINI), "--format", "odt", "-o", str(out)])
    assert result.exit_code == 2 and "HANDOUT-FORMAT-001" in result.output
    assert "Traceback" not in result.output and not out.exists()
    result = CliRunner().invoke(
        main, ["handout", str(MINI), "--audience", "boss", "-o", str(tmp_path / "h.html")]
    )
    assert result.exit_code == 2 and "HANDOUT-AUDIENCE-001" in result.output


def test_cli_writes_a_deck_from_the_pptx_extension(tmp_path):
    pytest.importorskip("pptx", reason="the optional pptx extra is not installed")
    out = tmp_path / "deck.pptx"
    result = CliRunner().invoke(main, ["handout", str(MINI), "--lang", "fr", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK" and "écrit (pptx, fr, 1 module)" in result.output


def kenya(tmp_path: Path, module: str) -> Path:
    path = tmp_path / "kenya.yaml"
    path.write_text(
        f"name: Kenya 2029\ncountry: KEN\nreference_date: 2029-08-24\n"
        f"modules:\n  - module: {module}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("lang", LANGS)
def test_exercises_follow_the_profile_reference_date(tmp_path, lang):
    profile = load_profile(kenya(tmp_path, CENSUS))
    national = build_handout(adapt(profile, CENSUS), lang, national=True).parts[0]
    generic = build_handout(adapt(None, CENSUS), lang).parts[0]
    said = {
        "en": ("1 January 2030", "24 August 2029"),
        "fr": ("1er janvier 2030", "24 août 2029"),
        "es": ("1 de enero de 2030", "24 de agosto de 2029"),
    }[lang]
    assert said[0] in generic.exercises[0].situation
    for exercise in national.exercises:
        assert said[0] not in exercise.situation and "2030" not in exercise.situation
    assert said[1] in national.exercises[0].situation
    # Amina came back one year before the reference year, in both versions.
    years = {name: value for name, value in generic.exercises[0].answers}
    moved = {name: value for name, value in national.exercises[0].answers}
    arrival = next(name for name in years if name.startswith(f"{WORDS[lang]['question_prefix']}7 "))
    assert (years[arrival], moved[arrival]) == ("2029", "2028")


@pytest.mark.slow
def test_only_published_sources_are_cited():
    for ref in BANK:
        for lang in LANGS:
            part = build_handout(adapt(None, ref), lang).parts[0]
            cited = part.sources + [
                s for sec in part.sections for q in sec.questions for s in q.sources
            ]
            assert not any("working document" in s.lower() for s in part.sources), ref
            assert not any(s.startswith(("MIGMODULE", "REFBRIEF")) for s in cited), ref


def test_edit_sentences_name_the_persons_and_never_read_not_parenthesis():
    for lang in LANGS:
        part = build_handout(adapt(None, CENSUS), lang).parts[0]
        edits = [e for sec in part.sections for q in sec.questions for e in q.edits]
        assert edits
        for edit in edits:
            assert "not (" not in edit.expected and "pas (" not in edit.expected
            assert not re.match(r"^(Expected|Attendu|Se espera) ?: (whose|dont|cuy)", edit.expected)


def test_diagram_is_laid_out_by_graphviz_with_answers_on_the_arrows():
    part = build_handout(adapt(None, CENSUS), "en").parts[0]
    person = next(s for s in part.sections if len(s.questions) > 10)
    assert len(person.diagrams) > 1  # a long level is drawn in parts
    labels = " ".join(label.text for d in person.diagrams for label in d.labels)
    svg = person.diagrams[0].to_svg()
    assert '<path d="M' in svg and " C" in svg  # Bézier splines from dot
    by_id = {q.id: q for q in person.questions}
    lived_abroad = by_id["ever_lived_abroad"]
    assert lived_abroad.skip.startswith("1 Yes → ")
    assert "2, 8, 9" in labels  # the codes of a route, on its arrow


def test_a_missing_layout_program_is_a_coded_error(monkeypatch, tmp_path):
    from migmodule.handout import diagram

    diagram._program.cache_clear()
    monkeypatch.setattr(diagram, "PROGRAM", "no-such-graphviz-program")
    try:
        result = CliRunner().invoke(main, ["handout", str(MINI), "-o", str(tmp_path / "h.html")])
    finally:
        diagram._program.cache_clear()
    assert result.exit_code == 2 and "HANDOUT-LAYOUT-001" in result.output
    assert "Traceback" not in result.output
