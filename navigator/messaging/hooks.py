"""What the patient-facing apps do with what arrives by SMS; the platform imports none of them.

The apps above register their handler here from their `AppConfig.ready()` (appointments does,
in `appointments.apps`); `navigator.messaging` calls it inside its own savepoint, after it has
kept its own record (the inbound row, the opt-out list, the outbox status). One handler each:

    sms_received_register(handler=...)      # handler(*, inbound: InboundSms) -> str | None
        a text someone sent us; returns what was done, in words for staff (kept as the
        inbound row's `outcome`), or None when it did nothing;
    sms_unreachable_register(handler=...)   # handler(*, subject_id, phone, explanation, blocked)
        a number the phone network cannot deliver to, once per number (or per message for a
        phone only switched off), so the navigator can check it with the person.

With nothing registered (the platform alone) the platform's own record is all that happens.
"""

from collections.abc import Callable

SmsHandler = Callable[..., object]
SMS_RECEIVED = "sms_received"
SMS_UNREACHABLE = "sms_unreachable"
HANDLERS: dict[str, SmsHandler] = {}


def sms_received_register(*, handler: SmsHandler) -> None:
    """Hand every text sent to us to `handler(inbound=...)`."""
    _register(SMS_RECEIVED, handler)


def sms_unreachable_register(*, handler: SmsHandler) -> None:
    """Tell `handler(subject_id=, phone=, explanation=, blocked=)` of a number found unable to
    take texts."""
    _register(SMS_UNREACHABLE, handler)


def _register(event: str, handler: SmsHandler) -> None:
    registered = HANDLERS.get(event)
    if registered is not None and registered is not handler:
        raise ValueError(f"{event} already goes to {registered.__qualname__}.")
    HANDLERS[event] = handler
