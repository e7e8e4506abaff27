"""`{% pathway_clocks case %}`: the case's waiting-time clocks, for staff or in the patient's words.

A template tag so pages in `patients` can show clocks without `patients` importing this app.
"""

from typing import Any

from django import template

from appointments.clocks import case_clocks
from patients.models import Case

register = template.Library()


@register.inclusion_tag("appointments/partials/clocks.html")
def pathway_clocks(case: Case, audience: str = "staff") -> dict[str, Any]:
    return {"clocks": case_clocks(case), "for_patient": audience == "patient", "case": case}
