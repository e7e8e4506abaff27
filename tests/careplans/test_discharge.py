"""A discharge (or the end of treatment) offers the end-of-treatment needs assessment: the
follow-up rule's item is the offer's tracked item (appointments.hooks.follow_up_created)."""

import datetime as dt

import pytest
from django.urls import reverse

from appointments.models import ItemKind, ItemState, TrackedItem
from careplans.models import Assessment, AssessmentOffer
from careplans.services import assessment_offers_make_due
from navigator.messaging.models import OutboundMessage
from patients.models import TimelineEvent
from patients.services import timeline_event_add
from tests.appointments.chase_helpers import MORNING, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def morning(time_machine):
    time_machine.move_to(MORNING, tick=False)


def record(cast, kind):
    return timeline_event_add(
        case=cast.paul_case, by=cast.nadia, kind=kind, occurred_at=TODAY, summary="Went home"
    )


def test_a_discharge_offers_the_end_of_treatment_assessment_chased_by_the_rules_item(cast):
    event = record(cast, TimelineEvent.Kind.DISCHARGE)

    offer = AssessmentOffer.objects.get(case=cast.paul_case)
    assert offer.reason == AssessmentOffer.Reason.DISCHARGE
    assert offer.pathway_point == Assessment.PathwayPoint.END_OF_TREATMENT
    assert offer.source_event == event
    item = TrackedItem.objects.get(pk=offer.tracked_item_id)
    assert item.source_event == event and item.kind == ItemKind.ASSESSMENT_OFFER
    assert item.state == ItemState.OFFERED
    assert offer.take_by == item.expected_by == TODAY + dt.timedelta(days=14)
    # One item tracks the offer: the rule's, not a second one of careplans' own.
    assert TrackedItem.objects.filter(kind=ItemKind.ASSESSMENT_OFFER).count() == 1
    assert OutboundMessage.objects.filter(idempotency_key=f"assessment-offer:{offer.pk}").exists()


def test_the_offer_appears_on_the_patients_home(cast, client):
    record(cast, TimelineEvent.Kind.DISCHARGE)
    client.force_login(cast.paul)

    page = client.get(reverse("home"))

    assert page.status_code == 200
    assert page.context["home"].offer.reason == AssessmentOffer.Reason.DISCHARGE


def test_an_offer_already_open_stands_and_the_rules_item_is_cancelled(cast):
    record(cast, TimelineEvent.Kind.DISCHARGE)
    first = AssessmentOffer.objects.get()

    event = record(cast, TimelineEvent.Kind.END_OF_TREATMENT)

    assert list(AssessmentOffer.objects.all()) == [first]
    second = TrackedItem.objects.get(source_event=event, kind=ItemKind.ASSESSMENT_OFFER)
    assert second.state == ItemState.CANCELLED
    assert TrackedItem.objects.open().filter(kind=ItemKind.ASSESSMENT_OFFER).count() == 1


def test_the_periodic_offer_job_does_not_offer_again_for_the_event(cast):
    record(cast, TimelineEvent.Kind.DISCHARGE)

    assert assessment_offers_make_due() == 0
    assert AssessmentOffer.objects.count() == 1


def test_the_timeline_shows_what_the_discharge_scheduled(cast, client):
    record(cast, TimelineEvent.Kind.DISCHARGE)
    client.force_login(cast.nadia)

    page = client.get(reverse("patients:timeline", args=[cast.paul_case.pk])).content.decode()

    day = TODAY + dt.timedelta(days=3)
    assert (
        "Check-in with your cancer support team after leaving hospital: expected by "
        f"{day.day} {day:%B %Y} (due)"
    ) in page
    fortnight = TODAY + dt.timedelta(days=14)
    for line in (
        "Follow-up appointment to be booked: expected by",
        "Treatment summary to reach your GP: expected by",
        f"A chat about your needs after treatment: expected by {fortnight.day} "
        f"{fortnight:%B %Y} (offered)",
    ):
        assert line in page
