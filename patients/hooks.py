"""What the apps built on `patients` do when something happens on a case.

`patients` imports none of the apps above it (STYLE.md: dependencies point one way). An app that
must act on a patients event registers a handler here from its `AppConfig.ready()`; the service
that records the event calls every handler inside its own transaction, so a failing handler
undoes the event too, exactly as if the code were inline.

    timeline_event_recorded_register(handler=...)   # handler(*, event: TimelineEvent) -> object
        called once for each timeline event recorded (timeline_event_add, and case_open's
        diagnosis), once its row is written: appointments' follow-up rules start tracking what
        the event means the patient now waits for.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from patients.models import TimelineEvent

TimelineEventHandler = Callable[..., object]
# In registration order (the order of INSTALLED_APPS).
TIMELINE_EVENT_RECORDED: list[TimelineEventHandler] = []


def timeline_event_recorded_register(*, handler: TimelineEventHandler) -> None:
    """Call `handler(event=...)` for each timeline event recorded. Registering twice is a no-op."""
    if handler not in TIMELINE_EVENT_RECORDED:
        TIMELINE_EVENT_RECORDED.append(handler)


def timeline_event_recorded(*, event: "TimelineEvent") -> None:
    """Tell the registered apps that `event` was recorded. Call inside the event's transaction."""
    for handler in TIMELINE_EVENT_RECORDED:
        handler(event=event)
