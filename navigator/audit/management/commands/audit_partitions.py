"""Make the audit trail's monthly partitions ahead, or drop a month past its retention period.

    manage.py audit_partitions                  # this month and the next few (idempotent)
    manage.py audit_partitions --drop 2019-03   # refused while AUDIT_RETENTION_YEARS keeps it

Run `--drop` with the owner's DATABASE_URL (the role migrations run as): the app's role owns
nothing, so PostgreSQL refuses it the DETACH and the DROP.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from navigator.audit.partitions import (
    AuditRetentionError,
    audit_month_drop,
    audit_partitions_ensure,
)


class Command(BaseCommand):
    help = "Make the audit trail's monthly partitions ahead, or drop one month (--drop YYYY-MM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--drop", metavar="YYYY-MM", help="Drop this month's audit entries.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["drop"]:
            made = audit_partitions_ensure()
            self.stdout.write("Audit partitions: " + (", ".join(made) or "none (not PostgreSQL)"))
            return
        try:
            month = dt.datetime.strptime(options["drop"], "%Y-%m").date()  # noqa: DTZ007
        except ValueError:
            raise CommandError(
                f"--drop takes a month as YYYY-MM, not {options['drop']!r}."
            ) from None
        try:
            name = audit_month_drop(month=month)
        except AuditRetentionError as refused:
            raise CommandError(str(refused)) from None
        except DatabaseError as error:
            raise CommandError(
                f"The database refused: {error}. Run this as the owner role (migrations' "
                "DATABASE_URL), not the app's."
            ) from None
        self.stdout.write(f"Dropped {name}.")
