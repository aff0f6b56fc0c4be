"""Coverage reports: HTML (one line per question), XLSX, Markdown and JSON; and the draft profile.

National text (labels, names, conditions) is a literal in every target: escaped in HTML and
Markdown, never a formula in XLSX, quoted in YAML. Files are written atomically and never over
an input.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.compare.codes import OUTPUT_IS_INPUT, REPORT_FORMAT
from migmodule.compare.coverage import DIFFERENT, MISSING, Coverage, status_text, verdict_text
from migmodule.escape import xlsx_sheet_title
from migmodule.i18n import (
    Joined,
    Phrase,
    complete_languages,
    finding_message,
    info,
    location_text,
    word,
)
from migmodule.io import atomic_path, write_text

REPORT_SUFFIXES = (".html", ".htm", ".xlsx", ".md", ".json")


def _refuse_inputs(path: Path, inputs: list[Path]) -> None:
    if any(path.resolve() == source.resolve() for source in inputs):
        raise MigmoduleError.of(OUTPUT_IS_INPUT, Location(file=str(path)), path=path)


def report_language(coverage: Coverage) -> str:
    """The language of the words: the coverage's (the module texts') if the program speaks it."""
    return coverage.language if coverage.language in complete_languages() else "en"


def said(text: Any, lang: str) -> str:
    """Reasons and evidence (`Phrase`, `Joined`, or plain text such as a national label) in `lang`."""
    return text.said_in(lang) if isinstance(text, (Phrase, Joined)) else str(text)


def write_report(
    coverage: Coverage, path: str | Path, inputs: list[Path], lang: str | None = None
) -> None:
    """Write the coverage report in the format its suffix names; its words in `lang` (default:
    `report_language(coverage)`). The JSON report keeps English keys and values."""
    path = Path(path)
    _refuse_inputs(path, inputs)
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise MigmoduleError.of(
            REPORT_FORMAT, Location(file=str(path)), path=path, suffix=path.suffix
        )
    lang = lang or report_language(coverage)
    if suffix == ".json":
        write_text(path, json.dumps(coverage.to_dict(), indent=2, ensure_ascii=False) + "\n")
    elif suffix == ".md":
        write_text(path, to_markdown(coverage, lang))
    elif suffix == ".xlsx":
        _write_xlsx(coverage, path, lang)
    else:
        write_text(path, to_html(coverage, lang))


def _details(entry: Any, lang: str) -> list[str]:
    """The evidence of one question, one line each, in `lang`."""

    def say(key: str, **values: Any) -> str:
        return word(lang, f"compare.detail.{key}", **values)

    separator = word(lang, "compare.detail.separator")
    lines = [said(d, lang) for d in entry.differences] if entry.status == DIFFERENT else []
    if entry.national_label:
        lines.append(say("national_text", text=entry.national_label))
    lines += [say("evidence", text=e) for e in entry.evidence]
    if entry.codes:
        if entry.codes.recode:
            recode = entry.codes.recode
            shown = (
                say("built_in", name=recode)
                if isinstance(recode, str)
                else ", ".join(f"{k} -> {v}" for k, v in list(recode.items())[:12])
            )
            lines.append(say("recode", recode=shown))
        if entry.codes.no_home:
            shown = separator.join(f"{c} {label}" for c, label in entry.codes.no_home[:10])
            lines.append(say("no_home", shown=shown))
        if entry.codes.not_in_form:
            shown = separator.join(f"{c} {label}" for c, label in entry.codes.not_in_form[:10])
            lines.append(say("not_in_form", shown=shown))
    if entry.universe and entry.universe.national:
        lines.append(say("national_condition", condition=entry.universe.national))
    if entry.universe and entry.universe.translated:
        lines.append(say("translated", condition=entry.universe.translated))
    if entry.universe:
        lines.append(
            word(
                lang,
                "compare.difference.universe",
                verdict=verdict_text(entry.universe.verdict, lang),
                why=entry.universe.why,
            )
        )
    return list(dict.fromkeys(lines))  # a universe that differs is a difference already


def _headers(lang: str, *keys: str) -> list[str]:
    return [word(lang, f"compare.report.{key}") for key in keys]


def _title(coverage: Coverage, lang: str) -> str:
    return word(lang, "compare.report.title", module=coverage.module, form=coverage.form)


def _finding_parts(finding: Finding, lang: str) -> tuple[str, str]:
    """Where a defect is and what it says, in `lang`."""
    return location_text(lang, finding.location), finding_message(lang, finding)


def _parameter_line(parameter: Any, lang: str) -> tuple[str, str, str, str]:
    return (
        parameter.name,
        str(parameter.value),
        str(parameter.module_default),
        said(parameter.evidence, lang),
    )


def _parameter_sentence(parameter: Any, lang: str) -> str:
    """A parameter's line of the Markdown and HTML reports: name, value, default, evidence."""
    name, value, default, evidence = _parameter_line(parameter, lang)
    return word(
        lang,
        "compare.report.parameter_line",
        name=name,
        value=value,
        default=default,
        evidence=evidence,
    )


# Markdown ---------------------------------------------------------------------------------------
_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>"


def md(text: Any) -> str:
    """National text as a Markdown literal: markup characters escaped, one line."""
    out = " ".join(str(text).split())
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in out)


def to_markdown(coverage: Coverage, lang: str = "en") -> str:
    header = _headers(lang, "question", "status", "national_item", "summary")
    lines = [
        f"# {md(_title(coverage, lang))}",
        "",
        md(say_totals(coverage, lang)) + ".",
        "",
        "| " + " | ".join(header) + " |",
        "|---|---|---|---|",
    ]
    for entry in coverage.questions:
        lines.append(
            f"| {md(entry.question)} | {md(status_text(entry.status, lang))} "
            f"| {md(entry.item or '')} | {md(said(entry.summary, lang))} |"
        )
    lines += ["", f"## {word(lang, 'compare.report.details_heading')}", ""]
    for entry in coverage.questions:
        if entry.status == MISSING and not entry.evidence:
            continue
        heading = word(
            lang,
            "compare.report.heading",
            question=entry.question,
            status=status_text(entry.status, lang),
        )
        lines.append(f"### {md(heading)}")
        lines.append("")
        lines += [f"- {md(line)}" for line in _details(entry, lang)]
        lines.append("")
    if coverage.parameters:
        lines += [f"## {word(lang, 'compare.report.parameters')}", ""]
        lines += [f"- {md(_parameter_sentence(p, lang))}" for p in coverage.parameters]
        lines.append("")
    if coverage.findings:
        lines += [f"## {word(lang, 'compare.report.defects')}", ""]
        for f in coverage.findings:
            where, message = _finding_parts(f, lang)
            lines.append(f"- {md(f.code)} {md(where)}: {md(message)}")
        lines.append("")
    return "\n".join(lines)


def say_totals(coverage: Coverage, lang: str) -> str:
    """The counts of each status and of defects, in `lang`."""
    return said(coverage.totals(), lang)


# HTML -------------------------------------------------------------------------------------------
def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def to_html(coverage: Coverage, lang: str = "en") -> str:
    rows = []
    for entry in coverage.questions:
        details = "".join(f"<li>{_e(line)}</li>" for line in _details(entry, lang))
        rows.append(
            f'<tr class="{_e(entry.status)}"><td>{_e(entry.question)}</td>'
            f"<td>{_e(status_text(entry.status, lang))}</td><td>{_e(entry.item or '')}</td>"
            f"<td><details><summary>{_e(said(entry.summary, lang))}</summary><ul>{details}</ul>"
            "</details></td></tr>"
        )
    findings = "".join(
        f"<li><code>{_e(f.code)}</code> {_e(where)}: {_e(message)}</li>"
        for f in coverage.findings
        for where, message in [_finding_parts(f, lang)]
    )
    parameters = "".join(
        f"<li>{_e(_parameter_sentence(p, lang))}</li>" for p in coverage.parameters
    )
    title = _e(_title(coverage, lang))
    header = "".join(
        f"<th>{_e(h)}</th>"
        for h in _headers(lang, "question", "status", "national_item", "summary")
    )
    language = info(lang)
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(language.tag)}" dir="{_e(language.direction)}">'
        f'<head><meta charset="utf-8"><title>{title}</title><style>'
        "body{font-family:sans-serif;margin:2em}td{vertical-align:top;padding:.2em .6em}"
        "tr.standard td:nth-child(2){color:#1a7f37}tr.different td:nth-child(2){color:#9a6700}"
        "tr.missing td:nth-child(2){color:#cf222e}</style></head><body>"
        f"<h1>{title}</h1>"
        f"<p>{_e(say_totals(coverage, lang))}.</p><table><tr>{header}</tr>{''.join(rows)}</table>"
        + (
            f"<h2>{_e(word(lang, 'compare.report.parameters'))}</h2><ul>{parameters}</ul>"
            if parameters
            else ""
        )
        + (
            f"<h2>{_e(word(lang, 'compare.report.defects'))}</h2><ul>{findings}</ul>"
            if findings
            else ""
        )
        + "</body></html>\n"
    )


# XLSX -------------------------------------------------------------------------------------------
def cell(value: Any) -> Any:
    """A value as an XLSX cell: text starting with = + - @ is prefixed so it is never a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _write_xlsx(coverage: Coverage, path: Path, lang: str = "en") -> None:
    from openpyxl import Workbook

    book = Workbook()
    taken: set[str] = set()
    sheet = book.active
    sheet.title = xlsx_sheet_title(word(lang, "compare.report.sheet_coverage"), taken)
    sheet.append(
        _headers(lang, "question", "level", "status", "national_item", "summary", "details")
    )
    for entry in coverage.questions:
        sheet.append(
            [
                cell(v)
                for v in (
                    entry.question,
                    entry.level,
                    status_text(entry.status, lang),
                    entry.item or "",
                    said(entry.summary, lang),
                    "\n".join(_details(entry, lang)),
                )
            ]
        )
    defects = book.create_sheet(xlsx_sheet_title(word(lang, "compare.report.sheet_defects"), taken))
    defects.append(_headers(lang, "code", "where", "message"))
    for finding in coverage.findings:
        where, message = _finding_parts(finding, lang)
        defects.append([cell(finding.code), cell(where), cell(message)])
    parameters = book.create_sheet(
        xlsx_sheet_title(word(lang, "compare.report.sheet_parameters"), taken)
    )
    parameters.append(_headers(lang, "parameter", "proposed", "module_default", "evidence"))
    for p in coverage.parameters:
        parameters.append([cell(v) for v in _parameter_line(p, lang)])
    with atomic_path(path) as temporary:
        book.save(temporary)


# Draft profile ----------------------------------------------------------------------------------
def _q(text: Any) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def draft_profile(coverage: Coverage, module_ref: str, lang: str = "en") -> str:
    """A profile for the national form: variables (and splits), recodes, universes, excludes and
    parameters; every guess carries `# review:` and why. The comments (and the `name` value) are
    in `lang`; the keys stay English, they are the profile format."""

    def say(key: str, **values: Any) -> str:
        return word(lang, f"map.compare.{key}", **values)

    def review(why: str) -> str:
        return "# " + word(lang, "map.draft.review", why=_comment(why))

    def joined(parts: list[Any]) -> str:
        return word(lang, "compare.detail.separator").join(said(part, lang) for part in parts)

    entries = [q for q in coverage.questions if q.item]
    name = say("name", stem=Path(coverage.form.split(",")[0]).stem)
    lines = [
        "# " + say("head", command="`migmodule compare`", form=_comment(coverage.form)),
        "# " + say("head_more", mark=f"`{word(lang, 'map.draft.review', why='').rstrip()}`"),
        "profile_format: 1",
        f"name: {_q(name)}",
        "modules:",
        f"  - module: {module_ref}",
    ]
    if coverage.parameters:
        lines.append("    parameters:")
        for p in coverage.parameters:
            if isinstance(p.value, list):  # a national code list, as a YAML flow list
                value = json.dumps(p.value, ensure_ascii=False)
            elif isinstance(p.value, int):
                value = str(p.value)
            else:
                value = _q(p.value)
            lines.append(f"      {p.name}: {value}  {review(said(p.evidence, lang))}")
    ids = [p for p in coverage.proposals if p.accepted and p.kind == "id"]
    if ids:
        lines.append("    ids:")
        lines += [
            f"      {p.target}: {_q(p.item)}  {review(f'{p.score:.2f} {joined(p.evidence)}')}"
            for p in ids
        ]
    lines.append("    variables:" if entries else "    variables: {}")
    for entry in entries:
        status = entry.status if lang == "en" else status_text(entry.status, lang)
        why = review(f"{status} {entry.score:.2f} {said(entry.summary, lang)}")
        if entry.where:
            lines.append(
                f"      {entry.question}: {{from: {_q(entry.item)}, where: {_q(entry.where)}}}  {why}"
            )
        else:
            lines.append(f"      {entry.question}: {_q(entry.item)}  {why}")
    recoded = [e for e in entries if e.codes and e.codes.recode]
    if recoded:
        lines.append("    recodes:")
        for entry in recoded:
            recode = entry.codes.recode
            note = review(joined(entry.codes.recode_evidence))
            if isinstance(recode, str):
                lines.append(f"      {entry.question}: {recode}  {note}")
                continue
            lines.append(f"      {entry.question}:  {note}")
            for split in entries:
                if split.item == entry.item and split.where and split is not entry:
                    areas = say("area_codes", question=split.question, where=split.where)
                    lines.append(f"        {review(areas)}")
            lines += [f"        {_q(k)}: {v}" for k, v in recode.items()]
    universes = [
        e
        for e in entries
        if e.universe and e.universe.translated and e.universe.verdict != "equivalent"
    ]
    if universes:
        lines.append("    universes:")
        for entry in universes:
            national = say("national", text=said(entry.universe.national, lang))
            lines.append(
                f"      {entry.question}: {_q(entry.universe.translated)}  {review(national)}"
            )
    missing = [q for q in coverage.questions if q.status == MISSING]
    if missing:
        lines.append(f"    exclude:  {review(say('not_found'))}")
        lines += [f"      - {q.question}" for q in missing]
    return "\n".join(lines) + "\n"


def write_profile(
    coverage: Coverage, module_ref: str, path: str | Path, inputs: list[Path], lang: str = "en"
) -> None:
    """Write the draft profile, its comments in `lang`; never over an input."""
    path = Path(path)
    _refuse_inputs(path, inputs)
    write_text(path, draft_profile(coverage, module_ref, lang))
