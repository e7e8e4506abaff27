"""Assessment and care plan pages; each reaches its case through patients.access."""

from typing import Any

from django.http import HttpRequest

from patients.access import get_case_for_user
from patients.models import Case


def is_staff(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_staff_role", False))


def case_for_patient_work(request: HttpRequest, case_id: Any, summary: str) -> Case:
    """Staff working with the patient need change rights; a patient, or a carer allowed to act
    for them, needs the right to act. Anyone else gets 404. The access is audited here; what
    the page then changes is audited by the service that changes it."""
    perm = "patients.change_case" if is_staff(request) else "patients.act_for_patient"
    return get_case_for_user(request, case_id, perm=perm, summary=summary)
