"""Outages: the database, the cache (Redis) or the broker not answering.

An outage is not a fault of ours, so it answers 503 with `Retry-After` rather than 500, and logs
one line rather than a traceback (`navigator.views.server_error` calls `outage_of`). Django turns
an exception into a response where it is raised, whichever middleware that is, so the 500
handler is the one place every such failure passes through.
"""

import kombu.exceptions
import redis.exceptions
from django.db import InterfaceError, OperationalError

# Seconds a client is asked to wait before trying again: a restart or a fail-over.
RETRY_AFTER_SECONDS = 30

_OUTAGES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    ((OperationalError, InterfaceError), "database"),
    ((redis.exceptions.ConnectionError, redis.exceptions.TimeoutError), "cache"),
    (kombu.exceptions.OperationalError, "broker"),
)


def outage_of(exc: BaseException | None) -> str | None:
    """Which service an exception says is unreachable ("database", "cache", "broker"), or None
    for any other error. Follows the exception's causes, as libraries often wrap the original."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        for kinds, service in _OUTAGES:
            if isinstance(exc, kinds):
                return service
        exc = exc.__cause__ or exc.__context__
    return None
