"""For the tests that the case door records access and the services record writes: what a
request wrote to the audit trail, and a page's forms to send."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from navigator.audit.models import AuditEvent
from tests.conftest import Cast

WRITES = (AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE)
# The door's one entry: the case was looked at.
ACCESS = [(AuditEvent.Action.VIEW, "patients.case")]


def entries_during(send: Callable[[], Any]) -> tuple[Any, list[tuple[str, str]]]:
    """The response, and the (action, object type) of every audit entry written meanwhile."""
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = send()
    written = AuditEvent.objects.filter(id__gt=last).order_by("id")
    return response, [(e.action, e.object_type) for e in written]


def writes_in(written: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [entry for entry in written if entry[0] in WRITES]


def others_in(written: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [entry for entry in written if entry[0] not in WRITES]


@dataclass(frozen=True)
class Form:
    """A page that writes: who sends it, where, a mistaken and a good body, and the write
    entries the good body makes (action, object type): one, unless the service changes more
    than one record. `setup` makes what the page is about (a question, a task...)."""

    who: str
    url: Callable[[Cast, Any], str]
    bad: Callable[[Cast, Any], dict[str, str]]
    good: Callable[[Cast, Any], dict[str, str]]
    writes: tuple[tuple[str, str], ...]
    setup: Callable[[Cast], Any] = field(default=lambda cast: None)


def form_sent(
    client: Any, cast: Cast, form: Form, *, good: bool
) -> tuple[Any, list[tuple[str, str]]]:
    """Make what the page is about, sign in as the form's sender and send its good (or its
    mistaken) body: the response, and what that wrote to the audit trail."""
    obj = form.setup(cast)
    client.force_login(getattr(cast, form.who))
    body = form.good if good else form.bad
    return entries_during(lambda: client.post(form.url(cast, obj), body(cast, obj)))
