"""Offering assessments: at key points of the pathway, on request, and on a review interval."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from appointments.models import TrackedItem
from careplans.models import Assessment, AssessmentOffer, TriageSettings
from careplans.services.messages import offer_message_send
from careplans.services.tracking import ItemKind, ItemState, track, tracked_close
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.services import MessagingError
from patients.models import Case, TimelineEvent

Reason = AssessmentOffer.Reason
Point = Assessment.PathwayPoint
Status = Assessment.OfferStatus

# The pathway point an offer is recorded at, by why it was made.
POINT_FOR_REASON = {
    Reason.DIAGNOSIS: Point.DIAGNOSIS,
    Reason.START_OF_TREATMENT: Point.START_OF_TREATMENT,
    Reason.END_OF_TREATMENT: Point.END_OF_TREATMENT,
    # Leaving hospital is when "radio silence" starts: the end-of-treatment assessment.
    Reason.DISCHARGE: Point.END_OF_TREATMENT,
    Reason.ON_REQUEST: Point.DURING_TREATMENT,
    Reason.REVIEW: Point.DURING_TREATMENT,
}

# The timeline events that make an offer, and why.
REASON_FOR_EVENT = {
    TimelineEvent.Kind.DIAGNOSIS: Reason.DIAGNOSIS,
    TimelineEvent.Kind.FIRST_TREATMENT: Reason.START_OF_TREATMENT,
    TimelineEvent.Kind.END_OF_TREATMENT: Reason.END_OF_TREATMENT,
    TimelineEvent.Kind.DISCHARGE: Reason.DISCHARGE,
}
# Events recorded longer ago than this are history being keyed in, not a moment to offer.
EVENT_WINDOW = dt.timedelta(days=30)

# What staff may record in answer to an offer (accepted is recorded by starting it).
RECORDABLE = (Status.DECLINED, Status.NOT_OFFERED, Status.UNABLE, Status.NOT_REQUIRED)


def open_offers(case: Case) -> QuerySet[AssessmentOffer]:
    """The case's open offer, as a queryset (`open_offer` reads its first)."""
    return AssessmentOffer.objects.filter(case=case, status=Status.OFFERED)


def open_offer(case: Case) -> AssessmentOffer | None:
    return open_offers(case).first()


@transaction.atomic
def assessment_offer(
    *,
    case: Case,
    reason: str,
    actor: User | None,  # None: the periodic job offers it (a pathway event, a review due)
    pathway_point: str | None = None,
    source_event: TimelineEvent | None = None,
    tracked_item: TrackedItem | None = None,
    tell: bool = True,
) -> AssessmentOffer:
    """Offer the case's patient an assessment and tell them (SMS or email: a line and a link).

    `tracked_item`: the item already tracking this offer (a follow-up rule made it); its
    expected-by date is the offer's take-by date. Without one, the offer is tracked here.

    With an offer already open, that one is returned and nothing is sent: the person is asked
    once. An offer that cannot be sent (no account, no address, opted out) is still recorded,
    with why, so the navigator can offer it by phone. `tell=False`: the person asked for it
    themselves and is here (`assessment_self_start`), so nothing is sent.
    """
    if reason not in Reason.values:
        raise ValidationError({"reason": "Choose why the assessment is being offered"})
    point = pathway_point or POINT_FOR_REASON[Reason(reason)]
    if point not in Point.values:
        raise ValidationError({"pathway_point": "Choose the point of the pathway"})
    if not case.is_open:
        raise ValidationError("This case is closed, so it cannot take a new assessment.")
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one offerer per case at a time
    existing = open_offer(case)
    if existing is not None:
        return existing
    rules = TriageSettings.for_team(case.team)
    now = timezone.now()
    try:
        with transaction.atomic():
            offer = AssessmentOffer.objects.create(
                case=case,
                reason=reason,
                pathway_point=point,
                source_event=source_event,
                offered_at=now,
                offered_by=actor,
                take_by=tracked_item.expected_by
                if tracked_item is not None
                else timezone.localdate(now) + dt.timedelta(days=rules.offer_take_within_days),
            )
    except IntegrityError:
        # The event made its offer already (another runner): that offer stands.
        found = AssessmentOffer.objects.filter(source_event=source_event).first()
        if found is None:
            raise
        return found
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=offer,
        patient_id=case.patient_id,
        summary=f"Offered an assessment ({offer.get_reason_display().lower()})",
    )
    if tell and case.patient.user_id is None:
        offer.not_sent_reason = (
            "Not sent: the patient has no account yet. Invite them, or offer it by phone."
        )
    elif tell:
        try:
            offer.message = offer_message_send(offer=offer)
        except MessagingError as error:
            offer.not_sent_reason = f"Not sent: {error}"[:200]
    offer.tracked_item_id = (
        tracked_item.pk
        if tracked_item is not None
        else track(
            case=case,
            kind=ItemKind.ASSESSMENT_OFFER,
            title="A chat about how you are",
            expected_by=offer.take_by,
            actor=actor,
            state=ItemState.OFFERED,
        )
    )
    offer.save(update_fields=["message", "not_sent_reason", "tracked_item_id"])
    return offer


def assessment_offer_from_follow_up(
    *, item: TrackedItem, event: TimelineEvent
) -> AssessmentOffer | None:
    """A follow-up rule expects an assessment after `event` (a discharge, the end of
    treatment; `appointments.hooks.follow_up_created`): offer it now, chased by `item`.

    Rules:
    - the offer is made for the event's reason, and its take-by date is the item's date;
    - with another offer already open, that offer stands (the person is asked once) and the
      rule's item is cancelled, so nothing is chased twice;
    - an event that happened more than `EVENT_WINDOW` ago is history being keyed in: no offer,
      and the item is cancelled.
    """
    reason = REASON_FOR_EVENT.get(TimelineEvent.Kind(event.kind), Reason.END_OF_TREATMENT)
    if event.occurred_at < timezone.now() - EVENT_WINDOW:
        tracked_close(
            tracked_item_id=item.pk,
            outcome="Not offered: recorded long after it happened",
            actor=event.recorded_by,
            state=ItemState.CANCELLED,
        )
        return None
    offer = assessment_offer(
        case=event.case,
        reason=reason,
        actor=event.recorded_by,
        source_event=event,
        tracked_item=item,
    )
    if offer.tracked_item_id != item.pk:
        tracked_close(
            tracked_item_id=item.pk,
            outcome="An assessment offer was already open",
            actor=event.recorded_by,
            state=ItemState.CANCELLED,
        )
    return offer


def offer_accept(*, offer: AssessmentOffer, assessment: Assessment, actor: User) -> None:
    """Starting an assessment takes up the open offer (called in assessment_start's transaction)."""
    offer.status = Status.ACCEPTED
    offer.assessment = assessment
    offer.responded_at = timezone.now()
    offer.recorded_by = actor
    offer.save(update_fields=["status", "assessment", "responded_at", "recorded_by"])
    tracked_close(tracked_item_id=offer.tracked_item_id, outcome="Assessment started", actor=actor)


@transaction.atomic
def assessment_offer_record(
    *, offer: AssessmentOffer, status: str, actor: User, note: str = ""
) -> AssessmentOffer:
    """Record what became of an offer: declined, not offered, unable to complete, not required.

    "Unable to complete" may also be recorded on an accepted offer whose assessment was never
    sent; the assessment then carries that code too.
    """
    offer = (
        AssessmentOffer.objects.select_for_update(of=("self",))
        .select_related("assessment", "case")
        .get(pk=offer.pk)
    )
    if status not in RECORDABLE:
        raise ValidationError({"status": "Choose what happened to the offer"})
    unfinished = offer.assessment is not None and not offer.assessment.is_submitted
    if not (offer.is_open or (status == Status.UNABLE and unfinished)):
        raise ValidationError("This offer has already been answered.")
    if status == Status.NOT_OFFERED and not note.strip():
        raise ValidationError({"note": "Say why the assessment was not offered"})
    offer.status = status
    offer.note = note.strip()[:300]
    offer.responded_at = timezone.now()
    offer.recorded_by = actor
    offer.save(update_fields=["status", "note", "responded_at", "recorded_by"])
    if offer.assessment is not None:
        Assessment.objects.filter(pk=offer.assessment.pk).update(offer_status=status)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=offer,
        patient_id=offer.case.patient_id,
        summary=f"Assessment offer recorded as {offer.get_status_display().lower()}",
    )
    tracked_close(
        tracked_item_id=offer.tracked_item_id,
        outcome=offer.get_status_display(),
        actor=actor,
        state=ItemState.DECLINED if status == Status.DECLINED else ItemState.CANCELLED,
    )
    return offer


def assessment_offers_make_due(*, limit: int = 200) -> int:
    """Periodic: offer an assessment after each pathway event that calls for one, and to anyone
    whose last assessment or offer is older than their team's review interval. Returns how many
    offers were made. Safe to run twice: an event makes one offer, a case has one open offer."""
    made = 0
    now = timezone.now()
    open_offers = AssessmentOffer.objects.filter(case=OuterRef("case"), status=Status.OFFERED)
    events = (
        TimelineEvent.objects.filter(
            kind__in=list(REASON_FOR_EVENT),
            recorded_at__gte=now - EVENT_WINDOW,
            case__status=Case.Status.OPEN,
            assessment_offer__isnull=True,
        )
        .exclude(Exists(open_offers))
        .select_related("case__patient", "case__team")
        .order_by("recorded_at")[:limit]
    )
    for event in events:
        offer = assessment_offer(
            case=event.case,
            reason=REASON_FOR_EVENT[TimelineEvent.Kind(event.kind)],
            actor=None,
            source_event=event,
        )
        made += offer.source_event_id == event.pk
    intervals = {s.team_id: s.assessment_review_interval_days for s in TriageSettings.objects.all()}
    default = TriageSettings.DEFAULTS["assessment_review_interval_days"]
    last_offer = (
        AssessmentOffer.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(m=Max("offered_at"))
        .values("m")
    )
    last_assessment = (
        Assessment.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(m=Max("started_at"))
        .values("m")
    )
    candidates = (
        Case.objects.filter(status=Case.Status.OPEN)
        .annotate(
            last_offer=Subquery(last_offer),
            last_assessment=Subquery(last_assessment),
            has_open=Exists(
                AssessmentOffer.objects.filter(case=OuterRef("pk"), status=Status.OFFERED)
            ),
        )
        .filter(has_open=False)
        .select_related("patient", "team")
        .order_by("opened_at")
    )
    for case in candidates.iterator():
        if made >= limit:
            break
        interval = intervals.get(case.team_id, default)
        latest = max((d for d in (case.last_offer, case.last_assessment) if d), default=None)
        if not interval or latest is None:
            continue
        if timezone.localdate(latest) + dt.timedelta(days=interval) > timezone.localdate(now):
            continue
        assessment_offer(case=case, reason=Reason.REVIEW, actor=None)
        made += 1
    return made
