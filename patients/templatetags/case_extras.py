"""Panels for the patient's home page (`navigator/home.html`), which still loads them as tags.

Each tag only hands its presenter's result to the panel's template; other pages' views call the
presenters themselves and include the template. When the home page gets a presenter of its own,
it should call `patients.presenters` the same way and these tags go.
"""

from typing import Any

from django import template

from patients.models import Case
from patients.presenters import messages_panel, questions_panel

register = template.Library()


@register.inclusion_tag("patients/includes/messages_panel.html", takes_context=True)
def case_messages_panel(context: dict[str, Any], case: Case) -> dict[str, Any]:
    return {"panel": messages_panel(case=case, user=context["user"])}


@register.inclusion_tag("patients/includes/questions_panel.html", takes_context=True)
def case_questions_panel(context: dict[str, Any], case: Case) -> dict[str, Any]:
    return {"panel": questions_panel(case=case, user=context["user"])}
