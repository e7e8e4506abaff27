"""A patient with one of everything the FHIR API serves, made through the services."""

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from appointments.models import ChaseTask, ItemKind, ItemState
from appointments.services import tracked_item_create
from careplans import services as careplans
from careplans.services.sharing import sharing_set
from navigator.messaging.models import OutboundMessage
from patients.models import Case, CaseDocument, TreatmentSummary
from patients.services import case_message_post
from patients.services.documents import document_add
from tests.careplans.conftest import complete, reference_data_restore
from tests.patients.documents_support import PNG_BYTES, documents_store, upload

__all__ = ["documents_store"]


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def _documents_kept_here(documents_store: Any) -> None:
    """Every test's documents under its own temporary folder."""


def records_for(case: Case, *, patient_user: Any, navigator: Any) -> dict[str, Any]:
    """One of each record for `case`: items of each FHIR kind, a chase task, an agreed plan and
    its next draft, a treatment summary, a message (and the nudge it sends), a sharing choice."""
    reference_data_restore()
    now = timezone.now()
    appointment = tracked_item_create(
        case=case, kind=ItemKind.APPOINTMENT, state=ItemState.BOOKED, title="Clinic appointment",
        expected_by=timezone.localdate(), starts_at=now + dt.timedelta(days=3),
        location="Outpatients, level 2", what_to_bring="Your medicines", actor=navigator,
    )  # fmt: skip
    referral = tracked_item_create(
        case=case, kind=ItemKind.REFERRAL, title="Referral to the hospice",
        expected_by=timezone.localdate() + dt.timedelta(days=7),
        responsible_provider=case.team.organisation, actor=navigator,
    )  # fmt: skip
    result = tracked_item_create(
        case=case, kind=ItemKind.RESULT, title="Scan result",
        expected_by=timezone.localdate() - dt.timedelta(days=2), actor=navigator,
    )  # fmt: skip
    chase = ChaseTask.objects.create(item=result, assigned_to=navigator)
    plan = complete(case, patient_user, ratings={"money": 6, "pain": 3}, distress=5).plan
    agreed = careplans.care_plan_agree(
        plan=plan, lock_version=plan.lock_version, actor=patient_user, how="online"
    )
    draft = careplans.care_plan_revise(plan=agreed, actor=navigator)
    summary = TreatmentSummary.objects.create(
        case=case, diagnosis="Lung cancer, stage 2", treatment_given="Surgery, March 2026",
        intent=TreatmentSummary.Intent.CURATIVE, red_flags="A new cough: call the team.",
        contacts="The lung team, 0113 496 0000", written_by="Dr Rao, oncologist",
        written_on=timezone.localdate(), updated_by=navigator,
    )  # fmt: skip
    message = case_message_post(case=case, author=navigator, body="Your scan is booked.")
    sharing_set(patient=case.patient, allowed=True, actor=patient_user)
    nudge = OutboundMessage.objects.filter(subject_id=case.patient_id).first()
    letter = document_add(
        case=case, by=patient_user, upload=upload(), kind=CaseDocument.Kind.APPOINTMENT_LETTER,
        title="Letter about the scan", dated=timezone.localdate(),
    )  # fmt: skip
    staff_note = document_add(
        case=case, by=navigator, upload=upload(PNG_BYTES, "mdt.png", "image/png"),
        kind=CaseDocument.Kind.RESULT, title="MDT outcome", dated=timezone.localdate(),
        visibility=CaseDocument.Visibility.CARE_TEAM,
    )  # fmt: skip
    return {
        "appointment": appointment,
        "referral": referral,
        "result": result,
        "chase": chase,
        "agreed": agreed,
        "draft": draft,
        "summary": summary,
        "message": message,
        "nudge": nudge,
        "letter": letter,
        "staff_note": staff_note,
    }


@pytest.fixture
def paul_records(cast: Any) -> dict[str, Any]:
    return records_for(cast.paul_case, patient_user=cast.paul, navigator=cast.nadia)


@pytest.fixture
def olive_records(cast: Any) -> dict[str, Any]:
    return records_for(cast.olive_case, patient_user=cast.olive, navigator=cast.oscar)
