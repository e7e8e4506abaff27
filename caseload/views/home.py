"""The patient's home page, "what happens next": the one page that shows a patient or carer their
whole picture (patients, appointments and careplans), gathered by `caseload.presenters`."""

import re
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from caseload.presenters import PatientHome
from navigator.http import AuthenticatedHttpRequest
from patients import links
from patients.access import case_refused, get_case_for_user
from patients.models import Case
from patients.rules import cases_seen
from patients.selectors import carer_grants_withdrawn, cases_for_patient_home


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Service managers go to the service's figures, other staff to their cases; a patient or carer sees "what happens next" for one person.

    `?case=<id>` picks which person when a carer helps more than one; it goes through the same
    door as every case page, so a case they may not see is a 404; but a carer whose access the
    patient took back is told so, and since when.
    """
    user = request.user
    if user.has_perm("insight.view_insight") and not user.has_perm("patients.open_case"):
        return redirect("insight:page")  # a service manager: figures, never a patient's record
    if user.is_staff_role:
        return redirect("patients:case_list")
    cases = list(cases_for_patient_home(user=user))
    cases_seen(user, cases)  # the door need not ask again about the one shown
    chosen = request.GET.get("case", "")
    if chosen:
        try:
            chosen = str(UUID(chosen))
        except ValueError:
            raise Http404("No such case") from None
    if not any(str(c.pk) == chosen for c in cases) and (chosen or not cases):
        # Nothing to show: say why, if a patient took back this person's access (a carer who
        # follows an old link or reloads the page is told so, not "we cannot find a record").
        withdrawn = carer_grants_withdrawn(user=user, case_id=chosen or None)
        if chosen and not withdrawn:
            raise case_refused(request, case_id=chosen, case=Case.objects.filter(pk=chosen).first())
        return render(request, "caseload/home.html", {"case": None, "withdrawn": withdrawn})
    chosen = chosen or str(cases[0].pk)
    case = get_case_for_user(request, chosen, summary="Viewed what happens next")
    page = PatientHome(case=case, user=user, other_cases=[c for c in cases if c.pk != case.pk])
    return render(
        request,
        "caseload/home.html",
        {"home": page, "case": case, "patient": page.patient, "is_carer": page.is_carer},
    )


@login_required
@require_GET
def home_section(request: AuthenticatedHttpRequest, reference: str, section: str) -> HttpResponse:
    """Where a nudge's link lands (`patients.links.home_link`): on to that section of the home
    page for the case it names. A path rather than a fragment, so it survives sign-in. A
    reference to none of their cases (access withdrawn since) lands on home, which says why."""
    if section not in links.SECTIONS or not re.fullmatch(r"[0-9a-f]{8}", reference):
        raise Http404("No such section")
    low, high = links.case_reference_range(reference)
    cases = cases_for_patient_home(user=request.user).filter(pk__gte=low, pk__lte=high)
    found = list(cases.values_list("pk", flat=True)[:2])
    if len(found) != 1:
        return redirect(f"{reverse('home')}#{section}")
    return redirect(f"{reverse('home')}?case={found[0]}#{section}")
