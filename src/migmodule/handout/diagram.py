"""The routing diagram of one level: a box per question, an arrow per route, answers on the arrows.

The layout is Graphviz's `dot`, run as the `graphviz-pure` program (a dependency: a pure build
of Graphviz in a wheel, so no system program is needed). Its JSON output is read back as plain
shapes (boxes, text lines, Bézier curves, arrow heads); `to_svg` draws them for HTML and PDF,
`to_png` draws the same shapes with Pillow for DOCX and PPTX (Word takes PNG, not SVG).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path

from migmodule.codes import MigmoduleError
from migmodule.handout import codes
from migmodule.handout.i18n import word
from migmodule.handout.routing import Route
from migmodule.spec.model import Module, Question

FONT, SMALL = 13, 11
INK, PALE, ACCENT, PAPER = "#1f2933", "#eef2f7", "#1d5fa7", "#ffffff"
LABEL_WIDTH = 26  # characters per line of an arrow label
LABEL_LINES = 3  # lines of an arrow label before it is cut (the full text is in the question)
BOX_WIDTH = 34  # characters per line of a box's variable label
PROGRAM = "graphviz-pure"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    rounded: bool = False


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # baseline
    text: str
    size: float = FONT
    bold: bool = False
    middle: bool = False  # anchored at its centre instead of its start
    colour: str = INK
    halo: bool = False  # a white outline under it, so that it stays legible across a line
    width: float = 0.0  # the width the layout gave it (0: free); a wider face is narrowed to it


@dataclass(frozen=True)
class Polyline:
    """A path: straight segments, or a cubic Bézier spline (start, then three points a piece)."""

    points: list[tuple[float, float]]
    arrow: bool = True
    curved: bool = False


@dataclass(frozen=True)
class Polygon:
    points: list[tuple[float, float]]


@dataclass
class Diagram:
    width: float
    height: float
    title: str
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    paths: list[Polyline] = field(default_factory=list)
    heads: list[Polygon] = field(default_factory=list)

    def box_texts(self) -> list[str]:
        return [label.text for label in self.labels]

    def to_svg(self) -> str:
        """Inline SVG; every text is escaped, so spec text can never become markup."""
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
            f'width="{self.width:.0f}" height="{self.height:.0f}" role="img" '
            f'aria-label="{escape(self.title)}" class="routing" font-family="Arial, Helvetica, sans-serif">',
            f"<title>{escape(self.title)}</title>",
        ]
        for rect in self.rects:
            radius = ' rx="14"' if rect.rounded else ' rx="3"'
            out.append(
                f'<rect x="{rect.x:.1f}" y="{rect.y:.1f}" width="{rect.w:.1f}" height="{rect.h:.1f}"'
                f'{radius} fill="{PALE}" stroke="{INK}" stroke-width="1.2"/>'
            )
        for path in self.paths:
            out.append(
                f'<path d="{_svg_path(path)}" fill="none" stroke="{INK}" stroke-width="1.2"/>'
            )
        for head in self.heads:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in head.points)
            out.append(f'<polygon points="{points}" fill="{INK}"/>')
        for label in self.labels:
            anchor = ' text-anchor="middle"' if label.middle else ""
            weight = ' font-weight="bold"' if label.bold else ""
            common = (
                f'x="{label.x:.1f}" y="{label.y:.1f}" font-size="{label.size:g}"{anchor}{weight}'
            )
            if label.width:  # the layout measured Arial; a wider fallback face must not overflow
                common += f' textLength="{label.width:.1f}" lengthAdjust="spacingAndGlyphs"'
            if label.halo:  # a copy drawn first (paint-order is not known to every renderer)
                out.append(
                    f'<text {common} fill="{PAPER}" stroke="{PAPER}" stroke-width="3" '
                    f'aria-hidden="true">{escape(label.text)}</text>'
                )
            out.append(f'<text {common} fill="{label.colour}">{escape(label.text)}</text>')
        out.append("</svg>")
        return "\n".join(out)

    def to_png(self, scale: float = 2.0) -> bytes:
        """The same shapes as a PNG (Pillow), for documents that cannot hold SVG."""
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (round(self.width * scale), round(self.height * scale)), "white")
        draw = ImageDraw.Draw(image)
        s = scale
        for rect in self.rects:
            box = (rect.x * s, rect.y * s, (rect.x + rect.w) * s, (rect.y + rect.h) * s)
            draw.rounded_rectangle(
                box,
                radius=(14 if rect.rounded else 3) * s,
                fill=PALE,
                outline=INK,
                width=max(1, round(1.2 * s)),
            )
        for path in self.paths:
            points = [(x * s, y * s) for x, y in _flatten(path)]
            draw.line(points, fill=INK, width=max(1, round(1.2 * s)), joint="curve")
        for head in self.heads:
            draw.polygon([(x * s, y * s) for x, y in head.points], fill=INK)
        for label in self.labels:
            font = _font(round(label.size * s), label.bold)
            if label.width:  # DejaVu is wider than the Arial the layout measured: shrink to fit
                size = round(label.size * s)
                while size > 6 and draw.textlength(label.text, font=font) > label.width * s * 1.02:
                    size -= 1
                    font = _font(size, label.bold)
            anchor = "ms" if label.middle else "ls"
            position = (label.x * s, label.y * s)
            if label.halo:  # a white halo, so a label crossing a line stays legible
                draw.text(
                    position,
                    label.text,
                    font=font,
                    fill=PAPER,
                    anchor=anchor,
                    stroke_width=round(2 * s),
                    stroke_fill=PAPER,
                )
            draw.text(position, label.text, font=font, fill=label.colour, anchor=anchor)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()


def _svg_path(path: Polyline) -> str:
    (x0, y0), rest = path.points[0], path.points[1:]
    if path.curved:
        pieces = [f"M{x0:.1f},{y0:.1f}"]
        for i in range(0, len(rest) - 2, 3):
            (a, b), (c, d), (e, f) = rest[i : i + 3]
            pieces.append(f"C{a:.1f},{b:.1f} {c:.1f},{d:.1f} {e:.1f},{f:.1f}")
        return " ".join(pieces)
    return f"M{x0:.1f},{y0:.1f} " + " ".join(f"L{x:.1f},{y:.1f}" for x, y in rest)


def _flatten(path: Polyline, steps: int = 12) -> list[tuple[float, float]]:
    """The points of a spline, sampled (Pillow draws straight segments only)."""
    if not path.curved:
        return path.points
    out = [path.points[0]]
    for i in range(0, len(path.points) - 3, 3):
        p0, p1, p2, p3 = path.points[i : i + 4]
        for step in range(1, steps + 1):
            t = step / steps
            u = 1 - t
            out.append(
                (
                    u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
                )
            )
    return out


# Fonts with the accented letters of French and Spanish, on Linux, Windows and macOS. Pillow's
# built-in face has ASCII only, so it is the last resort (accents are then dropped, not boxed).
_FONT_FILES = {
    False: [
        "DejaVuSans.ttf",
        "LiberationSans-Regular.ttf",
        "arial.ttf",
        "Arial.ttf",
        "segoeui.ttf",
        "Helvetica.ttc",
        "NotoSans-Regular.ttf",
    ],
    True: [
        "DejaVuSans-Bold.ttf",
        "LiberationSans-Bold.ttf",
        "arialbd.ttf",
        "Arial Bold.ttf",
        "segoeuib.ttf",
        "Helvetica.ttc",
        "NotoSans-Bold.ttf",
    ],
}
_FONT_DIRS = [
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
    str(Path.home() / ".fonts"),
]


@cache
def _font_file(bold: bool) -> str | None:
    for name in _FONT_FILES[bold]:
        for folder in _FONT_DIRS:
            root = Path(folder)
            if not root.is_dir():
                continue
            direct = root / name
            if direct.is_file():
                return str(direct)
            found = next(iter(root.rglob(name)), None)
            if found is not None:
                return str(found)
    return None


@cache
def _font(size: int, bold: bool):  # -> PIL.ImageFont.FreeTypeFont
    from PIL import ImageFont

    path = _font_file(bold) or _font_file(False)
    if path is not None:
        return ImageFont.truetype(path, size)
    print(
        "migmodule: no TrueType font found; diagram text uses Pillow's ASCII font", file=sys.stderr
    )
    return ImageFont.load_default(size=size)


def shorten(text: str, width: int = LABEL_WIDTH, lines: int = LABEL_LINES) -> list[str]:
    """Text wrapped in lines of `width` characters; past `lines` lines it is cut with '…'."""
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return wrapped


@cache
def _program() -> str:
    found = shutil.which(PROGRAM) or shutil.which(PROGRAM, path=os.path.dirname(sys.executable))
    if found is None:
        raise MigmoduleError.of(
            codes.LAYOUT_MISSING, reason=f"the program {PROGRAM!r} is not on the PATH"
        )
    return found


def layout(dot: str) -> dict:
    """Graphviz's layout of a graph, as its JSON output (positions in points, y upwards)."""
    try:
        done = subprocess.run(
            [_program(), "-Tjson"],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=120,
            check=False,
        )
    except OSError as exc:
        raise MigmoduleError.of(codes.LAYOUT_MISSING, reason=str(exc)) from None
    if done.returncode != 0:
        raise MigmoduleError.of(
            codes.LAYOUT_MISSING,
            reason=f"{PROGRAM} failed: {done.stderr.decode('utf-8', 'replace')[:300]}",
        )
    return json.loads(done.stdout)


def _quote(text: str) -> str:
    """A DOT string literal: quotes and backslashes escaped, lines joined by DOT's \\n."""
    return (
        '"'
        + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in text.split("\n"))
        + '"'
    )


def _shapes(graph: dict, title: str, bold_first_line: set[str]) -> Diagram:
    left, bottom, right, top = (float(v) for v in graph["bb"].split(","))
    margin = 8.0

    def point(x: float, y: float) -> tuple[float, float]:
        return (x - left + margin, top - y + margin)

    diagram = Diagram(right - left + 2 * margin, top - bottom + 2 * margin, title)
    for node in graph.get("objects", []):
        rounded = not node["name"].startswith("q")
        for op in node.get("_draw_", []):
            if op["op"] in ("p", "P", "b", "B"):
                xs = [point(*p)[0] for p in op["points"]]
                ys = [point(*p)[1] for p in op["points"]]
                diagram.rects.append(
                    Rect(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys), rounded)
                )
        first = True
        for op in node.get("_ldraw_", []):
            if op["op"] == "T":
                x, y = point(*op["pt"])
                bold = first and node["name"] in bold_first_line
                diagram.labels.append(
                    Label(
                        x,
                        y,
                        op["text"],
                        FONT,
                        bold,
                        True,
                        ACCENT if bold else INK,
                        width=float(op.get("width", 0.0)),
                    )
                )
                first = False
    for edge in graph.get("edges", []):
        for op in edge.get("_draw_", []):
            if op["op"] in ("b", "B"):
                diagram.paths.append(
                    Polyline([point(*p) for p in op["points"]], arrow=True, curved=True)
                )
        for op in edge.get("_hdraw_", []):
            if op["op"] in ("p", "P"):
                diagram.heads.append(Polygon([point(*p) for p in op["points"]]))
        for op in edge.get("_ldraw_", []) + edge.get("_xldraw_", []):
            if op["op"] == "T":
                x, y = point(*op["pt"])
                diagram.labels.append(
                    Label(
                        x,
                        y,
                        op["text"],
                        SMALL,
                        False,
                        True,
                        ACCENT,
                        True,
                        width=float(op.get("width", 0.0)),
                    )
                )
    return diagram


MAX_BOXES = 6  # questions in one diagram; a longer level is drawn in several parts


def chunks(all_routes: list[list[Route]], start: int, end: int) -> list[tuple[int, int]]:
    """Runs of at most MAX_BOXES questions, cut where the fewest routes cross the cut."""
    out: list[tuple[int, int]] = []
    first = start
    while end - first > MAX_BOXES + 2:  # a last part of one or two boxes stays with the one before
        candidates = range(first + 3, first + MAX_BOXES + 1)

        def crossing(cut: int, first: int = first) -> int:
            return sum(
                1
                for source in range(first, cut)
                for route in all_routes[source]
                if route.target is None or route.target >= cut
            )

        cut = min(candidates, key=lambda c: (crossing(c), -c))
        out.append((first, cut))
        first = cut
    out.append((first, end))
    return out


def build_diagrams(
    module: Module,
    questions: list[Question],
    all_routes: list[list[Route]],
    start: int,
    end: int,
    lang: str,
    text: Callable[[dict[str, str] | None, str], str],
    edge_label: Callable[[int, Route], str] | None = None,
) -> list[Diagram]:
    """The diagrams of one level's block: one, or one per part when the level is long."""
    parts = chunks(all_routes, start, end)
    return [
        build_diagram(
            module,
            questions,
            all_routes,
            first,
            last,
            lang,
            text,
            edge_label,
            level_end=end,
            part=(number, len(parts)) if len(parts) > 1 else None,
        )
        for number, (first, last) in enumerate(parts, start=1)
    ]


def build_diagram(
    module: Module,
    questions: list[Question],
    all_routes: list[list[Route]],
    start: int,
    end: int,
    lang: str,
    text: Callable[[dict[str, str] | None, str], str],
    edge_label: Callable[[int, Route], str] | None = None,
    *,
    level_end: int | None = None,
    part: tuple[int, int] | None = None,
) -> Diagram:
    """The diagram of questions[start:end], with the routes out of each.

    A route to a question outside the diagram ends in a small rounded box naming it ("Q21",
    "then Q24", "End"), drawn beside its question rather than as a long arrow. `edge_label(index,
    route)` is the text on an arrow (the answers that take it, or the check); without it, the
    route's condition, or "otherwise".
    """
    prefix = word(lang, "question_prefix")
    level_end = end if level_end is None else level_end
    level = module.level_by_id.get(questions[start].level)
    title = text(level.label, f"label of level {level.id}") if level else questions[start].level
    if part is not None:
        title = word(lang, "diagram_part", title=title, number=part[0], total=part[1])

    def outside_label(target: int | None) -> str:
        if target is None:
            return word(lang, "diagram_end")
        if target >= level_end:
            return word(lang, "diagram_next_level", target=f"{prefix}{target + 1}")
        return f"→ {prefix}{target + 1}"

    lines = [
        "digraph routing {",
        '  graph [rankdir=TB, nodesep=0.3, ranksep=0.32, fontname="Arimo", margin=0];',
        f'  node [shape=box, style=filled, fontname="Arimo", fontsize={FONT}, margin="0.14,0.06"];',
        f'  edge [fontname="Arimo", fontsize={SMALL}, arrowsize=0.7];',
    ]
    for local in range(start, end):
        question = questions[local]
        name = text(question.variable_label, f"variable_label of question {question.id}")
        label = "\n".join(
            [f"{prefix}{local + 1} · {question.variable_name}", *shorten(name, BOX_WIDTH, 2)]
        )
        lines.append(f"  q{local} [label={_quote(label)}];")

    stubs = 0
    leaving = False
    for local in range(start, end):
        by_target: dict[str, list[str]] = {}
        for route in all_routes[local]:
            if route.target is not None and start <= route.target < end:
                target = f"q{route.target}"
            elif route.target is None or route.target >= level_end:
                # Leaving the level: one box at the bottom for all, as on a paper flowchart.
                target = "leave"
                if not leaving:
                    leaving = True
                    lines.append(
                        f"  leave [label={_quote(outside_label(route.target))}, "
                        'style="rounded,filled", fontsize=11];'
                    )
                    lines.append("  { rank=sink; leave; }")
            else:
                target = f"out{local}_{route.target}"
                if target not in by_target:
                    stubs += 1
                    lines.append(
                        f"  {target} [label={_quote(outside_label(route.target))}, "
                        'style="rounded,filled", fontsize=11];'
                    )
            if edge_label is not None:
                caption = edge_label(local, route)
            else:
                caption = route.condition or (
                    word(lang, "diagram_otherwise") if route.otherwise else ""
                )
            captions = by_target.setdefault(target, [])
            if caption and caption not in captions:
                captions.append(caption)
        for target, captions in by_target.items():
            caption = " / ".join(captions)
            weight = 8 if target == f"q{local + 1}" else 1
            attributes = [f"weight={weight}"]
            if caption:
                attributes.append(f"label={_quote(chr(10).join(shorten(caption)))}")
            lines.append(f"  q{local} -> {target} [{', '.join(attributes)}];")
    lines.append("}")
    graph = layout("\n".join(lines))
    bold = {f"q{local}" for local in range(start, end)}
    return _shapes(graph, title, bold)
