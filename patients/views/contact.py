"""Contact details and preferences: changed by staff on the case, the patient, or a carer they
let act for them, with protection against overwriting someone else's change."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.forms import ContactForm, add_service_errors
from patients.models import Patient
from patients.services import StaleRecord, patient_contact_update

STALE_MESSAGE = _(
    "Someone else changed these details after you opened this page. Your changes are not saved "
    "yet: check them against the details saved now, shown below, then save again."
)


def _initial(patient: Patient) -> dict[str, Any]:
    return {
        "phone": patient.phone_display,
        "email": patient.email,
        "address": patient.address,
        "postcode": patient.postcode,
        "preferred_channel": patient.preferred_channel,
        "language": patient.language,
        "needs_large_print": patient.needs_large_print,
        "needs_interpreter": patient.needs_interpreter,
        "interpreter_language": patient.interpreter_language,
        "needs_hearing_support": patient.needs_hearing_support,
        "other_needs": patient.other_needs,
        "version": patient.version,
    }


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    user = request.user
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.change_contact_details",
        summary="Sent the contact details form" if writing else "Opened the contact details form",
    )
    patient = case.patient
    back = (
        reverse("caseload:case_detail", args=[case.id])
        if user.is_staff_role
        else f"{reverse('home')}?case={case.id}"
    )
    form = ContactForm(request.POST or None, initial=_initial(patient))
    saved_now = None
    if writing and form.is_valid():
        try:
            patient_contact_update(
                patient=patient,
                by=user,
                expected_version=form.cleaned_data["version"],
                **form.contact_arguments(),
            )
        except StaleRecord as stale:
            saved_now = stale.current
            # Keep everything typed, but accept the next save: the user has now seen both.
            data = request.POST.copy()
            data["version"] = str(saved_now.version)
            form = ContactForm(data, initial=_initial(saved_now))
            form.is_valid()
            form.add_error(None, STALE_MESSAGE)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("Contact details saved."))
            return redirect(back)
    return render(
        request,
        "patients/contact_edit.html",
        {
            "case": case,
            "patient": patient,
            "form": form,
            "saved_now": saved_now,
            "back": back,
            "is_own_record": patient.user_id == user.pk,
        },
    )
