"""The shape every insight figure takes: a table of rows and columns, before and after
small-number suppression (`insight.suppression.suppress`), which pages, charts and CSV all read."""

from collections.abc import Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    COUNT = "count"  # a number of people or records: suppressed under 5, and where derivable
    STAT = "stat"  # a median or quartile: suppressed when its group (`base`) is under 5


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    definition: str
    kind: Kind = Kind.COUNT
    base: str = ""  # for a STAT: the COUNT column in the same row giving its group's size


@dataclass
class Row:
    key: Hashable
    label: str
    cells: dict[str, Any]
    is_total: bool = False


class _Suppressed:
    """A figure withheld because it, or a figure it would let someone work out, is under 5."""

    text = "fewer than 5"

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = _Suppressed()


# (row key, column key) -> {value of one filter's dimension: the count for it}: the same cell
# for every team (or tumour site, area, period) with the other filters as chosen.
Siblings = dict[tuple[Hashable, str], dict[Hashable, int]]


@dataclass
class Table:
    slug: str
    title: str
    definition: str
    columns: list[Column]
    rows: list[Row]
    # Each COUNT column's last row is the sum of the rows above it (complementary suppression
    # then keeps a single hidden cell from being worked out from the total).
    has_total_row: bool = False
    # Per filter that is set (team, tumour site, area, period): the cell across that filter's
    # values, so a figure that two filters differing by a few people would reveal is hidden.
    siblings: dict[str, Siblings] = field(default_factory=dict)
    chosen: dict[str, Hashable] = field(default_factory=dict)  # each set filter's chosen value
    suppressed: bool = False  # True once `suppress` has run

    @property
    def count_columns(self) -> list[Column]:
        return [c for c in self.columns if c.kind == Kind.COUNT]
