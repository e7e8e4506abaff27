"""The outbox as the database holds it: what a pg_dump, a backup or the admin would show."""

from django.db import connection

from navigator.messaging.models import OutboundMessage


def outbox_row_as_stored(message: OutboundMessage) -> str:
    """Every column of the message's row, read with SQL (SQLite keeps UUIDs as hex)."""
    with connection.cursor() as cursor:
        key = message.pk if connection.vendor == "postgresql" else message.pk.hex
        cursor.execute("SELECT * FROM messaging_outboundmessage WHERE id = %s", [key])
        row = cursor.fetchone()
    assert row is not None, message.pk
    return " ".join(str(value) for value in row)
