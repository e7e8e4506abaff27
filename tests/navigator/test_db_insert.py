"""rows_insert and rows_update: a batch in one statement (a few on SQLite), as the ORM writes it;
AnyOf: the rows `__in` finds, with the values as one array on PostgreSQL; rows_at: locked rows
updated by their address."""

import datetime as dt
import math

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments.models import ChaseDigest, ChaseTask, TrackedItem
from navigator.audit.models import AuditEvent
from navigator.db import AnyOf, row_address, rows_at, rows_insert, rows_update
from navigator.messaging.models import OutboundMessage
from tests import factories as f
from tests.appointments.chase_helpers import overdue_item

pytestmark = pytest.mark.django_db


def outbox_row(key: str, to: str = "+447700900001") -> OutboundMessage:
    now = timezone.now()
    return OutboundMessage(
        idempotency_key=key,
        channel="sms",
        to_address=to,
        kind="new_update",
        body="Hello",
        not_before=now,
        enqueued_at=now,
    )


def test_it_returns_the_ids_inserted_and_the_rows_are_saved():
    rows = [outbox_row(f"insert:{n}") for n in range(3)]

    with CaptureQueriesContext(connection) as captured:
        inserted = rows_insert(model=OutboundMessage, rows=rows)

    assert len(captured.captured_queries) == 1
    assert inserted == {row.pk for row in rows}
    assert all(not row._state.adding and row._state.db == "default" for row in rows)
    stored = OutboundMessage.objects.get(pk=rows[1].pk)
    assert (stored.idempotency_key, stored.to_address, stored.enqueued_at) == (
        "insert:1",
        "+447700900001",
        rows[1].enqueued_at,
    )


def test_a_row_clashing_on_the_conflict_target_is_skipped_and_not_returned():
    rows_insert(model=OutboundMessage, rows=[outbox_row("taken", to="+447700900001")])
    clash, fresh = outbox_row("taken", to="+447700900002"), outbox_row("free")

    inserted = rows_insert(
        model=OutboundMessage, rows=[clash, fresh], conflict_target=["idempotency_key"]
    )

    assert inserted == {fresh.pk}
    assert clash._state.adding and not fresh._state.adding
    assert OutboundMessage.objects.get(idempotency_key="taken").to_address == "+447700900001"
    assert OutboundMessage.objects.count() == 2


def test_without_a_conflict_target_a_clash_raises_as_bulk_create_does(cast):
    # The partial unique constraint one_open_task_per_item is the database's own guard.
    item = overdue_item(cast)
    now = timezone.now()
    rows_insert(model=ChaseTask, rows=[ChaseTask(item=item, opened_at=now)])

    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(model=ChaseTask, rows=[ChaseTask(item=item, opened_at=now)])

    assert ChaseTask.objects.filter(item=item).count() == 1
    # A done task does not count against it.
    done = ChaseTask(item=item, opened_at=now, status=ChaseTask.Status.DONE, closed_at=now)
    assert rows_insert(model=ChaseTask, rows=[done]) == {done.pk}


def test_database_made_ids_are_set_in_order_and_auto_now_add_is_filled(time_machine):
    at = dt.datetime(2026, 3, 11, 10, 0, tzinfo=dt.UTC)
    time_machine.move_to(at, tick=False)
    events = [AuditEvent(action="update", object_type="job", summary=f"n{n}") for n in range(5)]

    inserted = rows_insert(model=AuditEvent, rows=events)

    assert inserted == {event.pk for event in events} and None not in inserted
    stored = dict(AuditEvent.objects.values_list("pk", "summary"))
    assert [stored[event.pk] for event in events] == [f"n{n}" for n in range(5)]
    assert {event.at for event in events} == {at}
    assert set(AuditEvent.objects.values_list("at", flat=True)) == {at}


def test_sqlite_splits_rows_beyond_its_parameter_limit_and_postgresql_does_not():
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    count = (
        connection.features.max_query_params // len(fields) * 2 + 7
        if connection.vendor == "sqlite"
        else 2_000
    )
    events = [AuditEvent(action="update", object_type="job", summary=f"n{n}") for n in range(count)]

    with CaptureQueriesContext(connection) as captured:
        inserted = rows_insert(model=AuditEvent, rows=events)

    expected = 1
    if connection.vendor == "sqlite":
        expected = math.ceil(count / connection.ops.bulk_batch_size(fields, events))
        assert expected == 3
    assert len(captured.captured_queries) == expected
    assert len(inserted) == count == AuditEvent.objects.count()
    stored = dict(AuditEvent.objects.values_list("pk", "summary"))
    assert all(stored[event.pk] == event.summary for event in events)


def test_nothing_to_insert_sends_nothing():
    with CaptureQueriesContext(connection) as captured:
        assert rows_insert(model=AuditEvent, rows=[]) == set()
    assert captured.captured_queries == []


def test_ids_cannot_be_mixed_or_matched_after_a_skip():
    with pytest.raises(ValueError, match="cannot be matched"):
        rows_insert(model=AuditEvent, rows=[AuditEvent(action="update")], conflict_target=["id"])
    with pytest.raises(ValueError, match="Leave every id"):
        rows_insert(model=AuditEvent, rows=[AuditEvent(action="update"), AuditEvent(pk=10**9)])


def test_rows_update_gives_each_row_its_own_values_in_one_statement(cast):
    items = [overdue_item(cast) for _ in range(3)]
    now = timezone.now()
    tasks = [ChaseTask(item=item, opened_at=now) for item in items]
    rows_insert(model=ChaseTask, rows=tasks)
    for n, task in enumerate(tasks[:2]):
        task.chase_round, task.escalated_to, task.escalated_at = n + 5, cast.nadia, now
    tasks[2].chase_round = 99  # changed here but not passed: left as it was

    with CaptureQueriesContext(connection) as captured:
        updated = rows_update(
            model=ChaseTask, rows=tasks[:2], fields=["chase_round", "escalated_to", "escalated_at"]
        )

    assert updated == 2
    assert len(captured.captured_queries) == 1
    stored = {t.pk: t for t in ChaseTask.objects.all()}
    assert [(stored[t.pk].chase_round, stored[t.pk].escalated_to_id) for t in tasks] == [
        (5, cast.nadia.pk),
        (6, cast.nadia.pk),
        (1, None),
    ]
    assert stored[tasks[0].pk].escalated_at == now and stored[tasks[0].pk].status == "open"
    assert rows_update(model=ChaseTask, rows=[], fields=["chase_round"]) == 0


@pytest.mark.parametrize(
    "keys",
    [
        ["any:1", "any:3"],
        ['any:"quoted", {braced}', "any:back\\slash", "any:missing"],
        ["any:2", None],
        [],
    ],
)
def test_any_of_finds_the_rows_in_finds(keys):
    rows = [outbox_row(key) for key in ("any:1", "any:2", "any:3")]
    rows += [outbox_row('any:"quoted", {braced}'), outbox_row("any:back\\slash")]
    rows_insert(model=OutboundMessage, rows=rows)

    found = set(OutboundMessage.objects.filter(AnyOf(F("idempotency_key"), keys)))

    assert found == set(OutboundMessage.objects.filter(idempotency_key__in=keys))
    assert {m.idempotency_key for m in found} == {
        k for k in keys if k in {r.idempotency_key for r in rows}
    }


def test_any_of_sends_one_array_on_postgresql_and_updates_by_ids(cast):
    tasks = [ChaseTask.objects.create(item=overdue_item(cast), chase_round=1) for _ in range(3)]

    with CaptureQueriesContext(connection) as captured:
        changed = ChaseTask.objects.filter(
            AnyOf(F("item_id"), [t.item_id for t in tasks[:2]])
        ).update(chase_round=2)

    assert changed == 2
    assert [t.chase_round for t in ChaseTask.objects.order_by("chase_round")] == [1, 2, 2]
    [query] = captured.captured_queries
    if connection.vendor == "postgresql":
        assert "= ANY('{\"" in query["sql"]
        assert "::uuid[])" in query["sql"]
    else:
        assert " IN (" in query["sql"]


def test_every_kind_of_value_reads_back_as_written():
    """The arrays' text form: quotes, braces, commas, backslashes, NULL as a word, empty text,
    None, booleans, JSON and datetimes all come back as they went in, through the INSERT and
    the UPDATE."""
    odd = ['he said "no", {then} left', "back\\slash", "NULL", "", "comma, and\nnewline"]
    rows = [outbox_row(f"odd:{n}") for n in range(len(odd))]
    for row, text in zip(rows, odd, strict=True):
        row.body, row.urgent, row.last_error = text, text == "", text
    rows[0].subject_id = None
    rows_insert(model=OutboundMessage, rows=rows)
    digest = ChaseDigest(
        organisation=f.make_organisation("Odd Trust", email="odd@trust.test"),
        kind="chase_provider",
        context={"organisation": 'A "quoted" {name}', "n": None},
        items=[{"reference": "AB\\CD", "what": "scan, result"}],
        created_at=timezone.now(),
    )
    rows_insert(model=ChaseDigest, rows=[digest])

    stored = {m.idempotency_key: m for m in OutboundMessage.objects.all()}
    assert [stored[r.idempotency_key].body for r in rows] == odd
    assert [stored[r.idempotency_key].urgent for r in rows] == [False, False, False, True, False]
    assert stored["odd:0"].subject_id is None and stored["odd:1"].enqueued_at == rows[1].enqueued_at
    saved = ChaseDigest.objects.get()
    assert (saved.context, saved.items) == (digest.context, digest.items)

    for row, text in zip(rows, reversed(odd), strict=True):
        row.last_error = text
    assert rows_update(model=OutboundMessage, rows=rows, fields=["last_error"]) == len(rows)
    stored = {m.idempotency_key: m for m in OutboundMessage.objects.all()}
    assert [stored[r.idempotency_key].last_error for r in rows] == list(reversed(odd))


def test_rows_at_updates_locked_rows_where_they_lie_and_misses_a_row_moved_since(cast):
    items = [overdue_item(cast) for _ in range(3)]
    with transaction.atomic():
        claimed = list(
            row_address(
                TrackedItem.objects.select_for_update().filter(pk__in=[i.pk for i in items])
            )
        )

        with CaptureQueriesContext(connection) as captured:
            updated = rows_at(model=TrackedItem, rows=claimed[:2]).update(chase_count=7)

        assert updated == 2
        [query] = captured.captured_queries
        if connection.vendor == "postgresql":
            assert '"appointments_trackeditem".ctid = ANY(' in query["sql"]
            # Those two have moved (an UPDATE writes a new version): their old addresses find
            # nothing, which the caller sees in the count.
            assert rows_at(model=TrackedItem, rows=claimed).update(chase_count=8) == 1
        else:
            assert " IN (" in query["sql"]
    counts = dict(TrackedItem.objects.values_list("pk", "chase_count"))
    expected = [7, 7, 8] if connection.vendor == "postgresql" else [7, 7, 0]
    assert [counts[i.pk] for i in claimed] == expected


def test_rows_at_finds_rows_read_without_an_address_by_key(cast):
    items = [overdue_item(cast) for _ in range(2)]

    assert rows_at(model=TrackedItem, rows=items).update(chase_count=3) == 2
    assert set(TrackedItem.objects.values_list("chase_count", flat=True)) == {3}
