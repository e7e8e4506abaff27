"""The navigator's chase: the job that chases overdue items in batches, and recording a
chase by hand."""

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from appointments.models import (
    CHASE_EVERY_DAYS,
    ESCALATE_AFTER_DAYS,
    ChaseDigest,
    ChaseRecord,
    ChaseTask,
    TrackedItem,
)
from appointments.services.chase_nudges import (
    DEFAULT_NUDGES,
    PATIENT_MESSAGE,
    OrganisationNudge,
    Unreachable,
    _escalation_nudge,
    _nudge,
    _together,
    patient_day_key,
    patient_texted_today,
    unreachable_problem,
)
from appointments.services.tracked_items import _today
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import AuditEntry, audit_record, audit_record_many
from navigator.db import AnyOf, row_address, rows_at, rows_update
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import (
    MessageToSend,
    MessagingError,
    Recipient,
    messages_send,
)
from navigator.organisations.models import Membership
from patients.models import Case

logger = logging.getLogger(__name__)

# Big enough that per-statement costs are spread thin (and a case's items share an audit
# entry more often), small enough that a batch holds its locks briefly and a failed batch
# retried item by item stays quick. 1,000 against 500 took the bench's job from 2.9 to 2.7
# times the floor (bench/README, "Chase figures measured").
DEFAULT_BATCH_SIZE = 1000


def chase_task_open(*, item: TrackedItem, summary: str) -> tuple[ChaseTask, bool]:
    """Put the item on its navigator's worklist now (its open chase task) rather than when the
    chase job next finds it late; returns the task and whether it is new.

    At most one open task per item (the database's `one_open_task_per_item`): a task already
    open, or opened by the chase job at this moment, is the one to work. `summary` says why,
    in the audit entry of a new task.
    """
    task = ChaseTask.objects.open().filter(item=item).first()
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
        return ChaseTask.objects.open().get(item=item), False
    return task, True


def chase_record(
    *,
    task: ChaseTask,
    actor: User,
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
    sends nothing twice. A patient gets at most one chase text a day (its key is the patient
    and the day; an item chased after it is recorded as covered by it), and each organisation
    one email a run listing its references: the batches write their lines as `ChaseDigest`
    rows and the run sends them together at its end (`digests_send`; a run that dies first
    leaves them to the next). A batch that fails is retried item by item, so one
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
    report.messages += digests_send()
    return report


def digests_send() -> int:
    """Send every unsent `ChaseDigest` as one email per organisation (and message kind and
    shared wording), listing all their references; returns how many messages were queued.

    The digests are claimed with SKIP LOCKED, so two runners never send the same line; the
    email's key is made from the digests' ids, so a retry after a failure sends it once.
    """
    with transaction.atomic():
        digests = list(
            ChaseDigest.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sent_at__isnull=True)
            .select_related("organisation")
            .order_by("created_at", "id")
        )
        if not digests:
            return 0
        groups: dict[tuple[Any, ...], list[ChaseDigest]] = {}
        for digest in digests:
            shared = tuple(sorted((k, str(v)) for k, v in digest.context.items()))
            groups.setdefault((digest.organisation_id, digest.kind, shared), []).append(digest)
        to_send = [_digest_message(members) for members in groups.values()]
        results = messages_send(messages=to_send)
        now = timezone.now()
        for members, result in zip(groups.values(), results, strict=True):
            if isinstance(result, MessagingError):
                # Its address went between the batch and now: the items' tasks remain.
                logger.warning("Chase email to %s not sent: %s", members[0].organisation, result)
            for digest in members:
                digest.sent_at = now
                digest.message = None if isinstance(result, MessagingError) else result
        ChaseDigest.objects.bulk_update(digests, ["sent_at", "message"])
    return sum(not isinstance(result, MessagingError) for result in results)


def _digest_message(digests: list[ChaseDigest]) -> MessageToSend:
    """One email to an organisation listing every reference in `digests`."""
    organisation = digests[0].organisation
    lines = [
        {**line, "expected_by": dt.date.fromisoformat(line["expected_by"])}
        for digest in digests
        for line in digest.items
    ]
    subjects = {subject for digest in digests for subject in digest.subject_ids}
    ids = "\n".join(str(d.pk) for d in digests)
    context: dict[str, Any] = {**digests[0].context, "items": lines, "count": len(lines)}
    if len(lines) == 1:
        context.update(lines[0])
    return MessageToSend(
        recipient=Recipient(
            name=organisation.name, email=organisation.email, preferred_channel="email"
        ),
        kind=digests[0].kind,
        context=context,
        idempotency_key=(
            f"chase:provider:{organisation.pk}:{hashlib.sha256(ids.encode()).hexdigest()[:32]}"
        ),
        subject_id=uuid.UUID(subjects.pop()) if len(subjects) == 1 else None,
    )


def chase_claimable(*, today: dt.date) -> QuerySet[TrackedItem]:
    """The chase's claim: overdue items no other runner holds, oldest first, locked with
    SKIP LOCKED, each with its address (`row_address`) for the batch's UPDATE. The benchmark
    prints this query's plan (the partial index must serve it)."""
    return row_address(
        TrackedItem.objects.select_for_update(skip_locked=True)
        .chase_due(today=today)
        .order_by("next_chase_on")
    )


def _claim(
    *, today: dt.date, limit: int, skip: Iterable[Any] = (), only: Any | None = None
) -> list[TrackedItem]:
    """Lock up to `limit` overdue items no other runner holds, with what the chase reads.

    The related rows come in more queries rather than joined into the claim: a locking query
    joined seven ways took longer to plan than to run, and even joining the rules and
    organisations, or a probe for each item's open task, made the claim dearer than their own
    queries. Each case comes with whether its patient has had the day's chase text
    (`chase_texted_today`).
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
            queryset=Case.objects.select_related(
                "patient__gp_practice", "team", "navigator"
            ).annotate(chase_texted_today=patient_texted_today(today=today)),
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
    # Each nudge: a message to send with whom it is for, an organisation's line for the run's
    # email to it, or what stopped it (already worded).
    nudges: list[tuple[MessageToSend, str] | OrganisationNudge | str] = field(default_factory=list)
    escalated: bool = False


def _chase_items(items: list[TrackedItem], *, today: dt.date) -> ChaseReport:
    """Handle claimed items, inside the caller's transaction, in a fixed number of statements
    whatever their number: the open tasks, the team leads
    (only if one may be needed), the messages (`messages_send`), the changed tasks, the items
    (one UPDATE per distinct next chase date), and one INSERT of the new tasks, the chase
    records, the organisations' digests and the audit entries."""
    now = timezone.now()
    report = ChaseReport()
    items = _closed_cases_park(items, now=now)
    if not items:
        return report
    chases = _rounds_plan(items, today=today, now=now)
    outcomes, report.messages = _nudges_send(chases, today=today)
    records: list[ChaseRecord] = []
    audited: dict[Any, list[tuple[TrackedItem, str]]] = {}
    for chase in chases:
        item = chase.item
        summary, sent = _round_outcome(chase, outcomes)
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
    _rounds_save(chases, now=now)
    # Plain INSERTs, in one statement with the audit entries: a second open task or a second
    # automatic record for a round breaks a unique constraint and fails the batch, which is
    # then retried item by item.
    audit_record_many(
        actor=None,
        entries=[_audit_entry(done) for done in audited.values()],
        with_rows=[
            (ChaseTask, [c.task for c in chases if c.opened]),
            (ChaseRecord, records),
            (ChaseDigest, _digests(chases, now=now)),
        ],
    )
    return report


def _closed_cases_park(items: list[TrackedItem], *, now: dt.datetime) -> list[TrackedItem]:
    """The items whose case is open; those on a closed case are no longer chased."""
    parked = [item for item in items if not item.case.is_open]
    if parked:
        # A closed case takes no new work: its items stop being chased, without a message.
        TrackedItem.objects.filter(pk__in=[i.pk for i in parked]).update(
            next_chase_on=None, updated_at=now
        )
        items = [item for item in items if item.case.is_open]
    return items


def _rounds_plan(items: list[TrackedItem], *, today: dt.date, now: dt.datetime) -> list[_Chase]:
    """Each item's next round, worked out in memory: its task (the open one, or a new one),
    its nudges, its escalation to the team lead when it is late enough, its next chase date."""
    open_tasks = {
        task.item_id: task
        for task in ChaseTask.objects.open().filter(AnyOf(F("item_id"), [i.pk for i in items]))
    }
    late = {item.pk for item in items if item.escalated_at is None and _escalation_due(item, today)}
    leads = _team_leads({i.case.team_id for i in items if i.pk in late}) if late else {}
    return [
        _round_plan(
            item,
            task=open_tasks.get(item.id),
            lead=leads.get(item.case.team_id) if item.pk in late else None,
            today=today,
            now=now,
        )
        for item in items
    ]


def _round_plan(
    item: TrackedItem,
    *,
    task: ChaseTask | None,
    lead: User | None,
    today: dt.date,
    now: dt.datetime,
) -> _Chase:
    """One item's round: `task` is its open task (None: a new one), `lead` the team lead it
    is escalated to (None: not escalated)."""
    rule = item.rule
    chase_round = item.chase_count + 1
    chase = _Chase(
        item=item,
        task=task
        or ChaseTask(
            item=item, assigned_to=item.case.navigator, chase_round=chase_round, opened_at=now
        ),
        opened=task is None,
    )
    chase.task.chase_round = chase_round
    # Said again below if the organisation still cannot be reached; gone once it can.
    chase.task.contact_problem = ""
    for whom in rule.nudges if rule else DEFAULT_NUDGES.get(item.kind, []):
        nudge = _nudge(item, whom, chase_round=chase_round, opened=chase.opened, today=today)
        if isinstance(nudge, Unreachable):
            # The task is then to reach them another way; the queue and the case say so.
            chase.task.contact_problem = unreachable_problem(nudge.organisation)
            chase.nudges.append(f"could not email {nudge.organisation.name}: no email address")
        elif nudge:
            chase.nudges.append(nudge)
    if lead is not None:
        chase.escalated = True
        item.escalated_at = chase.task.escalated_at = now
        chase.task.escalated_to = lead
        chase.nudges.append(_escalation_nudge(item, lead, chase_round=chase_round))
    item.chase_count = chase_round
    item.next_chase_on = today + dt.timedelta(
        days=max(rule.chase_every_days if rule else CHASE_EVERY_DAYS, 1)
    )
    return chase


def _nudges_send(
    chases: list[_Chase], *, today: dt.date
) -> tuple[Iterator[OutboundMessage | MessagingError | None], int]:
    """Send the rounds' messages (to patients, and escalations); returns what became of each,
    in order (None: the patient's text of the day had gone already), and how many messages
    were queued."""
    messages = [n[0] for chase in chases for n in chase.nudges if isinstance(n, tuple)]
    # The patients' texts of the day already sent, by an earlier batch or run: the claim read
    # them with the cases (`chase_texted_today`), so no lookup here.
    covered = {
        patient_day_key(patient_id=chase.item.case.patient_id, today=today)
        for chase in chases
        # Annotated by `_claim` (`patient_texted_today`), so unknown to the type checker.
        if chase.item.case.chase_texted_today  # type: ignore[attr-defined]
    }
    pending = [n for n, m in enumerate(messages) if m.idempotency_key not in covered]
    # A patient with nudges of several kinds still gets one text (they share the day's key, so
    # the first written is the one): the chase text, put first so which one is never chance.
    pending.sort(key=lambda n: messages[n].kind != PATIENT_MESSAGE)
    # One message per person and kind: each item's nudge is a slot in it.
    to_send, slots = _together([messages[n] for n in pending])
    sent_results = messages_send(messages=to_send)
    queued = len({r.idempotency_key for r in sent_results if not isinstance(r, MessagingError)})
    slot_of = {n: slots[i] for i, n in enumerate(pending)}
    return (
        sent_results[slot_of[n]] if n in slot_of else None for n in range(len(messages))
    ), queued


def _digests(chases: list[_Chase], *, now: dt.datetime) -> list[ChaseDigest]:
    """The batch's lines for each organisation, as one unsaved `ChaseDigest` each (per
    message kind and shared wording), for the run's one email to it."""
    digests: dict[tuple[Any, ...], ChaseDigest] = {}
    for chase in chases:
        for nudge in chase.nudges:
            if not isinstance(nudge, OrganisationNudge):
                continue
            shared = tuple(sorted((k, str(v)) for k, v in nudge.context.items()))
            key = (nudge.organisation.pk, nudge.kind, shared)
            digest = digests.get(key)
            if digest is None:
                digest = digests[key] = ChaseDigest(
                    organisation=nudge.organisation,
                    kind=nudge.kind,
                    context=nudge.context,
                    created_at=now,
                )
            digest.items.append(nudge.line)
            # Two are enough to say the email is about no one patient (`_digest_message`).
            if nudge.subject_id not in digest.subject_ids and len(digest.subject_ids) < 2:
                digest.subject_ids.append(nudge.subject_id)
    return list(digests.values())


def _round_outcome(
    chase: _Chase, outcomes: Iterator[OutboundMessage | MessagingError | None]
) -> tuple[str, int]:
    """What the round did, in words for its chase record, and how many of its nudges went;
    takes this round's nudges' results from `outcomes`."""
    done: list[str] = []
    sent = 0
    for nudge in chase.nudges:
        if isinstance(nudge, str):
            done.append(nudge)
            continue
        if isinstance(nudge, OrganisationNudge):
            done.append(f"Emailed {nudge.organisation.name}")
            sent += 1
            continue
        result, label = next(outcomes), nudge[1]
        if result is None:
            done.append(f"Covered by today's text to {label}")
        elif isinstance(result, MessagingError):
            # Recorded on the chase, for the navigator to reach them another way.
            done.append(f"could not message {label}: {result}")
        else:
            done.append(f"{'Texted' if result.channel == 'sms' else 'Emailed'} {label}")
            sent += 1
    summary = "; ".join(done) or "No one to nudge: added to the navigator's worklist"
    return summary, sent


def _rounds_save(chases: list[_Chase], *, now: dt.datetime) -> None:
    """Write the rounds' changes to open tasks, and the items (the new rows go with the
    audit entries)."""
    changed = [c.task for c in chases if not c.opened]
    if changed:
        rows_update(
            model=ChaseTask,
            rows=changed,
            fields=["chase_round", "escalated_to", "escalated_at", "contact_problem"],
        )
    # One UPDATE per distinct outcome (usually one per batch) rather than one per item: the
    # rows are locked by the claim, so incrementing in SQL matches the counts computed above.
    # The rows are found where the claim read them (`rows_at`), not by key again.
    groups: dict[tuple[dt.date | None, bool], list[TrackedItem]] = {}
    for chase in chases:
        groups.setdefault((chase.item.next_chase_on, chase.escalated), []).append(chase.item)
    for (next_chase_on, escalated), items in groups.items():
        extra = {"escalated_at": now} if escalated else {}
        updated = rows_at(model=TrackedItem, rows=items).update(
            chase_count=F("chase_count") + 1,
            version=F("version") + 1,
            last_chased_at=now,
            next_chase_on=next_chase_on,
            updated_at=now,
            **extra,
        )
        if updated != len(items):
            # Only a change since the claim moves a row; the batch is then retried item by item.
            raise RuntimeError(f"{len(items) - updated} claimed items moved before their update")


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
