"""Writes to the case record: each validates, runs in one transaction and writes its audit entry.

Validation errors are `ValidationError`s keyed by argument name, all found at once, so a form
can show each beside its field; callers check permissions (through `patients.access`) first.
"""

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from navigator.accounts.models import INVITATION_LIFETIME, STAFF_ROLES, Invitation, Role
from navigator.accounts.services import invitation_accept
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.services import MessagingError, Recipient, message_send
from navigator.organisations.models import Membership, Organisation, Team
from patients.models import (
    AppointmentQuestion,
    CarerAccess,
    CarerInvitation,
    CareTeamMember,
    Case,
    CaseMessage,
    Channel,
    Language,
    Nation,
    Patient,
    TimelineEvent,
)
from patients.validators import normalise_postcode, phone_to_e164, validate_nhs_number

# Clocks on two machines disagree a little; an event "now" must not be refused as future.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
OLDEST_AGE_YEARS = 130
NAVIGATOR_ROLES = frozenset({Role.NAVIGATOR, Role.TEAM_LEAD})
EMAIL_MESSAGE = "Enter an email address in the right format, like name@example.com."


@dataclass(frozen=True)
class CommunicationNeeds:
    """What anyone contacting the person must arrange. Stored on `Patient` as separate fields."""

    large_print: bool = False
    interpreter: bool = False
    interpreter_language: str = ""
    hearing_support: bool = False
    other: str = ""

    @classmethod
    def of(cls, patient: Patient) -> "CommunicationNeeds":
        return cls(
            large_print=patient.needs_large_print,
            interpreter=patient.needs_interpreter,
            interpreter_language=patient.interpreter_language,
            hearing_support=patient.needs_hearing_support,
            other=patient.other_needs,
        )


class DuplicatePatient(ValidationError):
    """The NHS number already has a record. `existing_case` is its latest case, if any."""

    def __init__(self, *, patient: Patient, existing_case: Case | None) -> None:
        super().__init__(
            {
                "nhs_number": [
                    ValidationError("A record for this NHS number already exists", code="duplicate")
                ]
            }
        )
        self.patient = patient
        self.existing_case = existing_case


class StaleRecord(Exception):
    """Someone else saved the record after the form was opened; `current` is what it says now."""

    def __init__(self, current: Patient) -> None:
        super().__init__("The record changed since the form was opened.")
        self.current = current


class _Errors:
    """Collects errors by field so one submission reports all of them."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, error: ValidationError | str) -> None:
        if isinstance(error, str):
            error = ValidationError(error)
        self.errors.setdefault(field, []).extend(error.error_list)

    def check(self, field: str, validate: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return validate(*args, **kwargs)
        except ValidationError as error:
            self.add(field, error)
            return None

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def contact_details_clean(
    *,
    phone: str,
    email: str,
    address: str,
    postcode: str,
    preferred_channel: str,
    language: str,
    communication_needs: CommunicationNeeds,
) -> dict[str, Any]:
    """The Patient fields for these contact details, normalised, or a ValidationError by field.

    Forms call this too, so a page shows these problems alongside its own in one go.
    """
    errors = _Errors()
    fields = _clean_contact(
        errors,
        phone=phone,
        email=email,
        address=address,
        postcode=postcode,
        preferred_channel=preferred_channel,
        language=language,
        communication_needs=communication_needs,
    )
    errors.raise_any()
    return fields


def _clean_contact(
    errors: _Errors,
    *,
    phone: str,
    email: str,
    address: str,
    postcode: str,
    preferred_channel: str,
    language: str,
    communication_needs: CommunicationNeeds,
) -> dict[str, Any]:
    """Patient fields for contact details and preferences, normalised; problems go to `errors`."""
    phone, email, address, postcode = (v.strip() for v in (phone, email, address, postcode))
    if preferred_channel not in Channel.values:
        errors.add("preferred_channel", "Choose how we should send messages.")
    if language not in Language.values:
        errors.add("language", "Choose a language we write in.")
    if phone:
        phone = (
            errors.check("phone", phone_to_e164, phone, mobile=preferred_channel == Channel.SMS)
            or phone
        )
    elif preferred_channel == Channel.SMS:
        errors.add("phone", "Enter a mobile number for text messages, or choose email instead.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", EMAIL_MESSAGE)
    elif preferred_channel == Channel.EMAIL:
        errors.add("email", "Enter an email address for emails, or choose text messages instead.")
    if postcode:
        postcode = errors.check("postcode", normalise_postcode, postcode) or postcode
    needs = communication_needs
    language_needed = needs.interpreter_language.strip()
    if needs.interpreter and not language_needed:
        errors.add("interpreter_language", "Enter the language the interpreter should speak.")
    if len(needs.other) > 300:
        errors.add("other_needs", "Other needs must be 300 characters or fewer.")
    return {
        "phone": phone,
        "email": email.lower(),
        "address": address,
        "postcode": postcode,
        "preferred_channel": preferred_channel,
        "language": language,
        "needs_large_print": needs.large_print,
        "needs_interpreter": needs.interpreter,
        "interpreter_language": language_needed if needs.interpreter else "",
        "needs_hearing_support": needs.hearing_support,
        "other_needs": needs.other.strip(),
    }


def case_open(
    *,
    opened_by: Any,
    team: Team,
    nhs_number: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    phone: str = "",
    email: str = "",
    address: str = "",
    postcode: str = "",
    preferred_channel: str = Channel.SMS,
    language: str = Language.ENGLISH,
    communication_needs: CommunicationNeeds | None = None,
    gp_practice: Organisation | None = None,
    nation: str = Nation.ENGLAND,
    tumour_site: str,
    diagnosis_date: dt.date | None = None,
    stage: str = "",
    treating_providers: Iterable[Organisation] = (),
) -> Case:
    """Create the patient and their case, with the opener as named navigator.

    Rules:
    - a person has one record: a known NHS number is refused with `DuplicatePatient`, which
      names the existing case so the caller can send the user there;
    - the opener must be a navigator or team lead in `team`, and joins the care team;
    - a diagnosis date becomes a diagnosis event on the timeline (it stops the 28-day clock).
    """
    errors = _Errors()
    today = timezone.localdate()
    nhs_number = "".join(nhs_number.split())
    errors.check("nhs_number", validate_nhs_number, nhs_number)
    # Nothing else matters if this person has a record: they must not get a second one.
    patient_duplicate_check(nhs_number=nhs_number)
    given_name, family_name = given_name.strip(), family_name.strip()
    if not given_name:
        errors.add("given_name", "Enter the person's first name.")
    if not family_name:
        errors.add("family_name", "Enter the person's last name.")
    if date_of_birth > today:
        errors.add("date_of_birth", "Date of birth must be in the past.")
    elif date_of_birth.year < today.year - OLDEST_AGE_YEARS:
        errors.add("date_of_birth", "Check the year of birth: it is too long ago.")
    contact = _clean_contact(
        errors,
        phone=phone,
        email=email,
        address=address,
        postcode=postcode,
        preferred_channel=preferred_channel,
        language=language,
        communication_needs=communication_needs or CommunicationNeeds(),
    )
    if gp_practice is not None and gp_practice.kind != Organisation.Kind.GP_PRACTICE:
        errors.add("gp_practice", f"{gp_practice.name} is not a GP practice.")
    if nation not in Nation.values:
        errors.add("nation", "Choose the nation whose NHS treats the person.")
    tumour_site = tumour_site.strip()
    if not tumour_site:
        errors.add("tumour_site", "Enter the cancer type, such as lung or breast.")
    if diagnosis_date is not None:
        if diagnosis_date > today:
            errors.add("diagnosis_date", "Date of diagnosis must be today or in the past.")
        elif diagnosis_date < date_of_birth:
            errors.add("diagnosis_date", "Date of diagnosis must be after the date of birth.")
    providers = list(treating_providers)
    if any(p.kind == Organisation.Kind.GP_PRACTICE for p in providers):
        errors.add("treating_providers", "Treating providers are hospitals, not GP practices.")
    if (
        opened_by.role not in NAVIGATOR_ROLES
        or not Membership.objects.filter(team=team, user=opened_by).exists()
    ):
        errors.add("team", "You can only open cases for a team you navigate in.")
    errors.raise_any()

    try:
        with transaction.atomic():
            patient = Patient.objects.create(
                nhs_number=nhs_number,
                given_name=given_name,
                family_name=family_name,
                date_of_birth=date_of_birth,
                gp_practice=gp_practice,
                nation=nation,
                **contact,
            )
            case = Case.objects.create(
                patient=patient,
                team=team,
                navigator=opened_by,
                tumour_site=tumour_site,
                diagnosis_date=diagnosis_date,
                stage=stage.strip(),
            )
            case.treating_providers.set(providers)
            CareTeamMember.objects.create(
                case=case,
                user=opened_by,
                role=CareTeamMember.Role.NAVIGATOR,
                name=opened_by.get_full_name(),
            )
            if diagnosis_date is not None:
                diagnosis = TimelineEvent.objects.create(
                    case=case,
                    kind=TimelineEvent.Kind.DIAGNOSIS,
                    occurred_at=_local_midnight(diagnosis_date),
                    summary=f"Diagnosis: {tumour_site}",
                    shared_with_patient=True,
                    recorded_by=opened_by,
                )
                # As for any recorded event: the GP Cancer Care Review is tracked from here.
                from appointments.services import follow_ups_from_event

                follow_ups_from_event(event=diagnosis)
            audit_record(
                actor=opened_by,
                action=AuditEvent.Action.CREATE,
                obj=case,
                patient_id=patient.id,
                summary="Opened the case and the patient's record",
            )
    except IntegrityError:
        # Someone else saved the same NHS number between our check and our insert.
        existing = Patient.objects.filter(nhs_number=nhs_number).first()
        if existing is None:
            raise
        raise _duplicate(existing) from None
    return case


def patient_duplicate_check(*, nhs_number: str) -> None:
    """Raise `DuplicatePatient` if this NHS number (spaces ignored) already has a record."""
    existing = Patient.objects.filter(nhs_number="".join(nhs_number.split())).first()
    if existing is not None:
        raise _duplicate(existing)


def _duplicate(patient: Patient) -> DuplicatePatient:
    cases = patient.cases.order_by("status", "-opened_at")  # "open" sorts before "closed"
    return DuplicatePatient(patient=patient, existing_case=cases.first())


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def case_handover(*, case: Case, by: Any, to_navigator: Any, note: str) -> TimelineEvent:
    """Make `to_navigator` the case's named navigator, with a note for them on the timeline.

    Rules:
    - the new navigator is a navigator or team lead in the case's team, and not the current one;
    - they take the navigator's place on the care team; the note says what they need to know.
    """
    errors = _Errors()
    note = note.strip()
    if not case.is_open:
        errors.add("to_navigator", "This case is closed, so it cannot be handed over.")
    if to_navigator.pk == case.navigator_id:
        errors.add("to_navigator", f"{to_navigator} is already the named navigator.")
    elif (
        not to_navigator.is_active
        or to_navigator.role not in NAVIGATOR_ROLES
        or not Membership.objects.filter(team_id=case.team_id, user=to_navigator).exists()
    ):
        errors.add("to_navigator", f"Choose a navigator in {case.team.name}.")
    if not note:
        errors.add("note", "Enter a note for the new navigator: what they need to know.")
    errors.raise_any()

    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("navigator").get(pk=case.pk)
        previous = case.navigator
        case.navigator = to_navigator
        case.save(update_fields=["navigator"])
        CareTeamMember.objects.filter(
            case=case, user=previous, role=CareTeamMember.Role.NAVIGATOR
        ).delete()
        CareTeamMember.objects.update_or_create(
            case=case,
            user=to_navigator,
            defaults={"role": CareTeamMember.Role.NAVIGATOR, "name": to_navigator.get_full_name()},
        )
        event = TimelineEvent.objects.create(
            case=case,
            kind=TimelineEvent.Kind.HANDOVER,
            occurred_at=timezone.now(),
            time_known=True,
            summary=f"{to_navigator.get_full_name()} is now the named navigator, "
            f"taking over from {previous.get_full_name()}",
            detail=note,
            shared_with_patient=True,
            recorded_by=by,
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=case,
            patient_id=case.patient_id,
            summary=f"Handed the case over to {to_navigator.get_full_name()}",
        )
    return event


def care_team_add(
    *,
    case: Case,
    by: Any,
    role: str,
    user: Any | None = None,
    name: str = "",
    organisation: Organisation | None = None,
    contact: str = "",
) -> CareTeamMember:
    """Add a professional to the care team: a staff user (who then sees the case) or a contact.

    Rules:
    - the named navigator changes only by handover, so `role` is never navigator here;
    - a user is on a case's care team at most once, and must have a staff role.
    """
    errors = _Errors()
    name, contact = name.strip(), contact.strip()
    if role not in CareTeamMember.Role.values or role == CareTeamMember.Role.NAVIGATOR:
        errors.add("role", "Choose their role on the care team.")
    if user is not None:
        if not user.is_active or user.role not in STAFF_ROLES:
            errors.add("user", "Only staff accounts can join a care team.")
        elif CareTeamMember.objects.filter(case=case, user=user).exists():
            errors.add("user", f"{user.get_full_name()} is already on the care team.")
        name = name or user.get_full_name()
    elif not name:
        errors.add("name", "Enter their name, or the name of the service.")
    if not case.is_open:
        errors.add("role", "This case is closed, so its care team cannot change.")
    errors.raise_any()

    with transaction.atomic():
        member = CareTeamMember.objects.create(
            case=case, user=user, role=role, name=name, organisation=organisation, contact=contact
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=member,
            patient_id=case.patient_id,
            summary=f"Added {name} ({member.get_role_display()}) to the care team",
        )
    return member


def care_team_remove(*, member: CareTeamMember, by: Any) -> None:
    """Take someone off the care team. The named navigator stays until the case is handed over."""
    case = member.case
    if member.user_id is not None and member.user_id == case.navigator_id:
        raise ValidationError(
            "Hand the case over to another navigator before removing the named navigator.",
            code="named_navigator",
        )
    with transaction.atomic():
        label = f"{member.user.get_full_name() if member.user else member.name}"
        audit_record(
            actor=by,
            action=AuditEvent.Action.DELETE,
            obj=member,
            patient_id=case.patient_id,
            summary=f"Removed {label} ({member.get_role_display()}) from the care team",
        )
        member.delete()


def timeline_event_add(
    *,
    case: Case,
    by: Any,
    kind: str,
    occurred_at: dt.date | dt.datetime,
    summary: str,
    detail: str = "",
    shared_with_patient: bool = False,
) -> TimelineEvent:
    """Record something that happened: a date for when only the day is known, else a datetime.

    Rules:
    - nothing is recorded as happening in the future, or on a closed case;
    - a diagnosis on a case without a diagnosis date gives the case that date;
    - `shared_with_patient` shows the kind, date and summary on the patient's own page.
    """
    errors = _Errors()
    summary = summary.strip()
    if kind not in TimelineEvent.Kind.values:
        errors.add("kind", "Choose what kind of event this is.")
    if not summary:
        errors.add("summary", "Enter a summary of what happened.")
    elif len(summary) > 200:
        errors.add(
            "summary", "The summary must be 200 characters or fewer: put the rest in detail."
        )
    if isinstance(occurred_at, dt.datetime):
        if timezone.is_naive(occurred_at):
            raise ValueError("occurred_at must be timezone-aware")
        at, time_known = occurred_at, True
        if at > timezone.now() + FUTURE_TOLERANCE:
            errors.add("occurred_at", "The time must be now or in the past.")
    else:
        at, time_known = _local_midnight(occurred_at), False
        if occurred_at > timezone.localdate():
            errors.add("occurred_at", "The date must be today or in the past.")
    if not case.is_open:
        errors.add("kind", "This case is closed, so nothing new can be added.")
    errors.raise_any()

    with transaction.atomic():
        if kind == TimelineEvent.Kind.DIAGNOSIS and case.diagnosis_date is None:
            # The case's diagnosis date is the first diagnosis recorded, however it came.
            case.diagnosis_date = timezone.localdate(at)
            case.save(update_fields=["diagnosis_date"])
        event = TimelineEvent.objects.create(
            case=case,
            kind=kind,
            occurred_at=at,
            time_known=time_known,
            summary=summary,
            detail=detail.strip(),
            shared_with_patient=shared_with_patient,
            recorded_by=by,
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=event,
            patient_id=case.patient_id,
            summary=f"Added to the timeline: {event.get_kind_display()}",
        )
        # The follow-up rules (appointments.FollowUpRule) start tracking what this event means
        # the patient now waits for. Imported here: appointments depends on patients.
        from appointments.services import follow_ups_from_event

        follow_ups_from_event(event=event)
    return event


def patient_contact_update(
    *,
    patient: Patient,
    by: Any,
    expected_version: int,
    phone: str,
    email: str,
    address: str,
    postcode: str,
    preferred_channel: str,
    language: str,
    communication_needs: CommunicationNeeds,
) -> Patient:
    """Change contact details and preferences, unless someone changed them since `expected_version`.

    A stale write raises `StaleRecord` carrying the record as it is now, so the form can show
    both and let the user decide; nothing is overwritten silently.
    """
    fields = contact_details_clean(
        phone=phone,
        email=email,
        address=address,
        postcode=postcode,
        preferred_channel=preferred_channel,
        language=language,
        communication_needs=communication_needs,
    )
    with transaction.atomic():
        changed = Patient.objects.filter(pk=patient.pk, version=expected_version).update(
            **fields, version=F("version") + 1, updated_at=timezone.now()
        )
        if not changed:
            raise StaleRecord(Patient.objects.get(pk=patient.pk))
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=patient,
            patient_id=patient.pk,
            summary="Changed contact details and preferences",
        )
    patient.refresh_from_db()
    return patient


logger = logging.getLogger(__name__)

MESSAGE_MAX_LENGTH = 5000


class MessageVia:
    WEB = "web"
    SMS = "sms"


def case_message_post(
    *, case: Case, author: Any | None, body: str, via: str = "web"
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
        errors.add("body", "Enter your message.")
    elif len(body) > MESSAGE_MAX_LENGTH:
        errors.add("body", f"Your message must be {MESSAGE_MAX_LENGTH} characters or fewer.")
    if not case.is_open:
        errors.add("body", "This case is closed, so no new messages can be sent here.")
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


def patient_recipient(*, patient: Patient, email: str | None = None) -> Recipient:
    """How every message to a patient reaches them: their phone, email (or `email` when they
    gave none but their account has one), channel and language."""
    return Recipient(
        name=patient.full_name,
        phone=patient.phone,
        email=patient.email if email is None else email,
        preferred_channel=patient.preferred_channel,
        language=patient.language,
    )


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


def case_messages_mark_read(*, case: Case, reader: Any) -> int:
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


QUESTION_MAX_LENGTH = 500

# Starting points for the question list, in plain English. People pick any, then add their own.
SUGGESTED_QUESTIONS = (
    "What is the plan for my treatment, and when will it start?",
    "What side effects might I get, and what should I do if I get them?",
    "Who do I contact if I feel unwell or have questions between appointments?",
    "When will I get my test results, and how will I be told?",
    "How might treatment affect my work, money or day-to-day life?",
    "Is there support for my family or the people who look after me?",
    "Can I bring someone with me to my appointments?",
    "Is there anything I can do to help myself feel better?",
)


def _clean_question_text(text: str) -> str:
    errors = _Errors()
    text = " ".join((text or "").split())
    if not text:
        errors.add("text", "Enter your question.")
    elif len(text) > QUESTION_MAX_LENGTH:
        errors.add("text", f"Your question must be {QUESTION_MAX_LENGTH} characters or fewer.")
    errors.raise_any()
    return text


def appointment_question_add(*, case: Case, by: Any, text: str) -> AppointmentQuestion:
    """Add a question for the next appointment (the caller checked `patients.change_questions`).

    The text is tidied (runs of spaces become one) and must be 1 to QUESTION_MAX_LENGTH
    characters; a ValidationError keyed "text" says what is wrong.
    """
    text = _clean_question_text(text)
    with transaction.atomic():
        question = AppointmentQuestion.objects.create(case=case, text=text, created_by=by)
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=question,
            patient_id=case.patient_id,
            summary="Added a question for the next appointment",
        )
    return question


def appointment_question_update(
    *, question: AppointmentQuestion, by: Any, text: str
) -> AppointmentQuestion:
    """Change a question's words, with the same rules as adding one."""
    question.text = _clean_question_text(text)
    with transaction.atomic():
        question.save(update_fields=["text", "updated_at"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=question,
            patient_id=question.case.patient_id,
            summary="Changed a question for the next appointment",
        )
    return question


def appointment_question_mark(
    *, question: AppointmentQuestion, by: Any, asked: bool
) -> AppointmentQuestion:
    """Tick a question off as asked, or put it back on the list to ask."""
    question.asked_at = timezone.now() if asked else None
    with transaction.atomic():
        question.save(update_fields=["asked_at", "updated_at"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=question,
            patient_id=question.case.patient_id,
            summary="Ticked off a question" if asked else "Put a question back on the list",
        )
    return question


def appointment_question_delete(*, question: AppointmentQuestion, by: Any) -> None:
    with transaction.atomic():
        audit_record(
            actor=by,
            action=AuditEvent.Action.DELETE,
            obj=question,
            patient_id=question.case.patient_id,
            summary="Deleted a question for the next appointment",
        )
        question.delete()


def carer_invite(
    *, patient: Patient, by: Any, carer_name: str, email: str, phone: str, level: str
) -> tuple[CarerInvitation, str]:
    """The patient invites a carer by email or text; returns the invitation and its link.

    Rules:
    - only the patient invites carers to their own record (PermissionDenied otherwise);
    - a name, a level (read only, or act on my behalf) and an email address or a mobile
      number; all problems come back at once as a ValidationError by argument name;
    - the invitation is an `accounts.Invitation` for the carer role, whose link (its token is
      never stored) comes to this app's accept page; the text and email say nothing about
      the patient or their care.
    """
    if by is None or patient.user_id is None or by.pk != patient.user_id:
        raise PermissionDenied("Only the patient can invite carers to their record.")
    errors = _Errors()
    carer_name = " ".join((carer_name or "").split())
    email = (email or "").strip().lower()
    phone = (phone or "").strip()
    if not carer_name:
        errors.add("carer_name", "Enter the name of the person you are inviting.")
    elif len(carer_name) > 200:
        errors.add("carer_name", "The name must be 200 characters or fewer.")
    if level not in CarerAccess.Level.values:
        errors.add("level", "Choose what they can do.")
    if not email and not phone:
        errors.add("email", "Enter their email address or mobile phone number.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", EMAIL_MESSAGE)
        else:
            if email in {patient.email.lower(), by.email.lower()}:
                errors.add("email", "Enter the email address of the person you are inviting.")
    if phone:
        phone = errors.check("phone", phone_to_e164, phone, mobile=True) or phone
    errors.raise_any()

    token = secrets.token_urlsafe(32)
    link = reverse("patients:carer_invitation_accept", args=[token])
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            phone=phone,
            role=Role.CARER,
            invited_by=by,
            token_hash=Invitation.hash_token(token),
        )
        carer_invitation = CarerInvitation.objects.create(
            invitation=invitation, patient=patient, carer_name=carer_name, level=level
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE,
            obj=carer_invitation,
            patient_id=patient.pk,
            summary=f"Invited {carer_name} as a carer ({carer_invitation.get_level_display()})",
        )
        message_send(
            recipient=Recipient(
                name=carer_name,
                phone=phone,
                email=email,
                preferred_channel="email" if email else "sms",
            ),
            kind="carer_invitation",
            context={"link": link, "valid_days": INVITATION_LIFETIME.days},
            idempotency_key=f"carer-invitation:{invitation.pk}",
            subject_id=patient.pk,
        )
    return carer_invitation, link


def _carer_invitation_claim(carer_invitation: CarerInvitation, *, user: Any | None) -> None:
    """Use up the invitation, once: a second acceptance finds it taken and is refused."""
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=carer_invitation.invitation_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).update(accepted_at=now, accepted_by=user)
    if not claimed:
        raise ValidationError("This invitation can no longer be used.", code="unusable")


def _carer_grant(carer_invitation: CarerInvitation, *, carer: Any) -> CarerAccess:
    patient = carer_invitation.patient
    grant = (
        CarerAccess.objects.select_for_update()
        .filter(patient=patient, carer=carer, revoked_at__isnull=True)
        .first()
    )
    if grant is None:
        grant = CarerAccess.objects.create(
            patient=patient, carer=carer, level=carer_invitation.level
        )
    elif grant.level != carer_invitation.level:
        grant.level = carer_invitation.level
        grant.save(update_fields=["level"])
    audit_record(
        actor=carer,
        action=AuditEvent.Action.CREATE,
        obj=grant,
        patient_id=patient.pk,
        summary=f"Accepted an invitation to be a carer ({grant.get_level_display()})",
    )
    return grant


def carer_invitation_accept(*, carer_invitation: CarerInvitation, user: Any) -> CarerAccess:
    """A signed-in person accepts a carer invitation: they get the access the patient chose.

    Refused (ValidationError) for the patient themselves, for staff accounts (staff see
    records through their team, never as carers), and for an invitation already used,
    withdrawn or expired. Someone who already cares for the patient gets the new level.
    """
    if user.pk == carer_invitation.patient.user_id:
        raise ValidationError("This is an invitation to your own record.", code="own_record")
    if user.role in STAFF_ROLES:
        raise ValidationError(
            "Staff accounts cannot be carers. Sign out, then open the link again.", code="staff"
        )
    with transaction.atomic():
        _carer_invitation_claim(carer_invitation, user=user)
        return _carer_grant(carer_invitation, carer=user)


def carer_invitation_accept_new_account(
    *, carer_invitation: CarerInvitation, email: str, full_name: str
) -> tuple[Any, CarerAccess]:
    """Someone without an account accepts: their carer account and their access, together.

    The account is made by `accounts.services.invitation_accept` (which uses up the
    invitation and refuses an email address that already has an account).
    """
    with transaction.atomic():
        user = invitation_accept(
            invitation=carer_invitation.invitation, email=email, full_name=full_name
        )
        return user, _carer_grant(carer_invitation, carer=user)


def carer_invitation_withdraw(*, carer_invitation: CarerInvitation, by: Any) -> bool:
    """The patient withdraws an invitation not yet accepted; True if it was still open."""
    if by.pk != carer_invitation.patient.user_id:
        raise PermissionDenied("Only the patient can withdraw their invitations.")
    with transaction.atomic():
        withdrawn = Invitation.objects.filter(
            pk=carer_invitation.invitation_id, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if withdrawn:
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=carer_invitation,
                patient_id=carer_invitation.patient_id,
                summary=f"Withdrew the carer invitation for {carer_invitation.carer_name}",
            )
    return bool(withdrawn)


def carer_access_revoke(*, grant: CarerAccess, by: Any) -> bool:
    """The patient takes a carer's access away; it ends on the carer's next request.

    Access is checked on every request against live grants (`patients.rules`), so nothing
    else needs to change. True if the grant was still live.
    """
    if by.pk != grant.patient.user_id:
        raise PermissionDenied("Only the patient can take away a carer's access.")
    with transaction.atomic():
        revoked = CarerAccess.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=grant,
                patient_id=grant.patient_id,
                summary=f"Took away {grant.carer.get_full_name()}'s access as a carer",
            )
    return bool(revoked)
