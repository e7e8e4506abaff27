"""The case overview, the navigator's hub for one case: the patient's record with their
appointments' clocks and their messages, gathered by `caseload.presenters.CaseOverview`.

Patients and carers have their own page ("what happens next", the home page); a case URL
opened by one of them sends them there, where the same access rules apply.
"""

from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from caseload.presenters import CaseOverview
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user


def _patient_page(case_id: UUID) -> HttpResponse:
    return redirect(f"{reverse('home')}?case={case_id}")


@login_required
@require_GET
def case_detail(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """The overview: who the person is, who looks after them, what happened lately."""
    user = request.user
    if not user.is_staff_role:
        return _patient_page(case_id)
    case = get_case_for_user(request, case_id)
    page = CaseOverview(case=case, user=user)
    return render(
        request,
        "caseload/case_detail.html",
        {
            "overview": page,
            "case": case,
            "patient": page.patient,
            "can_change": page.can_change,
            "record_copy_days": settings.RECORD_COPY_DAYS,
        },
    )
