"""The audit trail's monthly partitions (PostgreSQL): made ahead, and dropped a whole month at a
time once the retention policy allows (migration 0005 made the table and its guards).

SQLite keeps a plain table: there is nothing to make, and nothing may be dropped.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record

logger = logging.getLogger(__name__)

# Months made ahead of the current one, so a missed run or two never sends entries to the
# default partition (where they could not be dropped by month).
MONTHS_AHEAD = 3


class AuditRetentionError(Exception):
    """A month of the trail that may not be dropped, saying why."""


def partition_name(month: dt.date) -> str:
    return f"audit_auditevent_{month:%Y_%m}"


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def audit_partitions_ensure(
    *, months_ahead: int = MONTHS_AHEAD, now: dt.datetime | None = None
) -> list[str]:
    """Make this month's partition and the next `months_ahead` months' (each once); their names.

    A month whose entries already sit in the default partition is left there and logged.
    """
    if connection.vendor != "postgresql":
        return []
    this_month = _first_of_month((now or timezone.now()).astimezone(dt.UTC).date())
    made = []
    with connection.cursor() as cursor:
        for ahead in range(months_ahead + 1):
            month = _add_months(this_month, ahead)
            cursor.execute("SELECT audit_partition_create(%s)", [month])
            (name,) = cursor.fetchone()
            if name is None:
                logger.warning(
                    "Audit entries for %s are in the default partition; no partition was made.",
                    f"{month:%Y-%m}",
                )
            else:
                made.append(name)
    return made


def audit_month_keep_until(month: dt.date) -> dt.date:
    """The first day a month's entries may be dropped: its end plus AUDIT_RETENTION_YEARS."""
    return _add_months(_first_of_month(month), 1 + 12 * settings.AUDIT_RETENTION_YEARS)


def audit_month_drop(*, month: dt.date, now: dt.datetime | None = None) -> str:
    """Detach and drop the partition holding `month`'s audit entries; its name.

    Refused (AuditRetentionError) while the retention policy keeps the month, on a database
    that keeps no partitions, or when the month has none. Needs the table's owner (the role
    migrations run as): the app's role is refused by PostgreSQL. The drop itself is recorded in
    the trail.
    """
    month = _first_of_month(month)
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    keep_until = audit_month_keep_until(month)
    if today < keep_until:
        raise AuditRetentionError(
            f"The audit entries of {month:%B %Y} must be kept until {keep_until:%-d %B %Y} "
            f"(AUDIT_RETENTION_YEARS is {settings.AUDIT_RETENTION_YEARS})."
        )
    if connection.vendor != "postgresql":
        raise AuditRetentionError("Only PostgreSQL keeps the audit trail in monthly partitions.")
    name = partition_name(month)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{name}"])
        (exists,) = cursor.fetchone()
        if not exists:
            raise AuditRetentionError(f"There is no partition for {month:%B %Y} ({name}).")
        cursor.execute(f'ALTER TABLE audit_auditevent DETACH PARTITION "{name}"')
        cursor.execute(f'DROP TABLE "{name}"')
        audit_record(
            actor=None,
            action=AuditEvent.Action.DELETE,
            object_type="audit.partition",
            object_id=name,
            summary=f"Dropped the audit entries of {month:%B %Y} (past the retention period)",
        )
    return name
