"""Charts of the shares, laid out once in pure Python and drawn twice: as SVG and in the PDF.

A chart is a list of primitive shapes (rectangles, lines, polylines, text) in a top-left
coordinate system. ``to_svg`` writes them as an inline SVG for the page (no JavaScript, prints
as is); ``purchases.pdf`` draws the very same shapes with reportlab, so the figure an elected
official reads on paper is the one the manager saw on screen. No Django import here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

GREEN = "#2f7a4a"
LIGHT_GREEN = "#9cc9a9"
GREY = "#c9d6cd"
INK = "#1d2b22"
MUTED = "#5b6b62"
RED = "#b3261e"
SERIES_COLOURS = (GREEN, "#c77c02", "#1f5f99")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.0
    dash: bool = False


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    stroke: str
    width: float = 2.0


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float = 10.0
    anchor: str = "start"  # start, middle, end
    fill: str = INK
    bold: bool = False


@dataclass
class Chart:
    width: float
    height: float
    title: str
    shapes: list = field(default_factory=list)


@dataclass(frozen=True)
class Bar:
    """One share: its percentage (None when nothing was bought) and target (None if none)."""

    label: str
    pct: Decimal | float | None
    target: Decimal | float | None = None


@dataclass(frozen=True)
class Series:
    """One line of the trend: a percentage per month, None where the month had no purchase."""

    label: str
    values: tuple[Decimal | float | None, ...]


def plain_percent(value) -> str:
    """A share with one decimal, French style; the Django side passes the active locale's
    ``cantine.formatting.percent`` instead."""
    return f"{float(value):.1f}".replace(".", ",") + " %"


def bar_chart(
    bars: list[Bar],
    title: str,
    target_label: str,
    width: float = 640,
    percent: Callable[[object], str] = plain_percent,
) -> Chart:
    """Horizontal bars on a 0–100 % scale, a dashed tick at each target, reached bars green;
    ``percent`` writes a share."""
    label_w, right_pad, row_h, top = 170.0, 60.0, 26.0, 8.0
    plot_w = width - label_w - right_pad
    height = top + row_h * len(bars) + 34
    chart = Chart(width, height, title)
    add = chart.shapes.append
    for tick in (0, 25, 50, 75, 100):
        x = label_w + plot_w * tick / 100
        add(Line(x, top, x, top + row_h * len(bars), GREY, 0.5))
        add(Text(x, top + row_h * len(bars) + 12, f"{tick} %", 8, "middle", MUTED))
    for i, bar in enumerate(bars):
        y = top + i * row_h
        add(Text(label_w - 6, y + row_h / 2 + 4, bar.label, 9.5, "end"))
        if bar.pct is None:
            add(Text(label_w + 4, y + row_h / 2 + 4, "—", 9.5, fill=MUTED))
            continue
        value = min(float(bar.pct), 100.0)
        reached = bar.target is None or float(bar.pct) >= float(bar.target)
        colour = GREEN if reached else LIGHT_GREEN
        tooltip = f"{bar.label} : {percent(bar.pct)}"
        add(Rect(label_w, y + 5, plot_w * value / 100, row_h - 10, colour, tooltip))
        # The value sits right of the bar, and of the target tick when that is further right.
        end = max(value, float(bar.target) if bar.target is not None else 0)
        add(Text(label_w + plot_w * end / 100 + 5, y + row_h / 2 + 4, percent(bar.pct), 9))
        if bar.target is not None:
            x = label_w + plot_w * float(bar.target) / 100
            add(Line(x, y + 1, x, y + row_h - 1, RED, 2, dash=True))
    legend_y = height - 6
    add(Line(label_w, legend_y - 3, label_w + 14, legend_y - 3, RED, 2, dash=True))
    add(Text(label_w + 18, legend_y, target_label, 8, fill=MUTED))
    return chart


def trend_chart(
    months: list[str],
    series: list[Series],
    title: str,
    width: float = 640,
    height: float = 240,
    percent: Callable[[object], str] = plain_percent,
) -> Chart:
    """Monthly percentages as lines on a 0–max scale; a gap where a month had no purchase."""
    left, right, top, bottom = 40.0, 10.0, 10.0, 44.0
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v) for s in series for v in s.values if v is not None]
    ceiling = max(25, min(100, 25 * -(-max(values or [0]) // 25)))
    chart = Chart(width, height, title)
    add = chart.shapes.append
    step = plot_w / max(len(months), 1)

    def x_of(i: int) -> float:
        return left + step * (i + 0.5)

    def y_of(value) -> float:
        return top + plot_h * (1 - float(value) / ceiling)

    for tick in range(0, int(ceiling) + 1, 25 if ceiling > 50 else 10):
        add(Line(left, y_of(tick), width - right, y_of(tick), GREY, 0.5))
        add(Text(left - 4, y_of(tick) + 3, f"{tick} %", 8, "end", MUTED))
    for i, month in enumerate(months):
        add(Text(x_of(i), top + plot_h + 12, month, 8, "middle", MUTED))
    for colour, one in zip(SERIES_COLOURS, series, strict=False):
        run: list[tuple[float, float]] = []
        for i, value in enumerate(one.values):
            if value is None:
                if len(run) > 1:
                    add(Polyline(tuple(run), colour))
                run = []
                continue
            run.append((x_of(i), y_of(value)))
            add(Rect(x_of(i) - 2, y_of(value) - 2, 4, 4, colour, f"{one.label} : {percent(value)}"))
        if len(run) > 1:
            add(Polyline(tuple(run), colour))
    x = left
    for colour, one in zip(SERIES_COLOURS, series, strict=False):
        add(Line(x, height - 10, x + 14, height - 10, colour, 2))
        add(Text(x + 18, height - 7, one.label, 8.5))
        x += 24 + 6 * len(one.label)
    return chart


# SVG ------------------------------------------------------------------------------------------


def _svg_shape(shape) -> str:
    match shape:
        case Rect():
            title = f"<title>{escape(shape.title)}</title>" if shape.title else ""
            return (
                f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.width:.1f}" '
                f'height="{shape.height:.1f}" fill="{shape.fill}">{title}</rect>'
            )
        case Line():
            dash = ' stroke-dasharray="4 3"' if shape.dash else ""
            return (
                f'<line x1="{shape.x1:.1f}" y1="{shape.y1:.1f}" x2="{shape.x2:.1f}" '
                f'y2="{shape.y2:.1f}" stroke="{shape.stroke}" stroke-width="{shape.width}"{dash}/>'
            )
        case Polyline():
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in shape.points)
            return (
                f'<polyline points="{points}" fill="none" stroke="{shape.stroke}" '
                f'stroke-width="{shape.width}"/>'
            )
        case Text():
            weight = ' font-weight="bold"' if shape.bold else ""
            return (
                f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size}" '
                f'text-anchor="{shape.anchor}" fill="{shape.fill}"{weight}>'
                f"{escape(shape.text)}</text>"
            )
    raise TypeError(f"not a chart shape: {shape!r}")


def to_svg(chart: Chart, chart_id: str = "") -> str:
    """Inline SVG, scalable (viewBox), with a title for screen readers."""
    ident = f' id="{escape(chart_id)}"' if chart_id else ""
    body = "".join(_svg_shape(shape) for shape in chart.shapes)
    return (
        f'<svg{ident} class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{chart.width:.0f}" viewBox="0 0 {chart.width:.0f} {chart.height:.0f}">'
        f"<title>{escape(chart.title)}</title>{body}</svg>"
    )
