"""Recovery after an outage: lost tasks enqueued again within two sweeps, stuck messages
asked about in turn, and one the provider cannot be asked about shown to staff."""

import datetime as dt
import uuid
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.urls import reverse

from navigator.celery import app
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import (
    RECONCILE_BATCH,
    Recipient,
    message_deliver,
    message_send,
    message_status_update,
    outbox_sweep,
    requeue_after,
)
from tests.fakes.twilio import FakeTwilio, fake_twilio

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
Status = OutboundMessage.Status


@pytest.fixture(autouse=True)
def wednesday_morning(time_machine, settings):
    time_machine.move_to(dt.datetime(2025, 3, 12, 10, 0, tzinfo=LONDON), tick=True)
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8
    settings.TWILIO_TIMEOUT = 1


@pytest.fixture
def twilio(settings) -> Iterator[FakeTwilio]:
    with fake_twilio(settings) as fake:
        yield fake


@pytest.fixture
def eager() -> Iterator[None]:
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def send(phone: str = "+447700900123", subject_id: uuid.UUID | None = None) -> OutboundMessage:
    return message_send(
        recipient=Recipient(name="Paul Jones", phone=phone),
        kind="new_update",
        context={"link": "/cases/c0ffee/"},
        idempotency_key=f"test:{uuid.uuid4()}",
        subject_id=subject_id,
    )


def test_beat_sweeps_every_outbox_sweep_seconds_and_a_lost_task_waits_less_than_one(settings):
    assert app.conf.beat_schedule["messaging-sweep"]["schedule"] == settings.OUTBOX_SWEEP_SECONDS
    assert settings.OUTBOX_SWEEP_SECONDS == 30  # the default: recovery within a minute
    assert requeue_after() < dt.timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS)


def test_a_task_the_broker_lost_is_sent_by_the_second_sweep_after_it(
    twilio, eager, time_machine, settings, django_capture_on_commit_callbacks
):
    interval = dt.timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS)
    with django_capture_on_commit_callbacks(execute=False):  # the broker loses the task
        message = send()

    # The worst case: a sweep just after it was enqueued cannot yet tell it was lost...
    time_machine.shift(dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep().requeued == 0
    # ...and the next one, an interval later, sends it (before: not until two minutes had gone).
    time_machine.shift(interval)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep().requeued == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(twilio.creates) == 1


def test_a_message_whose_enqueue_failed_is_taken_by_the_very_next_sweep(
    twilio, eager, time_machine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        message = send()
    # As `_enqueue` leaves it when the broker refuses the task: not waiting for a task.
    OutboundMessage.objects.filter(pk=message.pk).update(enqueued_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep().requeued == 1
    message.refresh_from_db()
    assert message.status == Status.SENT


def stuck(count: int, *, minutes_ago: int, phone: str = "+447700900123") -> list[OutboundMessage]:
    """Rows a worker claimed and never settled (it died, or Twilio never answered)."""
    rows = [send(phone) for _ in range(count)]
    OutboundMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=Status.SENDING,
        attempts=F("attempts") + 1,
        sending_started_at=F("created_at") - dt.timedelta(minutes=minutes_ago),
    )
    return rows


def test_stuck_rows_the_provider_cannot_tell_us_about_do_not_starve_newer_ones(twilio):
    twilio.fail_lookups(500)
    stuck(RECONCILE_BATCH, minutes_ago=20)
    [newer] = stuck(1, minutes_ago=5, phone="+447700900999")

    first = outbox_sweep()
    assert first.reconciled == {"unchecked": RECONCILE_BATCH}
    asked = [r.query.get("To") for r in twilio.lookups]
    assert "+447700900999" not in asked

    second = outbox_sweep()
    assert "+447700900999" in [r.query.get("To") for r in twilio.lookups[len(asked) :]]
    assert second.reconciled["unchecked"] >= 1
    newer.refresh_from_db()
    assert newer.checked_at is not None
    # Every stuck row has been asked about once in two sweeps.
    assert not OutboundMessage.objects.filter(checked_at__isnull=True).exists()


def test_a_message_the_provider_cannot_be_asked_about_needs_attention_and_staff_see_it(
    twilio, time_machine, settings, client, cast
):
    settings.MESSAGE_ATTENTION_AFTER_MINUTES = 30
    twilio.hang_next(record=True)  # Twilio took it, but its answer never came
    message = send(subject_id=cast.paul_patient.id)
    assert message_deliver(message_id=message.pk).status == Status.SENDING
    twilio.fail_lookups(503)

    time_machine.shift(dt.timedelta(minutes=3))
    assert outbox_sweep().reconciled == {"unchecked": 1}
    message.refresh_from_db()
    assert message.status == Status.SENDING

    time_machine.shift(dt.timedelta(minutes=28))
    assert outbox_sweep().reconciled == {"attention": 1}
    message.refresh_from_db()
    assert message.status == Status.ATTENTION
    assert "Not known whether it arrived" in message.last_error
    assert len(twilio.creates) == 1  # never resent blindly

    # Nadia sees it from the case page, by its link to the messages sent.
    client.force_login(cast.nadia)
    case_page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert "1 needs attention" in case_page.content.decode()
    outbox = client.get(reverse("patients:case_outbox", args=[cast.paul_case.id])).content.decode()
    assert "Needs attention" in outbox and "Not known whether it arrived" in outbox

    # The sweep keeps asking; once Twilio answers, the message settles by itself.
    twilio.fail_lookups(None)
    time_machine.shift(dt.timedelta(minutes=1))
    assert outbox_sweep().reconciled == {"sent": 1}
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(twilio.creates) == 1
    case_page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert "needs attention" not in case_page.content.decode()


def test_a_status_callback_settles_a_message_needing_attention(twilio):
    [message] = stuck(1, minutes_ago=40)
    sid = "SM" + "a" * 32
    OutboundMessage.objects.filter(pk=message.pk).update(status=Status.ATTENTION, provider_id=sid)
    assert message_status_update(provider_id=sid, status="delivered").status == Status.DELIVERED


def test_a_text_sent_through_twilio_logs_nothing_from_its_client(twilio, caplog):
    # Twilio's client logs each request, its headers and its answer at INFO: eleven lines.
    message = send()
    assert message_deliver(message_id=message.pk).status == Status.SENT
    assert [r.getMessage() for r in caplog.records if r.name.startswith("twilio")] == []
