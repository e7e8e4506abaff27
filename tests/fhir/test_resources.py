"""Every resource the FHIR API serves validates against the R4 (4.0.1) models, carries its UK
Core profile's required elements, and every address it writes is served."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from navigator.audit.models import AuditEvent
from tests.fhir.conftest import records_for
from tests.fhir.support import FHIR_JSON, addresses, all_pages, base, validate

pytestmark = pytest.mark.django_db


def served_types(client: Any) -> list[tuple[str, bool]]:
    """(type, searchable) for each type the CapabilityStatement lists."""
    statement = client.get("/fhir/metadata").json()
    return [
        (r["type"], any(i["code"] == "search-type" for i in r["interaction"]))
        for r in statement["rest"][0]["resource"]
    ]


def check_everything_served(client: Any) -> dict[str, int]:
    """Search every type, validate every entry, read each by its fullUrl, and GET every
    address each resource writes. Returns how many of each type were seen."""
    seen: dict[str, int] = {}
    checked: set[str] = set()
    for resource_type, searchable in served_types(client):
        if not searchable:
            continue
        for entry in all_pages(client, f"/fhir/{resource_type}?_count=7"):
            resource = entry["resource"]
            validate(resource)
            seen[resource_type] = seen.get(resource_type, 0) + 1
            assert entry["fullUrl"] == f"{base()}/{resource_type}/{resource['id']}"
            for path in {entry["fullUrl"].replace(base(), "/fhir"), *addresses(resource)}:
                if path in checked:
                    continue
                checked.add(path)
                response = client.get(path)
                assert response.status_code == 200, (resource_type, resource["id"], path)
                assert response["Content-Type"].startswith(FHIR_JSON)
                validate(response.json())
    return seen


def test_the_capability_statement_lists_what_is_served(client, cast):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200 and response["Content-Type"].startswith(FHIR_JSON)
    statement = response.json()
    validate(statement)
    types = {r["type"] for r in statement["rest"][0]["resource"]}
    assert types >= {
        "Patient", "Organization", "Practitioner", "PractitionerRole", "CarePlan", "Goal",
        "Questionnaire", "QuestionnaireResponse", "Appointment", "ServiceRequest", "Task",
        "Communication", "DocumentReference", "Consent", "Binary", "CodeSystem",
        "StructureDefinition",
    }  # fmt: skip
    client.force_login(cast.nadia)
    for resource_type, searchable in served_types(client):
        if searchable:
            assert client.get(f"/fhir/{resource_type}").status_code == 200, resource_type
    for not_served in ("Observation", "Encounter", "Condition"):
        response = client.get(f"/fhir/{not_served}")
        assert response.status_code == 404
        assert response.json()["resourceType"] == "OperationOutcome"
    patient = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Patient")
    assert patient["operation"][0]["name"] == "everything"
    assert {p["name"] for p in patient["searchParam"]} == {"identifier", "_lastUpdated"}


@pytest.mark.parametrize("who", ["nadia", "paul"])
def test_everything_on_the_test_cast_validates_and_resolves(client, cast, paul_records, who):
    client.force_login(getattr(cast, who))
    seen = check_everything_served(client)
    expected = {
        "Patient", "Organization", "Practitioner", "PractitionerRole", "CarePlan", "Goal",
        "Questionnaire", "QuestionnaireResponse", "Appointment", "ServiceRequest", "Task",
        "Communication", "DocumentReference", "Consent", "CodeSystem", "StructureDefinition",
    }  # fmt: skip
    assert set(seen) == expected
    # Staff see the chase task and the nudge; the patient does not.
    staff = who == "nadia"
    chase = client.get(f"/fhir/Task/chase-{paul_records['chase'].pk}")
    assert chase.status_code == (200 if staff else 404)
    nudge = client.get(f"/fhir/Communication/nudge-{paul_records['nudge'].pk}")
    assert nudge.status_code == (200 if staff else 404)
    if staff:
        assert "payload" not in nudge.json()


def test_a_document_s_bytes_are_a_binary_behind_the_same_rules(client, cast, paul_records):
    client.force_login(cast.carol)
    document = client.get(f"/fhir/DocumentReference/care-plan-{paul_records['agreed'].pk}").json()
    binary_path = document["content"][0]["attachment"]["url"].replace(base(), "/fhir")
    binary = client.get(binary_path).json()
    validate(binary)
    assert binary["contentType"] == "application/pdf"
    import base64

    assert base64.b64decode(binary["data"]).startswith(b"%PDF")
    summary = client.get(f"/fhir/Binary/treatment-summary-{paul_records['summary'].pk}").json()
    assert "Lung cancer, stage 2" in base64.b64decode(summary["data"]).decode()
    client.force_login(cast.olive)
    assert client.get(binary_path).status_code == 404


def test_questionnaires_have_codes_profiles_and_resolving_systems(client, cast, paul_records):
    client.force_login(cast.paul)
    questionnaire = client.get("/fhir/Questionnaire?status=active").json()["entry"][0]["resource"]
    physical = questionnaire["item"][0]
    assert physical["code"][0]["code"] == "physical"
    system = physical["item"][0]["code"][0]["system"]
    code_system = client.get(system.replace(base(), "/fhir")).json()
    validate(code_system)
    assert physical["item"][0]["code"][0]["code"] in {
        c["code"] for d in code_system["concept"] for c in d["concept"]
    }
    # The canonical URL reads the active version.
    canonical = client.get(questionnaire["url"].replace(base(), "/fhir")).json()
    assert canonical["id"] == questionnaire["id"]
    response = client.get("/fhir/QuestionnaireResponse").json()["entry"][0]["resource"]
    for extension in response["extension"]:
        assert extension["valueCoding"]["system"].startswith(base())
        assert client.get(extension["url"].replace(base(), "/fhir")).status_code == 200


def test_a_care_plan_carries_its_goals_owners_due_dates_and_agreement(client, cast, paul_records):
    client.force_login(cast.nadia)
    agreed = client.get(f"/fhir/CarePlan/{paul_records['agreed'].pk}").json()
    assert agreed["status"] == "active" and agreed["intent"] == "plan"
    assert agreed["author"]["reference"] == f"Practitioner/{cast.nadia.pk}"
    assert agreed["contributor"] == [
        {"reference": f"Patient/{cast.paul_patient.pk}", "display": "Paul Jones"}
    ]
    assert any("online" in note["text"] for note in agreed["note"])
    assert all(a["detail"]["performer"] for a in agreed["activity"])
    assert len(agreed["goal"]) == len(agreed["activity"]) == 2
    draft = client.get(f"/fhir/CarePlan/{paul_records['draft'].pk}").json()
    assert draft["status"] == "draft"
    assert draft["replaces"] == [{"reference": f"CarePlan/{paul_records['agreed'].pk}"}]
    goal = client.get(agreed["goal"][0]["reference"].join(["/fhir/", ""])).json()
    assert goal["lifecycleStatus"] == "active"


def test_searches_by_identifier_patient_status_and_last_updated(client, cast, paul_records):
    client.force_login(cast.nadia)
    nhs = cast.paul_patient.nhs_number
    found = client.get(f"/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}").json()
    assert [e["resource"]["id"] for e in found["entry"]] == [str(cast.paul_patient.pk)]
    assert client.get("/fhir/Patient?identifier=9999999999").json()["total"] == 0
    tasks = client.get(f"/fhir/Task?patient=Patient/{cast.paul_patient.pk}&status=ready").json()
    assert [e["resource"]["id"] for e in tasks["entry"]] == [f"chase-{paul_records['chase'].pk}"]
    assert client.get("/fhir/CarePlan?status=draft").json()["total"] == 1
    assert client.get("/fhir/Appointment?_lastUpdated=ge2000-01-01").json()["total"] == 1
    assert client.get("/fhir/Appointment?_lastUpdated=lt2000-01-01").json()["total"] == 0
    bad = client.get("/fhir/Appointment?_lastUpdated=yesterday")
    assert bad.status_code == 400
    assert "_lastUpdated" in bad.json()["issue"][0]["diagnostics"]
    assert client.get("/fhir/CarePlan?status=finished").status_code == 400


def test_pages_have_self_and_next_links(client, cast, paul_records):
    client.force_login(cast.nadia)
    first = client.get("/fhir/Task?_count=2").json()
    total = first["total"]
    assert total > 2 and len(first["entry"]) == 2
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert links["self"].endswith("_count=2&_page=1")
    assert links["next"].endswith("_count=2&_page=2")
    tasks = all_pages(client, "/fhir/Task?_count=2")
    assert len({e["resource"]["id"] for e in tasks}) == len(tasks) == total
    last = client.get(f"/fhir/Task?_count=2&_page={(total + 1) // 2}").json()
    assert "next" not in {link["relation"] for link in last["link"]}


def test_a_page_takes_the_same_queries_however_many_records(client, cast, paul_records):
    client.force_login(cast.nadia)
    paths = [f"/fhir/{t}?_count=100" for t, searchable in served_types(client) if searchable]

    def counts() -> dict[str, int]:
        out = {}
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            out[path] = len(queries)
        return out

    before = counts()
    # A second case for Paul in Nadia's team, with one more of everything.
    from tests import factories as f

    second = f.make_case(
        patient=f.make_patient(given="Pat", family="Moss"), team=cast.team, navigator=cast.nadia
    )
    records_for(second, patient_user=cast.paul, navigator=cast.nadia)
    assert counts() == before


def test_reads_are_audited_against_the_patient(client, cast, paul_records):
    client.force_login(cast.colin)
    client.get(f"/fhir/CarePlan/{paul_records['agreed'].pk}")
    client.get("/fhir/Appointment")
    events = AuditEvent.objects.filter(actor=cast.colin, patient_id=cast.paul_patient.pk)
    assert set(events.values_list("summary", flat=True)) == {
        "Read CarePlan through the FHIR API",
        "Searched Appointment through the FHIR API",
    }


def test_everything_takes_the_same_queries_however_many_records(client, cast, paul_records):
    client.force_login(cast.paul)
    path = f"/fhir/Patient/{cast.paul_patient.pk}/$everything"

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(path).json()
        return len(queries), body["total"]

    before, total_before = count()
    from tests import factories as f

    skin = f.make_case(
        patient=cast.paul_patient, team=cast.team, navigator=cast.nadia, tumour_site="Skin"
    )
    records_for(skin, patient_user=cast.paul, navigator=cast.nadia)
    after, total_after = count()
    assert total_after > total_before
    assert after == before


def test_an_uploaded_document_is_a_document_reference_found_by_patient(client, cast, paul_records):
    letter, note = paul_records["letter"], paul_records["staff_note"]
    for who, expected in (("paul", {letter}), ("nadia", {letter, note})):
        client.force_login(getattr(cast, who))
        found = client.get(f"/fhir/DocumentReference?patient={cast.paul_patient.pk}").json()
        ids = {e["resource"]["id"] for e in found["entry"]}
        uploaded = {i for i in ids if i.startswith("document-")}
        assert uploaded == {f"document-{d.pk}" for d in expected}, who
        everything = client.get(f"/fhir/Patient/{cast.paul_patient.pk}/$everything").json()
        assert uploaded <= {e["resource"]["id"] for e in everything["entry"]}
    reference = client.get(f"/fhir/DocumentReference/document-{letter.pk}").json()
    validate(reference)
    assert reference["type"]["coding"][0]["code"] == "appointment_letter"
    attachment = reference["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    assert attachment["size"] == letter.size
    assert attachment["url"] == f"{base()}/Binary/document-{letter.pk}"
    assert reference["author"] == [{"display": cast.paul.get_full_name()}]
    kinds = client.get(reference["type"]["coding"][0]["system"].replace(base(), "/fhir")).json()
    assert "appointment_letter" in {c["code"] for c in kinds["concept"]}
