"""Writes to providers: each validated, in a transaction, with its audit entry."""

import hashlib
import hmac
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.organisations.models import Organisation, OrganisationCredential

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


# --- Credentials for providers' systems (POST /fhir/) ------------------------------------------

CREDENTIAL_PREFIX_BYTES = 6
CREDENTIAL_SECRET_BYTES = 32


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def organisation_credential_issue(
    *, organisation: Organisation, name: str, by: User
) -> tuple[OrganisationCredential, str]:
    """A new key for `organisation`'s system called `name`: the row, and the key itself, which
    is shown once and never stored (only its hash is)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": ["Say which system will hold the key."]})
    if len(name) > 100:
        raise ValidationError({"name": ["The name must be 100 characters or fewer."]})
    prefix = secrets.token_hex(CREDENTIAL_PREFIX_BYTES)
    key = f"{prefix}.{secrets.token_urlsafe(CREDENTIAL_SECRET_BYTES)}"
    credential = OrganisationCredential.objects.create(
        organisation=organisation, name=name, prefix=prefix, key_hash=_key_hash(key), created_by=by
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=credential,
        summary=f"Issued a system key for {organisation} ({name}, key {prefix})",
    )
    return credential, key


@transaction.atomic
def organisation_credential_revoke(
    *, credential: OrganisationCredential, by: User
) -> OrganisationCredential:
    """Stop a key working, at once. Revoking a revoked key changes nothing."""
    credential = OrganisationCredential.objects.select_for_update().get(pk=credential.pk)
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.revoked_by = by
        credential.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=credential,
            summary=f"Revoked the system key {credential.prefix} of {credential.organisation}",
        )
    return credential


def organisation_credential_check(key: str) -> OrganisationCredential | None:
    """The active credential whose key is `key`, or None (wrong, unknown or revoked)."""
    prefix, dot, _ = key.partition(".")
    if not dot or not prefix or len(prefix) > 16:
        return None
    credential = (
        OrganisationCredential.objects.select_related("organisation").filter(prefix=prefix).first()
    )
    if credential is None or not hmac.compare_digest(credential.key_hash, _key_hash(key)):
        return None
    return credential if credential.is_active else None
