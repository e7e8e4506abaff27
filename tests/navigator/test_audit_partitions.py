"""The audit trail by month (PostgreSQL): partitions made ahead, guarded like the table, and a
month dropped whole only once the retention policy lets it go.

PostgreSQL-only tests skip without it, and fail under CI, which has it (`require_services`).
"""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from navigator.audit.models import AuditEvent
from navigator.audit.partitions import (
    AuditRetentionError,
    audit_month_drop,
    audit_month_keep_until,
    audit_partitions_ensure,
    partition_name,
)
from navigator.audit.services import audit_record
from tests.workerproc import require_services

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
OLD_MONTH = dt.date(1994, 3, 1)


@pytest.fixture
def postgres() -> None:
    require_services(postgres=True)


def _sql(statement: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def _partitions() -> set[str]:
    rows = _sql(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'audit_auditevent'::regclass"
    )
    return {name for (name,) in rows}


def _entry_at(when: dt.datetime, cast, summary: str = "Viewed the case") -> AuditEvent:
    with time_machine.travel(when, tick=False):
        entry = audit_record(
            actor=cast.nadia,
            action=AuditEvent.Action.VIEW,
            obj=cast.paul_case,
            patient_id=cast.paul_patient.pk,
            summary=summary,
        )
    # As if committed: the actor's deferred foreign-key check, pending in the test's
    # transaction, would otherwise stop a TRUNCATE or DROP before any trigger is asked.
    _sql("SET CONSTRAINTS ALL IMMEDIATE")
    return entry


def _refused(statement: str, match: str, params: list[object] | None = None) -> None:
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        _sql(statement, params)


def test_the_trail_is_partitioned_by_month_and_an_entry_lands_in_its_month(postgres, cast):
    assert _sql(
        "SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'audit_auditevent'::regclass"
    ) == [("r",)]
    audit_partitions_ensure(now=NOW)
    entry = _entry_at(NOW, cast)

    [(table,)] = _sql(
        "SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [entry.pk]
    )
    assert table == "audit_auditevent_2026_12"
    assert AuditEvent.objects.filter(patient_id=cast.paul_patient.pk).get() == entry


def test_partitions_are_made_ahead_once_each(postgres):
    made = audit_partitions_ensure(months_ahead=3, now=dt.datetime(2031, 11, 20, tzinfo=dt.UTC))
    assert made == [
        "audit_auditevent_2031_11",
        "audit_auditevent_2031_12",
        "audit_auditevent_2032_01",
        "audit_auditevent_2032_02",
    ]
    before = _partitions()
    assert audit_partitions_ensure(months_ahead=3, now=dt.datetime(2031, 11, 1, tzinfo=dt.UTC))
    assert _partitions() == before


def test_the_daily_job_makes_this_month_and_the_next(postgres):
    call_command("audit_partitions")
    this_month = dt.datetime.now(tz=dt.UTC).date().replace(day=1)
    assert partition_name(this_month) in _partitions()


def test_an_entry_for_a_month_with_no_partition_is_kept_in_the_default_one(postgres, cast):
    entry = _entry_at(dt.datetime(1990, 5, 2, tzinfo=dt.UTC), cast)
    [(table,)] = _sql(
        "SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [entry.pk]
    )
    assert table == "audit_auditevent_default"
    # That month cannot be made now (its entries would have to move): it is skipped, not failed.
    assert audit_partitions_ensure(months_ahead=0, now=dt.datetime(1990, 5, 9, tzinfo=dt.UTC)) == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET summary = 'Someone else' WHERE id = %s",
        "DELETE FROM {table} WHERE id = %s",
    ],
)
@pytest.mark.parametrize("address", ["parent", "partition", "new partition", "default"])
def test_every_partition_refuses_updates_and_deletes(postgres, cast, statement, address):
    when = {
        "parent": NOW,
        "partition": NOW,
        "new partition": dt.datetime(2040, 2, 1, tzinfo=dt.UTC),
        "default": dt.datetime(1980, 1, 1, tzinfo=dt.UTC),
    }[address]
    audit_partitions_ensure(months_ahead=0, now=when)  # made now, after the migration
    entry = _entry_at(when, cast)
    [(table,)] = _sql(
        "SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [entry.pk]
    )
    if address == "parent":
        table = "audit_auditevent"

    _refused(statement.format(table=table), "append-only", [entry.pk])
    assert AuditEvent.objects.get(pk=entry.pk).summary == "Viewed the case"


@pytest.mark.parametrize("address", ["parent", "partition", "new partition", "default"])
def test_truncate_is_refused_on_the_trail_and_each_partition(postgres, cast, address):
    audit_partitions_ensure(now=NOW)
    audit_partitions_ensure(months_ahead=0, now=dt.datetime(2040, 2, 1, tzinfo=dt.UTC))
    _entry_at(NOW, cast)
    table = {
        "parent": "audit_auditevent",
        "partition": "audit_auditevent_2026_12",
        "new partition": "audit_auditevent_2040_02",
        "default": "audit_auditevent_default",
    }[address]

    _refused(f"TRUNCATE {table}", "TRUNCATE is refused")
    assert AuditEvent.objects.count() == 1


def test_a_month_inside_the_retention_period_cannot_be_dropped(postgres, cast, settings):
    settings.AUDIT_RETENTION_YEARS = 8
    audit_partitions_ensure(months_ahead=0, now=dt.datetime(2018, 11, 5, tzinfo=dt.UTC))
    entry = _entry_at(dt.datetime(2018, 11, 5, tzinfo=dt.UTC), cast)

    # November 2018 ends on 1 December 2018: kept until 1 December 2026, so not on 30 November.
    assert audit_month_keep_until(dt.date(2018, 11, 17)) == dt.date(2026, 12, 1)
    with pytest.raises(AuditRetentionError, match="must be kept until 1 December 2026"):
        audit_month_drop(
            month=dt.date(2018, 11, 1), now=dt.datetime(2026, 11, 30, 23, tzinfo=dt.UTC)
        )
    assert "audit_auditevent_2018_11" in _partitions()
    assert AuditEvent.objects.filter(pk=entry.pk).exists()


def test_a_month_past_the_retention_period_is_dropped_whole(postgres, cast, settings):
    settings.AUDIT_RETENTION_YEARS = 8
    audit_partitions_ensure(months_ahead=1, now=dt.datetime(2018, 11, 5, tzinfo=dt.UTC))
    old = [_entry_at(dt.datetime(2018, 11, day, tzinfo=dt.UTC), cast) for day in (1, 15, 30)]
    kept = _entry_at(dt.datetime(2018, 12, 1, tzinfo=dt.UTC), cast)

    name = audit_month_drop(month=dt.date(2018, 11, 1), now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))

    assert name == "audit_auditevent_2018_11"
    assert name not in _partitions()
    assert _sql("SELECT to_regclass(%s)", [name]) == [(None,)]
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    drop = AuditEvent.objects.get(object_type="audit.partition")
    assert (drop.action, drop.object_id) == ("delete", name)
    assert drop.summary == "Dropped the audit entries of November 2018 (past the retention period)"


def test_dropping_a_month_with_no_partition_says_so(postgres, settings):
    settings.AUDIT_RETENTION_YEARS = 1
    with pytest.raises(
        AuditRetentionError, match=r"no partition for March 1994 \(audit_auditevent_1994_03\)"
    ):
        audit_month_drop(month=OLD_MONTH, now=NOW)


def test_the_command_refuses_a_month_still_kept_and_a_malformed_one():
    with pytest.raises(CommandError, match="must be kept until"):
        call_command("audit_partitions", drop="2026-01")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("audit_partitions", drop="January")


def test_sqlite_keeps_one_table_and_drops_nothing(settings):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's behaviour")
    settings.AUDIT_RETENTION_YEARS = 1
    assert audit_partitions_ensure(now=NOW) == []
    with pytest.raises(AuditRetentionError, match="Only PostgreSQL"):
        audit_month_drop(month=OLD_MONTH, now=NOW)
