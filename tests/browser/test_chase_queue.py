"""The chase queue and a case's tracked items in a real browser: Nadia sees what is late,
records a chase in one step (htmx swaps the card), then moves the item on. axe-core checks
every page, at phone width and at 320px."""

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import ChaseRecord, PathwayStandard, TrackedItem
from appointments.services import chase_run, tracked_item_create
from tests.appointments.chase_helpers import hospital
from tests.browser.conftest import axe_check, fits, sign_in
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def standards(transactional_db: None, settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    if not PathwayStandard.objects.exists():
        migration = importlib.import_module("appointments.migrations.0002_pathway_standards")
        migration.load(apps, None)


def test_nadia_works_the_chase_queue(page: Any, live_server: Any, cast: Cast) -> None:
    today = timezone.localdate()
    trust = hospital(cast)
    for days, title in ((4, "Your test or scan result"), (9, "Your follow-up appointment")):
        tracked_item_create(
            case=cast.paul_case,
            kind="result" if days == 4 else "follow_up",
            title=title,
            expected_by=today - dt.timedelta(days=days),
            actor=cast.nadia,
            responsible_provider=trust,
        )
    chase_run()
    sign_in(page, live_server, cast.nadia)

    page.goto("/chase/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chase queue")
    cards = page.locator(".app-chase-card")
    expect(cards).to_have_count(2)
    # Escalated (9 days late, past the 7-day limit) comes first.
    expect(cards.first).to_contain_text("Escalated to Lena Ward")
    axe_check(page)
    fits(page, 375)
    page.set_viewport_size({"width": 320, "height": 700})
    fits(page, 320)

    card = cards.nth(1)
    card.get_by_label("What happened?").fill("Rang radiology: report typed")
    next_day = today + dt.timedelta(days=2)
    card.get_by_label("Day").fill(str(next_day.day))
    card.get_by_label("Month").fill(str(next_day.month))
    card.get_by_label("Year").fill(str(next_day.year))
    card.get_by_role("button", name="Record chase").click()

    expect(page.get_by_role("status")).to_contain_text("chase recorded")
    assert page.url.endswith("/chase/")  # swapped in place, no page load
    record = ChaseRecord.objects.get(by=cast.nadia)
    assert record.next_chase_on == next_day
    axe_check(page)

    # A mistake on the other card: the error is shown in the card, what was typed is kept.
    first = page.locator(".app-chase-card").first
    first.get_by_label("What happened?").fill("Bookings did not answer")
    first.get_by_label("Day").fill("")
    first.get_by_role("button", name="Record chase").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.locator(".app-chase-card").first.get_by_label("What happened?")).to_have_value(
        "Bookings did not answer"
    )
    axe_check(page)

    page.set_viewport_size({"width": 375, "height": 740})
    page.locator(".app-chase-card").first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tracked items")
    axe_check(page)
    fits(page, 375)

    follow_up = TrackedItem.objects.get(kind="follow_up")
    item_card = page.locator(f"#item-{follow_up.pk}")
    item_card.get_by_label("New state").select_option(label="Booked")
    item_card.get_by_label("Note (optional)").fill("Booked for Tuesday")
    item_card.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Your follow-up appointment: now booked")).to_be_visible()
    follow_up.refresh_from_db()
    assert follow_up.state == "booked"
    axe_check(page)

    page.goto(f"/cases/{cast.paul_case.pk}/tracked-items/add/")
    page.get_by_role("button", name="Start tracking").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    axe_check(page)


def test_a_provider_quotes_a_reference_and_nadia_finds_the_item(
    page: Any, live_server: Any, cast: Cast
) -> None:
    item = tracked_item_create(
        case=cast.paul_case,
        kind="result",
        title="Your test or scan result",
        expected_by=timezone.localdate() - dt.timedelta(days=2),
        actor=cast.nadia,
        responsible_provider=hospital(cast),
    )
    chase_run()
    sign_in(page, live_server, cast.nadia)
    page.goto("/chase/")

    finder = page.get_by_label("Find an item by its reference")
    finder.fill("not-a-ref")
    page.get_by_role("button", name="Find item").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("8 letters and numbers")
    expect(page.get_by_label("Find an item by its reference")).to_have_value("not-a-ref")
    axe_check(page)

    page.get_by_label("Find an item by its reference").fill(item.reference.lower())
    page.get_by_role("button", name="Find item").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Tracked items")
    assert page.url.endswith(f"#item-{item.pk}")
    expect(page.locator(f"#item-{item.pk}")).to_contain_text(f"reference {item.reference}")
    axe_check(page)
