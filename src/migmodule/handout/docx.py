"""The handout as an editable Word document (python-docx): real headings, tables, page breaks,
a section per module whose footer names the module, its version and the generation date.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table

from migmodule.handout.diagram import Diagram
from migmodule.handout.model import CodeRow, Handout, ModulePart, QuestionBlock

MAX_PICTURE_W, MAX_PICTURE_H = Cm(17), Cm(22)
MUTED = RGBColor(0x52, 0x60, 0x6D)
COMPACT_COLUMNS = 3  # (code, label) pairs side by side for long lists


def render_docx(handout: Handout) -> bytes:
    document = Document()
    document.core_properties.title = handout.title
    document.core_properties.language = handout.lang
    _set_language(document, handout.lang)
    for number, part in enumerate(handout.parts):
        section = document.sections[0] if number == 0 else document.add_section(WD_SECTION.NEW_PAGE)
        _page_setup(section)
        _footer(section, part.footer)
        if number == 0:
            _contents(document, handout)
        _part(document, handout, part)
    _update_fields_on_open(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_language(document, lang: str) -> None:
    """Spell-checking language of the Normal style, so Word checks the right language."""
    rpr = document.styles["Normal"].element.get_or_add_rPr()
    element = OxmlElement("w:lang")
    element.set(qn("w:val"), {"en": "en-GB", "fr": "fr-FR", "es": "es-ES"}.get(lang, lang))
    rpr.append(element)


def _page_setup(section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(16), Mm(18)


def _footer(section, text: str) -> None:
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.text = ""
    run = paragraph.add_run(f"{text} · ")
    run.font.size, run.font.color.rgb = Pt(8), MUTED
    _page_field(paragraph)


def _contents(document, handout: Handout) -> None:
    """A table of contents: Word's TOC field over headings 1 to 3, with the headings listed as
    its current result so that the contents read even before Word updates the field."""
    edition = "edition_trainer" if handout.answers_inline else "edition_participant"
    kicker = document.add_paragraph(f"{handout.word('handout')} · {handout.word(edition)}".upper())
    kicker.runs[0].font.color.rgb = MUTED
    _heading(document, handout.word("contents"), level=1)
    paragraph = document.add_paragraph()
    _field(paragraph, ' TOC \\o "1-3" \\h \\z \\u ', None)
    entries: list[tuple[int, str]] = []
    for part in handout.parts:
        entries.append((0, part.title))
        entries.append((1, handout.word("questions")))
        entries += [(2, section.heading) for section in part.sections]
        if part.exercises:
            entries.append((1, handout.word("exercises")))
            if not handout.answers_inline:
                entries.append((1, handout.word("answer_key")))
        if part.appendices:
            entries.append((1, handout.word("appendices")))
    for depth, text in entries:
        line = document.add_paragraph(text)
        line.paragraph_format.left_indent = Cm(0.6 * depth)
        line.paragraph_format.space_after = Pt(0)
    end = document.add_paragraph()
    _field_end(end)
    _page_break(document)


def _field(paragraph, instruction: str, result: str | None) -> None:
    """The start of a complex field (begin, instruction, separate); `result` then ends it."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            if kind == "begin":
                element.set(qn("w:dirty"), "true")
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    if result is not None:
        text = OxmlElement("w:t")
        text.text = result
        run._r.append(text)
        _field_end(paragraph)


def _field_end(paragraph) -> None:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(element)


def _update_fields_on_open(document) -> None:
    """Ask Word to refresh the fields (the table of contents and its page numbers) on opening."""
    settings = document.settings.element
    element = OxmlElement("w:updateFields")
    element.set(qn("w:val"), "true")
    settings.append(element)


def _page_field(paragraph) -> None:
    """A PAGE field: Word fills in the page number."""
    run = paragraph.add_run()
    run.font.size = Pt(8)
    for kind, text in (
        ("begin", None),
        (None, "PAGE"),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _style(document, name: str):
    """A style object, looked up once: python-docx's lookup by name is slow on long documents."""
    cache = document.__dict__.setdefault("_migmodule_styles", {})
    if name not in cache:
        cache[name] = document.styles[name]
    return cache[name]


def _heading(document, text: str, level: int):
    return document.add_paragraph(
        text, style=_style(document, "Title" if level == 0 else f"Heading {level}")
    )


def _bullet(document, text: str = ""):
    return document.add_paragraph(text, style=_style(document, "List Bullet"))


def _labelled(document, label: str, text: str, style: str | None = None) -> None:
    paragraph = document.add_paragraph(style=_style(document, style) if style else None)
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(text)


def _table(
    document,
    header: list[str] | None,
    rows: list[list[str]],
    muted: list[bool] | None = None,
    columns: int = 2,
) -> Table:
    table = document.add_table(rows=0, cols=len(header) if header else columns)
    table.style = _style(document, "Table Grid")
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header, strict=True):
            cell.paragraphs[0].add_run(text).bold = True
    for index, values in enumerate(rows):
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
            if muted and muted[index]:
                for run in cell.paragraphs[0].runs:
                    run.italic = True
    return table


def _codes(document, handout: Handout, rows: list[CodeRow]) -> None:
    table = _table(
        document,
        [handout.word("code"), handout.word("label")],
        [[row.code, row.label] for row in rows],
        [row.special for row in rows],
    )
    table.autofit = False
    for column, width in zip(table.columns, (Cm(2.2), Cm(14.2)), strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _compact(document, handout: Handout, rows: list[CodeRow]) -> None:
    """A long list in COMPACT_COLUMNS pairs of columns, read top to bottom then across."""
    height = -(-len(rows) // COMPACT_COLUMNS)
    header = [handout.word("code"), handout.word("label")] * COMPACT_COLUMNS
    lines = []
    for line in range(height):
        values: list[str] = []
        for column in range(COMPACT_COLUMNS):
            index = column * height + line
            values += [rows[index].code, rows[index].label] if index < len(rows) else ["", ""]
        lines.append(values)
    table = _table(document, header, lines)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8)


def _picture(document, diagram: Diagram) -> None:
    png = diagram.to_png()
    # Diagram units are points (Graphviz), so the text prints at its own size unless too wide.
    width, height = Cm(diagram.width / 72 * 2.54), Cm(diagram.height / 72 * 2.54)
    scale = min(1.0, MAX_PICTURE_W / width, MAX_PICTURE_H / height)
    document.add_picture(io.BytesIO(png), width=int(width * scale))


def _question(document, handout: Handout, q: QuestionBlock) -> None:
    _heading(document, f"{q.tag}. {q.label}", level=3)
    meta = document.add_paragraph()
    for number, (name, value) in enumerate(q.facts):
        meta.add_run(("  ·  " if number else "") + f"{name}: ").font.color.rgb = MUTED
        meta.add_run(value).bold = True
    if q.hint:
        _labelled(document, handout.word("hint"), q.hint)
    _heading(document, handout.word("who"), level=4)
    document.add_paragraph(q.universe)
    if q.categories or q.categories_note:
        _heading(document, handout.word("categories"), level=4)
        if q.categories_note:
            document.add_paragraph(q.categories_note)
        if q.categories:
            _codes(document, handout, q.categories)
    if q.range_text:
        document.add_paragraph(q.range_text)
    _heading(document, handout.word("next"), level=4)
    if q.skip:
        _labelled(document, handout.word("skip"), q.skip)
    for step in q.next_steps:
        _bullet(document).add_run(step).bold = True
    for key, text in (("definition", q.definition), ("instructions", q.instructions)):
        if text:
            _heading(document, handout.word(key), level=4)
            document.add_paragraph(text)
    if q.mistakes:
        _heading(document, handout.word("mistakes"), level=4)
        for mistake in q.mistakes:
            _bullet(document, mistake)
    if q.edits:
        _heading(document, handout.word("edits"), level=4)
        for edit in q.edits:
            paragraph = _bullet(document)
            paragraph.add_run(f"{edit.id} ({edit.severity}): ").bold = True
            paragraph.add_run(" ".join(t for t in (edit.message, edit.applies, edit.expected) if t))
    source = document.add_paragraph()
    source.add_run(
        f"{handout.word('question_sources')}: {'; '.join(q.sources)}"
    ).font.color.rgb = MUTED


def _page_break(document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _part(document, handout: Handout, part: ModulePart) -> None:
    document.add_paragraph(handout.word("handout").upper()).runs[0].font.color.rgb = MUTED
    _heading(document, part.title, level=0)
    document.add_paragraph(part.description)
    facts = _table(document, None, [[name, value] for name, value in part.facts])
    for row in facts.rows:
        for run in row.cells[0].paragraphs[0].runs:
            run.bold = True
    _heading(document, handout.word("sources"), level=1)
    for source in part.sources:
        _bullet(document, source)
    if part.purpose:
        _heading(document, handout.word("purpose"), level=1)
        document.add_paragraph(part.purpose)
    if part.changes:
        _heading(document, handout.word("changes"), level=1)
        document.add_paragraph(part.changes)
    if part.concepts:
        _heading(document, handout.word("concepts"), level=1)
        for term, definition in part.concepts:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{term}. ").bold = True
            paragraph.add_run(definition)
    _page_break(document)
    _heading(document, handout.word("questions"), level=1)
    for section in part.sections:
        _heading(document, section.heading, level=2)
        caption = document.add_paragraph()
        caption.add_run(f"{handout.word('routing')}: ").bold = True
        caption.add_run(handout.word("routing_intro"))
        for diagram in section.diagrams or [section.diagram]:
            _picture(document, diagram)
        if section.entry_steps:
            _heading(document, handout.word("entry"), level=4)
            for step in section.entry_steps:
                _bullet(document).add_run(step).bold = True
        for question in section.questions:
            _question(document, handout, question)
    if part.exercises:
        _page_break(document)
        _heading(document, handout.word("exercises"), level=1)
        if not handout.answers_inline:
            document.add_paragraph(handout.word("answers_in_key"))
        for exercise in part.exercises:
            _heading(document, exercise.heading, level=2)
            _labelled(document, handout.word("situation"), exercise.situation)
            _table(
                document,
                [handout.word("question"), handout.word("answer")],
                [
                    [name, answer if handout.answers_inline else ""]
                    for name, answer in exercise.answers
                ],
            )
            if exercise.explanation and handout.answers_inline:
                _labelled(document, handout.word("explanation"), exercise.explanation)
        if not handout.answers_inline:
            _page_break(document)
            _heading(document, handout.word("answer_key"), level=1)
            for exercise in part.exercises:
                _heading(document, exercise.heading, level=2)
                _table(
                    document,
                    [handout.word("question"), handout.word("answer")],
                    [[name, answer] for name, answer in exercise.answers],
                )
                if exercise.explanation:
                    _labelled(document, handout.word("explanation"), exercise.explanation)
    if part.appendices:
        _page_break(document)
        _heading(document, handout.word("appendices"), level=1)
        for table in part.appendices:
            _heading(
                document, handout.word("appendix", letter=table.letter, title=table.title), level=2
            )
            if table.compact:
                _compact(document, handout, table.rows)
            else:
                _codes(document, handout, table.rows)
