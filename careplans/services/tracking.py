"""The one place careplans hands things to `appointments` to be chased: an untaken assessment
offer, a plan's review date, an item past its due date. Appointments never imports careplans."""

import datetime as dt
import uuid

from appointments.models import ItemKind, ItemState, TrackedItem
from appointments.services import chase_task_open, tracked_item_create, tracked_item_transition
from navigator.accounts.models import User
from patients.models import Case


def track(
    *,
    case: Case,
    kind: str,
    title: str,
    expected_by: dt.date,
    actor: User | None = None,
    state: str | None = None,
) -> uuid.UUID:
    """Create the tracked item that chases something of ours; returns its id.

    `title` is shown to the patient: plain words, no clinical detail."""
    item = tracked_item_create(
        case=case, kind=kind, title=title, expected_by=expected_by, actor=actor, state=state
    )
    return item.pk


def tracked_close(
    *,
    tracked_item_id: uuid.UUID | None,
    outcome: str,
    actor: User | None,
    state: str = ItemState.COMPLETED,
) -> None:
    """Close the tracked item (if any, and still open) because what it chased was dealt with.

    A state its workflow does not allow from where it is becomes "cancelled"."""
    if tracked_item_id is None:
        return
    item = TrackedItem.objects.open().filter(pk=tracked_item_id).first()
    if item is None:
        return
    if state not in item.allowed_states:
        state = ItemState.CANCELLED
    tracked_item_transition(item=item, to_state=state, actor=actor, note=outcome[:500])


def tracked_open(tracked_item_id: uuid.UUID | None) -> TrackedItem | None:
    """The tracked item, if there is one and it is still open."""
    if tracked_item_id is None:
        return None
    return TrackedItem.objects.open().filter(pk=tracked_item_id).first()


__all__ = [
    "ItemKind",
    "ItemState",
    "track",
    "tracked_close",
    "tracked_open",
    "chase_task_open",
]
