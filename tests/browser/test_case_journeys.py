"""One clock, two people: Paul sees how long things should take on his phone, and Nadia sees the
same clock on her worklist, flagged as it nears its limit. axe-core checks every page."""

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import PathwayStandard
from patients.services import timeline_event_add
from tests.browser.conftest import axe_check
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def pathway_standards(transactional_db: None) -> None:
    """Put the migrated waiting-time standards back if an earlier test's flush removed them."""
    if not PathwayStandard.objects.exists():
        migration = importlib.import_module("appointments.migrations.0002_pathway_standards")
        migration.load(apps, None)


def signed_in_tab(chromium: Any, live_server: Any, user: Any, *, width: int) -> Any:
    """A tab of its own for `user` (a fresh context, so two people can be signed in at once)."""
    client = Client()
    client.force_login(user)
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 740}, bypass_csp=True
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_paul_and_nadia_see_the_same_clock_nearing_its_limit(
    chromium: Any, live_server: Any, transactional_db: None, cast: Cast
) -> None:
    cast.team.phone = "01632 960 001"
    cast.team.save()
    timeline_event_add(
        case=cast.paul_case,
        by=cast.nadia,
        kind="urgent_referral",
        occurred_at=timezone.localdate() - dt.timedelta(days=23),
        summary="Your GP referred you urgently",
        shared_with_patient=True,
    )

    paul = signed_in_tab(chromium, live_server, cast.paul, width=375)
    try:
        paul.goto("/")
        expect(paul.get_by_role("heading", level=1)).to_have_text("What happens next")
        expect(paul.get_by_text("Nadia Khan is your navigator")).to_be_visible()
        expect(paul.get_by_role("link", name="01632 960 001")).to_be_visible()
        expect(paul.get_by_role("heading", name="28 days to find out")).to_be_visible()
        expect(paul.get_by_text("Today is day 23 of 28. There are 5 days left.")).to_be_visible()
        expect(paul.get_by_text("Close to the time")).to_be_visible()
        expect(paul.get_by_text("not a promise about your care")).to_be_visible()
        axe_check(paul)
        fits(paul, 375)
        # The worklist is for staff: Paul is refused, with no list of anyone.
        response = paul.goto("/cases/worklist/")
        assert response is not None and response.status == 403
    finally:
        paul.context.close()

    nadia = signed_in_tab(chromium, live_server, cast.nadia, width=1024)
    try:
        nadia.goto("/cases/worklist/")
        expect(nadia.get_by_role("heading", level=1)).to_have_text("My worklist")
        row = nadia.get_by_role("row").filter(has_text="JONES, Paul")
        expect(row).to_contain_text("28 days to find out: day 23 of 28")
        expect(row).to_contain_text("Clock near its limit")
        expect(nadia.get_by_role("link", name="1 with a clock near its limit")).to_be_visible()
        axe_check(nadia)
        fits(nadia, 1024)
        row.get_by_role("link", name="JONES, Paul").click()
        expect(nadia.get_by_role("heading", level=1)).to_have_text("Paul Jones")
        expect(nadia.get_by_text("Day 23 of 28: 5 days left")).to_be_visible()
        axe_check(nadia)
    finally:
        nadia.context.close()
