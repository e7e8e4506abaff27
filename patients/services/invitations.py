"""The patient's own invitation: sent from their case, accepted with their date of birth.

It is an `accounts.Invitation` for the patient role (the same door carers' invitations use),
plus a `PatientInvitation` naming whose record it opens.
"""

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from navigator.accounts.models import INVITATION_LIFETIME, Invitation, Role, User
from navigator.accounts.services import invitation_accept, invitation_allowed
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.services import MessagingError, Recipient, message_send
from patients.models import (
    PATIENT_INVITATION_MAX_CHECKS,
    Case,
    Channel,
    Patient,
    PatientInvitation,
)
from patients.services.contact import patient_recipient

logger = logging.getLogger(__name__)


def patient_invite_channels(*, patient: Patient) -> list[str]:
    """The channels the record can reach the patient by, their preferred one first."""
    channels = [
        channel
        for channel, address in ((Channel.SMS, patient.phone), (Channel.EMAIL, patient.email))
        if address
    ]
    channels.sort(key=lambda channel: channel != patient.preferred_channel)
    return [str(channel) for channel in channels]


def patient_invite(*, case: Case, by: User, channel: str) -> tuple[PatientInvitation, str]:
    """Invite the case's patient to use the service, by text or email; returns it and its link.

    Rules:
    - staff who may invite patients into the case's team (`invitation_allowed`) only;
    - the patient must not have an account yet;
    - it goes to the phone or email on the record (`channel`); the message names no
      diagnosis or care, only the service and the link;
    - an earlier invitation still open is withdrawn, so only the newest link works.
    """
    patient = case.patient
    if not invitation_allowed(inviter=by, role=Role.PATIENT, team=case.team):
        raise PermissionDenied("You cannot invite this patient.")
    if patient.user_id is not None:
        raise ValidationError(f"{patient.full_name} already has an account.", code="has_account")
    if channel not in patient_invite_channels(patient=patient):
        raise ValidationError(
            {"channel": "Choose how to send the invitation: by text message or by email"}
        )
    token = secrets.token_urlsafe(32)
    link = reverse("patients:patient_invitation_accept", args=[token])
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            patient_invitation__patient=patient,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            email=patient.email,
            phone=patient.phone,
            role=Role.PATIENT,
            team=case.team,
            invited_by=by,
            token_hash=Invitation.hash_token(token),
        )
        patient_invitation = PatientInvitation.objects.create(
            invitation=invitation, patient=patient, case=case, channel=channel
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=patient_invitation,
            patient_id=patient.pk,
            summary=f"Invited {patient.full_name} to use the service by "
            f"{patient_invitation.get_channel_display().lower()}",
        )
        message_send(
            recipient=patient_recipient(patient=patient),
            kind="patient_invitation",
            context={"link": link, "valid_days": INVITATION_LIFETIME.days},
            idempotency_key=f"patient-invitation:{invitation.pk}",
            subject_id=patient.pk,
            channel=channel,
        )
    return patient_invitation, link


def _invitation_locked_tell(
    *, patient_invitation: PatientInvitation, invitation: Invitation
) -> None:
    """Email the case's navigator (and whoever sent it, if someone else) that the invitation
    locked: someone who is not the patient may have the link. The email names no one."""
    case = Case.objects.select_related("navigator").get(pk=patient_invitation.case_id)
    people = {person.pk: person for person in (case.navigator, invitation.invited_by)}
    for person in people.values():
        if not person.is_active or not person.email:
            continue
        try:
            message_send(
                recipient=Recipient(name=person.get_full_name(), email=person.email),
                kind="invitation_locked",
                context={"link": reverse("patients:patient_invite", args=[case.pk])},
                idempotency_key=f"patient-invitation-locked:{patient_invitation.pk}:{person.pk}",
                subject_id=case.patient_id,
                channel="email",
                urgent=True,
            )
        except MessagingError:
            # The lock and its audit entry stand; the invitation page shows it too.
            logger.warning("Could not email %s about locked invitation", person.pk)


@dataclass(frozen=True)
class InvitationCheck:
    """How a date-of-birth check went: the new account, or how many tries are left."""

    user: User | None
    checks_left: int

    @property
    def locked(self) -> bool:
        return self.user is None and self.checks_left == 0


def patient_invitation_accept(
    *, patient_invitation: PatientInvitation, date_of_birth: dt.date
) -> InvitationCheck:
    """The invited person gives their date of birth; if it is the patient's, their account is
    made and linked to the patient's record, once.

    Rules:
    - a used, withdrawn, expired or locked invitation, or a patient who already has an
      account, is refused (ValidationError);
    - a wrong date is counted and audited, not raised, so the count survives; the
      `PATIENT_INVITATION_MAX_CHECKS`th wrong date locks the invitation (withdrawn, with
      `locked_at`); the case's navigator and the sender are emailed, and the invitation
      page and the audit trail show it;
    - the account gets the patient's name, and the email and phone on the invitation (the
      record's, entered by their team).
    """
    with transaction.atomic():
        locked = PatientInvitation.objects.select_for_update().get(pk=patient_invitation.pk)
        invitation = Invitation.objects.select_for_update().get(pk=locked.invitation_id)
        patient = Patient.objects.select_for_update().get(pk=locked.patient_id)
        if locked.locked_at is not None or not invitation.is_usable:
            raise ValidationError(_("This invitation can no longer be used."), code="unusable")
        if patient.user_id is not None:
            raise ValidationError(_("This record already has an account."), code="has_account")
        if date_of_birth != patient.date_of_birth:
            locked.failed_checks += 1
            summary = "A wrong date of birth was given for an invitation"
            if locked.failed_checks >= PATIENT_INVITATION_MAX_CHECKS:
                locked.locked_at = invitation.revoked_at = timezone.now()
                invitation.save(update_fields=["revoked_at"])
                summary = (
                    f"Invitation locked after {locked.failed_checks} wrong dates of birth:"
                    " send a new one"
                )
            locked.save(update_fields=["failed_checks", "locked_at"])
            audit_record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                obj=locked,
                patient_id=patient.pk,
                summary=summary,
            )
            if locked.locked_at is not None:
                _invitation_locked_tell(patient_invitation=locked, invitation=invitation)
            return InvitationCheck(user=None, checks_left=locked.checks_left)
        user = invitation_accept(
            invitation=invitation,
            email=invitation.email,
            full_name=patient.full_name,
            language=patient.language,
        )
        patient.user = user
        patient.save(update_fields=["user", "updated_at"])
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            obj=patient,
            patient_id=patient.pk,
            summary="Accepted the invitation: the account is linked to this record",
        )
    return InvitationCheck(user=user, checks_left=locked.checks_left)
