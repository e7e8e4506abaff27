"""Letters, photos of letters, reports and recordings kept with a case."""

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from patients.documents import SNIFF_BYTES, FileType, documents_storage, sniff
from patients.models import Case, CaseDocument, TimelineEvent
from patients.services.common import _Errors
from patients.services.timeline import timeline_event_add

TITLE_MAX_LENGTH = 200

# The words a patient or carer sees when a file is refused: what we take, in their words.
FILE_TYPES_WORDS = _(
    "The file must be a PDF, a photo (JPEG, PNG or HEIC) or a sound recording "
    "(MP3, M4A, WAV or OGG)"
)


def document_add(
    *,
    case: Case,
    by: User,
    upload: File,
    kind: str,
    title: str,
    dated: dt.date,
    visibility: str = CaseDocument.Visibility.SHARED,
) -> CaseDocument:
    """Keep `upload` with `case`, with a timeline event saying it was added.

    Rules:
    - the file's first bytes decide its type (`patients.documents.sniff`); anything we do not
      take, or larger than DOCUMENT_MAX_MB, is refused with a message saying so;
    - what the patient's side adds is for everyone on the case (SHARED), whatever was asked;
      the staff on the case choose SHARED or CARE_TEAM;
    - nothing is added to a closed case, or dated in the future;
    - the file is stored under a name of ours, and removed again if the transaction fails.
    Callers check `patients.add_document` first.
    """
    errors = _Errors()
    title = " ".join(title.split())
    file_type = _checked(errors, case=case, upload=upload, kind=kind, title=title, dated=dated)
    staff = by.is_staff_role
    if not staff:
        visibility = CaseDocument.Visibility.SHARED
    elif visibility not in CaseDocument.Visibility.values:
        errors.add("visibility", _("Choose who can see the document"))
    errors.raise_any()
    if file_type is None:  # refused above; said again for the type checker
        raise ValueError("No file type")

    return _document_store(
        case=case,
        by=by,
        upload=upload,
        file_type=file_type,
        kind=kind,
        title=title,
        dated=dated,
        visibility=visibility,
        patient_side=not staff,
    )


# Hospital letters are for the patient too: people wait for letters that never come.
RECEIVED_VISIBILITY = CaseDocument.Visibility.SHARED


def document_receive(
    *, case: Case, content: bytes, kind: str, title: str, dated: dt.date, name: str = ""
) -> CaseDocument:
    """Keep a letter a provider's system sent (`POST /fhir/`, audited as that system by the
    caller's `audit_on_behalf_of`) with `case`, for the care team and the patient's side.

    Rules: the checks of `document_add` (the type by the first bytes, the size limit, an open
    case, a date not in the future; refusals raised as a ValidationError by field: `upload`,
    `title`, `dated`, `kind`), added by no user. Inside `documents_removed_on_failure`, the
    file is removed again if the caller's transaction fails later.
    """
    errors = _Errors()
    title = " ".join(title.split())[:TITLE_MAX_LENGTH]
    upload = ContentFile(content, name=name[-200:])
    file_type = _checked(errors, case=case, upload=upload, kind=kind, title=title, dated=dated)
    errors.raise_any()
    if file_type is None:  # refused above; said again for the type checker
        raise ValueError("No file type")
    return _document_store(
        case=case,
        by=None,
        upload=upload,
        file_type=file_type,
        kind=kind,
        title=title,
        dated=dated,
        visibility=RECEIVED_VISIBILITY,
        patient_side=False,
    )


# The names of the files stored inside each `documents_removed_on_failure` block.
_stored_in_block: ContextVar[list[str] | None] = ContextVar("stored_in_block", default=None)


@contextmanager
def documents_removed_on_failure() -> Iterator[None]:
    """Files stored inside this block are removed again if it raises: for a caller whose one
    transaction stores several documents and may roll back after some are stored (a FHIR
    Bundle is all or nothing), so a refused Bundle leaves no file behind."""
    stored: list[str] = []
    token = _stored_in_block.set(stored)
    try:
        yield
    except BaseException:
        storage = documents_storage()
        for name in stored:
            storage.delete(name)
        raise
    finally:
        _stored_in_block.reset(token)


def _checked(
    errors: _Errors, *, case: Case, upload: File, kind: str, title: str, dated: dt.date
) -> FileType | None:
    """The checks every document passes however it arrives (a kind, a title, a date not in the
    future, an open case, a file we take): what the file is, or None with the reasons added to
    `errors` by field."""
    if kind not in CaseDocument.Kind.values:
        errors.add("kind", _("Choose what kind of document this is"))
    if not title:
        errors.add("title", _("Enter what the document is"))
    elif len(title) > TITLE_MAX_LENGTH:
        errors.add("title", _("What the document is must be 200 characters or fewer"))
    if dated > timezone.localdate():
        errors.add("dated", _("The date must be today or in the past"))
    if not case.is_open:
        errors.add("upload", _("This record is closed, so nothing new can be added"))
    return _file_type(upload, errors)


def _file_type(upload: File, errors: _Errors) -> FileType | None:
    """What `upload` is by its first bytes, if we take it and it is within the size limit;
    otherwise the reason, added to `errors` under `upload`."""
    limit = settings.DOCUMENT_MAX_MB * 1024 * 1024
    if upload.size is None or upload.size == 0:
        errors.add("upload", _("The file you chose is empty"))
        return None
    if upload.size > limit:
        errors.add(
            "upload",
            _("The file must be smaller than %(limit)s MB") % {"limit": settings.DOCUMENT_MAX_MB},
        )
        return None
    upload.seek(0)
    file_type = sniff(upload.read(SNIFF_BYTES))
    upload.seek(0)
    if file_type is None:
        errors.add("upload", FILE_TYPES_WORDS)
    return file_type


def _document_store(
    *,
    case: Case,
    by: User | None,
    upload: File,
    file_type: FileType,
    kind: str,
    title: str,
    dated: dt.date,
    visibility: str,
    patient_side: bool,
) -> CaseDocument:
    stored_name = f"{case.pk}/{uuid.uuid4()}.{file_type.extension}"
    storage = documents_storage()
    with transaction.atomic():
        # Stored first, so a failure to store writes no rows; rows that fail remove the file.
        stored_name = storage.save(stored_name, upload)
        block = _stored_in_block.get()
        if block is not None:
            block.append(stored_name)
        try:
            document = _document_rows(
                case=case,
                by=by,
                kind=kind,
                title=title,
                dated=dated,
                visibility=visibility,
                stored_name=stored_name,
                content_type=file_type.content_type,
                size=upload.size or 0,
                original_name=(upload.name or "")[-200:],
                patient_side=patient_side,
            )
        except Exception:
            storage.delete(stored_name)
            raise
    return document


def _document_rows(
    *,
    case: Case,
    by: User | None,
    kind: str,
    title: str,
    dated: dt.date,
    visibility: str,
    stored_name: str,
    content_type: str,
    size: int,
    original_name: str,
    patient_side: bool,
) -> CaseDocument:
    # On the timeline as the patient's side sees it (kind, date, title) when it is theirs too.
    event = timeline_event_add(
        case=case,
        by=by,
        kind=TimelineEvent.Kind.DOCUMENT,
        occurred_at=timezone.now(),
        summary=title,
        shared_with_patient=visibility == CaseDocument.Visibility.SHARED,
    )
    document = CaseDocument.objects.create(
        case=case,
        kind=kind,
        title=title,
        dated=dated,
        stored_name=stored_name,
        content_type=content_type,
        size=size,
        original_name=original_name,
        visibility=visibility,
        added_by=by,
        added_by_patient_side=patient_side,
        event=event,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=document,
        patient_id=case.patient_id,
        summary=f"Added a document ({kind}, {content_type}, {size} bytes)",
    )
    return document
