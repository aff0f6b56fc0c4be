"""The handout as Markdown for wikis (GitHub, GitLab, MediaWiki with a Markdown extension).

Spec text is escaped so that a wiki shows it as text: no markup, no HTML, no broken tables.
The routing diagram is left out (wikis differ in how they take pictures); the routes are in
each question's "Where to go next".
"""

from __future__ import annotations

import re

from migmodule.handout.model import CodeRow, Handout, ModulePart, QuestionBlock

_SPECIAL = re.compile(r"([\\`*_\[\]{}#+!|~])")


def escape(text: str) -> str:
    """Text shown literally: HTML characters as entities, Markdown punctuation backslashed."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())  # a newline inside a table cell or list item would break it


def _codes(handout: Handout, rows: list[CodeRow]) -> list[str]:
    lines = [f"| {escape(handout.word('code'))} | {escape(handout.word('label'))} |", "|---:|---|"]
    lines += [
        f"| {escape(row.code)} | {'*' + escape(row.label) + '*' if row.special else escape(row.label)} |"
        for row in rows
    ]
    return lines + [""]


def _question(handout: Handout, q: QuestionBlock) -> list[str]:
    w = handout.word
    lines = [
        f"#### {q.tag}. {escape(q.label)}",
        "",
        " · ".join(f"{escape(name)}: **{escape(value)}**" for name, value in q.facts),
        "",
    ]
    if q.hint:
        lines += [f"*{escape(w('hint'))}:* {escape(q.hint)}", ""]
    lines += [f"**{escape(w('who'))}:** {escape(q.universe)}", ""]
    if q.categories or q.categories_note:
        lines += [f"**{escape(w('categories'))}**", ""]
        if q.categories_note:
            lines += [escape(q.categories_note), ""]
        if q.categories:
            lines += _codes(handout, q.categories)
    if q.range_text:
        lines += [escape(q.range_text), ""]
    lines += [f"**{escape(w('next'))}**", ""]
    if q.skip:
        lines += [f"*{escape(w('skip'))}:* {escape(q.skip)}", ""]
    lines += [f"- **{escape(step)}**" for step in q.next_steps] + [""]
    for key, text in (("definition", q.definition), ("instructions", q.instructions)):
        if text:
            lines += [f"**{escape(w(key))}:** {escape(text)}", ""]
    if q.mistakes:
        lines += (
            [f"**{escape(w('mistakes'))}**", ""] + [f"- {escape(m)}" for m in q.mistakes] + [""]
        )
    if q.edits:
        lines += [f"**{escape(w('edits'))}**", ""]
        for edit in q.edits:
            body = " ".join(t for t in (edit.message, edit.applies, edit.expected) if t)
            lines.append(f"- `{edit.id}` ({escape(edit.severity)}): {escape(body)}")
        lines.append("")
    lines += [f"*{escape(w('question_sources'))}: {escape('; '.join(q.sources))}*", ""]
    return lines


def _answer_key(handout: Handout, part: ModulePart) -> list[str]:
    w = handout.word
    lines = [f"## {escape(w('answer_key'))}", ""]
    for exercise in part.exercises:
        lines += [
            f"### {escape(exercise.heading)}",
            "",
            f"| {escape(w('question'))} | {escape(w('answer'))} |",
            "|---|---|",
        ]
        lines += [f"| {escape(name)} | {escape(answer)} |" for name, answer in exercise.answers]
        lines.append("")
        if exercise.explanation:
            lines += [f"**{escape(w('explanation'))}:** {escape(exercise.explanation)}", ""]
    return lines


def _part(handout: Handout, part: ModulePart) -> list[str]:
    w = handout.word
    lines = [
        f"# {escape(part.title)}",
        "",
        f"*{escape(w('handout'))}*",
        "",
        escape(part.description),
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| **{escape(name)}** | {escape(value)} |" for name, value in part.facts] + [""]
    lines += [f"## {escape(w('sources'))}", ""] + [f"- {escape(s)}" for s in part.sources] + [""]
    if part.purpose:
        lines += [f"## {escape(w('purpose'))}", "", escape(part.purpose), ""]
    if part.changes:
        lines += [f"## {escape(w('changes'))}", "", escape(part.changes), ""]
    if part.concepts:
        lines += [f"## {escape(w('concepts'))}", ""]
        lines += [
            f"- **{escape(term)}**: {escape(definition)}" for term, definition in part.concepts
        ] + [""]
    lines += [f"## {escape(w('questions'))}", ""]
    for section in part.sections:
        lines += [f"### {escape(section.heading)}", ""]
        if section.entry_steps:
            lines += [f"**{escape(w('entry'))}**", ""]
            lines += [f"- **{escape(step)}**" for step in section.entry_steps] + [""]
        for question in section.questions:
            lines += _question(handout, question)
    if part.exercises:
        lines += [f"## {escape(w('exercises'))}", ""]
        if not handout.answers_inline:
            lines += [escape(w("answers_in_key")), ""]
        for exercise in part.exercises:
            lines += [
                f"### {escape(exercise.heading)}",
                "",
                f"**{escape(w('situation'))}:** {escape(exercise.situation)}",
                "",
                f"| {escape(w('question'))} | {escape(w('answer'))} |",
                "|---|---|",
            ]
            lines += [
                f"| {escape(name)} | {escape(answer) if handout.answers_inline else ''} |"
                for name, answer in exercise.answers
            ] + [""]
            if exercise.explanation and handout.answers_inline:
                lines += [f"**{escape(w('explanation'))}:** {escape(exercise.explanation)}", ""]
        if not handout.answers_inline:
            lines += _answer_key(handout, part)
    if part.appendices:
        lines += [f"## {escape(w('appendices'))}", ""]
        for table in part.appendices:
            lines += [f"### {escape(w('appendix', letter=table.letter, title=table.title))}", ""]
            lines += _codes(handout, table.rows)
    return lines


def render_markdown(handout: Handout) -> str:
    lines: list[str] = []
    for part in handout.parts:
        lines += _part(handout, part) + ["---", ""]
    lines += [f"*{escape(handout.footer)}*", ""]
    return "\n".join(lines)
