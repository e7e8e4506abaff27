"""Opening a case (and the patient's record), and handing it over to another navigator."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from navigator.accounts.models import Role, User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.organisations.models import Membership, Organisation, Team
from navigator.time import local_midnight
from patients.hooks import timeline_event_recorded
from patients.models import CareTeamMember, Case, Channel, Language, Nation, Patient, TimelineEvent
from patients.services.common import _Errors
from patients.services.contact import CommunicationNeeds, _clean_contact
from patients.validators import validate_nhs_number

OLDEST_AGE_YEARS = 130
NAVIGATOR_ROLES = frozenset({Role.NAVIGATOR, Role.TEAM_LEAD})


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


def case_open(
    *,
    opened_by: User,
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
                    occurred_at=local_midnight(diagnosis_date),
                    summary=f"Diagnosis: {tumour_site}",
                    shared_with_patient=True,
                    recorded_by=opened_by,
                )
                # As for any recorded event: the GP Cancer Care Review is tracked from here.
                timeline_event_recorded(event=diagnosis)
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


def case_handover(*, case: Case, by: User, to_navigator: User, note: str) -> TimelineEvent:
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


def case_close(*, case: Case, by: User) -> Case:
    """Close the case: it stays readable, takes no new work, and the retention policy counts its
    years from now (`closed_at`). Closing a closed case changes nothing."""
    if not case.is_open:
        return case
    with transaction.atomic():
        case.status = Case.Status.CLOSED
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=case,
            patient_id=case.patient_id,
            summary="Closed the case",
        )
    return case
