"""The patient's home page, "what happens next": the one page that shows a patient or carer their
whole picture (patients, appointments and careplans), gathered by `caseload.presenters`."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from caseload.presenters import PatientHome
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.selectors import cases_for_patient_home


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff go to their cases; a patient or carer sees "what happens next" for one person.

    `?case=<id>` picks which person when a carer helps more than one; it goes through the same
    door as every case page, so a case they may not see is a 404.
    """
    user = request.user
    if user.is_staff_role:
        return redirect("patients:case_list")
    cases = cases_for_patient_home(user=user)
    chosen = request.GET.get("case", "")
    if not chosen:
        first = cases.first()
        if first is None:
            return render(request, "caseload/home.html", {"case": None})
        chosen = str(first.pk)
    try:
        UUID(chosen)
    except ValueError:
        raise Http404("No such case") from None
    case = get_case_for_user(request, chosen, summary="Viewed what happens next")
    page = PatientHome(case=case, user=user, other_cases=[c for c in cases if c.pk != case.pk])
    return render(
        request,
        "caseload/home.html",
        {"home": page, "case": case, "patient": page.patient, "is_carer": page.is_carer},
    )
