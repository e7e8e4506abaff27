"""Hospital events in by FHIR: a provider's system sends a `transaction` (or `batch`) Bundle.

Each entry is one resource, matched by the sender's identifier (its first `identifier` with a
`system` and a `value`), scoped to the sending organisation and the resource type:

    Appointment        a tracked appointment: created, or brought up to date (time, place,
                       what to bring, state: proposed/pending/waitlist -> to be booked, booked/
                       arrived/checked-in -> booked, fulfilled -> attended, noshow -> did not
                       attend, cancelled/entered-in-error -> cancelled)
    ServiceRequest     a referral to another provider (`performer`, by ODS code): active/on-hold
                       -> sent, completed -> booked, revoked/entered-in-error -> cancelled
    DiagnosticReport   a test or scan result: registered/partial/preliminary -> done (report
                       awaited), final/amended/corrected/appended -> reported (closes it and its
                       chase), cancelled/entered-in-error -> cancelled. `basedOn` may name an item
                       we already track by the reference our chase emails quote
                       (`TRACKED_ITEM_SYSTEM`), so a result a navigator is chasing is the one closed
    DocumentReference  a discharge letter (the discharge goes on the timeline, and its follow-up
                       rules schedule what comes after), a treatment summary (the case's open
                       "treatment summary to the GP" item moves to sent to GP) or a clinic
                       letter. The file in `content[0].attachment.data` (base64; required for a
                       clinic letter) is kept with the case for the care team and the patient's
                       side (`patients.services.documents.document_receive`), checked by its
                       content like an upload; without one only the fact is kept.

The patient is named by NHS number (`subject`, or an Appointment's participant, as a logical
reference with `NHS_NUMBER_SYSTEM`), and must have exactly one open case that the sending
organisation is involved in (`patients.rules.organisation_case_q`).

Rules:
- all or nothing: every entry is checked and applied in one transaction; any bad entry rolls it
  all back and `BundleRejected` lists each one's problems (index, fullUrl, FHIRPath, what);
- the same resource sent again changes nothing (`ReceivedResource.content_hash`); a changed one
  updates its item through the services the JSON import uses (`item_update_from_source`);
- each change that happens goes on the case timeline once, and is audited as the sender;
- an entry's response names, in `location`, what it became where the read API serves the same
  resource type (an Appointment, a ServiceRequest, a kept DocumentReference).
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from appointments.imports import item_update_from_source
from appointments.models import ItemKind, ItemState, ReceivedResource, TrackedItem
from appointments.services import tracked_item_create, tracked_item_move_to
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_on_behalf_of, audit_record
from navigator.fhir.addresses import NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, resource_url
from navigator.fhir.http import outcome_issue
from navigator.organisations.models import Organisation
from patients import fhir_documents
from patients.models import Case, CaseDocument, TimelineEvent
from patients.rules import organisation_case_q
from patients.services import timeline_event_add
from patients.services.documents import document_receive, documents_removed_on_failure
from patients.validators import nhs_number_is_valid

# The reference our chase emails quote to providers (`TrackedItem.reference`).
TRACKED_ITEM_SYSTEM = "urn:cancer-navigator:tracked-item"
DOCUMENT_KIND_SYSTEM = "urn:cancer-navigator:document-kind"
SNOMED = "http://snomed.info/sct"
DISCHARGE_LETTER, TREATMENT_SUMMARY = "discharge-letter", "treatment-summary"
CLINIC_LETTER = "clinic-letter"
DOCUMENT_KINDS = {
    (SNOMED, "373942005"): DISCHARGE_LETTER,  # Discharge summary (record artifact)
    (DOCUMENT_KIND_SYSTEM, DISCHARGE_LETTER): DISCHARGE_LETTER,
    (DOCUMENT_KIND_SYSTEM, TREATMENT_SUMMARY): TREATMENT_SUMMARY,
    (DOCUMENT_KIND_SYSTEM, CLINIC_LETTER): CLINIC_LETTER,
}
# The kind of document each is kept as, and its title when the sender gives none.
KEPT_AS = {
    DISCHARGE_LETTER: (CaseDocument.Kind.DISCHARGE_LETTER, "Discharge letter"),
    TREATMENT_SUMMARY: (CaseDocument.Kind.TREATMENT_SUMMARY, "Treatment summary"),
    CLINIC_LETTER: (CaseDocument.Kind.CLINIC_LETTER, "Letter after an appointment"),
}
ATTACHMENT = "content[0].attachment"
MAX_ENTRIES = 200
BUNDLE_TYPES = {"transaction": "transaction-response", "batch": "batch-response"}

S = ItemState
APPOINTMENT_STATES = {
    "proposed": S.TO_BE_BOOKED,
    "pending": S.TO_BE_BOOKED,
    "waitlist": S.TO_BE_BOOKED,
    "booked": S.BOOKED,
    "arrived": S.BOOKED,
    "checked-in": S.BOOKED,
    "fulfilled": S.ATTENDED,
    "noshow": S.DID_NOT_ATTEND,
    "cancelled": S.CANCELLED,
    "entered-in-error": S.CANCELLED,
}
REFERRAL_STATES = {
    "active": S.SENT,
    "on-hold": S.SENT,
    "completed": S.BOOKED,
    "revoked": S.CANCELLED,
    "entered-in-error": S.CANCELLED,
}
RESULT_STATES = {
    "registered": S.DONE,
    "partial": S.DONE,
    "preliminary": S.DONE,
    "final": S.REPORTED,
    "amended": S.REPORTED,
    "corrected": S.REPORTED,
    "appended": S.REPORTED,
    "cancelled": S.CANCELLED,
    "entered-in-error": S.CANCELLED,
}
ITEM_TYPES = {
    "Appointment": (ItemKind.APPOINTMENT, APPOINTMENT_STATES, "Hospital appointment"),
    "ServiceRequest": (
        ItemKind.REFERRAL,
        REFERRAL_STATES,
        "Appointment with another hospital to be booked",
    ),
    "DiagnosticReport": (ItemKind.RESULT, RESULT_STATES, "Your test or scan result"),
}
SUPPORTED = (*ITEM_TYPES, "DocumentReference")
# The types the read API serves a tracked item as, by the item's id (`appointments.fhir`); a
# DiagnosticReport is not served (its item is a Task), so its response names no location.
SERVED_AS_ITSELF = ("Appointment", "ServiceRequest")

# Where each service argument came from, so a service's refusal names the element.
SERVICE_FIELDS = {
    "to_state": "status",
    "state": "status",
    "expected_by": "start",
    "starts_at": "start",
    "location": "participant",
    "what_to_bring": "patientInstruction",
    "occurred_at": "context.period.end",
    "kind": "subject",
    "upload": f"{ATTACHMENT}.data",
    "title": f"{ATTACHMENT}.title",
    "dated": "context.period.end",
}


@dataclass
class Issue:
    index: int | None
    full_url: str
    path: str  # FHIRPath inside the entry's resource ("" for the entry or the Bundle)
    message: str
    code: str = "invalid"

    def as_fhir(self) -> dict[str, Any]:
        if self.index is None:
            expression = f"Bundle.{self.path}" if self.path else "Bundle"
            where = ""
        else:
            expression = f"Bundle.entry[{self.index}]" + (f".{self.path}" if self.path else "")
            where = f"Entry {self.index}" + (f" ({self.full_url})" if self.full_url else "") + ": "
        return outcome_issue(where + self.message, code=self.code, expression=[expression])


class BundleRejected(Exception):
    """Nothing was changed. `status` is 400 for a body that is no Bundle we take, 422 for a
    Bundle with bad entries; `issues` says each problem."""

    def __init__(self, issues: list[Issue], status: int) -> None:
        self.issues = issues
        self.status = status
        super().__init__(f"{len(issues)} problems")


@dataclass
class Incoming:
    """One entry, checked and shaped: what it asks of us."""

    index: int
    full_url: str
    resource_type: str
    system: str
    value: str
    nhs_number: str
    content_hash: str
    state: str = ""
    starts_at: dt.datetime | None = None
    expected_by: dt.date | None = None
    location: str = ""
    what_to_bring: str = ""
    provider: Organisation | None = None
    based_on_reference: str = ""
    document_kind: str = ""
    occurred_at: dt.date | dt.datetime | None = None
    description: str = ""
    attachment: bytes | None = None
    attachment_title: str = ""
    issues: list[Issue] = field(default_factory=list)

    def problem(self, path: str, message: str, code: str = "invalid") -> None:
        self.issues.append(Issue(self.index, self.full_url, path, message, code))


@dataclass(frozen=True)
class EntryOutcome:
    index: int
    status: str  # "201 Created" | "200 OK"
    message: str
    changed: bool
    location: str = ""  # the read API's address of what the entry became, if it serves one


def fhir_bundle_receive(
    *, organisation: Organisation, sender: str, body: Any
) -> tuple[str, list[EntryOutcome]]:
    """Apply a Bundle from `organisation`'s system (`sender` names it in the audit trail).

    Returns the response Bundle's type and each entry's outcome; raises BundleRejected having
    changed nothing.
    """
    bundle_type, raw_entries = _bundle(body)
    incoming = [_entry(index, raw) for index, raw in enumerate(raw_entries)]
    issues = [issue for entry in incoming for issue in entry.issues]
    seen: dict[tuple[str, str, str], int] = {}
    for entry in incoming:
        key = (entry.resource_type, entry.system, entry.value)
        if entry.value and key in seen:
            issues.append(
                Issue(
                    entry.index,
                    entry.full_url,
                    "resource.identifier",
                    f"Entry {seen[key]} has the same identifier: send each resource once.",
                    "duplicate",
                )
            )
        seen.setdefault(key, entry.index)
    if issues:
        raise BundleRejected(issues, 422)

    source = f"{organisation.name} ({organisation.ods_code}) by FHIR"
    outcomes: list[EntryOutcome] = []
    # A refused Bundle rolls back its rows, and the files of documents it stored go with them.
    with audit_on_behalf_of(sender), documents_removed_on_failure(), transaction.atomic():
        for entry in incoming:
            try:
                with transaction.atomic():
                    outcomes.append(_apply(entry, organisation=organisation, source=source))
            except ValidationError as error:
                issues.extend(_service_issues(entry, error))
            except IntegrityError:
                issues.append(
                    Issue(
                        entry.index,
                        entry.full_url,
                        "resource.identifier",
                        "Another request sent this resource at the same moment: send it again.",
                        "conflict",
                    )
                )
        if issues:
            raise BundleRejected(issues, 422)  # rolls back every entry applied above
        changed = sum(1 for outcome in outcomes if outcome.changed)
        if changed:
            audit_record(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                obj=organisation,
                summary=f"Received a FHIR {bundle_type} of {len(outcomes)} entries "
                f"({changed} changed)",
            )
    return BUNDLE_TYPES[bundle_type], outcomes


# --- Checking the shape ------------------------------------------------------------------------


def _bundle(body: Any) -> tuple[str, list[Any]]:
    def refuse(path: str, message: str, code: str = "structure") -> BundleRejected:
        return BundleRejected([Issue(None, "", path, message, code)], 400)

    if not isinstance(body, dict):
        raise refuse("", "The body must be a JSON object: a FHIR Bundle.")
    if body.get("resourceType") != "Bundle":
        raise refuse(
            "resourceType",
            "resourceType must be Bundle: send a transaction or batch Bundle, "
            f"not {str(body.get('resourceType'))[:40]!r}.",
        )
    bundle_type = body.get("type")
    if bundle_type not in BUNDLE_TYPES:
        raise refuse("type", "type must be transaction or batch.", "value")
    entries = body.get("entry")
    if not isinstance(entries, list) or not entries:
        raise refuse("entry", "entry must be a list of at least one entry.", "required")
    if len(entries) > MAX_ENTRIES:
        raise refuse("entry", f"Send at most {MAX_ENTRIES} entries in one Bundle.", "too-costly")
    return bundle_type, entries


def _entry(index: int, raw: Any) -> Incoming:
    full_url = ""
    if isinstance(raw, dict) and isinstance(raw.get("fullUrl"), str):
        full_url = raw["fullUrl"][:200]
    resource = raw.get("resource") if isinstance(raw, dict) else None
    resource_type = resource.get("resourceType") if isinstance(resource, dict) else None
    entry = Incoming(
        index=index,
        full_url=full_url,
        resource_type=resource_type if isinstance(resource_type, str) else "",
        system="",
        value="",
        nhs_number="",
        content_hash="",
    )
    if not isinstance(raw, dict):
        entry.problem("", "Each entry must be an object with a resource.", "structure")
        return entry
    if not isinstance(resource, dict):
        entry.problem("resource", "The entry has no resource.", "required")
        return entry
    if entry.resource_type not in SUPPORTED:
        entry.problem(
            "resource.resourceType",
            f"resourceType must be one of {', '.join(SUPPORTED)}, not {str(resource_type)[:40]!r}.",
            "not-supported",
        )
        return entry
    if raw.get("fullUrl") is not None and not isinstance(raw.get("fullUrl"), str):
        entry.problem("fullUrl", "fullUrl must be a URI.", "value")
    request = raw.get("request")
    method = request.get("method") if isinstance(request, dict) else None
    url = request.get("url") if isinstance(request, dict) else None
    if method not in ("POST", "PUT"):
        entry.problem("request.method", "request.method must be POST or PUT.", "required")
    elif not isinstance(url, str) or not url.startswith(entry.resource_type):
        entry.problem(
            "request.url", f"request.url must name the resource type, {entry.resource_type}."
        )
    # `meta` (lastUpdated, versionId) changes with every send of the same content.
    content = {name: value for name, value in resource.items() if name != "meta"}
    entry.content_hash = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    _identifier(entry, resource)
    {
        "Appointment": _appointment,
        "ServiceRequest": _service_request,
        "DiagnosticReport": _diagnostic_report,
        "DocumentReference": _document_reference,
    }[entry.resource_type](entry, resource)
    return entry


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _identifier(entry: Incoming, resource: dict[str, Any]) -> None:
    identifiers = resource.get("identifier")
    if not isinstance(identifiers, list):
        identifiers = []
    if entry.resource_type == "DocumentReference":
        identifiers = [resource.get("masterIdentifier"), *identifiers]
    for identifier in identifiers:
        if isinstance(identifier, dict):
            system, value = _text(identifier.get("system")), _text(identifier.get("value"))
            if system and value:
                if len(system) > 255 or len(value) > 255:
                    entry.problem(
                        "resource.identifier",
                        "An identifier's system and value must each be 255 characters or fewer.",
                        "value",
                    )
                entry.system, entry.value = system[:255], value[:255]
                return
    entry.problem(
        "resource.identifier",
        "Give the resource your system's identifier: an identifier with a system and a value.",
        "required",
    )


def _nhs_number(entry: Incoming, reference: Any, path: str) -> None:
    identifier = reference.get("identifier") if isinstance(reference, dict) else None
    if not isinstance(identifier, dict) or identifier.get("system") != NHS_NUMBER_SYSTEM:
        entry.problem(
            f"{path}.identifier",
            f"Name the patient by NHS number: an identifier with system {NHS_NUMBER_SYSTEM}.",
            "required",
        )
        return
    number = "".join(str(identifier.get("value") or "").split())
    if not nhs_number_is_valid(number):
        entry.problem(f"{path}.identifier.value", "This is not a valid NHS number.", "value")
        return
    entry.nhs_number = number


def _status(entry: Incoming, resource: dict[str, Any], states: Mapping[str, str]) -> None:
    status = resource.get("status")
    if not isinstance(status, str) or status not in states:
        given = f", not {str(status)[:40]!r}" if status is not None else ""
        entry.problem(
            "resource.status",
            f"Give the status: one of {', '.join(states)}{given}.",
            "value" if status is not None else "required",
        )
        return
    entry.state = states[status]


def _when(entry: Incoming, value: Any, path: str) -> dt.date | dt.datetime | None:
    """A FHIR date or dateTime (a time must say its offset)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            if len(value) == 10:
                day = parse_date(value)
                if day is not None:
                    return day
            else:
                moment = parse_datetime(value)
                if moment is not None:
                    if timezone.is_naive(moment):
                        entry.problem(path, "A time must give its offset from UTC (Z or +01:00).")
                        return None
                    return moment
        except ValueError:
            pass
    entry.problem(path, "Give a date (YYYY-MM-DD) or a dateTime with its offset.", "value")
    return None


def _day(moment: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(moment, dt.datetime):
        return timezone.localdate(moment)
    return moment


def _appointment(entry: Incoming, resource: dict[str, Any]) -> None:
    _status(entry, resource, APPOINTMENT_STATES)
    participants = resource.get("participant")
    if not isinstance(participants, list):
        participants = []
    patient_at = None
    for number, participant in enumerate(participants):
        actor = participant.get("actor") if isinstance(participant, dict) else None
        if not isinstance(actor, dict):
            continue
        identifier = actor.get("identifier")
        reference = actor.get("reference")
        if isinstance(identifier, dict) and identifier.get("system") == NHS_NUMBER_SYSTEM:
            patient_at = number
        elif isinstance(reference, str) and reference.startswith("Location"):
            entry.location = _text(actor.get("display"))[:200]
    if patient_at is None:
        entry.problem(
            "resource.participant",
            f"Name the patient as a participant: actor.identifier with system {NHS_NUMBER_SYSTEM}.",
            "required",
        )
    else:
        _nhs_number(
            entry, participants[patient_at]["actor"], f"resource.participant[{patient_at}].actor"
        )
    start = _when(entry, resource.get("start"), "resource.start")
    if isinstance(start, dt.date) and not isinstance(start, dt.datetime):
        entry.problem("resource.start", "start must be a dateTime (an instant), not a date.")
    elif isinstance(start, dt.datetime):
        entry.starts_at = start
        entry.expected_by = timezone.localdate(start)
    if start is None and entry.state in (S.BOOKED, S.ATTENDED, S.DID_NOT_ATTEND):
        entry.problem("resource.start", "A booked appointment needs its start.", "required")
    period = resource.get("requestedPeriod")
    if (
        entry.expected_by is None
        and isinstance(period, list)
        and period
        and isinstance(period[0], dict)
    ):
        entry.expected_by = _day(
            _when(entry, period[0].get("end"), "resource.requestedPeriod[0].end")
        )
    entry.what_to_bring = _text(resource.get("patientInstruction"))[:300]


def _service_request(entry: Incoming, resource: dict[str, Any]) -> None:
    _status(entry, resource, REFERRAL_STATES)
    if not isinstance(resource.get("intent"), str):
        entry.problem("resource.intent", "Give the intent (such as order).", "required")
    _nhs_number(entry, resource.get("subject"), "resource.subject")
    performers = resource.get("performer")
    performer = performers[0] if isinstance(performers, list) and performers else None
    identifier = performer.get("identifier") if isinstance(performer, dict) else None
    if not isinstance(identifier, dict) or identifier.get("system") != ODS_CODE_SYSTEM:
        entry.problem(
            "resource.performer[0].identifier",
            f"Name the provider referred to by ODS code: an identifier with system {ODS_CODE_SYSTEM}.",
            "required",
        )
    else:
        ods = _text(identifier.get("value")).upper()
        entry.provider = Organisation.objects.filter(ods_code=ods).first() if ods else None
        if entry.provider is None:
            entry.problem(
                "resource.performer[0].identifier.value",
                "No organisation has this ODS code.",
                "not-found",
            )
    when: Any = resource.get("occurrenceDateTime")
    path = "resource.occurrenceDateTime"
    if when is None and isinstance(resource.get("occurrencePeriod"), dict):
        when, path = resource["occurrencePeriod"].get("end"), "resource.occurrencePeriod.end"
    entry.expected_by = _day(_when(entry, when, path))


def _diagnostic_report(entry: Incoming, resource: dict[str, Any]) -> None:
    _status(entry, resource, RESULT_STATES)
    _nhs_number(entry, resource.get("subject"), "resource.subject")
    if not isinstance(resource.get("code"), dict):
        entry.problem("resource.code", "Give the code of the test or scan.", "required")
    based_on = resource.get("basedOn")
    for number, reference in enumerate(based_on if isinstance(based_on, list) else []):
        identifier = reference.get("identifier") if isinstance(reference, dict) else None
        if isinstance(identifier, dict) and identifier.get("system") == TRACKED_ITEM_SYSTEM:
            entry.based_on_reference = _text(identifier.get("value")).upper()[:20]
            if not entry.based_on_reference:
                entry.problem(f"resource.basedOn[{number}].identifier.value", "Give the reference.")


def _document_reference(entry: Incoming, resource: dict[str, Any]) -> None:
    if resource.get("status") != "current":
        entry.problem("resource.status", "status must be current.", "value")
    _nhs_number(entry, resource.get("subject"), "resource.subject")
    kind = resource.get("type")
    codings = kind.get("coding") if isinstance(kind, dict) else None
    for coding in codings if isinstance(codings, list) else []:
        if isinstance(coding, dict):
            found = DOCUMENT_KINDS.get((_text(coding.get("system")), _text(coding.get("code"))))
            if found:
                entry.document_kind = found
                break
    if not entry.document_kind:
        entry.problem(
            "resource.type.coding",
            f"type must be a discharge letter (SNOMED 373942005, or {DOCUMENT_KIND_SYSTEM} "
            f"{DISCHARGE_LETTER}) or a treatment summary ({DOCUMENT_KIND_SYSTEM} "
            f"{TREATMENT_SUMMARY}).",
            "code-invalid",
        )
    context = resource.get("context")
    period = context.get("period") if isinstance(context, dict) else None
    when = period.get("end") if isinstance(period, dict) else None
    path = "resource.context.period.end"
    if when is None:
        when, path = resource.get("date"), "resource.date"
    entry.occurred_at = _when(entry, when, path)
    if entry.occurred_at is None and not entry.issues:
        entry.problem(
            "resource.context.period.end",
            "Give when it happened: context.period.end (the discharge) or date.",
            "required",
        )
    entry.description = _text(resource.get("description"))[:1000]
    _attachment(entry, resource)


def _attachment(entry: Incoming, resource: dict[str, Any]) -> None:
    """The file sent in `content[0].attachment.data`, decoded (what it is is the service's to
    check, by its bytes: the `contentType` a sender claims decides nothing)."""
    content = resource.get("content")
    first = content[0] if isinstance(content, list) and content else None
    attachment = first.get("attachment") if isinstance(first, dict) else None
    if not isinstance(attachment, dict):
        attachment = {}
    data = attachment.get("data")
    if data is None:
        if attachment.get("url") is not None:
            entry.problem(
                f"resource.{ATTACHMENT}.url",
                "Send the file itself in attachment.data (base64): we do not fetch URLs.",
                "not-supported",
            )
        elif entry.document_kind == CLINIC_LETTER:
            entry.problem(
                f"resource.{ATTACHMENT}.data",
                "A clinic letter needs its file: content[0].attachment.data (base64).",
                "required",
            )
        return
    try:
        if not isinstance(data, str):
            raise ValueError
        entry.attachment = base64.b64decode("".join(data.split()), validate=True)
    except (ValueError, binascii.Error):
        entry.problem(f"resource.{ATTACHMENT}.data", "attachment.data must be base64.", "value")
        return
    entry.attachment_title = _text(attachment.get("title"))[:200]


# --- Applying ----------------------------------------------------------------------------------


def _service_issues(entry: Incoming, error: ValidationError) -> list[Issue]:
    messages = error.message_dict if hasattr(error, "error_dict") else {"": list(error.messages)}
    issues = []
    for name, texts in messages.items():
        if name == "patient":
            element = "participant" if entry.resource_type == "Appointment" else "subject"
        else:
            element = SERVICE_FIELDS.get(name, name)
        path = f"resource.{element}" if element else "resource"
        for text in texts:
            issues.append(Issue(entry.index, entry.full_url, path, text, "processing"))
    return issues


def _case_for(entry: Incoming, *, organisation: Organisation) -> Case:
    found = list(
        Case.objects.filter(
            organisation_case_q(organisation),
            status=Case.Status.OPEN,
            patient__nhs_number=entry.nhs_number,
        ).select_related("patient")[:2]
    )
    if not found:
        raise ValidationError(
            {
                "patient": [
                    f"No open case that {organisation.name} is involved in is for this NHS number."
                ]
            }
        )
    if len(found) > 1:
        raise ValidationError(
            {
                "patient": [
                    f"This person has more than one open case that {organisation.name} is "
                    "involved in, so it cannot be told which this is about: ask the navigation "
                    "team to record it."
                ]
            }
        )
    return found[0]


def _apply(entry: Incoming, *, organisation: Organisation, source: str) -> EntryOutcome:
    received = (
        ReceivedResource.objects.select_for_update(of=("self",))
        .filter(
            organisation=organisation,
            resource_type=entry.resource_type,
            system=entry.system,
            value=entry.value,
        )
        .select_related("case__patient", "item")
        .first()
    )
    if received is not None and received.content_hash == entry.content_hash:
        return EntryOutcome(
            entry.index,
            "200 OK",
            "Already received: nothing changed.",
            False,
            _location(
                entry.resource_type, item_id=received.item_id, document_id=received.document_id
            ),
        )
    if received is not None:
        case = received.case
        if case.patient.nhs_number != entry.nhs_number:
            raise ValidationError(
                {"patient": ["This identifier was sent before for another patient."]}
            )
        if (
            not case.is_open
            or not Case.objects.filter(organisation_case_q(organisation), pk=case.pk).exists()
        ):
            raise ValidationError(
                {
                    "patient": [
                        f"The case this was sent for is closed, or {organisation.name} is "
                        "no longer involved in it."
                    ]
                }
            )
    else:
        case = _case_for(entry, organisation=organisation)

    kept = None
    if entry.resource_type == "DocumentReference":
        if received is not None:
            raise ValidationError(
                {
                    "identifier": [
                        "This document was received before with other content: a corrected "
                        "document needs an identifier of its own."
                    ]
                }
            )
        item, kept, message = _document(entry, case=case, source=source)
        changed = True
    elif received is not None and received.item is not None:
        item = received.item
        changed = _item_update(entry, item=item, source=source)
        message = "Updated." if changed else "Nothing changed."
    else:
        item, changed = _item_find_or_create(entry, case=case, source=source)
        message = "Started tracking it." if changed else "Nothing changed."

    now = timezone.now()
    if received is None:
        ReceivedResource.objects.create(
            organisation=organisation,
            resource_type=entry.resource_type,
            system=entry.system,
            value=entry.value,
            case=case,
            item=item,
            document=kept,
            content_hash=entry.content_hash,
            received_at=now,
            updated_at=now,
        )
        status = "201 Created"
    else:
        ReceivedResource.objects.filter(pk=received.pk).update(
            content_hash=entry.content_hash, item=item, updated_at=now
        )
        status = "200 OK"
    if changed and entry.resource_type != "DocumentReference" and item is not None:
        item.refresh_from_db()
        when = ""
        if item.kind == ItemKind.APPOINTMENT and item.starts_at is not None:
            when = f" for {timezone.localtime(item.starts_at):%d %b %Y %H:%M}"
        timeline_event_add(
            case=case,
            by=None,
            kind=TimelineEvent.Kind.APPOINTMENT
            if item.kind == ItemKind.APPOINTMENT
            else TimelineEvent.Kind.OTHER,
            occurred_at=now,
            summary=f"{item.get_kind_display()}: {item.get_state_display().lower()}{when} "
            f"(from {source})"[:200],
        )
    location = _location(
        entry.resource_type,
        item_id=item.pk if item is not None else None,
        document_id=kept.pk if kept is not None else None,
    )
    return EntryOutcome(entry.index, status, message, changed, location)


def _location(resource_type: str, *, item_id: Any, document_id: Any) -> str:
    """The read API's address of what an entry became, where it serves it as the entry's own
    type: a tracked appointment or referral by its id (`appointments.fhir`), a kept document
    (`patients.fhir_documents`)."""
    if resource_type == "DocumentReference" and document_id is not None:
        return resource_url(resource_type, f"{fhir_documents.PREFIX}{document_id}")
    if resource_type in SERVED_AS_ITSELF and item_id is not None:
        return resource_url(resource_type, str(item_id))
    return ""


def _item_update(entry: Incoming, *, item: TrackedItem, source: str) -> bool:
    return item_update_from_source(
        item,
        title=item.title,
        expected_by=entry.expected_by,
        starts_at=entry.starts_at if item.kind == ItemKind.APPOINTMENT else None,
        location=entry.location,
        what_to_bring=entry.what_to_bring,
        provider=entry.provider,
        state=entry.state,
        actor=None,
        source=source,
        walk=True,
    )


def _item_find_or_create(entry: Incoming, *, case: Case, source: str) -> tuple[TrackedItem, bool]:
    kind, _, title = ITEM_TYPES[entry.resource_type]
    if entry.based_on_reference:
        # A result we already track (and may be chasing), named by the reference we gave.
        candidates = [
            item
            for item in TrackedItem.objects.filter(case=case, kind=kind).open()
            if item.reference == entry.based_on_reference
        ]
        if len(candidates) != 1:
            raise ValidationError(
                {"basedOn": ["No open result on this patient's case has this reference."]}
            )
        return candidates[0], _item_update(entry, item=candidates[0], source=source)
    expected_by = entry.expected_by or timezone.localdate()
    if entry.resource_type == "ServiceRequest" and entry.expected_by is None:
        raise ValidationError(
            {
                "occurrencePeriod": [
                    "Give occurrencePeriod.end (or occurrenceDateTime): the date the referral "
                    "should be booked by."
                ]
            }
        )
    if entry.resource_type == "Appointment" and entry.expected_by is None:
        raise ValidationError(
            {
                "start": [
                    "Give start, or requestedPeriod.end for one not yet booked: the date it is "
                    "expected by."
                ]
            }
        )
    item = tracked_item_create(
        case=case,
        kind=kind,
        title=title,
        expected_by=expected_by,
        actor=None,
        responsible_provider=entry.provider,
        starts_at=entry.starts_at if kind == ItemKind.APPOINTMENT else None,
        location=entry.location,
        what_to_bring=entry.what_to_bring if kind == ItemKind.APPOINTMENT else "",
        note=f"From {source}",
    )
    if entry.state != item.state:
        # Through each state the workflow passes, so its windows and closing apply.
        item = tracked_item_move_to(
            item=item, to_state=entry.state, actor=None, note=f"From {source}"
        )
    return item, True


def _document(
    entry: Incoming, *, case: Case, source: str
) -> tuple[TrackedItem | None, CaseDocument | None, str]:
    """What a DocumentReference says happened, and its file kept if it sent one."""
    assert entry.occurred_at is not None  # noqa: S101 - checked with the shape
    kept = None
    if entry.attachment is not None:
        kind, title = KEPT_AS[entry.document_kind]
        kept = document_receive(
            case=case,
            content=entry.attachment,
            kind=kind,
            title=f"{entry.attachment_title or title} from {source}",
            dated=_day(entry.occurred_at) or timezone.localdate(),
        )
    item, message = _document_event(entry, case=case, source=source)
    if kept is not None:
        message = f"{message} Kept the file." if message else "Kept the file."
    return item, kept, message


def _document_event(entry: Incoming, *, case: Case, source: str) -> tuple[TrackedItem | None, str]:
    assert entry.occurred_at is not None  # noqa: S101 - checked with the shape
    if entry.document_kind == CLINIC_LETTER:
        return None, ""  # the kept letter's own timeline event says it came
    if entry.document_kind == DISCHARGE_LETTER:
        # The discharge itself goes on the timeline: its follow-up rules schedule what comes
        # after (check-ins, the follow-up, the treatment summary to the GP).
        timeline_event_add(
            case=case,
            by=None,
            kind=TimelineEvent.Kind.DISCHARGE,
            occurred_at=entry.occurred_at,
            summary=f"Discharged: letter from {source}"[:200],
            detail=entry.description,
        )
        return None, "Recorded the discharge."
    item = (
        TrackedItem.objects.open()
        .filter(case=case, kind=ItemKind.TREATMENT_SUMMARY, state=S.DUE)
        .order_by("expected_by")
        .first()
    )
    if item is not None:
        item = tracked_item_move_to(
            item=item, to_state=S.SENT_TO_GP, actor=None, note=f"Received from {source}"
        )
    timeline_event_add(
        case=case,
        by=None,
        kind=TimelineEvent.Kind.OTHER,
        occurred_at=min(entry.occurred_at, timezone.now())
        if isinstance(entry.occurred_at, dt.datetime)
        else min(entry.occurred_at, timezone.localdate()),
        summary=f"Treatment summary received from {source}"[:200],
        detail=entry.description,
    )
    return item, "Recorded the treatment summary."
