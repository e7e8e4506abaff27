"""Letters, photos and recordings: added by the patient's side and the staff, checked by their
bytes, seen by whom the rules say, and downloaded only through the audited door."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from navigator.audit.models import AuditEvent
from patients.documents import ACCEPTED, sniff
from patients.models import CarerAccess, Case, CaseDocument, TimelineEvent
from patients.services.documents import document_add
from tests.fakes.storage import RecordingStorage
from tests.patients.documents_support import (
    HTML_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    documents_store,
    upload,
)

pytestmark = pytest.mark.django_db
__all__ = ["documents_store"]


def form(**extra):
    today = timezone.localdate()
    data = {
        "kind": "appointment_letter",
        "title": "Letter about my CT scan",
        "dated-day": str(today.day),
        "dated-month": str(today.month),
        "dated-year": str(today.year),
    }
    data.update(extra)
    return data


def list_url(case):
    return reverse("patients:documents", args=[case.id])


def download_url(document, **query):
    url = reverse("patients:document_download", args=[document.case_id, document.id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def add(cast, *, by=None, visibility=CaseDocument.Visibility.SHARED, content=PDF_BYTES):
    return document_add(
        case=cast.paul_case,
        by=by or cast.nadia,
        upload=upload(content),
        kind=CaseDocument.Kind.RESULT,
        title="CT report",
        dated=dt.date(2026, 11, 2),
        visibility=visibility,
    )


def test_patient_uploads_a_letter_from_home_and_it_is_kept_shared_and_audited(
    client, cast, documents_store
):
    client.force_login(cast.paul)
    home = client.get(reverse("home")).content.decode()
    assert list_url(cast.paul_case) in home

    response = client.post(list_url(cast.paul_case), {**form(), "upload": upload()})

    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert (document.kind, document.title, document.added_by, document.content_type) == (
        "appointment_letter",
        "Letter about my CT scan",
        cast.paul,
        "application/pdf",
    )
    assert document.is_shared and document.added_by_patient_side
    # Kept under a name of ours, never the uploader's, with the bytes as sent.
    assert "letter.pdf" not in document.stored_name
    assert (documents_store / document.stored_name).read_bytes() == PDF_BYTES
    assert document.event.kind == TimelineEvent.Kind.DOCUMENT
    assert document.event.shared_with_patient
    assert AuditEvent.objects.filter(
        actor=cast.paul, action="create", object_id=str(document.pk)
    ).exists()
    home = client.get(reverse("home")).content.decode()
    assert "Letter about my CT scan" in home and download_url(document) in home


def test_an_html_page_renamed_pdf_is_refused_and_the_form_keeps_what_was_typed(
    client, cast, documents_store
):
    client.force_login(cast.paul)

    response = client.post(
        list_url(cast.paul_case),
        {**form(title="My letter"), "upload": upload(HTML_BYTES, "letter.pdf", "application/pdf")},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "The file must be a PDF, a photo (JPEG, PNG or HEIC) or a sound recording" in page
    assert 'value="My letter"' in page
    assert 'value="appointment_letter" checked' in page
    assert not CaseDocument.objects.exists()
    assert not documents_store.exists() or not any(documents_store.rglob("*.*"))


def test_a_file_over_the_limit_is_refused_with_the_limit_named(
    client, cast, documents_store, settings
):
    settings.DOCUMENT_MAX_MB = 1
    client.force_login(cast.paul)
    too_big = PDF_BYTES + b"0" * (1024 * 1024)

    response = client.post(list_url(cast.paul_case), {**form(), "upload": upload(too_big)})

    assert response.status_code == 200
    assert "The file must be smaller than 1 MB" in response.content.decode()
    assert not CaseDocument.objects.exists()


def test_a_welsh_reader_is_told_in_welsh(client, cast, documents_store):
    cast.paul.language = "cy"
    cast.paul.save()
    client.force_login(cast.paul)

    response = client.post(list_url(cast.paul_case), {**form(), "upload": upload(HTML_BYTES)})

    page = response.content.decode()
    assert "Rhaid i&#x27;r ffeil fod" in page or "Rhaid i'r ffeil fod" in page


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (b"%PDF-1.4\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (PNG_BYTES, "image/png"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio/mp4"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x64\x00\x00\x00\x00", "audio/mpeg"),
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", "audio/wav"),
        (b"OggS\x00\x02\x00\x00\x00\x00\x00\x00", "audio/ogg"),
    ],
)
def test_each_type_we_take_is_known_by_its_first_bytes(head, content_type):
    found = sniff(head[:16])
    assert found is not None and found.content_type == content_type
    assert found in ACCEPTED


@pytest.mark.parametrize(
    "head",
    [
        HTML_BYTES,
        b"<svg xmlns='http://www.w3.org/2000/svg'>",
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program
        b"PK\x03\x04\x14\x00\x06\x00",  # a zip, or a Word document
        b"\x00\x00\x00\x20ftypavc1\x00\x00\x00\x00",  # a video
        b"\x7fELF\x02\x01\x01\x00",
        b"",
    ],
)
def test_anything_else_is_refused_whatever_its_name(head):
    assert sniff(head[:16]) is None


def test_download_is_an_attachment_with_our_type_and_nothing_sniffed(client, cast, documents_store):
    document = add(cast)
    client.force_login(cast.paul)

    response = client.get(download_url(document))
    inline = client.get(download_url(document, view=1))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    # A PDF is never shown in the page, even when asked.
    assert inline["Content-Disposition"].startswith("attachment;")


def test_a_picture_may_be_viewed_in_the_browser(client, cast, documents_store):
    document = add(cast, content=PNG_BYTES)
    client.force_login(cast.nadia)

    response = client.get(download_url(document, view=1))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")


def test_download_is_audited(client, cast, documents_store):
    document = add(cast)
    client.force_login(cast.carol)

    client.get(download_url(document))

    entry = AuditEvent.objects.get(action="export", object_id=str(document.pk))
    assert (entry.actor, entry.patient_id, entry.object_type) == (
        cast.carol,
        cast.paul_patient.pk,
        "patients.casedocument",
    )


@pytest.mark.parametrize("who", ["oscar", "olive", "adam"])
def test_someone_outside_the_case_gets_404_and_no_byte_of_the_file(
    client, cast, documents_store, who
):
    document = add(cast)
    RecordingStorage.opened = []
    client.force_login(getattr(cast, who))

    response = client.get(download_url(document))

    assert response.status_code == 404
    assert PDF_BYTES not in response.content
    assert RecordingStorage.opened == []
    assert AuditEvent.objects.refusals().filter(object_id=str(document.pk)).exists()
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_document_id_under_another_case_is_a_404(client, cast, documents_store):
    document = add(cast)
    client.force_login(cast.oscar)
    url = reverse("patients:document_download", args=[cast.olive_case.id, document.id])

    assert client.get(url).status_code == 404
    assert RecordingStorage.opened == []


SHARED_SEEN_BY = {"nadia", "lena", "colin", "paul", "carol"}
CARE_TEAM_SEEN_BY = {"nadia", "lena", "colin"}
EVERYONE = ["nadia", "lena", "colin", "oscar", "adam", "paul", "carol", "olive"]


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_download_each_kind_of_document(client, cast, documents_store, who):
    shared = add(cast)
    care_team_only = add(cast, visibility=CaseDocument.Visibility.CARE_TEAM)
    client.force_login(getattr(cast, who))

    shared_status = client.get(download_url(shared)).status_code
    care_team_status = client.get(download_url(care_team_only)).status_code

    assert shared_status == (200 if who in SHARED_SEEN_BY else 404)
    assert care_team_status == (200 if who in CARE_TEAM_SEEN_BY else 404)
    listed = client.get(list_url(cast.paul_case))
    if who in SHARED_SEEN_BY:
        page = listed.content.decode()
        assert str(shared.pk) in page
        assert (str(care_team_only.pk) in page) == (who in CARE_TEAM_SEEN_BY)
    else:
        assert listed.status_code == 404


# Who may add: the patient, a carer who may act for them, and the staff on the case.
ADDS = {"nadia", "lena", "colin", "paul"}


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_add_a_document(client, cast, documents_store, who):
    client.force_login(getattr(cast, who))

    response = client.post(
        list_url(cast.paul_case), {**form(visibility="shared"), "upload": upload()}
    )

    assert response.status_code == (302 if who in ADDS else 404)
    assert CaseDocument.objects.exists() == (who in ADDS)


def test_a_carer_who_may_act_adds_one_and_a_read_only_carer_sees_no_form(
    client, cast, documents_store
):
    client.force_login(cast.carol)
    assert 'type="file"' not in client.get(list_url(cast.paul_case)).content.decode()

    cast.carol_grant.level = CarerAccess.Level.ACT
    cast.carol_grant.save()
    response = client.post(list_url(cast.paul_case), {**form(), "upload": upload()})

    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert document.added_by == cast.carol and document.added_by_patient_side


def test_a_navigator_attaches_a_letter_for_the_care_team_only(client, cast, documents_store):
    client.force_login(cast.nadia)
    case_page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert list_url(cast.paul_case) in case_page.content.decode()

    response = client.post(
        list_url(cast.paul_case),
        {**form(kind="clinic_letter", title="MDT outcome"), "visibility": "care_team"},
    )
    assert response.status_code == 200  # no file chosen
    assert "Choose the file to add" in response.content.decode()
    assert 'value="MDT outcome"' in response.content.decode()

    client.post(
        list_url(cast.paul_case),
        {
            **form(kind="clinic_letter", title="MDT outcome"),
            "visibility": "care_team",
            "upload": upload(),
        },
    )

    document = CaseDocument.objects.get()
    assert not document.is_shared and not document.added_by_patient_side
    assert not document.event.shared_with_patient
    timeline = client.get(reverse("patients:timeline", args=[cast.paul_case.id])).content.decode()
    assert "MDT outcome" in timeline and download_url(document) in timeline
    client.force_login(cast.paul)
    assert "MDT outcome" not in client.get(reverse("home")).content.decode()
    assert "MDT outcome" not in client.get(list_url(cast.paul_case)).content.decode()


def test_the_patient_side_cannot_hide_a_document_from_the_care_team(client, cast, documents_store):
    client.force_login(cast.paul)

    client.post(list_url(cast.paul_case), {**form(), "visibility": "care_team", "upload": upload()})

    assert CaseDocument.objects.get().is_shared


def test_nothing_is_added_to_a_closed_case(client, cast, documents_store):
    Case.objects.filter(pk=cast.paul_case.pk).update(status=Case.Status.CLOSED)
    client.force_login(cast.nadia)

    response = client.post(
        list_url(cast.paul_case), {**form(), "visibility": "shared", "upload": upload()}
    )

    assert response.status_code == 200
    assert not CaseDocument.objects.exists()


def test_the_documents_page_costs_the_same_however_many_documents(client, cast, documents_store):
    add(cast)
    client.force_login(cast.nadia)
    client.get(list_url(cast.paul_case))
    with CaptureQueriesContext(connection) as one:
        client.get(list_url(cast.paul_case))
    for _ in range(5):
        add(cast)
    with CaptureQueriesContext(connection) as six:
        client.get(list_url(cast.paul_case))
    assert len(six) == len(one)
