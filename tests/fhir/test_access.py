"""Who reaches what under /fhir/: every role against every kind of Paul's records, `$everything`
for a patient returns only their things, and every error is an OperationOutcome."""

import base64
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings

from careplans.services.sharing import share_link_create
from navigator.audit.models import AuditEvent
from tests import factories as f
from tests.fakes.storage import RecordingStorage
from tests.fhir.support import FHIR_JSON, base, validate

pytestmark = pytest.mark.django_db

STAFF_ONLY = ("Task/chase-", "Communication/nudge-")


def paul_addresses(cast: Any, records: dict[str, Any]) -> list[str]:
    """One address of each kind of Paul's records (the patient's side and the staff's)."""
    member = cast.paul_case.care_team.get(user=cast.colin)
    plan = records["agreed"]
    return [
        f"Patient/{cast.paul_patient.pk}",
        f"Patient/{cast.paul_patient.pk}/$everything",
        f"PractitionerRole/navigator-{cast.paul_case.pk}",
        f"PractitionerRole/member-{cast.paul_case.pk}.{member.pk}",
        f"Consent/carer-{cast.carol_grant.pk}",
        f"Consent/gp-sharing-{cast.paul_patient.pk}",
        f"Communication/message-{records['message'].pk}",
        f"Communication/nudge-{records['nudge'].pk}",
        f"Appointment/{records['appointment'].pk}",
        f"ServiceRequest/{records['referral'].pk}",
        f"Task/item-{records['result'].pk}",
        f"Task/chase-{records['chase'].pk}",
        f"CarePlan/{plan.pk}",
        f"Goal/{plan.items.first().pk}",
        f"QuestionnaireResponse/{plan.assessment_id}",
        f"DocumentReference/care-plan-{plan.pk}",
        f"DocumentReference/treatment-summary-{records['summary'].pk}",
        f"Binary/treatment-summary-{records['summary'].pk}",
        f"DocumentReference/document-{records['letter'].pk}",
        f"Binary/document-{records['letter'].pk}",
        f"DocumentReference/document-{records['staff_note'].pk}",
        f"Binary/document-{records['staff_note'].pk}",
    ]


def staff_only(address: str, records: dict[str, Any]) -> bool:
    """A chase task, a nudge, and a document kept for the care team only."""
    return address.startswith(STAFF_ONLY) or str(records["staff_note"].pk) in address


# Who sees Paul's records: everyone on his case, or on his side; nobody else.
ENTITLED = {"paul": "patient", "carol": "patient", "nadia": "staff", "lena": "staff",
            "colin": "staff", "olive": None, "oscar": None, "adam": None}  # fmt: skip


@pytest.mark.parametrize("who", list(ENTITLED))
def test_each_role_reaches_only_what_the_rules_allow(client, cast, paul_records, who):
    client.force_login(getattr(cast, who))
    side = ENTITLED[who]
    for address in paul_addresses(cast, paul_records):
        response = client.get(f"/fhir/{address}")
        if side == "staff" or (side == "patient" and not staff_only(address, paul_records)):
            assert response.status_code == 200, (who, address)
        else:
            assert response.status_code == 404, (who, address)
            outcome = response.json()
            assert outcome["resourceType"] == "OperationOutcome", (who, address)
            assert outcome["issue"][0]["code"] == "not-found"
            validate(outcome)
    # A search shows only what a read would: nothing of Paul's to those outside his case.
    if side is None:
        for resource_type in (
            "Patient", "CarePlan", "Task", "Communication", "Consent", "Goal", "DocumentReference"
        ):  # fmt: skip
            body = client.get(f"/fhir/{resource_type}").content.decode()
            assert str(cast.paul_patient.pk) not in body, (who, resource_type)


def test_a_document_s_file_is_read_only_for_those_the_download_door_lets_in(
    client, cast, paul_records, documents_store
):
    letter, note = paul_records["letter"], paul_records["staff_note"]
    RecordingStorage.opened = []
    for who, address in (("olive", letter), ("oscar", letter), ("paul", note), ("carol", note)):
        client.force_login(getattr(cast, who))
        assert client.get(f"/fhir/Binary/document-{address.pk}").status_code == 404
        assert not AuditEvent.objects.filter(
            actor=getattr(cast, who), action=AuditEvent.Action.VIEW, object_id=str(address.pk)
        ).exists()
    assert RecordingStorage.opened == []  # not a byte of either file was read
    client.force_login(cast.carol)
    binary = client.get(f"/fhir/Binary/document-{letter.pk}").json()
    validate(binary)
    assert base64.b64decode(binary["data"]) == (documents_store / letter.stored_name).read_bytes()
    assert RecordingStorage.opened == [letter.stored_name]
    read = AuditEvent.objects.get(actor=cast.carol, object_id=str(letter.pk))
    assert read.patient_id == cast.paul_patient.pk
    assert read.summary == "Read Binary through the FHIR API"


def test_a_refusal_goes_in_the_security_log(client, cast, paul_records):
    client.force_login(cast.oscar)
    client.get(f"/fhir/CarePlan/{paul_records['agreed'].pk}")
    refusal = AuditEvent.objects.get(actor=cast.oscar, action=AuditEvent.Action.REFUSE)
    assert refusal.object_type == "fhir.CarePlan"
    assert refusal.object_id == str(paul_records["agreed"].pk)


def test_anonymous_and_gp_link_holders_have_no_api_access(client, cast, paul_records):
    # A GP practice opens the shared plan by a link, without an account: that link is no key
    # to the API, as a token or after opening the page in the same browser.
    cast.gp_practice.email = "riverside.gp@nhs.test"
    cast.gp_practice.save()
    link = share_link_create(case=cast.paul_case, actor=cast.nadia)
    client.get(link.path)
    path = f"/fhir/Patient/{cast.paul_patient.pk}"
    for headers in ({}, {"HTTP_AUTHORIZATION": f"Token {link.token}"}):
        response = client.get(path, **headers)
        assert response.status_code == 401, headers
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "login"


def test_an_api_token_works_and_staff_need_mfa(client, cast, paul_records):
    token = Token.objects.create(user=cast.nadia)
    path = f"/fhir/Patient/{cast.paul_patient.pk}"
    assert client.get(path, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    nora = f.make_user("nora@nav.test", role="navigator", name="Nora Bell")
    f.join(cast.team, nora)
    client.force_login(nora)
    response = client.get(path)
    assert response.status_code == 403
    assert response.json()["issue"][0]["code"] == "forbidden"


def test_everything_is_only_the_patient_s_own(client, cast, paul_records, olive_records):
    client.force_login(cast.paul)
    bundle = client.get(f"/fhir/Patient/{cast.paul_patient.pk}/$everything").json()
    validate(bundle)
    olive_ids = {str(cast.olive_patient.pk), str(cast.olive_case.pk)} | {
        str(r.pk) for r in olive_records.values() if r is not None
    }
    text = str(bundle)
    assert not any(olive_id in text for olive_id in olive_ids)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "CarePlan", "Goal", "QuestionnaireResponse", "Appointment", "Task",
            "ServiceRequest", "Communication", "DocumentReference", "Consent"} <= kinds  # fmt: skip
    assert bundle["entry"][0]["resource"]["id"] == str(cast.paul_patient.pk)
    for entry in bundle["entry"]:
        validate(entry["resource"])
        about = entry["resource"].get("subject") or entry["resource"].get("for") or {}
        if about.get("reference", "").startswith("Patient/"):
            assert about["reference"] == f"Patient/{cast.paul_patient.pk}"
    # The same records as searching each type for Paul.
    searched = set()
    for kind in kinds - {"Patient"}:
        found = client.get(f"/fhir/{kind}?patient={cast.paul_patient.pk}&_count=100").json()
        searched |= {(kind, e["resource"]["id"]) for e in found["entry"]}
    everything = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]}
    assert everything - {("Patient", str(cast.paul_patient.pk))} == searched
    # Olive's own $everything is hers; Paul's is a 404 to her.
    client.force_login(cast.olive)
    assert client.get(f"/fhir/Patient/{cast.paul_patient.pk}/$everything").status_code == 404


def test_every_error_is_an_operation_outcome(client, cast):
    client.force_login(cast.nadia)
    cases = [
        ("get", "/fhir/Patient?name=Paul", 400, "invalid"),
        ("get", "/fhir/Patient?_count=many", 400, "invalid"),
        ("get", "/fhir/Patient?identifier:exact=1", 400, "invalid"),
        ("get", "/fhir/Patient/not-a-patient", 404, "not-found"),
        ("get", "/fhir/Nothing/here/at/all", 404, "not-found"),
        ("post", "/fhir/Patient", 405, "not-supported"),
        ("delete", f"/fhir/Patient/{cast.paul_patient.pk}", 405, "not-supported"),
    ]
    for method, path, status, code in cases:
        response = getattr(client, method)(path)
        assert response.status_code == status, path
        assert response["Content-Type"].startswith(FHIR_JSON)
        outcome = response.json()
        validate(outcome)
        assert outcome["issue"][0]["code"] == code, path
        assert outcome["issue"][0]["diagnostics"]
    # The base address itself is not the read API's: a hospital's transaction Bundle is posted
    # there (appointments.fhir_api).
    from django.urls import resolve

    assert resolve("/fhir/").url_name == "fhir-transaction"


def test_throttled_requests_are_told_to_wait_in_fhir(client, cast):
    cache.clear()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/minute"}
    with override_settings(REST_FRAMEWORK={**_rest(), "DEFAULT_THROTTLE_RATES": rates}):
        client.force_login(cast.nadia)
        statuses = [client.get("/fhir/Patient").status_code for _ in range(3)]
        response = client.get("/fhir/Patient")
    assert statuses[:2] == [200, 200] and response.status_code == 429
    assert response.json()["issue"][0]["code"] == "throttled"
    assert response["Retry-After"]


def _rest() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.REST_FRAMEWORK)


def test_full_urls_are_under_the_base(client, cast):
    client.force_login(cast.nadia)
    entry = client.get("/fhir/Patient").json()["entry"][0]
    assert entry["fullUrl"].startswith(f"{base()}/Patient/")


def test_a_failure_on_our_side_is_a_500_operation_outcome(client, cast, caplog):
    """A resource type registered here whose builder fails, as a bug in any app's would."""
    from navigator.fhir import registry
    from patients.models import Patient

    def broken(row: Any) -> dict[str, Any]:
        raise RuntimeError("a bug in a builder")

    registry.fhir_source_register(
        registry.Source(
            resource_type="Basic",
            description="broken",
            rows=lambda user: Patient.objects.all(),
            build=broken,
        )
    )
    try:
        client.force_login(cast.nadia)
        response = client.get(f"/fhir/Basic/{cast.paul_patient.pk}")
    finally:
        del registry._registry.sources["Basic"]
    assert response.status_code == 500
    outcome = response.json()
    validate(outcome)
    assert outcome["issue"][0]["code"] == "exception"
    assert "a bug in a builder" not in response.content.decode()
    assert "The FHIR API failed" in caplog.text
