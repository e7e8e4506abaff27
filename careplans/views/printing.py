"""Printing the plans due for review across a navigator's caseload: the list, which prints are
ready, and a button that has Celery make the rest (`careplans.services.printing`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from careplans.printed_plan import print_settings
from careplans.selectors import REVIEW_DAYS_AHEAD, plans_due_for_user
from careplans.services.printing import care_plan_pdfs_request, plans_ready
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.http import AuthenticatedHttpRequest

# Enough for a team's fortnight of reviews on one page; more are listed as a count.
PAGE_LIMIT = 200


@login_required
@require_http_methods(["GET", "POST"])
def plans_due(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Agreed plans due for review on the cases the user works on, soonest first."""
    user = request.user
    if not user.has_perm("careplans.print_plans_due"):
        raise Http404("No such page")
    plans, more = plans_due_for_user(user=user, limit=PAGE_LIMIT)
    if request.method == "POST":
        try:
            asked = care_plan_pdfs_request(actor=user, plans=plans, request=request)
        except ValidationError as error:
            messages.info(request, error.messages[0])
        else:
            messages.success(
                request,
                f"Preparing {asked} care plan{'s' if asked != 1 else ''} for printing. "
                "They will be ready in a minute or two: refresh this page to see.",
            )
        return redirect("careplans_printing:plans_due")
    ready = plans_ready(plans)
    rows = []
    for plan in plans:
        large, language = print_settings(plan.case.patient)
        rows.append((plan, large, language, plan.pk in ready))
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        object_type="careplans.plansdue",
        summary=f"Viewed care plans due for review ({len(plans)})",
        request=request,
    )
    return render(
        request,
        "careplans/plans_due.html",
        {
            "rows": rows,
            "more": more,
            "days": REVIEW_DAYS_AHEAD,
            "waiting": sum(not r[3] for r in rows),
        },
    )
