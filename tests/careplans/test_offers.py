import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from appointments.models import ItemKind, ItemState, TrackedItem
from careplans import services
from careplans.models import Assessment, AssessmentOffer, TriageSettings
from careplans.tasks import offer_assessments_due
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from patients.models import TimelineEvent
from tests.careplans.conftest import complete

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
Status = Assessment.OfferStatus


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def event(case, kind, when, by):
    return TimelineEvent.objects.create(
        case=case, kind=kind, occurred_at=when, summary="Recorded", recorded_by=by
    )


def test_an_offer_is_sent_as_a_line_and_a_link_and_chased_as_a_tracked_item(cast):
    with time_machine.travel(at(2025, 3, 3, 10), tick=False):
        offer = services.assessment_offer(
            case=cast.paul_case, reason=AssessmentOffer.Reason.DIAGNOSIS, actor=cast.nadia
        )
    assert offer.status == Status.OFFERED
    assert offer.pathway_point == Assessment.PathwayPoint.DIAGNOSIS
    assert offer.take_by == dt.date(2025, 3, 17)
    message = OutboundMessage.objects.get(idempotency_key=f"assessment-offer:{offer.pk}")
    assert message.kind == "assessment_offer"
    assert message.channel == "sms" and message.to_address == cast.paul_patient.phone
    assert f"/home/{str(cast.paul_case.pk)[:8]}/assessment/" in message.body
    for clinical in ("Lung", "cancer diagnosis", "distress", cast.paul_patient.given_name):
        assert clinical not in message.body
    tracked = TrackedItem.objects.get(pk=offer.tracked_item_id)
    assert tracked.kind == ItemKind.ASSESSMENT_OFFER
    assert tracked.state == ItemState.OFFERED
    assert tracked.expected_by == offer.take_by
    assert AuditEvent.objects.filter(
        object_id=str(offer.pk), summary__startswith="Offered an assessment"
    ).exists()


def test_a_second_offer_while_one_is_open_asks_once(cast):
    first = services.assessment_offer(
        case=cast.paul_case, reason=AssessmentOffer.Reason.DIAGNOSIS, actor=cast.nadia
    )
    again = services.assessment_offer(
        case=cast.paul_case, reason=AssessmentOffer.Reason.ON_REQUEST, actor=cast.nadia
    )
    assert again.pk == first.pk
    assert AssessmentOffer.objects.count() == 1
    assert OutboundMessage.objects.filter(kind="assessment_offer").count() == 1


def test_starting_the_assessment_takes_up_the_offer_and_closes_its_chase(cast):
    offer = services.assessment_offer(
        case=cast.paul_case, reason=AssessmentOffer.Reason.END_OF_TREATMENT, actor=cast.nadia
    )
    assessment = services.assessment_start(
        case=cast.paul_case, actor=cast.paul, completed_by=Assessment.CompletedBy.PATIENT
    )
    offer.refresh_from_db()
    assert offer.status == Status.ACCEPTED
    assert offer.assessment == assessment
    assert assessment.pathway_point == Assessment.PathwayPoint.END_OF_TREATMENT
    tracked = TrackedItem.objects.get(pk=offer.tracked_item_id)
    assert tracked.state == ItemState.COMPLETED and not tracked.is_open


@pytest.mark.parametrize(
    ("status", "tracked_state"),
    [
        (Status.DECLINED, ItemState.DECLINED),
        (Status.NOT_REQUIRED, ItemState.CANCELLED),
        (Status.UNABLE, ItemState.CANCELLED),
    ],
)
def test_staff_record_what_became_of_an_offer(cast, status, tracked_state):
    offer = services.assessment_offer(
        case=cast.paul_case, reason=AssessmentOffer.Reason.DIAGNOSIS, actor=cast.nadia
    )
    services.assessment_offer_record(offer=offer, status=status, actor=cast.nadia, note="By phone")
    offer.refresh_from_db()
    assert offer.status == status and offer.recorded_by == cast.nadia
    assert offer.note == "By phone"
    assert TrackedItem.objects.get(pk=offer.tracked_item_id).state == tracked_state
    with pytest.raises(ValidationError, match="already been answered"):
        services.assessment_offer_record(offer=offer, status=Status.DECLINED, actor=cast.nadia)


def test_not_offered_needs_a_reason_and_accepted_is_not_recordable(cast):
    offer = services.assessment_offer(
        case=cast.paul_case, reason=AssessmentOffer.Reason.DIAGNOSIS, actor=cast.nadia
    )
    with pytest.raises(ValidationError) as error:
        services.assessment_offer_record(offer=offer, status=Status.NOT_OFFERED, actor=cast.nadia)
    assert "note" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.assessment_offer_record(offer=offer, status=Status.ACCEPTED, actor=cast.nadia)


def test_unable_to_complete_marks_the_started_assessment_too(cast):
    offer = services.assessment_offer(
        case=cast.paul_case, reason=AssessmentOffer.Reason.DIAGNOSIS, actor=cast.nadia
    )
    assessment = services.assessment_start(
        case=cast.paul_case, actor=cast.paul, completed_by=Assessment.CompletedBy.PATIENT
    )
    services.assessment_offer_record(offer=offer, status=Status.UNABLE, actor=cast.nadia)
    assessment.refresh_from_db()
    assert assessment.offer_status == Status.UNABLE


def test_an_offer_to_someone_without_an_account_is_recorded_but_not_sent(cast):
    cast.paul_patient.user = None
    cast.paul_patient.save()
    offer = services.assessment_offer(
        case=cast.paul_case, reason=AssessmentOffer.Reason.DIAGNOSIS, actor=cast.nadia
    )
    assert offer.message is None
    assert "no account" in offer.not_sent_reason
    assert not OutboundMessage.objects.exists()


def test_pathway_events_make_one_offer_each_however_often_the_job_runs(cast):
    with time_machine.travel(at(2025, 3, 3, 10), tick=False):
        discharge = event(cast.paul_case, TimelineEvent.Kind.DISCHARGE, at(2025, 3, 2), cast.nadia)
        event(cast.paul_case, TimelineEvent.Kind.NOTE, at(2025, 3, 2), cast.nadia)
        assert offer_assessments_due() == 1
        assert offer_assessments_due() == 0
    offer = AssessmentOffer.objects.get()
    assert offer.source_event == discharge
    assert offer.reason == AssessmentOffer.Reason.DISCHARGE
    assert offer.pathway_point == Assessment.PathwayPoint.END_OF_TREATMENT
    assert offer.offered_by is None
    assert OutboundMessage.objects.filter(kind="assessment_offer").count() == 1


def test_an_event_waits_while_another_offer_is_open_then_is_offered(cast):
    with time_machine.travel(at(2025, 3, 3, 10), tick=False):
        first = services.assessment_offer(
            case=cast.paul_case, reason=AssessmentOffer.Reason.ON_REQUEST, actor=cast.nadia
        )
        event(cast.paul_case, TimelineEvent.Kind.FIRST_TREATMENT, at(2025, 3, 3), cast.nadia)
        assert offer_assessments_due() == 0
        services.assessment_offer_record(offer=first, status=Status.DECLINED, actor=cast.nadia)
        assert offer_assessments_due() == 1
    assert AssessmentOffer.objects.filter(
        status=Status.OFFERED, reason=AssessmentOffer.Reason.START_OF_TREATMENT
    ).exists()


def test_a_review_is_offered_on_the_teams_interval(cast):
    TriageSettings.objects.create(team=cast.team, assessment_review_interval_days=90)
    with time_machine.travel(at(2025, 1, 6, 10), tick=False):
        complete(cast.paul_case, cast.paul, ratings={}, distress=2)
    with time_machine.travel(at(2025, 4, 5, 10), tick=False):  # 89 days on
        assert offer_assessments_due() == 0
    with time_machine.travel(at(2025, 4, 6, 10), tick=False):  # 90 days on
        assert offer_assessments_due() == 1
        assert offer_assessments_due() == 0
    review = AssessmentOffer.objects.get()
    assert review.reason == AssessmentOffer.Reason.REVIEW
    # Olive's team has the default interval (180 days) and Olive has never been assessed.
    assert not AssessmentOffer.objects.filter(case=cast.olive_case).exists()


def test_the_review_job_keeps_a_constant_number_of_queries(cast, django_assert_max_num_queries):
    from tests import factories as f

    TriageSettings.objects.create(team=cast.team, assessment_review_interval_days=0)
    for n in range(5):
        patient = f.make_patient(given=f"P{n}")
        f.make_case(patient=patient, team=cast.team, navigator=cast.nadia)
    with django_assert_max_num_queries(6):
        assert offer_assessments_due() == 0
