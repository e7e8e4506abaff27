"""Carers: the patient's invitations, their acceptance, and taking access away."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from navigator.accounts.models import INVITATION_LIFETIME, STAFF_ROLES, Invitation, Role, User
from navigator.accounts.services import invitation_accept
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.language import in_english
from navigator.messaging.services import Recipient, message_send
from patients.models import CarerAccess, CarerInvitation, Patient
from patients.services.common import EMAIL_MESSAGE, _Errors
from patients.validators import phone_to_e164


def level_label(access: CarerAccess | CarerInvitation) -> object:
    """The access level's label, untranslated until shown (see navigator.language.in_english)."""
    return CarerAccess.Level(access.level).label


def carer_invite(
    *, patient: Patient, by: User, carer_name: str, email: str, phone: str, level: str
) -> tuple[CarerInvitation, str]:
    """The patient invites a carer by email or text; returns the invitation and its link.

    Rules:
    - only the patient invites carers to their own record (PermissionDenied otherwise);
    - a name, a level (read only, or act on my behalf) and an email address or a mobile
      number; all problems come back at once as a ValidationError by argument name;
    - the invitation is an `accounts.Invitation` for the carer role, whose link (its token is
      never stored) comes to this app's accept page; the text and email say nothing about
      the patient or their care.
    """
    if by is None or patient.user_id is None or by.pk != patient.user_id:
        raise PermissionDenied("Only the patient can invite carers to their record.")
    errors = _Errors()
    carer_name = " ".join((carer_name or "").split())
    email = (email or "").strip().lower()
    phone = (phone or "").strip()
    if not carer_name:
        errors.add("carer_name", _("Enter the name of the person you are inviting."))
    elif len(carer_name) > 200:
        errors.add("carer_name", _("The name must be 200 characters or fewer."))
    if level not in CarerAccess.Level.values:
        errors.add("level", _("Choose what they can do."))
    if not email and not phone:
        errors.add("email", _("Enter their email address or mobile phone number."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", EMAIL_MESSAGE)
        else:
            if email in {patient.email.lower(), by.email.lower()}:
                errors.add("email", _("Enter the email address of the person you are inviting."))
    if phone:
        phone = errors.check("phone", phone_to_e164, phone, mobile=True) or phone
    errors.raise_any()

    token = secrets.token_urlsafe(32)
    link = reverse("patients:carer_invitation_accept", args=[token])
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            phone=phone,
            role=Role.CARER,
            invited_by=by,
            token_hash=Invitation.hash_token(token),
        )
        carer_invitation = CarerInvitation.objects.create(
            invitation=invitation, patient=patient, carer_name=carer_name, level=level
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=carer_invitation,
            patient_id=patient.pk,
            summary=f"Invited {carer_name} as a carer ({in_english(level_label(carer_invitation))})",
        )
        message_send(
            recipient=Recipient(
                name=carer_name,
                phone=phone,
                email=email,
                preferred_channel="email" if email else "sms",
                # The carer has no record yet: they are written to in the patient's language.
                language=patient.language,
            ),
            kind="carer_invitation",
            context={"link": link, "valid_days": INVITATION_LIFETIME.days},
            idempotency_key=f"carer-invitation:{invitation.pk}",
            subject_id=patient.pk,
        )
    return carer_invitation, link


def _carer_invitation_claim(carer_invitation: CarerInvitation, *, user: User | None) -> None:
    """Use up the invitation, once: a second acceptance finds it taken and is refused."""
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=carer_invitation.invitation_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).update(accepted_at=now, accepted_by=user)
    if not claimed:
        raise ValidationError(_("This invitation can no longer be used."), code="unusable")


def _carer_grant(carer_invitation: CarerInvitation, *, carer: User) -> CarerAccess:
    patient = carer_invitation.patient
    grant = (
        CarerAccess.objects.select_for_update()
        .filter(patient=patient, carer=carer, revoked_at__isnull=True)
        .first()
    )
    if grant is None:
        grant = CarerAccess.objects.create(
            patient=patient, carer=carer, level=carer_invitation.level
        )
    elif grant.level != carer_invitation.level:
        grant.level = carer_invitation.level
        grant.save(update_fields=["level"])
    audit_record(
        actor=carer,
        action=AuditEvent.Action.CREATE,
        obj=grant,
        patient_id=patient.pk,
        summary=f"Accepted an invitation to be a carer ({in_english(level_label(grant))})",
    )
    return grant


def carer_invitation_accept(*, carer_invitation: CarerInvitation, user: User) -> CarerAccess:
    """A signed-in person accepts a carer invitation: they get the access the patient chose.

    Refused (ValidationError) for the patient themselves, for staff accounts (staff see
    records through their team, never as carers), and for an invitation already used,
    withdrawn or expired. Someone who already cares for the patient gets the new level.
    """
    if user.pk == carer_invitation.patient.user_id:
        raise ValidationError(_("This is an invitation to your own record."), code="own_record")
    if user.role in STAFF_ROLES:
        raise ValidationError(
            _("Staff accounts cannot be carers. Sign out, then open the link again."), code="staff"
        )
    with transaction.atomic():
        _carer_invitation_claim(carer_invitation, user=user)
        return _carer_grant(carer_invitation, carer=user)


def carer_invitation_accept_new_account(
    *, carer_invitation: CarerInvitation, email: str, full_name: str, language: str = "en"
) -> tuple[User, CarerAccess]:
    """Someone without an account accepts: their carer account and their access, together.

    The account is made by `accounts.services.invitation_accept` (which uses up the
    invitation and refuses an email address that already has an account).
    """
    with transaction.atomic():
        user = invitation_accept(
            invitation=carer_invitation.invitation,
            email=email,
            full_name=full_name,
            language=language,
        )
        return user, _carer_grant(carer_invitation, carer=user)


def carer_invitation_withdraw(*, carer_invitation: CarerInvitation, by: User) -> bool:
    """The patient withdraws an invitation not yet accepted; True if it was still open."""
    if by.pk != carer_invitation.patient.user_id:
        raise PermissionDenied("Only the patient can withdraw their invitations.")
    with transaction.atomic():
        withdrawn = Invitation.objects.filter(
            pk=carer_invitation.invitation_id, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if withdrawn:
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=carer_invitation,
                patient_id=carer_invitation.patient_id,
                summary=f"Withdrew the carer invitation for {carer_invitation.carer_name}",
            )
    return bool(withdrawn)


def carer_access_revoke(*, grant: CarerAccess, by: User) -> bool:
    """The patient takes a carer's access away; it ends on the carer's next request.

    Access is checked on every request against live grants (`patients.rules`), so nothing
    else needs to change. True if the grant was still live.
    """
    if by.pk != grant.patient.user_id:
        raise PermissionDenied("Only the patient can take away a carer's access.")
    with transaction.atomic():
        revoked = CarerAccess.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=grant,
                patient_id=grant.patient_id,
                summary=f"Took away {grant.carer.get_full_name()}'s access as a carer",
            )
    return bool(revoked)
