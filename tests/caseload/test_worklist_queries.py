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


@pytest.mark.parametrize(
    "params",
    [{"flag": "clock"}, {"sort": "distress"}, {"q": "999 4"}, {"stage": "referred", "page": "2"}],
)
def test_filters_and_sorting_add_no_queries(client, navigators, params):
    _, plain = page_queries(client, navigators[300])
    _, filtered = page_queries(client, navigators[300], **params)
    assert filtered == plain
