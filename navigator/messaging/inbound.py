"""What people and the phone network tell us: texts sent to our number, and delivery reports.

The webhooks (`navigator.messaging.webhooks`) check Twilio's signature and call these. The
platform keeps its own record (the inbound row, the opt-out list, the outbox status) and then
hands the text to the patient-facing apps through the handler they registered
(`navigator.messaging.hooks`), which matches it to the person and acts on it.

Opt-out keywords: Twilio itself blocks a number that texts any of its standard opt-out words
(STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE) and unblocks it on START,
UNSTOP or YES, whatever our code does. So our opt-out list follows the same words exactly:
otherwise we would keep queueing texts that Twilio refuses (error 21610). That includes
CANCEL: it stops all texts, as Twilio does. Our appointment reminders therefore never ask
people to reply CANCEL; they ask for CHANGE. A CANCEL that answers a reminder also tells the
navigator, so the appointment is not silently lost (see `appointments.inbound`).
"""

import logging
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from navigator.messaging.hooks import SMS_RECEIVED
from navigator.messaging.models import Channel, InboundSms, OutboundMessage
from navigator.messaging.services import (
    UNDELIVERABLE_CODES,
    UNREACHABLE_FOR_NOW_CODES,
    _tell_the_case,
    message_status_update,
    sms_opt_in,
    sms_opt_out,
)

logger = logging.getLogger(__name__)

# Twilio's standard words, for long codes: https://help.twilio.com/articles/223134027
OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
# Spaces, hyphens and punctuation around a keyword do not count.
_NOT_LETTERS = re.compile(r"[\s\-.!,'\"]+")
KEYWORD_MAX_LENGTH = 20
# Messages that left us, so a reply can be to them.
SENT_STATUSES = (
    OutboundMessage.Status.SENDING,
    OutboundMessage.Status.ATTENTION,
    OutboundMessage.Status.SENT,
    OutboundMessage.Status.DELIVERED,
)


@dataclass(frozen=True)
class InboundReceipt:
    inbound: InboundSms
    duplicate: bool


def sms_keyword(body: str) -> str:
    """The keyword a text is, in capitals ("Stop." -> "STOP"), or "" for any other text.

    Only a whole text is a keyword, as Twilio matches them: "Stop sending me texts" is a
    message for a person to read. "stop all" and "opt-out" count as STOPALL and OPTOUT.
    """
    words = [word.upper() for word in _NOT_LETTERS.split(body) if word]
    if len(words) == 2 and "".join(words) in OPT_OUT_KEYWORDS | OPT_IN_KEYWORDS:
        return "".join(words)
    if len(words) != 1 or not words[0].isalpha() or len(words[0]) > KEYWORD_MAX_LENGTH:
        return ""
    return words[0]


def inbound_sms_receive(
    *, message_sid: str, from_number: str, to_number: str, body: str
) -> InboundReceipt:
    """Record a text sent to us and act on it, once per Twilio MessageSid.

    - STOP and the other opt-out words stop all SMS to the number at once; START resumes;
    - the text is matched to the latest SMS we sent to that number (`in_reply_to`) and its
      patient, then handed to the registered sms_received handler, whose answer (what it did)
      is kept as `outcome`;
    - the same MessageSid again (Twilio retrying, or a replayed request) does nothing more.
    """
    keyword = sms_keyword(body)
    with transaction.atomic():
        try:
            with transaction.atomic():
                inbound = InboundSms.objects.create(
                    message_sid=message_sid,
                    from_number=from_number,
                    to_number=to_number,
                    body=body,
                    keyword=keyword,
                )
        except IntegrityError:
            # Delivered before (perhaps at this moment, by a concurrent request, whose
            # transaction we waited for): that delivery had the one effect.
            existing = InboundSms.objects.filter(message_sid=message_sid).first()
            if existing is None:
                raise
            return InboundReceipt(inbound=existing, duplicate=True)

        inbound.in_reply_to = (
            OutboundMessage.objects.filter(
                channel=Channel.SMS, to_address=from_number, status__in=SENT_STATUSES
            )
            .order_by("-created_at")
            .first()
        )
        if inbound.in_reply_to is not None:
            inbound.subject_id = inbound.in_reply_to.subject_id
        outcomes = []
        if keyword in OPT_OUT_KEYWORDS:
            sms_opt_out(phone=from_number, keyword=keyword)
            outcomes.append(f"Stopped all text messages to this number ({keyword}).")
        elif keyword in OPT_IN_KEYWORDS and sms_opt_in(phone=from_number):
            outcomes.append(f"Text messages to this number resumed ({keyword}).")
        handled = _tell_the_case(SMS_RECEIVED, inbound=inbound)
        if handled:
            outcomes.append(str(handled))
        elif handled is None and not outcomes:
            outcomes.append("Not handled automatically: see the logs.")
        inbound.outcome = " ".join(outcomes)[:300]
        inbound.save(update_fields=["in_reply_to", "subject_id", "outcome"])
    return InboundReceipt(inbound=inbound, duplicate=False)


def delivery_report_receive(
    *, message_sid: str, status: str, error_code: str = ""
) -> OutboundMessage | None:
    """Apply a Twilio status callback to the outbox row it names (see message_status_update).

    The same report any number of times has one effect; an error code saying the number cannot
    take texts flags the number, and tells the case, once.
    """
    known = {**UNDELIVERABLE_CODES, **UNREACHABLE_FOR_NOW_CODES}.get(error_code)
    error = ""
    if error_code:
        reason = known or "see https://www.twilio.com/docs/api/errors/" + error_code
        error = f"The phone network could not deliver it ({status}, Twilio {error_code}: {reason})."
    return message_status_update(
        provider_id=message_sid, status=status, error=error, error_code=error_code
    )
