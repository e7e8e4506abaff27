"""Nudging people by SMS or email: every feature's one door to the outside world.

PostgreSQL is the source of truth and the broker only a hint. `message_send` writes the outbox
row in the caller's transaction and enqueues delivery once it commits (`messages_send` does the
same for many messages at once, for jobs such as the chase); `message_deliver` (run by
a Celery task) claims the row with a conditional UPDATE so two workers never both send it;
`outbox_sweep` (run by beat every settings.OUTBOX_SWEEP_SECONDS) re-enqueues rows whose task the
broker lost and checks rows stuck in "sending" with the provider rather than resending them
blindly; one the provider cannot be asked about for long "needs attention".
"""

import datetime as dt
import json
import logging
import random
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils import timezone
from django.utils.html import escape

from navigator.crypto import UnsealError, reseal, seal, unseal
from navigator.db import rows_insert
from navigator.language import in_language
from navigator.messaging.hooks import HANDLERS, SMS_UNREACHABLE
from navigator.messaging.models import Channel, EarlyDeliveryReport, OutboundMessage, SmsOptOut
from navigator.messaging.transports import (
    PROVIDER_STATUSES,
    OutcomeUnknown,
    TransportError,
    transport_for,
)
from navigator.time import LONDON

logger = logging.getLogger(__name__)
Status = OutboundMessage.Status

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Two SMS segments: a short line and a link. Longer means a template grew clinical detail.
SMS_MAX_LENGTH = 320
# A queued row whose task has not run this share of a sweep interval after it was due is taken
# as lost by the broker: under one interval, so the sweep after next finds it at the latest (a
# task normally starts within a second; a late copy finds the row claimed and does nothing).
REQUEUE_AFTER_SWEEPS = 0.75
# Longer than any transport timeout: a row still "sending" after this lost its worker's answer.
SENDING_STUCK_AFTER = dt.timedelta(minutes=2)
# A provider may list a message a little late; only after this is "not found" taken as final.
RESEND_AFTER = dt.timedelta(minutes=10)
# A delivery report for a provider id we never saved is dropped by the sweep after this long.
EARLY_REPORT_KEEP = dt.timedelta(days=1)
REQUEUE_BATCH = 500
# Each reconciliation is a call to the provider, so fewer per sweep; least recently checked
# first, so rows the provider cannot tell us about never hold back newer ones.
RECONCILE_BATCH = 50
BACKOFF_CAP = 15 * 60.0
# Twilio error 21610: the recipient replied STOP to our number, so the carrier blocks us.
UNSUBSCRIBED_CODES = frozenset({"21610"})
# Twilio errors that mean this number cannot take our texts whatever we send, so we stop
# trying it (email is used where we have an address) and the navigator is told to check it.
# https://www.twilio.com/docs/api/errors
UNDELIVERABLE_CODES = {
    "21211": "not a valid phone number",
    "21612": "the number cannot be reached by text message",
    "21614": "not a mobile number",
    "30004": "the phone or its network blocks our messages",
    "30005": "the number is unknown to the network or no longer in service",
    "30006": "a landline, or a network that cannot take text messages",
}
# Kinds whose words carry a bearer secret, and the context values that are the secret: the GP's
# care plan link (it opens the plan, after a second check), an invitation's link (it makes an
# account, for staff with a role) and a sign-in code. The outbox row
# keeps such a message's words in clear with each secret WITHHELD, and the words as sent only
# sealed (navigator.crypto) in `sealed_body`, which delivery opens and which is wiped once the
# message is sent or has failed for good: no working link or code at rest, in a backup or in
# the admin.
SEALED_KINDS: dict[str, tuple[str, ...]] = {
    "gp_share": ("link",),
    "invitation": ("link",),
    "patient_invitation": ("link",),
    "carer_invitation": ("link",),
    "sign_in_code": ("code",),
}
WITHHELD = {"link": "[link withheld]", "code": "[code withheld]"}
UNSEALABLE = (
    "Not sent: its words were sealed under a key no longer in DATA_ENCRYPTION_KEYS (README, "
    '"Rotating the data key").'
)
# Worth telling the navigator, but the next text may arrive: the number itself is fine.
UNREACHABLE_FOR_NOW_CODES = {
    "30003": "the phone was switched off or out of signal",
}


class MessagingError(Exception):
    """A message that cannot be queued, with a reason a person can act on."""


@dataclass(frozen=True)
class Recipient:
    name: str
    phone: str = ""  # E.164
    email: str = ""
    preferred_channel: str = "sms"  # "sms" | "email"
    language: str = "en"  # "en" | "cy": the templates are rendered in it (navigator.language)


@dataclass(frozen=True)
class Delivery:
    """What one delivery attempt did; `retry_in` (seconds) when the task should try again."""

    status: str
    retry_in: float | None = None


@dataclass(frozen=True)
class SweepReport:
    requeued: int = 0
    reconciled: dict[str, int] = field(default_factory=dict)
    early_reports_dropped: int = 0


@dataclass(frozen=True)
class MessageToSend:
    """One message for `messages_send`: the arguments `message_send` takes, as a value."""

    recipient: Recipient
    kind: str
    context: dict[str, Any]
    idempotency_key: str
    subject_id: uuid.UUID | None = None
    channel: str | None = None
    urgent: bool = False
    reference: str = ""


def message_send(
    *,
    recipient: Recipient,
    kind: str,
    context: dict[str, Any],
    idempotency_key: str,
    subject_id: uuid.UUID | None = None,
    channel: str | None = None,
    urgent: bool = False,
    reference: str = "",
) -> OutboundMessage:
    """Write the outbox row (in the caller's transaction) and enqueue delivery on commit.

    Same idempotency_key again returns the existing row and sends nothing.
    channel=None picks the recipient's preferred channel, falling back to the other when
    SMS is opted out (SmsOptOut for that number) or the address is missing; raises
    MessagingError (clear message) if no channel can reach them. Quiet hours
    (settings.QUIET_HOURS_START..END, Europe/London) set not_before to the end of quiet
    time unless urgent=True: deferred, never dropped.

    Text comes from templates/sms/<kind>.txt or templates/emails/<kind>-subject.txt,
    -body.txt and -body.html, rendered with `context` plus site_url. `context["link"]` may be a
    path ("/cases/…"), made absolute with settings.SITE_URL; links elsewhere are refused.
    `reference` names the record the message is about (`app.model:id`), so a reply can be
    matched to it.
    """
    [result] = messages_send(
        messages=[
            MessageToSend(
                recipient=recipient,
                kind=kind,
                context=context,
                idempotency_key=idempotency_key,
                subject_id=subject_id,
                channel=channel,
                urgent=urgent,
                reference=reference,
            )
        ]
    )
    if isinstance(result, MessagingError):
        raise result
    return result


def messages_send(*, messages: Sequence[MessageToSend]) -> list[OutboundMessage | MessagingError]:
    """`message_send` for many messages at once, with the same rules, in a fixed number of
    statements however many there are (for jobs such as the chase).

    Returns one result per message, in order: its outbox row (new, or the existing row for its
    idempotency key: nothing is sent twice), or the MessagingError saying why it cannot be
    queued. One unreachable person does not stop the others. Delivery of the rows this call
    wrote is enqueued once the caller's transaction commits.

    Statements: one lookup of SMS opt-outs (when a text may be sent), one INSERT ... ON CONFLICT
    DO NOTHING on the idempotency key, and, only if some key was taken already (a rerun, a
    concurrent writer) or some message cannot be queued, one lookup of those keys.
    """
    # The first message with a key decides its row; a repeat within the call gets the same.
    pending: dict[str, MessageToSend] = {}
    for message in messages:
        pending.setdefault(message.idempotency_key, message)
    phones = {p for m in pending.values() if (p := _phone_deciding(m.recipient, m.channel))}
    opt_outs = {o.phone: o for o in SmsOptOut.objects.filter(phone__in=phones)} if phones else {}
    now = timezone.now()
    errors: dict[str, MessagingError] = {}
    rows: list[OutboundMessage] = []
    for key, message in pending.items():
        try:
            rows.append(_outbox_row(message, opt_outs=opt_outs, now=now))
        except MessagingError as error:
            errors[key] = error
    inserted = _insert_new(rows)
    found = {row.idempotency_key: row for row in rows if row.pk in inserted}
    # A key already taken (a rerun, or a concurrent transaction that wrote it first) keeps
    # its row, even if the message could not be queued now: it was, then.
    taken = pending.keys() - found.keys()
    if taken:
        found.update(_by_key(taken))
        if taken - found.keys() - errors.keys():
            raise IntegrityError(f"Outbox keys neither written nor found: {taken - found.keys()}")
    due = [row.pk for row in rows if row.pk in inserted and row.enqueued_at is not None]
    if due:
        transaction.on_commit(partial(_enqueue_all, due), robust=True)
    return [found.get(m.idempotency_key) or errors[m.idempotency_key] for m in messages]


def _by_key(keys: Iterable[str]) -> dict[str, OutboundMessage]:
    return {m.idempotency_key: m for m in OutboundMessage.objects.filter(idempotency_key__in=keys)}


def _outbox_row(
    message: MessageToSend, *, opt_outs: dict[str, SmsOptOut], now: dt.datetime
) -> OutboundMessage:
    """The unsaved outbox row for `message`: its channel, its text and when it may go."""
    recipient = message.recipient
    chosen = _choose_channel(recipient, message.channel, opt_outs)
    subject, body, body_html = _render(
        kind=message.kind, channel=chosen, language=recipient.language, context=message.context
    )
    sealed_body = ""
    if message.kind in SEALED_KINDS:
        sealed_body = seal(json.dumps({"body": body, "body_html": body_html}))
        body, body_html = _withheld(message, body=body, body_html=body_html)
    not_before = _due_at(now, urgent=message.urgent)
    return OutboundMessage(
        idempotency_key=message.idempotency_key,
        channel=chosen,
        to_address=recipient.phone if chosen == Channel.SMS else recipient.email,
        language=recipient.language,
        kind=message.kind,
        subject=subject,
        body=body,
        body_html=body_html,
        sealed_body=sealed_body,
        subject_id=message.subject_id,
        reference=message.reference,
        urgent=message.urgent,
        not_before=not_before,
        # Deferred rows get no task now: a task held for hours by a Redis worker is
        # redelivered after the visibility timeout. The sweep enqueues them when due.
        enqueued_at=now if not_before <= now else None,
        created_at=now,
        updated_at=now,
    )


def _withheld(message: MessageToSend, *, body: str, body_html: str) -> tuple[str, str]:
    """The words of a SEALED_KINDS message with each of its secrets replaced by WITHHELD."""
    for name in SEALED_KINDS[message.kind]:
        raw = message.context.get(name)
        if raw in (None, ""):
            continue
        secret = _absolute_link(raw) if name == "link" else str(raw)
        shown = WITHHELD.get(name, "[withheld]")
        body = body.replace(secret, shown)
        body_html = body_html.replace(escape(secret), shown).replace(secret, shown)
        if secret in body + body_html:  # a template that changes the value as it prints it
            raise MessagingError(f"The {message.kind!r} template prints {name!r} altered.")
    return body, body_html


def message_words(message: OutboundMessage) -> tuple[str, str]:
    """The plain and HTML body as the recipient gets them: opened from `sealed_body` for a
    message that carries a secret (only until it is sent), else the stored words."""
    if not message.sealed_body:
        return message.body, message.body_html
    words = json.loads(unseal(message.sealed_body))
    return words["body"], words["body_html"]


def outbox_secrets_reseal() -> int:
    """Seal the words of every message still waiting with a secret again under the first key
    in DATA_ENCRYPTION_KEYS (key rotation); the number of messages changed."""
    changed = 0
    for message in OutboundMessage.objects.exclude(sealed_body="").only("id", "sealed_body"):
        # Conditional: a message sent meanwhile (its words wiped) stays wiped.
        changed += OutboundMessage.objects.filter(
            pk=message.pk, sealed_body=message.sealed_body
        ).update(sealed_body=reseal(message.sealed_body))
    return changed


def _insert_new(rows: list[OutboundMessage]) -> set[uuid.UUID]:
    """INSERT the rows, skipping any whose idempotency key is taken; the ids inserted.

    ON CONFLICT DO NOTHING rather than catching IntegrityError: no savepoint per row, and a
    key another open transaction is writing waits for it, then is skipped if it committed.
    """
    return rows_insert(model=OutboundMessage, rows=rows, conflict_target=["idempotency_key"])


def _due_at(at: dt.datetime, *, urgent: bool) -> dt.datetime:
    """`at`, or the end of quiet time if `at` falls in it (urgent messages ignore quiet hours)."""
    return at if urgent else (quiet_hours_end(at) or at)


def quiet_hours_end(at: dt.datetime) -> dt.datetime | None:
    """When quiet time ends, if `at` falls inside it (Europe/London hours); else None."""
    start, end = settings.QUIET_HOURS_START, settings.QUIET_HOURS_END
    if start == end:
        return None
    local = at.astimezone(LONDON)
    inside = (local.hour >= start or local.hour < end) if start > end else start <= local.hour < end
    if not inside:
        return None
    day = local.date() if local.hour < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(end), tzinfo=LONDON).astimezone(dt.UTC)


def message_deliver(*, message_id: uuid.UUID) -> Delivery:
    """Send one queued message once: claim it, hand it to its transport, record the outcome.

    Transient errors put it back in the queue with a backoff, up to settings.MESSAGE_MAX_ATTEMPTS;
    permanent ones fail it at once. With no answer from the provider it stays "sending" for
    the sweep to check with the provider.
    """
    now = timezone.now()
    # The claim: only one worker can move the row from queued to sending.
    claimed = OutboundMessage.objects.filter(
        id=message_id, status=Status.QUEUED, not_before__lte=now
    ).update(
        status=Status.SENDING, sending_started_at=now, attempts=F("attempts") + 1, updated_at=now
    )
    message = OutboundMessage.objects.filter(id=message_id).first()
    if message is None:
        return Delivery(status="missing")
    if not claimed:
        # Sent already, taken by another worker, or not due yet (the sweep enqueues it later).
        return Delivery(status=message.status)

    if message.channel == Channel.SMS:
        opt_out = SmsOptOut.objects.filter(phone=message.to_address).first()
        if opt_out is not None:
            why = (
                f"cannot receive text messages ({opt_out.keyword})"
                if opt_out.reason == SmsOptOut.Reason.UNDELIVERABLE
                else f"opted out of text messages ({opt_out.keyword})"
            )
            _finish(message, status=Status.FAILED, last_error=f"Not sent: this number {why}.")
            return Delivery(status=Status.FAILED)

    try:
        body, body_html = message_words(message)
    except UnsealError:
        _finish(message, status=Status.FAILED, last_error=UNSEALABLE)
        return Delivery(status=Status.FAILED)
    try:
        transport = transport_for(message.channel)
    except Exception as exc:
        # Nothing left us, so this is safe to retry (settings may be fixed meanwhile).
        return _after_failure(message, TransportError(f"Cannot send: {exc}"), now=now)
    try:
        provider_id = transport.send(
            to=message.to_address, subject=message.subject, body=body, body_html=body_html
        )
    except OutcomeUnknown as exc:
        _finish(message, last_error=f"{exc.message} Checking with the provider before any retry.")
        return Delivery(status=Status.SENDING)
    except TransportError as exc:
        return _after_failure(message, exc, now=now)
    except Exception as exc:
        # A fault of ours or the client's, perhaps after the request went out: the row stays
        # "sending" for the sweep to check with the provider; the task logs the traceback.
        _finish(message, last_error=f"Unexpected error while sending ({exc!r}); checking.")
        raise
    _finish(
        message, status=Status.SENT, provider_id=provider_id, sent_at=timezone.now(), last_error=""
    )
    return Delivery(status=Status.SENT)


def _after_failure(message: OutboundMessage, exc: TransportError, *, now: dt.datetime) -> Delivery:
    if exc.permanent or message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
        error = exc.message if exc.permanent else f"Gave up after {message.attempts} tries: {exc}"
        if _finish(message, status=Status.FAILED, last_error=error) and exc.code:
            sms_delivery_failed(message=message, code=exc.code)
        return Delivery(status=Status.FAILED)
    delay = backoff_delay(message.attempts)
    retry_at = now + dt.timedelta(seconds=delay)
    not_before = _due_at(retry_at, urgent=message.urgent)
    deferred = not_before > retry_at  # into quiet hours: the sweep sends it in the morning
    requeued = _finish(
        message,
        status=Status.QUEUED,
        not_before=not_before,
        enqueued_at=None if deferred else retry_at,
        last_error=f"Try {message.attempts} failed: {exc.message}",
    )
    return Delivery(status=Status.QUEUED, retry_in=delay if requeued and not deferred else None)


def backoff_delay(attempts: int) -> float:
    """Seconds to wait after `attempts` failed tries: doubling, capped, with jitter so a
    provider outage does not end with every message retried in the same second."""
    ceiling = min(BACKOFF_CAP, settings.MESSAGE_RETRY_BACKOFF * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def _finish(message: OutboundMessage, **changes: Any) -> bool:
    """Record the outcome of a send, only if the row is still ours (sending, or needing
    attention while the sweep asks the provider about it)."""
    if changes.get("status") in _FINAL and message.sealed_body:
        # Sent, or never will be: the words with the secret in them are needed no more.
        changes["sealed_body"] = ""
    updated = OutboundMessage.objects.filter(id=message.id, status__in=STUCK_STATUSES).update(
        updated_at=timezone.now(), **changes
    )
    if updated and changes.get("provider_id"):
        _early_reports_apply(changes["provider_id"])
    return updated == 1


_FINAL = frozenset({Status.SENT, Status.DELIVERED, Status.FAILED})
# Rows a send has claimed and not settled: the sweep checks them with the provider.
STUCK_STATUSES = (Status.SENDING, Status.ATTENTION)


def _enqueue(message_id: uuid.UUID) -> bool:
    """Hand one message to the broker; False, with the row left for the sweep, if it is down."""
    from navigator.messaging.tasks import deliver_message

    try:
        deliver_message.delay(str(message_id))
    except Exception as exc:
        # One line, not a traceback: a broker outage fails every enqueue the same way.
        logger.warning("Could not enqueue message %s (%s); the outbox sweep will", message_id, exc)
        _enqueue_lost([message_id])
        return False
    return True


def _enqueue_all(message_ids: list[uuid.UUID]) -> None:
    for done, message_id in enumerate(message_ids):
        if not _enqueue(message_id):
            # The broker is down: the rest would each wait for it too; the sweep sends them.
            _enqueue_lost(message_ids[done + 1 :])
            return


def _enqueue_lost(message_ids: list[uuid.UUID]) -> None:
    """Mark rows whose task never reached the broker, so the next sweep enqueues them at once
    rather than waiting `requeue_after()` for a task that does not exist."""
    try:
        OutboundMessage.objects.filter(id__in=message_ids, status=Status.QUEUED).update(
            enqueued_at=None
        )
    except DatabaseError as exc:
        # Not marked: the sweep still finds them, `requeue_after()` later.
        logger.warning("Could not mark %d messages for the sweep (%s)", len(message_ids), exc)


def message_status_update(
    *, provider_id: str, status: str, error: str = "", error_code: str = ""
) -> OutboundMessage | None:
    """Apply a provider's report (such as a Twilio status callback) to the message it names.

    Takes the provider's status words (queued, sent, delivered, undelivered, failed…). Never
    moves a message backwards: a late "sent" does not undo "delivered". Returns the message,
    or None if no message has that provider id.

    A report that fails the message with an `error_code` saying the number cannot take texts
    (`sms_delivery_failed`) acts on the number once: the same report again changes nothing.
    """
    ours = PROVIDER_STATUSES.get(status)
    message = (
        OutboundMessage.objects.filter(provider_id=provider_id).first() if provider_id else None
    )
    if message is None and provider_id and ours is not None:
        message = _early_report_keep(
            provider_id=provider_id, status=status, error=error, error_code=error_code
        )
    if message is None or ours is None:
        return message
    earlier = {
        Status.SENT: [*STUCK_STATUSES],
        Status.DELIVERED: [*STUCK_STATUSES, Status.SENT],
        Status.FAILED: [*STUCK_STATUSES, Status.SENT],
    }[Status(ours)]
    changes: dict[str, Any] = {"status": ours, "updated_at": timezone.now()}
    if ours == Status.FAILED:
        changes["last_error"] = error or f"The phone network could not deliver it ({status})."
    with transaction.atomic():
        # The conditional UPDATE is the guard: of five copies of one report, one changes the row.
        changed = OutboundMessage.objects.filter(pk=message.pk, status__in=earlier).update(
            **changes
        )
        message.refresh_from_db()
        if changed and ours == Status.FAILED and error_code:
            sms_delivery_failed(message=message, code=error_code)
    return message


def _early_report_keep(
    *, provider_id: str, status: str, error: str, error_code: str
) -> OutboundMessage | None:
    """Keep a report whose message has no provider id yet, for `_early_reports_apply` when it
    gets one; or, if the id was saved meanwhile, the message to apply it to now.

    Each side writes, then looks for the other: the report is committed before this looks for
    the message again, and the send commits the id before it looks for reports, so however the
    two interleave at least one of them sees the other (applying twice changes nothing)."""
    EarlyDeliveryReport.objects.get_or_create(
        provider_id=provider_id,
        status=status,
        defaults={"error": error, "error_code": error_code},
    )
    message = OutboundMessage.objects.filter(provider_id=provider_id).first()
    if message is not None:
        EarlyDeliveryReport.objects.filter(provider_id=provider_id, status=status).delete()
    return message


def _early_reports_apply(provider_id: str) -> None:
    """Apply the reports that came before the message's provider id was saved, then drop them."""
    reports = list(EarlyDeliveryReport.objects.filter(provider_id=provider_id))
    for report in reports:
        message_status_update(
            provider_id=provider_id,
            status=report.status,
            error=report.error,
            error_code=report.error_code,
        )
    if reports:
        EarlyDeliveryReport.objects.filter(pk__in=[r.pk for r in reports]).delete()


def outbox_sweep() -> SweepReport:
    """Re-enqueue queued rows the broker lost; check rows stuck in "sending" (or needing
    attention) with the provider; drop delivery reports whose message never got their provider
    id."""
    now = timezone.now()
    requeued = _requeue_lost(now)
    outcomes = Counter(_reconcile(message, now=now) for message in _stuck_claim(now))
    dropped, _ = EarlyDeliveryReport.objects.filter(
        received_at__lte=now - EARLY_REPORT_KEEP
    ).delete()
    return SweepReport(requeued=requeued, reconciled=dict(outcomes), early_reports_dropped=dropped)


def requeue_after() -> dt.timedelta:
    """How long a queued row's task may not have run before the sweep takes it as lost."""
    return dt.timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS * REQUEUE_AFTER_SWEEPS)


def _stuck_claim(now: dt.datetime) -> list[OutboundMessage]:
    """The RECONCILE_BATCH stuck rows asked about longest ago (never asked first), stamped as
    asked now: the next sweep takes the next ones, and a sweep running alongside others."""
    with transaction.atomic():
        stuck = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status__in=STUCK_STATUSES, sending_started_at__lte=now - SENDING_STUCK_AFTER)
            .order_by(F("checked_at").asc(nulls_first=True), "sending_started_at")[:RECONCILE_BATCH]
        )
        OutboundMessage.objects.filter(id__in=[m.id for m in stuck]).update(checked_at=now)
    return stuck


def _requeue_lost(now: dt.datetime) -> int:
    with transaction.atomic():
        # Claimed with SKIP LOCKED and stamped, so two sweeps never enqueue the same rows.
        ids = list(
            OutboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status=Status.QUEUED, not_before__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - requeue_after()))
            .order_by("not_before")
            .values_list("id", flat=True)[:REQUEUE_BATCH]
        )
        OutboundMessage.objects.filter(id__in=ids).update(enqueued_at=now, updated_at=now)
        for message_id in ids:
            transaction.on_commit(partial(_enqueue, message_id), robust=True)
    return len(ids)


def _reconcile(message: OutboundMessage, *, now: dt.datetime) -> str:
    """Settle a message whose send got no answer: found at the provider, resent, or failed."""
    assert message.sending_started_at is not None  # noqa: S101 - set by every claim
    try:
        transport = transport_for(message.channel)
    except Exception as exc:
        return _unchecked(message, now=now, why=f"cannot reach it: {exc}")
    if not transport.can_look_up:
        _finish(
            message,
            status=Status.FAILED,
            last_error="Outcome unknown, not resent: the provider gave no answer and cannot be "
            "asked afterwards whether it arrived.",
        )
        return Status.FAILED
    try:
        body, _ = message_words(message)
    except UnsealError:
        _finish(message, status=Status.FAILED, last_error=UNSEALABLE)
        return Status.FAILED
    try:
        record = transport.find(
            provider_id=message.provider_id,
            to=message.to_address,
            body=body,
            since=message.sending_started_at,
        )
    except TransportError as exc:
        return _unchecked(message, now=now, why=exc.message)
    if (
        record is not None
        and not OutboundMessage.objects.filter(provider_id=record.provider_id)
        .exclude(pk=message.pk)
        .exists()
    ):
        status = record.status or Status.SENT
        _finish(
            message,
            status=status,
            provider_id=record.provider_id,
            sent_at=message.sent_at or now,
            last_error=record.error,
        )
        return status
    if now - message.sending_started_at < RESEND_AFTER:
        return Status.SENDING  # the provider may not list it yet; look again next sweep
    if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
        _finish(
            message,
            status=Status.FAILED,
            last_error=f"Not delivered after {message.attempts} tries: the provider has no "
            "record of the last one.",
        )
        return Status.FAILED
    not_before = _due_at(now, urgent=message.urgent)
    due_now = not_before <= now
    requeued = _finish(
        message,
        status=Status.QUEUED,
        not_before=not_before,
        enqueued_at=now if due_now else None,
        last_error="The provider had no record of it, so it is being sent again.",
    )
    if requeued and due_now:
        transaction.on_commit(partial(_enqueue, message.id), robust=True)
    return Status.QUEUED


def _unchecked(message: OutboundMessage, *, now: dt.datetime, why: str) -> str:
    """The provider could not be asked whether a stuck message went. Not resent (it may have
    arrived); after settings.MESSAGE_ATTENTION_AFTER_MINUTES it needs attention, shown to the
    case's staff, and the sweep keeps asking."""
    assert message.sending_started_at is not None  # noqa: S101 - set by every claim
    logger.warning("Could not check message %s with its provider: %s", message.id, why)
    minutes = settings.MESSAGE_ATTENTION_AFTER_MINUTES
    if message.status == Status.ATTENTION or now - message.sending_started_at < dt.timedelta(
        minutes=minutes
    ):
        return "unchecked"
    _finish(
        message,
        status=Status.ATTENTION,
        last_error=f"Not known whether it arrived: the provider could not be asked for over "
        f"{minutes} minutes ({why}). Not sent again, so it cannot arrive twice; we keep asking. "
        "If it matters, contact them another way.",
    )
    return Status.ATTENTION


def sms_opt_out(*, phone: str, keyword: str) -> SmsOptOut:
    """Stop all SMS to `phone` (they replied STOP, or the carrier reports they did)."""
    opt_out, created = SmsOptOut.objects.get_or_create(
        phone=phone, defaults={"keyword": keyword[:40]}
    )
    if not created and opt_out.reason == SmsOptOut.Reason.UNDELIVERABLE:
        # The person's own word outlasts the network's report, should the number start working.
        opt_out.reason, opt_out.keyword, opt_out.detail = (
            SmsOptOut.Reason.OPTED_OUT,
            keyword[:40],
            "",
        )
        opt_out.save(update_fields=["reason", "keyword", "detail"])
    return opt_out


def sms_delivery_failed(*, message: OutboundMessage, code: str) -> None:
    """Act on what a failed SMS says about its number, given the provider's error code.

    Call once per failed message (the callers guard with their conditional UPDATE).
    - unsubscribed (21610): the number is opted out, as if they had replied STOP;
    - undeliverable (UNDELIVERABLE_CODES): no more SMS to the number; email is used instead;
    - unreachable for now (30003): nothing is blocked.
    In each case the first time, the case is told (the sms_unreachable hook, given the
    patient, number and reason) so the navigator sees it and can check the number.
    """
    if message.channel != Channel.SMS:
        return
    phone = message.to_address
    if code in UNSUBSCRIBED_CODES:
        opt_out, created = SmsOptOut.objects.get_or_create(
            phone=phone, defaults={"keyword": "STOP (reported by Twilio)"}
        )
        explanation, blocked = opt_out.explanation, True
    elif code in UNDELIVERABLE_CODES:
        opt_out, created = SmsOptOut.objects.get_or_create(
            phone=phone,
            defaults={
                "reason": SmsOptOut.Reason.UNDELIVERABLE,
                "keyword": f"Twilio {code}",
                "detail": UNDELIVERABLE_CODES[code],
            },
        )
        explanation, blocked = opt_out.explanation, True
    elif code in UNREACHABLE_FOR_NOW_CODES:
        created, blocked = True, False
        explanation = (
            f"a text message did not arrive: {UNREACHABLE_FOR_NOW_CODES[code]} (Twilio {code})"
        )
    else:
        return
    if created and message.subject_id is not None:
        _tell_the_case(
            SMS_UNREACHABLE,
            subject_id=message.subject_id,
            phone=phone,
            explanation=explanation,
            blocked=blocked,
        )


def _tell_the_case(event: str, **kwargs: Any) -> Any:
    """Call the handler the patient-facing apps registered for `event` (navigator.messaging.hooks).

    The platform does not import the apps built on it; they register in AppConfig.ready().
    A failing handler is logged, never allowed to undo the platform's own record (opt-out,
    delivery status), so it runs in its own savepoint. With none registered, nothing happens.
    """
    handler = HANDLERS.get(event)
    if handler is None:
        return None
    try:
        with transaction.atomic():
            return handler(**kwargs)
    except Exception:
        logger.exception("The %s handler (%s) failed", event, handler.__qualname__)
        return None


def sms_opt_in(*, phone: str) -> bool:
    """Allow SMS to `phone` again (they replied START). True if they had opted out."""
    deleted, _ = SmsOptOut.objects.filter(phone=phone).delete()
    return deleted > 0


def _candidates(recipient: Recipient, channel: str | None) -> list[str]:
    if channel is not None:
        return [channel]
    preferred = recipient.preferred_channel
    return [preferred, Channel.EMAIL if preferred == Channel.SMS else Channel.SMS]


def _phone_deciding(recipient: Recipient, channel: str | None) -> str:
    """The number whose opt-out the channel choice depends on, or "" if none: only a text
    tried before any channel that surely works needs the opt-outs looked up."""
    for candidate in _candidates(recipient, channel):
        if candidate == Channel.SMS and recipient.phone and E164.match(recipient.phone):
            return recipient.phone
        if candidate == Channel.EMAIL and recipient.email:
            return ""
    return ""


def _choose_channel(
    recipient: Recipient, channel: str | None, opt_outs: dict[str, SmsOptOut]
) -> str:
    """The first candidate channel that reaches them; `opt_outs` holds the SMS opt-outs of
    (at least) the number `_phone_deciding` names."""
    reasons = []
    for candidate in _candidates(recipient, channel):
        reason = _unreachable_reason(recipient, candidate, opt_outs)
        if reason is None:
            return candidate
        reasons.append(reason)
    raise MessagingError(
        f"{recipient.name or 'This person'} cannot be reached: {'; '.join(reasons)}."
    )


def _unreachable_reason(
    recipient: Recipient, channel: str, opt_outs: dict[str, SmsOptOut]
) -> str | None:
    if channel == Channel.SMS:
        if not recipient.phone:
            return "no mobile number"
        if not E164.match(recipient.phone):
            return f"the mobile number {recipient.phone!r} is not in international form (+44…)"
        opt_out = opt_outs.get(recipient.phone)
        if opt_out is not None:
            return opt_out.explanation
        return None
    if channel == Channel.EMAIL:
        return None if recipient.email else "no email address"
    raise MessagingError(f"Unknown channel {channel!r}: use 'sms' or 'email'.")


def _render(
    *, kind: str, channel: str, language: str, context: dict[str, Any]
) -> tuple[str, str, str]:
    """Subject, plain body and HTML body for `kind`, from its templates."""
    values = {
        **context,
        "link": _absolute_link(context.get("link")),
        "site_url": settings.SITE_URL,
        "service_name": settings.SERVICE_NAME,
        "urgent_help_line": settings.URGENT_HELP_LINE,
    }

    def render(folder: str, name: str) -> str:
        # One template per message in every language: its words go through gettext, in the
        # recipient's language (locale/cy/LC_MESSAGES/django.po), with dates in that language.
        try:
            with in_language(language):
                return select_template([f"{folder}/{name}"]).render(values)
        except TemplateDoesNotExist:
            raise MessagingError(
                f"No template for message kind {kind!r}: add templates/{folder}/{name}."
            ) from None

    if channel == Channel.SMS:
        body = render("sms", f"{kind}.txt").strip()
        if len(body) > SMS_MAX_LENGTH:
            raise MessagingError(
                f"The {kind!r} text is {len(body)} characters; keep SMS to a short line and a link."
            )
        return "", body, ""
    subject = " ".join(render("emails", f"{kind}-subject.txt").split())
    body = render("emails", f"{kind}-body.txt").strip() + "\n"
    return subject, body, render("emails", f"{kind}-body.html")


def _absolute_link(link: object) -> str:
    """Our own links only: a path here, or a full address on settings.SITE_URL."""
    site = settings.SITE_URL
    if not link:
        return f"{site}/"
    text = str(link)
    if text.startswith("/") and not text.startswith("//"):
        return f"{site}{text}"
    if text == site or text.startswith(f"{site}/"):
        return text
    raise MessagingError(f"Messages may only link to this service ({site}), not {text!r}.")
