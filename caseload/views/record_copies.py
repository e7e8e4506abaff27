"""A person's own copy of their record: asked for from the home page (or, for a subject access
request, from the case page by a lead of the case's team), its page saying how it stands, and
its download. The work is `caseload.services`; who may have it, `caseload.access`."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from caseload.access import get_record_copy_for_user
from caseload.models import RecordCopy
from caseload.services import RecordCopyError, record_copy_request
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.documents import documents_storage


@login_required
@require_POST
def record_copy_ask(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """The patient, or a carer who may act for them: "Get a copy of your record"."""
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.request_record_copy",
        summary="Asked for a copy of the record",
    )
    copy = record_copy_request(
        case=case, requested_by=request.user, purpose=RecordCopy.Purpose.PATIENT
    )
    return redirect("record_copy", copy.pk)


@login_required
@require_POST
def subject_access_copy(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """A lead of the case's team produces the copy for a subject access request."""
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.produce_subject_access_copy",
        summary="Produced a copy of the record for a subject access request",
    )
    try:
        record_copy_request(
            case=case, requested_by=request.user, purpose=RecordCopy.Purpose.SUBJECT_ACCESS
        )
    except RecordCopyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The copy is being prepared. It will be listed here when ready.")
    return redirect(f"{reverse('caseload:case_detail', args=[case.pk])}#subject-access")


@login_required
@require_GET
def record_copy_page(request: AuthenticatedHttpRequest, copy_id: UUID) -> HttpResponse:
    """How the copy stands: being prepared, ready to download until a date, or expired (with
    the offer of a new one)."""
    copy = get_record_copy_for_user(request, copy_id)
    now = timezone.now()
    user = request.user
    staff = copy.purpose == RecordCopy.Purpose.SUBJECT_ACCESS
    back = (
        reverse("caseload:case_detail", args=[copy.case_id])
        if staff
        else f"{reverse('home')}?case={copy.case_id}"
    )
    return render(
        request,
        "caseload/record_copy.html",
        {
            "copy": copy,
            "case": copy.case,
            "patient": copy.patient,
            "is_carer": not staff and copy.patient.user_id != user.pk,
            "expired": copy.is_expired(now),
            "downloadable": copy.is_downloadable(now),
            "can_ask_again": not staff and user.has_perm("patients.request_record_copy", copy.case),
            "back": back,
        },
    )


@login_required
@require_GET
def record_copy_download(
    request: AuthenticatedHttpRequest, copy_id: UUID
) -> HttpResponse | FileResponse:
    """The zip, saved as a download, to those who may have it until it expires; anyone else a
    404 with not a byte read."""
    copy = get_record_copy_for_user(request, copy_id, download=True)
    if not copy.is_downloadable():
        messages.info(request, _("This copy can no longer be downloaded."))
        return redirect("record_copy", copy.pk)
    response = FileResponse(
        documents_storage().open(copy.stored_name, "rb"),
        as_attachment=True,
        filename=f"record-{copy.ready_at:%Y-%m-%d}.zip" if copy.ready_at else "record.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
