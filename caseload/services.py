"""A person's own copy of their whole record: asked for, prepared by the worker, sent word of,
downloaded, and deleted once its time is up (`caseload.models.RecordCopy`).

Every step is audited: the request (CREATE), what went into the copy (EXPORT, one entry per
record in the FHIR Bundle, by the person who asked), and each download (EXPORT, by the view's
door, `caseload.views.record_copies`). The copy holds only what the person who asked may see
when it is prepared, as the FHIR API and the pages would show them.
"""

import datetime as dt
import json
import logging
import re
import tempfile
import uuid
import zipfile
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from caseload.models import RecordCopy
from caseload.record_summary import case_summary, summary_language, summary_pdf
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import AuditEntry, audit_record, audit_record_many
from navigator.fhir.views import everything_bundle
from navigator.messaging.services import MessagingError, Recipient, message_send
from patients.documents import documents_storage
from patients.models import Case
from patients.rules import visible_case_ids
from patients.services.contact import patient_recipient

logger = logging.getLogger(__name__)

# A worker that claimed a copy and died leaves it "started": after this long another may redo it.
CLAIM_STALE_AFTER = dt.timedelta(minutes=30)
PURGE_BATCH = 200
# A copy still waiting for a worker this long after it was asked for is enqueued again.
REQUEUE_AFTER = dt.timedelta(minutes=15)
STORAGE_FOLDER = "record-copies"


class RecordCopyError(Exception):
    """A copy that cannot be asked for, with a reason a person can act on."""


def record_copy_request(*, case: Case, requested_by: User, purpose: str) -> RecordCopy:
    """Record that `requested_by` asks for a copy of the record of `case`'s patient and enqueue
    its preparation once the transaction commits. One copy being prepared at a time per person
    and patient: asking again meanwhile returns that one."""
    copy = RecordCopy(
        case=case, patient_id=case.patient_id, requested_by=requested_by, purpose=purpose
    )
    if not requested_by.has_perm(copy.required_perm, case):
        raise RecordCopyError("You cannot ask for a copy of this record.")
    with transaction.atomic():
        pending = (
            RecordCopy.objects.select_for_update()
            .filter(
                patient_id=case.patient_id,
                requested_by=requested_by,
                purpose=purpose,
                status=RecordCopy.Status.PREPARING,
            )
            .first()
        )
        if pending is not None:
            return pending
        copy.save()
        audit_record(
            actor=requested_by,
            action=AuditEvent.Action.CREATE,
            obj=copy,
            patient_id=case.patient_id,
            summary=(
                "Asked for a copy of the record for a subject access request"
                if purpose == RecordCopy.Purpose.SUBJECT_ACCESS
                else "Asked for a copy of the record"
            ),
        )
        transaction.on_commit(partial(_enqueue_prepare, copy.pk))
    return copy


def _enqueue_prepare(copy_id: uuid.UUID) -> None:
    # Imported here because caseload.tasks imports this module (as careplans' printing does).
    from caseload.tasks import prepare_record_copy

    try:
        prepare_record_copy.delay(str(copy_id))
    except Exception as exc:
        # The request is kept: the hourly job enqueues copies still waiting (`..._requeue_stuck`).
        logger.warning("Could not enqueue copy %s (%s); the hourly job will", copy_id, exc)


def record_copies_requeue_stuck(*, now: dt.datetime | None = None) -> int:
    """Enqueue again the copies still being prepared well after they were asked for (the
    broker lost the task, or the worker that claimed one died): `record_copy_prepare` claims
    each, so a copy whose first task turns up after all is still made once."""
    now = now or timezone.now()
    stuck = list(
        RecordCopy.objects.filter(
            Q(started_at__isnull=True) | Q(started_at__lt=now - CLAIM_STALE_AFTER),
            status=RecordCopy.Status.PREPARING,
            requested_at__lt=now - REQUEUE_AFTER,
        ).values_list("pk", flat=True)[:PURGE_BATCH]
    )
    for copy_id in stuck:
        _enqueue_prepare(copy_id)
    return len(stuck)


def record_copy_prepare(*, copy_id: uuid.UUID | str) -> RecordCopy | None:
    """Make the zip for one copy, keep it in private storage and tell the person who asked.

    Claimed first (a conditional UPDATE), so a second worker or a redelivered task does
    nothing; a claim left by a worker that died is taken over after CLAIM_STALE_AFTER. If the
    person who asked may no longer see the record, nothing is made and the copy fails."""
    now = timezone.now()
    claimed = RecordCopy.objects.filter(
        Q(started_at__isnull=True) | Q(started_at__lt=now - CLAIM_STALE_AFTER),
        pk=copy_id,
        status=RecordCopy.Status.PREPARING,
    ).update(started_at=now)
    if not claimed:
        return None
    copy = RecordCopy.objects.select_related("patient", "case", "requested_by").get(pk=copy_id)
    requester = copy.requested_by
    if not (requester.is_active and requester.has_perm(copy.required_perm, copy.case)):
        _fail(copy, "The person who asked may no longer see this record.")
        return copy
    everything = everything_bundle(requester, str(copy.patient_id))
    if everything is None:
        _fail(copy, "The person who asked may no longer see this record.")
        return copy
    bundle, found = everything
    cases = list(
        Case.objects.filter(patient_id=copy.patient_id, pk__in=visible_case_ids(requester))
        .select_related("team", "navigator")
        .order_by("-opened_at")
    )
    summaries = [case_summary(case=case, user=requester) for case in cases]
    pdf = summary_pdf(
        patient=copy.patient,
        cases=summaries,
        requested_by=requester,
        language=summary_language(requester),
    )
    documents = [d for s in summaries for d in s.documents]
    stored_name = f"{STORAGE_FOLDER}/{uuid.uuid4().hex}.zip"
    storage = documents_storage()
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("summary.pdf", pdf)
            archive.writestr("record.json", json.dumps(bundle, indent=2, ensure_ascii=False))
            for name, document in _document_names(documents):
                with storage.open(document.stored_name, "rb") as handle:
                    with archive.open(name, "w") as target:
                        while chunk := handle.read(1 << 20):
                            target.write(chunk)
        size = spool.tell()
        spool.seek(0)
        saved = storage.save(stored_name, File(spool, name=stored_name))
    ready_at = timezone.now()
    with transaction.atomic():
        RecordCopy.objects.filter(pk=copy.pk).update(
            status=RecordCopy.Status.READY,
            ready_at=ready_at,
            expires_at=ready_at + dt.timedelta(days=settings.RECORD_COPY_DAYS),
            stored_name=saved,
            size=size,
            documents_included=len(documents),
        )
        copy.refresh_from_db()
        entries = [
            AuditEntry(
                action=AuditEvent.Action.EXPORT,
                obj=f.row,
                patient_id=f.patient_id,
                summary="Included in a copy of the record",
            )
            for f in found
            if f.patient_id is not None
        ]
        entries.append(
            AuditEntry(
                action=AuditEvent.Action.EXPORT,
                obj=copy,
                patient_id=copy.patient_id,
                summary=f"Prepared a copy of the record ({len(documents)} documents)",
            )
        )
        audit_record_many(actor=requester, entries=entries)
        if copy.purpose == RecordCopy.Purpose.PATIENT:
            _tell_ready(copy)
    return copy


def _document_names(documents: list[Any]) -> list[tuple[str, Any]]:
    """Each document's name in the zip: its date, its title made safe, its type's extension;
    never the uploader's file name, and never a path."""
    names: list[tuple[str, Any]] = []
    taken: set[str] = set()
    for document in documents:
        stem = re.sub(r"[^A-Za-z0-9]+", "-", document.title).strip("-")[:60] or "document"
        extension = document.content_type.split("/")[-1].replace("mpeg", "mp3")[:8]
        base = f"documents/{document.dated.isoformat()}-{stem}"
        name = f"{base}.{extension}"
        count = 2
        while name in taken:
            name = f"{base}-{count}.{extension}"
            count += 1
        taken.add(name)
        names.append((name, document))
    return names


def _fail(copy: RecordCopy, reason: str) -> None:
    RecordCopy.objects.filter(pk=copy.pk).update(status=RecordCopy.Status.FAILED, failure=reason)
    copy.refresh_from_db()
    logger.warning("Copy of the record %s not made: %s", copy.pk, reason)


def _tell_ready(copy: RecordCopy) -> None:
    """ "Your copy is ready: <link>" to whoever asked, by their preferred way; nothing clinical."""
    requester = copy.requested_by
    patient = copy.patient
    if patient.user_id == requester.pk:
        recipient = patient_recipient(patient=patient, email=patient.email or requester.email)
    else:
        recipient = Recipient(
            name=requester.get_full_name(),
            phone=requester.phone,
            email=requester.email,
            preferred_channel="sms" if requester.phone else "email",
            language=requester.language,
        )
    try:
        message_send(
            recipient=recipient,
            kind="record_copy_ready",
            context={"link": reverse("record_copy", args=[copy.pk])},
            idempotency_key=f"record-copy-ready:{copy.pk}",
            subject_id=copy.patient_id,
        )
    except MessagingError as error:
        # The copy is ready whatever happens to the message: the home page says so too.
        logger.warning("No message about copy %s: %s", copy.pk, error)


def record_copies_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the files of copies whose time is up, a batch at a time, each claimed with SKIP
    LOCKED so two runners never both take one; the row stays, marked expired, so the page can
    say so. Returns how many were purged."""
    now = now or timezone.now()
    storage = documents_storage()
    purged = 0
    while True:
        with transaction.atomic():
            batch = list(
                RecordCopy.objects.select_for_update(skip_locked=True)
                .filter(status=RecordCopy.Status.READY, expires_at__lte=now)
                .order_by("expires_at")[:PURGE_BATCH]
            )
            if not batch:
                return purged
            for copy in batch:
                if copy.stored_name:
                    storage.delete(copy.stored_name)
            RecordCopy.objects.filter(pk__in=[c.pk for c in batch]).update(
                status=RecordCopy.Status.EXPIRED, stored_name=""
            )
            audit_record_many(
                actor=None,
                entries=[
                    AuditEntry(
                        action=AuditEvent.Action.DELETE,
                        obj=copy,
                        patient_id=copy.patient_id,
                        summary="Deleted an expired copy of the record",
                    )
                    for copy in batch
                ],
            )
            purged += len(batch)


def case_record_copies_remove(*, case: Case) -> dict[str, int]:
    """Delete the copies of the record asked for from `case`, and their files once the removal
    commits: registered with `patients.hooks.case_removal_register` (caseload's AppConfig), so
    a case removed under the retention policy leaves no copy of itself in storage."""
    copies = RecordCopy.objects.filter(case=case)
    names = [name for name in copies.values_list("stored_name", flat=True) if name]
    _, counts = copies.delete()
    if names:
        transaction.on_commit(partial(_files_delete, names))
    return {label: count for label, count in counts.items() if count}


def _files_delete(names: list[str]) -> None:
    storage = documents_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            # Its row is gone; the purge job never sees it again, so this is said loudly.
            logger.exception("Could not delete a removed copy of a record %s", name)
