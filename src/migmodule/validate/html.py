"""The self-contained HTML report: inline CSS and SVG bar charts drawn here; no script, no network.

Every word comes from the language catalogue (`i18n`); the page carries the language's tag and
direction (`<html lang dir>`), so a right-to-left language reads right to left.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

from migmodule import i18n
from migmodule.validate.report import Report
from migmodule.validate.terminal import failed_results

COLOURS = {"error": "#c0392b", "warning": "#d68910", "info": "#2874a6"}


def bar_chart(title: str, bars: list[tuple[str, float, str, str]], *, rtl: bool = False) -> Markup:
    """A horizontal bar chart: one row per bar, its label as text (readable and wrapped on a
    phone) and the bar as a small inline SVG that stretches with the page.

    `bars` are (label, value, shown text, colour); `title` names the chart for screen readers."""
    if not bars:
        return Markup("")
    top = max(value for _, value, _, _ in bars) or 1.0
    parts = [f'<div class="chart" role="img" aria-label="{escape(title)}">']
    for label, value, shown, colour in bars:
        width = max(0.5, 100 * value / top) if value else 0.0
        x = 100 - width if rtl else 0.0
        parts.append(
            f'<div class="bar-row"><span class="bar-label">{escape(label)}</span>'
            f'<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}: {escape(shown)}</title>'
            f'<rect x="{x:.1f}" y="1" width="{width:.1f}" height="8" fill="{colour}"/></svg>'
            f'<span class="bar-value">{escape(shown)}</span></div>'
        )
    parts.append("</div>")
    return Markup("".join(parts))


def charts(report: Report, lang: str = "en") -> dict[str, Markup]:
    """Non-response by question, and failures by check labelled with the check's title."""
    rtl = i18n.info(lang).direction == "rtl"
    nonresponse = [
        (
            r.question or "",
            r.rate or 0.0,
            i18n.percent(lang, r.rate or 0.0),
            COLOURS["warning"] if r.finding else "#7f8c8d",
        )
        for r in report.nonresponse()
        if r.denominator
    ]
    nonresponse.sort(key=lambda bar: -bar[1])
    by_code: dict[str, tuple[int, str]] = {}
    for result in report.results:
        if result.finding is not None:
            count, _ = by_code.get(result.code, (0, ""))
            by_code[result.code] = (count + max(result.count, 1), result.severity.value)
    failures = [
        (
            f"{code} {i18n.finding_title(lang, code)}",
            float(count),
            i18n.number(lang, count),
            COLOURS[severity],
        )
        for code, (count, severity) in sorted(by_code.items(), key=lambda kv: -kv[1][0])
    ]
    return {
        "nonresponse": bar_chart(
            i18n.word(lang, "report.nonresponse_heading"), nonresponse, rtl=rtl
        ),
        "failures": bar_chart(i18n.word(lang, "report.failures_by_check"), failures, rtl=rtl),
    }


def _failed(report: Report, lang: str) -> list[dict[str, Any]]:
    """Failed results as dicts, errors before warnings before notes, in the report's language."""
    rows = []
    for result in failed_results(report):
        data = result.to_dict()
        data["title"] = i18n.finding_title(lang, result.code)
        data["message"] = i18n.finding_message(lang, result.finding)
        data["severity_word"] = i18n.word(lang, f"severity.{result.severity.value}")
        rows.append(data)
    return rows


def render_html(report: Report, lang: str | None = None, made: datetime | None = None) -> str:
    """The page in `lang` (default: the report's language, `settings.language`)."""
    lang = lang or report.settings.get("language") or "en"
    source = (
        resources.files("migmodule.validate")
        .joinpath("templates/report.html.j2")
        .read_text(encoding="utf-8")
    )
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    template = environment.from_string(source)
    language = i18n.info(lang)
    return template.render(
        report=report.to_dict(),
        profile_text=report.profile_text(lang),
        failed=_failed(report, lang),
        charts=charts(report, lang),
        colours=COLOURS,
        language=language,
        made=made or datetime.now().astimezone(),
        w=partial(i18n.word, lang),
        n=partial(i18n.number, lang),
        pct=partial(i18n.percent, lang),
    )
