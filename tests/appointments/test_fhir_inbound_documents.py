"""Hospital letters in by FHIR: a DocumentReference's file becomes a kept document, checked by
its content like an upload, all or nothing with the rest of its Bundle, once however often it
is sent; and each entry's response names where the read API serves what it became."""

import base64
from typing import Any

import pytest
from django.urls import reverse

from appointments.models import TrackedItem
from patients.models import CaseDocument, TimelineEvent
from tests.appointments.test_fhir_inbound import (
    appointment,
    assert_outcome,
    bundle,
    counts,
    four,
    key,
    letter,
    send,
    trust,
    wednesday,
)
from tests.fakes.storage import RecordingStorage
from tests.fhir.support import base, validate
from tests.patients.documents_support import HTML_BYTES, PDF_BYTES, documents_store

__all__ = ["documents_store", "key", "trust", "wednesday"]

pytestmark = pytest.mark.django_db


def with_file(resource: dict, content: bytes, title: str = "") -> dict:
    attachment: dict[str, Any] = {
        "contentType": "application/pdf",
        "data": base64.b64encode(content).decode("ascii"),
    }
    if title:
        attachment["title"] = title
    return {**resource, "content": [{"attachment": attachment}]}


def kept_files(folder: Any) -> list[Any]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def read_path(location: str) -> str:
    return location.replace(base(), "/fhir")


def test_a_letter_s_file_is_kept_for_the_care_team_and_the_patient(
    client, cast, key, documents_store
):
    number = cast.paul_patient.nhs_number
    sent = with_file(letter(number), PDF_BYTES, title="Discharge summary, ward 12")

    response = send(client, bundle(sent), key)

    assert response.status_code == 200, response.content
    kept = CaseDocument.objects.get()
    assert kept.case == cast.paul_case
    assert kept.kind == CaseDocument.Kind.DISCHARGE_LETTER
    assert kept.visibility == CaseDocument.Visibility.SHARED
    assert kept.added_by is None and kept.content_type == "application/pdf"
    assert kept.title.startswith("Discharge summary, ward 12 from ")
    assert (documents_store / kept.stored_name).read_bytes() == PDF_BYTES
    # What the letter says happened is still recorded (its follow-up rules run from it).
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.DISCHARGE).count() == 1
    location = response.json()["entry"][0]["response"]["location"]
    assert location == f"{base()}/DocumentReference/document-{kept.pk}"
    for who in ("nadia", "paul"):
        client.force_login(getattr(cast, who))
        reference = client.get(read_path(location))
        assert reference.status_code == 200, who
        validate(reference.json())
        binary = client.get(read_path(reference.json()["content"][0]["attachment"]["url"]))
        assert base64.b64decode(binary.json()["data"]) == PDF_BYTES
    # On the patient's own documents page, and downloaded through the door like any other.
    page = client.get(reverse("patients:documents", args=[cast.paul_case.pk]))
    assert "Discharge summary, ward 12 from" in page.content.decode()
    download = client.get(reverse("patients:document_download", args=[kept.case_id, kept.pk]))
    assert b"".join(download.streaming_content) == PDF_BYTES
    client.force_login(cast.olive)
    assert client.get(read_path(location)).status_code == 404


def test_a_clinic_letter_is_kept_and_needs_its_file(client, cast, key, documents_store):
    number = cast.paul_patient.nhs_number
    clinic = letter(number, value="CL-1", kind="clinic-letter")

    issues = assert_outcome(send(client, bundle(clinic), key), 422)
    assert issues[0]["expression"] == ["Bundle.entry[0].resource.content[0].attachment.data"]

    response = send(client, bundle(with_file(clinic, PDF_BYTES)), key)
    assert response.status_code == 200, response.content
    assert CaseDocument.objects.get().kind == CaseDocument.Kind.CLINIC_LETTER
    assert not TimelineEvent.objects.filter(kind=TimelineEvent.Kind.DISCHARGE).exists()


def test_an_html_attachment_is_named_and_nothing_in_the_bundle_is_applied(
    client, cast, key, documents_store
):
    number = cast.paul_patient.nhs_number
    before = counts()
    sent = bundle(appointment(number), with_file(letter(number), HTML_BYTES))

    issues = assert_outcome(send(client, sent, key), 422)

    assert [issue["expression"] for issue in issues] == [
        ["Bundle.entry[1].resource.content[0].attachment.data"]
    ]
    assert issues[0]["diagnostics"].startswith("Entry 1 (urn:uuid:")
    assert "The file must be a PDF, a photo" in issues[0]["diagnostics"]
    assert counts() == before and TrackedItem.objects.count() == 0
    assert not CaseDocument.objects.exists()
    assert kept_files(documents_store) == []


def test_a_stored_file_goes_when_a_later_entry_refuses_the_bundle(
    client, cast, key, documents_store
):
    number = cast.paul_patient.nhs_number
    stranger = appointment("9434765919", value="APPT-9")  # a valid NHS number with no case here

    issues = assert_outcome(
        send(client, bundle(with_file(letter(number), PDF_BYTES), stranger), key), 422
    )

    assert issues[0]["expression"] == ["Bundle.entry[1].resource.participant"]
    assert not CaseDocument.objects.exists()
    assert kept_files(documents_store) == []  # stored while applying entry 0, then removed


def test_a_file_over_the_size_limit_is_refused(client, cast, key, documents_store, settings):
    settings.DOCUMENT_MAX_MB = 1
    large = PDF_BYTES + b"0" * (1024 * 1024)

    issues = assert_outcome(
        send(client, bundle(with_file(letter(cast.paul_patient.nhs_number), large)), key), 422
    )

    assert "smaller than 1 MB" in issues[0]["diagnostics"]
    assert not CaseDocument.objects.exists() and kept_files(documents_store) == []


@pytest.mark.parametrize(
    ("attachment", "expression", "code"),
    [
        ({"data": "not base64!"}, "data", "value"),
        ({"data": 12}, "data", "value"),
        ({"url": "https://edms.example/letter.pdf"}, "url", "not-supported"),
    ],
)
def test_an_attachment_we_cannot_take_is_named(client, cast, key, attachment, expression, code):
    sent = {**letter(cast.paul_patient.nhs_number), "content": [{"attachment": attachment}]}

    issues = assert_outcome(send(client, bundle(sent), key), 422)

    assert issues[0]["expression"] == [
        f"Bundle.entry[0].resource.content[0].attachment.{expression}"
    ]
    assert issues[0]["code"] == code


def test_the_same_bundle_twice_keeps_one_file(client, cast, key, documents_store):
    sent = bundle(with_file(letter(cast.paul_patient.nhs_number), PDF_BYTES))
    assert send(client, sent, key).status_code == 200
    RecordingStorage.opened = []

    again = send(client, sent, key)

    assert again.status_code == 200, again.content
    assert again.json()["entry"][0]["response"]["status"] == "200 OK"
    assert CaseDocument.objects.count() == 1
    assert len(kept_files(documents_store)) == 1


def test_each_response_names_where_the_read_api_serves_it(client, cast, key, documents_store):
    response = send(client, four(cast), key)

    assert response.status_code == 200, response.content
    entries = response.json()["entry"]
    appointment_at, referral_at = (entries[i]["response"]["location"] for i in (0, 1))
    # A DiagnosticReport is not served (its item is a Task); a letter without a file kept none.
    assert "location" not in entries[2]["response"]
    assert "location" not in entries[3]["response"]
    client.force_login(cast.nadia)
    for location, kind in ((appointment_at, "Appointment"), (referral_at, "ServiceRequest")):
        assert location.startswith(f"{base()}/{kind}/")
        served = client.get(read_path(location))
        assert served.status_code == 200, location
        assert served.json()["resourceType"] == kind
        validate(served.json())
    # The same again: the same addresses.
    again = send(client, four(cast), key).json()["entry"]
    assert [again[i]["response"]["location"] for i in (0, 1)] == [appointment_at, referral_at]
