"""Journey 2 from the patient's side: a result is late, the chase job texts Paul, he opens the
link in the text on his phone, signs in and reads what the team is chasing; Nadia records the
chase and then the result arriving; the item closes and leaves Paul's home; the job sends
nothing more. Paul at 375 px, Nadia at 1280 px, axe-core on every page."""

import datetime as dt
import importlib
import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from appointments.models import ItemKind, ItemState, PathwayStandard, TrackedItem
from appointments.services import tracked_item_create
from navigator.messaging.models import OutboundMessage
from tests.appointments.chase_helpers import hospital
from tests.browser.conftest import axe_check, fits
from tests.browser.test_sign_in import sign_in_with_password, totp_now, totp_secret
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def standards(transactional_db: None, settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    if not PathwayStandard.objects.exists():
        migration = importlib.import_module("appointments.migrations.0002_pathway_standards")
        migration.load(apps, None)


def patient_sign_in_with_code(page: Any, email: str) -> None:
    """From the sign-in page: ask for a code by email and type it in."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    axe_check(page)
    page.get_by_role("button", name="Email me a sign-in code").click()
    page.get_by_label("Email address").fill(email)
    sent = len(mail.outbox)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    axe_check(page)
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mail.outbox[sent].body))
    assert code
    page.get_by_label("Sign-in code").fill(code.group(1))
    page.get_by_role("button", name="Sign in", exact=True).click()


def texts_to_paul() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(channel="sms", kind="chase_patient"))


def test_paul_follows_the_chase_text_and_sees_it_through(
    page: Any, chromium: Any, live_server: Any, cast: Cast, time_machine: Any
) -> None:
    # Monday 30 November 2026, mid-morning: the result was due on Saturday.
    time_machine.move_to(dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON))
    trust = hospital(cast)
    tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.RESULT,
        state=ItemState.DONE,
        title="CT chest, abdomen and pelvis",
        expected_by=dt.date(2026, 11, 28),
        actor=cast.nadia,
        responsible_provider=trust,
    )

    call_command("chase")

    [text] = texts_to_paul()
    link = re.search(r"https?://\S+", text.body)
    assert link and "CT chest" not in text.body
    page.goto(urlsplit(link.group(0)).path)  # Paul taps the link in the text

    patient_sign_in_with_code(page, "paul@example.test")
    expect(page).to_have_url(re.compile(r"/\?case=[0-9a-f-]+#waiting$"))
    waiting = page.locator(".app-waiting-list")
    expect(waiting).to_contain_text(
        "We are chasing your test or scan result from Southshire Hospitals NHS Trust."
        " It was due on 28 November."
    )
    expect(page.locator(".app-greeting")).to_have_text("Hello Paul")
    # How to get urgent help is on the first screen of the page, not only in the footer.
    top = page.locator(".app-urgent-help-top").evaluate(
        "el => el.getBoundingClientRect().top + window.scrollY"
    )
    assert top < 740
    assert "CT chest" not in page.content()
    axe_check(page)
    fits(page, 375)

    # Nadia, at her desk, signs in and works the chase queue.
    desk = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    nadia = desk.new_page()
    nadia.goto("/accounts/login/")
    sign_in_with_password(nadia, "nadia@nav.test")
    nadia.get_by_label("Code from your authenticator app").fill(totp_now(totp_secret(cast.nadia)))
    nadia.get_by_role("button", name="Continue").click()
    nadia.get_by_role("link", name="Chase queue", exact=True).click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Chase queue")
    axe_check(nadia)
    card = nadia.locator(".app-chase-card")
    expect(card).to_have_count(1)
    card.get_by_label("What happened?").fill("Rang Southshire radiology: report being typed")
    card.get_by_label("Day").fill("2")
    card.get_by_label("Month").fill("12")
    card.get_by_label("Year").fill("2026")
    card.get_by_role("button", name="Record chase").click()
    expect(nadia.get_by_role("status")).to_contain_text("chase recorded")
    axe_check(nadia)

    # The result arrives: Nadia records it on Paul's tracked items.
    nadia.get_by_role("link", name="See Paul's tracked items").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Tracked items")
    item = TrackedItem.objects.get()
    item_card = nadia.locator(f"#item-{item.pk}")
    item_card.get_by_label("New state").select_option(label="Reported")
    item_card.get_by_role("button", name="Update").click()
    expect(nadia.get_by_text("now reported")).to_be_visible()
    axe_check(nadia)
    item.refresh_from_db()
    assert not item.is_open
    desk.close()

    # Paul goes back to his home page: nothing is waited for any more.
    page.get_by_role("link", name=re.compile("homepage")).click()
    expect(page.locator("#waiting")).to_be_visible()
    expect(
        page.get_by_text("We are not waiting for anything for you at the moment.")
    ).to_be_visible()
    assert "test or scan result" not in page.content()
    axe_check(page)

    # The job runs again, today and on the following days: Paul gets nothing more.
    call_command("chase")
    time_machine.move_to(dt.datetime(2026, 12, 3, 10, 0, tzinfo=LONDON))
    call_command("chase")
    assert len(texts_to_paul()) == 1
