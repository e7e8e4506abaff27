"""People, organisations, care teams, carers' access and messages as FHIR R4 (UK Core) resources,
registered with the FHIR API (`navigator.fhir`) by `PatientsConfig.ready()`.

Who sees which rows is `patients.rules`: everything about a patient comes from the cases the
user may see (`visible_case_ids`), so the API can never show what the case page would refuse.
Staff are Practitioners: those on the care team or holding the case, and the members of the
teams whose cases the user may see (the people whose names the case pages show). Nudges (the
outbox's texts and emails about a patient) are for the staff on the case, as on its messages
page, and carry no words: when, how, to whom (masked), and whether it went.
"""

from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from navigator.accounts.models import STAFF_ROLES, User
from navigator.fhir.addresses import (
    NHS_NUMBER_SYSTEM,
    ODS_CODE_SYSTEM,
    canonical,
    reference,
    uk_core,
)
from navigator.fhir.definitions import code_system
from navigator.fhir.registry import (
    SearchError,
    SearchParam,
    Source,
    fhir_definition_register,
    fhir_source_register,
    inverse,
    token_filter,
)
from navigator.messaging.models import OutboundMessage
from navigator.organisations.models import Membership, Organisation
from patients import fhir_documents
from patients.models import CarerAccess, CareTeamMember, Case, CaseMessage, Patient
from patients.rules import visible_case_ids

CARE_TEAM_ROLE = "care-team-role"
COMMUNICATION_CATEGORY = "communication-category"
ORGANISATION_KIND = "organisation-kind"
BCP47 = "urn:ietf:bcp:47"


def _visible_patient_ids(user: User, **kwargs: bool) -> QuerySet[Any]:
    return Case.objects.filter(pk__in=visible_case_ids(user, **kwargs)).values("patient_id")


def _identifier_param(system: str, path: str, what: str) -> SearchParam:
    def apply(values: list[str]) -> Q:
        found = Q()
        for value in values:
            given_system, bar, code = value.rpartition("|")
            if bar and given_system != system:
                raise SearchError(f"identifier: give {what} with the system {system}.")
            found |= Q(**{path: code.replace(" ", "")})
        return found

    return SearchParam("identifier", "token", f"{what}: `{system}|<value>` or the value.", apply)


# Patient ---------------------------------------------------------------------------------------


def patient_rows(user: User) -> QuerySet[Patient]:
    return Patient.objects.filter(pk__in=_visible_patient_ids(user)).select_related("gp_practice")


def patient_resource(patient: Patient) -> dict[str, Any]:
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone, "use": "mobile"})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email, "use": "home"})
    out: dict[str, Any] = {
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": patient.nhs_number}],
        "active": True,
        "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
        "birthDate": patient.date_of_birth.isoformat(),
        "communication": [
            {
                "language": {
                    "coding": [
                        {
                            "system": BCP47,
                            "code": patient.language,
                            "display": patient.get_language_display(),
                        }
                    ]
                },
                "preferred": True,
            }
        ],  # fmt: skip
    }
    if telecom:
        out["telecom"] = telecom
    if patient.address or patient.postcode:
        address: dict[str, Any] = {"use": "home"}
        lines = [line.strip() for line in patient.address.splitlines() if line.strip()]
        if lines:
            address["line"] = lines
        if patient.postcode:
            address["postalCode"] = patient.postcode
        out["address"] = [address]
    if patient.gp_practice is not None:
        out["generalPractitioner"] = [
            reference("Organization", patient.gp_practice.pk, patient.gp_practice.name)
        ]
    return out


# Organization ----------------------------------------------------------------------------------


def organisation_rows(user: User) -> QuerySet[Organisation]:
    """Providers are no one's private record: anyone signed in may read them."""
    return Organisation.objects.all()


def organisation_resource(organisation: Organisation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "identifier": [{"system": ODS_CODE_SYSTEM, "value": organisation.ods_code}],
        "active": True,
        "type": [
            {
                "coding": [
                    {
                        "system": _system(ORGANISATION_KIND),
                        "code": organisation.kind,
                        "display": organisation.get_kind_display(),
                    }
                ]
            }
        ],  # fmt: skip
        "name": organisation.name,
    }
    telecom = []
    if organisation.phone:
        telecom.append({"system": "phone", "value": organisation.phone, "use": "work"})
    if organisation.email:
        telecom.append({"system": "email", "value": organisation.email, "use": "work"})
    if telecom:
        out["telecom"] = telecom
    return out


# Practitioner and PractitionerRole ------------------------------------------------------------


def practitioner_rows(user: User) -> QuerySet[User]:
    cases = visible_case_ids(user)
    teams = Case.objects.filter(pk__in=cases).values("team_id")
    return User.objects.filter(role__in=STAFF_ROLES).filter(
        Q(pk__in=Case.objects.filter(pk__in=cases).values("navigator_id"))
        | Q(pk__in=CareTeamMember.objects.filter(case_id__in=cases).values("user_id"))
        | Q(pk__in=Membership.objects.filter(team_id__in=teams).values("user_id"))
    )


def practitioner_resource(person: User) -> dict[str, Any]:
    out: dict[str, Any] = {
        "active": person.is_active,
        "name": [{"use": "usual", "text": person.get_full_name() or person.email}],
    }
    if person.email:
        out["telecom"] = [{"system": "email", "value": person.email, "use": "work"}]
    return out


def care_team_rows(user: User) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.filter(case_id__in=visible_case_ids(user)).select_related(
        "case__team", "organisation", "user"
    )


def _member_lookup(rest: str) -> Q | None:
    case_id, dot, pk = rest.partition(".")
    try:
        return Q(case_id=UUID(case_id), pk=int(pk)) if dot and pk.isdecimal() else None
    except ValueError:
        return None


def care_team_role_resource(member: CareTeamMember) -> dict[str, Any]:
    out: dict[str, Any] = {
        "active": member.case.is_open,
        "code": [_role_code(member.role, member.get_role_display())],
    }
    if member.user_id:
        out["practitioner"] = reference(
            "Practitioner", member.user_id, member.user.get_full_name() if member.user else ""
        )
    organisation = member.organisation or member.case.team.organisation
    out["organization"] = reference("Organization", organisation.pk, organisation.name)
    if member.contact:
        out["telecom"] = [{"system": "other", "value": member.contact, "use": "work"}]
    if member.name and not member.user_id:
        out["code"][0]["text"] = f"{member.get_role_display()}: {member.name}"
    return out


def navigator_rows(user: User) -> QuerySet[Case]:
    return Case.objects.filter(pk__in=visible_case_ids(user)).select_related(
        "navigator", "team__organisation"
    )


def navigator_role_resource(case: Case) -> dict[str, Any]:
    """The named navigator of one case: their single point of contact."""
    return {
        "active": case.is_open,
        "practitioner": reference(
            "Practitioner", case.navigator_id, case.navigator.get_full_name()
        ),
        "organization": reference(
            "Organization", case.team.organisation_id, case.team.organisation.name
        ),
        "code": [_role_code(CareTeamMember.Role.NAVIGATOR, "Named navigator")],
        **({"telecom": [{"system": "phone", "value": case.team.phone, "use": "work"}]}
           if case.team.phone else {}),
    }  # fmt: skip


def _role_code(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": _system(CARE_TEAM_ROLE), "code": code, "display": display}]}


# Consent: carers' access -----------------------------------------------------------------------

CONSENT_SCOPE = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
            "code": "patient-privacy",
            "display": "Privacy Consent",
        }
    ]
}
CONSENT_CATEGORY = {
    "coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]
}
OPT_IN = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "OPTIN",
            "display": "opt-in",
        }
    ]
}


def consent_action(code: str) -> dict[str, Any]:
    return {
        "coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": code}]
    }


def carer_grant_rows(user: User) -> QuerySet[CarerAccess]:
    return CarerAccess.objects.filter(patient_id__in=_visible_patient_ids(user)).select_related(
        "patient", "carer"
    )


def carer_consent_resource(grant: CarerAccess) -> dict[str, Any]:
    """The patient's permission for a carer to see their record, or to act for them too."""
    actions = [consent_action("access")]
    if grant.level == CarerAccess.Level.ACT:
        actions.append(consent_action("correct"))
    period: dict[str, str] = {"start": grant.granted_at.isoformat()}
    if grant.revoked_at:
        period["end"] = grant.revoked_at.isoformat()
    return {
        "status": "inactive" if grant.revoked_at else "active",
        "scope": CONSENT_SCOPE,
        "category": [CONSENT_CATEGORY],
        "patient": reference("Patient", grant.patient_id, grant.patient.full_name),
        "dateTime": grant.granted_at.isoformat(),
        "performer": [reference("Patient", grant.patient_id, grant.patient.full_name)],
        "policyRule": OPT_IN,
        "provision": {
            "type": "permit",
            "period": period,
            "actor": [
                {
                    "role": {
                        "coding": [
                            {"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                             "code": "CAREGIVER", "display": "caregiver"}
                        ],
                        "text": grant.get_level_display(),
                    },
                    # The carer has an account, not a FHIR resource here: named, not referenced.
                    "reference": {"display": grant.carer.get_full_name() or "A carer"},
                }
            ],
            "action": actions,
        },
    }  # fmt: skip


# Communication: messages and nudges ------------------------------------------------------------


def message_rows(user: User) -> QuerySet[CaseMessage]:
    return CaseMessage.objects.filter(case_id__in=visible_case_ids(user)).select_related(
        "case__patient", "author"
    )


def message_resource(message: CaseMessage) -> dict[str, Any]:
    patient = message.case.patient
    patient_ref = reference("Patient", patient.pk, patient.full_name)
    if message.author_kind == CaseMessage.AuthorKind.STAFF and message.author_id:
        sender = reference("Practitioner", message.author_id, message.author_display)
    elif message.author_kind in (CaseMessage.AuthorKind.PATIENT, CaseMessage.AuthorKind.SMS):
        sender = patient_ref
    else:
        sender = {"display": message.author_display}
    out: dict[str, Any] = {
        "status": "completed",
        "category": [_category("message", "Secure message")],
        "medium": [_medium("sms" if message.author_kind == "sms" else "web")],
        "subject": patient_ref,
        "sent": message.created_at.isoformat(),
        "sender": sender,
        "payload": [{"contentString": message.body}],
    }
    if not message.from_patient_side:
        out["recipient"] = [patient_ref]
    if message.read_by_patient_at and not message.from_patient_side:
        out["received"] = message.read_by_patient_at.isoformat()
    if message.read_by_team_at and message.from_patient_side:
        out["received"] = message.read_by_team_at.isoformat()
    return out


def nudge_rows(user: User) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(
        subject_id__in=_visible_patient_ids(user, change=True)
    ).defer("body", "body_html", "sealed_body")


NUDGE_STATUS = {
    OutboundMessage.Status.QUEUED: "preparation",
    OutboundMessage.Status.SENDING: "in-progress",
    OutboundMessage.Status.SENT: "completed",
    OutboundMessage.Status.DELIVERED: "completed",
    OutboundMessage.Status.FAILED: "not-done",
    OutboundMessage.Status.ATTENTION: "unknown",
}


def nudge_resource(message: OutboundMessage) -> dict[str, Any]:
    """A text or email about the patient: when, how and whether it went; never its words."""
    out: dict[str, Any] = {
        "status": NUDGE_STATUS[OutboundMessage.Status(message.status)],
        "category": [_category("nudge", "Nudge (text or email with a link)")],
        "medium": [_medium(message.channel)],
        "subject": reference("Patient", message.subject_id),
        "topic": {"text": message.kind_label},
        "recipient": [{"display": message.to_address_masked}],
    }
    if message.sent_at:
        out["sent"] = message.sent_at.isoformat()
    if message.status == OutboundMessage.Status.FAILED:
        out["statusReason"] = {"text": "Could not be sent."}
    return out


def _category(code: str, display: str) -> dict[str, Any]:
    return {
        "coding": [{"system": _system(COMMUNICATION_CATEGORY), "code": code, "display": display}]
    }


MEDIUM = {
    "sms": ("SMSWRIT", "SMS message"),
    "email": ("EMAILWRIT", "email"),
    "web": ("ELECTRONIC", "electronic data"),
}


def _medium(channel: str) -> dict[str, Any]:
    code, display = MEDIUM.get(channel, MEDIUM["web"])
    return {
        "coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode",
             "code": code, "display": display}
        ]
    }  # fmt: skip


def _system(name: str) -> str:
    return canonical("CodeSystem", name)


# Registration ----------------------------------------------------------------------------------


def register() -> None:
    """Called by `PatientsConfig.ready()`."""
    fhir_documents.register()
    fhir_source_register(
        Source(
            resource_type="Patient",
            description="A person with cancer whose case you may see",
            rows=patient_rows,
            build=patient_resource,
            profile=uk_core("UKCore-Patient"),
            patient_path="pk",
            updated_path="updated_at",
            params=[_identifier_param(NHS_NUMBER_SYSTEM, "nhs_number", "The NHS number")],
            order=("family_name", "given_name", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Organization",
            description="A provider of care (trust, GP practice, hospice, service), by ODS code",
            rows=organisation_rows,
            build=organisation_resource,
            profile=uk_core("UKCore-Organization"),
            params=[_identifier_param(ODS_CODE_SYSTEM, "ods_code", "The ODS code")],
            order=("name", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Practitioner",
            description="A member of staff: a navigator, clinician or team lead on a case you "
            "may see, or in its team",
            rows=practitioner_rows,
            build=practitioner_resource,
            profile=uk_core("UKCore-Practitioner"),
            order=("full_name", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="PractitionerRole",
            description="A case's named navigator (id `navigator-<case id>`)",
            rows=navigator_rows,
            build=navigator_role_resource,
            profile=uk_core("UKCore-PractitionerRole"),
            prefix="navigator-",
            patient_path="patient_id",
            order=("-opened_at", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="PractitionerRole",
            description="A place on a case's care team (id `member-<case id>.<n>`)",
            rows=care_team_rows,
            build=care_team_role_resource,
            profile=uk_core("UKCore-PractitionerRole"),
            prefix="member-",
            patient_path="case__patient_id",
            order=("case_id", "pk"),
            id_of=lambda member: f"member-{member.case_id}.{member.pk}",
            lookup=_member_lookup,
        )
    )
    fhir_source_register(
        Source(
            resource_type="Consent",
            description="A carer's access to the patient's record (id `carer-<id>`)",
            rows=carer_grant_rows,
            build=carer_consent_resource,
            profile=uk_core("UKCore-Consent"),
            prefix="carer-",
            patient_path="patient_id",
            params=[
                SearchParam(
                    "status",
                    "token",
                    "active or inactive.",
                    token_filter(
                        "",
                        {
                            "active": Q(revoked_at__isnull=True),
                            "inactive": Q(revoked_at__isnull=False),
                        },
                        "status",
                    ),
                )
            ],  # fmt: skip
            order=("-granted_at", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Communication",
            description="A secure message in the case's conversation (id `message-<id>`)",
            rows=message_rows,
            build=message_resource,
            prefix="message-",
            patient_path="case__patient_id",
            updated_path="created_at",  # a message never changes after it is sent
            params=[
                SearchParam(
                    "status",
                    "token",
                    "completed (every message is).",
                    token_filter("", {"completed": Q()}, "status"),
                )
            ],  # fmt: skip
            order=("-created_at", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Communication",
            description="A nudge (a text or email with a link) about the patient, without its "
            "words, for the staff on the case (id `nudge-<id>`)",
            rows=nudge_rows,
            build=nudge_resource,
            prefix="nudge-",
            patient_path="subject_id",
            updated_path="updated_at",
            params=[
                SearchParam(
                    "status",
                    "token",
                    "preparation, in-progress, completed, not-done or unknown.",
                    token_filter("status", inverse(NUDGE_STATUS), "status"),
                )
            ],
            order=("-created_at", "pk"),
        )
    )
    fhir_definition_register(
        code_system(CARE_TEAM_ROLE, "Care team roles", CareTeamMember.Role.choices)
    )
    fhir_definition_register(
        code_system(ORGANISATION_KIND, "Kinds of provider", Organisation.Kind.choices)
    )
    fhir_definition_register(
        code_system(
            COMMUNICATION_CATEGORY,
            "Kinds of communication",
            [("message", "Secure message"), ("nudge", "Nudge (text or email with a link)")],
        )
    )
