"""Tracked items: starting to track what a patient waits for, and moving it through its
kind's workflow.

Callers check permissions first (through `patients.access`). Validation errors are
`ValidationError`s keyed by argument name, so a form can show each beside its field.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from appointments.models import (
    WORKFLOWS,
    ChaseTask,
    FollowUpRule,
    ItemState,
    TrackedItem,
    TrackedItemTransition,
)
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.organisations.models import Organisation
from patients.models import Case, TimelineEvent


def _today() -> dt.date:
    return timezone.localdate()


# --- Tracked items ---------------------------------------------------------------------------


def tracked_item_create(
    *,
    case: Case,
    kind: str,
    title: str,
    expected_by: dt.date,
    actor: User | None,
    state: str | None = None,
    responsible_provider: Organisation | None = None,
    responsible_person: User | None = None,
    starts_at: dt.datetime | None = None,
    location: str = "",
    what_to_bring: str = "",
    external_id: str = "",
    source_system: str = "",
    rule: FollowUpRule | None = None,
    source_event: TimelineEvent | None = None,
    note: str = "",
) -> TrackedItem:
    """Start tracking something the patient is waiting for.

    Rules:
    - `kind` is an `ItemKind`; `state` one of that kind's states (its first state if None);
    - the title is shown to the patient, so it is short and plain (no clinical detail);
    - an open item is first chased the day after `expected_by` (check-ins: on the day);
    - a closed case takes no new items; an external id is unique within its source system.
    """
    errors: dict[str, list[str]] = {}
    title = " ".join(title.split())
    workflow = WORKFLOWS.get(kind)
    if workflow is None:
        errors.setdefault("kind", []).append("Choose what kind of item this is.")
    elif state is not None and state not in workflow.states:
        labels = ", ".join(ItemState(s).label.lower() for s in workflow.states)
        errors.setdefault("state", []).append(f"This kind of item can be: {labels}.")
    if not title:
        errors.setdefault("title", []).append("Enter a short title the patient will understand.")
    elif len(title) > 200:
        errors.setdefault("title", []).append("The title must be 200 characters or fewer.")
    if not isinstance(expected_by, dt.date) or isinstance(expected_by, dt.datetime):
        errors.setdefault("expected_by", []).append("Enter the date it is expected by.")
    if starts_at is not None and timezone.is_naive(starts_at):
        raise ValueError("starts_at must be timezone-aware")
    if bool(external_id) != bool(source_system):
        errors.setdefault("external_id", []).append(
            "An imported item needs both its source system and its identifier there."
        )
    elif (
        external_id
        and TrackedItem.objects.filter(
            source_system=source_system, external_id=external_id
        ).exists()
    ):
        errors.setdefault("external_id", []).append(
            f"{source_system} item {external_id} is already tracked."
        )
    if not case.is_open:
        errors.setdefault("kind", []).append("This case is closed, so nothing new can be tracked.")
    if errors:
        raise ValidationError(errors)
    assert workflow is not None  # noqa: S101 - checked above
    state = state or workflow.initial
    now = timezone.now()
    closed = state in workflow.closed
    with transaction.atomic():
        item = TrackedItem.objects.create(
            case=case,
            kind=kind,
            state=state,
            title=title,
            expected_by=expected_by,
            responsible_provider=responsible_provider,
            responsible_person=responsible_person,
            starts_at=starts_at,
            location=location.strip(),
            what_to_bring=what_to_bring.strip(),
            external_id=external_id,
            source_system=source_system,
            rule=rule,
            source_event=source_event,
            next_chase_on=None
            if closed
            else expected_by + dt.timedelta(days=workflow.first_chase_after_days),
            closed_at=now if closed else None,
            created_by=actor,
        )
        TrackedItemTransition.objects.create(
            item=item, from_state="", to_state=state, by=actor, at=now, note=note.strip()[:500]
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=item,
            patient_id=case.patient_id,
            summary=f"Tracking: {item.get_kind_display()} expected by {expected_by:%d %b %Y}",
        )
    return item


def tracked_item_transition(
    *,
    item: TrackedItem,
    to_state: str,
    actor: User | None,
    note: str = "",
    expected_version: int | None = None,
    expected_by: dt.date | None = None,
) -> TrackedItem:
    """Move an item to `to_state`, if its kind's workflow allows it from where it is now.

    Rules:
    - an invalid move raises ValidationError on `to_state`, naming the moves that are allowed;
    - with `expected_version`, a move based on a stale view of the item is refused;
    - reaching a closed state closes the item and its open chase task; it is chased no more;
    - entering a state with a window (a result marked done) expects the next step within it,
      unless `expected_by` gives the date; the chase starts afresh (not escalated).
    """
    now = timezone.now()
    with transaction.atomic():
        current = TrackedItem.objects.select_for_update().select_related("case").get(pk=item.pk)
        workflow = current.workflow
        if expected_version is not None and current.version != expected_version:
            raise ValidationError(
                {
                    "to_state": [
                        f"Someone else changed this item since you opened it: it is now "
                        f"{current.get_state_display().lower()}. Check it and try again."
                    ]
                },
                code="stale",
            )
        allowed = workflow.allowed_from(current.state)
        if to_state not in allowed:
            here = ItemState(current.state).label.lower()
            target = ItemState(to_state).label.lower() if to_state in ItemState.values else to_state
            if allowed:
                options = ", ".join(ItemState(s).label.lower() for s in allowed)
                message = (
                    f"{current.get_kind_display()} that is {here} cannot become {target}. "
                    f"It can become: {options}."
                )
            else:
                message = f"{current.get_kind_display()} that is {here} cannot change any more."
            raise ValidationError({"to_state": [message]}, code="invalid_transition")

        from_state = current.state
        current.state = to_state
        fields = ["state", "version", "updated_at"]
        if to_state in workflow.closed:
            current.closed_at = now
            current.next_chase_on = None
            ChaseTask.objects.open().filter(item=current).update(
                status=ChaseTask.Status.DONE, closed_at=now
            )
        else:
            window = workflow.windows.get(to_state)
            restart = expected_by is not None or window is not None or current.closed_at
            if expected_by is not None:
                current.expected_by = expected_by
            elif to_state == ItemState.BOOKED and current.starts_at is not None:
                current.expected_by = timezone.localdate(current.starts_at)
            elif window is not None:
                current.expected_by = timezone.localdate(now) + dt.timedelta(days=window)
            current.closed_at = None
            if restart:
                current.escalated_at = None
                current.next_chase_on = current.expected_by + dt.timedelta(
                    days=workflow.first_chase_after_days
                )
            fields += ["expected_by", "escalated_at"]
        fields += ["closed_at", "next_chase_on"]
        current.version = F("version") + 1
        current.save(update_fields=fields)
        TrackedItemTransition.objects.create(
            item=current, from_state=from_state, to_state=to_state, by=actor, at=now, note=note
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=current,
            patient_id=current.case.patient_id,
            summary=f"{current.get_kind_display()}: {ItemState(from_state).label} → "
            f"{ItemState(to_state).label}",
        )
    current.refresh_from_db()
    return current


def tracked_item_move_to(
    *, item: TrackedItem, to_state: str, actor: User | None, note: str = ""
) -> TrackedItem:
    """Move an item to `to_state` by the fewest moves its kind's workflow allows, each one a
    `tracked_item_transition` (so each is recorded, audited and applies its window): a result
    requested and then reported passes through done. ValidationError on `to_state` if the
    workflow allows no way there; nothing moves then."""
    workflow = WORKFLOWS[item.kind]
    steps = workflow.path(item.state, to_state)
    if steps is None:
        # The one-move check says why in the workflow's own words.
        return tracked_item_transition(item=item, to_state=to_state, actor=actor, note=note)
    with transaction.atomic():
        for state in steps:
            item = tracked_item_transition(item=item, to_state=state, actor=actor, note=note)
    return item
