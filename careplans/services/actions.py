"""Plan items that trigger action: referral and signposting messages, "did you get the help you
needed?" (asked on the page and by text, answered on the page, by text reply or to staff; an
answer other than yes puts the item on the navigator's worklist), completion with an outcome,
and chasing items past their due date."""

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careplans.models import (
    CarePlan,
    DirectoryService,
    FeedbackAnswer,
    FeedbackVia,
    OwnerKind,
    PlanItem,
    TriageSettings,
)
from careplans.services.messages import (
    feedback_request_send,
    feedback_thanks_send,
    plan_item_id_from_reference,
    referral_message_send,
    signpost_message_send,
)
from careplans.services.tracking import (
    ItemKind,
    chase_task_open,
    track,
    tracked_close,
    tracked_open,
)
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.models import InboundSms, OutboundMessage
from navigator.messaging.services import MessagingError
from patients.models import Case, Patient, TimelineEvent
from patients.services import timeline_event_add

# Progress on an item (signposting, feedback, completion) follows its lineage into the draft
# being written from the agreed plan, so agreeing that draft loses none of it.
LIVE = (CarePlan.Status.AGREED, CarePlan.Status.DRAFT)
# Answers meaning the person is still without the help: the navigator follows them up.
NOT_HELPED = (FeedbackAnswer.NO, FeedbackAnswer.PARTLY)
# The tracked item that puts a "no" on the navigator's worklist: seen by the patient, so plain.
FOLLOW_UP_TITLE = "Getting you the help you need"

# Texts that answer "did you get the help you needed?", after dropping case, punctuation and
# thanks: a whole text only, so "yes but they never rang back" stays a message for a person.
SMS_ANSWERS: dict[str, str] = {
    **dict.fromkeys(
        ["YES", "Y", "YEP", "YEAH", "YUP", "YES I DID", "I DID", "IE", "DO"], FeedbackAnswer.YES
    ),
    **dict.fromkeys(
        ["PARTLY", "PARTIALLY", "SOME", "A BIT", "A LITTLE", "SORT OF", "KIND OF", "RHANNOL"],
        FeedbackAnswer.PARTLY,
    ),
    **dict.fromkeys(
        ["NO", "N", "NOPE", "NAH", "NO I DIDNT", "I DIDNT", "NOT YET", "NOT REALLY", "NA", "NADDO"],
        FeedbackAnswer.NO,
    ),
}
_THANKS = frozenset({"THANKS", "THANK", "YOU", "THANKYOU", "TA", "CHEERS", "PLEASE", "DIOLCH"})
_APOSTROPHES = re.compile(r"['’‘`]")
_NOT_LETTERS = re.compile(r"[^A-Z]+")


class NotOnAgreedPlan(ValidationError):
    """The item is on a draft or a replaced version of the plan, not the agreed one, so it
    takes no answer to "did you get the help you needed?" (on the page, through the API or
    by text)."""


def _progress(item: PlanItem, **fields: Any) -> None:
    PlanItem.objects.filter(
        lineage=item.lineage, plan__case_id=item.plan.case_id, plan__status__in=LIVE
    ).update(**fields)
    for name, value in fields.items():
        setattr(item, name, value)


def _agreed(item: PlanItem) -> None:
    if item.plan.status != CarePlan.Status.AGREED:
        raise ValidationError("Agree the plan with the patient first, then act on it.")
    if item.is_complete:
        raise ValidationError("This item is already complete.")


def _feedback_due(item: PlanItem, now: dt.datetime) -> dt.date:
    days = TriageSettings.for_team(item.plan.case.team).signpost_feedback_after_days
    return timezone.localdate(now) + dt.timedelta(days=days)


@transaction.atomic
def plan_item_refer(*, item: PlanItem, actor: User) -> PlanItem:
    """Email the item's service asking it to take a referral (who to call; no personal or
    clinical detail), and later ask the patient whether they got the help they needed."""
    _agreed(item)
    service = item.owner_service
    if item.owner_kind != OwnerKind.SERVICE or service is None:
        raise ValidationError("Only an item a service is doing can be referred to it.")
    if not service.is_listed:
        raise ValidationError(f"{service.name} is no longer listed, so it cannot take referrals.")
    if not service.email:
        raise ValidationError(
            f"{service.name} has no email address. Refer by phone"
            + (f" on {service.phone}." if service.phone else ".")
        )
    try:
        referral_message_send(item=item, service=service)
    except MessagingError as error:
        raise ValidationError(str(error)) from error
    now = timezone.now()
    _progress(
        item,
        referral_sent_at=now,
        signposted_at=item.signposted_at or now,
        feedback_due_on=item.feedback_due_on or _feedback_due(item, now),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=item,
        patient_id=item.plan.case.patient_id,
        summary=f"Referral sent to {service.name}"[:200],
    )
    return item


@transaction.atomic
def plan_item_signpost(
    *, item: PlanItem, actor: User, service: DirectoryService | None = None
) -> PlanItem:
    """Send the patient a service's contact details (phone and a link; no clinical detail), and
    later ask them whether they got the help they needed."""
    _agreed(item)
    if service is None:
        service = item.owner_service or next(
            (s.service for s in item.signposts.select_related("service") if s.service.is_listed),
            None,
        )
    if service is None:
        raise ValidationError("There is no service on this item to send.")
    if not service.is_listed:
        raise ValidationError(f"{service.name} is no longer listed.")
    try:
        signpost_message_send(item=item, service=service)
    except MessagingError as error:
        raise ValidationError(str(error)) from error
    now = timezone.now()
    _progress(
        item,
        signposted_at=now,
        feedback_due_on=item.feedback_due_on or _feedback_due(item, now),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=item,
        patient_id=item.plan.case.patient_id,
        summary=f"Sent the patient the details of {service.name}"[:200],
    )
    return item


def signpost_feedback_ask_due(*, limit: int = 200) -> int:
    """Periodic: ask "did you get the help you needed?" about each signposted item whose day has
    come, once. Rows are claimed with SKIP LOCKED and marked asked in the same transaction as
    the message row, so two runners never ask twice."""
    today = timezone.localdate()
    with transaction.atomic():
        due = list(
            PlanItem.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                plan__status=CarePlan.Status.AGREED,
                plan__case__status=Case.Status.OPEN,
                feedback_due_on__lte=today,
                feedback_asked_at__isnull=True,
                feedback_answer="",
                completed_at__isnull=True,
            )
            .select_related("plan__case__patient")
            .order_by("feedback_due_on")[:limit]
        )
        now = timezone.now()
        for item in due:
            try:
                feedback_request_send(item=item)
            except MessagingError:
                pass  # no way to reach them: the question waits on their plan page
            _progress(item, feedback_asked_at=now)
            audit_record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                obj=item,
                patient_id=item.plan.case.patient_id,
                summary="Asked the patient whether they got the help they needed",
            )
    return len(due)


@transaction.atomic
def signpost_feedback_record(
    *, item: PlanItem, answer: str, via: str, actor: User | None = None
) -> PlanItem:
    """Record the patient's answer to "did you get the help you needed?" (yes, partly, no), on
    the page, by SMS reply or told to staff. A later answer replaces an earlier one.

    "No" or "partly" on an open case puts the item on the navigator's worklist at once: its
    tracked item (the overdue chase's, or a new one due today) gets an open chase task, and the
    case's timeline says why. While that task is open, answering again adds no second one.

    Only an item of the agreed plan is answered (NotOnAgreedPlan otherwise): a draft's items
    are not yet agreed, and a replaced version's answer would be lost to the live plan."""
    if item.plan.status != CarePlan.Status.AGREED:
        which = "a draft" if item.plan.status == CarePlan.Status.DRAFT else "an earlier version"
        raise NotOnAgreedPlan(
            f"Only items of the agreed plan can be answered: this is {which} of the plan.",
            code="plan_not_agreed",
        )
    if answer not in FeedbackAnswer.values:
        raise ValidationError({"answer": _("Choose yes, partly or no")})
    if via not in FeedbackVia.values:
        raise ValidationError(
            {"via": ValidationError(_("Unknown way of answering: %(via)r"), params={"via": via})}
        )
    if item.signposted_at is None:
        raise ValidationError(_("Nobody has been put in touch about this item yet."))
    now = timezone.now()
    previous = item.feedback_answer
    _progress(
        item,
        feedback_answer=answer,
        feedback_via=via,
        feedback_at=now,
        feedback_asked_at=item.feedback_asked_at or now,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=item,
        patient_id=item.plan.case.patient_id,
        summary=f"Did they get the help they needed: {item.get_feedback_answer_display()} "
        f"({item.get_feedback_via_display()})",
    )
    if answer in NOT_HELPED and item.plan.case.is_open:
        _follow_up(item, actor=actor, news=answer != previous)
    return item


def _follow_up(item: PlanItem, *, actor: User | None, news: bool) -> None:
    """Give the navigator the item to follow up: a chase task on its tracked item, now; and
    say so on the timeline, unless the task was open already and the answer is no news."""
    case = item.plan.case
    tracked = tracked_open(item.tracked_item_id)
    if tracked is None:
        tracked_id = track(
            case=case,
            kind=ItemKind.PLAN_ITEM,
            title=FOLLOW_UP_TITLE,
            expected_by=timezone.localdate(),
            actor=actor,
        )
        _progress(item, tracked_item_id=tracked_id)
        tracked = tracked_open(tracked_id)
        assert tracked is not None  # noqa: S101 - just created, in this transaction
    answered = item.get_feedback_answer_display().lower()
    summary = f"{case.patient.given_name} did not get the help they needed"
    if item.feedback_answer == FeedbackAnswer.PARTLY:
        summary = f"{case.patient.given_name} got only some of the help they needed"
    _task, opened = chase_task_open(item=tracked, summary=f"{summary}: on the navigator's worklist")
    if not (opened or news):
        return  # the same answer again while it is followed up: it is in the audit trail
    timeline_event_add(
        case=case,
        by=actor if getattr(actor, "is_staff_role", False) else None,
        kind=TimelineEvent.Kind.OTHER,
        occurred_at=timezone.now(),
        summary=f"{summary}: {item.concern_text}"[:200],
        detail=f"Asked whether they got the help they needed with “{item.concern_text}”, they "
        f"answered {answered} ({item.get_feedback_via_display()}). It is on the chase queue "
        "to follow up with them.",
    )


def feedback_answer_from_text(body: str) -> str | None:
    """The answer a text gives to "did you get the help you needed?", or None if it is not
    one: "Yes", "y", "No thanks", "not yet." and the like (see SMS_ANSWERS)."""
    words = _NOT_LETTERS.split(_APOSTROPHES.sub("", body.upper()))
    words = [word for word in words if word]
    while len(words) > 1 and words[-1] in _THANKS:
        words.pop()
    return SMS_ANSWERS.get(" ".join(words))


def signpost_feedback_sms_reply(
    *, inbound: InboundSms, patient: Patient, message: OutboundMessage
) -> str | None:
    """appointments.inbound hands us a text replying to "did you get the help you needed?"
    (registered in CareplansConfig.ready). A yes, partly or no is recorded on the item the
    question was about, and thanked; anything else returns None, and becomes a message for
    the navigator as any text does. Called once per Twilio MessageSid, so a webhook delivered
    twice records one answer."""
    answer = feedback_answer_from_text(inbound.body)
    item_id = plan_item_id_from_reference(message.reference)
    if answer is None or item_id is None:
        return None
    asked = (
        PlanItem.objects.filter(pk=item_id, plan__case__patient=patient)
        .select_related("plan__case__patient")
        .first()
    )
    if asked is None:
        return None
    # The question may have been about an earlier version of the plan: answer the live copy.
    item = (
        PlanItem.objects.filter(
            lineage=asked.lineage,
            plan__case_id=asked.plan.case_id,
            plan__status=CarePlan.Status.AGREED,
        )
        .select_related("plan__case__patient", "plan__case__navigator")
        .first()
        or asked
    )
    try:
        signpost_feedback_record(
            item=item,
            answer=answer,
            via=FeedbackVia.SMS,
            actor=patient.user if patient.user_id else None,
        )
    except ValidationError:
        return None
    try:
        feedback_thanks_send(item=item, inbound=inbound, helped=answer == FeedbackAnswer.YES)
    except MessagingError:
        pass  # the answer is recorded; a thank-you that cannot go is no loss
    label = FeedbackAnswer(answer).label.lower()
    then = "" if answer == FeedbackAnswer.YES else " On the navigator's worklist to follow up."
    return f"Recorded their answer to “did you get the help you needed?”: {label}.{then}"


@transaction.atomic
def plan_item_complete(*, item: PlanItem, outcome: str, actor: User) -> PlanItem:
    """Mark an agreed item done and record what came of it; stops any chase."""
    _agreed(item)
    if not outcome.strip():
        raise ValidationError({"outcome": "Enter what happened"})
    _progress(item, completed_at=timezone.now(), completed_by=actor, outcome=outcome.strip())
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=item,
        patient_id=item.plan.case.patient_id,
        summary=f"Completed plan item “{item.concern_text}”"[:200],
    )
    tracked_close(tracked_item_id=item.tracked_item_id, outcome="Completed", actor=actor)
    return item


def plan_items_track_overdue(*, limit: int = 200) -> int:
    """Periodic: each agreed item past its due date and not complete becomes a tracked item,
    which the chase job then chases. Claimed with SKIP LOCKED; one tracked item per lineage."""
    today = timezone.localdate()
    with transaction.atomic():
        due = list(
            PlanItem.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                plan__status=CarePlan.Status.AGREED,
                plan__case__status=Case.Status.OPEN,
                due_date__lt=today,
                completed_at__isnull=True,
                tracked_item_id__isnull=True,
            )
            .select_related("plan__case")
            .order_by("due_date")[:limit]
        )
        for item in due:
            tracked = track(
                case=item.plan.case,
                kind=ItemKind.PLAN_ITEM,
                title="Something in your care plan",
                expected_by=item.due_date or today,  # never None: filtered on due_date__lt
            )
            _progress(item, tracked_item_id=tracked)
    return len(due)
