"""The case record in a real browser: Nadia finds Paul's case; Paul reads "what happens next".

Staff sign in here by `force_login` and the session cookie (the sign-in journey, with its
authenticator code, is test_sign_in's). Every page is checked with axe-core and for sideways
scrolling on a phone-sized screen.
"""

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import PathwayStandard
from patients.services import timeline_event_add
from tests.browser.conftest import axe_check, fits, sign_in
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def pathway_standards(transactional_db: None) -> None:
    """Put the migrated waiting-time standards back if an earlier test's flush removed them."""
    if not PathwayStandard.objects.exists():
        migration = importlib.import_module("appointments.migrations.0002_pathway_standards")
        migration.load(apps, None)


def referred_days_ago(cast: Cast, days: int) -> None:
    today = timezone.localdate()
    for kind, ago, summary in (
        ("urgent_referral", days, "Your GP referred you urgently"),
        ("diagnosis", days - 14, "Your diagnosis was confirmed"),
    ):
        timeline_event_add(
            case=cast.paul_case,
            by=cast.nadia,
            kind=kind,
            occurred_at=today - dt.timedelta(days=ago),
            summary=summary,
            shared_with_patient=True,
        )
    timeline_event_add(
        case=cast.paul_case,
        by=cast.nadia,
        kind="note",
        occurred_at=today,
        summary="Rang Paul about transport",
    )


def test_nadia_finds_paul_by_nhs_number_and_opens_his_case(
    page: Any, live_server: Any, cast: Cast
) -> None:
    referred_days_ago(cast, 20)
    cast.team.phone = "01632 960 001"
    cast.team.save()
    sign_in(page, live_server, cast.nadia)

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    axe_check(page)
    fits(page, 375)

    # Opening a case with his number is refused, with the way to his record.
    page.get_by_role("button", name="Open a new case").click()
    page.get_by_label("NHS number").fill(cast.paul_patient.nhs_number_display)
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("alert")).to_contain_text("A record for this NHS number already exists")
    expect(page.get_by_role("alert")).to_contain_text("Enter the first name")
    expect(page.get_by_label("NHS number")).to_have_value(cast.paul_patient.nhs_number_display)
    axe_check(page)
    fits(page, 375)
    page.goto("/cases/")

    page.get_by_label("Search by name or NHS number").fill(cast.paul_patient.nhs_number_display)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results")
    axe_check(page)
    page.get_by_role("link", name="JONES, Paul").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Paul Jones")
    expect(page.get_by_text("Named navigator", exact=True).first).to_be_visible()
    expect(page.get_by_role("heading", name="62 days from referral to treatment")).to_be_visible()
    expect(page.get_by_text("Day 20 of 62: 42 days left")).to_be_visible()
    axe_check(page)
    fits(page, 375)
    page.set_viewport_size({"width": 320, "height": 700})
    fits(page, 320)

    page.get_by_role("link", name="See the full timeline").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeline")
    expect(page.get_by_text("3 events")).to_be_visible()
    axe_check(page)
    fits(page, 320)
    # With JavaScript, choosing a kind swaps in just the list and keeps the address in step.
    page.get_by_label("Show").select_option("note")
    expect(page.get_by_text("1 event of this kind")).to_be_visible()
    expect(page.get_by_text("Rang Paul about transport")).to_be_visible()
    expect(page.get_by_text("Your GP referred you urgently")).to_have_count(0)
    assert page.url.endswith("?kind=note")
    axe_check(page)
    # No copy of the page, with its patient data, is left in the browser's storage.
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None
    page.go_back()
    expect(page.get_by_text("3 events")).to_be_visible()


def test_paul_sees_his_navigator_and_clocks_on_his_phone(
    page: Any, live_server: Any, cast: Cast
) -> None:
    referred_days_ago(cast, 20)
    cast.team.phone = "01632 960 001"
    cast.team.save()
    sign_in(page, live_server, cast.paul)

    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_have_text("What happens next")
    expect(page.get_by_text("Nadia Khan is your navigator")).to_be_visible()
    expect(page.get_by_role("link", name="01632 960 001")).to_be_visible()
    expect(page.get_by_text("Today is day 20 of 62. There are 42 days left.")).to_be_visible()
    expect(page.get_by_text("not a promise about your care")).to_be_visible()
    expect(page.get_by_text("Rang Paul about transport")).to_have_count(0)
    axe_check(page)
    fits(page, 375)
    page.set_viewport_size({"width": 320, "height": 700})
    fits(page, 320)

    page.get_by_role("link", name="Change your contact details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your contact details")
    axe_check(page)
    fits(page, 320)


def test_timeline_filter_works_with_the_content_security_policy_enforced(
    chromium: Any, live_server: Any, transactional_db: None, cast: Cast
) -> None:
    referred_days_ago(cast, 20)
    context = chromium.new_context(base_url=live_server.url)  # no bypass_csp here
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    try:
        sign_in(tab, live_server, cast.colin)
        tab.goto(f"/cases/{cast.paul_case.id}/timeline/")
        tab.get_by_label("Show").select_option("diagnosis")
        expect(tab.get_by_text("1 event of this kind")).to_be_visible()
        expect(tab.get_by_text("Your diagnosis was confirmed")).to_be_visible()
    finally:
        context.close()
    assert problems == []
