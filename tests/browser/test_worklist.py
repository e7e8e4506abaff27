"""The worklist in a real browser: Nadia signs in with her authenticator app, finds Paul by his
NHS number and opens his case; Lena switches to her team's caseload and follows a count. Every
page is checked with axe-core and for sideways scrolling on a phone."""

import datetime as dt
import importlib
import re
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import PathwayStandard
from careplans.models import CaseFlag
from patients.services import timeline_event_add
from tests import factories as f
from tests.browser.conftest import axe_check, fits, sign_in
from tests.browser.test_sign_in import sign_in_with_password, totp_now, totp_secret
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def pathway_standards(transactional_db: None) -> None:
    """Put the migrated waiting-time standards back if an earlier test's flush removed them."""
    if not PathwayStandard.objects.exists():
        migration = importlib.import_module("appointments.migrations.0002_pathway_standards")
        migration.load(apps, None)


@pytest.fixture
def caseload(cast: Cast) -> Cast:
    """Paul's 28-day clock is near its limit; Una is flagged for distress; Ben is quiet."""
    today = timezone.localdate()
    timeline_event_add(
        case=cast.paul_case,
        by=cast.nadia,
        kind="urgent_referral",
        occurred_at=today - dt.timedelta(days=23),
        summary="Urgent referral from the GP",
    )
    una = f.make_case(
        patient=f.make_patient(given="Una", family="Ahmed"), team=cast.team, navigator=cast.nadia
    )
    now = timezone.now()
    CaseFlag.objects.create(
        case=una,
        kind=CaseFlag.Kind.URGENT_DISTRESS,
        reason="Distress 9 of 10",
        raised_at=now,
        escalate_after=now + dt.timedelta(hours=4),
    )
    f.make_case(
        patient=f.make_patient(given="Ben", family="Carter"), team=cast.team, navigator=cast.nadia
    )
    return cast


def test_nadia_signs_in_finds_paul_by_nhs_number_and_opens_his_case(
    page: Any, live_server: Any, caseload: Cast
) -> None:
    cast = caseload
    page.goto("/accounts/login/")
    sign_in_with_password(page, "nadia@nav.test")
    page.get_by_label("Code from your authenticator app").fill(totp_now(totp_secret(cast.nadia)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("banner")).to_contain_text("Nadia Khan")

    page.get_by_role("banner").get_by_role("link", name="Worklist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My worklist")
    # Most in need first: the urgent flag, then the clock near its limit.
    names = page.locator(".app-worklist__name")
    expect(names).to_have_text(["AHMED, Una", "JONES, Paul", "CARTER, Ben"])
    expect(page.get_by_role("link", name="1 with urgent distress")).to_be_visible()
    expect(page.get_by_role("link", name="1 with a clock near its limit")).to_be_visible()
    expect(page.get_by_text("28 days to find out: day 23 of 28")).to_be_visible()
    axe_check(page)
    fits(page, 375)

    # Typing the number, spaced as on a letter, narrows the list without a page load.
    page.get_by_label("Search by name or NHS number").fill(cast.paul_patient.nhs_number_display)
    expect(names).to_have_text(["JONES, Paul"])
    expect(page).to_have_url(re.compile(r"/cases/worklist/\?.*q=999"))
    expect(page.get_by_role("status")).to_have_text("1 person shown matching the filters.")
    axe_check(page)
    # No copy of the page, with its patient data, is left in the browser's storage.
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None
    assert page.evaluate("localStorage.getItem('htmx-history-cache')") is None

    page.get_by_role("link", name="JONES, Paul").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paul Jones")
    expect(page.get_by_role("heading", name="28 days to find out")).to_be_visible()
    axe_check(page)
    fits(page, 375)


def test_lena_switches_to_her_teams_caseload_and_follows_a_count(
    page: Any, live_server: Any, caseload: Cast
) -> None:
    page.set_viewport_size({"width": 320, "height": 700})
    sign_in(page, live_server, caseload.lena)
    page.goto("/cases/worklist/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My worklist")
    expect(page.get_by_text("You have no open cases.")).to_be_visible()
    axe_check(page)
    fits(page, 320)

    page.get_by_role("link", name="My team's cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team worklist")
    expect(page.locator(".app-worklist__name")).to_have_count(3)
    expect(page.get_by_text("Navigator: Nadia Khan").first).to_be_visible()
    axe_check(page)
    fits(page, 320)

    page.get_by_role("link", name="1 with urgent distress").click()
    expect(page.locator(".app-worklist__name")).to_have_text(["AHMED, Una"])
    expect(page.get_by_role("link", name="1 with urgent distress")).to_have_attribute(
        "aria-current", "true"
    )
    axe_check(page)
    page.get_by_role("link", name="Clear filters").first.click()
    expect(page.locator(".app-worklist__name")).to_have_count(3)


def test_filters_work_with_the_content_security_policy_enforced(
    chromium: Any, live_server: Any, transactional_db: None, caseload: Cast
) -> None:
    context = chromium.new_context(base_url=live_server.url)  # no bypass_csp here
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    try:
        sign_in(tab, live_server, caseload.nadia)
        tab.goto("/cases/worklist/")
        tab.get_by_label("Needs action").select_option("clock")
        expect(tab.locator(".app-worklist__name")).to_have_text(["JONES, Paul"])
        expect(tab).to_have_url(re.compile(r"flag=clock"))
        tab.get_by_label("Sort by").select_option("name")
        # The list reads the same before and after, so wait for the request itself: closing
        # the tab mid-request left the live server reading while the teardown flushed SQLite.
        expect(tab).to_have_url(re.compile(r"sort=name"))
        expect(tab.locator(".app-worklist__name")).to_have_text(["JONES, Paul"])
    finally:
        context.close()
    assert problems == []
