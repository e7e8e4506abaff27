"""Hospital events in by FHIR (`POST /fhir/`): a transaction Bundle from a provider's system,
authenticated as its organisation; idempotent, all entries or none, OperationOutcome on refusal.
"""

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from appointments.fhir_inbound import TRACKED_ITEM_SYSTEM
from appointments.models import (
    ChaseTask,
    ItemKind,
    ItemState,
    ReceivedResource,
    TrackedItem,
    TrackedItemTransition,
)
from appointments.services import chase_task_open, tracked_item_create
from navigator.audit.models import AuditEvent
from navigator.fhir.addresses import NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM
from navigator.organisations.models import OrganisationCredential
from navigator.organisations.services import (
    organisation_credential_issue,
    organisation_credential_revoke,
)
from patients.models import TimelineEvent
from patients.selectors import timeline_for_case
from tests import factories as f

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
FHIR = "application/fhir+json"
PAS = "https://pas.northshire.example/Id/appointment"


@pytest.fixture(autouse=True)
def wednesday(time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 12, 10, 0, tzinfo=LONDON), tick=True)


@pytest.fixture
def trust(cast):
    return cast.team.organisation


@pytest.fixture
def key(cast, trust) -> str:
    return organisation_credential_issue(organisation=trust, name="Northshire PAS", by=cast.adam)[1]


@pytest.fixture
def other_trust():
    return f.make_organisation("Southshire Hospitals NHS Trust")


@pytest.fixture
def other_key(cast, other_trust) -> str:
    return organisation_credential_issue(
        organisation=other_trust, name="Southshire EPR", by=cast.adam
    )[1]


def send(client, body: Any, key: str | None, content_type: str = FHIR):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/fhir/", data=data, content_type=content_type, **headers)


def nhs(number: str) -> dict:
    return {"identifier": {"system": NHS_NUMBER_SYSTEM, "value": number}}


def entry(resource: dict, number: int) -> dict:
    return {
        "fullUrl": f"urn:uuid:00000000-0000-4000-8000-00000000000{number}",
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }


def bundle(*resources: dict, kind: str = "transaction") -> dict:
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [entry(resource, number) for number, resource in enumerate(resources)],
    }


def appointment(number: str, value: str = "APPT-1", **extra: Any) -> dict:
    return {
        "resourceType": "Appointment",
        "identifier": [{"system": PAS, "value": value}],
        "status": "booked",
        "start": "2025-03-20T09:15:00+00:00",
        "patientInstruction": "Bring your glasses",
        "participant": [
            {"actor": nhs(number), "status": "accepted"},
            {
                "actor": {"reference": "Location/outpatients-b", "display": "Outpatients B"},
                "status": "accepted",
            },
        ],
        **extra,
    }


def referral(number: str, ods: str, value: str = "REF-1", **extra: Any) -> dict:
    return {
        "resourceType": "ServiceRequest",
        "identifier": [{"system": "https://epr.northshire.example/Id/referral", "value": value}],
        "status": "active",
        "intent": "order",
        "subject": nhs(number),
        "performer": [{"identifier": {"system": ODS_CODE_SYSTEM, "value": ods}}],
        "occurrencePeriod": {"end": "2025-03-26"},
        **extra,
    }


def report(number: str, value: str = "RAD-1", status: str = "final", **extra: Any) -> dict:
    return {
        "resourceType": "DiagnosticReport",
        "identifier": [{"system": "https://ris.northshire.example/Id/report", "value": value}],
        "status": status,
        "code": {"text": "CT chest"},
        "subject": nhs(number),
        **extra,
    }


def letter(number: str, value: str = "DOC-1", kind: str = "373942005") -> dict:
    system = "http://snomed.info/sct" if kind.isdigit() else "urn:cancer-navigator:document-kind"
    return {
        "resourceType": "DocumentReference",
        "masterIdentifier": {"system": "https://edms.northshire.example/Id/doc", "value": value},
        "status": "current",
        "type": {"coding": [{"system": system, "code": kind}]},
        "subject": nhs(number),
        "date": "2025-03-11T16:00:00+00:00",
        "context": {"period": {"end": "2025-03-11"}},
        "description": "Discharged home after lobectomy",
    }


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            TrackedItem,
            TrackedItemTransition,
            TimelineEvent,
            AuditEvent,
            ReceivedResource,
            ChaseTask,
        )
    }


def items_state() -> list[tuple]:
    return list(
        TrackedItem.objects.order_by("pk").values_list(
            "pk", "state", "version", "expected_by", "starts_at", "next_chase_on", "updated_at"
        )
    )


def four(cast) -> dict:
    number = cast.paul_patient.nhs_number
    return bundle(
        appointment(number),
        referral(number, cast.gp_practice.ods_code),
        report(number, status="preliminary"),
        letter(number),
    )


def assert_outcome(response, status: int) -> list[dict]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(FHIR)
    body = response.json()
    assert body["resourceType"] == "OperationOutcome", body
    assert body["issue"] and all(issue["severity"] == "error" for issue in body["issue"])
    return body["issue"]


# --- Receiving ---------------------------------------------------------------------------------


def test_a_bundle_becomes_tracked_items_and_timeline_events(client, cast, key):
    response = send(client, four(cast), key)

    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(FHIR)
    body = response.json()
    assert body["resourceType"] == "Bundle" and body["type"] == "transaction-response"
    assert [e["response"]["status"] for e in body["entry"]] == ["201 Created"] * 4
    visit = TrackedItem.objects.get(case=cast.paul_case, kind=ItemKind.APPOINTMENT)
    assert (visit.state, visit.location, visit.what_to_bring) == (
        ItemState.BOOKED,
        "Outpatients B",
        "Bring your glasses",
    )
    assert visit.starts_at == dt.datetime(2025, 3, 20, 9, 15, tzinfo=dt.UTC)
    sent = TrackedItem.objects.get(case=cast.paul_case, kind=ItemKind.REFERRAL)
    assert (sent.state, sent.responsible_provider) == (ItemState.SENT, cast.gp_practice)
    assert sent.expected_by == dt.date(2025, 3, 26)
    result = TrackedItem.objects.get(case=cast.paul_case, kind=ItemKind.RESULT)
    assert result.state == ItemState.DONE  # preliminary: the report is awaited
    assert result.expected_by == dt.date(2025, 3, 19)  # the result workflow's 7-day window
    # The discharge went on the timeline, and its follow-up rules scheduled what comes after.
    assert TrackedItem.objects.filter(
        case=cast.paul_case, kind=ItemKind.TREATMENT_SUMMARY, state=ItemState.DUE
    ).exists()


def test_timeline_shows_each_event(client, cast, key):
    send(client, four(cast), key)

    summaries = [event.summary for event in timeline_for_case(case=cast.paul_case)]
    source = f"{cast.team.organisation.name} ({cast.team.organisation.ods_code}) by FHIR"
    assert f"Appointment: booked for 20 Mar 2025 09:15 (from {source})" in summaries
    assert f"Referral to another provider: sent (from {source})" in summaries
    assert f"Test or scan result: done, report awaited (from {source})" in summaries
    assert f"Discharged: letter from {source}" in summaries
    discharge = TimelineEvent.objects.get(case=cast.paul_case, kind=TimelineEvent.Kind.DISCHARGE)
    assert discharge.occurred_on == dt.date(2025, 3, 11)
    assert discharge.detail == "Discharged home after lobectomy"


def test_case_page_shows_the_events(client, cast, key):
    send(client, four(cast), key)
    client.force_login(cast.nadia)

    page = client.get(f"/cases/{cast.paul_case.pk}/")

    assert page.status_code == 200
    assert "Discharged: letter from" in page.content.decode()


def test_same_bundle_twice_changes_nothing(client, cast, key):
    first = send(client, four(cast), key)
    assert first.status_code == 200
    before, state = counts(), items_state()

    again = send(client, four(cast), key)

    assert again.status_code == 200, again.content
    assert [e["response"]["status"] for e in again.json()["entry"]] == ["200 OK"] * 4
    assert counts() == before
    assert items_state() == state


def test_a_new_meta_alone_is_the_same_resource(client, cast, key):
    send(client, four(cast), key)
    before = counts()
    resent = four(cast)
    for item in resent["entry"]:
        item["resource"]["meta"] = {"lastUpdated": "2025-03-12T09:00:00Z", "versionId": "2"}

    response = send(client, resent, key)

    assert response.status_code == 200, response.content
    assert counts() == before
    assert [e["response"]["status"] for e in response.json()["entry"]] == ["200 OK"] * 4


def test_a_changed_document_is_refused_not_lost(client, cast, key):
    number = cast.paul_patient.nhs_number
    send(client, bundle(letter(number)), key)
    corrected = letter(number)
    corrected["description"] = "Discharged home; follow-up in clinic"

    issues = assert_outcome(send(client, bundle(corrected), key), 422)

    assert issues[0]["expression"] == ["Bundle.entry[0].resource.identifier"]
    assert "needs an identifier of its own" in issues[0]["diagnostics"]


def test_a_changed_resource_updates_its_item_once(client, cast, key):
    number = cast.paul_patient.nhs_number
    send(client, bundle(appointment(number)), key)
    moved = appointment(number, start="2025-03-21T14:00:00+00:00")

    response = send(client, bundle(moved), key)
    before = counts()
    send(client, bundle(moved), key)

    assert response.json()["entry"][0]["response"]["status"] == "200 OK"
    visit = TrackedItem.objects.get(case=cast.paul_case, kind=ItemKind.APPOINTMENT)
    assert visit.starts_at == dt.datetime(2025, 3, 21, 14, 0, tzinfo=dt.UTC)
    assert visit.expected_by == dt.date(2025, 3, 21)
    assert TrackedItem.objects.filter(kind=ItemKind.APPOINTMENT).count() == 1
    assert counts() == before


def test_a_reported_result_closes_the_chase(client, cast, key):
    number = cast.paul_patient.nhs_number
    send(client, bundle(report(number, status="preliminary")), key)
    result = TrackedItem.objects.get(case=cast.paul_case, kind=ItemKind.RESULT)
    task, _ = chase_task_open(item=result, summary="Result late")

    response = send(client, bundle(report(number, status="final")), key)

    assert response.status_code == 200, response.content
    result.refresh_from_db()
    task.refresh_from_db()
    assert result.state == ItemState.REPORTED and result.closed_at is not None
    assert result.next_chase_on is None
    assert task.status == ChaseTask.Status.DONE
    assert TimelineEvent.objects.filter(
        case=cast.paul_case, summary__startswith="Test or scan result: reported"
    ).exists()


def test_a_report_quoting_our_reference_closes_the_result_being_chased(client, cast, key):
    chased = tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.RESULT,
        title="Your scan result",
        expected_by=dt.date(2025, 3, 5),
        actor=cast.nadia,
        state=ItemState.DONE,
    )
    task, _ = chase_task_open(item=chased, summary="Result late")
    quoted = report(
        cast.paul_patient.nhs_number,
        basedOn=[{"identifier": {"system": TRACKED_ITEM_SYSTEM, "value": chased.reference}}],
    )

    response = send(client, bundle(quoted), key)

    assert response.status_code == 200, response.content
    chased.refresh_from_db()
    task.refresh_from_db()
    assert chased.state == ItemState.REPORTED and chased.closed_at is not None
    assert task.status == ChaseTask.Status.DONE
    assert TrackedItem.objects.filter(kind=ItemKind.RESULT).count() == 1


def test_a_final_report_never_tracked_is_recorded_closed(client, cast, key):
    send(client, bundle(report(cast.paul_patient.nhs_number)), key)

    result = TrackedItem.objects.get(case=cast.paul_case, kind=ItemKind.RESULT)
    assert result.state == ItemState.REPORTED and result.closed_at is not None
    assert [t.to_state for t in result.transitions.all()] == ["requested", "done", "reported"]


def test_a_treatment_summary_moves_the_awaited_summary_on(client, cast, key):
    awaited = tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.TREATMENT_SUMMARY,
        title="Treatment summary to reach your GP",
        expected_by=dt.date(2025, 3, 10),
        actor=cast.nadia,
    )
    task, _ = chase_task_open(item=awaited, summary="Summary late")
    summary = letter(cast.paul_patient.nhs_number, value="TS-1", kind="treatment-summary")

    response = send(client, bundle(summary), key)

    assert response.status_code == 200, response.content
    awaited.refresh_from_db()
    assert awaited.state == ItemState.SENT_TO_GP
    assert awaited.expected_by == dt.date(2025, 3, 26)  # now the GP's acknowledgement
    assert TimelineEvent.objects.filter(
        summary__startswith="Treatment summary received from"
    ).exists()


def test_writes_are_audited_as_the_sending_system(client, cast, key):
    send(client, four(cast), key)

    trail = AuditEvent.objects.about_patient(cast.paul_patient.pk)
    assert trail.exists()
    assert {event.actor_label for event in trail} == {
        f"{cast.team.organisation} system: Northshire PAS "
        f"(key {OrganisationCredential.objects.get().prefix})"
    }
    assert AuditEvent.objects.filter(
        object_type="organisations.organisation", summary__startswith="Received a FHIR"
    ).exists()


def test_a_batch_is_taken_all_or_nothing_too(client, cast, key):
    response = send(client, bundle(appointment(cast.paul_patient.nhs_number), kind="batch"), key)

    assert response.status_code == 200
    assert response.json()["type"] == "batch-response"


# --- All or nothing ----------------------------------------------------------------------------


def test_a_bad_third_entry_changes_nothing(client, cast, key):
    number = cast.paul_patient.nhs_number
    stranger = f.make_patient(given="Sam", family="Stone").nhs_number  # in no case at all
    before = counts()

    response = send(
        client,
        bundle(
            appointment(number),
            referral(number, cast.gp_practice.ods_code),
            report(stranger),
            letter(number),
        ),
        key,
    )

    issues = assert_outcome(response, 422)
    assert len(issues) == 1
    assert issues[0]["expression"] == ["Bundle.entry[2].resource.subject"]
    assert issues[0]["diagnostics"].startswith(
        "Entry 2 (urn:uuid:00000000-0000-4000-8000-000000000002): No open case"
    )
    assert counts() == before


def test_every_bad_entry_is_named(client, cast, key):
    number = cast.paul_patient.nhs_number
    broken = appointment(number, status="maybe")
    del broken["identifier"]

    response = send(client, bundle(broken, report(number, status="final", code=None)), key)

    issues = assert_outcome(response, 422)
    expressions = {tuple(issue["expression"]) for issue in issues}
    assert ("Bundle.entry[0].resource.status",) in expressions
    assert ("Bundle.entry[0].resource.identifier",) in expressions
    assert ("Bundle.entry[1].resource.code",) in expressions
    assert TrackedItem.objects.count() == 0


def test_a_move_the_workflow_forbids_changes_nothing(client, cast, key):
    number = cast.paul_patient.nhs_number
    send(client, bundle(appointment(number, status="fulfilled")), key)
    before = counts()

    response = send(client, bundle(appointment(number, status="booked")), key)

    issues = assert_outcome(response, 422)
    assert issues[0]["expression"] == ["Bundle.entry[0].resource.status"]
    assert "cannot change any more" in issues[0]["diagnostics"]
    assert counts() == before


def test_the_same_identifier_twice_in_a_bundle_is_refused(client, cast, key):
    number = cast.paul_patient.nhs_number

    response = send(client, bundle(appointment(number), appointment(number)), key)

    issues = assert_outcome(response, 422)
    assert issues[0]["expression"] == ["Bundle.entry[1].resource.identifier"]
    assert TrackedItem.objects.count() == 0


# --- Who may send ------------------------------------------------------------------------------


@pytest.mark.parametrize("wrong", ["", "nonsense", "abc.def", "Token abc"])
def test_a_wrong_key_is_401(client, cast, key, wrong):
    headers = {"HTTP_AUTHORIZATION": wrong if " " in wrong else f"Bearer {wrong}"} if wrong else {}
    response = client.post("/fhir/", data=json.dumps(four(cast)), content_type=FHIR, **headers)

    assert_outcome(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert TrackedItem.objects.count() == 0


def test_a_revoked_key_is_401(client, cast, key):
    credential = OrganisationCredential.objects.get()
    organisation_credential_revoke(credential=credential, by=cast.adam)

    assert_outcome(send(client, four(cast), key), 401)
    assert TrackedItem.objects.count() == 0


def test_a_persons_api_token_is_not_an_organisation_key(client, cast):
    token = Token.objects.create(user=cast.nadia)

    response = client.post(
        "/fhir/",
        data=json.dumps(four(cast)),
        content_type=FHIR,
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )

    assert_outcome(response, 401)


def test_a_signed_in_navigator_cannot_post(client, cast):
    client.force_login(cast.nadia)

    assert_outcome(send(client, four(cast), None), 401)


def test_another_organisation_cannot_reach_this_organisations_patients(
    client, cast, key, other_key
):
    send(client, four(cast), key)
    before, state = counts(), items_state()

    response = send(client, four(cast), other_key)

    issues = assert_outcome(response, 422)
    assert (
        "No open case that Southshire Hospitals NHS Trust is involved in"
        in (issues[0]["diagnostics"])
    )
    assert counts() == before and items_state() == state


def test_another_organisations_same_identifier_is_another_item(
    client, cast, key, other_key, other_trust
):
    number = cast.paul_patient.nhs_number
    send(client, bundle(appointment(number)), key)
    ours = TrackedItem.objects.get()
    cast.paul_case.treating_providers.add(other_trust)

    response = send(client, bundle(appointment(number, status="cancelled")), other_key)

    assert response.status_code == 200, response.content
    ours.refresh_from_db()
    assert ours.state == ItemState.BOOKED
    assert TrackedItem.objects.filter(state=ItemState.CANCELLED).count() == 1


def test_a_treating_provider_may_send_for_the_case(client, cast, other_key, other_trust):
    cast.paul_case.treating_providers.add(other_trust)

    response = send(client, bundle(appointment(cast.paul_patient.nhs_number)), other_key)

    assert response.status_code == 200, response.content


def test_the_endpoint_is_throttled_like_the_api(client, cast, key, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "30/minute", "user": "2/minute"},
    }
    body = bundle(appointment(cast.paul_patient.nhs_number))
    for _ in range(2):
        assert send(client, body, key).status_code == 200

    assert_outcome(send(client, body, key), 429)


# --- Malformed bodies --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        (b"\xff\xfe", 400),
        ("[" * 5000 + "]" * 5000, 400),
        ("[]", 400),
        ('"Bundle"', 400),
        ("null", 400),
        ('{"resourceType": "Patient"}', 400),
        ('{"resourceType": "Bundle", "type": "collection", "entry": []}', 400),
        ('{"resourceType": "Bundle", "type": "transaction"}', 400),
        ('{"resourceType": "Bundle", "type": "transaction", "entry": {}}', 400),
        ('{"resourceType": ["Bundle"], "type": {}}', 400),
        ('{"resourceType": "Bundle", "type": "transaction", "entry": [1, "x", null, []]}', 422),
        ('{"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": 3}]}', 422),
        (
            '{"resourceType": "Bundle", "type": "transaction", '
            '"entry": [{"resource": {"resourceType": "Observation"}}]}',
            422,
        ),
    ],
)
def test_a_malformed_body_is_a_4xx_outcome(client, cast, key, body, status):
    assert_outcome(send(client, body, key), status)
    assert TrackedItem.objects.count() == 0


def test_a_body_not_json_is_415(client, cast, key):
    assert_outcome(send(client, "<Bundle/>", key, content_type="application/xml"), 415)


def test_a_body_too_large_is_413(client, cast, key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200

    assert_outcome(send(client, four(cast), key), 413)
    assert TrackedItem.objects.count() == 0


def test_get_is_405(client, key):
    response = client.get("/fhir/", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert_outcome(response, 405)


ODD = [None, 1, -1.5, True, "", "x" * 5000, [], [None], {}, {"a": []}, [[{}]], "9999999999"]


@pytest.mark.parametrize(
    "element",
    [
        "identifier",
        "status",
        "start",
        "participant",
        "subject",
        "performer",
        "occurrencePeriod",
        "basedOn",
        "type",
        "context",
        "masterIdentifier",
        "requestedPeriod",
        "code",
        "intent",
    ],
)
def test_odd_values_anywhere_are_never_a_500(client, cast, key, element):
    number = cast.paul_patient.nhs_number
    for value in ODD:
        resources = [
            appointment(number),
            referral(number, cast.gp_practice.ods_code),
            report(number),
            letter(number),
        ]
        for resource in resources:
            resource[element] = value
        response = send(client, bundle(*resources), key)
        assert response.status_code in (200, 422), (element, value, response.content)
        assert response["Content-Type"].startswith(FHIR)


def test_odd_entries_are_never_a_500(client, cast, key):
    number = cast.paul_patient.nhs_number
    good = entry(appointment(number), 0)
    shapes = [
        {**good, "request": None},
        {**good, "request": {"method": "DELETE", "url": "Appointment"}},
        {**good, "request": {"method": "POST", "url": 7}},
        {**good, "fullUrl": {"x": 1}},
        {**good, "resource": {"resourceType": None}},
        {**good, "resource": {"resourceType": "Appointment"}},
        {**good, "resource": {"resourceType": "DocumentReference"}},
        {**good, "resource": {"resourceType": "ServiceRequest", "subject": "Patient/1"}},
        {**good, "resource": {"resourceType": "DiagnosticReport", "subject": {"identifier": 5}}},
    ]
    for shape in shapes:
        response = send(client, {"resourceType": "Bundle", "type": "batch", "entry": [shape]}, key)
        assert_outcome(response, 422)


# --- Keys --------------------------------------------------------------------------------------


def test_keys_are_stored_hashed_and_issued_revoked_by_command(cast, trust, capsys):
    call_command(
        "organisation_key", "issue", trust.ods_code, "Northshire PAS", "--by", "adam@nav.test"
    )
    printed = capsys.readouterr().out.strip().splitlines()
    key = printed[-1]
    credential = OrganisationCredential.objects.get()
    assert key.startswith(credential.prefix + ".")
    assert key not in credential.key_hash and len(credential.key_hash) == 64
    assert AuditEvent.objects.filter(
        object_id=str(credential.pk), actor=cast.adam, action=AuditEvent.Action.CREATE
    ).exists()

    call_command("organisation_key", "list")
    assert credential.prefix in capsys.readouterr().out

    call_command("organisation_key", "revoke", credential.prefix, "--by", "adam@nav.test")
    credential.refresh_from_db()
    assert credential.revoked_at is not None and credential.revoked_by == cast.adam


def test_only_an_administrator_issues_keys(cast, trust):
    with pytest.raises(CommandError):
        call_command("organisation_key", "issue", trust.ods_code, "PAS", "--by", "nadia@nav.test")
    assert not OrganisationCredential.objects.exists()
