"""Each page costs the same queries whether its subject holds 10 items or 1,000: the patient's
home, the case page, the chase queue, the GP's page and the plans due for review, and the
worklist at caseloads of 10 and 1,000.

The subjects come from the benchmark's seeder (`bench.pages.seed_subject`), so the test and
`python -m bench pages` measure the same data: a navigator's team of N cases, each with an
overdue item on the chase queue and an agreed plan due for review, the first case N deep in
tracked items, timeline events, messages, questions and plan items, its patient signed up and
its GP practice holding a link to the plan.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.pages import PAGES, page_get, seed_subject
from bench.worklist import seed as worklist_seed

pytestmark = pytest.mark.django_db


# Each page's queries at both sizes (6 December 2026). The home page and the case page read
# their single-row lookups beside their counts (`caseload.presenters.counts_and_firsts`):
# home 17 -> 14, case 24 -> 19; then the feedback survey open to the patient (home) and feedback
# asking for a reply (case, none here), one each, and the copy of the record asked for (home),
# one: home 16, case 20. Then (6 December 2026, later) the case page's team member is told so by the
# case's own row, and carers, treating hospitals and feedback asking for a reply are read only
# when there are some (none here), the last assessment's date and distress score come with the
# counts: case 15. (The GP page is 25 on PostgreSQL, 26 on SQLite.)
PAGE_QUERIES = {"home": 16, "case": 15, "chase_queue": 9, "gp": 26, "plans_due": 9}


@pytest.fixture
def subjects(db):
    return {size: seed_subject(size=size) for size in (10, 1000)}


def queries(get):
    with CaptureQueriesContext(connection) as captured:
        response = get()
    assert response.status_code == 200
    return response, len(captured.captured_queries)


@pytest.mark.parametrize("page", PAGES)
def test_the_page_costs_the_same_queries_with_10_or_1000_items(page, subjects, monkeypatch):
    monkeypatch.setattr(settings, "GP_LINK_REQUESTS_PER_MINUTE", 1000)
    small, small_queries = queries(page_get(page, subjects[10]))
    large, large_queries = queries(page_get(page, subjects[1000]))

    assert small_queries == large_queries
    assert small_queries <= PAGE_QUERIES[page]
    # The large subject really is larger on the page, so a query per row would have shown.
    assert len(large.content) > 2 * len(small.content)


def test_the_worklist_costs_the_same_queries_at_caseload_10_or_1000(client):
    navigators = worklist_seed(patients=1100, caseloads=(10, 1000))
    counts = {}
    for size, navigator in navigators.items():
        client.force_login(navigator)
        client.get("/cases/worklist/")  # per-process caches
        response, counts[size] = queries(lambda: client.get("/cases/worklist/"))
        assert response.context["counts"].total == size
    assert counts[10] == counts[1000] <= 10
