"""Acting on an agreed plan: refer, send a service's details, complete with an outcome, and the
patient's answer to "did you get the help you needed?"."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from careplans import services
from careplans.models import FeedbackAnswer, FeedbackVia, PlanItem
from careplans.services.actions import NotOnAgreedPlan
from careplans.views import case_for_patient_work, is_staff
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.models import Case


def _item(case: Case, plan_id: UUID, item_id: UUID) -> PlanItem:
    item = (
        PlanItem.objects.filter(plan__case=case, plan_id=plan_id, pk=item_id)
        .select_related("plan__case__patient", "plan__case__team", "owner_service")
        .first()
    )
    if item is None:
        raise Http404("No such item")
    return item


def _to_item(item: PlanItem) -> HttpResponse:
    response = redirect("careplans:plan_detail", case_id=item.plan.case_id, plan_id=item.plan_id)
    response["Location"] += f"#item-{item.pk}"
    return response


def _staff_case(request: HttpRequest, case_id: UUID, summary: str) -> Case:
    return get_case_for_user(request, case_id, perm="patients.change_case", summary=summary)


@login_required
@require_POST
def plan_item_refer(
    request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID, item_id: UUID
) -> HttpResponse:
    case = _staff_case(request, case_id, "Asked to send a referral from a care plan")
    item = _item(case, plan_id, item_id)
    try:
        services.plan_item_refer(item=item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Referral sent to {item.owner_service}.")
    return _to_item(item)


@login_required
@require_POST
def plan_item_signpost(
    request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID, item_id: UUID
) -> HttpResponse:
    case = _staff_case(request, case_id, "Asked to send a service's details from a care plan")
    item = _item(case, plan_id, item_id)
    service = None
    if request.POST.get("service"):
        try:
            service = item.signposts.filter(service_id=UUID(request.POST["service"])).first()
        except ValueError:
            service = None
        if service is None:
            messages.error(request, "Choose one of the services suggested for this item.")
            return _to_item(item)
    try:
        services.plan_item_signpost(
            item=item, actor=request.user, service=service.service if service else None
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{item.plan.case.patient.given_name} has been sent the details.")
    return _to_item(item)


@login_required
def plan_item_complete(
    request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID, item_id: UUID
) -> HttpResponse:
    case = _staff_case(request, case_id, "Opened a care plan item to complete it")
    item = _item(case, plan_id, item_id)
    outcome = item.outcome
    errors: dict[str, str] = {}
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        try:
            services.plan_item_complete(item=item, outcome=outcome, actor=request.user)
        except ValidationError as error:
            errors = (
                {k: v[0] for k, v in error.message_dict.items()}
                if hasattr(error, "error_dict")
                else {"outcome": " ".join(error.messages)}
            )
        else:
            messages.success(request, f"“{item.concern_text}” is done.")
            return _to_item(item)
    return render(
        request,
        "careplans/plan_item_complete.html",
        {"case": case, "plan": item.plan, "item": item, "outcome": outcome, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
@require_POST
def plan_item_feedback(
    request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID, item_id: UUID
) -> HttpResponse:
    case = case_for_patient_work(
        request, case_id, "Sent an answer to “did you get the help you needed?”"
    )
    item = _item(case, plan_id, item_id)
    via = FeedbackVia.STAFF if is_staff(request) else FeedbackVia.WEB
    answer = request.POST.get("answer", "")
    try:
        services.signpost_feedback_record(item=item, answer=answer, via=via, actor=request.user)
    except NotOnAgreedPlan as refused:
        # As before the rule moved to the service: only the agreed plan's items are answered.
        raise Http404("No such item") from refused
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if answer == FeedbackAnswer.YES:
            messages.success(request, gettext("Thank you. Your navigator will see your answer."))
        elif via == FeedbackVia.STAFF:
            messages.success(
                request, gettext("Answer recorded. It is on the chase queue to follow up.")
            )
        else:
            messages.success(
                request, gettext("Thank you. Your navigator will contact you to help.")
            )
    return _to_item(item)
