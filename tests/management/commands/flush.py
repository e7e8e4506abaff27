"""Django's `flush`, for the tests' database resets, past the audit trail's TRUNCATE guard.

Transactional tests (the browser, the worker) are reset by `flush`, which on PostgreSQL is one
TRUNCATE of every table, and the audit trail refuses TRUNCATE by trigger (as it must for the
app). PostgreSQL fires no ordinary trigger while `session_replication_role` is `replica`, a
setting only a superuser may change: the test suite runs as one, the app's role cannot.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(**options)
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
