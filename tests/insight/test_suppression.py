"""The one suppression function, on tables made by hand: every rule in insight/suppression.py."""

from insight.suppression import suppress
from insight.tables import SUPPRESSED, Column, Kind, Row, Table


def table(rows: dict[str, int], *, total: bool = False, siblings=None, chosen=None) -> Table:
    built = [Row(key, key, {"n": value}) for key, value in rows.items()]
    if total:
        built.append(Row("total", "Total", {"n": sum(rows.values())}, is_total=True))
    return Table(
        "t",
        "T",
        "A table",
        [Column("n", "N", "Count")],
        built,
        has_total_row=total,
        siblings=siblings or {},
        chosen=chosen or {},
    )


def shown(t: Table) -> dict[str, object]:
    return {row.key: row.cells["n"] for row in t.rows}


def test_counts_under_5_are_hidden_and_5_is_shown():
    assert shown(suppress(table({"a": 0, "b": 4, "c": 5}))) == {
        "a": SUPPRESSED,
        "b": SUPPRESSED,
        "c": 5,
    }


def test_one_hidden_cell_beside_a_total_hides_the_next_smallest():
    result = shown(suppress(table({"a": 3, "b": 9, "c": 20}, total=True)))
    assert result == {"a": SUPPRESSED, "b": SUPPRESSED, "c": 20, "total": 32}


def test_a_total_with_one_cell_under_it_is_hidden_with_it():
    assert shown(suppress(table({"a": 3, "b": 7}, total=True))) == {
        "a": SUPPRESSED,
        "b": SUPPRESSED,
        "total": 10,
    }
    assert shown(suppress(table({"a": 3}, total=True))) == {"a": SUPPRESSED, "total": SUPPRESSED}


def test_two_hidden_cells_need_nothing_more():
    assert shown(suppress(table({"a": 3, "b": 2, "c": 20}, total=True))) == {
        "a": SUPPRESSED,
        "b": SUPPRESSED,
        "c": 20,
        "total": 25,
    }


def test_a_median_of_fewer_than_5_is_hidden():
    t = Table(
        "t",
        "T",
        "d",
        [Column("people", "N", "d"), Column("median", "Median", "d", Kind.STAT, "people")],
        [
            Row("a", "A", {"people": 4, "median": 10.0}),
            Row("b", "B", {"people": 6, "median": 12.0}),
        ],
    )
    suppress(t)
    assert [r.cells for r in t.rows] == [
        {"people": SUPPRESSED, "median": SUPPRESSED},
        {"people": 6, "median": 12.0},
    ]


def test_a_team_whose_figure_differs_from_all_teams_by_a_few_is_hidden():
    # All teams: 9; team X: 8; team Y: 1. Showing X's 8 beside the 9 would reveal Y's 1.
    siblings = {"team": {("a", "n"): {"X": 8, "Y": 1}}}
    assert shown(suppress(table({"a": 8}, siblings=siblings, chosen={"team": "X"}))) == {
        "a": SUPPRESSED
    }


def test_a_team_stays_visible_when_its_siblings_are_hidden_in_twos():
    siblings = {"team": {("a", "n"): {"X": 8, "Y": 1, "Z": 2}}}
    assert shown(suppress(table({"a": 8}, siblings=siblings, chosen={"team": "X"}))) == {"a": 8}


def test_the_smallest_visible_sibling_is_the_one_hidden():
    siblings = {"team": {("a", "n"): {"X": 20, "Y": 2, "Z": 8}}}
    assert shown(suppress(table({"a": 20}, siblings=siblings, chosen={"team": "X"}))) == {"a": 20}
    assert shown(suppress(table({"a": 8}, siblings=siblings, chosen={"team": "Z"}))) == {
        "a": SUPPRESSED
    }


def test_suppressing_twice_changes_nothing():
    t = suppress(table({"a": 3, "b": 9, "c": 20}, total=True))
    assert shown(suppress(t)) == {"a": SUPPRESSED, "b": SUPPRESSED, "c": 20, "total": 32}
