"""A case's assessments and care plans, removed with the case under the retention policy.

Registered with `patients.hooks.case_removal_register` (careplans' AppConfig.ready): these rows
protect their case from deletion, so the patients app, which cannot import them, asks us first.
"""

from django.db.models import Model, QuerySet

from careplans.models import Assessment, AssessmentOffer, CarePlan, ShareLink, SurveyInvitation
from patients.models import Case


def case_plans_remove(*, case: Case) -> dict[str, int]:
    """Delete the case's feedback invitations (with their responses), share links, plans (with
    their items and signposts), offers and assessments (with their answers), in the order their protections need; the counts by
    model. Runs inside `patients.services.retention.retention_remove`'s transaction."""
    removed: dict[str, int] = {}
    steps: list[QuerySet[Model]] = [
        SurveyInvitation.objects.filter(case=case),  # type: ignore[list-item]
        ShareLink.objects.filter(case=case),  # type: ignore[list-item]
        CarePlan.objects.filter(case=case),  # type: ignore[list-item]
        AssessmentOffer.objects.filter(case=case),  # type: ignore[list-item]
        Assessment.objects.filter(case=case),  # type: ignore[list-item]
    ]
    for rows in steps:
        _, counts = rows.delete()
        for label, count in counts.items():
            removed[label] = removed.get(label, 0) + count
    return removed
