"""A server-rendered SVG bar chart of one table column, readable without colour.

As careplans.charts: the numbers are written beside every bar, the table is beside the chart,
and a suppressed figure is drawn as an empty outlined bar labelled "fewer than 5" (never as a
bar of its true length), so the chart shows no more than the table."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from insight.tables import SUPPRESSED, Kind, Table

WIDTH = 480
LABEL_WIDTH = 190
BAR_HEIGHT = 22
GAP = 10
FONT = 15
VALUE_SPACE = 100
FILL = "#005eb8"
OUTLINE = "#212b32"


def bar_chart(table: Table) -> SafeString:
    """Bars for the table's first column, total row left out; "" when there is nothing to draw."""
    if not table.suppressed:
        raise ValueError("charts draw only suppressed tables")
    column = table.columns[0]
    if column.kind != Kind.COUNT:
        return mark_safe("")  # noqa: S308 - empty
    rows = [row for row in table.rows if not row.is_total]
    if not rows:
        return mark_safe("")  # noqa: S308 - empty
    numbers = [row.cells[column.key] for row in rows if row.cells[column.key] is not SUPPRESSED]
    top = max([*numbers, 5])
    span = WIDTH - LABEL_WIDTH - VALUE_SPACE
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = [
        f'<svg class="app-insight-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="chart-{escape(table.slug)}" focusable="false">',
        f'<title id="chart-{escape(table.slug)}">{escape(table.title)}: {escape(column.heading)}'
        "; the same figures are in the table.</title>",
    ]
    for index, row in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        label = row.label if len(row.label) <= 24 else row.label[:23] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 6}" font-size="{FONT}" '
            f'text-anchor="end" fill="{OUTLINE}">{escape(label)}</text>'
        )
        value = row.cells[column.key]
        if value is SUPPRESSED:
            width = max(span * 4 / top, 6)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="none" stroke="{OUTLINE}" stroke-width="2" stroke-dasharray="4 3"/>'
            )
            text = SUPPRESSED.text
        else:
            width = span * value / top
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{FILL}"/>'
            )
            text = str(value)
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + BAR_HEIGHT - 6}" '
            f'font-size="{FONT}" fill="{OUTLINE}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text escaped, numbers ours
