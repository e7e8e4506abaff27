"""The case's secure conversation: posting, nudging the other side, marking read."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from navigator.accounts.models import STAFF_ROLES, User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.services import MessagingError, Recipient, message_send
from patients.models import CarerAccess, Case, CaseMessage, TimelineEvent
from patients.services.common import _Errors
from patients.services.contact import patient_recipient

logger = logging.getLogger(__name__)

MESSAGE_MAX_LENGTH = 5000


class MessageVia:
    WEB = "web"
    SMS = "sms"


def case_message_post(
    *, case: Case, author: User | None, body: str, via: str = "web"
) -> CaseMessage:
    """Post a secure message into the case's conversation and nudge the other side.

    For the inbound SMS handler: a text reply that is not a keyword (STOP, START…) becomes a
    message with `via="sms"` and `author` the patient's user account, or None when the patient
    has no account yet. Web and API callers pass `via="web"` and the signed-in user.

    Rules:
    - who may post: staff on the case, the patient, and carers the patient lets act for them
      (`patients.post_message`); a read-only carer may not, nor may anyone on a closed case.
      Anyone else gets PermissionDenied (callers check through `patients.access` first);
    - the body is stripped, not empty, and at most MESSAGE_MAX_LENGTH characters
      (ValidationError keyed "body");
    - the message is born read by its author's side; the other side gets a nudge through
      `message_send` with a link and never the text, one per message and recipient (the
      idempotency key), after commit: staff posts nudge the patient and their carers, anything
      from the patient's side emails the named navigator;
    - a timeline event of kind "message" records that a message was sent (not what it said),
      and the post is audited.
    """
    if via not in (MessageVia.WEB, MessageVia.SMS):
        raise ValueError(f"via must be 'web' or 'sms', not {via!r}")
    errors = _Errors()
    body = (body or "").strip()
    if not body:
        errors.add("body", _("Enter your message."))
    elif len(body) > MESSAGE_MAX_LENGTH:
        errors.add(
            "body",
            ValidationError(
                _("Your message must be %(limit)s characters or fewer."),
                params={"limit": MESSAGE_MAX_LENGTH},
            ),
        )
    if not case.is_open:
        errors.add("body", _("This case is closed, so no new messages can be sent here."))
    errors.raise_any()

    if via == MessageVia.SMS:
        if author is not None and author.pk != case.patient.user_id:
            raise PermissionDenied("Text message replies come from the patient only.")
        kind = CaseMessage.AuthorKind.SMS
    else:
        if author is None or not author.has_perm("patients.post_message", case):
            raise PermissionDenied("You cannot post messages in this case.")
        if author.role in STAFF_ROLES:
            kind = CaseMessage.AuthorKind.STAFF
        elif author.pk == case.patient.user_id:
            kind = CaseMessage.AuthorKind.PATIENT
        else:
            kind = CaseMessage.AuthorKind.CARER
    now = timezone.now()
    from_team = kind == CaseMessage.AuthorKind.STAFF
    with transaction.atomic():
        message = CaseMessage.objects.create(
            case=case,
            author=author,
            author_kind=kind,
            body=body,
            created_at=now,
            read_by_team_at=now if from_team else None,
            read_by_patient_at=None if from_team else now,
        )
        TimelineEvent.objects.create(
            case=case,
            kind=TimelineEvent.Kind.MESSAGE,
            occurred_at=now,
            time_known=True,
            summary=f"Message from {message.author_display}",
            recorded_by=author,
        )
        audit_record(
            actor=author,
            action=AuditEvent.Action.CREATE,
            obj=message,
            patient_id=case.patient_id,
            summary="Sent a message by text" if via == MessageVia.SMS else "Sent a message",
        )
        _nudge_about_message(message=message, case=case)
    return message


def message_recipients(*, message: CaseMessage, case: Case) -> list[tuple[str, Recipient, str]]:
    """Who is nudged about `message`: (key part, recipient, message kind), never its author."""
    link_kind = "new_message"
    recipients: list[tuple[str, Recipient, str]] = []
    if message.author_kind == CaseMessage.AuthorKind.STAFF:
        patient = case.patient
        account = patient.user
        if account is not None:
            recipients.append(
                (
                    f"patient-{patient.pk}",
                    patient_recipient(patient=patient, email=patient.email or account.email),
                    link_kind,
                )
            )
        grants = CarerAccess.objects.filter(
            patient_id=patient.pk, revoked_at__isnull=True
        ).select_related("carer")
        for grant in grants:
            carer = grant.carer
            if not carer.is_active:
                continue
            recipients.append(
                (
                    f"user-{carer.pk}",
                    Recipient(
                        name=carer.get_full_name(),
                        phone=carer.phone,
                        email=carer.email,
                        preferred_channel="sms" if carer.phone else "email",
                        language=carer.language,
                    ),
                    link_kind,
                )
            )
    else:
        navigator = case.navigator
        if navigator.pk != message.author_id and navigator.is_active:
            recipients.append(
                (
                    f"user-{navigator.pk}",
                    Recipient(name=navigator.get_full_name(), email=navigator.email),
                    "new_message_staff",
                )
            )
    return recipients


def _nudge_about_message(*, message: CaseMessage, case: Case) -> None:
    link = reverse("patients:messages", args=[case.pk])
    for key_part, recipient, kind in message_recipients(message=message, case=case):
        try:
            message_send(
                recipient=recipient,
                kind=kind,
                context={"link": link},
                idempotency_key=f"case-message:{message.pk}:{key_part}",
                subject_id=case.patient_id,
                channel="email" if kind == "new_message_staff" else None,
            )
        except MessagingError as error:
            # The message is posted whatever happens to the nudge; the outbox shows the rest.
            logger.warning("No nudge for message %s to %s: %s", message.pk, key_part, error)


def case_messages_mark_read(*, case: Case, reader: User) -> int:
    """Mark the other side's messages in `case` read for `reader`'s side; returns how many.

    Staff reading marks the patient's side's messages read by the team; the patient or any of
    their carers reading marks the team's messages read by the patient's side.
    """
    now = timezone.now()
    messages = CaseMessage.objects.filter(case=case)
    with transaction.atomic():
        if reader.role in STAFF_ROLES:
            changed = messages.filter(
                author_kind__in=CaseMessage.PATIENT_SIDE, read_by_team_at__isnull=True
            ).update(read_by_team_at=now)
        else:
            changed = messages.filter(
                author_kind=CaseMessage.AuthorKind.STAFF, read_by_patient_at__isnull=True
            ).update(read_by_patient_at=now)
        if changed:
            audit_record(
                actor=reader,
                action=AuditEvent.Action.UPDATE,
                obj=case,
                patient_id=case.patient_id,
                summary=f"Marked {changed} message{'s' if changed != 1 else ''} as read",
            )
    return changed
