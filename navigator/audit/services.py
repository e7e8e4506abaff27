from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest

from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.db import rows_insert_together

_ACTION_WORDS: dict[str, str] = dict(AuditEvent.Action.choices)

# Who acts when no person does: a provider's system sending events with its key. Set by
# `audit_on_behalf_of` around a request's work, so every entry the services write inside says
# which system did it rather than "Anonymous".
_on_behalf_of: ContextVar[str] = ContextVar("audit_on_behalf_of", default="")


@contextmanager
def audit_on_behalf_of(label: str) -> Iterator[None]:
    """Entries written inside with no person as the actor name `label` as who did it."""
    token = _on_behalf_of.set(label)
    try:
        yield
    finally:
        _on_behalf_of.reset(token)


@dataclass(frozen=True)
class AuditEntry:
    """One entry for `audit_record_many`: what `audit_record` takes, less the actor and request."""

    action: str
    obj: object | None = None
    object_type: str = ""
    object_id: str = ""
    patient_id: UUID | None = None
    summary: str = ""


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    obj: object | None = None,
    object_type: str = "",
    object_id: str = "",
    patient_id: UUID | None = None,
    summary: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write one audit entry. `obj` fills type and id (and, with no `summary`, says what was done
    to what: "Viewed the case"); `patient_id` names whose record it is."""
    entry = AuditEntry(
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        summary=summary,
    )
    event = _event(entry, actor=actor, request=request)
    event.save(force_insert=True)
    return event


def audit_refusal_record(
    *,
    request: HttpRequest,
    status: int,
    object_type: str,
    object_id: str = "",
    patient_id: UUID | None = None,
) -> AuditEvent:
    """Record a refused attempt at a patient's record (the security log): who, what they asked
    for (method and path), and the answer they got (404, or 403 from the API)."""
    return audit_record(
        actor=request.user,
        action=AuditEvent.Action.REFUSE,
        object_type=object_type,
        object_id=object_id[:64],
        patient_id=patient_id,
        summary=f"Refused {request.method} (answered {status})",
        request=request,
    )


def audit_record_many(
    *,
    actor: User | AnonymousUser | None,
    entries: Sequence[AuditEntry],
    request: HttpRequest | None = None,
    with_rows: Sequence[tuple[type[models.Model], Sequence[models.Model]]] = (),
) -> list[AuditEvent]:
    """Write many audit entries by one actor in one INSERT (a job's batch): each as
    `audit_record` would write it. `with_rows`: new rows of other models (what the entries
    record), written in the same statement (`rows_insert_together`)."""
    events = [_event(entry, actor=actor, request=request) for entry in entries]
    # Inserts only, so the append-only rule (no updates, no deletes) holds here too.
    rows_insert_together(tables=[*with_rows, (AuditEvent, events)])
    return events


def _event(
    entry: AuditEntry, *, actor: User | AnonymousUser | None, request: HttpRequest | None
) -> AuditEvent:
    object_type, object_id, obj = entry.object_type, entry.object_id, entry.obj
    summary = entry.summary
    if obj is not None:
        object_type = object_type or obj._meta.label_lower  # type: ignore[attr-defined]
        object_id = object_id or str(obj.pk)  # type: ignore[attr-defined]
        # Said in words now, while we hold the record: readers of the trail (the patient's
        # "who has looked") then need no lookup of a model by name, in any app.
        thing = obj._meta.verbose_name  # type: ignore[attr-defined]
        summary = summary or f"{_ACTION_WORDS.get(entry.action, entry.action)} the {thing}"
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    user = actor if isinstance(actor, User) else None  # a User is always authenticated
    return AuditEvent(
        actor=user,
        actor_label=(
            str(actor) if authenticated else (_on_behalf_of.get() if actor is None else "")
        )[:200]
        or "Anonymous",
        actor_role=getattr(actor, "role", "") if authenticated else "",
        patient_id=entry.patient_id,
        action=entry.action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:200],
        path=request.path[:300] if request else "",
        ip_address=_client_ip(request) if request else None,
    )


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or None
