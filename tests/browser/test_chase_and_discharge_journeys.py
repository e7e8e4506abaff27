"""Journeys 3 (two hospitals) and 4 (discharge) and the organisations page, in Chromium at
1280 px, moving only by links, buttons and forms from the first page a navigator opens, with
axe-core clean on every page visited."""

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import ChaseRecord, ItemKind, ItemState, PathwayStandard, TrackedItem
from appointments.services import chase_run, tracked_item_create
from careplans.models import AssessmentOffer
from navigator.messaging.models import OutboundMessage
from tests import factories as f
from tests.appointments.chase_helpers import load_default_rules
from tests.browser.conftest import axe_check, fits, sign_in
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDE = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def rules(transactional_db: None, settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    if not PathwayStandard.objects.exists():
        importlib.import_module("appointments.migrations.0002_pathway_standards").load(apps, None)
    load_default_rules()


def checked(page: Any) -> None:
    axe_check(page)
    fits(page, 1280)


def test_journey_3_a_referral_between_hospitals_is_chased_until_booked(
    page: Any, live_server: Any, cast: Cast
) -> None:
    today = timezone.localdate()
    sending = f.make_organisation("Northshire Hospitals NHS Trust", email="north@nhs.test")
    receiving = f.make_organisation("Southshire Hospitals NHS Trust", email="south@nhs.test")
    cast.paul_case.treating_providers.add(sending)
    # Referred 16 days ago with a 14-day window to book: the window has passed.
    item = tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.REFERRAL,
        title="Appointment with another hospital to be booked",
        expected_by=today - dt.timedelta(days=2),
        actor=cast.nadia,
        responsible_provider=receiving,
    )
    chase_run()
    email = OutboundMessage.objects.get(to_address="south@nhs.test")
    assert item.reference in email.body

    page.set_viewport_size(WIDE)
    sign_in(page, live_server, cast.nadia)
    page.goto("/")
    checked(page)
    page.get_by_role("link", name="Chase queue", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chase queue")
    card = page.locator(".app-chase-card").filter(has_text=item.title)
    expect(card).to_contain_text("Southshire Hospitals NHS Trust")
    checked(page)

    card.get_by_label("What happened?").fill("Rang Southshire bookings: will book this week")
    next_day = today + dt.timedelta(days=2)
    card.get_by_label("Day").fill(str(next_day.day))
    card.get_by_label("Month").fill(str(next_day.month))
    card.get_by_label("Year").fill(str(next_day.year))
    card.get_by_role("button", name="Record chase").click()
    expect(page.get_by_role("status")).to_contain_text("chase recorded")
    assert ChaseRecord.objects.filter(item=item, by=cast.nadia).exists()
    checked(page)

    # Later: Southshire rings back with the date; Nadia records it booked.
    page.get_by_role("link", name="See Paul's tracked items").click()
    checked(page)
    item_card = page.locator(".nhsuk-card").filter(has_text=item.title)
    item_card.get_by_label("New state").select_option(label="Booked")
    item_card.get_by_label("Note (optional)").fill("Booked for 3pm on Friday")
    item_card.get_by_role("button", name="Update").click()
    expect(page.get_by_role("status")).to_contain_text(f"{item.title}: now booked")
    checked(page)

    item.refresh_from_db()
    assert item.state == ItemState.BOOKED and not item.is_open
    assert not item.chase_tasks.filter(status="open").exists()
    assert chase_run(today=today + dt.timedelta(days=5)).items == 0


def test_journey_4_a_discharge_schedules_the_cliff_edge_follow_ups(
    page: Any, live_server: Any, cast: Cast
) -> None:
    today = timezone.localdate()
    trust = f.make_organisation("Northshire Hospitals NHS Trust", email="north@nhs.test")
    cast.paul_case.treating_providers.add(trust)
    page.set_viewport_size(WIDE)
    sign_in(page, live_server, cast.nadia)

    page.goto("/")
    page.get_by_role("link", name="JONES, Paul").click()
    checked(page)
    page.get_by_role("link", name="See the full timeline").click()
    checked(page)
    page.get_by_role("button", name="Add a note or event").click()
    checked(page)
    page.get_by_label("What happened?").select_option(label="Discharge from hospital")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Summary", exact=True).fill("Went home after surgery")
    page.get_by_role("button", name="Add to the timeline").click()

    in_3_days = today + dt.timedelta(days=3)
    in_14_days = today + dt.timedelta(days=14)
    scheduled = page.locator(".app-timeline__follow-ups")
    for line in (
        "Check-in with your cancer support team after leaving hospital: expected by "
        f"{in_3_days.day} {in_3_days:%B %Y}",
        f"Follow-up appointment to be booked: expected by {in_14_days.day} {in_14_days:%B %Y}",
        f"Treatment summary to reach your GP: expected by {in_14_days.day} {in_14_days:%B %Y}",
        "A chat about your needs after treatment: expected by "
        f"{in_14_days.day} {in_14_days:%B %Y} (offered)",
    ):
        expect(scheduled).to_contain_text(line)
    checked(page)

    page.get_by_role("link", name="Back to the case").click()
    page.get_by_role("link", name="What Paul is waiting for").click()
    checked(page)
    for title in (
        "Check-in with your cancer support team after leaving hospital",
        "Follow-up appointment to be booked",
        "Treatment summary to reach your GP",
        "A chat about your needs after treatment",
    ):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    offer = AssessmentOffer.objects.get(case=cast.paul_case)
    assert offer.reason == AssessmentOffer.Reason.DISCHARGE
    assert TrackedItem.objects.get(pk=offer.tracked_item_id).expected_by == in_14_days


def test_a_team_lead_adds_the_email_the_queue_said_was_missing(
    page: Any, live_server: Any, cast: Cast
) -> None:
    today = timezone.localdate()
    east = f.make_organisation("Eastshire Hospitals NHS Trust")  # no email address
    cast.paul_case.treating_providers.add(east)
    tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.RESULT,
        title="Your test or scan result",
        expected_by=today - dt.timedelta(days=2),
        actor=cast.nadia,
        responsible_provider=east,
    )
    chase_run()
    page.set_viewport_size(WIDE)
    sign_in(page, live_server, cast.lena)

    page.goto("/")
    page.get_by_role("link", name="Chase queue", exact=True).click()
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text(
        "We could not contact Eastshire Hospitals NHS Trust: it has no email address. "
        "Contact them another way."
    )
    checked(page)
    page.get_by_role("link", name="Add a contact route for Eastshire Hospitals NHS Trust").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Change Eastshire Hospitals NHS Trust"
    )
    checked(page)
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value("not an address")
    checked(page)
    page.get_by_label("Email address").fill("cancer.admin@east.test")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")
    expect(page.get_by_role("row", name="Eastshire")).to_contain_text("cancer.admin@east.test")
    checked(page)

    # The next round emails them, and the warning is gone from the queue.
    chase_run(today=today + dt.timedelta(days=3))
    assert OutboundMessage.objects.filter(to_address="cancer.admin@east.test").count() == 1
    page.get_by_role("link", name="Chase queue", exact=True).click()
    expect(page.locator(".app-chase-card")).to_have_count(1)
    expect(page.locator(".nhsuk-warning-callout")).to_have_count(0)
    checked(page)
