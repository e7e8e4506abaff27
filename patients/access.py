"""The one door to a case from a view: found and permitted, or 404; and the access audited.

The door records that the case was opened (a view, or a print or export), never a write: a
write is recorded by the service that makes it, once, inside its transaction, so a form sent
back with errors leaves only the access in the trail.
"""

from uuid import UUID

from django.http import Http404, HttpRequest

from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record, audit_refusal_record
from navigator.http import ExplainedNotFound
from patients.models import Case, CaseDocument
from patients.selectors import carer_grants_withdrawn

# What the door may record: looking at the record, or taking it away (a print or a PDF).
ACCESS_ACTIONS = frozenset({AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT})


def get_case_for_user(
    request: HttpRequest,
    case_id: UUID | str,
    *,
    perm: str = "patients.view_case",
    action: str = AuditEvent.Action.VIEW,
    summary: str = "",
) -> Case:
    """Return the case if `request.user` holds `perm` on it, writing the access audit entry.

    Anyone else gets 404, so a case's existence is not revealed to those outside it, and the
    refusal goes in the security log (`audit_refusal_record`), which the patient's "who has
    looked" leaves out. `action` is VIEW or EXPORT; a write (CREATE, UPDATE, DELETE) is the
    service's to record.
    """
    if action not in ACCESS_ACTIONS:
        raise ValueError(f"The case door records access only, not {action!r}.")
    user = request.user
    # The patient's GP practice with them: pages name it beside the patient (a join, not a query).
    case = (
        Case.objects.select_related("patient__gp_practice", "team", "navigator")
        .filter(pk=case_id)
        .first()
    )
    if case is None or not user.has_perm(perm, case):
        raise case_refused(request, case_id=case_id, case=case)
    audit_record(
        actor=user,
        action=action,
        obj=case,
        patient_id=case.patient_id,
        summary=summary,
        request=request,
    )
    return case


def case_refused(request: HttpRequest, *, case_id: UUID | str, case: Case | None) -> Http404:
    """The 404 for a case `request.user` may not have (`case`: the case, if it exists), with the
    refusal recorded in the security log. For pages that decide a refusal themselves."""
    audit_refusal_record(
        request=request,
        status=404,
        object_type=Case._meta.label_lower,
        object_id=str(case_id),
        patient_id=case.patient_id if case else None,
    )
    user = getattr(request, "user", None)
    if case is not None and user is not None and user.is_authenticated:
        # A carer whose access the patient took back (an old bookmark, a text's link, the page
        # sign-in sends them on to) is told so: whose record and since when, nothing more. Only
        # someone who once had access reads it; anyone else gets the plain 404.
        withdrawn = carer_grants_withdrawn(user=user, case_id=str(case.pk))
        if withdrawn:
            return ExplainedNotFound(
                "Access withdrawn",
                template_name="patients/access_withdrawn.html",
                context={"grant": withdrawn[0]},
            )
    return Http404("No such case")


def get_document_for_user(
    request: HttpRequest, case_id: UUID | str, document_id: UUID | str
) -> CaseDocument:
    """The document if `request.user` may see it (`patients.view_document`), its download
    recorded in the audit trail; anyone else gets 404, recorded in the security log, before a
    byte of the file is read."""
    user = request.user
    document = (
        CaseDocument.objects.select_related("case__patient")
        .filter(pk=document_id, case_id=case_id)
        .first()
    )
    if document is None or not user.has_perm("patients.view_document", document):
        audit_refusal_record(
            request=request,
            status=404,
            object_type=CaseDocument._meta.label_lower,
            object_id=str(document_id),
            patient_id=document.case.patient_id if document else None,
        )
        raise Http404("No such document")
    audit_record(
        actor=user,
        action=AuditEvent.Action.EXPORT,
        obj=document,
        patient_id=document.case.patient_id,
        summary=f"Downloaded a document ({document.kind}, {document.content_type})",
        request=request,
    )
    return document
