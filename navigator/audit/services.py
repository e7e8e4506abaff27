from uuid import UUID

from django.http import HttpRequest

from navigator.audit.models import AuditEvent


def audit_record(
    *,
    actor: object | None,
    action: str,
    obj: object | None = None,
    object_type: str = "",
    object_id: str = "",
    patient_id: UUID | None = None,
    summary: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write one audit entry. `obj` fills type and id; `patient_id` names whose record it is."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower  # type: ignore[attr-defined]
        object_id = object_id or str(obj.pk)  # type: ignore[attr-defined]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=(str(actor) if authenticated else "Anonymous")[:200],
        actor_role=getattr(actor, "role", "") if authenticated else "",
        patient_id=patient_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:200],
        path=request.path[:300] if request else "",
        ip_address=_client_ip(request) if request else None,
    )


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or None
