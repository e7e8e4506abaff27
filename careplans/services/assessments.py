"""Assessments: starting one, saving answers screen by screen, and sending it."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careplans.models import (
    Answer,
    Assessment,
    AssessmentOffer,
    CarePlan,
    CaseFlag,
    Domain,
    Questionnaire,
)
from careplans.models.assessments import RATING_MAX, RATING_MIN
from careplans.selectors import assessment_unsent
from careplans.services.offers import assessment_offer, offer_accept, open_offer
from careplans.services.plans import care_plan_generate
from careplans.services.triage import case_flag_raise, triage_reasons
from careplans.wording import in_language
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from patients.models import Case


@dataclass(frozen=True)
class AnswerInput:
    selected: bool
    rating: int | None = None
    is_priority: bool = False


@transaction.atomic
def assessment_start(
    *,
    case: Case,
    actor: User,
    completed_by: str,
    pathway_point: str | None = None,
    questionnaire_code: str = "hna",
    questionnaire: Questionnaire | None = None,
) -> Assessment:
    """Begin an assessment on the active version of the questionnaire (or on `questionnaire`,
    the version printed on a paper form being keyed in).

    It takes up the case's open offer, if there is one, at the offer's point of the pathway
    (unless another is given); without an offer it counts as at diagnosis."""
    if case.status != Case.Status.OPEN:
        raise ValidationError(_("This case is closed, so it cannot take a new assessment."))
    if questionnaire is None:
        questionnaire = Questionnaire.objects.filter(
            code=questionnaire_code, is_active=True
        ).first()
    if questionnaire is None:
        raise ValidationError(_("There is no assessment to offer at the moment."))
    offer = open_offer(case)
    if pathway_point is None:
        pathway_point = offer.pathway_point if offer else Assessment.PathwayPoint.DIAGNOSIS
    assessment = Assessment.objects.create(
        case=case,
        questionnaire=questionnaire,
        completed_by=completed_by,
        pathway_point=pathway_point,
        offer_status=Assessment.OfferStatus.ACCEPTED,
        language=case.patient.language,
        started_by=actor,
        started_at=timezone.now(),
    )
    if offer is not None:
        offer_accept(offer=offer, assessment=assessment, actor=actor)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=assessment,
        patient_id=case.patient_id,
        summary=f"Started an assessment ({assessment.get_completed_by_display()})",
    )
    return assessment


@transaction.atomic
def assessment_self_start(*, case: Case, actor: User, completed_by: str) -> Assessment:
    """The patient (or a carer acting for them) starts an assessment from their home page,
    whether or not the team has offered one.

    Nobody offered: it goes the way an offer goes, recorded as an offer they asked for (made
    by them, audited, tracked, on the case's assessments like one staff made) but not sent,
    since they are here; then started, which takes the offer up. The first assessment of a case
    is at diagnosis, as one started without an offer is; a later one is where an asked-for
    offer puts it. An offer already open is taken up as it is; an assessment already under way
    is carried on, not started twice (a second press of the button)."""
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one start per case at a time
    unsent = assessment_unsent(case=case)
    if unsent is not None:
        return unsent
    if open_offer(case) is None:
        first = not Assessment.objects.filter(case=case).exists()
        assessment_offer(
            case=case,
            reason=AssessmentOffer.Reason.ON_REQUEST,
            actor=actor,
            pathway_point=Assessment.PathwayPoint.DIAGNOSIS if first else None,
            tell=False,
        )
    return assessment_start(case=case, actor=actor, completed_by=completed_by)


def _editable(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_submitted:
        raise ValidationError(_("This assessment has been sent, so it can no longer be changed."))
    return locked


@transaction.atomic
def assessment_save_domain(
    *,
    assessment: Assessment,
    domain: Domain,
    answers: Mapping[int, AnswerInput],
    actor: User,
) -> None:
    """Save one screen of concerns (save and resume). `answers` is keyed by concern id.

    Raises ValidationError keyed by concern code for a missing or out-of-range rating; then
    nothing on the screen is saved.
    """
    assessment = _editable(assessment)
    if domain.questionnaire_id != assessment.questionnaire_id:
        raise ValidationError(_("That part of the assessment belongs to a different version."))
    concerns = list(domain.concerns.all())
    errors: dict[str, ValidationError] = {}
    for concern in concerns:
        given = answers.get(concern.pk, AnswerInput(selected=False))
        if not given.selected:
            continue
        # The concern in the assessment's own language, as its page shows it.
        params = {"concern": in_language(concern, "text", assessment.language)}
        if given.rating is None:
            errors[concern.code] = ValidationError(
                _("Choose how much “%(concern)s” bothers you, from 0 to 10"), params=params
            )
        elif not RATING_MIN <= given.rating <= RATING_MAX:
            errors[concern.code] = ValidationError(
                _("How much “%(concern)s” bothers you must be a number from 0 to 10"),
                params=params,
            )
    if errors:
        raise ValidationError(errors)
    for concern in concerns:
        given = answers.get(concern.pk, AnswerInput(selected=False))
        Answer.objects.update_or_create(
            assessment=assessment,
            concern=concern,
            defaults={
                "selected": given.selected,
                "rating": given.rating if given.selected else None,
                "is_priority": given.is_priority if given.selected else False,
            },
        )
    assessment.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=assessment,
        patient_id=assessment.case.patient_id,
        summary=f"Saved assessment answers: {domain.title}",
    )


@transaction.atomic
def assessment_save_wellbeing(
    *, assessment: Assessment, distress_score: int | None, anything_else: str, actor: User
) -> None:
    """Save the distress thermometer and the free-text "anything else"."""
    assessment = _editable(assessment)
    if distress_score is not None and not RATING_MIN <= distress_score <= RATING_MAX:
        raise ValidationError(
            {"distress_score": _("Your distress score must be a number from 0 to 10")}
        )
    assessment.distress_score = distress_score
    assessment.anything_else = anything_else.strip()
    assessment.save(update_fields=["distress_score", "anything_else", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=assessment,
        patient_id=assessment.case.patient_id,
        summary="Saved distress score and other concerns",
    )


@dataclass
class Submitted:
    assessment: Assessment
    plan: CarePlan
    flag: CaseFlag | None


@transaction.atomic
def assessment_submit(*, assessment: Assessment, actor: User) -> Submitted:
    """Send the assessment: triage it (flagging the case at once if urgent) and draft a plan."""
    assessment = _editable(assessment)
    if assessment.distress_score is None:
        raise ValidationError(
            {"distress_score": _("Choose a number from 0 to 10 for how distressed you have felt")}
        )
    now = timezone.now()
    assessment.submitted_at = now
    assessment.save(update_fields=["submitted_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=assessment,
        patient_id=assessment.case.patient_id,
        summary=f"Sent the assessment (distress {assessment.distress_score})",
    )
    flag = None
    reasons = triage_reasons(assessment)
    if reasons:
        flag = case_flag_raise(
            case=assessment.case,
            kind=CaseFlag.Kind.URGENT_DISTRESS,
            reason="; ".join(reasons),
            assessment=assessment,
            actor=actor,
        )
    plan = care_plan_generate(assessment=assessment, actor=actor)
    return Submitted(assessment=assessment, plan=plan, flag=flag)
