"""A patient starts a Holistic Needs Assessment from their home page with nothing offered: it is
recorded as an offer they asked for (audited, tracked, on the case's assessments like one staff
made, but not sent to them), taken up at once; an offer already made is taken up as it is."""

import pytest
from django.urls import reverse

from appointments.models import ItemKind, ItemState, TrackedItem
from careplans import services
from careplans.models import Assessment, AssessmentOffer
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from patients.models import CarerAccess

pytestmark = pytest.mark.django_db
HOME = reverse("home")
START = "Start your Holistic Needs Assessment"


def test_home_offers_a_start_when_nothing_is_offered_or_under_way(client, cast):
    client.force_login(cast.paul)
    html = client.get(HOME).content.decode()
    assert START in html
    assert reverse("careplans:assessment_start", args=[cast.paul_case.id]) in html


def test_starting_with_nothing_offered_records_an_offer_they_asked_for(client, cast):
    client.force_login(cast.paul)
    response = client.post(reverse("careplans:assessment_start", args=[cast.paul_case.id]))
    assessment = Assessment.objects.get(case=cast.paul_case)
    assert response["Location"] == reverse(
        "careplans:assessment_step", args=[cast.paul_case.id, assessment.pk, 1]
    )
    assert assessment.completed_by == Assessment.CompletedBy.PATIENT
    assert assessment.started_by == cast.paul
    # The first assessment of a case, as one started without an offer: at diagnosis.
    assert assessment.pathway_point == Assessment.PathwayPoint.DIAGNOSIS
    offer = AssessmentOffer.objects.get(case=cast.paul_case)
    assert offer.reason == AssessmentOffer.Reason.ON_REQUEST
    assert offer.offered_by == cast.paul
    assert offer.status == Assessment.OfferStatus.ACCEPTED and offer.assessment == assessment
    assert offer.not_sent_reason == "" and offer.message is None
    assert not OutboundMessage.objects.filter(kind="assessment_offer").exists()
    tracked = TrackedItem.objects.get(pk=offer.tracked_item_id)
    assert tracked.kind == ItemKind.ASSESSMENT_OFFER and tracked.state == ItemState.COMPLETED
    audited = AuditEvent.objects.filter(actor=cast.paul, patient_id=cast.paul_patient.id)
    assert audited.filter(object_id=str(offer.pk), summary__startswith="Offered").exists()
    assert audited.filter(object_id=str(assessment.pk), summary__startswith="Started").exists()

    # Home now says carry on, not start; the navigator sees the asked-for offer on the case.
    html = client.get(HOME).content.decode()
    assert "Carry on" in html and START not in html
    client.force_login(cast.nadia)
    page = client.get(reverse("careplans:assessment_list", args=[cast.paul_case.id]))
    assert "Asked for" in page.content.decode()


def test_a_second_press_carries_on_the_same_assessment(client, cast):
    client.force_login(cast.paul)
    url = reverse("careplans:assessment_start", args=[cast.paul_case.id])
    first, second = client.post(url), client.post(url)
    assert first["Location"] == second["Location"]
    assert Assessment.objects.filter(case=cast.paul_case).count() == 1
    assert AssessmentOffer.objects.filter(case=cast.paul_case).count() == 1


def test_an_offer_already_made_is_taken_up_as_it_is(client, cast):
    offer = services.assessment_offer(
        case=cast.paul_case, reason=AssessmentOffer.Reason.END_OF_TREATMENT, actor=cast.nadia
    )
    client.force_login(cast.paul)
    html = client.get(HOME).content.decode()
    assert "Start now" in html and START not in html
    client.post(reverse("careplans:assessment_start", args=[cast.paul_case.id]))
    offer.refresh_from_db()
    assert AssessmentOffer.objects.filter(case=cast.paul_case).count() == 1
    assert offer.status == Assessment.OfferStatus.ACCEPTED
    assert offer.assessment.pathway_point == Assessment.PathwayPoint.END_OF_TREATMENT


def test_a_later_assessment_asked_for_is_during_treatment(cast):
    first = services.assessment_self_start(
        case=cast.paul_case, actor=cast.paul, completed_by=Assessment.CompletedBy.PATIENT
    )
    Assessment.objects.filter(pk=first.pk).update(submitted_at=first.started_at)
    later = services.assessment_self_start(
        case=cast.paul_case, actor=cast.paul, completed_by=Assessment.CompletedBy.PATIENT
    )
    assert later.pk != first.pk
    assert later.pathway_point == Assessment.PathwayPoint.DURING_TREATMENT


def test_a_carer_who_may_only_look_is_not_offered_a_start_and_cannot_post_one(client, cast):
    client.force_login(cast.carol)
    assert START not in client.get(HOME).content.decode()
    assert "Start Paul's Holistic" not in client.get(HOME).content.decode()
    response = client.post(reverse("careplans:assessment_start", args=[cast.paul_case.id]))
    assert response.status_code == 404
    assert not AssessmentOffer.objects.exists() and not Assessment.objects.exists()


def test_a_carer_who_may_act_starts_it_for_the_patient(client, cast):
    CarerAccess.objects.filter(pk=cast.carol_grant.pk).update(level=CarerAccess.Level.ACT)
    client.force_login(cast.carol)
    assert "Start Paul's Holistic Needs Assessment" in client.get(HOME).content.decode()
    client.post(reverse("careplans:assessment_start", args=[cast.paul_case.id]))
    assessment = Assessment.objects.get(case=cast.paul_case)
    assert assessment.completed_by == Assessment.CompletedBy.PROXY
    assert AssessmentOffer.objects.get(case=cast.paul_case).offered_by == cast.carol


def test_someone_else_cannot_start_one_on_paul(client, cast):
    client.force_login(cast.olive)
    response = client.post(reverse("careplans:assessment_start", args=[cast.paul_case.id]))
    assert response.status_code == 404
    assert not AssessmentOffer.objects.exists()


def test_a_closed_case_offers_no_start(client, cast):
    cast.paul_case.status = cast.paul_case.Status.CLOSED
    cast.paul_case.save()
    client.force_login(cast.paul)
    html = client.get(f"{HOME}?case={cast.paul_case.id}").content.decode()
    assert "What happens next" in html and START not in html
