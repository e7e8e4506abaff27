"""A real `celery worker` process against the test database and the Redis broker.

These need PostgreSQL (the worker is another process, so it cannot share SQLite's in-memory test
database) and Redis; they skip without them, and fail under CI, which has both.
"""

import uuid

import pytest
from django.db import transaction

from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import Recipient, message_send
from navigator.tasks import ping
from tests.fakes.twilio import fake_twilio
from tests.workerproc import celery_worker, require_services, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PAUL = Recipient(name="Paul Jones", phone="+447700900123", email="paul@example.test")


@pytest.fixture(autouse=True)
def services(settings):
    require_services(postgres=True, redis=True)
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0  # whatever the hour the test runs


def test_a_task_sent_through_redis_is_run_by_the_worker():
    with celery_worker() as worker:
        result = ping.delay()
        assert result.get(timeout=30) == "pong", worker.log()


def test_a_committed_message_is_delivered_by_the_worker_through_twilio(settings):
    with fake_twilio() as twilio, celery_worker(env=twilio.settings_env()) as worker:
        with transaction.atomic():
            message = message_send(
                recipient=PAUL,
                kind="new_update",
                context={"link": "/cases/c0ffee/"},
                idempotency_key=f"worker:{uuid.uuid4()}",
            )
            # Not yet committed: the worker cannot see the row, and no task has been sent.
            assert not twilio.requests

        def sent() -> bool:
            message.refresh_from_db()
            return message.status == OutboundMessage.Status.SENT

        wait_until(sent, timeout=30, explain=lambda: f"{message.status}\n{worker.log()}")

    [create] = twilio.creates
    # Delivery reports are asked for by default, at the public webhook URL.
    assert create.pop("StatusCallback").endswith("/webhooks/twilio/status/")
    assert create == {
        "To": "+447700900123",
        "From": twilio.from_number,
        "Body": f"You have a new update from your cancer support team: {settings.SITE_URL}/cases/c0ffee/",
    }
    assert message.provider_id == next(iter(twilio.messages))
    assert message.attempts == 1


def test_the_worker_retries_a_twilio_outage_after_a_backoff(settings):
    with fake_twilio() as twilio:
        twilio.fail_next(500)
        env = {**twilio.settings_env(), "MESSAGE_RETRY_BACKOFF": "1"}
        with celery_worker(env=env) as worker:
            with transaction.atomic():
                message = message_send(
                    recipient=PAUL,
                    kind="new_message",
                    context={"link": "/"},
                    idempotency_key=f"worker:{uuid.uuid4()}",
                )

            def sent() -> bool:
                message.refresh_from_db()
                return message.status == OutboundMessage.Status.SENT

            wait_until(sent, timeout=30, explain=lambda: f"{message.status}\n{worker.log()}")

    assert len(twilio.creates) == 2
    assert message.attempts == 2
    assert message.last_error == ""
