"""Writes to the case record: each validates, runs in one transaction and writes its audit entry.

Validation errors are `ValidationError`s keyed by argument name, all found at once, so a form
can show each beside its field; callers check permissions (through `patients.access`) first.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from navigator.accounts.models import STAFF_ROLES, Role
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.organisations.models import Membership, Organisation, Team
from patients.models import (
    CareTeamMember,
    Case,
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
                TimelineEvent.objects.create(
                    case=case,
                    kind=TimelineEvent.Kind.DIAGNOSIS,
                    occurred_at=_local_midnight(diagnosis_date),
                    summary=f"Diagnosis: {tumour_site}",
                    shared_with_patient=True,
                    recorded_by=opened_by,
                )
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
