"""Give the app's database role exactly what it needs, and nothing on the audit trail beyond
adding and reading entries. Idempotent: run it after every `migrate`, as the owner role.

    manage.py grant_app_role navigator_app

The app's role owns nothing, so it can neither ALTER, DISABLE TRIGGER on nor DROP any table;
on the audit trail it may only INSERT and SELECT (never UPDATE, DELETE or TRUNCATE), and it
may make the trail's monthly partitions through `audit_partition_create`, which runs with the
owner's rights. Migration history is read-only to it. See the README, "Database roles".
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

AUDIT_TABLE = "audit_auditevent"
READ_ONLY_TABLES = ("django_migrations",)


class Command(BaseCommand):
    help = "Grant the app's database role what it needs (PostgreSQL; run as the owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The app's role, e.g. navigator_app.")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        if connection.vendor != "postgresql":
            self.stdout.write("Not PostgreSQL: no roles to grant.")
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"There is no database role {role!r}: create it first.")
            if row[0]:
                raise CommandError(f"{role!r} is a superuser: the app's role must not be.")
            cursor.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') "
                "AND pg_get_userbyid(c.relowner) = %s",
                [role],
            )
            owned = [name for (name,) in cursor.fetchall()]
            if owned:
                raise CommandError(
                    f"{role!r} owns {', '.join(owned)}: the app's role must own nothing "
                    "(ALTER TABLE ... OWNER TO the owner role)."
                )
            cursor.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = %s::regclass",
                [AUDIT_TABLE],
            )
            partitions = [name for (name,) in cursor.fetchall()]
            for statement in _statements(
                role=connection.ops.quote_name(role),
                database=connection.ops.quote_name(connection.settings_dict["NAME"]),
                partitions=[connection.ops.quote_name(p) for p in partitions],
            ):
                cursor.execute(statement)
        self.stdout.write(
            f"Granted {role}: reads and writes on the app's tables; INSERT and SELECT only on "
            f"the audit trail ({len(partitions)} partitions, none directly)."
        )


def _statements(*, role: str, database: str, partitions: list[str]) -> list[str]:
    return [
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE CREATE ON SCHEMA public FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        *(f"REVOKE ALL ON {table} FROM {role}" for table in (AUDIT_TABLE, *partitions)),
        f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {role}",
        *(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {role}" for table in READ_ONLY_TABLES),
        f"GRANT EXECUTE ON FUNCTION audit_partition_create(date) TO {role}",
    ]
