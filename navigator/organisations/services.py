"""Writes to providers: each validated, in a transaction, with its audit entry."""

from typing import Any

from django.db import transaction

from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.organisations.models import Organisation

FIELDS = ("name", "ods_code", "kind", "email", "phone", "other_contact")


@transaction.atomic
def organisation_create(*, actor: Any, **values: Any) -> Organisation:
    """Add a provider (values: `FIELDS`), validated as the model says."""
    organisation = Organisation(**{k: values.get(k, "") for k in FIELDS})
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=organisation,
        summary=f"Added organisation {organisation}",
    )
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, actor: Any, **values: Any) -> Organisation:
    """Change a provider's details; the audit entry names what changed."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = [k for k in FIELDS if k in values and getattr(organisation, k) != values[k]]
    for name in changed:
        setattr(organisation, name, values[name])
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=organisation,
        summary=f"Changed {', '.join(changed) or 'nothing'} of organisation {organisation}"[:200],
    )
    return organisation
