"""Panels that other pages of a case show: unread messages, and the questions to ask."""

from typing import Any

from django import template

from patients.models import Case
from patients.selectors import questions_for_case, unread_message_count

register = template.Library()

HOME_QUESTIONS_SHOWN = 5


@register.inclusion_tag("patients/includes/messages_panel.html", takes_context=True)
def case_messages_panel(context: dict[str, Any], case: Case) -> dict[str, Any]:
    """A link to the case's messages with how many are new to the signed-in person's side."""
    user = context["user"]
    return {
        "case": case,
        "unread": unread_message_count(case=case, user=user),
        "is_staff": user.is_staff_role,
        "is_carer": not user.is_staff_role and case.patient.user_id != user.pk,
        "can_post": user.has_perm("patients.post_message", case),
    }


@register.inclusion_tag("patients/includes/questions_panel.html", takes_context=True)
def case_questions_panel(context: dict[str, Any], case: Case) -> dict[str, Any]:
    """The questions still to ask at the next appointment, for the patient's home page."""
    user = context["user"]
    questions = list(
        questions_for_case(case=case).filter(asked_at__isnull=True)[: HOME_QUESTIONS_SHOWN + 1]
    )
    return {
        "case": case,
        "questions": questions[:HOME_QUESTIONS_SHOWN],
        "more": len(questions) > HOME_QUESTIONS_SHOWN,
        "is_carer": case.patient.user_id != user.pk,
        "can_change": user.has_perm("patients.change_questions", case),
    }
