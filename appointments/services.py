"""Writes to tracked items and the chase: each validates, runs in a transaction and is audited.

Callers check permissions first (through `patients.access`). Validation errors are
`ValidationError`s keyed by argument name, so a form can show each beside its field.
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from appointments.models import (
    CHASE_EVERY_DAYS,
    ESCALATE_AFTER_DAYS,
    WORKFLOWS,
    ChaseRecord,
    ChaseTask,
    FollowUpRule,
    ItemKind,
    ItemState,
    Nudge,
    Responsible,
    TrackedItem,
    TrackedItemTransition,
)
from navigator.audit.models import AuditEvent
from navigator.audit.services import AuditEntry, audit_record, audit_record_many
from navigator.db import rows_insert, rows_update
from navigator.messaging.services import MessageToSend, MessagingError, Recipient, messages_send
from navigator.organisations.models import Membership, Organisation
from patients.models import Case, TimelineEvent
from patients.services import patient_recipient

logger = logging.getLogger(__name__)

# Big enough that per-statement costs are spread thin, small enough that a batch holds its
# locks briefly and a failed batch retried item by item stays quick.
DEFAULT_BATCH_SIZE = 500
# Whom the chase nudges for items no rule made (created by hand or imported).
DEFAULT_NUDGES: dict[str, list[str]] = {
    ItemKind.APPOINTMENT: [Nudge.PROVIDER],
    ItemKind.FOLLOW_UP: [Nudge.PATIENT, Nudge.PROVIDER],
    ItemKind.RESULT: [Nudge.PATIENT, Nudge.PROVIDER],
    ItemKind.REFERRAL: [Nudge.PATIENT, Nudge.PROVIDER],
    ItemKind.TREATMENT_SUMMARY: [Nudge.PROVIDER, Nudge.GP_PRACTICE],
    ItemKind.CANCER_CARE_REVIEW: [Nudge.GP_PRACTICE],
}
# A check-in this late when its event is recorded is left out: it would only confuse.
CHECK_IN_LATE_LIMIT_DAYS = 7
PATIENT_MESSAGE = "chase_patient"
PROFESSIONAL_MESSAGE = "chase_provider"
ESCALATION_MESSAGE = "chase_escalated"


def _today() -> dt.date:
    return timezone.localdate()


# --- Tracked items ---------------------------------------------------------------------------


def tracked_item_create(
    *,
    case: Case,
    kind: str,
    title: str,
    expected_by: dt.date,
    actor: Any | None,
    state: str | None = None,
    responsible_provider: Organisation | None = None,
    responsible_person: Any | None = None,
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
    actor: Any | None,
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
            ChaseTask.objects.filter(item=current, status=ChaseTask.Status.OPEN).update(
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


def follow_ups_from_event(*, event: TimelineEvent) -> list[TrackedItem]:
    """Create the items the active follow-up rules expect after `event`. Safe to call twice.

    Rules:
    - each active rule whose trigger is the event's kind creates one item, expected by the
      event's day plus the rule's offset, whoever is responsible per the rule;
    - a check-in more than `CHECK_IN_LATE_LIMIT_DAYS` past its day (the event was recorded
      late) is not created: sent that late, and all at once, it would only confuse;
    - a closed case gets nothing.
    """
    case = event.case
    rules = list(FollowUpRule.objects.filter(trigger=event.kind, active=True))
    if not rules or not case.is_open:
        return []
    done = set(
        TrackedItem.objects.filter(source_event=event, rule__in=rules).values_list(
            "rule_id", flat=True
        )
    )
    today = _today()
    provider = case.treating_providers.order_by("name").first()
    created = []
    for rule in rules:
        expected_by = event.occurred_on + dt.timedelta(days=rule.offset_days)
        too_late = (today - expected_by).days > CHECK_IN_LATE_LIMIT_DAYS
        if rule.id in done or (rule.item_kind == ItemKind.CHECK_IN and too_late):
            continue
        responsible: dict[str, Any] = {}
        if rule.responsible == Responsible.TREATING_PROVIDER:
            responsible["responsible_provider"] = provider
        elif rule.responsible == Responsible.GP_PRACTICE:
            responsible["responsible_provider"] = case.patient.gp_practice
        else:
            responsible["responsible_person"] = case.navigator
        created.append(
            tracked_item_create(
                case=case,
                kind=rule.item_kind,
                state=rule.item_state or None,
                title=rule.title,
                expected_by=expected_by,
                actor=event.recorded_by,
                rule=rule,
                source_event=event,
                note=f"Expected after: {event.get_kind_display().lower()} on "
                f"{event.occurred_on:%d %b %Y}",
                **responsible,
            )
        )
    return created


# --- The navigator's chase --------------------------------------------------------------------


def chase_task_open(*, item: TrackedItem, summary: str) -> tuple[ChaseTask, bool]:
    """Put the item on its navigator's worklist now (its open chase task) rather than when the
    chase job next finds it late; returns the task and whether it is new.

    At most one open task per item (the database's `one_open_task_per_item`): a task already
    open, or opened by the chase job at this moment, is the one to work. `summary` says why,
    in the audit entry of a new task.
    """
    task = ChaseTask.objects.filter(item=item, status=ChaseTask.Status.OPEN).first()
    if task is not None:
        return task, False
    try:
        with transaction.atomic():
            task = ChaseTask.objects.create(
                item=item, assigned_to=item.case.navigator, chase_round=max(item.chase_count, 1)
            )
            audit_record(
                actor=None,
                action=AuditEvent.Action.CREATE,
                obj=task,
                patient_id=item.case.patient_id,
                summary=summary[:200],
            )
    except IntegrityError:
        return ChaseTask.objects.get(item=item, status=ChaseTask.Status.OPEN), False
    return task, True


def chase_record(
    *,
    task: ChaseTask,
    actor: Any,
    outcome: str,
    next_chase_on: dt.date | None,
) -> ChaseRecord:
    """Record a chase in one step: chased, who, the outcome and when to chase next.

    Rules:
    - the outcome says what happened, in a few words; the next chase date is today or later
      (none only if the item has closed meanwhile);
    - the task is done; if the item is still open on `next_chase_on`, the job opens a new one;
    - a task someone else has just recorded is refused rather than recorded twice.
    """
    errors: dict[str, list[str]] = {}
    outcome = " ".join(outcome.split())
    today = _today()
    if not outcome:
        errors.setdefault("outcome", []).append("Enter what happened when you chased it.")
    elif len(outcome) > 500:
        errors.setdefault("outcome", []).append("The outcome must be 500 characters or fewer.")
    now = timezone.now()
    with transaction.atomic():
        locked = ChaseTask.objects.select_for_update().filter(pk=task.pk).first()
        item = TrackedItem.objects.select_for_update().select_related("case").get(pk=task.item_id)
        if locked is None or not locked.is_open:
            errors.setdefault("outcome", []).append(
                "This chase has already been recorded. Check the item's history."
            )
        if item.is_open:
            if next_chase_on is None:
                errors.setdefault("next_chase_on", []).append("Enter when to chase it next.")
            elif next_chase_on < today:
                errors.setdefault("next_chase_on", []).append(
                    "The next chase date must be today or in the future."
                )
        if errors:
            raise ValidationError(errors)
        assert locked is not None  # noqa: S101 - checked above
        record = ChaseRecord.objects.create(
            item=item,
            task=locked,
            chase_round=item.chase_count,
            chased_at=now,
            by=actor,
            outcome=outcome,
            next_chase_on=next_chase_on if item.is_open else None,
        )
        locked.status = ChaseTask.Status.DONE
        locked.closed_at = now
        locked.save(update_fields=["status", "closed_at"])
        if item.is_open:
            TrackedItem.objects.filter(pk=item.pk).update(
                next_chase_on=next_chase_on,
                last_chased_at=now,
                version=F("version") + 1,
                updated_at=now,
            )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=item,
            patient_id=item.case.patient_id,
            summary=f"Chased: {outcome}"[:200],
        )
    return record


@dataclass
class ChaseReport:
    """What one chase run did."""

    items: int = 0
    messages: int = 0
    tasks_opened: int = 0
    escalated: int = 0
    batches: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, other: "ChaseReport") -> None:
        self.items += other.items
        self.messages += other.messages
        self.tasks_opened += other.tasks_opened
        self.escalated += other.escalated

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "messages": self.messages,
            "tasks_opened": self.tasks_opened,
            "escalated": self.escalated,
            "batches": self.batches,
            "failed": len(self.failed),
        }


def chase_run(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    today: dt.date | None = None,
    max_batches: int | None = None,
) -> ChaseReport:
    """Chase every overdue item once: the job run by beat, by a task and by `manage.py chase`.

    Each batch is claimed with SELECT ... FOR UPDATE SKIP LOCKED (by the partial index
    `tracked_open_chase_due`) and handled in one transaction: the task on the navigator's
    worklist, the escalation, the messages (keyed by item and chase round) and the new
    `next_chase_on` commit together or not at all. So two runners never take the same item,
    a run that dies loses nothing (the batch rolls back and is taken again), and a rerun
    sends nothing twice. Within a batch, nudges to the same person or organisation go
    together (`_together`): a patient with three overdue items gets one text, a hospital
    one email listing its references. A batch that fails is retried item by item, so one
    bad item is logged and left for the next run without holding up the rest. A batch costs the same
    dozen statements whatever its size: its messages and audit entries are written together.
    """
    today = today or _today()
    report = ChaseReport()
    skip: set[Any] = set()
    while max_batches is None or report.batches < max_batches:
        claimed: list[TrackedItem] = []
        try:
            with transaction.atomic():
                claimed = _claim(today=today, limit=batch_size, skip=skip)
                if not claimed:
                    break
                done = _chase_items(claimed, today=today)
            report.add(done)  # counted only once committed
        except Exception:
            if not claimed:
                raise
            logger.exception("Chase batch of %d failed; retrying item by item", len(claimed))
            for item_id in [item.pk for item in claimed]:
                try:
                    with transaction.atomic():
                        one = _claim(today=today, limit=1, only=item_id)
                        done = _chase_items(one, today=today) if one else ChaseReport()
                    report.add(done)
                except Exception:
                    logger.exception("Could not chase tracked item %s; next run retries", item_id)
                    report.failed.append(str(item_id))
                    skip.add(item_id)
        report.batches += 1
    return report


def chase_claimable(*, today: dt.date) -> QuerySet[TrackedItem]:
    """The chase's claim: overdue items no other runner holds, oldest first, locked with
    SKIP LOCKED. The benchmark prints this query's plan (the partial index must serve it)."""
    return (
        TrackedItem.objects.select_for_update(skip_locked=True)
        .filter(closed_at__isnull=True, next_chase_on__lte=today)
        .order_by("next_chase_on")
    )


def _claim(
    *, today: dt.date, limit: int, skip: Iterable[Any] = (), only: Any | None = None
) -> list[TrackedItem]:
    """Lock up to `limit` overdue items no other runner holds, with what the chase reads.

    The related rows come in three more queries rather than joined into the claim: a
    locking query joined seven ways took longer to plan than to run.
    """
    overdue = chase_claimable(today=today)
    if only is not None:
        overdue = overdue.filter(pk=only)
    if skip:
        overdue = overdue.exclude(pk__in=list(skip))
    items = list(overdue[:limit])
    prefetch_related_objects(
        items,
        Prefetch(
            "case",
            queryset=Case.objects.select_related("patient__gp_practice", "team", "navigator"),
        ),
        "rule",
        "responsible_provider",
    )
    return items


@dataclass
class _Chase:
    """One item's round while its batch is worked out: the task, and what the messages did."""

    item: TrackedItem
    task: ChaseTask
    opened: bool
    # Each nudge: a message to send with whom it is for, or what stopped it (already worded).
    nudges: list[tuple[MessageToSend, str] | str] = field(default_factory=list)
    escalated: bool = False


def _chase_items(items: list[TrackedItem], *, today: dt.date) -> ChaseReport:
    """Handle claimed items, inside the caller's transaction, in a fixed number of statements
    whatever their number: the open tasks, the team leads (only if one may be needed), the
    messages (`messages_send`), the new tasks, the changed tasks, the chase records, the items
    (one UPDATE per distinct next chase date) and the audit entries."""
    now = timezone.now()
    report = ChaseReport()
    parked = [item for item in items if not item.case.is_open]
    if parked:
        # A closed case takes no new work: its items stop being chased, without a message.
        TrackedItem.objects.filter(pk__in=[i.pk for i in parked]).update(
            next_chase_on=None, updated_at=now
        )
        items = [item for item in items if item.case.is_open]
    if not items:
        return report
    open_tasks = {
        task.item_id: task
        for task in ChaseTask.objects.filter(
            item_id__in=[i.pk for i in items], status=ChaseTask.Status.OPEN
        )
    }
    late = {item.pk for item in items if item.escalated_at is None and _escalation_due(item, today)}
    leads = _team_leads({i.case.team_id for i in items if i.pk in late}) if late else {}

    chases: list[_Chase] = []
    for item in items:
        rule = item.rule
        chase_round = item.chase_count + 1
        task = open_tasks.get(item.id)
        chase = _Chase(
            item=item,
            task=task
            or ChaseTask(
                item=item, assigned_to=item.case.navigator, chase_round=chase_round, opened_at=now
            ),
            opened=task is None,
        )
        chase.task.chase_round = chase_round
        for whom in rule.nudges if rule else DEFAULT_NUDGES.get(item.kind, []):
            nudge = _nudge(item, whom, chase_round=chase_round, opened=chase.opened)
            if nudge:
                chase.nudges.append(nudge)
        lead = leads.get(item.case.team_id)
        if item.pk in late and lead is not None:
            chase.escalated = True
            item.escalated_at = chase.task.escalated_at = now
            chase.task.escalated_to = lead
            chase.nudges.append(
                (
                    MessageToSend(
                        recipient=Recipient(
                            name=lead.get_full_name(), email=lead.email, preferred_channel="email"
                        ),
                        kind=ESCALATION_MESSAGE,
                        context={"link": "/chase/", "name": lead.get_full_name()},
                        idempotency_key=f"chase:{item.id}:r{chase_round}:lead",
                        subject_id=item.case.patient_id,
                    ),
                    f"{lead.get_full_name()} (escalated)",
                )
            )
        item.chase_count = chase_round
        item.next_chase_on = today + dt.timedelta(
            days=max(rule.chase_every_days if rule else CHASE_EVERY_DAYS, 1)
        )
        chases.append(chase)

    # One message per person (or organisation) and kind: each item's nudge is a slot in it.
    to_send, slots = _together(
        [n[0] for chase in chases for n in chase.nudges if not isinstance(n, str)]
    )
    sent_results = messages_send(messages=to_send)
    results = (sent_results[slot] for slot in slots)
    records: list[ChaseRecord] = []
    audited: dict[Any, list[tuple[TrackedItem, str]]] = {}
    for chase in chases:
        item = chase.item
        done: list[str] = []
        sent = 0
        for nudge in chase.nudges:
            if isinstance(nudge, str):
                done.append(nudge)
                continue
            result, label = next(results), nudge[1]
            if isinstance(result, MessagingError):
                # Recorded on the chase, for the navigator to reach them another way.
                done.append(f"could not message {label}: {result}")
            else:
                done.append(f"{'Texted' if result.channel == 'sms' else 'Emailed'} {label}")
                sent += 1
        summary = "; ".join(done) or "No one to nudge: added to the navigator's worklist"
        records.append(
            ChaseRecord(
                item=item,
                task=chase.task,
                chase_round=item.chase_count,
                chased_at=now,
                outcome=f"Chased automatically: {summary}"[:500],
                next_chase_on=item.next_chase_on,
                messages_sent=sent,
            )
        )
        audited.setdefault(item.case_id, []).append((item, summary))
        report.items += 1
        report.tasks_opened += chase.opened
        report.escalated += chase.escalated

    report.messages = sum(not isinstance(result, MessagingError) for result in sent_results)
    # Plain INSERTs: a second open task or a second automatic record for a round breaks a
    # unique constraint and fails the batch, which is then retried item by item.
    rows_insert(model=ChaseTask, rows=[c.task for c in chases if c.opened])
    changed = [c.task for c in chases if not c.opened]
    if changed:
        rows_update(
            model=ChaseTask, rows=changed, fields=["chase_round", "escalated_to", "escalated_at"]
        )
    rows_insert(model=ChaseRecord, rows=records)
    # One UPDATE per distinct outcome (usually one per batch) rather than one per item: the
    # rows are locked by the claim, so incrementing in SQL matches the counts computed above.
    groups: dict[tuple[dt.date | None, bool], list[Any]] = {}
    for chase in chases:
        groups.setdefault((chase.item.next_chase_on, chase.escalated), []).append(chase.item.pk)
    for (next_chase_on, escalated), pks in groups.items():
        extra = {"escalated_at": now} if escalated else {}
        TrackedItem.objects.filter(pk__in=pks).update(
            chase_count=F("chase_count") + 1,
            version=F("version") + 1,
            last_chased_at=now,
            next_chase_on=next_chase_on,
            updated_at=now,
            **extra,
        )
    audit_record_many(actor=None, entries=[_audit_entry(done) for done in audited.values()])
    return report


def _audit_entry(done: list[tuple[TrackedItem, str]]) -> AuditEntry:
    """The audit entry for a batch's chase of one case's items: the item itself when it is
    the only one; else the case, naming each item by reference (their chase records hold the
    detail)."""
    item, summary = done[0]
    if len(done) == 1:
        return AuditEntry(
            action=AuditEvent.Action.UPDATE,
            obj=item,
            patient_id=item.case.patient_id,
            summary=f"Chase round {item.chase_count}: {summary}",
        )
    items = ", ".join(f"{i.reference} (round {i.chase_count})" for i, _ in done)
    outcomes = "; ".join(dict.fromkeys(outcome for _, outcome in done))
    return AuditEntry(
        action=AuditEvent.Action.UPDATE,
        obj=item.case,
        patient_id=item.case.patient_id,
        summary=f"Chased {len(done)} items: {outcomes}; {items}",
    )


# What differs between one item's nudge and another's to the same recipient; the rest of the
# context (who it is for, the team's phone, the link) must match for nudges to go together.
_PER_ITEM = frozenset({"what", "reference", "expected_by"})


def _together(messages: list[MessageToSend]) -> tuple[list[MessageToSend], list[int]]:
    """The messages to send for these per-item nudges, and which one carries each nudge.

    Nudges of one kind to the same recipient go as one message whose context lists the items
    (`items`: each nudge's `what`, `reference` and `expected_by`; `count`; and `what` naming
    them together), so a batch never texts a person twice or emails a hospital once per
    item. A message about one patient keeps them as its subject (it shows in their case);
    one listing several patients' items has none. Its idempotency key is derived from its
    nudges' own keys (item, chase round and whom), so the same nudges make the same key.
    """
    groups: dict[tuple[Any, ...], list[int]] = {}
    for n, message in enumerate(messages):
        shared = tuple(
            sorted((k, str(v)) for k, v in message.context.items() if k not in _PER_ITEM)
        )
        # A nudge to the patient (its key ends with whom: see `_nudge`) stays theirs alone.
        personal = message.idempotency_key.endswith(f":{Nudge.PATIENT}")
        group = (message.kind, message.recipient, shared, personal and message.subject_id)
        groups.setdefault(group, []).append(n)
    merged: list[MessageToSend] = []
    slots = [0] * len(messages)
    for members in groups.values():
        for n in members:
            slots[n] = len(merged)
        merged.append(_merged([messages[n] for n in members]))
    return merged, slots


def _merged(messages: list[MessageToSend]) -> MessageToSend:
    first = messages[0]
    items = [{k: v for k, v in m.context.items() if k in _PER_ITEM} for m in messages]
    if len(messages) == 1:
        return replace(first, context={**first.context, "items": items, "count": 1})
    context = {
        **{k: v for k, v in first.context.items() if k not in _PER_ITEM},
        "items": items,
        "count": len(items),
        "what": _phrases([item["what"] for item in items if "what" in item]),
    }
    keys = "\n".join(sorted(m.idempotency_key for m in messages))
    subjects = {m.subject_id for m in messages}
    return replace(
        first,
        context=context,
        idempotency_key=f"chase:{hashlib.sha256(keys.encode()).hexdigest()[:40]}",
        subject_id=first.subject_id if len(subjects) == 1 else None,
    )


def _phrases(phrases: list[str]) -> str:
    """Distinct phrases as one: "a", "a and b", "a, b and c", "a, b and 3 other things"."""
    distinct = list(dict.fromkeys(phrases))
    if len(distinct) > 3:
        distinct = [*distinct[:2], f"{len(distinct) - 2} other things"]
    if len(distinct) < 2:
        return "".join(distinct)
    return f"{', '.join(distinct[:-1])} and {distinct[-1]}"


def _lower_first(text: str) -> str:
    """A label for the middle of a sentence: its first letter in lower case, the rest kept
    (so "Treatment summary to the GP" keeps its "GP")."""
    return text[:1].lower() + text[1:]


def _escalation_due(item: TrackedItem, today: dt.date) -> bool:
    """Late enough to go to the team lead (once: the caller checks it has not gone yet)."""
    escalate_after = item.rule.escalate_after_days if item.rule else ESCALATE_AFTER_DAYS
    return (today - item.expected_by).days >= escalate_after


def _team_leads(team_ids: set[Any]) -> dict[Any, Any]:
    """Each team's lead (the longest-serving active one), by team id."""
    leads: dict[Any, Any] = {}
    for membership in (
        Membership.objects.filter(team_id__in=team_ids, is_lead=True, user__is_active=True)
        .select_related("user")
        .order_by("joined_at")
    ):
        leads.setdefault(membership.team_id, membership.user)
    return leads


def _nudge(
    item: TrackedItem, whom: str, *, chase_round: int, opened: bool
) -> tuple[MessageToSend, str] | str:
    """The message for one nudge the rule names, with whom it is for (for the chase record);
    or, when none can go, what stopped it ("" if nothing is worth recording)."""
    case = item.case
    patient = case.patient
    rule = item.rule
    key = f"chase:{item.id}:r{chase_round}:{whom}"
    if whom == Nudge.PATIENT:
        kind = rule.patient_message if rule else PATIENT_MESSAGE
        # The patient hears when chasing starts (a new task), not on every round after it.
        if not kind or not opened:
            return ""
        recipient = patient_recipient(patient=patient)
        context: dict[str, Any] = {"what": item.workflow.patient_phrase, "link": "/"}
        label = "the patient"
    else:
        organisation = item.responsible_provider if whom == Nudge.PROVIDER else patient.gp_practice
        kind = rule.professional_message if rule else PROFESSIONAL_MESSAGE
        if not kind or organisation is None:
            return ""
        if not organisation.email:
            return f"no email address for {organisation.name}"
        recipient = Recipient(
            name=organisation.name, email=organisation.email, preferred_channel="email"
        )
        context = {
            "organisation": organisation.name,
            "what": _lower_first(item.get_kind_display()),
            "reference": item.reference,
            "expected_by": item.expected_by,
            "team_phone": case.team.phone,
            "link": "/",
        }
        label = organisation.name
    message = MessageToSend(
        recipient=recipient,
        kind=kind,
        context=context,
        idempotency_key=key,
        subject_id=case.patient_id,
    )
    return message, label
