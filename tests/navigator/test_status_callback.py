"""Twilio's delivery reports: signed like every webhook, applied to the outbox once, and a
number the network cannot deliver to is flagged on the case."""

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from navigator.messaging.models import EarlyDeliveryReport, OutboundMessage, SmsOptOut
from navigator.messaging.services import (
    MessagingError,
    Recipient,
    message_deliver,
    message_send,
    outbox_sweep,
)
from patients.models import TimelineEvent
from tests.fakes.twilio import AUTH_TOKEN, FakeTwilio, fake_twilio

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PUBLIC = "https://navigator.example.nhs.uk"
PATH = "/webhooks/twilio/status/"
PAUL_PHONE = "+447700900123"
SID = "SM" + "c" * 32


@pytest.fixture(autouse=True)
def twilio_settings(settings, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 12, 10, 0, tzinfo=LONDON), tick=True)
    settings.SITE_URL = settings.TWILIO_WEBHOOK_BASE_URL = PUBLIC
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8


@pytest.fixture
def twilio(settings) -> Iterator[FakeTwilio]:
    with fake_twilio(settings) as fake:
        yield fake


def report(client, status: str, *, sid: str = SID, code: str = "", signature: str | None = None):
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "From": "+447700900001",
        "To": PAUL_PHONE,
        "ApiVersion": "2010-04-01",
    }
    if code:
        params["ErrorCode"] = code
    if signature is None:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + PATH, params)
    headers = {"HTTP_X_FORWARDED_PROTO": "https"}
    if signature:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    return client.post(PATH, params, **headers)


def queued_for_paul(cast, *, key: str = "nudge:1") -> OutboundMessage:
    paul = cast.paul_patient
    return message_send(
        recipient=Recipient(name=paul.full_name, phone=paul.phone, email=paul.email),
        kind="new_update",
        context={"link": "/"},
        idempotency_key=key,
        subject_id=paul.pk,
    )


def sent_to_paul(cast, *, key: str = "nudge:1", sid: str = SID) -> OutboundMessage:
    message = queued_for_paul(cast, key=key)
    OutboundMessage.objects.filter(pk=message.pk).update(status="sent", provider_id=sid)
    message.refresh_from_db()
    return message


def test_delivered_updates_the_outbox(client, cast):
    message = sent_to_paul(cast)
    response = report(client, "delivered")
    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered"


@pytest.mark.parametrize("signature", ["", "bad", "x" * 28], ids=["missing", "short", "wrong"])
def test_unsigned_or_wrongly_signed_reports_are_403_and_change_nothing(client, cast, signature):
    message = sent_to_paul(cast)
    response = report(client, "undelivered", code="30006", signature=signature)
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == "sent"
    assert not SmsOptOut.objects.exists()


def test_a_report_signed_for_the_inside_address_is_refused(client, cast):
    message = sent_to_paul(cast)
    params = {"MessageSid": SID, "MessageStatus": "delivered"}
    inside = RequestValidator(AUTH_TOKEN).compute_signature("http://testserver" + PATH, params)
    response = client.post(PATH, params, HTTP_X_TWILIO_SIGNATURE=inside)
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_signed_report_without_a_status_is_a_400(client, cast):
    params = {"MessageSid": SID}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + PATH, params)
    assert client.post(PATH, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 400


def test_a_report_for_a_message_we_do_not_know_is_kept_a_day_then_dropped(
    client, cast, time_machine
):
    assert report(client, "delivered", sid="SM" + "9" * 32).status_code == 204
    assert not OutboundMessage.objects.exists()
    assert EarlyDeliveryReport.objects.get().status == "delivered"

    assert outbox_sweep().early_reports_dropped == 0
    time_machine.shift(dt.timedelta(days=1, minutes=1))
    assert outbox_sweep().early_reports_dropped == 1
    assert not EarlyDeliveryReport.objects.exists()


def test_a_report_that_comes_before_the_send_has_saved_its_sid_is_applied(client, cast, twilio):
    # Twilio may call back before its answer to our request has reached us and been saved.
    message = queued_for_paul(cast, key="early")
    twilio.sid_next(SID)
    for status in ("sent", "delivered", "delivered"):
        assert report(client, status).status_code == 204
    message.refresh_from_db()
    assert message.status == "queued"

    assert message_deliver(message_id=message.pk).status == "sent"

    message.refresh_from_db()
    assert (message.provider_id, message.status) == (SID, "delivered")
    assert not EarlyDeliveryReport.objects.exists()
    # A copy of the report now finds the message and changes nothing.
    assert report(client, "sent").status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered"
    assert not EarlyDeliveryReport.objects.exists()


def test_an_early_undeliverable_report_still_flags_the_number(client, cast, twilio):
    message = queued_for_paul(cast, key="early-undelivered")
    twilio.sid_next(SID)
    assert report(client, "undelivered", code="30006").status_code == 204

    message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == "failed" and "Twilio 30006" in message.last_error
    assert SmsOptOut.objects.get(phone=PAUL_PHONE).reason == SmsOptOut.Reason.UNDELIVERABLE
    [event] = TimelineEvent.objects.filter(case=cast.paul_case)
    assert event.summary == "Text messages to 07700 900123 are not getting through"


def test_an_undeliverable_number_is_flagged_on_the_case_once_however_often_reported(client, cast):
    message = sent_to_paul(cast)
    for _ in range(5):
        assert report(client, "undelivered", code="30006").status_code == 204

    message.refresh_from_db()
    assert message.status == "failed"
    assert "Twilio 30006" in message.last_error and "landline" in message.last_error
    opt_out = SmsOptOut.objects.get(phone=PAUL_PHONE)
    assert opt_out.reason == SmsOptOut.Reason.UNDELIVERABLE
    [event] = TimelineEvent.objects.filter(case=cast.paul_case)
    assert event.summary == "Text messages to 07700 900123 are not getting through"
    assert "landline" in event.detail and "Check it with them" in event.detail
    assert not event.shared_with_patient
    # Nothing more goes to that number: the next message is an email.
    paul = cast.paul_patient
    nudge = message_send(
        recipient=Recipient(name=paul.full_name, phone=paul.phone, email=paul.email),
        kind="new_update",
        context={"link": "/"},
        idempotency_key="after",
        subject_id=paul.pk,
    )
    assert nudge.channel == "email"


def test_the_outbox_page_says_why_no_texts_go(client, cast):
    sent_to_paul(cast)
    report(client, "undelivered", code="21614")
    client.force_login(cast.nadia)
    page = client.get(reverse("patients:case_outbox", args=[cast.paul_case.pk])).content.decode()
    assert "their number cannot receive text messages (Twilio 21614: not a mobile number)" in page


def test_a_number_that_cannot_take_texts_and_no_email_is_a_clear_error(cast):
    SmsOptOut.objects.create(
        phone=PAUL_PHONE, reason="undeliverable", keyword="Twilio 30005", detail="unknown"
    )
    with pytest.raises(MessagingError) as error:
        message_send(
            recipient=Recipient(name="Paul Jones", phone=PAUL_PHONE),
            kind="new_update",
            context={"link": "/"},
            idempotency_key="x",
        )
    assert "their number cannot receive text messages (Twilio 30005: unknown)" in str(error.value)


def test_a_phone_switched_off_is_told_to_the_navigator_but_not_blocked(client, cast):
    first = sent_to_paul(cast)
    report(client, "undelivered", code="30003")
    report(client, "undelivered", code="30003")
    sent_to_paul(cast, key="nudge:2", sid="SM" + "d" * 32)
    report(client, "undelivered", code="30003", sid="SM" + "d" * 32)

    first.refresh_from_db()
    assert first.status == "failed" and "switched off" in first.last_error
    assert not SmsOptOut.objects.exists()
    events = TimelineEvent.objects.filter(case=cast.paul_case)
    assert events.count() == 2  # once per message that did not arrive, not per report
    assert "will still be tried" in events.first().detail


def test_unsubscribed_21610_in_a_report_opts_the_number_out(client, cast):
    sent_to_paul(cast)
    report(client, "failed", code="21610")
    opt_out = SmsOptOut.objects.get(phone=PAUL_PHONE)
    assert (opt_out.reason, opt_out.keyword) == ("opted_out", "STOP (reported by Twilio)")
    assert TimelineEvent.objects.filter(case=cast.paul_case).count() == 1


def test_a_late_sent_report_does_not_undo_delivered(client, cast):
    message = sent_to_paul(cast)
    report(client, "delivered")
    report(client, "sent")
    report(client, "undelivered", code="30006")
    message.refresh_from_db()
    assert message.status == "delivered"
    assert not SmsOptOut.objects.exists()


def test_an_invalid_number_refused_when_sending_is_flagged_too(twilio, cast):
    twilio.fail_next(400, code=21211)
    paul = cast.paul_patient
    message = message_send(
        recipient=Recipient(name=paul.full_name, phone=paul.phone),
        kind="new_update",
        context={"link": "/"},
        idempotency_key="invalid",
        subject_id=paul.pk,
    )
    assert message_deliver(message_id=message.pk).status == "failed"
    assert SmsOptOut.objects.get().keyword == "Twilio 21211"
    assert TimelineEvent.objects.get(case=cast.paul_case).summary.startswith("Text messages to")
    assert len(twilio.creates) == 1  # a permanent error: not retried


def test_each_text_asks_for_delivery_reports_by_default(twilio, cast):
    message = message_send(
        recipient=Recipient(name="Paul", phone=PAUL_PHONE),
        kind="new_update",
        context={"link": "/"},
        idempotency_key="callback",
    )
    message_deliver(message_id=message.pk)
    assert twilio.creates[0]["StatusCallback"] == PUBLIC + PATH


def test_delivery_reports_can_be_left_to_the_messaging_service(twilio, cast, settings):
    settings.TWILIO_STATUS_CALLBACK = False
    message = message_send(
        recipient=Recipient(name="Paul", phone=PAUL_PHONE),
        kind="new_update",
        context={"link": "/"},
        idempotency_key="no-callback",
    )
    message_deliver(message_id=message.pk)
    assert "StatusCallback" not in twilio.creates[0]


def test_the_webhook_url_is_named():
    assert reverse("messaging:twilio_status") == PATH
