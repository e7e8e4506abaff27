"""Appointment reminders: each patient hears before each booked appointment, once per reminder.

What a reminder says, and nothing else (templates/sms/appointment_reminder.txt and
templates/emails/appointment_reminder-*): the day and time (Europe/London), how to reply by text
(CONFIRM or CHANGE; never CANCEL, which Twilio takes as "stop all texts": see
navigator.messaging.inbound), and a link to the patient's "coming up" page. Nothing staff typed:
not the place, what to bring, the appointment's title or kind, the clinic or specialty, the
diagnosis or any note, since a text can be read on a locked phone and an email in a shared inbox
("… chemotherapy suite", "… drug list"). Where to go and what to bring are on the page the link
opens, behind sign-in. `reminder_context` is all the templates are given, so they cannot say
more; tests/careplans/test_messages_no_clinical_detail.py checks every message template.

`appointment_reminders_send` runs every few minutes (navigator/celery.py). Each reminder is one
outbox row whose idempotency key names the appointment, its start time and how many days before
it is: running twice, or in two workers at once, queues it once; moving the appointment earns
a new reminder for the new time. Quiet hours and the patient's channel are message_send's.
"""

import datetime as dt
import logging
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from appointments.models import TrackedItem
from navigator.language import in_language
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import MessageToSend, MessagingError, messages_send
from navigator.time import LONDON
from patients import links
from patients.models import Case
from patients.services import patient_recipient

logger = logging.getLogger(__name__)

REMINDER_KIND = "appointment_reminder"
REFERENCE_PREFIX = "appointments.trackeditem:"
# Nobody is reminded of an appointment starting sooner than this: they could not act on it.
MIN_NOTICE = dt.timedelta(hours=2)


@dataclass
class ReminderReport:
    queued: int = 0
    already_sent: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"queued": self.queued, "already_sent": self.already_sent, "failed": self.failed}


def reference_for(item: TrackedItem) -> str:
    """How an outbox row names the appointment it is about (OutboundMessage.reference)."""
    return f"{REFERENCE_PREFIX}{item.pk}"


def item_id_from_reference(reference: str) -> uuid.UUID | None:
    if not reference.startswith(REFERENCE_PREFIX):
        return None
    try:
        return uuid.UUID(reference.removeprefix(REFERENCE_PREFIX))
    except ValueError:
        return None


def reminder_key(item: TrackedItem, days_before: int) -> str:
    assert item.starts_at is not None  # noqa: S101 - only booked appointments with a time
    return f"appointment-reminder:{item.pk}:{item.starts_at:%Y%m%dT%H%M%z}:{days_before}d"


def reminders_due(*, now: dt.datetime) -> QuerySet[TrackedItem]:
    """Booked appointments on open cases starting within the longest reminder window."""
    days = settings.APPOINTMENT_REMINDER_DAYS
    return (
        TrackedItem.objects.booked_appointments()
        .filter(
            case__status=Case.Status.OPEN,
            starts_at__gt=now + MIN_NOTICE,
            starts_at__lte=now + dt.timedelta(days=max(days)),
        )
        .select_related("case__patient")
        .order_by("starts_at")
    )


def appointment_reminders_send(*, now: dt.datetime | None = None) -> ReminderReport:
    """Queue the reminder now due for each booked appointment, once each.

    With reminders at, say, 7 and 2 days before, an appointment booked 5 days ahead gets the
    2-day one only (the nearest window it is in), never two at once.
    """
    now = now or timezone.now()
    days = sorted(set(settings.APPOINTMENT_REMINDER_DAYS))
    report = ReminderReport()
    due = []
    for item in reminders_due(now=now):
        assert item.starts_at is not None  # noqa: S101 - filtered
        days_before = min(d for d in days if now >= item.starts_at - dt.timedelta(days=d))
        due.append((item, days_before, reminder_key(item, days_before)))
    sent = set(
        OutboundMessage.objects.filter(idempotency_key__in=[key for _, _, key in due]).values_list(
            "idempotency_key", flat=True
        )
    )
    to_send = []
    for item, days_before, key in due:
        if key in sent:
            report.already_sent += 1
        else:
            to_send.append((item, _reminder(item=item, days_before=days_before)))
    # One batch for the run (a fixed number of statements), not one send per appointment.
    results = messages_send(messages=[message for _, message in to_send])
    for (item, _), result in zip(to_send, results, strict=True):
        if isinstance(result, MessagingError):
            # No way to reach them: the navigator sees it in the log of the run; others go on.
            logger.info("No reminder for appointment %s: %s", item.pk, result)
            report.failed.append(str(item.pk))
        else:
            report.queued += 1
    return report


def appointment_reminder_send(*, item: TrackedItem, days_before: int) -> OutboundMessage:
    """Queue one reminder for a booked appointment (idempotent per appointment, time and day)."""
    if item.starts_at is None:
        raise MessagingError("The appointment has no time, so there is nothing to remind about.")
    result = messages_send(messages=[_reminder(item=item, days_before=days_before)])[0]
    if isinstance(result, MessagingError):
        raise result
    return result


def _reminder(*, item: TrackedItem, days_before: int) -> MessageToSend:
    """The reminder for a booked appointment (with a time), keyed per appointment, time and day."""
    patient = item.case.patient
    return MessageToSend(
        recipient=patient_recipient(patient=patient),
        kind=REMINDER_KIND,
        context=reminder_context(item, language=patient.language),
        idempotency_key=reminder_key(item, days_before),
        subject_id=patient.pk,
        reference=reference_for(item),
    )


def reminder_context(item: TrackedItem, *, language: str | None = None) -> dict[str, Any]:
    """What the reminder's templates may use: the day and time, and a link. Nothing typed by
    staff (the place and what to bring are on the linked page). The time is written in
    `language` ("en" or "cy"; the page's when None): "Monday 7 December at 2pm", "Dydd Llun 7
    Rhagfyr am 2yp"."""
    assert item.starts_at is not None  # noqa: S101 - callers check
    local = item.starts_at.astimezone(LONDON)
    with in_language(language) if language else nullcontext():
        when, when_short = _when(local)
    return {
        "when": when,
        "when_short": when_short,
        "link": links.home_link(case_id=item.case_id, section=links.COMING_UP),
    }


def _when(local: dt.datetime) -> tuple[str, str]:
    """The appointment's day and time, long and short, in the active language."""
    minutes = f":{local:%M}" if local.minute else ""
    half = pgettext("before noon", "am") if local.hour < 12 else pgettext("after noon", "pm")
    clock = f"{local.hour % 12 or 12}{minutes}{half}"
    return (
        gettext("%(day)s at %(time)s") % {"day": date_format(local, "l j F"), "time": clock},
        gettext("%(day)s at %(time)s") % {"day": date_format(local, "D j M"), "time": clock},
    )


@shared_task(acks_late=True)
def send_appointment_reminders() -> dict[str, Any]:
    """Every few minutes (navigator/celery.py): queue the reminders now due."""
    return appointment_reminders_send().as_dict()
