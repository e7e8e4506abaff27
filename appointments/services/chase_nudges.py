"""The chase's nudges: whom each item's round messages, and nudges to one recipient
sent together as one message.

- The patient gets at most one chase text a day, however many items are chased, in however
  many batches or runs: its idempotency key is the patient and the local day
  (`patient_day_key`). An item chased after that day's text went is recorded as covered by
  it. The text names nothing ("chasing what you are waiting for"): it links to the home
  page, which lists what is being chased, so an item covered later in the day is told there.
- An organisation gets one email a run listing its references: each batch writes what it has
  for them as a `ChaseDigest` row, and the run sends the digests together at its end
  (`chase.digests_send`).
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import CharField, Exists, Func, OuterRef, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from appointments.models import ItemKind, Nudge, TrackedItem
from navigator.accounts.models import User
from navigator.language import in_language
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import MessageToSend, Recipient
from navigator.organisations.models import Organisation
from patients import links
from patients.services import patient_recipient

# Whom the chase nudges for items no rule made (created by hand or imported).
DEFAULT_NUDGES: dict[str, list[str]] = {
    ItemKind.APPOINTMENT: [Nudge.PROVIDER],
    ItemKind.FOLLOW_UP: [Nudge.PATIENT, Nudge.PROVIDER],
    ItemKind.RESULT: [Nudge.PATIENT, Nudge.PROVIDER],
    ItemKind.REFERRAL: [Nudge.PATIENT, Nudge.PROVIDER],
    ItemKind.TREATMENT_SUMMARY: [Nudge.PROVIDER, Nudge.GP_PRACTICE],
    ItemKind.CANCER_CARE_REVIEW: [Nudge.GP_PRACTICE],
}
PATIENT_MESSAGE = "chase_patient"
PROFESSIONAL_MESSAGE = "chase_provider"
ESCALATION_MESSAGE = "chase_escalated"


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
        # A nudge to the patient (its key is theirs for the day: see `_nudge`) stays theirs.
        personal = message.idempotency_key.startswith(PATIENT_KEY_PREFIX)
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
        "what": _phrases(
            [item["what"] for item in items if "what" in item], language=first.recipient.language
        ),
    }
    keys = sorted({m.idempotency_key for m in messages})
    subjects = {m.subject_id for m in messages}
    # Nudges sharing a key (the patient's text of the day) keep it; others get one of their own.
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:40]
    return replace(
        first,
        context=context,
        idempotency_key=keys[0] if len(keys) == 1 else f"chase:{digest}",
        subject_id=first.subject_id if len(subjects) == 1 else None,
    )


def _phrases(phrases: list[str], *, language: str = "en") -> str:
    """Distinct phrases as one, in the recipient's `language`: "a", "a and b", "a, b and c",
    "a, b and 3 other things". Each phrase is translated here (they are marked in
    appointments.models), since the joined one is not in the catalogue."""
    distinct = list(dict.fromkeys(phrases))
    with in_language(language):
        distinct = [gettext(phrase) for phrase in distinct]
        if len(distinct) > 3:
            others = len(distinct) - 2
            distinct = [
                *distinct[:2],
                ngettext("%(count)s other thing", "%(count)s other things", others)
                % {"count": others},
            ]
        if len(distinct) < 2:
            return "".join(distinct)
        return gettext("%(first)s and %(last)s") % {
            "first": ", ".join(distinct[:-1]),
            "last": distinct[-1],
        }


def _lower_first(text: str) -> str:
    """A label for the middle of a sentence: its first letter in lower case, the rest kept
    (so "Treatment summary to the GP" keeps its "GP")."""
    return text[:1].lower() + text[1:]


PATIENT_KEY_PREFIX = "chase:patient:"


def patient_day_key(*, patient_id: Any, today: dt.date) -> str:
    """The idempotency key of the patient's one chase text of the day (London date)."""
    return f"{PATIENT_KEY_PREFIX}{patient_id}:{today.isoformat()}"


def patient_texted_today(*, today: dt.date, patient: str = "patient_id") -> Exists:
    """Whether the patient (the outer query's `patient` column) has had the day's chase text:
    `patient_day_key` spelled in SQL, so the chase learns it with the cases it reads rather
    than in a lookup of its own (one index probe a case, on the outbox's unique key)."""
    key = Concat(
        Value(PATIENT_KEY_PREFIX),
        _UUIDText(OuterRef(patient)),
        Value(f":{today.isoformat()}"),
        output_field=CharField(),
    )
    return Exists(OutboundMessage.objects.filter(idempotency_key=key))


class _UUIDText(Func):
    """A UUID column as `str(uuid)` writes it (lower case, with hyphens): PostgreSQL's own
    text form; SQLite stores Django's UUIDs as 32 hex digits, so the hyphens are put in."""

    output_field = CharField()

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql})::text", tuple(params)

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        parts = [f"substr({sql}, {start}, {length})" for start, length in _UUID_GROUPS]
        return " || '-' || ".join(parts), tuple(params) * len(parts)


# Where each hyphen-separated group of a UUID's 32 hex digits starts (1-based), and its length.
_UUID_GROUPS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


def unreachable_problem(organisation: Organisation) -> str:
    """What the navigator's task says when the chase could not email `organisation`."""
    return (
        f"We could not contact {organisation.name}: it has no email address. "
        "Contact them another way."
    )


@dataclass(frozen=True)
class OrganisationNudge:
    """A nudge to an organisation, to go in the run's one email to it (`ChaseDigest`)."""

    organisation: Organisation
    kind: str
    context: dict[str, Any]
    line: dict[str, Any]
    subject_id: Any


@dataclass(frozen=True)
class Unreachable:
    """An organisation the chase should have emailed but could not: the task says so."""

    organisation: Organisation


def _nudge(
    item: TrackedItem, whom: str, *, chase_round: int, opened: bool, today: dt.date
) -> tuple[MessageToSend, str] | OrganisationNudge | Unreachable | str:
    """The message for one nudge the rule names, with whom it is for (for the chase record);
    an organisation's line for the run's email to it; an organisation that cannot be emailed;
    or, when none can go, what stopped it ("" if nothing is worth recording)."""
    case = item.case
    patient = case.patient
    rule = item.rule
    if whom == Nudge.PATIENT:
        kind = rule.patient_message if rule else PATIENT_MESSAGE
        # The patient hears when chasing starts (a new task), not on every round after it.
        if not kind or not opened:
            return ""
        message = MessageToSend(
            recipient=patient_recipient(patient=patient),
            kind=kind,
            context={
                "what": item.workflow.patient_phrase,
                "link": links.home_link(case_id=case.pk, section=links.WAITING),
            },
            idempotency_key=patient_day_key(patient_id=patient.pk, today=today),
            subject_id=case.patient_id,
        )
        return message, "the patient"
    organisation = item.responsible_provider if whom == Nudge.PROVIDER else patient.gp_practice
    kind = rule.professional_message if rule else PROFESSIONAL_MESSAGE
    if not kind or organisation is None:
        return ""
    if not organisation.can_be_emailed:
        return Unreachable(organisation)
    return OrganisationNudge(
        organisation=organisation,
        kind=kind,
        context={
            "organisation": organisation.name,
            "team_phone": case.team.phone,
            "link": "/",
        },
        line={
            "what": _lower_first(item.get_kind_display()),
            "reference": item.reference,
            "expected_by": item.expected_by.isoformat(),
        },
        subject_id=str(case.patient_id),
    )


def _escalation_nudge(
    item: TrackedItem, lead: User, *, chase_round: int
) -> tuple[MessageToSend, str]:
    """The message telling the team lead an item is escalated to them, with whom it is for."""
    return (
        MessageToSend(
            recipient=Recipient(
                name=lead.get_full_name(), email=lead.email, preferred_channel="email"
            ),
            kind=ESCALATION_MESSAGE,
            context={
                "link": reverse("appointments:chase_queue"),
                "name": lead.get_full_name(),
            },
            idempotency_key=f"chase:{item.id}:r{chase_round}:lead",
            subject_id=item.case.patient_id,
        ),
        f"{lead.get_full_name()} (escalated)",
    )
