"""The case timeline for staff: the whole story, filtered by kind, and adding to it."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.forms import TimelineEventForm, TimelineFilterForm, add_service_errors
from patients.hooks import timeline_follow_ups
from patients.selectors import timeline_for_case
from patients.services import timeline_event_add

TIMELINE_PAGE_SIZE = 50


@login_required
@require_GET
def timeline(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """The full timeline. With htmx, changing the filter swaps in just the list; without, the
    filter form submits as a plain GET and the whole page comes back filtered."""
    user = request.user
    if not user.is_staff_role:
        return redirect(f"{reverse('home')}?case={case_id}")
    case = get_case_for_user(request, case_id, summary="Viewed the timeline")
    form = TimelineFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    page = Paginator(timeline_for_case(case=case, kind=kind), TIMELINE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # What each event set in motion (a discharge's check-in, follow-up, summary, assessment).
    follow_ups = timeline_follow_ups(events=list(page))
    for event in page:
        event.follow_ups = follow_ups.get(event.pk, [])  # type: ignore[attr-defined]  # for the page
    context = {
        "case": case,
        "form": form,
        "kind": kind,
        "page": page,
        "can_change": user.has_perm("patients.change_case", case),
    }
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "patients/partials/timeline_list.html", context)
    return render(request, "patients/timeline.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def timeline_add(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.change_case",
        summary="Sent the timeline form" if writing else "Opened the timeline form",
    )
    form = TimelineEventForm(request.POST or None)
    if writing and form.is_valid():
        try:
            event = timeline_event_add(case=case, by=request.user, **form.event_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added to the timeline: {event.summary}")
            return redirect("patients:timeline", case_id=case.id)
    return render(request, "patients/timeline_add.html", {"case": case, "form": form})
