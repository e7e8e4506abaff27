"""What the apps built on `patients` do when something happens on a case.

`patients` imports none of the apps above it (STYLE.md: dependencies point one way). An app that
must act on a patients event registers a handler here from its `AppConfig.ready()`; the service
that records the event calls every handler inside its own transaction, so a failing handler
undoes the event too, exactly as if the code were inline.

    timeline_event_recorded_register(handler=...)   # handler(*, event: TimelineEvent) -> object
        called once for each timeline event recorded (timeline_event_add, and case_open's
        diagnosis), once its row is written: appointments' follow-up rules start tracking what
        the event means the patient now waits for.

    timeline_follow_ups_register(handler=...)   # handler(*, events) -> {event id: [line]}
        asked when the timeline page shows `events`: appointments answers, for each event, what
        its follow-up rules scheduled ("Check-in ...: expected by 9 December 2026"), so the
        page shows what a discharge set in motion.

    case_removal_register(handler=...)   # handler(*, case: Case) -> {record label: count}
        called when a case's records are removed under the retention policy
        (patients.services.retention), before the case row is deleted and inside the same
        transaction: careplans removes its plans, assessments and offers, which protect the
        case from deletion. What cascades from the case (tracked items, flags) needs no handler.
"""

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patients.models import Case, TimelineEvent

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


FollowUpsHandler = Callable[..., dict[Any, list[str]]]
TIMELINE_FOLLOW_UPS: list[FollowUpsHandler] = []


def timeline_follow_ups_register(*, handler: FollowUpsHandler) -> None:
    """Ask `handler(events=...)` what each shown event scheduled. Registering twice is a no-op."""
    if handler not in TIMELINE_FOLLOW_UPS:
        TIMELINE_FOLLOW_UPS.append(handler)


def timeline_follow_ups(*, events: Sequence["TimelineEvent"]) -> dict[Any, list[str]]:
    """What each of `events` scheduled, in words for staff, by event id (one query a handler)."""
    lines: dict[Any, list[str]] = {}
    for handler in TIMELINE_FOLLOW_UPS:
        for event_id, found in handler(events=events).items():
            lines.setdefault(event_id, []).extend(found)
    return lines


CaseRemovalHandler = Callable[..., dict[str, int]]
CASE_REMOVAL: list[CaseRemovalHandler] = []


def case_removal_register(*, handler: CaseRemovalHandler) -> None:
    """Call `handler(case=...)` before a case is removed. Registering twice is a no-op."""
    if handler not in CASE_REMOVAL:
        CASE_REMOVAL.append(handler)


def case_removing(*, case: "Case") -> dict[str, int]:
    """Have the registered apps remove their records of `case`; how many of each they removed.
    Call inside the removal's transaction, before deleting the case."""
    removed: dict[str, int] = {}
    for handler in CASE_REMOVAL:
        for label, count in handler(case=case).items():
            removed[label] = removed.get(label, 0) + count
    return removed
