"""Records past the retention policy, for a team lead to confirm their removal."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from navigator.http import AuthenticatedHttpRequest
from patients.access import case_refused
from patients.models import RetentionReview
from patients.selectors import retention_reviews_for_lead
from patients.services.retention import RECORD_KINDS, retention_remove, retention_rule

RETENTION_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def retention_due_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the daily job listed for the teams this lead leads; ticking some and confirming
    removes them, one case at a time, each checked against the rules and the policy again."""
    user = request.user
    if not user.has_perm("patients.review_retention"):
        raise Http404("No such page")
    error = ""
    if request.method == "POST":
        chosen = request.POST.getlist("review")
        if not chosen:
            error = "Choose the records to remove"
        elif request.POST.get("confirm") != "yes":
            error = "Confirm that the records may be removed"
        else:
            removed = 0
            for review_id in chosen:
                try:
                    UUID(review_id)
                except ValueError:
                    raise Http404("No such record") from None
                review = RetentionReview.objects.select_related("case").filter(pk=review_id).first()
                if review is None:
                    continue  # removed already, by a colleague or with its case
                if not user.has_perm("patients.confirm_removal", review.case):
                    raise case_refused(request, case_id=review.case_id, case=review.case)
                try:
                    retention_remove(review=review, by=user)
                except ValidationError as refused:
                    messages.error(request, " ".join(refused.messages))
                else:
                    removed += 1
            messages.success(request, f"Removed {removed} record{'s' if removed != 1 else ''}.")
            return redirect("patients:retention_due")
    page = Paginator(retention_reviews_for_lead(user=user), RETENTION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "patients/retention_due.html",
        {
            "page": page,
            "kinds": RECORD_KINDS,
            "rules": {kind: retention_rule(kind) for kind in RECORD_KINDS},
            "error": error,
            "chosen": request.POST.getlist("review"),
        },
    )
