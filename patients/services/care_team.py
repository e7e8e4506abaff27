"""Who is on a case's care team."""

from django.core.exceptions import ValidationError
from django.db import transaction

from navigator.accounts.models import STAFF_ROLES, User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.organisations.models import Organisation
from patients.models import CareTeamMember, Case
from patients.services.common import _Errors


def care_team_add(
    *,
    case: Case,
    by: User,
    role: str,
    user: User | None = None,
    name: str = "",
    organisation: Organisation | None = None,
    contact: str = "",
) -> CareTeamMember:
    """Add a professional to the care team: a staff user (who then sees the case) or a contact.

    Rules:
    - the named navigator changes only by handover, so `role` is never navigator here;
    - a user is on a case's care team at most once, and must have a staff role.
    """
    errors = _Errors()
    name, contact = name.strip(), contact.strip()
    if role not in CareTeamMember.Role.values or role == CareTeamMember.Role.NAVIGATOR:
        errors.add("role", "Choose their role on the care team.")
    if user is not None:
        if not user.is_active or user.role not in STAFF_ROLES:
            errors.add("user", "Only staff accounts can join a care team.")
        elif CareTeamMember.objects.filter(case=case, user=user).exists():
            errors.add("user", f"{user.get_full_name()} is already on the care team.")
        name = name or user.get_full_name()
    elif not name:
        errors.add("name", "Enter their name, or the name of the service.")
    if not case.is_open:
        errors.add("role", "This case is closed, so its care team cannot change.")
    errors.raise_any()

    with transaction.atomic():
        member = CareTeamMember.objects.create(
            case=case, user=user, role=role, name=name, organisation=organisation, contact=contact
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=member,
            patient_id=case.patient_id,
            summary=f"Added {name} ({member.get_role_display()}) to the care team",
        )
    return member


def care_team_remove(*, member: CareTeamMember, by: User) -> None:
    """Take someone off the care team. The named navigator stays until the case is handed over."""
    case = member.case
    if member.user_id is not None and member.user_id == case.navigator_id:
        raise ValidationError(
            "Hand the case over to another navigator before removing the named navigator.",
            code="named_navigator",
        )
    with transaction.atomic():
        label = f"{member.user.get_full_name() if member.user else member.name}"
        audit_record(
            actor=by,
            action=AuditEvent.Action.DELETE,
            obj=member,
            patient_id=case.patient_id,
            summary=f"Removed {label} ({member.get_role_display()}) from the care team",
        )
        member.delete()
