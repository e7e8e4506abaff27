"""Pages of the case record for staff: my cases, opening a case, handover, care team.

The case overview, which brings in appointments and care plans too, is `caseload.views.cases`.
"""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.forms import (
    CareTeamAddForm,
    CaseOpenForm,
    CaseSearchForm,
    HandoverForm,
    add_service_errors,
)
from patients.models import CareTeamMember
from patients.selectors import case_list_mine
from patients.services import (
    DuplicatePatient,
    care_team_add,
    care_team_remove,
    case_close,
    case_handover,
    case_open,
)

CASE_LIST_PAGE_SIZE = 50


@login_required
@require_GET
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My cases, or a search across every case I may see."""
    user = request.user
    if not user.is_staff_role:
        return redirect("home")
    if not user.has_perm("patients.list_cases"):
        raise Http404("No such page")  # a service manager: no one's record, not even a list
    form = CaseSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = Paginator(case_list_mine(user=user, query=query), CASE_LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "patients/case_list.html",
        {
            "form": form,
            "query": query,
            "page": page,
            "can_open_case": user.has_perm("patients.open_case"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_open_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.is_staff_role and not user.has_perm("patients.list_cases"):
        raise Http404("No such page")  # a service manager
    if not user.has_perm("patients.open_case"):
        raise PermissionDenied("Only navigators in a team can open cases.")
    form = CaseOpenForm(request.POST or None, user=user)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            case = case_open(opened_by=user, **form.case_arguments())
        except DuplicatePatient as error:  # saved by someone else since the form checked
            form.add_error("nhs_number", error.error_dict["nhs_number"])
            duplicate = error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Case opened. You are {case.patient.full_name}'s named navigator."
            )
            return redirect("caseload:case_detail", case_id=case.id)
    teams: Any = form.fields["team"]
    return render(
        request,
        "patients/case_open.html",
        {
            "form": form,
            "existing_case": _existing_case_to_link(request, duplicate or form.duplicate),
            "teams": list(teams.queryset),
        },
    )


def _existing_case_to_link(
    request: AuthenticatedHttpRequest, duplicate: DuplicatePatient | None
) -> Any:
    """The existing record to send the user to, if they may see it. The attempt is audited."""
    if duplicate is None or duplicate.existing_case is None:
        return None
    user = request.user
    existing = duplicate.existing_case
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        obj=existing,
        patient_id=existing.patient_id,
        summary="Tried to open a second record for the same NHS number",
        request=request,
    )
    return existing if user.has_perm("patients.view_case", existing) else None


@login_required
@require_http_methods(["GET", "POST"])
def case_handover_page(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.change_case",
        summary="Sent the handover form" if writing else "Opened the handover form",
    )
    form = HandoverForm(request.POST or None, case=case)
    if writing and form.is_valid():
        try:
            case_handover(
                case=case,
                by=request.user,
                to_navigator=form.cleaned_data["to_navigator"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            name = form.cleaned_data["to_navigator"].get_full_name()
            messages.success(request, f"Handed over. {name} is now the named navigator.")
            return redirect("caseload:case_detail", case_id=case.id)
    return render(request, "patients/case_handover.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def case_close_page(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """Close the case, after a page that says what closing means (for the retention policy too)."""
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.change_case",
        summary="Closed the case" if writing else "Opened the page to close the case",
    )
    if writing and case.is_open:
        case_close(case=case, by=request.user)
        messages.success(request, "The case is closed.")
        return redirect("caseload:case_detail", case_id=case.id)
    return render(
        request,
        "patients/case_close.html",
        {"case": case, "years": settings.RETENTION_YEARS["case"]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def care_team_add_page(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.change_case",
        summary="Sent the care team form" if writing else "Opened the care team form",
    )
    form = CareTeamAddForm(request.POST or None)
    if writing and form.is_valid():
        try:
            member = care_team_add(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{member.name} added to the care team.")
            return redirect("caseload:case_detail", case_id=case.id)
    return render(request, "patients/care_team_add.html", {"case": case, "form": form})


@login_required
@require_POST
def care_team_remove_page(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.change_case",
        summary="Asked to remove someone from the care team",
    )
    # The member's id travels in the form body, never the URL, and only within this case.
    member_id = request.POST.get("member", "")
    member = get_object_or_404(
        CareTeamMember.objects.select_related("user", "case"),
        pk=member_id if member_id.isdigit() else None,
        case=case,
    )
    name = member.user.get_full_name() if member.user else member.name
    try:
        care_team_remove(member=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{name} removed from the care team.")
    return redirect("caseload:case_detail", case_id=case.id)
