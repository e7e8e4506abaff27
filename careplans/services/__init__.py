"""Writes for assessments, triage flags and care plans: each validates, runs in a transaction
and writes the audit entry."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from careplans.models import (
    Answer,
    Assessment,
    CarePlan,
    CaseFlag,
    Concern,
    Domain,
    OwnerKind,
    PlanItem,
    Questionnaire,
    Signpost,
    TriageSettings,
)
from careplans.models.assessments import RATING_MAX, RATING_MIN
from careplans.selectors import (
    Match,
    directory_match,
    information_for,
    patient_postcode,
)
from careplans.services.messages import escalation_message_send
from careplans.services.offers import offer_accept, open_offer
from careplans.services.tracking import ItemKind, track, tracked_close
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.services import MessagingError
from navigator.organisations.models import Membership
from navigator.time import add_working_hours
from patients.models import Case
from patients.selectors import bank_holidays_for

# How long after generation a plan is first reviewed, and how many services an item suggests.
PLAN_REVIEW_AFTER_DAYS = 90
SIGNPOSTS_PER_ITEM = 3


class PlanChangedError(Exception):
    """Someone else changed the plan since this edit began; nothing was saved."""


@dataclass(frozen=True)
class AnswerInput:
    selected: bool
    rating: int | None = None
    is_priority: bool = False


# Assessment definitions ---------------------------------------------------------------


@transaction.atomic
def questionnaire_revise(*, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a questionnaire into its next version, inactive, ready to edit and publish.

    Versions in use are never edited in place, so an assessment keeps the questions it began with.
    """
    latest = (
        Questionnaire.objects.filter(code=questionnaire.code).aggregate(v=Max("version"))["v"] or 0
    )
    new = Questionnaire.objects.create(
        code=questionnaire.code,
        version=latest + 1,
        title=questionnaire.title,
        title_cy=questionnaire.title_cy,
        is_active=False,
    )
    for domain in questionnaire.domains.prefetch_related("concerns"):
        concerns = list(domain.concerns.all())
        domain.pk = None
        domain.questionnaire = new
        domain.save()
        for concern in concerns:
            concern.pk = None
            concern.domain = domain
            concern.save()
    return new


@transaction.atomic
def questionnaire_publish(*, questionnaire: Questionnaire) -> Questionnaire:
    """Offer this version to new assessments from now on; assessments already begun keep theirs."""
    Questionnaire.objects.filter(code=questionnaire.code, is_active=True).exclude(
        pk=questionnaire.pk
    ).update(is_active=False)
    questionnaire.is_active = True
    questionnaire.published_at = timezone.now()
    questionnaire.save(update_fields=["is_active", "published_at"])
    return questionnaire


# Assessments ----------------------------------------------------------------------------


@transaction.atomic
def assessment_start(
    *,
    case: Case,
    actor: Any,
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
        raise ValidationError("This case is closed, so it cannot take a new assessment.")
    if questionnaire is None:
        questionnaire = Questionnaire.objects.filter(
            code=questionnaire_code, is_active=True
        ).first()
    if questionnaire is None:
        raise ValidationError("There is no assessment to offer at the moment.")
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


def _editable(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_submitted:
        raise ValidationError("This assessment has been sent, so it can no longer be changed.")
    return locked


@transaction.atomic
def assessment_save_domain(
    *,
    assessment: Assessment,
    domain: Domain,
    answers: Mapping[int, AnswerInput],
    actor: Any,
) -> None:
    """Save one screen of concerns (save and resume). `answers` is keyed by concern id.

    Raises ValidationError keyed by concern code for a missing or out-of-range rating; then
    nothing on the screen is saved.
    """
    assessment = _editable(assessment)
    if domain.questionnaire_id != assessment.questionnaire_id:
        raise ValidationError("That part of the assessment belongs to a different version.")
    concerns = list(domain.concerns.all())
    errors: dict[str, str] = {}
    for concern in concerns:
        given = answers.get(concern.pk, AnswerInput(selected=False))
        if not given.selected:
            continue
        if given.rating is None:
            errors[concern.code] = f"Choose how much “{concern.text}” bothers you, from 0 to 10"
        elif not RATING_MIN <= given.rating <= RATING_MAX:
            errors[concern.code] = (
                f"How much “{concern.text}” bothers you must be a number from 0 to 10"
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
    *, assessment: Assessment, distress_score: int | None, anything_else: str, actor: Any
) -> None:
    """Save the distress thermometer and the free-text "anything else"."""
    assessment = _editable(assessment)
    if distress_score is not None and not RATING_MIN <= distress_score <= RATING_MAX:
        raise ValidationError(
            {"distress_score": "Your distress score must be a number from 0 to 10"}
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
def assessment_submit(*, assessment: Assessment, actor: Any) -> Submitted:
    """Send the assessment: triage it (flagging the case at once if urgent) and draft a plan."""
    assessment = _editable(assessment)
    if assessment.distress_score is None:
        raise ValidationError(
            {"distress_score": "Choose a number from 0 to 10 for how distressed you have felt"}
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


# Triage ---------------------------------------------------------------------------------


def triage_reasons(assessment: Assessment) -> list[str]:
    """Why this assessment needs someone to act now, against the case team's thresholds."""
    rules = TriageSettings.for_team(assessment.case.team)
    reasons = []
    if assessment.distress_score is not None and (
        assessment.distress_score >= rules.distress_threshold
    ):
        reasons.append(f"Distress score {assessment.distress_score} out of 10")
    high = assessment.answers.filter(selected=True, rating__gte=rules.high_rating).select_related(
        "concern"
    )
    reasons.extend(f"“{a.concern.text}” rated {a.rating} out of 10" for a in high)
    return reasons


@transaction.atomic
def case_flag_raise(
    *, case: Case, kind: str, reason: str, assessment: Assessment | None, actor: Any
) -> CaseFlag:
    """Flag the case as urgent, or add the reason to its open flag of the same kind."""
    Case.objects.select_for_update().filter(pk=case.pk).first()  # serialise raisers per case
    flag = CaseFlag.objects.open().filter(case=case, kind=kind).first()
    if flag is not None:
        flag.reason = f"{flag.reason}\n{reason}"
        flag.assessment = assessment or flag.assessment
        flag.save(update_fields=["reason", "assessment"])
        return flag
    rules = TriageSettings.for_team(case.team)
    now = timezone.now()
    flag = CaseFlag.objects.create(
        case=case,
        kind=kind,
        reason=reason,
        assessment=assessment,
        raised_at=now,
        escalate_after=add_working_hours(
            now,
            rules.escalate_after_working_hours,
            day_start_hour=rules.working_day_start_hour,
            day_end_hour=rules.working_day_end_hour,
            holidays=bank_holidays_for(case.patient.nation),
        ),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=flag,
        patient_id=case.patient_id,
        summary=f"Case flagged: {flag.get_kind_display()}",
    )
    return flag


@transaction.atomic
def case_flag_acknowledge(*, flag: CaseFlag, actor: Any) -> CaseFlag:
    """Someone on the case has picked the flag up; it stops counting towards escalation."""
    updated = (
        CaseFlag.objects.open()
        .filter(pk=flag.pk)
        .update(acknowledged_at=timezone.now(), acknowledged_by=actor)
    )
    flag.refresh_from_db()
    if updated:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=flag,
            patient_id=flag.case.patient_id,
            summary="Urgent flag acknowledged",
        )
    return flag


def flags_escalate_due(*, limit: int = 100) -> int:
    """Hand every overdue, unacknowledged flag to its team lead, and tell the lead (email, or
    SMS; a link, no reasons). Returns how many moved.

    Rows are claimed with SKIP LOCKED, and the message has the flag's idempotency key, so two
    workers never escalate or notify twice.
    """
    now = timezone.now()
    with transaction.atomic():
        due = list(
            CaseFlag.objects.select_for_update(skip_locked=True, of=("self",))
            .open()
            .filter(escalated_at__isnull=True, escalate_after__lte=now)
            .select_related("case")
            .order_by("escalate_after")[:limit]
        )
        for flag in due:
            lead = (
                Membership.objects.filter(team_id=flag.case.team_id, is_lead=True)
                .select_related("user")
                .order_by("joined_at")
                .first()
            )
            flag.escalated_at = now
            flag.escalated_to = lead.user if lead else None
            flag.save(update_fields=["escalated_at", "escalated_to"])
            summary = f"Urgent flag escalated to {lead.user if lead else 'no team lead'}"
            if lead is not None:
                try:
                    escalation_message_send(flag=flag, lead=lead.user)
                except MessagingError as error:
                    summary = f"{summary}; not notified: {error}"
            audit_record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                obj=flag,
                patient_id=flag.case.patient_id,
                summary=summary[:200],
            )
    return len(due)


# Care plans -----------------------------------------------------------------------------


def _next_version(case: Case) -> int:
    return (CarePlan.objects.filter(case=case).aggregate(v=Max("version"))["v"] or 0) + 1


def _add_signposts(item: PlanItem, matches: Iterable[Match]) -> None:
    for match in matches:
        Signpost.objects.create(item=item, service=match.service, reasons=match.reasons)


@transaction.atomic
def care_plan_generate(*, assessment: Assessment, actor: Any) -> CarePlan:
    """Draft a plan from a sent assessment: one item per concern the person marked, most
    important first, each with the concern's suggested goal, actions, owner and due date, and
    local services matched to it. A draft from an earlier assessment is replaced."""
    if not assessment.is_submitted:
        raise ValidationError("Only a sent assessment can make a care plan.")
    case = assessment.case
    Case.objects.select_for_update().filter(pk=case.pk).first()
    CarePlan.objects.filter(case=case, status=CarePlan.Status.DRAFT).update(
        status=CarePlan.Status.SUPERSEDED
    )
    now = timezone.now()
    today = timezone.localdate()
    plan = CarePlan.objects.create(
        case=case,
        assessment=assessment,
        version=_next_version(case),
        created_at=now,
        updated_at=now,
        review_date=today + dt.timedelta(days=PLAN_REVIEW_AFTER_DAYS),
    )
    answers = (
        assessment.answers.filter(selected=True)
        .select_related("concern__domain")
        .order_by("-is_priority", F("rating").desc(nulls_last=True), "concern__domain__order")
    )
    postcode = patient_postcode(case.patient)
    for order, answer in enumerate(answers, start=1):
        concern: Concern = answer.concern
        owner = concern.suggested_owner if concern.suggested_owner in OwnerKind.values else ""
        matches = directory_match(
            concern_codes=[concern.code],
            tumour_site=case.tumour_site,
            postcode=postcode,
            language=case.patient.language,
        )[:SIGNPOSTS_PER_ITEM]
        item = PlanItem.objects.create(
            plan=plan,
            concern=concern,
            concern_text=concern.text,
            order=order,
            is_priority=answer.is_priority,
            goal=concern.suggested_goal or f"Get help with: {concern.text.lower()}",
            actions=concern.suggested_actions,
            owner_kind=owner or OwnerKind.NAVIGATOR,
            owner_service=matches[0].service if owner == OwnerKind.SERVICE and matches else None,
            due_date=today + dt.timedelta(days=concern.suggested_due_days),
        )
        if owner == OwnerKind.SERVICE and not matches:
            # No local service to own it: the navigator finds one rather than nobody acting.
            item.owner_kind = OwnerKind.NAVIGATOR
            item.save(update_fields=["owner_kind"])
        _add_signposts(item, matches)
    plan.information.set(
        information_for(
            tumour_site=case.tumour_site,
            concern_codes={a.concern.code for a in answers},
        )
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=plan,
        patient_id=case.patient_id,
        summary=f"Draft care plan version {plan.version} made from an assessment",
    )
    return plan


def _claim_draft(plan: CarePlan, lock_version: int) -> CarePlan:
    """Take the edit lock: refuse if the plan is not a draft or changed since `lock_version`."""
    claimed = CarePlan.objects.filter(
        pk=plan.pk, lock_version=lock_version, status=CarePlan.Status.DRAFT
    ).update(lock_version=F("lock_version") + 1, updated_at=timezone.now())
    if not claimed:
        raise PlanChangedError(
            "Someone else changed this plan while you were working on it. "
            "Your changes have not been saved yet: check the latest version below."
        )
    plan.refresh_from_db()
    return plan


@transaction.atomic
def care_plan_revise(*, plan: CarePlan, actor: Any) -> CarePlan:
    """Start changing an agreed plan: copy it to a new draft version. The agreed one stays as
    it is until the new version is agreed. Returns the existing draft if there is one."""
    Case.objects.select_for_update().filter(pk=plan.case_id).first()
    draft = CarePlan.objects.filter(case=plan.case, status=CarePlan.Status.DRAFT).first()
    if draft is not None:
        return draft
    if plan.status != CarePlan.Status.AGREED:
        raise ValidationError("Only the agreed plan can be changed into a new version.")
    now = timezone.now()
    new = CarePlan.objects.create(
        case=plan.case,
        assessment=plan.assessment,
        version=_next_version(plan.case),
        created_at=now,
        updated_at=now,
        review_date=plan.review_date,
    )
    for item in plan.items.prefetch_related("signposts"):
        signposts = list(item.signposts.all())
        item.pk = None
        item.id = None  # type: ignore[assignment]
        item.plan = new
        item._state.adding = True
        item.save()
        for signpost in signposts:
            Signpost.objects.create(item=item, service=signpost.service, reasons=signpost.reasons)
    new.information.set(plan.information.all())
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=new,
        patient_id=plan.case.patient_id,
        summary=f"Care plan version {new.version} started from version {plan.version}",
    )
    return new


ITEM_FIELDS = (
    "concern_text",
    "goal",
    "actions",
    "owner_kind",
    "owner_service",
    "due_date",
    "outcome",
)


def _validate_item(values: Mapping[str, Any]) -> None:
    errors = {}
    if not (values.get("concern_text") or "").strip():
        errors["concern_text"] = "Enter what the concern is"
    if not (values.get("goal") or "").strip():
        errors["goal"] = "Enter the goal"
    if values.get("owner_kind") not in OwnerKind.values:
        errors["owner_kind"] = "Choose who will do this"
    elif values.get("owner_kind") == OwnerKind.SERVICE and not values.get("owner_service"):
        errors["owner_service"] = "Choose which service will do this"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_item_update(*, item: PlanItem, lock_version: int, actor: Any, **values: Any) -> PlanItem:
    """Reword an item, change its owner, due date or outcome. Raises PlanChangedError if the
    plan changed since the editor loaded it."""
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"Unknown plan item fields: {sorted(unknown)}")
    merged = {f: getattr(item, f) for f in ITEM_FIELDS} | values
    _validate_item(merged)
    plan = _claim_draft(item.plan, lock_version)
    for field, value in values.items():
        setattr(item, field, value.strip() if isinstance(value, str) else value)
    if item.owner_kind != OwnerKind.SERVICE:
        item.owner_service = None
    item.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=item,
        patient_id=plan.case.patient_id,
        summary=f"Changed plan item “{item.concern_text}” (version {plan.version})"[:200],
    )
    return item


@transaction.atomic
def plan_item_add(*, plan: CarePlan, lock_version: int, actor: Any, **values: Any) -> PlanItem:
    """Add an item the assessment did not raise (a concern that came up in conversation)."""
    values.setdefault("owner_kind", OwnerKind.NAVIGATOR)
    _validate_item(values)
    plan = _claim_draft(plan, lock_version)
    order = (plan.items.aggregate(o=Max("order"))["o"] or 0) + 1
    if values.get("owner_kind") != OwnerKind.SERVICE:
        values["owner_service"] = None
    item = PlanItem.objects.create(
        plan=plan,
        order=order,
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=item,
        patient_id=plan.case.patient_id,
        summary=f"Added plan item “{item.concern_text}” (version {plan.version})"[:200],
    )
    return item


@transaction.atomic
def care_plan_set_review_date(
    *, plan: CarePlan, lock_version: int, review_date: dt.date, actor: Any
) -> CarePlan:
    """Set when the plan will be looked at again (a draft only: the agreed plan's review date
    changes with a new version). Chased once the plan is agreed."""
    if review_date <= timezone.localdate():
        raise ValidationError({"review_date": "The review date must be in the future"})
    plan = _claim_draft(plan, lock_version)
    plan.review_date = review_date
    plan.save(update_fields=["review_date"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=plan,
        patient_id=plan.case.patient_id,
        summary=f"Care plan version {plan.version} review date set to {review_date:%d %b %Y}",
    )
    return plan


@transaction.atomic
def plan_item_remove(*, item: PlanItem, lock_version: int, actor: Any) -> None:
    plan = _claim_draft(item.plan, lock_version)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=item,
        patient_id=plan.case.patient_id,
        summary=f"Removed plan item “{item.concern_text}” (version {plan.version})"[:200],
    )
    item.delete()


@transaction.atomic
def care_plan_agree(*, plan: CarePlan, lock_version: int, actor: Any, how: str) -> CarePlan:
    """Record that the patient agrees this draft: online by the patient (or a carer acting for
    them), or in person or by phone recorded by staff. The previously agreed version is kept,
    marked as replaced."""
    if how not in CarePlan.AgreedHow.values:
        raise ValidationError({"how": "Choose how the plan was agreed"})
    is_staff = getattr(actor, "is_staff_role", False)
    if is_staff and how == CarePlan.AgreedHow.ONLINE:
        raise ValidationError({"how": "Choose whether the patient agreed in person or by phone"})
    if not is_staff and how != CarePlan.AgreedHow.ONLINE:
        raise ValidationError({"how": "A plan agreed here is agreed online"})
    if not plan.items.exists():
        raise ValidationError("A plan needs at least one item before it can be agreed.")
    plan = _claim_draft(plan, lock_version)
    for before in CarePlan.objects.filter(case=plan.case, status=CarePlan.Status.AGREED):
        tracked_close(
            tracked_item_id=before.review_tracked_item_id,
            outcome=f"Replaced by version {plan.version}",
            actor=actor,
        )
    CarePlan.objects.filter(case=plan.case, status=CarePlan.Status.AGREED).update(
        status=CarePlan.Status.SUPERSEDED
    )
    plan.status = CarePlan.Status.AGREED
    plan.agreed_at = timezone.now()
    plan.agreed_by = actor
    plan.agreed_how = how
    if plan.review_date is not None:
        # The review is chased like any other expected event (appointments' chase job).
        plan.review_tracked_item_id = track(
            case=plan.case,
            kind=ItemKind.CARE_PLAN_REVIEW,
            title="A review of your care plan",
            expected_by=plan.review_date,
            actor=actor,
        )
    plan.save(
        update_fields=["status", "agreed_at", "agreed_by", "agreed_how", "review_tracked_item_id"]
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=plan,
        patient_id=plan.case.patient_id,
        summary=f"Care plan version {plan.version} agreed {plan.get_agreed_how_display()}",
    )
    return plan


from careplans.services.actions import (  # noqa: E402 - the plan's action services, re-exported
    plan_item_complete,
    plan_item_refer,
    plan_item_signpost,
    plan_items_track_overdue,
    signpost_feedback_ask_due,
    signpost_feedback_record,
)
from careplans.services.offers import (  # noqa: E402
    assessment_offer,
    assessment_offer_record,
    assessment_offers_make_due,
)

__all__ = [
    "AnswerInput",
    "PlanChangedError",
    "Submitted",
    "assessment_offer",
    "assessment_offer_record",
    "assessment_offers_make_due",
    "assessment_save_domain",
    "assessment_save_wellbeing",
    "assessment_start",
    "assessment_submit",
    "care_plan_agree",
    "care_plan_generate",
    "care_plan_revise",
    "care_plan_set_review_date",
    "case_flag_acknowledge",
    "case_flag_raise",
    "flags_escalate_due",
    "plan_item_add",
    "plan_item_complete",
    "plan_item_refer",
    "plan_item_remove",
    "plan_item_signpost",
    "plan_item_update",
    "plan_items_track_overdue",
    "questionnaire_publish",
    "questionnaire_revise",
    "signpost_feedback_ask_due",
    "signpost_feedback_record",
    "triage_reasons",
]
