"""Invitations: the one way people join the service (open sign-up is off).

A navigator invites a patient or carer; a team lead or administrator invites staff. The person
gets a link by email or SMS; the link holds a random token of which only the hash is stored.
"""

import secrets

import phonenumbers
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from navigator.accounts.models import (
    INVITATION_LIFETIME,
    STAFF_ROLES,
    Invitation,
    Language,
    Role,
    User,
)
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.crypto import reseal
from navigator.messaging.services import Recipient, message_send
from navigator.organisations.models import Membership, Team

# Numbers without a country code are taken as UK numbers.
DEFAULT_PHONE_REGION = "GB"


def phone_to_e164(value: str) -> str:
    """A mobile number in E.164 form (+447700900123), or ValidationError.

    "Possible" (the right length for its country) rather than "valid": the numbers set aside
    for drama and testing (07700 900xxx) are not allocated, so strict checks refuse them.
    """
    try:
        number = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number_for_type(
        number, phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationError(
            "Enter a mobile phone number, like 07700 900 123 or +44 7700 900 123",
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def invitation_allowed(*, inviter: User, role: str, team: Team | None) -> bool:
    """Who may invite whom.

    - Only active staff invite, and only once they have enrolled MFA.
    - Patients and carers: any staff member; naming a team needs membership of it (admins need not).
    - Navigators, clinicians and team leads: an administrator, or the lead of the team they join.
    - Administrators and service managers (who belong to no team): administrators only.
    """
    if not inviter.is_active or not inviter.is_staff_role or not inviter.has_mfa:
        return False
    if inviter.role == Role.ADMIN:
        return True
    if role in (Role.ADMIN, Role.SERVICE_MANAGER):
        return False
    if team is None:
        return role not in STAFF_ROLES
    memberships = Membership.objects.filter(team=team, user=inviter)
    if role in STAFF_ROLES:
        return inviter.role == Role.TEAM_LEAD and memberships.filter(is_lead=True).exists()
    return memberships.exists()


def invitation_choices(*, inviter: User) -> tuple[list[str], list[Team]]:
    """The roles and teams `inviter` may invite into, for the invitation form's choices."""
    if not inviter.is_active or not inviter.is_staff_role or not inviter.has_mfa:
        return [], []
    if inviter.role == Role.ADMIN:
        return list(Role.values), list(Team.objects.order_by("name"))
    teams = Team.objects.filter(memberships__user=inviter).distinct().order_by("name")
    roles = [Role.PATIENT, Role.CARER]
    if inviter.role == Role.TEAM_LEAD:
        roles += [Role.NAVIGATOR, Role.CLINICIAN, Role.TEAM_LEAD]
    return [str(role) for role in roles], list(teams)


def invitation_create(
    *, invited_by: User, email: str, phone: str, role: str, team: Team | None
) -> tuple[Invitation, str]:
    """Invite someone and send them the link; returns the invitation and the link.

    The link is returned (never stored) so the caller can also read it out over the phone.
    Raises ValidationError for bad details and PermissionDenied if `invited_by` may not invite
    this role into this team.
    """
    email = email.strip().lower()
    phone = phone_to_e164(phone) if phone.strip() else ""
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role"})
    if not email and not phone:
        raise ValidationError("Enter an email address or a mobile phone number")
    if role in STAFF_ROLES and not email:
        raise ValidationError({"email": "Enter an email address: staff sign in with it"})
    if role in STAFF_ROLES and role not in (Role.ADMIN, Role.SERVICE_MANAGER) and team is None:
        raise ValidationError({"team": "Choose the team they will join"})
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone already has an account with this email address"})
    if not invitation_allowed(inviter=invited_by, role=role, team=team):
        raise PermissionDenied("You cannot invite someone to this role or team.")

    token = secrets.token_urlsafe(32)
    link = reverse("invitation_accept", args=[token])
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            phone=phone,
            role=role,
            team=team,
            invited_by=invited_by,
            token_hash=Invitation.hash_token(token),
        )
        audit_record(
            actor=invited_by,
            action=AuditEvent.Action.CREATE,
            obj=invitation,
            summary=f"Invited a new {invitation.get_role_display().lower()}",
        )
        message_send(
            recipient=Recipient(
                name="",
                phone=phone,
                email=email,
                preferred_channel="email" if email else "sms",
            ),
            kind="invitation",
            context={"link": link, "valid_days": INVITATION_LIFETIME.days},
            idempotency_key=f"invitation:{invitation.id}",
        )
    return invitation, link


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state; None if there is none."""
    return (
        Invitation.objects.select_related("team", "team__organisation", "invited_by")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )


def user_language_set(*, user: User, language: str) -> User:
    """The language of the pages this person sees ("en" or "cy"): a carer's own choice. A
    patient's follows their record (patients.services.patient_language_set)."""
    if language not in Language.values:
        raise ValidationError(_("Choose English or Cymraeg."))
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def invitation_accept(
    *,
    invitation: Invitation,
    email: str,
    full_name: str = "",
    password: str | None = None,
    language: str = Language.ENGLISH,
) -> User:
    """Create the invited person's account and use up the invitation.

    Staff choose a password (and enrol an authenticator app next: see StaffMfaRequiredMiddleware)
    and join the invitation's team. Patients and carers get no password: they sign in with a
    code sent to `email`, or by text to the invitation's phone when `email` is blank. The email address counts as verified when it is the one the
    invitation was sent to, since the link reached them there; any other is verified by their
    first sign-in code.
    """
    email = email.strip().lower()
    with transaction.atomic():
        # Locked, so two submissions of the same link cannot both create an account.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:
            raise ValidationError(_("This invitation can no longer be used."), code="unusable")
        if invitation.is_staff_role and (not password or email != invitation.email):
            raise ValidationError(
                _("Staff accounts need the invited email address and a password.")
            )
        if email and User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("Someone already has an account with this email address."), code="email_taken"
            )
        user = User.objects.create_user(
            email,
            password,
            role=invitation.role,
            full_name=full_name.strip(),
            phone=invitation.phone,
            is_staff=invitation.role == Role.ADMIN,
            language=language if language in Language.values else Language.ENGLISH,
        )
        if email:
            EmailAddress.objects.create(
                user=user, email=email, primary=True, verified=email == invitation.email
            )
        if invitation.team is not None and invitation.is_staff_role:
            Membership.objects.create(
                team=invitation.team, user=user, is_lead=invitation.role == Role.TEAM_LEAD
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=user,
            action=AuditEvent.Action.UPDATE,
            obj=invitation,
            summary="Accepted an invitation and created an account",
        )
    return user


def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw an invitation that has not been used; its link then says so.

    Anyone who could have sent it may withdraw it.
    """
    if not invitation_allowed(inviter=by, role=invitation.role, team=invitation.team):
        raise PermissionDenied("You cannot withdraw this invitation.")
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if updated:
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=invitation,
                summary="Withdrew an invitation",
            )
    invitation.refresh_from_db()
    return invitation


# The secrets allauth keeps in an authenticator's `data`, sealed by our MFA adapter.
MFA_SEALED_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed",)}
MFA_SEALED_LISTS = {"recovery_codes": ("migrated_codes",)}


def mfa_secrets_reseal() -> int:
    """Seal every TOTP secret and recovery-code seed again under the first key in
    DATA_ENCRYPTION_KEYS (key rotation); the number of authenticators changed."""
    changed = 0
    for authenticator in Authenticator.objects.filter(type__in=MFA_SEALED_FIELDS).iterator():
        data = dict(authenticator.data)
        for name in MFA_SEALED_FIELDS[authenticator.type]:
            if isinstance(data.get(name), str):
                data[name] = reseal(data[name])
        for name in MFA_SEALED_LISTS.get(authenticator.type, ()):
            if isinstance(data.get(name), list):
                data[name] = [reseal(value) for value in data[name]]
        # One row at a time, by a conditional UPDATE: a sign-in that marks a recovery code
        # used meanwhile keeps its mark (the row is then left for the next run).
        changed += Authenticator.objects.filter(
            pk=authenticator.pk, data=authenticator.data
        ).update(data=data)
    return changed
