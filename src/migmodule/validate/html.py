"""The self-contained HTML report: inline CSS and SVG bar charts drawn here; no script, no network."""

from __future__ import annotations

from importlib import resources

import jinja2
from markupsafe import Markup, escape

from migmodule.validate.report import Report

BAR_HEIGHT, LABEL_WIDTH, CHART_WIDTH = 18, 220, 640
COLOURS = {"error": "#c0392b", "warning": "#d68910", "info": "#2874a6"}


def bar_chart(title: str, bars: list[tuple[str, float, str, str]], *, percent: bool) -> Markup:
    """A horizontal bar chart as inline SVG. `bars` are (label, value, shown text, colour)."""
    if not bars:
        return Markup("")
    top = max(value for _, value, _, _ in bars) or 1.0
    span = CHART_WIDTH - LABEL_WIDTH - 70
    height = BAR_HEIGHT * len(bars) + 10
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value, shown, colour) in enumerate(bars):
        y = 5 + i * BAR_HEIGHT
        width = max(1.0, span * value / top) if value else 0.0
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end" font-size="12">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{width:.1f}" height="{BAR_HEIGHT - 5}" '
            f'fill="{colour}"><title>{escape(label)}: {escape(shown)}</title></rect>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + 13}" font-size="12">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def charts(report: Report) -> dict[str, Markup]:
    nonresponse = [
        (
            r.question or "",
            r.rate or 0.0,
            f"{(r.rate or 0.0):.1%}",
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
        (code, float(count), f"{count:,}", COLOURS[severity])
        for code, (count, severity) in sorted(by_code.items(), key=lambda kv: -kv[1][0])
    ]
    return {
        "nonresponse": bar_chart("Item non-response by question", nonresponse, percent=True),
        "failures": bar_chart("Failures by check", failures, percent=False),
    }


def render_html(report: Report) -> str:
    source = (
        resources.files("migmodule.validate")
        .joinpath("templates/report.html.j2")
        .read_text(encoding="utf-8")
    )
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    template = environment.from_string(source)
    data = report.to_dict()
    failed = [r for r in data["results"] if r["failed"]]
    failed.sort(key=lambda r: ({"error": 0, "warning": 1, "info": 2}[r["severity"]], r["code"]))
    return template.render(report=data, failed=failed, charts=charts(report), colours=COLOURS)
