"""What the case does with a text a patient sends us, and with a number that cannot take texts.

The platform (`navigator.messaging.inbound`) has already recorded the text once per Twilio
MessageSid and applied the opt-out words to its opt-out list; it calls `sms_received`
(registered in `appointments.apps` with `navigator.messaging.hooks`) inside the same
transaction, so five deliveries of one webhook have one effect here too. `sms_unreachable`
(registered the same way) is called once when the phone network reports a number it cannot
deliver to.

The sender is the patient the latest SMS to that number was about, if that patient still has
the number; otherwise the one patient with that number. When several people share a number and
nothing we sent tells them apart, the text is kept (admin: inbound SMS) and nobody is guessed.

Keywords, the whole text in any case (navigator.messaging.inbound.sms_keyword):

    STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE
        no more texts (the platform's opt-out list, as Twilio does); each open case's timeline
        says so, for the navigator. CANCEL answering an appointment reminder also puts the
        appointment on the navigator's worklist, since they may have meant the appointment:
        we cannot text them back, so the navigator calls or emails.
    START, UNSTOP          texts resume; the timeline says so.
    CONFIRM (or YES; Welsh CADARNHAU)
                           confirms the appointment the latest reminder was about: recorded in
                           its history (booked, confirmed by the patient).
    CHANGE, REBOOK, RESCHEDULE (Welsh NEWID)
                           the appointment goes on the navigator's worklist to rearrange.
    HELP, INFO             with a reminder: the appointment goes on the worklist; either way the
                           navigator gets a message in the case, and the reply gives the
                           helpline.

Keywords about an appointment need a reminder for an appointment still to come; otherwise, and
for any other text, the text becomes a message in the case's conversation for the navigator.
Replies to the patient go through the outbox (one per MessageSid), and say nothing clinical.

A text answering a question another app asked (its latest SMS to the number was of a kind that
app registered with `appointments.hooks.reply_handler_register`, such as careplans' "did you
get the help you needed?") goes to that app's handler first, after STOP and START; the
handler returns None for a text that is no answer, which is then handled as above.
"""

import datetime as dt
import logging
import uuid

from django.utils import timezone

from appointments.hooks import REPLY_HANDLERS
from appointments.models import ChaseTask, ItemState, TrackedItem
from appointments.reminders import REMINDER_KIND, item_id_from_reference
from appointments.services import chase_task_open, tracked_item_transition
from navigator.messaging.inbound import (
    HELP_KEYWORDS,
    OPT_IN_KEYWORDS,
    OPT_OUT_KEYWORDS,
    SENT_STATUSES,
)
from navigator.messaging.models import Channel, InboundSms, OutboundMessage
from navigator.messaging.services import MessagingError, Recipient, message_send
from patients import links
from patients.models import Case, Patient, TimelineEvent
from patients.services import MessageVia, case_message_post, timeline_event_add

logger = logging.getLogger(__name__)

# With the Welsh the reminder asks for in Welsh (CADARNHAU, NEWID: locale/cy django.po).
CONFIRM_KEYWORDS = frozenset({"CONFIRM", "CONFIRMED", "YES", "CADARNHAU"})
CHANGE_KEYWORDS = frozenset({"CHANGE", "REBOOK", "RESCHEDULE", "NEWID"})
# A reply about an appointment that started longer ago than this is about nothing we can act on.
STILL_RELEVANT_AFTER_START = dt.timedelta(hours=2)


def sms_received(*, inbound: InboundSms) -> str:
    """Act on a text from a patient; returns what was done, in words for staff."""
    patient = _sender(inbound)
    if patient is None:
        return "No single patient has this number, so nobody was told."
    inbound.subject_id = patient.pk
    keyword = inbound.keyword
    appointment = _reminded_appointment(inbound, patient)
    cases = list(Case.objects.filter(patient=patient, status=Case.Status.OPEN))
    if not cases:
        return f"{patient.full_name} has no open case, so nobody was told."
    case = appointment.case if appointment is not None else cases[0]

    if keyword in OPT_OUT_KEYWORDS:
        for each in cases:
            _note(
                each,
                summary=f"Text messages stopped: {patient.given_name} replied {keyword}",
                detail=f"No more text messages will go to {patient.phone_display or inbound.from_number}. "
                "Messages go by email if we have their address. They can text START to resume.",
            )
        if keyword == "CANCEL" and appointment is not None:
            _worklist(
                appointment,
                summary=f"{patient.given_name} replied CANCEL to the reminder for "
                f"{appointment.title}",
                detail="They may want to cancel or rearrange the appointment. CANCEL also "
                "stopped their text messages, so call or email them.",
            )
            return f"Told the navigator: texts stopped, and {appointment.title} may need changing."
        return "Told the navigator that texts have stopped."

    if keyword in OPT_IN_KEYWORDS - CONFIRM_KEYWORDS:
        for each in cases:
            _note(
                each,
                summary=f"Text messages resumed: {patient.given_name} replied {keyword}",
                detail=f"Text messages go to {patient.phone_display or inbound.from_number} again.",
            )
        return "Told the navigator that texts have resumed."

    question = inbound.in_reply_to
    answer_to = REPLY_HANDLERS.get(question.kind) if question is not None else None
    if answer_to is not None:
        answered = answer_to(inbound=inbound, patient=patient, message=question)
        if answered:
            return answered

    if appointment is not None and keyword in CONFIRM_KEYWORDS:
        tracked_item_transition(
            item=appointment,
            to_state=ItemState.BOOKED,
            actor=None,
            note=f"{patient.full_name} confirmed it by text message (replied {keyword}).",
        )
        _reply(inbound, patient, kind="sms_reply_confirmed", case_id=appointment.case_id)
        return f"Confirmed {appointment.title}."

    if appointment is not None and keyword in CHANGE_KEYWORDS:
        _worklist(
            appointment,
            summary=f"{patient.given_name} asked to change {appointment.title}",
            detail=f"They replied {keyword} to the appointment reminder. Call them to rearrange "
            "it, and tell the hospital.",
        )
        _reply(inbound, patient, kind="sms_reply_change", case_id=appointment.case_id)
        return f"Put {appointment.title} on the navigator's worklist to rearrange."

    if keyword in HELP_KEYWORDS:
        if appointment is not None:
            _worklist(
                appointment,
                summary=f"{patient.given_name} asked for help with {appointment.title}",
                detail=f"They replied {keyword} to the appointment reminder. Call them.",
            )
        _post(case, patient, f"{keyword} (sent by text message: they asked for help)")
        _reply(inbound, patient, kind="sms_reply_help", case_id=case.pk)
        return "Asked the navigator to help."

    _post(case, patient, inbound.body)
    _reply(inbound, patient, kind="sms_reply_received", case_id=case.pk)
    return "Added to the case's messages for the navigator."


def sms_unreachable(*, subject_id: uuid.UUID, phone: str, explanation: str, blocked: bool) -> None:
    """Flag on each of the patient's open cases that texts to `phone` are not getting through.

    Called once per number found undeliverable (or once per message for a phone that was only
    switched off), so the navigator can check the number with the person.
    """
    patient = Patient.objects.filter(pk=subject_id).first()
    if patient is None:
        return
    if blocked:
        then = "No more texts will go to this number. Check it with them and update their contact details."
    else:
        then = "Texts to this number will still be tried."
    display = patient.phone_display if patient.phone == phone else phone
    for case in Case.objects.filter(patient=patient, status=Case.Status.OPEN):
        _note(
            case,
            summary=f"Text messages to {display} are not getting through",
            detail=f"The phone network says {explanation}. {then}",
        )


def _sender(inbound: InboundSms) -> Patient | None:
    if inbound.subject_id is not None:
        patient = Patient.objects.filter(pk=inbound.subject_id, phone=inbound.from_number).first()
        if patient is not None:
            return patient
    candidates = list(Patient.objects.filter(phone=inbound.from_number)[:2])
    return candidates[0] if len(candidates) == 1 else None


def _reminded_appointment(inbound: InboundSms, patient: Patient) -> TrackedItem | None:
    """The appointment the latest reminder to this number was about, if it is still to come."""
    reminder = (
        OutboundMessage.objects.filter(
            channel=Channel.SMS,
            to_address=inbound.from_number,
            kind=REMINDER_KIND,
            subject_id=patient.pk,
            status__in=SENT_STATUSES,
        )
        .order_by("-created_at")
        .first()
    )
    item_id = item_id_from_reference(reminder.reference) if reminder is not None else None
    if item_id is None:
        return None
    return (
        TrackedItem.objects.booked_appointments()
        .filter(
            pk=item_id,
            case__patient=patient,
            case__status=Case.Status.OPEN,
            starts_at__gte=timezone.now() - STILL_RELEVANT_AFTER_START,
        )
        .select_related("case__navigator")
        .first()
    )


def _note(case: Case, *, summary: str, detail: str) -> TimelineEvent:
    return timeline_event_add(
        case=case,
        by=None,
        kind=TimelineEvent.Kind.OTHER,
        occurred_at=timezone.now(),
        summary=summary[:200],
        detail=detail,
    )


def _worklist(item: TrackedItem, *, summary: str, detail: str) -> ChaseTask:
    """Put the appointment on its navigator's worklist (its open chase task), saying why."""
    _note(item.case, summary=summary, detail=detail)
    task, _opened = chase_task_open(item=item, summary=summary)
    return task


def _post(case: Case, patient: Patient, body: str) -> None:
    author = patient.user if patient.user_id else None
    case_message_post(case=case, author=author, body=body, via=MessageVia.SMS)


def _reply(inbound: InboundSms, patient: Patient, *, kind: str, case_id: uuid.UUID) -> None:
    """A short answer to the text they just sent, once per text, through the outbox.

    Urgent, so quiet hours do not hold it: it answers a text they sent a moment ago.
    """
    try:
        message_send(
            recipient=Recipient(
                name=patient.full_name, phone=inbound.from_number, language=patient.language
            ),
            kind=kind,
            # The replies about an appointment link to it on their home page.
            context={"link": links.home_link(case_id=case_id, section=links.COMING_UP)},
            idempotency_key=f"sms-reply:{inbound.message_sid}",
            subject_id=patient.pk,
            channel=Channel.SMS,
            urgent=True,
        )
    except MessagingError as error:
        logger.info("No reply to inbound SMS %s: %s", inbound.pk, error)
