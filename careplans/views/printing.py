"""Printing the plans due for review across a navigator's caseload: the list, which prints are
ready, and a button that has Celery make the rest (`careplans.tasks`)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from careplans.printed_plan import print_settings
from careplans.selectors import REVIEW_DAYS_AHEAD, plans_due_for_user
from careplans.services.printing import plans_ready
from careplans.tasks import prepare_care_plans_for_printing
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record

# Enough for a team's fortnight of reviews on one page; more are listed as a count.
PAGE_LIMIT = 200


@login_required
@require_http_methods(["GET", "POST"])
def plans_due(request: HttpRequest) -> HttpResponse:
    """Agreed plans due for review on the cases the user works on, soonest first."""
    user: Any = request.user
    if not user.has_perm("careplans.print_plans_due"):
        raise Http404("No such page")
    plans, more = plans_due_for_user(user=user, limit=PAGE_LIMIT)
    if request.method == "POST" and not plans:
        messages.info(
            request, "No care plans are due for review now, so there is nothing to print."
        )
        return redirect("careplans_printing:plans_due")
    if request.method == "POST":
        prepare_care_plans_for_printing.delay([str(plan.pk) for plan in plans])
        audit_record(
            actor=user,
            action=AuditEvent.Action.EXPORT,
            object_type="careplans.plansdue",
            summary=f"Asked for {len(plans)} care plan(s) due for review to be printed",
            request=request,
        )
        messages.success(
            request,
            f"Preparing {len(plans)} care plan{'s' if len(plans) != 1 else ''} for printing. "
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
