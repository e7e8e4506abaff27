"""A server-rendered SVG line chart of ratings (0-10) across assessments.

Readable without colour: every series has its own marker shape and line pattern, named in a
legend drawn with the same marker and pattern, and the page shows the same numbers in a table.
Markers of series that meet at one value are set a little apart so none hides another."""

from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 480, 300
LEFT, RIGHT, TOP, BOTTOM = 40, 24, 16, 44
FONT = 18
SPREAD = 7  # horizontal gap between markers of different series at the same assessment
SCALE_MAX = 10
# (marker, dash pattern, colour): distinct in shape and pattern first, colour last.
STYLES = [
    ("circle", "", "#005eb8"),
    ("square", "8 4", "#330072"),
    ("triangle", "2 4", "#8a1538"),
    ("diamond", "12 4 2 4", "#00703c"),
    ("cross", "4 4", "#212b32"),
]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int | None]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    r = 6
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - r - 1:.1f} {x - r - 1:.1f},{y + r:.1f} {x + r + 1:.1f},{y + r:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - r - 2:.1f} {x + r + 2:.1f},{y:.1f} {x:.1f},{y + r + 2:.1f} {x - r - 2:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return (
        f'<path d="M{x - r:.1f},{y - r:.1f} L{x + r:.1f},{y + r:.1f} M{x - r:.1f},{y + r:.1f} '
        f'L{x + r:.1f},{y - r:.1f}" stroke="{colour}" stroke-width="3"/>'
    )


def legend_marker_svg(index: int) -> SafeString:
    """The series' marker and line pattern, small, for the legend beside the chart."""
    shape, dash, colour = STYLES[index % len(STYLES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return mark_safe(  # noqa: S308 - built only from our own constants
        f'<svg width="44" height="16" viewBox="0 0 44 16" aria-hidden="true" focusable="false">'
        f'<line x1="2" y1="8" x2="42" y2="8" stroke="{colour}" stroke-width="3"{dash_attr}/>'
        f"{_marker(shape, 22, 8, colour)}</svg>"
    )


def ratings_chart_svg(
    *, labels: list[str], series: list[Series], title: str, description: str
) -> SafeString:
    """An SVG line chart: x is each assessment (`labels`), y is the 0-10 rating. The page
    names the series beside it, each with `legend_marker_svg(index)`."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    count = len(labels)

    def x_at(i: int) -> float:
        return LEFT + (plot_w / 2 if count == 1 else plot_w * i / (count - 1))

    def y_at(value: int) -> float:
        return TOP + plot_h * (1 - value / SCALE_MAX)

    def anchor(i: int) -> str:
        if count > 1 and i == 0:
            return "start"
        return "end" if count > 1 and i == count - 1 else "middle"

    def offset(index: int) -> float:
        return (index - (len(series) - 1) / 2) * SPREAD

    parts: list[str] = [
        format_html(
            '<svg class="app-chart" viewBox="0 0 {} {}" role="img" '
            'aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMinYMin meet">'
            '<title id="chart-title">{}</title><desc id="chart-desc">{}</desc>',
            WIDTH,
            HEIGHT,
            title,
            description,
        )
    ]
    for value in range(0, SCALE_MAX + 1, 2):
        y = y_at(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="#d8dde0" stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{y + 6:.1f}" text-anchor="end" font-size="{FONT}" '
            f'fill="#212b32">{value}</text>'
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x_at(i):.1f}" y="{HEIGHT - BOTTOM + 28}" text-anchor="{anchor(i)}" '
            f'font-size="{FONT}" fill="#212b32">{escape(label)}</text>'
        )
    for index, line in enumerate(series):
        shape, dash, colour = STYLES[index % len(STYLES)]
        points = [
            (x_at(i) + offset(index), y_at(v)) for i, v in enumerate(line.values) if v is not None
        ]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"'
                f"{dash_attr}/>"
            )
        parts.extend(_marker(shape, x, y, colour) for x, y in points)
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every label is escaped
