"""The handout as a workshop deck (python-pptx, the optional extra `migmodule[pptx]`).

Title, learning objectives, concepts, the routing diagram of each part, one slide per question
(who is asked, codes, routing, common mistakes; the interviewer instructions in the speaker
notes), the consistency checks in plain words, and each exercise followed by its answer slide.
Everything is read from the same document model as the other formats.
"""

from __future__ import annotations

import io

from migmodule.codes import MigmoduleError
from migmodule.handout import codes
from migmodule.handout.model import Handout, ModulePart, QuestionBlock

WIDE, HIGH = 13.333, 7.5  # inches: a 16:9 slide
MAX_CODES = 10  # codes listed on a question slide; longer lists point to the handout's appendix
CONCEPTS_PER_SLIDE = 2


def _pptx():
    try:
        import pptx
        from pptx.util import Inches, Pt
    except ImportError as exc:
        raise MigmoduleError.of(codes.PPTX_MISSING, reason=f"cannot import pptx: {exc}") from None
    return pptx, Inches, Pt


class _Deck:
    def __init__(self, handout: Handout):
        pptx, self.Inches, self.Pt = _pptx()
        self.handout = handout
        self.w = handout.word
        self.presentation = pptx.Presentation()
        self.presentation.slide_width = self.Inches(WIDE)
        self.presentation.slide_height = self.Inches(HIGH)
        self.presentation.core_properties.title = handout.title
        self.presentation.core_properties.language = handout.lang

    # Slides -------------------------------------------------------------------------------
    def slide(self, title: str, notes: str = ""):
        layout = self.presentation.slide_layouts[5]  # title only
        slide = self.presentation.slides.add_slide(layout)
        shape = slide.shapes.title
        shape.left, shape.top = self.Inches(0.5), self.Inches(0.3)
        shape.width, shape.height = self.Inches(WIDE - 1), self.Inches(1.0)
        shape.text = title
        for paragraph in shape.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = self.Pt(30 if len(title) < 60 else 24)
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
        return slide

    def body(
        self,
        slide,
        blocks: list[tuple[str, list[str]]],
        top: float = 1.4,
        height: float | None = None,
        columns: int = 1,
    ):
        """Text under the title: (heading, lines) blocks, sized to fit the slide."""
        height = HIGH - top - 0.3 if height is None else height
        box = slide.shapes.add_textbox(
            self.Inches(0.6), self.Inches(top), self.Inches(WIDE - 1.2), self.Inches(height)
        )
        frame = box.text_frame
        frame.word_wrap = True
        if columns > 1:  # a long list flows in columns (DrawingML's numCol)
            frame._txBody.bodyPr.set("numCol", str(columns))
            frame._txBody.bodyPr.set("spcCol", str(int(self.Inches(0.3))))
        width = (WIDE - 1.4 - 0.3 * (columns - 1)) / columns
        size = _fitting_size(blocks, width, (height - 0.1) * columns * 0.92)
        first = True
        for heading, lines in blocks:
            if heading:
                paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
                first = False
                run = paragraph.add_run()
                run.text = heading
                run.font.bold = True
                run.font.size = self.Pt(size)
            for line in lines:
                paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
                first = False
                paragraph.level = 1 if heading else 0
                run = paragraph.add_run()
                run.text = f"• {line}"
                run.font.size = self.Pt(size - 2)
        return box

    def picture(self, slide, png: bytes, width_px: float, height_px: float, top: float = 1.3):
        room_w, room_h = WIDE - 1.0, HIGH - top - 0.2
        scale = min(room_w / (width_px / 72), room_h / (height_px / 72))
        width, height = width_px / 72 * scale, height_px / 72 * scale
        slide.shapes.add_picture(
            io.BytesIO(png),
            self.Inches((WIDE - width) / 2),
            self.Inches(top),
            self.Inches(width),
            self.Inches(height),
        )

    # Content ------------------------------------------------------------------------------
    def title(self, part: ModulePart) -> None:
        slide = self.presentation.slides.add_slide(self.presentation.slide_layouts[0])
        title, subtitle = slide.shapes.title, slide.placeholders[1]
        title.left, title.top = self.Inches(0.8), self.Inches(1.2)
        title.width, title.height = self.Inches(WIDE - 1.6), self.Inches(3.0)
        subtitle.left, subtitle.top = self.Inches(0.8), self.Inches(4.6)
        subtitle.width, subtitle.height = self.Inches(WIDE - 1.6), self.Inches(1.6)
        title.text = part.title
        for paragraph in title.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = self.Pt(40 if len(part.title) < 70 else 32)
        facts = " · ".join(value for _, value in part.facts[:3])
        edition = "edition_trainer" if self.handout.answers_inline else "edition_participant"
        # The description is too long for a title slide; it opens the objectives' notes.
        slide.placeholders[1].text = f"{self.w('handout')} · {self.w(edition)}\n{facts}"
        slide.notes_slide.notes_text_frame.text = part.description
        for paragraph in slide.placeholders[1].text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = self.Pt(16)

    def objectives(self, part: ModulePart) -> None:
        slide = self.slide(self.w("objectives"), part.purpose)
        lines = [self.w(key) for key in ("objective_who", "objective_codes", "objective_edits")]
        blocks = [("", lines)]
        if part.purpose:
            blocks.append((self.w("purpose"), [part.purpose]))
        self.body(slide, blocks)

    def concepts(self, part: ModulePart) -> None:
        for start in range(0, len(part.concepts), CONCEPTS_PER_SLIDE):
            chunk = part.concepts[start : start + CONCEPTS_PER_SLIDE]
            slide = self.slide(self.w("concepts"))
            self.body(slide, [(term, [definition]) for term, definition in chunk])

    def question(self, q: QuestionBlock) -> None:
        notes = "\n\n".join(
            f"{self.w(key)}: {text}"
            for key, text in (
                ("instructions", q.instructions),
                ("definition", q.definition),
                ("hint", q.hint),
            )
            if text
        )
        slide = self.slide(f"{q.tag}. {q.label}", notes)
        blocks = [(self.w("deck_universe"), [q.universe])]
        if q.categories or q.categories_note:
            shown = [f"{row.code} {row.label}" for row in q.categories[:MAX_CODES]]
            if len(q.categories) > MAX_CODES:
                shown.append("…")
            if q.categories_note:
                shown.insert(0, q.categories_note)
            blocks.append((self.w("deck_codes"), shown))
        elif q.range_text:
            blocks.append((self.w("deck_codes"), [q.range_text]))
        blocks.append((self.w("deck_routing"), [q.skip] if q.skip else q.next_steps))
        if q.mistakes:
            blocks.append((self.w("mistakes"), q.mistakes))
        self.body(slide, blocks)

    def diagram(self, section) -> None:
        for diagram in section.diagrams or [section.diagram]:
            slide = self.slide(f"{self.w('routing')}: {diagram.title}")
            self.picture(slide, diagram.to_png(), diagram.width, diagram.height)

    def edits(self, part: ModulePart) -> None:
        seen: dict[str, str] = {}
        for section in part.sections:
            for q in section.questions:
                for edit in q.edits:
                    if edit.id not in seen:
                        seen[edit.id] = " ".join(t for t in (edit.message, edit.applies) if t)
        items = list(seen.values())
        for start in range(0, len(items), 5):
            slide = self.slide(self.w("edits"))
            self.body(slide, [("", items[start : start + 5])])

    def exercises(self, part: ModulePart) -> None:
        for exercise in part.exercises:
            slide = self.slide(exercise.heading)
            self.body(slide, [(self.w("situation"), [exercise.situation])], 1.3, 1.9)
            names = [name for name, _ in exercise.answers]
            columns = 2 if len(names) > 8 else 1
            self.body(slide, [(self.w("question"), names)], 3.3, HIGH - 3.5, columns)
            answer = self.slide(self.w("deck_answers_of", heading=exercise.heading))
            lines = [f"{name}: {value}" for name, value in exercise.answers]
            self.body(answer, [(self.w("expected"), lines)], 1.3, 4.0, columns)
            if exercise.explanation:
                self.body(answer, [(self.w("explanation"), [exercise.explanation])], 5.4, 1.8)

    def build(self) -> bytes:
        for part in self.handout.parts:
            self.title(part)
            self.objectives(part)
            self.concepts(part)
            for section in part.sections:
                self.diagram(section)
                for q in section.questions:
                    self.question(q)
            self.edits(part)
            self.exercises(part)
        buffer = io.BytesIO()
        self.presentation.save(buffer)
        return buffer.getvalue()


def _fitting_size(blocks: list[tuple[str, list[str]]], width: float, height: float) -> int:
    """The largest font size (points) at which the blocks' wrapped lines fit the box (inches).

    python-pptx cannot measure text, so lines are estimated at half an em per character.
    """
    for size in (24, 22, 20, 18, 16, 14, 13, 12, 11, 10):
        per_line = max(int(width * 72 / (0.5 * size)), 10)
        lines = 0
        for heading, items in blocks:
            lines += 1 if heading else 0
            lines += sum(-(-(len(item) + 2) // per_line) for item in items)
        if lines * size * 1.25 <= height * 72:
            return size
    return 10


def render_pptx(handout: Handout) -> bytes:
    return _Deck(handout).build()
