"""Paper assessments: the printed form (careplans.views.paper) and keying one in."""

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from careplans.models import Assessment, Questionnaire
from careplans.services.assessments import (
    AnswerInput,
    Submitted,
    assessment_save_domain,
    assessment_save_wellbeing,
    assessment_start,
    assessment_submit,
)
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from patients.models import Case


def paper_versions(code: str = "hna") -> QuerySet[Questionnaire]:
    """The versions a paper form can have been printed from: every published one, newest first."""
    return Questionnaire.objects.filter(code=code).filter(
        Q(is_active=True) | Q(published_at__isnull=False)
    )


@transaction.atomic
def assessment_key_in(
    *,
    case: Case,
    questionnaire: Questionnaire,
    actor: User,
    completed_by: str,
    completed_on: dt.date,
    answers: Mapping[int, AnswerInput],
    distress_score: int,
    anything_else: str,
) -> Submitted:
    """Enter a completed paper form in one go, against the version printed on it, and send it:
    triaged (an urgent flag at once) and a draft plan, as for one completed online.

    Rules:
    - `answers` is keyed by concern id, for the concerns of `questionnaire`;
    - `completed_by` is who filled the form in; `actor` (staff) keyed it in, as `started_by`;
    - the date on the form is today or earlier.
    Any problem raises ValidationError and nothing is kept.
    """
    if completed_by not in Assessment.CompletedBy.values:
        raise ValidationError({"completed_by": "Choose who filled in the form"})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The date on the form must be today or earlier"})
    if not paper_versions(questionnaire.code).filter(pk=questionnaire.pk).exists():
        raise ValidationError("That version of the form was never published.")
    assessment = assessment_start(
        case=case, actor=actor, completed_by=completed_by, questionnaire=questionnaire
    )
    assessment.mode = Assessment.Mode.PAPER
    assessment.completed_on = completed_on
    assessment.save(update_fields=["mode", "completed_on", "updated_at"])
    for domain in questionnaire.domains.prefetch_related("concerns"):
        mine = {c.pk: answers[c.pk] for c in domain.concerns.all() if c.pk in answers}
        assessment_save_domain(assessment=assessment, domain=domain, answers=mine, actor=actor)
    assessment_save_wellbeing(
        assessment=assessment,
        distress_score=distress_score,
        anything_else=anything_else,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=assessment,
        patient_id=case.patient_id,
        summary=f"Keyed in a paper assessment dated {completed_on:%d %b %Y} "
        f"(version {questionnaire.version})",
    )
    return assessment_submit(assessment=assessment, actor=actor)
