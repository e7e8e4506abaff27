"""The retention policy, enforced: what is due for removal, listed daily; removal once a team lead
confirms, leaving a tombstone and the audit trail.

The policy is `settings.RETENTION_YEARS`: years after a case closes that each kind of record is
kept ("documents": the files added to it; "case": the whole case). The README's "Retention"
gives the source, the NHS Records Management Code of Practice's rule for cancer records.
"""

import datetime as dt
import logging
from collections.abc import Iterator
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.models import InboundSms, OutboundMessage
from patients.documents import documents_storage
from patients.hooks import case_removing
from patients.models import Case, CaseDocument, Patient, RetentionReview, RetentionTombstone

logger = logging.getLogger(__name__)

DOCUMENTS = "documents"
CASE = "case"
RECORD_KINDS = {
    DOCUMENTS: "Letters and documents",
    CASE: "The whole case record",
}
POLICY_SOURCE = (
    "NHS Records Management Code of Practice (2021, updated 2023), Appendix II, "
    "cancer/oncology records"
)
# Closed cases read, and reviews written, per statement by the daily job.
BATCH_SIZE = 500


def _years_on(at: dt.datetime, years: int) -> dt.datetime:
    """`at` moved by whole `years` (back when negative); 29 February becomes the 28th."""
    try:
        return at.replace(year=at.year + years)
    except ValueError:
        return at.replace(year=at.year + years, day=28)


def retention_cutoff(*, record_kind: str, now: dt.datetime | None = None) -> dt.datetime:
    """Cases closed at or before this have outlived the policy for `record_kind`."""
    return _years_on(now or timezone.now(), -settings.RETENTION_YEARS[record_kind])


def retention_rule(record_kind: str) -> str:
    """The rule a removal of `record_kind` is made under, in words, for its tombstone."""
    years = settings.RETENTION_YEARS[record_kind]
    return (
        f"{RECORD_KINDS[record_kind]}: kept {years} years after the case closed ({POLICY_SOURCE})"
    )


def _closed_before(
    cutoff: dt.datetime, batch_size: int
) -> Iterator[list[tuple[UUID, dt.datetime]]]:
    # closed_at is never null here (filtered), which the type checker cannot see.
    """Closed cases closed at or before `cutoff`, oldest first, in batches: read by the partial
    index on `closed_at`, each batch starting after the last one's key."""
    after: tuple[dt.datetime, UUID] | None = None
    while True:
        cases = Case.objects.filter(
            closed_at__isnull=False, closed_at__lte=cutoff, status=Case.Status.CLOSED
        )
        if after is not None:
            cases = cases.filter(Q(closed_at__gt=after[0]) | Q(closed_at=after[0], pk__gt=after[1]))
        batch: list[tuple[UUID, dt.datetime]] = list(
            cases.order_by("closed_at", "pk").values_list("pk", "closed_at")[:batch_size]  # type: ignore[arg-type]
        )
        if not batch:
            return
        yield batch
        after = (batch[-1][1], batch[-1][0])


def retention_due_list(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """List each closed case whose records of some kind the policy no longer keeps, for a team
    lead to confirm (RetentionReview); how many were looked at. Idempotent: a case and kind is
    listed once however often this runs, and two runners insert nothing twice (the unique
    constraint, conflicts ignored). The documents kind is listed only where there are any."""
    now = now or timezone.now()
    seen = 0
    for record_kind, years in settings.RETENTION_YEARS.items():
        for batch in _closed_before(retention_cutoff(record_kind=record_kind, now=now), batch_size):
            seen += len(batch)
            closed = dict(batch)
            due = list(closed)
            if record_kind == DOCUMENTS:
                due = list(
                    CaseDocument.objects.filter(case_id__in=due)
                    .order_by()
                    .values_list("case_id", flat=True)
                    .distinct()
                )
            RetentionReview.objects.bulk_create(
                [
                    RetentionReview(
                        case_id=case_id,
                        record_kind=record_kind,
                        due_since=_years_on(closed[case_id], years),
                        listed_at=now,
                    )
                    for case_id in due
                ],
                ignore_conflicts=True,
            )
    return seen


def retention_remove(
    *, review: RetentionReview, by: User, now: dt.datetime | None = None
) -> RetentionTombstone:
    """Remove what `review` lists, as `by` (a lead of the case's team: callers check
    `patients.confirm_removal`), leaving a tombstone and an audit entry.

    Rules:
    - refused unless the case is closed and still past the policy for that kind today;
    - "documents": the case's documents (their files after the commit) and their timeline
      events; "case": everything of the case, the apps above through `patients.hooks`, and the
      patient's details, messages sent to them and their account's sign-in, once no case of
      theirs is left;
    - the audit trail is never touched: its months go whole, by `manage.py audit_partitions`.
    """
    now = now or timezone.now()
    record_kind = review.record_kind
    if record_kind not in RECORD_KINDS:
        raise ValidationError(f"Unknown kind of record: {record_kind!r}.")
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("patient").get(pk=review.case_id)
        cutoff = retention_cutoff(record_kind=record_kind, now=now)
        if case.status != Case.Status.CLOSED or case.closed_at is None or case.closed_at > cutoff:
            raise ValidationError("The policy still keeps these records.")
        files = list(case.documents.values_list("stored_name", flat=True))
        # Read before the rows go: a deleted case forgets its key.
        case_id, patient_id, team_id, closed_at = (
            case.pk,
            case.patient_id,
            case.team_id,
            case.closed_at,
        )
        if record_kind == DOCUMENTS:
            removed = _documents_remove(case)
            review.delete()
        else:
            removed = _case_remove(case)
        tombstone = RetentionTombstone.objects.create(
            case_id=case_id,
            patient_id=patient_id,
            team_id=team_id,
            record_kind=record_kind,
            rule=retention_rule(record_kind)[:300],
            case_closed_at=closed_at,
            removed_at=now,
            removed_by=by,
            removed=removed,
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.DELETE,
            object_type=Case._meta.label_lower,
            object_id=str(case_id),
            patient_id=patient_id,
            summary=f"Removed under the retention policy: {RECORD_KINDS[record_kind].lower()}",
        )
        transaction.on_commit(lambda: _files_delete(files))
    return tombstone


def _documents_remove(case: Case) -> dict[str, int]:
    events = list(case.documents.exclude(event=None).values_list("event_id", flat=True))
    _, documents = case.documents.all().delete()
    _, timeline = case.timeline.filter(pk__in=events).delete()
    return _counts(documents, timeline)


def _case_remove(case: Case) -> dict[str, int]:
    patient: Patient = case.patient
    above = case_removing(case=case)
    _, rows = case.delete()
    removed = _counts(above, rows)
    if not patient.cases.exists():
        _, messages = OutboundMessage.objects.filter(subject_id=patient.pk).delete()
        _, texts = InboundSms.objects.filter(subject_id=patient.pk).delete()
        account = patient.user
        _, people = patient.delete()
        removed = _counts(removed, messages, texts, people)
        if account is not None:
            # The account stays (the audit trail names its holder) but can no longer sign in.
            account.is_active = False
            account.save(update_fields=["is_active"])
    return removed


def _counts(*many: dict[str, int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for counts in many:
        for label, count in counts.items():
            if count:
                total[label] = total.get(label, 0) + count
    return total


def _files_delete(names: list[str]) -> None:
    storage = documents_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            # Its row is gone; the file is found by its name (case id first) and removed by hand.
            logger.exception("Could not delete a removed document's file %s", name)
