"""The default view's figures brought up to date ahead of time: the page reads them (and says
when they were counted), suppresses them as it does live ones, and counts live when a filter is
set or the figures are stale."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from insight import snapshots
from insight.filters import Filters
from insight.models import FiguresSnapshot
from insight.presenters import build_table
from insight.sections import SECTIONS, figure_for
from insight.tables import SUPPRESSED
from insight.tasks import refresh_figures
from tests.insight.conftest import person

pytestmark = pytest.mark.django_db

DIAGNOSED = dt.date(2026, 7, 15)


def people(cast, count):
    for _ in range(count):
        person(team=cast.team, diagnosed=DIAGNOSED, navigator=cast.nadia)


def offered(table):
    return {row.key: row.cells["offered"] for row in table.rows}["diagnosis"]


def test_the_stored_figures_are_the_live_figures_suppressed_the_same_way(cast):
    people(cast, 6)
    refresh_figures()
    stored = snapshots.current(Filters())
    assert stored is not None
    for section in SECTIONS:
        for figure in section.figures:
            live = build_table(figure, Filters())
            kept = build_table(figure, Filters(), snapshot=stored)
            assert [r.cells for r in kept.rows] == [r.cells for r in live.rows], figure.slug


def test_the_page_reads_the_stored_figures_and_says_when_they_were_counted(client, cast, sam):
    people(cast, 5)
    refresh_figures()
    people(cast, 2)  # after the job: not in the default view until it runs again
    client.force_login(sam)

    page = client.get(reverse("insight:page")).content.decode()
    assert "Figures brought up to date at" in page
    reach = figure_for("hna-reach")
    stored = build_table(reach, Filters(), snapshot=snapshots.current(Filters()))
    assert offered(stored) == 5
    csv_text = client.get(reverse("insight:csv", args=["hna-reach"])).content.decode()
    assert "At diagnosis,5," in csv_text
    # A filter set: counted live, with everyone.
    filtered = Filters(team=str(cast.team.pk))
    assert snapshots.current(filtered) is None
    assert offered(build_table(reach, filtered)) == 7
    assert (
        "Figures counted just now."
        in client.get(reverse("insight:page"), filtered.query()).content.decode()
    )

    refresh_figures()  # again: one snapshot, replaced
    assert FiguresSnapshot.objects.count() == 1
    assert offered(build_table(reach, Filters(), snapshot=snapshots.current(Filters()))) == 7


def test_small_stored_figures_are_hidden_too(cast):
    people(cast, 3)
    refresh_figures()
    table = build_table(figure_for("hna-reach"), Filters(), snapshot=snapshots.current(Filters()))
    assert offered(table) is SUPPRESSED


def test_stale_figures_are_not_shown(client, cast, sam):
    people(cast, 5)
    refresh_figures()
    FiguresSnapshot.objects.update(built_at=timezone.now() - dt.timedelta(hours=3))
    assert snapshots.current(Filters()) is None
    client.force_login(sam)
    assert "Figures counted just now." in client.get(reverse("insight:page")).content.decode()


def test_the_stored_view_reads_a_few_queries_whatever_the_data(client, cast, sam):
    client.force_login(sam)

    def queries() -> int:
        refresh_figures()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("insight:page")).status_code == 200
        return len(captured)

    people(cast, 1)
    small = queries()
    people(cast, 6)
    assert queries() == small
    assert small < 15  # the session, the filters' choices and one read of the stored figures


def test_unreadable_stored_figures_are_counted_live(cast):
    people(cast, 5)
    refresh_figures()
    FiguresSnapshot.objects.update(tables=b"not a pickle")
    assert snapshots.current(Filters()) is None
