"""The outbox for one case: every SMS and email sent about the patient, and how each went."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from navigator.http import AuthenticatedHttpRequest
from navigator.messaging.selectors import outbox_for_subject, sms_opt_out_for
from patients.access import get_case_for_user

OUTBOX_PAGE_SIZE = 50


@login_required
@require_GET
def case_outbox(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """Staff on the case see what was sent, where (partly hidden), its status and any error."""
    case = get_case_for_user(
        request, case_id, perm="patients.view_outbox", summary="Looked at the messages sent"
    )
    page = Paginator(outbox_for_subject(subject_id=case.patient_id), OUTBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "messaging/outbox.html",
        {"case": case, "page": page, "sms_opt_out": sms_opt_out_for(phone=case.patient.phone)},
    )
