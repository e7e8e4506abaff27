"""The STOP journey and Twilio's failures, end to end: signed webhooks into this process, sends
by a real Celery worker through Redis, against PostgreSQL, to a fake Twilio over HTTP.

They skip without PostgreSQL and Redis, and fail under CI, which has both.
"""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from navigator.messaging.models import InboundSms, OutboundMessage, SmsOptOut
from navigator.messaging.services import Recipient, message_send
from navigator.messaging.tasks import sweep_outbox
from patients.models import TimelineEvent
from tests.fakes.twilio import fake_twilio
from tests.workerproc import celery_worker, require_services, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")
PUBLIC = "https://navigator.example.nhs.uk"
INBOUND = "/webhooks/twilio/sms/"


@pytest.fixture(autouse=True)
def services(settings):
    require_services(postgres=True, redis=True)
    settings.SITE_URL = settings.TWILIO_WEBHOOK_BASE_URL = PUBLIC
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0  # whatever the hour the test runs


def paul(cast) -> Recipient:
    patient = cast.paul_patient
    return Recipient(
        name=patient.full_name,
        phone=patient.phone,
        email=patient.email,
        preferred_channel=patient.preferred_channel,
    )


def nudge(cast, key: str, **extra) -> OutboundMessage:
    with transaction.atomic():
        return message_send(
            recipient=paul(cast),
            kind="new_update",
            context={"link": "/"},
            idempotency_key=f"{key}:{uuid.uuid4()}",
            subject_id=cast.paul_patient.pk,
            **extra,
        )


def text_from_paul(client, twilio, body: str) -> None:
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "AccountSid": twilio.account_sid,
        "From": "+447700900123",
        "To": twilio.from_number,
        "Body": body,
    }
    signature = RequestValidator(twilio.auth_token).compute_signature(PUBLIC + INBOUND, params)
    response = client.post(
        INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature, HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 200, response.content


def status_of(message: OutboundMessage) -> str:
    message.refresh_from_db()
    return message.status


def test_stop_journey(client, cast, settings):
    """Paul texts STOP: it is recorded, the next text to him is not sent and the outbox says
    why, his navigator sees it on the case; START and texts flow again."""
    with fake_twilio() as twilio, celery_worker(env=twilio.settings_env()) as worker:
        settings.TWILIO_AUTH_TOKEN = twilio.auth_token
        first = nudge(cast, "before-stop")
        wait_until(lambda: status_of(first) == "sent", explain=worker.log)

        # A text queued for the morning (quiet hours) before Paul says STOP overnight.
        now_hour = timezone.localtime(timezone.now(), LONDON).hour
        settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = now_hour, (now_hour + 2) % 24
        waiting = nudge(cast, "for-the-morning")
        assert waiting.not_before > timezone.now()
        settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0

        text_from_paul(client, twilio, "STOP")
        assert SmsOptOut.objects.get(phone="+447700900123").keyword == "STOP"
        inbound = InboundSms.objects.get()
        assert (inbound.in_reply_to_id, inbound.subject_id) == (first.pk, cast.paul_patient.pk)

        # Morning comes: the sweep (run by the worker) takes the waiting text, which is not sent.
        OutboundMessage.objects.filter(pk=waiting.pk).update(not_before=timezone.now())
        sweep_outbox.delay()
        wait_until(lambda: status_of(waiting) == "failed", explain=worker.log)
        assert waiting.last_error == "Not sent: this number opted out of text messages (STOP)."
        # Any new nudge goes by email: nothing more reaches Twilio for this number.
        assert nudge(cast, "after-stop").channel == "email"
        assert len(twilio.creates) == 1

        client.force_login(cast.nadia)
        outbox = client.get(reverse("patients:case_outbox", args=[cast.paul_case.pk]))
        page = outbox.content.decode()
        assert "opted out of text messages (replied STOP)" in page
        assert "Not sent: this number opted out of text messages (STOP)." in page
        timeline = client.get(reverse("patients:timeline", args=[cast.paul_case.pk]))
        assert "Text messages stopped: Paul replied STOP" in timeline.content.decode()

        text_from_paul(client, twilio, "START")
        assert not SmsOptOut.objects.exists()
        again = nudge(cast, "after-start")
        assert again.channel == "sms"
        wait_until(lambda: status_of(again) == "sent", explain=worker.log)

    assert [create["Body"] for create in twilio.creates] == [first.body, again.body]
    assert TimelineEvent.objects.filter(
        summary="Text messages resumed: Paul replied START"
    ).exists()


def test_twilio_500_is_retried_five_times_with_backoff_then_failed_in_the_outbox(client, cast):
    """MESSAGE_MAX_ATTEMPTS is 5 by default: five tries, waits doubling from 1 s, then failed."""
    with fake_twilio() as twilio:
        twilio.fail_next(500, times=6)
        env = {**twilio.settings_env(), "MESSAGE_RETRY_BACKOFF": "1"}
        with celery_worker(env=env) as worker:
            message = nudge(cast, "outage")
            wait_until(lambda: status_of(message) == "failed", timeout=60, explain=worker.log)

    assert message.attempts == 5
    assert message.last_error.startswith("Gave up after 5 tries: Twilio refused it (HTTP 500")
    assert len(twilio.creates) == 5
    client.force_login(cast.nadia)
    page = client.get(reverse("patients:case_outbox", args=[cast.paul_case.pk])).content.decode()
    assert "Gave up after 5 tries" in page


def test_an_opted_out_number_refused_by_twilio_is_not_retried_and_the_case_is_told(cast):
    with fake_twilio() as twilio:
        twilio.fail_next(400, code=21610)
        with celery_worker(env=twilio.settings_env()) as worker:
            message = nudge(cast, "unsubscribed")
            wait_until(lambda: status_of(message) == "failed", explain=worker.log)

    assert message.attempts == 1 and len(twilio.creates) == 1
    assert "21610" in message.last_error
    assert SmsOptOut.objects.get().keyword == "STOP (reported by Twilio)"
    event = TimelineEvent.objects.get(case=cast.paul_case)
    assert event.summary == "Text messages to 07700 900123 are not getting through"
    assert "opted out" in event.detail
    assert dt.timedelta(0) <= timezone.now() - event.occurred_at < dt.timedelta(minutes=5)


def test_five_copies_of_one_text_arriving_at_once_have_one_effect(cast):
    """Twilio retrying while the first request is still running: on PostgreSQL the copies race
    for the unique MessageSid; one wins, the others wait for it and then do nothing."""
    import threading

    from django.db import connection

    from navigator.messaging.inbound import inbound_sms_receive
    from patients.models import CaseMessage

    nudge(cast, "before")
    OutboundMessage.objects.update(status="sent", provider_id="SM-before")
    barrier = threading.Barrier(5)
    receipts = []

    def deliver() -> None:
        try:
            barrier.wait()
            receipts.append(
                inbound_sms_receive(
                    message_sid="SM" + "e" * 32,
                    from_number="+447700900123",
                    to_number="+447700900001",
                    body="Can you call me?",
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(receipt.duplicate for receipt in receipts) == [False, True, True, True, True]
    assert InboundSms.objects.count() == 1
    assert CaseMessage.objects.filter(case=cast.paul_case).count() == 1
    assert OutboundMessage.objects.filter(kind="sms_reply_received").count() == 1
