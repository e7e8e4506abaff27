"""A broker that loses its queue (a Redis of our own, restarted without persistence) with a
real worker: the outbox drains within two sweep intervals of the worker being back."""

import time
import uuid

import pytest
from django.db import transaction

from navigator.celery import app
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import Recipient, message_send
from navigator.messaging.tasks import sweep_outbox
from tests.fakes.twilio import fake_twilio
from tests.outages import own_redis_server, publishing_to
from tests.workerproc import celery_worker, require_services, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SWEEP_SECONDS = 5
Status = OutboundMessage.Status


def send(number: int) -> OutboundMessage:
    with transaction.atomic():  # enqueued once committed, as every service does
        return message_send(
            recipient=Recipient(name="Paul Jones", phone=f"+4477009001{number:02}"),
            kind="new_update",
            context={"link": "/cases/c0ffee/"},
            idempotency_key=f"recovery:{uuid.uuid4()}",
        )


def test_the_outbox_drains_within_two_sweeps_after_the_broker_loses_its_queue(settings):
    require_services(postgres=True, redis=True)
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0  # whatever the hour
    with (
        own_redis_server() as broker,
        publishing_to(broker.url),
        fake_twilio() as twilio,
    ):
        env = {
            **twilio.settings_env(),
            "CELERY_BROKER_URL": broker.url,
            "OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "TWILIO_TIMEOUT": "4",
        }
        with celery_worker(env=env) as worker:
            # The worker is busy with a send Twilio never answers, so what comes next waits
            # in the broker's queue...
            twilio.hang_next(record=True)
            busy = send(0)
            wait_until(lambda: busy.refresh_from_db() or busy.status == Status.SENDING)
            waiting = [send(n) for n in range(1, 4)]
            # ...which is lost when Redis stops; messages sent meanwhile cannot be enqueued.
            broker.stop()
            during = [send(n) for n in range(4, 7)]
            assert all(m.status == Status.QUEUED for m in waiting + during)
            broker.start()

            # The worker reconnects by itself; from then on, beat's sweeps (played here).
            wait_until(
                lambda: bool(app.control.ping(destination=[worker.name], timeout=0.5)),
                timeout=60,
                explain=worker.log,
            )
            back = time.monotonic()
            pending = {m.pk for m in waiting + during}

            def drained() -> bool:
                sent = OutboundMessage.objects.filter(pk__in=pending, status=Status.SENT)
                return sent.count() == len(pending)

            next_sweep = back
            while not drained() and time.monotonic() - back < 4 * SWEEP_SECONDS:
                if time.monotonic() >= next_sweep:
                    sweep_outbox.delay()
                    next_sweep += SWEEP_SECONDS
                time.sleep(0.1)
            took = time.monotonic() - back

            assert drained(), worker.log()
            assert took <= 2 * SWEEP_SECONDS, f"drained in {took:.1f} s"
            # Each sent once: a late copy of a task finds its row claimed.
            numbers = [create["To"] for create in twilio.creates]
            assert sorted(numbers[1:]) == sorted({m.to_address for m in waiting + during})
