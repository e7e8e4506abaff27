"""Small-number suppression: the one place that decides which figures a manager may see.

A figure is shown as "fewer than 5" (`SUPPRESSED`), in pages, charts and CSV alike, when:
1. it counts fewer than 5 people or records (0 included);
2. it is a median or quartile of a group of fewer than 5;
3. another view of the same figure would let it be worked out by subtraction: for each filter
   that is set, the same cell for every other value of that filter (every other team, tumour
   site, area or period) and their total (the view without that filter) form a group; a group
   with exactly one hidden value hides the next smallest too, so no value is the total minus
   the values shown (two filters that differ by one patient can then never both show a figure);
4. inside the table, a column whose last row is a total: a column with exactly one hidden cell
   hides the next smallest too (or the total), again and again until nothing can be derived.
"""

from collections.abc import Hashable
from typing import Any

from insight.tables import SUPPRESSED, Kind, Table

THRESHOLD = 5


def is_small(value: Any) -> bool:
    return value is None or value < THRESHOLD


def _hide_one_more(
    values: dict[Hashable, int], hidden: set[Hashable], total: Hashable | None
) -> bool:
    """Hide the smallest visible value (the total last); False when there is none to hide."""
    visible = [k for k in values if k not in hidden and k != total]
    if not visible:
        if total is None or total in hidden:
            return False
        hidden.add(total)
        return True
    hidden.add(min(visible, key=lambda k: (values[k], str(k))))
    return True


def complement(values: dict[Hashable, int], *, total: Hashable | None = None) -> set[Hashable]:
    """The keys to hide in one additive group (`total`, if named, is the sum of the others):
    every small value, then more until no group has exactly one hidden value."""
    hidden = {k for k, v in values.items() if is_small(v)}
    while len(hidden) == 1 and _hide_one_more(values, hidden, total):
        pass
    return hidden


def _derivable_across_filters(table: Table, row: Hashable, column: str) -> bool:
    """Rule 3: whether this cell is hidden in any filter's group of sibling values."""
    for dimension, cells in table.siblings.items():
        values = cells.get((row, column))
        if values is None:
            continue
        chosen = table.chosen[dimension]
        if chosen not in values:
            return True  # the chosen value counts nothing here: small
        if chosen in complement(values):
            return True
    return False


def suppress(table: Table) -> Table:
    """Apply every rule above to `table`, in place, and return it."""
    if table.suppressed:
        return table
    hidden: set[tuple[Hashable, str]] = set()
    for row in table.rows:
        for column in table.columns:
            value = row.cells.get(column.key)
            if column.kind == Kind.COUNT:
                if is_small(value) or _derivable_across_filters(table, row.key, column.key):
                    hidden.add((row.key, column.key))
            elif column.kind == Kind.STAT and is_small(row.cells.get(column.base)):
                hidden.add((row.key, column.key))
    if table.has_total_row and table.rows:
        total_key = table.rows[-1].key
        changed = True
        while changed:
            changed = False
            for column in table.count_columns:
                values = {row.key: row.cells.get(column.key) or 0 for row in table.rows}
                already = {k for k in values if (k, column.key) in hidden}
                if len(already) != 1:
                    continue
                _hide_one_more(values, already, total_key)
                for key in already:
                    if (key, column.key) not in hidden:
                        hidden.add((key, column.key))
                        changed = True
    for row in table.rows:
        for column in table.columns:
            if (row.key, column.key) in hidden:
                row.cells[column.key] = SUPPRESSED
    table.suppressed = True
    return table
