"""Journey 8, opt-out: a chase text reaches Paul; he replies STOP (a Twilio-signed webhook to the
live server); the next chase and Nadia's next message send him no text; Nadia, at 1280 px,
opens his case from her worklist and reads that texts are stopped, why and since when. axe-core
on every page visited."""

import datetime as dt
import importlib
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from twilio.request_validator import RequestValidator

from appointments.models import ItemKind, ItemState, PathwayStandard
from appointments.services import tracked_item_create
from navigator.celery import app
from navigator.messaging.models import InboundSms, OutboundMessage, SmsOptOut
from tests.appointments.chase_helpers import hospital
from tests.browser.conftest import axe_check, fits
from tests.browser.test_journey_case_hub import staff_sign_in
from tests.conftest import Cast
from tests.fakes.twilio import AUTH_TOKEN, FROM_NUMBER, FakeTwilio, fake_twilio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
PAUL_PHONE = "+447700900123"
WEBHOOK = "/webhooks/twilio/sms/"


@pytest.fixture(autouse=True)
def standards(transactional_db: None, settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    if not PathwayStandard.objects.exists():
        migration = importlib.import_module("appointments.migrations.0002_pathway_standards")
        migration.load(apps, None)


@pytest.fixture
def eager() -> Iterator[None]:
    """Deliver messages as soon as they are committed, so a text that should go does go."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def twilio(settings: Any, live_server: Any) -> Iterator[FakeTwilio]:
    with fake_twilio(settings) as fake:
        settings.TWILIO_WEBHOOK_BASE_URL = live_server.url
        yield fake


def texts_to_paul(twilio: FakeTwilio) -> list[dict[str, str]]:
    return [create for create in twilio.creates if create["To"] == PAUL_PHONE]


def paul_replies(live_server: Any, body: str) -> int:
    """Paul's reply, as Twilio posts it: form-encoded and signed with our auth token."""
    params = {
        "MessageSid": "SM" + "5" * 32,
        "SmsSid": "SM" + "5" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": PAUL_PHONE,
        "To": FROM_NUMBER,
        "Body": body,
        "NumSegments": "1",
    }
    url = live_server.url + WEBHOOK
    request = urllib.request.Request(  # noqa: S310 (the live test server, over http)
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, params)},
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return response.status


def test_paul_replies_stop_and_gets_no_more_texts_and_nadia_sees_why(
    page: Any, live_server: Any, cast: Cast, time_machine: Any, eager: None, twilio: FakeTwilio
) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 30, 10, 0, tzinfo=LONDON))
    cast.paul_patient.preferred_channel = "sms"
    cast.paul_patient.save()
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

    # The chase texts Paul that his result is being chased: texts reach him.
    call_command("chase")
    assert len(texts_to_paul(twilio)) == 1

    # He replies STOP.
    assert paul_replies(live_server, "STOP") == 200
    opt_out = SmsOptOut.objects.get(phone=PAUL_PHONE)
    assert opt_out.keyword == "STOP"
    assert InboundSms.objects.filter(from_number=PAUL_PHONE).count() == 1

    # Next day another item is late; the chase would text him, and does not.
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=LONDON))
    tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.FOLLOW_UP,
        title="Follow-up appointment to be booked",
        expected_by=dt.date(2026, 11, 30),
        actor=cast.nadia,
        responsible_provider=trust,
    )
    call_command("chase")
    assert len(texts_to_paul(twilio)) == 1
    assert not OutboundMessage.objects.filter(
        channel="sms", to_address=PAUL_PHONE, created_at__gte=opt_out.at, status="sent"
    ).exists()

    # Nadia, at her desk, opens Paul's case from her worklist.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/accounts/login/")
    staff_sign_in(page, cast.nadia)
    page.get_by_role("banner").get_by_role("link", name="Worklist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My worklist")
    axe_check(page)
    page.get_by_role("link", name="JONES, Paul").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paul Jones")
    stopped = page.locator(".app-sms-stopped")
    at = timezone.localtime(opt_out.at)
    expect(stopped).to_contain_text("Texts stopped")
    expect(stopped).to_contain_text(
        f"Paul replied STOP on {at.day} {at:%B %Y, %H:%M}, so we send no text messages."
    )
    axe_check(page)
    fits(page, 1280)

    # She writes to him: the message is kept, and no text goes to his phone.
    page.get_by_role("navigation", name="In this record").get_by_role(
        "link", name=re.compile("^Messages")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Messages")
    axe_check(page)
    page.get_by_role("textbox").fill("Hello Paul, your follow-up is being booked. Nadia")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Message sent.")).to_be_visible()
    axe_check(page)
    fits(page, 1280)
    assert len(texts_to_paul(twilio)) == 1
    assert not OutboundMessage.objects.filter(
        channel="sms", to_address=PAUL_PHONE, status="sent", created_at__gte=opt_out.at
    ).exists()

    # The texts-and-emails page, from the case page, says the same.
    page.get_by_role("link", name=re.compile("^Back")).first.click()
    page.get_by_role("link", name="Texts and emails sent to Paul").click()
    expect(page.get_by_text("Paul opted out of text messages (replied STOP)")).to_be_visible()
    axe_check(page)
