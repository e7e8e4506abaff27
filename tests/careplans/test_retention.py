"""A case removed under the retention policy takes its assessments, plans, share links and
tracked items with it: careplans removes its own rows through patients' registry (one way up)."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import TrackedItem
from careplans.models import Assessment, AssessmentOffer, CarePlan, PlanItem, ShareLink
from navigator.audit.models import AuditEvent
from patients.models import Case, RetentionReview, RetentionTombstone
from patients.services.retention import retention_due_list, retention_remove
from tests.careplans.sharing_support import shared

pytestmark = pytest.mark.django_db


def test_removing_a_case_removes_its_plans_assessments_links_and_tracked_items(cast, directory):
    shared(cast)
    case = cast.paul_case
    assert CarePlan.objects.filter(case=case).exists()
    assert Assessment.objects.filter(case=case).exists()
    assert TrackedItem.objects.filter(case=case).exists()
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED, closed_at=timezone.now() - dt.timedelta(days=365 * 31)
    )
    retention_due_list()

    tombstone = retention_remove(review=RetentionReview.objects.get(), by=cast.lena)

    assert not Case.objects.filter(pk=case.pk).exists()
    for model in (CarePlan, PlanItem, Assessment, AssessmentOffer, ShareLink, TrackedItem):
        assert not model.objects.exists(), model
    assert tombstone.removed["careplans.CarePlan"] >= 1
    assert tombstone.removed["careplans.ShareLink"] == 1
    assert RetentionTombstone.objects.count() == 1
    # The trail of what was done with the plans is still there.
    assert AuditEvent.objects.filter(
        patient_id=cast.paul_patient.pk, object_type="careplans.careplan"
    ).exists()
