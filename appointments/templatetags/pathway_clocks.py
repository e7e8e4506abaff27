"""`{% pathway_clocks case "patient" %}`: the case's waiting-time clocks, on the patient's home page.

Only `navigator/home.html` still loads this; other pages' views pass `clocks=case_clocks(case)` and
include `appointments/partials/clocks.html`. When the home page gets a presenter of its own, it
should do the same and this tag goes.
"""

from typing import Any

from django import template

from appointments.clocks import case_clocks
from patients.models import Case

register = template.Library()


@register.inclusion_tag("appointments/partials/clocks.html")
def pathway_clocks(case: Case, audience: str = "staff") -> dict[str, Any]:
    return {"clocks": case_clocks(case), "for_patient": audience == "patient", "case": case}
