"""Follow-up rules: recording an event in the case creates what the patient now waits for."""

import datetime as dt

import pytest

from appointments.models import (
    FollowUpRule,
    ItemKind,
    ItemState,
    TeamFollowUpOffset,
    TrackedItem,
)
from appointments.services import follow_ups_from_event
from patients.models import TimelineEvent
from patients.services import timeline_event_add
from tests.appointments.chase_helpers import MORNING, TODAY, hospital

pytestmark = pytest.mark.django_db

Kind = TimelineEvent.Kind


@pytest.fixture(autouse=True)
def morning(time_machine):
    time_machine.move_to(MORNING, tick=False)


def record(cast, kind, *, days_ago=0):
    return timeline_event_add(
        case=cast.paul_case,
        by=cast.colin,
        kind=kind,
        occurred_at=TODAY - dt.timedelta(days=days_ago),
        summary="Recorded for the test",
    )


def expected(event):
    """(kind, state, expected_by, title) of each item the event created, sorted."""
    return sorted(
        (item.kind, item.state, item.expected_by, item.title)
        for item in TrackedItem.objects.filter(source_event=event)
    )


def day(offset):
    return TODAY + dt.timedelta(days=offset)


def test_a_discharge_schedules_check_ins_the_follow_up_the_summary_and_the_assessment(cast):
    trust = hospital(cast)

    event = record(cast, Kind.DISCHARGE)

    assert expected(event) == sorted(
        [
            (
                ItemKind.CHECK_IN,
                ItemState.DUE,
                day(3),
                "Check-in with your cancer support team after leaving hospital",
            ),
            (
                ItemKind.CHECK_IN,
                ItemState.DUE,
                day(42),
                "Check-in with your cancer support team (6 weeks)",
            ),
            (
                ItemKind.CHECK_IN,
                ItemState.DUE,
                day(84),
                "Check-in with your cancer support team (12 weeks)",
            ),
            (
                ItemKind.FOLLOW_UP,
                ItemState.TO_BE_BOOKED,
                day(14),
                "Follow-up appointment to be booked",
            ),
            (
                ItemKind.TREATMENT_SUMMARY,
                ItemState.DUE,
                day(14),
                "Treatment summary to reach your GP",
            ),
            (
                ItemKind.ASSESSMENT_OFFER,
                ItemState.OFFERED,
                day(14),
                "A chat about your needs after treatment",
            ),
        ]
    )
    summary = TrackedItem.objects.get(source_event=event, kind=ItemKind.TREATMENT_SUMMARY)
    assert summary.responsible_provider == trust
    check_in = TrackedItem.objects.filter(source_event=event, kind=ItemKind.CHECK_IN).first()
    assert check_in.responsible_person == cast.nadia
    assert check_in.created_by == cast.colin


def test_a_team_sets_its_own_check_in_after_discharge(cast):
    rule = FollowUpRule.objects.get(code="discharge-check-in")
    TeamFollowUpOffset.objects.create(rule=rule, team=cast.paul_case.team, offset_days=5)

    event = record(cast, Kind.DISCHARGE)

    assert TrackedItem.objects.get(source_event=event, rule=rule).expected_by == day(5)


def test_the_end_of_treatment_also_offers_an_assessment(cast):
    event = record(cast, Kind.END_OF_TREATMENT)

    kinds = [kind for kind, *_ in expected(event)]
    assert sorted(kinds) == sorted(
        [ItemKind.CHECK_IN] * 3
        + [ItemKind.FOLLOW_UP, ItemKind.TREATMENT_SUMMARY, ItemKind.ASSESSMENT_OFFER]
    )
    offer = TrackedItem.objects.get(source_event=event, kind=ItemKind.ASSESSMENT_OFFER)
    assert offer.expected_by == day(14)


def test_a_diagnosis_schedules_the_gp_cancer_care_review_offer_and_review(cast):
    event = record(cast, Kind.DIAGNOSIS, days_ago=2)

    assert expected(event) == [
        (
            ItemKind.CANCER_CARE_REVIEW,
            ItemState.DUE,
            day(89),
            "Your GP offers you a Cancer Care Review",
        ),
        (
            ItemKind.CANCER_CARE_REVIEW,
            ItemState.DUE,
            day(363),
            "Your Cancer Care Review with your GP",
        ),
    ]
    assert {i.responsible_provider for i in TrackedItem.objects.filter(source_event=event)} == {
        cast.gp_practice
    }


@pytest.mark.parametrize("kind", [Kind.REFERRAL, Kind.URGENT_REFERRAL])
def test_a_referral_expects_booking(cast, kind):
    event = record(cast, kind, days_ago=1)

    assert expected(event) == [
        (
            ItemKind.REFERRAL,
            ItemState.SENT,
            day(13),
            "Appointment with another hospital to be booked"
            if kind == Kind.REFERRAL
            else "Appointment after your urgent referral to be booked",
        )
    ]


def test_a_scan_done_expects_its_report_within_7_days(cast):
    event = record(cast, Kind.RESULT, days_ago=3)

    assert expected(event) == [
        (ItemKind.RESULT, ItemState.DONE, day(4), "Your test or scan result")
    ]


def test_every_active_rule_creates_its_item_from_its_trigger(cast):
    """The rules are data: whatever rows exist, each makes one item per event."""
    rules = list(FollowUpRule.objects.filter(active=True))
    assert len(rules) >= 10
    for rule in rules:
        event = record(cast, rule.trigger)
        item = TrackedItem.objects.get(source_event=event, rule=rule)
        assert item.kind == rule.item_kind
        assert item.expected_by == day(rule.offset_days)
        # Created in the rule's state (an assessment offer made while another is open is
        # cancelled at once: the person is asked once, tests/careplans/test_discharge.py).
        assert item.transitions.first().to_state == (rule.item_state or item.workflow.initial)


def test_a_tuned_rule_applies_to_the_next_event(cast):
    FollowUpRule.objects.filter(code="referral-booking").update(offset_days=5)
    FollowUpRule.objects.filter(code="urgent-referral-booking").update(active=False)

    assert expected(record(cast, Kind.REFERRAL))[0][2] == day(5)
    assert expected(record(cast, Kind.URGENT_REFERRAL)) == []


def test_the_same_event_never_makes_its_items_twice(cast):
    event = record(cast, Kind.DISCHARGE)
    before = TrackedItem.objects.count()

    assert follow_ups_from_event(event=event) == []
    assert TrackedItem.objects.count() == before


def test_a_discharge_recorded_late_skips_check_ins_already_past(cast):
    event = record(cast, Kind.DISCHARGE, days_ago=50)

    check_ins = TrackedItem.objects.filter(source_event=event, kind=ItemKind.CHECK_IN)
    assert [i.expected_by for i in check_ins] == [day(34)]
    # The follow-up and summary are late already: they are chased from the next run.
    follow_up = TrackedItem.objects.get(source_event=event, kind=ItemKind.FOLLOW_UP)
    assert follow_up.next_chase_on == day(-35)


def test_events_without_rules_create_nothing(cast):
    event = record(cast, Kind.NOTE)

    assert expected(event) == []


def test_opening_a_case_with_a_diagnosis_date_tracks_the_cancer_care_review(cast):
    from patients.services import case_open

    case = case_open(
        opened_by=cast.nadia,
        team=cast.team,
        nhs_number="943 476 5919",
        given_name="Rita",
        family_name="Patel",
        date_of_birth=dt.date(1961, 7, 3),
        phone="07700 900 456",
        tumour_site="Breast",
        diagnosis_date=TODAY - dt.timedelta(days=1),
        gp_practice=cast.gp_practice,
    )

    items = TrackedItem.objects.filter(case=case).order_by("expected_by")
    assert [(i.kind, i.expected_by) for i in items] == [
        (ItemKind.CANCER_CARE_REVIEW, day(90)),
        (ItemKind.CANCER_CARE_REVIEW, day(364)),
    ]
