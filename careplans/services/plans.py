"""Care plans: drafting one from an assessment, editing the draft, agreeing it and
revising an agreed plan."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careplans.models import (
    Assessment,
    CarePlan,
    Concern,
    OwnerKind,
    PlanItem,
    Signpost,
    SurveyInvitation,
)
from careplans.selectors import Match, directory_match, information_for, patient_postcode
from careplans.services.surveys import survey_invite
from careplans.services.tracking import ItemKind, track, tracked_close
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from patients.models import Case

# How long after generation a plan is first reviewed, and how many services an item suggests.
PLAN_REVIEW_AFTER_DAYS = 90
SIGNPOSTS_PER_ITEM = 3


class PlanChangedError(Exception):
    """Someone else changed the plan since this edit began; nothing was saved."""


def _next_version(case: Case) -> int:
    return (CarePlan.objects.filter(case=case).aggregate(v=Max("version"))["v"] or 0) + 1


def _add_signposts(item: PlanItem, matches: Iterable[Match]) -> None:
    for match in matches:
        Signpost.objects.create(item=item, service=match.service, reasons=match.reasons)


@transaction.atomic
def care_plan_generate(*, assessment: Assessment, actor: User) -> CarePlan:
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
def care_plan_revise(*, plan: CarePlan, actor: User) -> CarePlan:
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
def plan_item_update(*, item: PlanItem, lock_version: int, actor: User, **values: Any) -> PlanItem:
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
def plan_item_add(*, plan: CarePlan, lock_version: int, actor: User, **values: Any) -> PlanItem:
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
    *, plan: CarePlan, lock_version: int, review_date: dt.date, actor: User
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
def plan_item_remove(*, item: PlanItem, lock_version: int, actor: User) -> None:
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
def care_plan_agree(*, plan: CarePlan, lock_version: int, actor: User, how: str) -> CarePlan:
    """Record that the patient agrees this draft: online by the patient (or a carer acting for
    them), or in person or by phone recorded by staff. The previously agreed version is kept,
    marked as replaced."""
    if how not in CarePlan.AgreedHow.values:
        raise ValidationError({"how": _("Choose how the plan was agreed")})
    is_staff = getattr(actor, "is_staff_role", False)
    if is_staff and how == CarePlan.AgreedHow.ONLINE:
        raise ValidationError({"how": _("Choose whether the patient agreed in person or by phone")})
    if not is_staff and how != CarePlan.AgreedHow.ONLINE:
        raise ValidationError({"how": _("A plan agreed here is agreed online")})
    if not plan.items.exists():
        raise ValidationError(_("A plan needs at least one item before it can be agreed."))
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
    # A few days on, ask how agreeing the plan went (once per case: a new version asks nothing).
    survey_invite(case=plan.case, moment=SurveyInvitation.Moment.PLAN_AGREED)
    return plan
