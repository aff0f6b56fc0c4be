"""The routing diagram of one level: a box per question in interview order, skip arrows on the side.

The layout is computed once as plain shapes (boxes, labels, polylines); `to_svg` draws them for
HTML and PDF, `to_png` draws the same shapes with Pillow for DOCX (Word takes PNG, not SVG).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path

from migmodule.handout.i18n import word
from migmodule.handout.routing import Route
from migmodule.spec.model import Module, Question

MARGIN, BOX_W, BOX_H, GAP = 16, 380, 50, 40
LABEL_SPACE, LANE_STEP = 250, 14
FONT, SMALL = 13, 11
CHAR_W = 0.56  # average glyph width of a sans-serif face, in font sizes: for truncation only
INK, PALE, ACCENT = "#1f2933", "#eef2f7", "#1d5fa7"


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
    size: int = FONT
    bold: bool = False
    middle: bool = False  # anchored at its centre instead of its start
    colour: str = INK


@dataclass(frozen=True)
class Polyline:
    points: list[tuple[float, float]]
    arrow: bool = True


@dataclass
class Diagram:
    width: float
    height: float
    title: str
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    paths: list[Polyline] = field(default_factory=list)

    def to_svg(self) -> str:
        """Inline SVG; every text is escaped, so spec text can never become markup."""
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
            f'width="{self.width:.0f}" height="{self.height:.0f}" role="img" '
            f'aria-label="{escape(self.title)}" class="routing" font-family="Arial, Helvetica, sans-serif">',
            f"<title>{escape(self.title)}</title>",
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/>'
            "</marker></defs>",
        ]
        for rect in self.rects:
            radius = ' rx="14"' if rect.rounded else ' rx="3"'
            out.append(
                f'<rect x="{rect.x:.1f}" y="{rect.y:.1f}" width="{rect.w:.1f}" height="{rect.h:.1f}"'
                f'{radius} fill="{PALE}" stroke="{INK}" stroke-width="1.2"/>'
            )
        for path in self.paths:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in path.points)
            marker = ' marker-end="url(#arrow)"' if path.arrow else ""
            out.append(
                f'<polyline points="{points}" fill="none" stroke="{INK}" stroke-width="1.2"{marker}/>'
            )
        for label in self.labels:
            anchor = ' text-anchor="middle"' if label.middle else ""
            weight = ' font-weight="bold"' if label.bold else ""
            out.append(
                f'<text x="{label.x:.1f}" y="{label.y:.1f}" font-size="{label.size}"{anchor}{weight} '
                f'fill="{label.colour}">{escape(label.text)}</text>'
            )
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
            points = [(x * s, y * s) for x, y in path.points]
            draw.line(points, fill=INK, width=max(1, round(1.2 * s)), joint="curve")
            if path.arrow:
                draw.polygon(_arrow_head(points[-2], points[-1], 7 * s), fill=INK)
        for label in self.labels:
            font = _font(round(label.size * s), label.bold)
            anchor = "ms" if label.middle else "ls"
            draw.text(
                (label.x * s, label.y * s), label.text, font=font, fill=label.colour, anchor=anchor
            )
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()


def _arrow_head(
    start: tuple[float, float], end: tuple[float, float], size: float
) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1) = start, end
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-6)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    back = (x1 - ux * size, y1 - uy * size)
    return [
        (x1, y1),
        (back[0] - uy * size / 2, back[1] + ux * size / 2),
        (back[0] + uy * size / 2, back[1] - ux * size / 2),
    ]


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


def shorten(text: str, size: int, width: float) -> str:
    limit = max(int(width / (size * CHAR_W)), 4)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _lanes(spans: list[tuple[int, int]]) -> list[int]:
    """A lane per side arrow so that arrows whose spans overlap never share one; short spans inside."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][1] - spans[i][0], spans[i][0]))
    used: list[list[tuple[int, int]]] = []
    lane_of = [0] * len(spans)
    for i in order:
        a, b = spans[i]
        for lane, taken in enumerate(used):
            if all(b <= c or d <= a for c, d in taken):
                taken.append((a, b))
                lane_of[i] = lane
                break
        else:
            used.append([(a, b)])
            lane_of[i] = len(used) - 1
    return lane_of


def build_diagram(
    module: Module,
    questions: list[Question],
    all_routes: list[list[Route]],
    start: int,
    end: int,
    lang: str,
    text: Callable[[dict[str, str] | None, str], str],
) -> Diagram:
    """The diagram of questions[start:end] (one level's block), with the routes out of each."""
    count = end - start
    column_x, centre = MARGIN, MARGIN + BOX_W / 2

    # Routes that leave the block all go to the same place: the next block, or the end of the module.
    outside = {
        r.target
        for out in all_routes[start:end]
        for r in out
        if r.target is None or r.target >= end
    }
    terminal_label = word(lang, "diagram_end")
    if outside and next(iter(outside)) is not None:
        target = next(iter(outside))
        terminal_label = word(
            lang, "diagram_next_level", target=f"{word(lang, 'question_prefix')}{target + 1}"
        )

    straight: list[tuple[int, Route]] = []
    side: list[tuple[int, int, Route]] = []
    for local in range(count):
        for route in all_routes[start + local]:
            destination = (
                count if route.target is None or route.target >= end else route.target - start
            )
            if destination == local + 1:
                straight.append((local, route))
            else:
                side.append((local, destination, route))
    lanes = _lanes([(a, b) for a, b, _ in side])
    # A box is tall enough for its side exits (13 px apart, below the two lines of its text).
    exits = [sum(1 for a, _, _ in side if a == local) for local in range(count)]
    heights = [max(BOX_H, 14 + exits[local] * 13) for local in range(count)]
    tops = [float(MARGIN)]
    for height_of_box in heights:
        tops.append(tops[-1] + height_of_box + GAP)

    def top(local: int) -> float:
        return tops[local]

    lane_count = max(lanes, default=-1) + 1

    level = module.level_by_id.get(questions[start].level)
    title = text(level.label, f"label of level {level.id}") if level else questions[start].level
    captions = [route.condition or word(lang, "diagram_otherwise") for _, _, route in side]
    label_space = min(LABEL_SPACE, max((len(c) * SMALL * CHAR_W + 16 for c in captions), default=0))
    width = MARGIN * 2 + BOX_W + (label_space + lane_count * LANE_STEP if side else 0)
    terminal_h = 30
    height = top(count) + terminal_h + MARGIN
    diagram = Diagram(width, height, title)

    for local in range(count):
        question = questions[start + local]
        y = top(local)
        diagram.rects.append(Rect(column_x, y, BOX_W, heights[local]))
        diagram.labels.append(
            Label(
                column_x + 10,
                y + 20,
                f"{word(lang, 'question_prefix')}{start + local + 1} · {question.variable_name}",
                FONT,
                bold=True,
                colour=ACCENT,
            )
        )
        name = text(question.variable_label, f"variable_label of question {question.id}")
        diagram.labels.append(Label(column_x + 10, y + 39, shorten(name, FONT, BOX_W - 20), FONT))
    terminal_w = 200
    diagram.rects.append(
        Rect(centre - terminal_w / 2, top(count), terminal_w, terminal_h, rounded=True)
    )
    diagram.labels.append(
        Label(centre, top(count) + 20, terminal_label, FONT, bold=True, middle=True)
    )

    for local, route in straight:
        y0, y1 = top(local) + heights[local], top(local + 1)
        diagram.paths.append(Polyline([(centre, y0), (centre, y1)]))
        caption = route.condition or (word(lang, "diagram_otherwise") if route.otherwise else "")
        if caption:
            diagram.labels.append(
                Label(
                    centre + 8,
                    (y0 + y1) / 2 + 4,
                    shorten(caption, SMALL, BOX_W / 2 + LABEL_SPACE - 12),
                    SMALL,
                    colour=ACCENT,
                )
            )

    slots: dict[int, int] = {}
    right = column_x + BOX_W
    for (local, destination, route), lane in zip(side, lanes, strict=True):
        slot = slots.get(local, 0)
        slots[local] = slot + 1
        exit_y = top(local) + 14 + slot * 13
        lane_x = right + label_space + lane * LANE_STEP + LANE_STEP / 2
        if destination == count:  # into the terminal's right side
            entry = (centre + terminal_w / 2, top(count) + terminal_h / 2)
        else:
            entry = (right, top(destination) + heights[destination] - 9)
        diagram.paths.append(
            Polyline([(right, exit_y), (lane_x, exit_y), (lane_x, entry[1]), entry])
        )
        caption = route.condition or word(lang, "diagram_otherwise")
        diagram.labels.append(
            Label(
                right + 6,
                exit_y - 3,
                shorten(caption, SMALL, label_space - 10),
                SMALL,
                colour=ACCENT,
            )
        )
    return diagram
