"""Recording what happened on the case's timeline."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.time import local_midnight
from patients.hooks import timeline_event_recorded
from patients.models import Case, TimelineEvent
from patients.services.common import _Errors

# Clocks on two machines disagree a little; an event "now" must not be refused as future.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def timeline_event_add(
    *,
    case: Case,
    by: User | None,  # None: no member of staff (what a patient texted or answered)
    kind: str,
    occurred_at: dt.date | dt.datetime,
    summary: str,
    detail: str = "",
    shared_with_patient: bool = False,
) -> TimelineEvent:
    """Record something that happened: a date for when only the day is known, else a datetime.

    Rules:
    - nothing is recorded as happening in the future, or on a closed case;
    - a diagnosis on a case without a diagnosis date gives the case that date;
    - `shared_with_patient` shows the kind, date and summary on the patient's own page.
    """
    errors = _Errors()
    summary = summary.strip()
    if kind not in TimelineEvent.Kind.values:
        errors.add("kind", "Choose what kind of event this is.")
    if not summary:
        errors.add("summary", "Enter a summary of what happened.")
    elif len(summary) > 200:
        errors.add(
            "summary", "The summary must be 200 characters or fewer: put the rest in detail."
        )
    if isinstance(occurred_at, dt.datetime):
        if timezone.is_naive(occurred_at):
            raise ValueError("occurred_at must be timezone-aware")
        at, time_known = occurred_at, True
        if at > timezone.now() + FUTURE_TOLERANCE:
            errors.add("occurred_at", "The time must be now or in the past.")
    else:
        at, time_known = local_midnight(occurred_at), False
        if occurred_at > timezone.localdate():
            errors.add("occurred_at", "The date must be today or in the past.")
    if not case.is_open:
        errors.add("kind", "This case is closed, so nothing new can be added.")
    errors.raise_any()

    with transaction.atomic():
        if kind == TimelineEvent.Kind.DIAGNOSIS and case.diagnosis_date is None:
            # The case's diagnosis date is the first diagnosis recorded, however it came.
            case.diagnosis_date = timezone.localdate(at)
            case.save(update_fields=["diagnosis_date"])
        event = TimelineEvent.objects.create(
            case=case,
            kind=kind,
            occurred_at=at,
            time_known=time_known,
            summary=summary,
            detail=detail.strip(),
            shared_with_patient=shared_with_patient,
            recorded_by=by,
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=event,
            patient_id=case.patient_id,
            summary=f"Added to the timeline: {event.get_kind_display()}",
        )
        # The apps above act on it here (appointments' follow-up rules start tracking what this
        # event means the patient now waits for), inside this transaction.
        timeline_event_recorded(event=event)
    return event
