"""Delivery: retries, permanent errors, timeouts, the sweep, racing workers, and SMTP."""

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from celery.exceptions import Retry
from django.db import connection, transaction

from navigator.celery import app
from navigator.messaging.models import OutboundMessage, SmsOptOut
from navigator.messaging.services import (
    Recipient,
    backoff_delay,
    message_deliver,
    message_send,
    message_status_update,
    outbox_sweep,
    sms_opt_out,
)
from navigator.messaging.tasks import deliver_message, sweep_outbox
from tests.fakes.smtp import SmtpSink, smtp_sink
from tests.fakes.twilio import FakeTwilio, fake_twilio
from tests.workerproc import require_services

LONDON = ZoneInfo("Europe/London")
PATIENT_ID = uuid.UUID("6f1c7a52-4a51-4f43-9d7e-2f8a3b1c0d11")
PAUL = Recipient(name="Paul Jones", phone="+447700900123", email="paul@example.test")
PAUL_BY_EMAIL = Recipient(
    name="Paul Jones", phone="+447700900123", email="paul@example.test", preferred_channel="email"
)
SITE = "https://navigator.example.nhs.uk"
Status = OutboundMessage.Status


@pytest.fixture(autouse=True)
def wednesday_morning(time_machine, settings):
    time_machine.move_to(dt.datetime(2025, 3, 12, 10, 0, tzinfo=LONDON), tick=True)
    settings.SITE_URL = SITE
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8
    settings.MESSAGE_MAX_ATTEMPTS = 3
    settings.MESSAGE_RETRY_BACKOFF = 30
    settings.TWILIO_TIMEOUT = 1
    settings.EMAIL_TIMEOUT = 1


@pytest.fixture
def twilio(settings) -> Iterator[FakeTwilio]:
    with fake_twilio(settings) as fake:
        yield fake


@pytest.fixture
def sink(settings) -> Iterator[SmtpSink]:
    with smtp_sink(settings) as fake:
        yield fake


@pytest.fixture
def eager() -> Iterator[None]:
    """Run enqueued tasks in this process (the broker hop is covered by test_celery_worker)."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def queue(**overrides: object) -> OutboundMessage:
    """A committed-looking outbox row whose task we run by hand (its on-commit hook never runs)."""
    args: dict = {
        "recipient": PAUL,
        "kind": "new_update",
        "context": {"link": "/cases/c0ffee/"},
        "idempotency_key": f"test:{uuid.uuid4()}",
        "subject_id": PATIENT_ID,
    }
    return message_send(**{**args, **overrides})


def reloaded(message: OutboundMessage) -> OutboundMessage:
    return OutboundMessage.objects.get(pk=message.pk)


@pytest.mark.django_db
def test_backoff_doubles_with_jitter_up_to_a_cap():
    first = [backoff_delay(1) for _ in range(20)]
    assert all(15 <= d <= 30 for d in first)
    assert len(set(first)) > 1  # jitter: retries after an outage do not all land together
    assert all(30 <= backoff_delay(2) <= 60 for _ in range(20))
    assert all(450 <= backoff_delay(20) <= 900 for _ in range(20))


@pytest.mark.django_db
def test_twilio_500_is_retried_with_backoff_then_failed_with_the_error_visible(
    twilio, time_machine
):
    twilio.fail_next(500, times=3)
    message = queue()
    waits = []
    for attempt in (1, 2):
        with pytest.raises(Retry):
            deliver_message(str(message.pk))
        row = reloaded(message)
        assert (row.status, row.attempts) == (Status.QUEUED, attempt)
        assert "HTTP 500" in row.last_error
        waits.append((row.not_before - row.updated_at).total_seconds())
        assert deliver_message(str(message.pk)) == "queued"  # a copy arriving early does nothing
        time_machine.shift(dt.timedelta(seconds=waits[-1] + 1))

    assert 15 <= waits[0] <= 30 and 30 <= waits[1] <= 60
    assert deliver_message(str(message.pk)) == "failed"  # no Retry: the last try is spent
    row = reloaded(message)
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert row.last_error.startswith("Gave up after 3 tries: Twilio refused it (HTTP 500")
    assert len(twilio.creates) == 3


@pytest.mark.django_db
def test_a_retry_that_would_fall_in_quiet_hours_waits_for_the_morning(twilio, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 12, 20, 59, 50, tzinfo=LONDON), tick=False)
    twilio.fail_next(500)
    message = queue()

    assert deliver_message(str(message.pk)) == "queued"  # no Celery retry held overnight
    row = reloaded(message)
    assert row.not_before == dt.datetime(2025, 3, 13, 8, 0, tzinfo=LONDON)
    assert row.enqueued_at is None  # so the first sweep after 8am sends it


@pytest.mark.django_db
def test_a_retry_that_succeeds_is_sent(twilio, time_machine):
    twilio.fail_next(503)
    message = queue()
    with pytest.raises(Retry):
        deliver_message(str(message.pk))
    time_machine.shift(dt.timedelta(seconds=31))
    assert deliver_message(str(message.pk)) == "sent"
    row = reloaded(message)
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "")
    assert len(twilio.creates) == 2


@pytest.mark.django_db
def test_unsubscribed_recipient_21610_fails_at_once_and_records_the_opt_out(twilio):
    twilio.fail_next(400, code=21610)
    message = queue()

    assert deliver_message(str(message.pk)) == "failed"  # no Retry raised
    row = reloaded(message)
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "21610" in row.last_error and "unsubscribed" in row.last_error
    assert len(twilio.creates) == 1
    assert SmsOptOut.objects.filter(phone="+447700900123").exists()
    assert queue().channel == "email"  # the next message goes where it can arrive


@pytest.mark.django_db
def test_an_opt_out_after_queueing_is_honoured_at_send_time(twilio):
    message = queue()
    sms_opt_out(phone="+447700900123", keyword="STOP")
    assert deliver_message(str(message.pk)) == "failed"
    assert "opted out" in reloaded(message).last_error
    assert twilio.creates == []


@pytest.mark.django_db
def test_timeout_leaves_it_sending_and_the_sweep_finds_it_at_twilio_without_resending(
    twilio, time_machine
):
    twilio.hang_next(record=True)  # Twilio took it, but the answer never came
    message = queue()

    assert deliver_message(str(message.pk)) == "sending"
    row = reloaded(message)
    assert (row.status, row.provider_id) == (Status.SENDING, "")
    assert "No answer from Twilio" in row.last_error

    assert outbox_sweep().reconciled == {}  # not stuck yet: the send may still be under way
    time_machine.shift(dt.timedelta(minutes=3))
    assert outbox_sweep().reconciled == {"sent": 1}

    row = reloaded(message)
    assert row.status == Status.SENT
    assert row.provider_id == next(iter(twilio.messages))
    assert len(twilio.creates) == 1  # never resent
    [lookup] = twilio.lookups
    assert lookup.query == {"To": "+447700900123", "DateSent": "2025-03-12", "PageSize": "200"}


@pytest.mark.django_db
def test_a_timeout_twilio_has_no_record_of_is_resent_once_after_the_grace_period(
    twilio, eager, time_machine, django_capture_on_commit_callbacks
):
    twilio.hang_next(record=False)  # the request was lost on the way
    message = queue()
    assert deliver_message(str(message.pk)) == "sending"

    time_machine.shift(dt.timedelta(minutes=3))
    assert outbox_sweep().reconciled == {"sending": 1}  # not listed yet; may still appear
    time_machine.shift(dt.timedelta(minutes=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep().reconciled == {"queued": 1}

    row = reloaded(message)
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert len(twilio.creates) == 2 and len(twilio.messages) == 1


@pytest.mark.django_db
def test_the_sweep_looks_up_a_known_provider_id(twilio, time_machine):
    message = queue()
    assert deliver_message(str(message.pk)) == "sent"
    sid = reloaded(message).provider_id
    twilio.messages[sid]["status"] = "delivered"
    # As if the worker died after Twilio answered but before the row left "sending".
    OutboundMessage.objects.filter(pk=message.pk).update(status=Status.SENDING)

    time_machine.shift(dt.timedelta(minutes=3))
    assert outbox_sweep().reconciled == {"delivered": 1}
    assert twilio.lookups[-1].path.endswith(f"/Messages/{sid}.json")
    assert reloaded(message).status == Status.DELIVERED


@pytest.mark.django_db
def test_a_queued_row_whose_task_was_lost_is_enqueued_again_by_the_sweep(
    twilio, eager, time_machine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker loses the task
        message = queue()

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep().requeued == 0  # too soon to take it as lost
    assert twilio.creates == []

    time_machine.shift(dt.timedelta(seconds=90))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_outbox() == {"requeued": 1, "reconciled": {}, "early_reports_dropped": 0}
    assert reloaded(message).status == Status.SENT
    assert len(twilio.creates) == 1

    time_machine.shift(dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep().requeued == 0
    assert len(twilio.creates) == 1


@pytest.mark.django_db
def test_status_callbacks_move_forward_only(twilio):
    message = queue()
    deliver_message(str(message.pk))
    sid = reloaded(message).provider_id

    assert message_status_update(provider_id=sid, status="delivered").status == Status.DELIVERED
    assert message_status_update(provider_id=sid, status="sent").status == Status.DELIVERED
    assert message_status_update(provider_id="SMunknown", status="delivered") is None

    other = queue()
    deliver_message(str(other.pk))
    other_sid = reloaded(other).provider_id
    failed = message_status_update(provider_id=other_sid, status="undelivered", error="30003")
    assert (failed.status, failed.last_error) == (Status.FAILED, "30003")


@pytest.mark.django_db
def test_email_goes_through_smtp_with_the_exact_text_and_nothing_clinical(sink, settings):
    settings.DEFAULT_FROM_EMAIL = "Cancer support team <no-reply@navigator.example.nhs.uk>"
    settings.URGENT_HELP_LINE = "0800 123 4567"
    settings.SERVICE_NAME = "Northshire cancer navigation"
    message = queue(
        recipient=PAUL_BY_EMAIL,
        context={"link": "/cases/c0ffee/", "diagnosis": "Lung cancer", "result": "Scan clear"},
    )

    assert deliver_message(str(message.pk)) == "sent"
    [received] = sink.received
    assert received.rcpt_to == ["paul@example.test"]
    email = received.message
    assert email["Subject"] == "A new update from your cancer support team"
    assert email["From"] == "Cancer support team <no-reply@navigator.example.nhs.uk>"
    assert email["To"] == "paul@example.test"
    plain = email.get_body(preferencelist=("plain",)).get_content()
    assert plain.replace("\r\n", "\n") == (
        "Hello,\n"
        "\n"
        f"You have a new update from your cancer support team: {SITE}/cases/c0ffee/\n"
        "\n"
        "Sign in to read it. We do not put details in emails, to keep your information private.\n"
        "\n"
        "If you feel very unwell, call your helpline on 0800 123 4567 at any time, day or "
        "night, or 999 in an emergency.\n"
        "\n"
        "Northshire cancer navigation\n"
        "This email was sent automatically. Please do not reply to it.\n"
    )
    html = email.get_body(preferencelist=("html",)).get_content()
    assert f'<a href="{SITE}/cases/c0ffee/">' in html
    everything = email.as_string().lower()
    assert "lung" not in everything and "scan" not in everything and "diagnos" not in everything
    assert reloaded(message).provider_id == email["Message-ID"]


@pytest.mark.django_db
def test_smtp_refusal_with_5xx_fails_at_once(sink):
    sink.reject_rcpt_code = 550
    message = queue(recipient=PAUL_BY_EMAIL)
    assert deliver_message(str(message.pk)) == "failed"
    row = reloaded(message)
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "550" in row.last_error


@pytest.mark.django_db
def test_smtp_4xx_and_an_unreachable_server_are_retried(sink, settings):
    sink.reject_rcpt_code = 451
    message = queue(recipient=PAUL_BY_EMAIL)
    with pytest.raises(Retry):
        deliver_message(str(message.pk))
    assert "451" in reloaded(message).last_error

    settings.EMAIL_PORT = 1  # nothing listens there: nothing was handed over, so safe to retry
    other = queue(recipient=PAUL_BY_EMAIL)
    with pytest.raises(Retry):
        deliver_message(str(other.pk))
    assert "Could not connect to the mail server" in reloaded(other).last_error


@pytest.mark.django_db
def test_smtp_timeout_after_the_data_is_failed_as_outcome_unknown_not_resent(sink, time_machine):
    sink.hang_after_data = True
    message = queue(recipient=PAUL_BY_EMAIL)
    assert deliver_message(str(message.pk)) == "sending"

    time_machine.shift(dt.timedelta(minutes=3))
    assert outbox_sweep().reconciled == {"failed": 1}
    row = reloaded(message)
    assert row.status == Status.FAILED
    assert row.last_error.startswith("Outcome unknown, not resent")
    assert sink.connections == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_row_send_it_once(twilio):
    require_services(postgres=True)
    message = queue()  # committed: transactional test
    start = threading.Barrier(2)
    results: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(message_deliver(message_id=message.pk).status)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == ["sending", "sent"] or sorted(results) == ["sent", "sent"]
    assert len(twilio.creates) == 1
    assert reloaded(message).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_with_one_key_write_one_row(twilio):
    require_services(postgres=True)
    first_inserted = threading.Event()
    ids: dict[str, uuid.UUID] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                ids["first"] = queue(idempotency_key="race:1").pk
                first_inserted.set()
                time.sleep(0.5)  # the second sender arrives while this is open
        finally:
            connection.close()

    def second() -> None:
        try:
            first_inserted.wait(10)
            ids["second"] = queue(idempotency_key="race:1").pk  # waits on the unique index
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert ids["first"] == ids["second"]
    assert OutboundMessage.objects.filter(idempotency_key="race:1").count() == 1
