"""What the apps built on `appointments` do with its events; appointments imports none of them.

An app above registers its handler here from its `AppConfig.ready()` (careplans does, in
`careplans.apps`):

    reply_handler_register(kind=..., handler=...)
        handler(*, inbound, patient, message) -> str | None
        a text answering an SMS of `kind` that the app sent (careplans' "did you get the help
        you needed?") goes to `handler` first, after STOP and START (`appointments.inbound`);
        it returns what it did, in words for staff, or None for a text that is no answer to
        `message`, which is then handled as any other text.

    follow_up_created_register(kind=..., handler=...)
        handler(*, item, event) -> object
        called when a follow-up rule creates a tracked item of `kind` after a timeline event,
        inside the event's transaction: careplans offers the needs assessment an
        `assessment_offer` item stands for (a discharge, the end of treatment).
"""

from collections.abc import Callable

# handler(inbound=, patient=, message=) -> what it did in words for staff, or None.
ReplyHandler = Callable[..., str | None]
# One handler per message kind.
REPLY_HANDLERS: dict[str, ReplyHandler] = {}


def reply_handler_register(*, kind: str, handler: ReplyHandler) -> None:
    """Send texts replying to an SMS of `kind` to `handler` (one handler per kind)."""
    registered = REPLY_HANDLERS.get(kind)
    if registered is not None and registered is not handler:
        raise ValueError(f"Replies to {kind!r} already go to {registered.__qualname__}.")
    REPLY_HANDLERS[kind] = handler


# handler(item=, event=): acts on a tracked item a follow-up rule has just created.
FollowUpHandler = Callable[..., object]
# One handler per item kind.
FOLLOW_UP_HANDLERS: dict[str, FollowUpHandler] = {}


def follow_up_created_register(*, kind: str, handler: FollowUpHandler) -> None:
    """Call `handler(item=, event=)` for each item of `kind` a follow-up rule creates."""
    registered = FOLLOW_UP_HANDLERS.get(kind)
    if registered is not None and registered is not handler:
        raise ValueError(f"Follow-ups of {kind!r} already go to {registered.__qualname__}.")
    FOLLOW_UP_HANDLERS[kind] = handler


def follow_up_created(*, item: object, event: object, kind: str) -> None:
    """Tell the registered app that a rule created `item` after `event`."""
    handler = FOLLOW_UP_HANDLERS.get(kind)
    if handler is not None:
        handler(item=item, event=event)
