"""messages_send: many messages with message_send's rules, in a fixed number of statements."""

import datetime as dt
import threading
import time
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from navigator.messaging.models import OutboundMessage, SmsOptOut
from navigator.messaging.services import (
    MessageToSend,
    MessagingError,
    Recipient,
    message_send,
    messages_send,
)
from tests.workerproc import require_services

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PATIENT_ID = uuid.UUID("6f1c7a52-4a51-4f43-9d7e-2f8a3b1c0d11")
SITE = "https://navigator.example.nhs.uk"


@pytest.fixture(autouse=True)
def wednesday_morning(time_machine, settings):
    time_machine.move_to(dt.datetime(2025, 3, 12, 10, 0, tzinfo=LONDON), tick=False)
    settings.SITE_URL = SITE
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8


def person(n: int, **overrides: str) -> Recipient:
    fields = {"name": f"Person {n}", "phone": f"+4477009{n:05d}", "email": f"p{n}@example.test"}
    return Recipient(**{**fields, **overrides})


def update(n: int, *, key: str = "", **overrides: object) -> MessageToSend:
    fields: dict = {
        "recipient": person(n),
        "kind": "new_update",
        "context": {"link": f"/cases/{n}/"},
        "idempotency_key": key or f"batch:{n}",
        "subject_id": PATIENT_ID,
    }
    return MessageToSend(**{**fields, **overrides})


def test_each_message_is_written_once_and_a_rerun_writes_nothing(
    django_capture_on_commit_callbacks,
):
    batch = [update(n) for n in range(3)]

    with django_capture_on_commit_callbacks() as first_callbacks:
        first = messages_send(messages=batch)
    with django_capture_on_commit_callbacks() as rerun_callbacks:
        rerun = messages_send(messages=batch)

    assert all(isinstance(m, OutboundMessage) for m in first)
    assert [m.pk for m in rerun] == [m.pk for m in first]
    assert OutboundMessage.objects.count() == 3
    assert len(first_callbacks) == 1  # one enqueue step for the batch, after commit
    assert rerun_callbacks == []  # nothing new to deliver
    assert [m.to_address for m in first] == ["+447700900000", "+447700900001", "+447700900002"]


def test_a_rerun_returns_the_existing_row_even_if_the_message_cannot_be_queued_now():
    [sent] = messages_send(messages=[update(1)])

    [again] = messages_send(messages=[update(1, recipient=person(1, phone="", email=""))])

    assert again.pk == sent.pk


def test_a_key_twice_in_one_batch_is_one_row():
    results = messages_send(messages=[update(1, key="same"), update(2, key="same")])

    assert results[0].pk == results[1].pk
    assert OutboundMessage.objects.get().to_address == "+447700900001"


def test_the_statements_are_the_same_for_three_messages_or_thirty():
    def statements(count: int, offset: int) -> int:
        batch = [update(n) for n in range(offset, offset + count)]
        with CaptureQueriesContext(connection) as captured:
            messages_send(messages=batch)
        return len(captured.captured_queries)

    # The SMS opt-outs, then one INSERT ... ON CONFLICT DO NOTHING for every row.
    assert statements(3, 0) == statements(30, 100) == 2


def test_opted_out_numbers_are_emailed_and_the_unreachable_do_not_stop_the_rest():
    SmsOptOut.objects.create(phone=person(1).phone, keyword="STOP")
    batch = [
        update(0),
        update(1),
        update(2, recipient=person(2, phone="", email="")),
        update(3, channel="sms", recipient=person(3, phone="07700 900003")),
    ]

    sms, opted_out, nobody, not_e164 = messages_send(messages=batch)

    assert (sms.channel, sms.to_address) == ("sms", "+447700900000")
    assert (opted_out.channel, opted_out.to_address) == ("email", "p1@example.test")
    assert isinstance(nobody, MessagingError) and "Person 2 cannot be reached" in str(nobody)
    assert isinstance(not_e164, MessagingError) and "international form" in str(not_e164)
    assert OutboundMessage.objects.count() == 2


def test_quiet_hours_defer_the_batch_but_not_urgent_messages(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(dt.datetime(2025, 3, 12, 22, 30, tzinfo=LONDON), tick=False)

    with django_capture_on_commit_callbacks() as callbacks:
        deferred, urgent = messages_send(messages=[update(1), update(2, urgent=True)])

    morning = dt.datetime(2025, 3, 13, 8, 0, tzinfo=LONDON)
    assert (deferred.not_before, deferred.enqueued_at) == (morning, None)
    assert (
        urgent.not_before == urgent.enqueued_at == dt.datetime(2025, 3, 12, 22, 30, tzinfo=LONDON)
    )
    assert len(callbacks) == 1  # the urgent one only: the sweep sends the other in the morning


def test_the_text_is_message_sends_and_carries_nothing_clinical():
    context = {"link": "/cases/c0ffee/", "diagnosis": "Lung cancer"}
    single = message_send(
        recipient=person(1), kind="new_update", context=context, idempotency_key="one"
    )
    text, email = messages_send(
        messages=[
            update(1, key="two", context=context),
            update(1, key="three", context=context, recipient=person(1, phone="")),
        ]
    )

    assert (
        text.body
        == single.body
        == (f"You have a new update from your cancer support team: {SITE}/cases/c0ffee/")
    )
    assert email.channel == "email" and f"{SITE}/cases/c0ffee/" in email.body
    for text_part in (email.subject, email.body, email.body_html):
        assert "Lung" not in text_part


def test_a_returned_row_behaves_like_a_saved_one():
    [message] = messages_send(messages=[update(1)])

    message.refresh_from_db()
    message.last_error = "checked"
    message.save(update_fields=["last_error"])

    assert OutboundMessage.objects.get().last_error == "checked"


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_with_one_key_write_one_row():
    require_services(postgres=True)
    first_inserted = threading.Event()
    ids: dict[str, uuid.UUID] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                [message] = messages_send(messages=[update(1, key="race:batch")])
                ids["first"] = message.pk
                first_inserted.set()
                time.sleep(0.5)  # the second batch arrives while this is open
        finally:
            connection.close()

    def second() -> None:
        try:
            first_inserted.wait(10)
            # Waits on the unique index, then finds the first batch's row.
            _, message = messages_send(messages=[update(2), update(1, key="race:batch")])
            ids["second"] = message.pk
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert ids["first"] == ids["second"]
    assert OutboundMessage.objects.filter(idempotency_key="race:batch").count() == 1
    assert OutboundMessage.objects.count() == 2
