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

from migmodule.codes import Location, MigmoduleError
from migmodule.compare.codes import OUTPUT_IS_INPUT, REPORT_FORMAT
from migmodule.compare.coverage import DIFFERENT, MISSING, STATUS_TEXT, Coverage
from migmodule.io import atomic_path, write_text

REPORT_SUFFIXES = (".html", ".htm", ".xlsx", ".md", ".json")


def _refuse_inputs(path: Path, inputs: list[Path]) -> None:
    if any(path.resolve() == source.resolve() for source in inputs):
        raise MigmoduleError.of(OUTPUT_IS_INPUT, Location(file=str(path)), path=path)


def write_report(coverage: Coverage, path: str | Path, inputs: list[Path]) -> None:
    """Write the coverage report in the format its suffix names."""
    path = Path(path)
    _refuse_inputs(path, inputs)
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise MigmoduleError.of(
            REPORT_FORMAT, Location(file=str(path)), path=path, suffix=path.suffix
        )
    if suffix == ".json":
        write_text(path, json.dumps(coverage.to_dict(), indent=2, ensure_ascii=False) + "\n")
    elif suffix == ".md":
        write_text(path, to_markdown(coverage))
    elif suffix == ".xlsx":
        _write_xlsx(coverage, path)
    else:
        write_text(path, to_html(coverage))


def _counts(coverage: Coverage) -> str:
    counts = coverage.counts()
    return ", ".join(f"{counts[s]} {STATUS_TEXT[s]}" for s in STATUS_TEXT)


def _details(entry: Any) -> list[str]:
    lines = list(entry.differences) if entry.status == DIFFERENT else []
    if entry.national_label:
        lines.append(f"national text: {entry.national_label}")
    lines += [f"evidence: {e}" for e in entry.evidence]
    if entry.codes:
        if entry.codes.recode:
            recode = entry.codes.recode
            shown = (
                f"built-in {recode}"
                if isinstance(recode, str)
                else ", ".join(f"{k} -> {v}" for k, v in list(recode.items())[:12])
            )
            lines.append(f"recode: {shown}")
        if entry.codes.no_home:
            shown = "; ".join(f"{c} {label}" for c, label in entry.codes.no_home[:10])
            lines.append(f"national categories with no standard home: {shown}")
        if entry.codes.not_in_form:
            shown = "; ".join(f"{c} {label}" for c, label in entry.codes.not_in_form[:10])
            lines.append(f"standard categories not in the national list: {shown}")
    if entry.universe and entry.universe.national:
        lines.append(f"national condition: {entry.universe.national}")
    if entry.universe and entry.universe.translated:
        lines.append(f"in the module's language: {entry.universe.translated}")
    if entry.universe:
        lines.append(f"universe {entry.universe.verdict}: {entry.universe.why}")
    return lines


# Markdown ---------------------------------------------------------------------------------------
_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>"


def md(text: Any) -> str:
    """National text as a Markdown literal: markup characters escaped, one line."""
    out = " ".join(str(text).split())
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in out)


def to_markdown(coverage: Coverage) -> str:
    lines = [
        f"# Coverage of {md(coverage.module)} by {md(coverage.form)}",
        "",
        _counts(coverage) + ".",
        "",
        "| question | status | national item | summary |",
        "|---|---|---|---|",
    ]
    for entry in coverage.questions:
        lines.append(
            f"| {md(entry.question)} | {STATUS_TEXT[entry.status]} | {md(entry.item or '')} "
            f"| {md(entry.summary)} |"
        )
    lines += ["", "## Details", ""]
    for entry in coverage.questions:
        if entry.status == MISSING and not entry.evidence:
            continue
        lines.append(f"### {md(entry.question)}: {STATUS_TEXT[entry.status]}")
        lines.append("")
        lines += [f"- {md(line)}" for line in _details(entry)]
        lines.append("")
    if coverage.parameters:
        lines += ["## Parameters", ""]
        lines += [
            f"- {md(p.name)}: {md(p.value)} (module default {md(p.module_default)}; {md(p.evidence)})"
            for p in coverage.parameters
        ]
        lines.append("")
    if coverage.findings:
        lines += ["## Defects of the national form", ""]
        lines += [f"- {md(f.code)} {md(f.location)}: {md(f.message)}" for f in coverage.findings]
        lines.append("")
    return "\n".join(lines)


# HTML -------------------------------------------------------------------------------------------
def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def to_html(coverage: Coverage) -> str:
    rows = []
    for entry in coverage.questions:
        details = "".join(f"<li>{_e(line)}</li>" for line in _details(entry))
        rows.append(
            f'<tr class="{_e(entry.status)}"><td>{_e(entry.question)}</td>'
            f"<td>{_e(STATUS_TEXT[entry.status])}</td><td>{_e(entry.item or '')}</td>"
            f"<td><details><summary>{_e(entry.summary)}</summary><ul>{details}</ul>"
            "</details></td></tr>"
        )
    findings = "".join(
        f"<li><code>{_e(f.code)}</code> {_e(f.location)}: {_e(f.message)}</li>"
        for f in coverage.findings
    )
    parameters = "".join(
        f"<li>{_e(p.name)} = {_e(p.value)} (default {_e(p.module_default)}; {_e(p.evidence)})</li>"
        for p in coverage.parameters
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>Coverage of {_e(coverage.module)}</title><style>"
        "body{font-family:sans-serif;margin:2em}td{vertical-align:top;padding:.2em .6em}"
        "tr.standard td:nth-child(2){color:#1a7f37}tr.different td:nth-child(2){color:#9a6700}"
        "tr.missing td:nth-child(2){color:#cf222e}</style></head><body>"
        f"<h1>Coverage of {_e(coverage.module)} by {_e(coverage.form)}</h1>"
        f"<p>{_e(_counts(coverage))}.</p><table><tr><th>question</th><th>status</th>"
        f"<th>national item</th><th>summary</th></tr>{''.join(rows)}</table>"
        + (f"<h2>Parameters</h2><ul>{parameters}</ul>" if parameters else "")
        + (f"<h2>Defects of the national form</h2><ul>{findings}</ul>" if findings else "")
        + "</body></html>\n"
    )


# XLSX -------------------------------------------------------------------------------------------
def cell(value: Any) -> Any:
    """A value as an XLSX cell: text starting with = + - @ is prefixed so it is never a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _write_xlsx(coverage: Coverage, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "coverage"
    sheet.append(["question", "level", "status", "national item", "summary", "details"])
    for entry in coverage.questions:
        sheet.append(
            [
                cell(v)
                for v in (
                    entry.question,
                    entry.level,
                    STATUS_TEXT[entry.status],
                    entry.item or "",
                    entry.summary,
                    "\n".join(_details(entry)),
                )
            ]
        )
    defects = book.create_sheet("defects")
    defects.append(["code", "where", "message"])
    for finding in coverage.findings:
        defects.append([cell(finding.code), cell(str(finding.location)), cell(finding.message)])
    parameters = book.create_sheet("parameters")
    parameters.append(["parameter", "proposed", "module default", "evidence"])
    for p in coverage.parameters:
        parameters.append(
            [cell(p.name), cell(str(p.value)), cell(str(p.module_default)), cell(p.evidence)]
        )
    with atomic_path(path) as temporary:
        book.save(temporary)


# Draft profile ----------------------------------------------------------------------------------
def _q(text: Any) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def draft_profile(coverage: Coverage, module_ref: str) -> str:
    """A profile for the national form: variables (and splits), recodes, universes, excludes and
    parameters; every guess carries `# review:` and why."""
    entries = [q for q in coverage.questions if q.item]
    lines = [
        f"# Drafted by `migmodule compare` from {_comment(coverage.form)}. Every line marked",
        "# `review:` is a guess (score and why): check each one before use.",
        "profile_format: 1",
        f"name: {_q(Path(coverage.form.split(',')[0]).stem + ' (draft)')}",
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
            lines.append(f"      {p.name}: {value}  # review: {_comment(p.evidence)}")
    ids = [p for p in coverage.proposals if p.accepted and p.kind == "id"]
    if ids:
        lines.append("    ids:")
        lines += [
            f"      {p.target}: {_q(p.item)}  # review: {p.score:.2f} {_comment('; '.join(p.evidence))}"
            for p in ids
        ]
    lines.append("    variables:" if entries else "    variables: {}")
    for entry in entries:
        why = f"# review: {entry.status} {entry.score:.2f} {_comment(entry.summary)}"
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
            note = f"# review: {_comment('; '.join(entry.codes.recode_evidence))}"
            if isinstance(recode, str):
                lines.append(f"      {entry.question}: {recode}  {note}")
                continue
            lines.append(f"      {entry.question}:  {note}")
            for split in entries:
                if split.item == entry.item and split.where and split is not entry:
                    lines.append(
                        f"        # review: the codes of {split.question} ({split.where}) are "
                        'areas of this country: add "LOW:HIGH": <M49 code of the census country>'
                    )
            lines += [f"        {_q(k)}: {v}" for k, v in recode.items()]
    universes = [
        e
        for e in entries
        if e.universe and e.universe.translated and e.universe.verdict != "equivalent"
    ]
    if universes:
        lines.append("    universes:")
        for entry in universes:
            lines.append(
                f"      {entry.question}: {_q(entry.universe.translated)}"
                f"  # review: national {_comment(entry.universe.national)}"
            )
    missing = [q for q in coverage.questions if q.status == MISSING]
    if missing:
        lines.append("    exclude:  # review: not found in the national form")
        lines += [f"      - {q.question}" for q in missing]
    return "\n".join(lines) + "\n"


def write_profile(
    coverage: Coverage, module_ref: str, path: str | Path, inputs: list[Path]
) -> None:
    path = Path(path)
    _refuse_inputs(path, inputs)
    write_text(path, draft_profile(coverage, module_ref))
