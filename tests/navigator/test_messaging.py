"""message_send: the outbox row, the channel, the text, quiet hours and the idempotency key."""

import datetime as dt
import uuid
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from navigator.celery import app
from navigator.messaging.models import OutboundMessage, SmsOptOut
from navigator.messaging.services import (
    MessagingError,
    Recipient,
    message_send,
    outbox_sweep,
    quiet_hours_end,
    sms_opt_in,
    sms_opt_out,
)
from navigator.messaging.tasks import deliver_message
from tests.fakes.twilio import FakeTwilio, fake_twilio

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PATIENT_ID = uuid.UUID("6f1c7a52-4a51-4f43-9d7e-2f8a3b1c0d11")
PAUL = Recipient(name="Paul Jones", phone="+447700900123", email="paul@example.test")
SITE = "https://navigator.example.nhs.uk"
CLINICAL_WORDS = ("lung", "tumour", "diagnos", "scan", "result", "chemo", "biopsy", "oncolog")


@pytest.fixture(autouse=True)
def wednesday_morning(time_machine, settings):
    """Outside quiet hours unless a test moves the clock; links on a known site."""
    time_machine.move_to(dt.datetime(2025, 3, 12, 10, 0, tzinfo=LONDON), tick=True)
    settings.SITE_URL = SITE
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8


@pytest.fixture
def twilio(settings) -> Iterator[FakeTwilio]:
    with fake_twilio(settings) as fake:
        yield fake


@pytest.fixture
def eager() -> Iterator[None]:
    """Run enqueued tasks in this process (the broker hop is covered by test_celery_worker)."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def london(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)


def send(**overrides: object) -> OutboundMessage:
    args: dict = {
        "recipient": PAUL,
        "kind": "new_update",
        "context": {"link": "/cases/c0ffee/"},
        "idempotency_key": f"test:{uuid.uuid4()}",
        "subject_id": PATIENT_ID,
    }
    return message_send(**{**args, **overrides})


def test_same_key_twice_sends_once(twilio, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = send(idempotency_key="case:42:update:7")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = send(idempotency_key="case:42:update:7", kind="new_message")

    assert second.pk == first.pk
    assert callbacks == []
    assert OutboundMessage.objects.count() == 1
    assert len(twilio.creates) == 1
    # A duplicate task for the row (a redelivery) finds it sent and does nothing.
    assert deliver_message(str(first.pk)) == "sent"
    assert len(twilio.creates) == 1


def test_the_row_is_written_in_the_callers_transaction_and_sent_only_after_commit(
    twilio, eager, django_capture_on_commit_callbacks
):
    with pytest.raises(RuntimeError), transaction.atomic():
        send(idempotency_key="rolled-back")
        raise RuntimeError("the change that caused the message fails")
    assert not OutboundMessage.objects.filter(idempotency_key="rolled-back").exists()

    with django_capture_on_commit_callbacks() as callbacks:
        message = send()
    assert message.status == OutboundMessage.Status.QUEUED
    assert twilio.creates == []  # nothing leaves before the caller's transaction commits
    assert len(callbacks) == 1

    callbacks[0]()
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert len(twilio.creates) == 1


def test_the_sms_payload_is_a_short_line_and_a_link(
    twilio, eager, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(
            context={"link": "/cases/c0ffee/", "diagnosis": "Lung cancer", "result": "Scan clear"}
        )

    assert twilio.creates == [
        {
            "To": "+447700900123",
            "From": twilio.from_number,
            "Body": f"You have a new update from your cancer support team: {SITE}/cases/c0ffee/",
            "StatusCallback": f"{settings.TWILIO_WEBHOOK_BASE_URL}/webhooks/twilio/status/",
        }
    ]
    assert all(request.authorised for request in twilio.requests)
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.provider_id == next(iter(twilio.messages))
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.subject_id == PATIENT_ID


def test_new_message_kind_has_its_own_text(twilio, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(kind="new_message", context={"link": f"{SITE}/messages/"})
    assert twilio.creates[0]["Body"] == (
        f"You have a new message from your cancer support team: {SITE}/messages/"
    )


@pytest.mark.parametrize("kind", ["new_update", "new_message"])
@pytest.mark.parametrize("channel", ["sms", "email"])
def test_no_kind_carries_clinical_detail_whatever_the_context(kind, channel):
    message = send(
        kind=kind,
        channel=channel,
        context={
            "link": "/cases/c0ffee/",
            "diagnosis": "Lung cancer",
            "tumour_site": "Lung",
            "result": "Scan result",
        },
    )
    text = f"{message.subject} {message.body} {message.body_html}".lower()
    assert not [word for word in CLINICAL_WORDS if word in text]
    assert f"{SITE}/cases/c0ffee/" in message.body
    if channel == "sms":
        assert len(message.body) <= 160


def test_plain_text_links_are_not_html_escaped():
    message = send(context={"link": "/cases/c0ffee/?tab=plan&from=sms"})
    assert message.body.endswith(f"{SITE}/cases/c0ffee/?tab=plan&from=sms")


def test_links_to_other_sites_are_refused():
    with pytest.raises(MessagingError, match="only link to this service"):
        send(context={"link": "https://evil.example/login"})
    assert not OutboundMessage.objects.exists()


def test_unknown_kind_says_which_template_is_missing():
    with pytest.raises(MessagingError, match="sms/no_such_kind.txt"):
        send(kind="no_such_kind")


def test_a_welsh_recipient_gets_the_welsh_text_from_the_catalogue():
    welsh = Recipient(name="Gwen Evans", phone="+447700900456", language="cy")
    message = send(recipient=welsh)
    assert message.body.startswith("Mae gennych ddiweddariad newydd gan eich gwasanaeth")
    assert message.language == "cy"


def test_preferred_channel_is_used():
    by_email = Recipient(
        name="Paul Jones",
        phone="+447700900123",
        email="paul@example.test",
        preferred_channel="email",
    )
    message = send(recipient=by_email)
    assert (message.channel, message.to_address) == ("email", "paul@example.test")
    assert message.subject == "A new update from your cancer support team"
    assert f'<a href="{SITE}/cases/c0ffee/">' in message.body_html

    message = send(recipient=PAUL)
    assert (message.channel, message.to_address) == ("sms", "+447700900123")


def test_sms_opt_out_falls_back_to_email():
    sms_opt_out(phone="+447700900123", keyword="STOP")
    message = send()
    assert (message.channel, message.to_address) == ("email", "paul@example.test")

    assert sms_opt_in(phone="+447700900123") is True
    assert send().channel == "sms"


def test_missing_phone_falls_back_to_email():
    message = send(recipient=Recipient(name="Paul Jones", email="paul@example.test"))
    assert message.channel == "email"


def test_nobody_reachable_is_a_clear_error():
    sms_opt_out(phone="+447700900123", keyword="STOP")
    with pytest.raises(MessagingError) as error:
        send(recipient=Recipient(name="Paul Jones", phone="+447700900123"))
    assert str(error.value) == (
        "Paul Jones cannot be reached: they opted out of text messages (replied STOP); "
        "no email address."
    )
    assert not OutboundMessage.objects.exists()


def test_an_explicit_channel_does_not_fall_back():
    with pytest.raises(MessagingError, match="no email address"):
        send(recipient=Recipient(name="Paul Jones", phone="+447700900123"), channel="email")


def test_a_phone_not_in_e164_is_not_used():
    message = send(recipient=Recipient(name="P", phone="07700 900123", email="p@example.test"))
    assert message.channel == "email"


def test_opt_out_is_one_row_per_number():
    sms_opt_out(phone="+447700900123", keyword="STOP")
    sms_opt_out(phone="+447700900123", keyword="UNSUBSCRIBE")
    assert list(SmsOptOut.objects.values_list("phone", "keyword")) == [("+447700900123", "STOP")]
    assert sms_opt_in(phone="+447700900999") is False


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (london(2025, 3, 12, 20, 59), None),
        (london(2025, 3, 12, 21, 0), london(2025, 3, 13, 8, 0)),
        (london(2025, 3, 12, 23, 45), london(2025, 3, 13, 8, 0)),
        (london(2025, 3, 13, 0, 30), london(2025, 3, 13, 8, 0)),
        (london(2025, 3, 13, 7, 59), london(2025, 3, 13, 8, 0)),
        (london(2025, 3, 13, 8, 0), None),
        # Clocks go forward on 30 March 2025: 8am is then 07:00 UTC, not 08:00.
        (london(2025, 3, 29, 22, 0), london(2025, 3, 30, 8, 0)),
    ],
)
def test_quiet_hours_end_in_london_time(local, expected):
    assert quiet_hours_end(local) == expected


def test_quiet_hours_defer_the_message_until_morning_then_send_it(
    twilio, eager, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(dt.datetime(2025, 3, 12, 22, 30, tzinfo=LONDON), tick=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = send()
    assert callbacks == []  # no task held overnight: the sweep sends it when quiet time ends
    assert message.status == OutboundMessage.Status.QUEUED
    assert message.not_before == dt.datetime(2025, 3, 13, 8, 0, tzinfo=LONDON)
    assert deliver_message(str(message.pk)) == "queued"  # an early task does nothing

    time_machine.move_to(dt.datetime(2025, 3, 13, 7, 59, tzinfo=LONDON), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep().requeued == 0
    assert twilio.creates == []

    time_machine.move_to(dt.datetime(2025, 3, 13, 8, 0, 30, tzinfo=LONDON), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep().requeued == 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert len(twilio.creates) == 1


def test_urgent_messages_ignore_quiet_hours(
    twilio, eager, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(dt.datetime(2025, 3, 12, 23, 0, tzinfo=LONDON), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        message = send(urgent=True)
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.not_before == timezone.now()
    assert len(twilio.creates) == 1
