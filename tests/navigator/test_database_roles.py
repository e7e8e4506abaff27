"""The app's database role (README, "Database roles"): it owns nothing, so the audit trail's
guards are out of its reach; on the trail it may add and read entries, nothing else.

The suite itself runs as a superuser (pytest-django makes the test database); these tests
grant the app's role on that database with `grant_app_role`, as deployment does after
`migrate`, and then connect as that role. The role is made by `deploy/postgres/roles.sql`
(`.ci/run` does it); without it the tests skip, and fail under CI.
"""

import os
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.workerproc import require_services

APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "navigator_app")
INSERT = (
    "INSERT INTO audit_auditevent (at, actor_label, actor_role, action, object_type, object_id,"
    " summary, path) VALUES (now(), 'The app', '', 'view', 'patients.case', '1', '', '')"
    " RETURNING id"
)


def _role_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        return cursor.fetchone() is not None


@pytest.fixture
def as_app(transactional_db: None) -> Iterator[Any]:
    """A cursor on the test database as the app's role, granted what deployment grants it."""
    require_services(postgres=True)
    if not _role_exists():
        reason = f"No database role {APP_ROLE!r}: make it with deploy/postgres/roles.sql"
        if os.environ.get("CI"):
            pytest.fail(f"CI makes the database roles (.ci/run), but: {reason}.")
        pytest.skip(reason)
    call_command("grant_app_role", APP_ROLE)
    db = connection.settings_dict
    app = psycopg2.connect(
        dbname=db["NAME"],
        user=APP_ROLE,
        password=os.environ.get("DATABASE_APP_PASSWORD") or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    app.autocommit = True
    try:
        with app.cursor() as cursor:
            yield cursor
    finally:
        app.close()


def test_the_app_role_adds_and_reads_audit_entries(as_app):
    as_app.execute(INSERT)
    (entry_id,) = as_app.fetchone()
    as_app.execute("SELECT actor_label FROM audit_auditevent WHERE id = %s", [entry_id])
    assert as_app.fetchone() == ("The app",)


REFUSED = [
    ("UPDATE audit_auditevent SET summary = 'Nothing to see'", "permission denied"),
    ("DELETE FROM audit_auditevent", "permission denied"),
    ("TRUNCATE audit_auditevent", "permission denied"),
    ("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only", "must be owner"),
    ("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL", "must be owner"),
    ("DROP TRIGGER audit_event_append_only ON audit_auditevent", "must be owner"),
    ("DROP TRIGGER audit_event_no_truncate ON audit_auditevent", "must be owner"),
    ("ALTER TABLE audit_auditevent DETACH PARTITION audit_auditevent_default", "must be owner"),
    ("DROP TABLE audit_auditevent_default", "must be owner"),
    ("UPDATE audit_auditevent_default SET summary = 'Nothing to see'", "permission denied"),
    ("DELETE FROM audit_auditevent_default", "permission denied"),
    ("TRUNCATE audit_auditevent_default", "permission denied"),
    ("CREATE TABLE audit_copy (id int)", "permission denied"),
]


def test_the_app_role_cannot_change_or_empty_the_trail(as_app):
    # One test for every statement: each transactional test costs a flush of the database.
    as_app.execute(INSERT)
    ran = []
    for statement, refusal in REFUSED:
        try:
            as_app.execute(statement)
        except psycopg2.Error as error:
            assert refusal in str(error), (statement, str(error))
        else:
            ran.append(statement)
    assert ran == []
    as_app.execute("SELECT count(*), min(summary) FROM audit_auditevent")
    assert as_app.fetchone() == (1, "")


def test_the_app_role_owns_nothing_and_does_its_ordinary_work(as_app, cast):
    as_app.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
    )
    assert as_app.fetchone() == (False, False, False)
    as_app.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
    )
    assert as_app.fetchone() == (0,)
    # Its ordinary work: reading and changing the app's other tables, and making the trail's
    # next partitions (through the owner's function).
    as_app.execute(
        "UPDATE patients_case SET status = status WHERE id = %s", [str(cast.paul_case.pk)]
    )
    assert as_app.rowcount == 1
    as_app.execute("SELECT audit_partition_create('2044-04-01')")
    assert as_app.fetchone() == ("audit_auditevent_2044_04",)
    # Migration history is read-only to it.
    as_app.execute("SELECT count(*) > 0 FROM django_migrations")
    assert as_app.fetchone() == (True,)
    with pytest.raises(psycopg2.Error, match="permission denied"):
        as_app.execute("DELETE FROM django_migrations")


def test_granting_refuses_a_superuser_as_the_app_role(db):
    require_services(postgres=True)
    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_app_role", connection.settings_dict["USER"] or "postgres")
