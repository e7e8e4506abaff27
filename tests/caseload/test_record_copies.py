"""A copy of a person's whole record: asked for from home (or by a team lead for a subject
access request), prepared by the real task, holding only what the person who asked may see,
downloaded behind the rules, audited at every step, and deleted once expired."""

import datetime as dt
import io
import json
import zipfile

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from caseload.models import RecordCopy
from caseload.services import (
    case_record_copies_remove,
    record_copies_purge_expired,
    record_copies_requeue_stuck,
)
from caseload.tasks import prepare_record_copy, purge_expired_record_copies
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from patients.hooks import CASE_REMOVAL
from patients.models import CarerAccess, CaseDocument
from patients.services.documents import document_add
from tests.fakes.storage import RecordingStorage
from tests.fhir.conftest import records_for
from tests.fhir.support import validate
from tests.patients.documents_support import PDF_BYTES, PNG_BYTES, documents_store, upload

pytestmark = pytest.mark.django_db
__all__ = ["documents_store"]


def add_document(cast, *, title, visibility, content=PDF_BYTES, by=None):
    return document_add(
        case=cast.paul_case,
        by=by or cast.nadia,
        upload=upload(content),
        kind=CaseDocument.Kind.RESULT,
        title=title,
        dated=dt.date(2026, 11, 2),
        visibility=visibility,
    )


def ask(client, user, case, django_capture_on_commit_callbacks):
    """Ask from the home page's form, then run the task the request enqueued, as the worker
    would: the real task function, once the request's transaction has committed."""
    client.force_login(user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("record_copy_ask", args=[case.pk]))
    assert response.status_code == 302
    copy = RecordCopy.objects.get(requested_by=user)
    assert response["Location"] == reverse("record_copy", args=[copy.pk])
    assert len([c for c in callbacks if "_enqueue_prepare" in repr(c)]) == 1
    assert prepare_record_copy(str(copy.pk)) == "ready"
    copy.refresh_from_db()
    return copy


def download(client, copy):
    response = client.get(reverse("record_copy_download", args=[copy.pk]))
    assert response.status_code == 200, response
    return response, zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def in_zip(document):
    """The name a document has in the copy's documents/ folder."""
    title = document.title.replace(" ", "-")
    extension = ".pdf" if document.content_type == "application/pdf" else ".png"
    return f"documents/{document.dated.isoformat()}-{title}{extension}"


@pytest.fixture
def paul_record(cast, documents_store):
    records = records_for(cast.paul_case, patient_user=cast.paul, navigator=cast.nadia)
    records["shared_doc"] = add_document(
        cast, title="Clinic letter", visibility=CaseDocument.Visibility.SHARED
    )
    records["team_doc"] = add_document(
        cast,
        title="MDT notes",
        visibility=CaseDocument.Visibility.CARE_TEAM,
        content=PNG_BYTES,
    )
    records_for(cast.olive_case, patient_user=cast.olive, navigator=cast.oscar)
    return records


def test_patient_asks_from_home_and_gets_a_zip_of_summary_bundle_and_their_documents(
    client, cast, paul_record, django_capture_on_commit_callbacks
):
    client.force_login(cast.paul)
    home = client.get(reverse("home")).content.decode()
    assert "Get a copy of your record" in home
    assert reverse("record_copy_ask", args=[cast.paul_case.pk]) in home

    copy = ask(client, cast.paul, cast.paul_case, django_capture_on_commit_callbacks)

    # The clinic letter, and the letter Paul added himself (records_for); not the team's own.
    assert copy.status == "ready" and copy.documents_included == 2
    assert copy.expires_at == copy.ready_at + dt.timedelta(days=7)
    assert "Your copy is ready until" in client.get(reverse("home")).content.decode()
    response, archive = download(client, copy)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]

    names = archive.namelist()
    assert names[:2] == ["summary.pdf", "record.json"]
    documents = [n for n in names if n.startswith("documents/")]
    assert sorted(documents) == sorted(
        ["documents/2026-11-02-Clinic-letter.pdf", in_zip(paul_record["letter"])]
    )  # not the team's MDT notes nor its MDT outcome
    assert archive.read("documents/2026-11-02-Clinic-letter.pdf") == PDF_BYTES

    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(archive.read("summary.pdf"))).pages
    )
    assert "A copy of your record" in text
    assert cast.paul_patient.full_name in text
    assert "Nadia Khan" in text  # the named navigator
    assert "Clinic letter" in text and "MDT notes" not in text and "MDT outcome" not in text
    assert "Olive" not in text

    bundle = json.loads(archive.read("record.json"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    resources = [e["resource"] for e in bundle["entry"]]
    for resource in resources:
        validate(resource)
    patients = {r["id"] for r in resources if r["resourceType"] == "Patient"}
    assert patients == {str(cast.paul_patient.pk)}
    assert str(cast.olive_patient.pk) not in json.dumps(bundle)
    # The documents shared with Paul are in it as DocumentReference; the care team's own are
    # nowhere in it.
    assert f"document-{paul_record['shared_doc'].pk}" in json.dumps(bundle)
    for own in (paul_record["team_doc"], paul_record["staff_note"]):
        assert str(own.pk) not in json.dumps(bundle)
    assert "MDT notes" not in json.dumps(bundle) and "MDT outcome" not in json.dumps(bundle)
    kinds = {r["resourceType"] for r in resources}
    assert {"Patient", "CarePlan", "Appointment", "ServiceRequest", "DocumentReference"} <= kinds


def test_team_lead_produces_a_subject_access_copy_from_the_case_page_with_every_document(
    client, cast, paul_record, django_capture_on_commit_callbacks
):
    client.force_login(cast.lena)
    page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.pk])).content.decode()
    url = reverse("caseload:subject_access_copy", args=[cast.paul_case.pk])
    assert url in page
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(url).status_code == 302
    assert len(callbacks) == 1
    copy = RecordCopy.objects.get(purpose="subject_access")
    assert prepare_record_copy(str(copy.pk)) == "ready"
    copy.refresh_from_db()

    _response, archive = download(client, copy)
    documents = sorted(n for n in archive.namelist() if n.startswith("documents/"))
    assert documents == sorted(
        [
            "documents/2026-11-02-Clinic-letter.pdf",
            "documents/2026-11-02-MDT-notes.png",
            in_zip(paul_record["letter"]),
            in_zip(paul_record["staff_note"]),
        ]
    )
    # The lead downloads it; no message goes to the patient for a staff copy.
    assert not OutboundMessage.objects.filter(kind="record_copy_ready").exists()
    assert AuditEvent.objects.filter(
        actor=cast.lena, action="export", object_id=str(copy.pk), summary__startswith="Downloaded"
    ).exists()


@pytest.mark.parametrize("who", ["nadia", "colin", "oscar", "olive", "adam"])
def test_only_a_team_lead_may_produce_a_subject_access_copy(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.post(reverse("caseload:subject_access_copy", args=[cast.paul_case.pk]))
    assert response.status_code == 404
    assert not RecordCopy.objects.exists()


def test_the_carer_who_may_act_asks_and_gets_the_shared_record_but_a_viewing_carer_may_not(
    client, cast, paul_record, django_capture_on_commit_callbacks
):
    CarerAccess.objects.filter(pk=cast.carol_grant.pk).update(level=CarerAccess.Level.READ)
    client.force_login(cast.carol)
    home = client.get(reverse("home")).content.decode()
    assert reverse("record_copy_ask", args=[cast.paul_case.pk]) not in home
    assert client.post(reverse("record_copy_ask", args=[cast.paul_case.pk])).status_code == 404

    CarerAccess.objects.filter(pk=cast.carol_grant.pk).update(level=CarerAccess.Level.ACT)
    copy = ask(client, cast.carol, cast.paul_case, django_capture_on_commit_callbacks)
    _response, archive = download(client, copy)
    assert sorted(n for n in archive.namelist() if n.startswith("documents/")) == sorted(
        ["documents/2026-11-02-Clinic-letter.pdf", in_zip(paul_record["letter"])]
    )
    # The patient may have the copy their carer asked for; once the carer's access is taken
    # back, the carer may not.
    client.force_login(cast.paul)
    assert client.get(reverse("record_copy", args=[copy.pk])).status_code == 200
    CarerAccess.objects.filter(pk=cast.carol_grant.pk).update(revoked_at=timezone.now())
    client.force_login(cast.carol)
    assert client.get(reverse("record_copy_download", args=[copy.pk])).status_code == 404


@pytest.mark.parametrize("who", ["olive", "oscar", "nadia", "lena", "adam"])
def test_anyone_else_gets_404_on_the_download_and_no_byte_is_read(
    client, cast, paul_record, who, django_capture_on_commit_callbacks
):
    copy = ask(client, cast.paul, cast.paul_case, django_capture_on_commit_callbacks)
    RecordCopy.objects.filter(pk=copy.pk)  # the copy exists and is ready
    RecordingStorage.opened = []
    client.force_login(getattr(cast, who))

    assert client.get(reverse("record_copy_download", args=[copy.pk])).status_code == 404
    assert client.get(reverse("record_copy", args=[copy.pk])).status_code == 404
    assert RecordingStorage.opened == []
    refusals = AuditEvent.objects.filter(action="refuse", object_id=str(copy.pk))
    assert refusals.count() == 2


def test_every_request_and_download_is_audited(
    client, cast, paul_record, django_capture_on_commit_callbacks
):
    copy = ask(client, cast.paul, cast.paul_case, django_capture_on_commit_callbacks)
    download(client, copy)
    download(client, copy)
    mine = AuditEvent.objects.filter(actor=cast.paul, object_id=str(copy.pk))
    assert mine.filter(action="create", summary="Asked for a copy of the record").count() == 1
    assert mine.filter(action="export", summary__startswith="Prepared a copy").count() == 1
    assert mine.filter(action="export", summary="Downloaded a copy of the record").count() == 2
    # What went in is attributed to him too, record by record.
    assert AuditEvent.objects.filter(
        actor=cast.paul,
        summary="Included in a copy of the record",
        object_id=str(cast.paul_patient.pk),
    ).exists()


def test_the_message_says_it_is_ready_with_a_link_and_nothing_clinical(
    client, cast, paul_record, django_capture_on_commit_callbacks
):
    copy = ask(client, cast.paul, cast.paul_case, django_capture_on_commit_callbacks)
    [message] = OutboundMessage.objects.filter(kind="record_copy_ready")
    assert message.channel == cast.paul_patient.preferred_channel
    link = reverse("record_copy", args=[copy.pk])
    assert link in message.body
    body = (message.subject + message.body + message.body_html).lower()
    for clinical in (
        "lung",
        "cancer, stage",
        "scan",
        "ct report",
        "clinic letter",
        "mdt",
        "surgery",
    ):
        assert clinical not in body, clinical


def test_welsh_speaker_gets_the_message_and_summary_in_welsh(
    client, cast, paul_record, django_capture_on_commit_callbacks
):
    cast.paul.language = "cy"
    cast.paul.save(update_fields=["language"])
    cast.paul_patient.language = "cy"
    cast.paul_patient.save(update_fields=["language"])
    copy = ask(client, cast.paul, cast.paul_case, django_capture_on_commit_callbacks)
    [message] = OutboundMessage.objects.filter(kind="record_copy_ready")
    assert message.language == "cy" and "copy of the record" not in message.body
    _response, archive = download(client, copy)
    text = PdfReader(io.BytesIO(archive.read("summary.pdf"))).pages[0].extract_text()
    assert "Copi o'ch cofnod" in text


def test_after_expiry_the_page_says_so_offers_a_new_copy_and_the_job_deletes_the_file(
    client, cast, paul_record, documents_store, django_capture_on_commit_callbacks
):
    copy = ask(client, cast.paul, cast.paul_case, django_capture_on_commit_callbacks)
    stored = documents_store / copy.stored_name
    assert stored.exists()

    with time_machine.travel(copy.expires_at + dt.timedelta(minutes=1)):
        client.force_login(cast.paul)  # a week on, a new session
        page = client.get(reverse("record_copy", args=[copy.pk])).content.decode()
        assert "This copy has expired" in page
        assert reverse("record_copy_ask", args=[cast.paul_case.pk]) in page
        assert "Your last copy has expired" in client.get(reverse("home")).content.decode()
        response = client.get(reverse("record_copy_download", args=[copy.pk]))
        assert response.status_code == 302  # back to the page that says it has expired
        assert purge_expired_record_copies() == {"purged": 1, "requeued": 0}
        assert record_copies_purge_expired() == 0  # nothing twice

    assert not stored.exists()
    copy.refresh_from_db()
    assert (copy.status, copy.stored_name) == ("expired", "")
    assert AuditEvent.objects.filter(action="delete", object_id=str(copy.pk)).count() == 1


def test_a_copy_not_yet_expired_is_kept_by_the_job(
    client, cast, paul_record, documents_store, django_capture_on_commit_callbacks
):
    copy = ask(client, cast.paul, cast.paul_case, django_capture_on_commit_callbacks)
    with time_machine.travel(copy.expires_at - dt.timedelta(minutes=1)):
        assert record_copies_purge_expired() == 0
    assert (documents_store / copy.stored_name).exists()


def test_the_task_run_twice_makes_one_copy_and_one_message(
    client, cast, paul_record, django_capture_on_commit_callbacks
):
    copy = ask(client, cast.paul, cast.paul_case, django_capture_on_commit_callbacks)
    assert prepare_record_copy(str(copy.pk)) == "not claimed"
    assert OutboundMessage.objects.filter(kind="record_copy_ready").count() == 1


def test_asking_again_while_one_is_being_prepared_returns_that_one(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast.paul)
    url = reverse("record_copy_ask", args=[cast.paul_case.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(url)
        client.post(url)
    assert RecordCopy.objects.count() == 1 and len(callbacks) == 1
    page = client.get(reverse("home")).content.decode()
    assert "Your copy is being prepared" in page


def test_a_copy_whose_task_was_lost_is_enqueued_again_by_the_hourly_job_and_made_once(
    client, cast, paul_record, django_capture_on_commit_callbacks
):
    client.force_login(cast.paul)
    with django_capture_on_commit_callbacks():  # the broker never gets it
        client.post(reverse("record_copy_ask", args=[cast.paul_case.pk]))
    copy = RecordCopy.objects.get()
    assert record_copies_requeue_stuck() == 0  # not yet: it may be on its way
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert record_copies_requeue_stuck() == 1
        # The filesystem broker of the tests holds the task; run it as the worker would.
        assert prepare_record_copy(str(copy.pk)) == "ready"
        assert prepare_record_copy(str(copy.pk)) == "not claimed"
    assert OutboundMessage.objects.filter(kind="record_copy_ready").count() == 1


def test_a_case_removed_under_the_retention_policy_takes_its_copies_and_their_files(
    client, cast, paul_record, documents_store, django_capture_on_commit_callbacks
):
    copy = ask(client, cast.paul, cast.paul_case, django_capture_on_commit_callbacks)
    stored = documents_store / copy.stored_name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            removed = case_record_copies_remove(case=cast.paul_case)
    assert removed == {"caseload.RecordCopy": 1}
    assert not RecordCopy.objects.exists() and not stored.exists()
    assert case_record_copies_remove in CASE_REMOVAL
