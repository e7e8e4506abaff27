"""The chase under stress, on PostgreSQL (and Redis for the worker): concurrent runners, and a
worker killed mid-batch. Skipped without PostgreSQL: SQLite has no row locks to race on."""

import datetime as dt
import os
import signal
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.utils import timezone

from appointments.models import ChaseDigest, ChaseRecord, ChaseTask, TrackedItem
from appointments.services import chase_run
from appointments.tasks import chase_overdue_items
from navigator.messaging.models import OutboundMessage
from tests.appointments.chase_helpers import hospital
from tests.workerproc import celery_worker, require_services, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres(settings):
    require_services(postgres=True)
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0  # whatever the hour the test runs


def seed_overdue(cast, count):
    """`count` overdue results for Paul, inserted in bulk (the chase's work, not its set-up)."""
    trust = hospital(cast)
    today = timezone.localdate()
    TrackedItem.objects.bulk_create(
        TrackedItem(
            case=cast.paul_case,
            kind="result",
            state="done",
            title="Your test or scan result",
            expected_by=today - dt.timedelta(days=1 + n % 5),
            next_chase_on=today - dt.timedelta(days=n % 5),
            responsible_provider=trust,
        )
        for n in range(count)
    )
    return list(TrackedItem.objects.values_list("id", flat=True))


def assert_each_chased_exactly_once(ids):
    rounds = Counter(ChaseRecord.objects.filter(by=None).values_list("item_id", flat=True))
    assert rounds == dict.fromkeys(ids, 1)
    assert set(TrackedItem.objects.values_list("chase_count", flat=True)) == {1}
    assert ChaseTask.objects.count() == len(ids)
    # All the items are Paul's, at one hospital, chased on one day: one text, whatever the
    # batches and runners; every reference in exactly one email sent. A batch's messages or
    # digests leaking from a rolled-back attempt, or a batch done twice, would show as a
    # second text or a reference named twice.
    assert OutboundMessage.objects.filter(kind="chase_patient").count() == 1
    sent = ChaseDigest.objects.exclude(message=None)
    named = Counter(line["reference"] for digest in sent for line in digest.items)
    assert named == {TrackedItem(id=i).reference: 1 for i in ids}
    assert not ChaseDigest.objects.filter(sent_at=None).exists()
    assert OutboundMessage.objects.filter(kind="chase_provider").count() == len(
        {digest.message_id for digest in sent}
    )


def test_two_runners_at_once_chase_each_item_once(cast):
    ids = seed_overdue(cast, 80)
    start = threading.Barrier(2)
    reports, errors = [], []

    def runner():
        try:
            start.wait(timeout=10)
            reports.append(chase_run(batch_size=10))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(r.items for r in reports) == 80
    assert all(r.items > 0 for r in reports), "both runners should have claimed work"
    assert_each_chased_exactly_once(ids)
    assert chase_run().items == 0


@pytest.mark.worker
def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(cast):
    require_services(postgres=True, redis=True)
    ids = seed_overdue(cast, 400)
    # The third batch stalls inside its transaction, after writing its tasks and messages,
    # so the kill lands mid-batch every time, however fast the machine.
    _stall_the_third_batch()
    try:
        # No messaging settings in the worker: delivery would fail harmlessly, but the chase's
        # outbox rows are what this test counts.
        with celery_worker() as worker:
            chase_overdue_items.delay(batch_size=40)
            wait_until(_stalled, timeout=60, explain=lambda: worker.log())
            os.kill(worker.process.pid, signal.SIGKILL)
            worker.process.wait(timeout=10)
        # The server ends the dead worker's session (it would notice the closed socket once
        # the statement ended), and with it the batch's open transaction.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
            )
        wait_until(lambda: not _stalled(), timeout=30)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS stall_chase ON appointments_chaserecord")
            cursor.execute("DROP FUNCTION IF EXISTS stall_chase()")

    # Two batches committed; the third's tasks, messages and records were rolled back. The
    # first batch texted Paul (the day's one text); the two batches' lines for the hospital
    # wait as digests, as the run died before its end, where it emails them.
    assert ChaseRecord.objects.count() == 80
    assert ChaseTask.objects.count() == 80
    assert list(OutboundMessage.objects.values_list("kind", flat=True)) == ["chase_patient"]
    assert ChaseDigest.objects.filter(sent_at=None).count() == 2

    rerun = chase_run()

    assert rerun.items == len(ids) - 80
    assert_each_chased_exactly_once(ids)
    connection.close()


def _stall_the_third_batch():
    """Make the chase's INSERT of records sleep once two batches of 40 have committed (real
    SQL in the database, not a patch of our code)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION stall_chase() RETURNS trigger AS $$ BEGIN "
            "IF (SELECT count(*) FROM appointments_chaserecord) >= 80 THEN "
            "PERFORM pg_sleep(120); END IF; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER stall_chase BEFORE INSERT ON appointments_chaserecord "
            "FOR EACH STATEMENT EXECUTE FUNCTION stall_chase()"
        )


def _stalled():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")
        return cursor.fetchone()[0] > 0
