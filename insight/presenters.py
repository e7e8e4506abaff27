"""The insight page, shaped for its template: each section's tables, suppressed, with a chart
and a CSV link; and the CSV of one table. Both read only suppressed tables."""

import csv
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString

from insight.charts import bar_chart
from insight.filters import Filters
from insight.sections import SECTIONS, Section
from insight.snapshots import Snapshot, current
from insight.suppression import suppress
from insight.tables import SUPPRESSED, Kind, Table


def build_table(figure: Any, filters: Filters, *, snapshot: Snapshot | None = None) -> Table:
    """A figure's table for `filters`, suppressed: the only way a table leaves this app. With
    a `snapshot` (the default view's figures built ahead of time), its copy of the table."""
    if snapshot is not None and figure.slug in snapshot.tables:
        return suppress(snapshot.tables[figure.slug])
    return suppress(figure.build(filters))


@dataclass(frozen=True)
class ShownTable:
    table: Table
    chart: SafeString
    csv_url: str

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "label": row.label,
                "is_total": row.is_total,
                "cells": [_text(row.cells[c.key]) for c in self.table.columns],
            }
            for row in self.table.rows
        ]


@dataclass(frozen=True)
class ShownSection:
    section: Section
    tables: list[ShownTable]


class InsightPage:
    def __init__(self, *, filters: Filters) -> None:
        self.filters = filters
        snapshot = current(filters)
        # When the figures were counted: a time for figures built ahead, None for live ones.
        self.built_at = snapshot.built_at if snapshot else None
        query = urlencode(filters.query())
        self.sections = []
        for section in SECTIONS:
            shown = []
            for figure in section.figures:
                table = build_table(figure, filters, snapshot=snapshot)
                url = reverse("insight:csv", args=[figure.slug]) + (f"?{query}" if query else "")
                shown.append(ShownTable(table, bar_chart(table), url))
            self.sections.append(ShownSection(section, shown))


def _text(value: Any) -> str:
    if value is SUPPRESSED:
        return SUPPRESSED.text
    if value is None:
        return "none yet"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def table_csv(table: Table, *, filters_described: list[tuple[str, str]]) -> str:
    """The table as CSV, suppressed figures as "fewer than 5", the filters on the first lines."""
    if not table.suppressed:
        raise ValueError("CSV is written only from suppressed tables")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([table.title])
    for name, value in filters_described:
        writer.writerow([name, value])
    writer.writerow([])
    writer.writerow(["", *[c.heading for c in table.columns]])
    for row in table.rows:
        writer.writerow([row.label, *[_text(row.cells[c.key]) for c in table.columns]])
    writer.writerow([])
    writer.writerow(["Definition", table.definition])
    for column in table.columns:
        writer.writerow([column.heading, column.definition])
    writer.writerow(
        ["fewer than 5", "Figures under 5, or that would let one be worked out, are not shown."]
    )
    return out.getvalue()


__all__ = ["SUPPRESSED", "InsightPage", "Kind", "build_table", "table_csv"]
