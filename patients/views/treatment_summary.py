"""The end-of-treatment summary: written and changed by the staff on the case."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.forms import TreatmentSummaryForm, add_service_errors
from patients.models import TreatmentSummary
from patients.services import (
    StaleSummary,
    treatment_summary_for_case,
    treatment_summary_save,
)

STALE_MESSAGE = (
    "Someone else changed this treatment summary after you opened this page. Your changes are "
    "not saved yet: check them against the summary saved now, shown below, then save again."
)


def _initial(summary: TreatmentSummary | None) -> dict[str, Any]:
    if summary is None:
        return {}
    return {
        "diagnosis": summary.diagnosis,
        "treatment_given": summary.treatment_given,
        "treatment_ended_on": summary.treatment_ended_on,
        "intent": summary.intent,
        "side_effects": summary.side_effects,
        "red_flags": summary.red_flags,
        "gp_actions": summary.gp_actions,
        "contacts": summary.contacts,
        "written_by": summary.written_by,
        "written_on": summary.written_on,
        "version": summary.version,
    }


@login_required
@require_http_methods(["GET", "POST"])
def treatment_summary_edit(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.change_case",
        summary="Sent the treatment summary form"
        if writing
        else "Opened the treatment summary form",
    )
    summary = treatment_summary_for_case(case)
    form = TreatmentSummaryForm(request.POST or None, initial=_initial(summary))
    saved_now = None
    if writing and form.is_valid():
        try:
            treatment_summary_save(case=case, by=request.user, **form.summary_arguments())
        except StaleSummary as stale:
            saved_now = stale.current
            # Keep everything typed, but accept the next save: the user has now seen both.
            data = request.POST.copy()
            data["version"] = str(saved_now.version)
            form = TreatmentSummaryForm(data, initial=_initial(saved_now))
            form.is_valid()
            form.add_error(None, STALE_MESSAGE)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Treatment summary saved. The GP sees it on the care plan link and in the "
                "printed plan.",
            )
            return redirect("caseload:case_detail", case_id=case.id)
    return render(
        request,
        "patients/treatment_summary_edit.html",
        {"case": case, "form": form, "summary": summary, "saved_now": saved_now},
    )
