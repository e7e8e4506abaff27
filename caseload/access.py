"""The one door to a copy of a person's record (`caseload.models.RecordCopy`): found and
permitted, or 404; the access audited, a refusal in the security log before a byte is read."""

from uuid import UUID

from django.http import Http404, HttpRequest

from caseload.models import RecordCopy
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record, audit_refusal_record


def may_have_record_copy(user: User, copy: RecordCopy) -> bool:
    """The person who asked, while they still hold the rule they asked under; and, for a copy
    asked for from the home page, the patient themselves (asked afresh every time)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.pk == copy.requested_by_id and user.has_perm(copy.required_perm, copy.case):
        return True
    return (
        copy.purpose == RecordCopy.Purpose.PATIENT
        and copy.patient.user_id == user.pk
        and user.has_perm("patients.request_record_copy", copy.case)
    )


def get_record_copy_for_user(
    request: HttpRequest, copy_id: UUID | str, *, download: bool = False
) -> RecordCopy:
    copy = (
        RecordCopy.objects.select_related("case__team", "patient", "requested_by")
        .filter(pk=copy_id)
        .first()
    )
    user = request.user
    if copy is None or not isinstance(user, User) or not may_have_record_copy(user, copy):
        audit_refusal_record(
            request=request,
            status=404,
            object_type=RecordCopy._meta.label_lower,
            object_id=str(copy_id),
            patient_id=copy.patient_id if copy else None,
        )
        raise Http404("No such copy")
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT if download else AuditEvent.Action.VIEW,
        obj=copy,
        patient_id=copy.patient_id,
        summary="Downloaded a copy of the record"
        if download
        else "Viewed the state of a copy of the record",
        request=request,
    )
    return copy
