"""How a figure's records are counted: one aggregate query (GROUP BY) per table, and one more
per filter that is set (the same cell for every value of that filter, for suppression). No
query reads one patient's records at a time; the number of queries never grows with the data."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DateField,
    Expression,
    F,
    Func,
    IntegerField,
    QuerySet,
)
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from insight.filters import Filters, quarter_end


class DaysBetween(Func):
    """Whole days from the first date to the second (both dates, not datetimes: wrap a
    datetime in TruncDate so the day is London's)."""

    output_field = IntegerField()

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        return f"(CAST({end} AS date) - CAST({start} AS date))", (*end_params, *start_params)

    def as_sqlite(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        return (
            f"CAST(julianday(date({end})) - julianday(date({start})) AS INTEGER)",
            (*end_params, *start_params),
        )


@dataclass(frozen=True)
class Source:
    """Where a figure's records come from, and how each filter reaches them.

    `case` is the path from a record to its case ("" when the records are cases); `when` the
    date or datetime the period filter reads; `dimensions` replaces the path for a filter whose
    records do not point at a case (messages name their patient by id only)."""

    records: Callable[[], QuerySet[Any]]
    case: str
    when: str
    when_is_date: bool = False
    dimensions: dict[str, Callable[[], Any]] = field(default_factory=dict)

    def _path(self, name: str) -> str:
        return f"{self.case}__{name}" if self.case else name

    def dimension(self, name: str) -> Any:
        if name in self.dimensions:
            return self.dimensions[name]()
        if name == "team":
            return F(self._path("team_id"))
        if name == "tumour_site":
            return F(self._path("tumour_site"))
        if name == "area":
            return F(self._path("patient__gp_practice_id"))
        return TruncQuarter(self.when, output_field=DateField())

    def filtered(self, filters: Filters, *, skip: str = "") -> QuerySet[Any]:
        records = self.records()
        for name, value in filters.chosen().items():
            if name == skip:
                continue
            if name == "period":
                if not isinstance(value, dt.date):
                    raise TypeError("a period is the date its quarter starts")
                start, end = value, quarter_end(value)
                if not self.when_is_date:
                    start = timezone.make_aware(dt.datetime.combine(start, dt.time()))  # type: ignore[assignment]
                    end = timezone.make_aware(dt.datetime.combine(end, dt.time()))  # type: ignore[assignment]
                records = records.filter(**{f"{self.when}__gte": start, f"{self.when}__lt": end})
            else:
                alias = f"_filter_{name}"
                records = records.alias(**{alias: self.dimension(name)}).filter(**{alias: value})
        return records


Key = tuple[Hashable, ...]


def grouped(
    source: Source,
    filters: Filters,
    *,
    groups: dict[str, Expression | F],
    measures: dict[str, Aggregate],
    by: str = "",
) -> dict[Key, dict[str, int]]:
    """One GROUP BY query: `measures` per combination of `groups` (and of the filter `by`,
    left out of the WHERE and added to the GROUP BY, last in each key)."""
    records = source.filtered(filters, skip=by).annotate(**groups)
    names = list(groups)
    if by:
        records = records.annotate(_by=source.dimension(by))
        names.append("_by")
    result: dict[Key, dict[str, int]] = {}
    for row in records.order_by().values(*names).annotate(**measures):
        key = tuple(_plain(row[name]) for name in names)
        result[key] = {name: row[name] or 0 for name in measures}
    return result


def _plain(value: Any) -> Hashable:
    """A grouped value as a key: dates as dates (SQLite hands back datetimes), ids as text."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if value is None or isinstance(value, str | int | dt.date):
        return value
    return str(value)


def siblings_from(
    by_value: dict[Key, dict[str, int]], *, row_of: Callable[[Key], Hashable | None]
) -> dict[tuple[Hashable, str], dict[Hashable, int]]:
    """Regroup a `by` query's result as (row, column) -> {filter value: count}, every value that
    counts anything anywhere in the table present in every cell (0 where it counts nothing)."""
    values = {key[-1] for key in by_value}
    cells: dict[tuple[Hashable, str], dict[Hashable, int]] = defaultdict(dict)
    for key, measures in by_value.items():
        row = row_of(key)
        if row is None:
            continue
        for column, count in measures.items():
            cell = cells[(row, column)]
            cell[key[-1]] = cell.get(key[-1], 0) + count
    for cell in cells.values():
        for value in values:
            cell.setdefault(value, 0)
    return dict(cells)


def count_all(field_name: str = "pk", **extra: Any) -> Count:
    return Count(field_name, **extra)


def quantile(histogram: dict[int, int], p: float) -> float | None:
    """The `p` quantile (linear between ranks) of values given as {value: how many}."""
    total = sum(histogram.values())
    if not total:
        return None
    position = p * (total - 1)
    low_rank, fraction = int(position), position - int(position)
    seen, low, high = 0, None, None
    for value in sorted(histogram):
        seen += histogram[value]
        if low is None and seen > low_rank:
            low = value
        if seen > low_rank + 1 or (seen > low_rank and fraction == 0):
            high = value
            break
    if low is None:  # cannot happen: the ranks are within the total
        return None
    high = low if high is None else high
    return low + (high - low) * fraction
