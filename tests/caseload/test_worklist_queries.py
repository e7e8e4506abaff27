"""The worklist costs the same number of SQL queries at any caseload size, with every column full.

The caseloads come from the benchmark's seeder (bench/worklist.py), so the test and the
benchmark measure the same data shape: clocks, distress, flags, tracked items, tasks, messages.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.worklist import seed

pytestmark = pytest.mark.django_db

WORKLIST = reverse("caseload:worklist")
MAX_QUERIES = 10


@pytest.fixture
def navigators(db):
    return seed(patients=400, caseloads=(10, 300))


def page_queries(client, user, **params):
    client.force_login(user)
    client.get(WORKLIST, params)  # the first request fills per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(WORKLIST, params)
    assert response.status_code == 200
    return response, len(captured.captured_queries)


def test_same_queries_at_caseload_10_and_300(client, navigators):
    small, small_queries = page_queries(client, navigators[10])
    large, large_queries = page_queries(client, navigators[300])

    assert small_queries == large_queries <= MAX_QUERIES
    assert len(small.context["rows"]) == 10
    assert len(large.context["rows"]) == 25
    assert large.context["counts"].total == 300
    for response in (small, large):
        rows = response.context["rows"]
        # Every column is populated, so no column can hide a query per row.
        assert all(row.clocks for row in rows)
        assert all(row.distress is not None for row in rows)
        assert all(row.open_items and row.overdue and row.open_tasks for row in rows)
        assert all(row.next_appointment is not None for row in rows)
        assert all(row.stage_label != "Not recorded" for row in rows)
        flags = {flag for row in rows for flag in row.flags}
        assert {"urgent", "overdue", "interpreter"} <= flags


@pytest.mark.parametrize("params", [{"sort": "distress"}, {"sort": "name", "page": "3"}])
def test_sorting_and_paging_add_no_queries(client, navigators, params):
    _, plain = page_queries(client, navigators[300])
    _, sorted_ = page_queries(client, navigators[300], **params)
    assert sorted_ == plain


@pytest.mark.parametrize(
    "params",
    [{"flag": "clock"}, {"q": "999 4"}, {"stage": "referred", "page": "2"}, {"page": "0"}],
)
def test_a_filter_or_an_odd_page_adds_only_the_counts_own_query(client, navigators, params):
    """Unfiltered, the page's rows carry the counts (window aggregates over the caseload); a
    filter narrows the rows while the counts stay over the whole caseload, so they are read
    first, on their own, as they are for a page number the paginator settles (a page past
    the last costs one more: its empty read comes first)."""
    _, plain = page_queries(client, navigators[300])
    _, filtered = page_queries(client, navigators[300], **params)
    assert filtered == plain + 1


@pytest.mark.parametrize(
    ("asked", "shown"), [(None, 1), ("2", 2), ("12", 12), ("13", 12), ("0", 12), ("two", 1)]
)
def test_the_counts_and_the_page_are_the_same_whichever_way_they_are_read(
    client, navigators, asked, shown
):
    """The counts that come with the page equal the counts' own query, and the page is the
    one the paginator gives (300 cases, 25 a page: 12 pages; past the last, the last)."""
    from caseload.worklist import Worklist, WorklistFilters

    user = navigators[300]
    client.force_login(user)
    response = client.get(WORKLIST, {} if asked is None else {"page": asked})
    context = response.context
    worklist = Worklist(user=user, filters=WorklistFilters())
    assert context["counts"] == worklist.counts()
    assert context["page"].number == shown
    expected = list(worklist.cases[(shown - 1) * 25 : shown * 25])
    assert [row.case.pk for row in context["rows"]] == [case.pk for case in expected]
