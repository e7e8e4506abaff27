"""Retention: what the policy no longer keeps is listed daily, removed once a team lead confirms,
and leaves a tombstone and the audit trail."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from patients.models import (
    Case,
    CaseDocument,
    CaseMessage,
    Patient,
    RetentionReview,
    RetentionTombstone,
    TimelineEvent,
)
from patients.services import case_close
from patients.services.documents import document_add
from patients.services.retention import retention_due_list, retention_remove
from patients.tasks import list_records_due_for_removal
from tests import factories as f
from tests.patients.documents_support import documents_store, upload

pytestmark = pytest.mark.django_db
__all__ = ["documents_store"]

NOW = timezone.now()


def closed_years_ago(case: Case, years: float) -> Case:
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED, closed_at=NOW - dt.timedelta(days=round(365.25 * years))
    )
    case.refresh_from_db()
    return case


def with_a_letter(cast, case=None):
    case = case or cast.paul_case
    return document_add(
        case=case,
        by=cast.nadia,
        upload=upload(),
        kind=CaseDocument.Kind.CLINIC_LETTER,
        title="Clinic letter",
        dated=dt.date(2026, 1, 5),
    )


def test_closing_a_case_stamps_when_and_audits(cast):
    case_close(case=cast.paul_case, by=cast.nadia)

    cast.paul_case.refresh_from_db()
    assert cast.paul_case.status == Case.Status.CLOSED and cast.paul_case.closed_at is not None
    assert AuditEvent.objects.filter(action="update", summary="Closed the case").exists()


def test_a_case_closed_longer_ago_than_the_policy_is_listed_once(cast, documents_store):
    with_a_letter(cast)
    closed_years_ago(cast.paul_case, 31)
    recent = f.make_case(patient=cast.olive_patient, team=cast.team, navigator=cast.nadia)
    closed_years_ago(recent, 29)

    list_records_due_for_removal()
    list_records_due_for_removal()  # a rerun lists nothing twice

    listed = set(RetentionReview.objects.values_list("case_id", "record_kind"))
    assert listed == {(cast.paul_case.pk, "case"), (cast.paul_case.pk, "documents")}


def test_the_job_reads_in_batches_past_the_first(cast):
    cases = [cast.paul_case, cast.olive_case]
    for n in range(3):
        patient = f.make_patient(given=f"P{n}")
        cases.append(f.make_case(patient=patient, team=cast.team, navigator=cast.nadia))
    for case in cases:
        closed_years_ago(case, 40)

    retention_due_list(batch_size=2)

    assert RetentionReview.objects.filter(record_kind="case").count() == 5


def test_a_lead_confirms_and_the_case_is_gone_leaving_tombstone_and_audit(
    client, cast, documents_store, django_capture_on_commit_callbacks
):
    document = with_a_letter(cast)
    CaseMessage.objects.create(
        case=cast.paul_case, author=cast.paul, author_kind="patient", body="Hi"
    )
    OutboundMessage.objects.create(
        idempotency_key="update-1",
        channel="sms",
        to_address="+447700900123",
        kind="new_update",
        body="You have a new update",
        subject_id=cast.paul_patient.pk,
        not_before=NOW,
    )
    stored = documents_store / document.stored_name
    assert stored.exists()
    closed_years_ago(cast.paul_case, 31)
    retention_due_list()
    audit_before = AuditEvent.objects.filter(patient_id=cast.paul_patient.pk).count()
    review = RetentionReview.objects.get(record_kind="case")

    client.force_login(cast.lena)
    for start in ("caseload:worklist", "patients:case_list"):
        assert reverse("patients:retention_due") in client.get(reverse(start)).content.decode()
    page = client.get(reverse("patients:retention_due")).content.decode()
    assert "Paul Jones" in page and "the whole case record" in page
    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        response = client.post(
            reverse("patients:retention_due"), {"review": [str(review.pk)], "confirm": "yes"}
        )

    assert response.status_code == 302
    assert not Case.objects.filter(pk=cast.paul_case.pk).exists()
    assert not Patient.objects.filter(pk=cast.paul_patient.pk).exists()
    assert not CaseDocument.objects.exists() and not CaseMessage.objects.exists()
    assert not TimelineEvent.objects.filter(case_id=cast.paul_case.pk).exists()
    assert not OutboundMessage.objects.filter(subject_id=cast.paul_patient.pk).exists()
    assert not stored.exists()
    cast.paul.refresh_from_db()
    assert not cast.paul.is_active  # the account stays, named by the audit trail
    tombstone = RetentionTombstone.objects.get()
    assert (tombstone.case_id, tombstone.patient_id, tombstone.record_kind) == (
        cast.paul_case.pk,
        cast.paul_patient.pk,
        "case",
    )
    assert tombstone.removed_by == cast.lena
    assert "30 years after the case closed" in tombstone.rule
    assert "Records Management Code of Practice" in tombstone.rule
    assert tombstone.removed["patients.CaseDocument"] == 1
    trail = AuditEvent.objects.filter(patient_id=cast.paul_patient.pk)
    assert trail.count() > audit_before  # nothing removed from it, the removal added
    removal = trail.get(action="delete", actor=cast.lena)
    assert removal.summary == "Removed under the retention policy: the whole case record"


def test_a_case_within_the_policy_is_untouched_even_if_asked(client, cast, documents_store):
    with_a_letter(cast)
    closed_years_ago(cast.paul_case, 29)
    retention_due_list()
    assert not RetentionReview.objects.exists()
    # A review row made by hand (or left from an older, shorter policy) changes nothing.
    review = RetentionReview.objects.create(case=cast.paul_case, record_kind="case", due_since=NOW)
    client.force_login(cast.lena)

    client.post(reverse("patients:retention_due"), {"review": [str(review.pk)], "confirm": "yes"})

    assert Case.objects.filter(pk=cast.paul_case.pk).exists()
    assert CaseDocument.objects.exists()
    assert not RetentionTombstone.objects.exists()


def test_an_open_case_is_never_listed(cast):
    Case.objects.filter(pk=cast.paul_case.pk).update(closed_at=NOW - dt.timedelta(days=365 * 40))

    retention_due_list()

    assert not RetentionReview.objects.exists()


@pytest.mark.parametrize("who", ["nadia", "colin", "oscar", "adam", "paul", "carol"])
def test_no_one_but_a_lead_of_the_cases_team_may_see_or_confirm(client, cast, who):
    closed_years_ago(cast.paul_case, 31)
    retention_due_list()
    review = RetentionReview.objects.get()
    client.force_login(getattr(cast, who))

    assert client.get(reverse("patients:retention_due")).status_code == 404
    response = client.post(
        reverse("patients:retention_due"), {"review": [str(review.pk)], "confirm": "yes"}
    )

    assert response.status_code == 404
    assert Case.objects.filter(pk=cast.paul_case.pk).exists()
    assert (
        reverse("patients:retention_due")
        not in client.get(reverse("caseload:worklist")).content.decode()
    )


def test_a_lead_of_another_team_cannot_confirm_this_teams_case(client, cast):
    other_lead = f.make_user("liz@nav.test", role="team_lead", name="Liz Lead", mfa=True)
    f.join(cast.other_team, other_lead, lead=True)
    closed_years_ago(cast.paul_case, 31)
    retention_due_list()
    review = RetentionReview.objects.get()
    client.force_login(other_lead)

    assert "Paul Jones" not in client.get(reverse("patients:retention_due")).content.decode()
    response = client.post(
        reverse("patients:retention_due"), {"review": [str(review.pk)], "confirm": "yes"}
    )

    assert response.status_code == 404
    assert Case.objects.filter(pk=cast.paul_case.pk).exists()
    assert AuditEvent.objects.refusals().filter(actor=other_lead).exists()


def test_nothing_is_removed_without_the_confirmation(client, cast):
    closed_years_ago(cast.paul_case, 31)
    retention_due_list()
    review = RetentionReview.objects.get()
    client.force_login(cast.lena)

    response = client.post(reverse("patients:retention_due"), {"review": [str(review.pk)]})

    assert response.status_code == 200
    assert "Confirm that the records may be removed" in response.content.decode()
    assert Case.objects.filter(pk=cast.paul_case.pk).exists()


def test_documents_may_go_sooner_than_the_case(
    cast, documents_store, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_YEARS = {"documents": 5, "case": 30}
    document = with_a_letter(cast)
    closed_years_ago(cast.paul_case, 6)
    retention_due_list()
    review = RetentionReview.objects.get()
    assert review.record_kind == "documents"

    with django_capture_on_commit_callbacks(execute=True):
        retention_remove(review=review, by=cast.lena)

    assert Case.objects.filter(pk=cast.paul_case.pk).exists()
    assert not CaseDocument.objects.exists()
    assert not TimelineEvent.objects.filter(pk=document.event_id).exists()
    assert not (documents_store / document.stored_name).exists()
    assert RetentionTombstone.objects.get().record_kind == "documents"
    retention_due_list()
    assert not RetentionReview.objects.exists()  # nothing left to list until the case is due


def test_a_patient_with_another_case_keeps_their_details(cast):
    other = f.make_case(
        patient=cast.paul_patient, team=cast.team, navigator=cast.nadia, tumour_site="Skin"
    )
    closed_years_ago(cast.paul_case, 31)
    retention_due_list()

    retention_remove(review=RetentionReview.objects.get(), by=cast.lena)

    assert Patient.objects.filter(pk=cast.paul_patient.pk).exists()
    assert Case.objects.filter(pk=other.pk).exists()
    cast.paul.refresh_from_db()
    assert cast.paul.is_active


def test_nadia_closes_the_case_from_its_page_and_others_cannot(client, cast):
    url = reverse("patients:case_close", args=[cast.paul_case.id])
    for who in ("oscar", "paul", "carol", "adam"):
        client.force_login(getattr(cast, who))
        assert client.post(url).status_code == 404
    client.force_login(cast.nadia)
    case_page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert url in case_page.content.decode()
    assert "30 years after the case closes" in client.get(url).content.decode()

    response = client.post(url)

    assert response.status_code == 302
    cast.paul_case.refresh_from_db()
    assert cast.paul_case.status == Case.Status.CLOSED and cast.paul_case.closed_at is not None
