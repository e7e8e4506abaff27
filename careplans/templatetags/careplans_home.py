"""`{% careplans_home case %}`: on the patient's home page, an assessment waiting for them, their
care plan, and anything they have been asked about. A tag, so `navigator`'s home view needs no
import of this app."""

from typing import Any

from django import template

from careplans.models import Assessment, CarePlan, PlanItem
from careplans.selectors import current_plan
from careplans.services.offers import open_offer
from patients.models import Case

register = template.Library()


@register.inclusion_tag("careplans/partials/home.html", takes_context=True)
def careplans_home(context: dict[str, Any], case: Case) -> dict[str, Any]:
    user = context["user"]
    plan = current_plan(case)
    waiting = (
        PlanItem.objects.filter(
            plan__case=case,
            plan__status=CarePlan.Status.AGREED,
            signposted_at__isnull=False,
            feedback_answer="",
            completed_at__isnull=True,
        ).order_by("signposted_at")
        if plan is not None and plan.status == CarePlan.Status.AGREED
        else PlanItem.objects.none()
    )
    return {
        "case": case,
        "offer": open_offer(case),
        "unsent": Assessment.objects.filter(case=case, submitted_at__isnull=True)
        .order_by("-started_at")
        .first(),
        "plan": plan,
        "waiting": list(waiting),
        "can_act": user.has_perm("patients.act_for_patient", case),
        "is_carer": context.get("is_carer", False),
        "patient": case.patient,
        "csrf_token": context.get("csrf_token"),
    }
