"""The printed care plan (PDF) for the care team, the patient and their carers."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from careplans.models import CarePlan
from careplans.printed_plan import LANGUAGES, pdf_filename
from careplans.selectors import plan_for_case
from careplans.services.printing import care_plan_pdf
from navigator.audit.models import AuditEvent
from navigator.http import AuthenticatedHttpRequest
from navigator.pdf import PdfRenderError
from patients.access import get_case_for_user
from patients.models import Patient


def pdf_options(request: HttpRequest, patient: Patient) -> tuple[bool, str]:
    """Large print and language from the query (?size=large&lang=cy), else the patient's needs."""
    size = request.GET.get("size", "")
    large = size == "large" if size in ("large", "standard") else patient.needs_large_print
    language = request.GET.get("lang", "")
    if language not in LANGUAGES:
        language = patient.language if patient.language in LANGUAGES else "en"
    return large, language


def pdf_response(
    request: HttpRequest,
    plan: CarePlan,
    *,
    large: bool,
    language: str,
    failed_template: str = "careplans/pdf/failed.html",
) -> HttpResponse:
    try:
        pdf = care_plan_pdf(plan=plan, large=large, language=language)
    except PdfRenderError:
        return render(request, failed_template, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = pdf_filename(plan, large=large, language=language)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def plan_pdf(request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    """Anyone who may read the plan on screen may print it; the print is audited as an export."""
    case = get_case_for_user(
        request,
        case_id,
        action=AuditEvent.Action.EXPORT,
        summary="Printed a care plan (PDF)",
    )
    plan = plan_for_case(case, plan_id)
    if plan is None:
        raise Http404("No such plan")
    large, language = pdf_options(request, case.patient)
    return pdf_response(request, plan, large=large, language=language)
