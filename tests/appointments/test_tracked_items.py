"""Tracked items: every kind's workflow, refused moves, closing, and the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from appointments.models import (
    WORKFLOWS,
    ChaseTask,
    ItemKind,
    ItemState,
    TrackedItem,
    TrackedItemTransition,
)
from appointments.services import chase_run, tracked_item_create, tracked_item_transition
from navigator.audit.models import AuditEvent
from patients.models import Case
from tests.appointments.chase_helpers import MORNING, TODAY, overdue_item

pytestmark = pytest.mark.django_db

MOVES = [
    (kind, from_state, to_state)
    for kind, workflow in WORKFLOWS.items()
    for from_state, targets in workflow.transitions.items()
    for to_state in targets
]


@pytest.fixture(autouse=True)
def morning(time_machine):
    time_machine.move_to(MORNING, tick=False)


def make(cast, kind=ItemKind.RESULT, **extra):
    extra.setdefault("expected_by", TODAY + dt.timedelta(days=10))
    return tracked_item_create(
        case=cast.paul_case,
        kind=kind,
        title="Something you are waiting for",
        actor=cast.nadia,
        **extra,
    )


def test_a_new_item_starts_in_its_kinds_first_state_and_is_chased_after_expected_by(cast):
    item = make(cast, ItemKind.REFERRAL)

    assert item.state == ItemState.SENT
    assert item.is_open
    assert item.next_chase_on == TODAY + dt.timedelta(days=11)
    [first] = item.transitions.all()
    assert (first.from_state, first.to_state, first.by) == ("", ItemState.SENT, cast.nadia)
    assert AuditEvent.objects.filter(
        object_id=str(item.id), action="create", patient_id=cast.paul_patient.id
    ).exists()


def test_a_check_in_is_chased_on_its_day(cast):
    item = make(cast, ItemKind.CHECK_IN, expected_by=TODAY)

    assert item.next_chase_on == TODAY


@pytest.mark.parametrize(("kind", "from_state", "to_state"), MOVES)
def test_every_allowed_move_is_made_and_recorded(cast, kind, from_state, to_state):
    item = make(cast, kind, state=from_state)

    moved = tracked_item_transition(item=item, to_state=to_state, actor=cast.colin, note="Phoned")

    workflow = WORKFLOWS[kind]
    assert moved.state == to_state
    assert moved.is_open is (to_state not in workflow.closed)
    assert (moved.next_chase_on is None) is (to_state in workflow.closed)
    last = moved.transitions.last()
    assert (last.from_state, last.to_state, last.by, last.note) == (
        from_state,
        to_state,
        cast.colin,
        "Phoned",
    )
    assert moved.version == item.version + 1


@pytest.mark.parametrize("kind", list(WORKFLOWS))
def test_moves_outside_the_workflow_are_refused_and_change_nothing(cast, kind):
    workflow = WORKFLOWS[kind]
    for from_state in workflow.states:
        item = make(cast, kind, state=from_state)
        for to_state in set(ItemState.values) - set(workflow.allowed_from(from_state)):
            with pytest.raises(ValidationError) as refused:
                tracked_item_transition(item=item, to_state=to_state, actor=cast.nadia)
            [message] = refused.value.message_dict["to_state"]
            assert "cannot" in message
        item.refresh_from_db()
        assert item.state == from_state
        assert item.transitions.count() == 1


def test_the_refusal_names_what_is_allowed(cast):
    item = make(cast, ItemKind.RESULT, state=ItemState.REQUESTED)

    with pytest.raises(ValidationError) as refused:
        tracked_item_transition(item=item, to_state=ItemState.REPORTED, actor=cast.nadia)

    assert refused.value.message_dict["to_state"] == [
        "Test or scan result that is requested cannot become reported. "
        "It can become: done, report awaited, cancelled."
    ]


def test_a_result_marked_done_expects_its_report_within_7_days(cast, time_machine):
    item = make(cast, ItemKind.RESULT, expected_by=TODAY - dt.timedelta(days=3))
    time_machine.move_to(MORNING + dt.timedelta(days=2), tick=False)

    done = tracked_item_transition(item=item, to_state=ItemState.DONE, actor=cast.colin)

    assert done.expected_by == TODAY + dt.timedelta(days=9)
    assert done.next_chase_on == TODAY + dt.timedelta(days=10)


def test_closing_an_item_closes_its_chase_task_and_stops_the_chase(cast):
    item = overdue_item(cast)
    chase_run()
    assert ChaseTask.objects.get(item=item).is_open

    closed = tracked_item_transition(item=item, to_state=ItemState.DONE, actor=cast.colin)
    closed = tracked_item_transition(item=closed, to_state=ItemState.REPORTED, actor=cast.colin)

    assert closed.closed_at is not None
    assert closed.next_chase_on is None
    assert not ChaseTask.objects.filter(item=item, status=ChaseTask.Status.OPEN).exists()


def test_a_stale_move_is_refused(cast):
    item = make(cast, ItemKind.APPOINTMENT)
    tracked_item_transition(item=item, to_state=ItemState.BOOKED, actor=cast.nadia)

    with pytest.raises(ValidationError) as refused:
        tracked_item_transition(
            item=item,
            to_state=ItemState.CANCELLED,
            actor=cast.colin,
            expected_version=item.version,
        )

    assert "Someone else changed this item" in refused.value.message_dict["to_state"][0]
    item.refresh_from_db()
    assert item.state == ItemState.BOOKED


def test_a_missed_appointment_can_be_rebooked_with_a_new_date(cast):
    item = make(cast, ItemKind.APPOINTMENT, state=ItemState.BOOKED)
    missed = tracked_item_transition(item=item, to_state=ItemState.DID_NOT_ATTEND, actor=None)
    assert not missed.is_open

    again = tracked_item_transition(
        item=missed,
        to_state=ItemState.TO_BE_BOOKED,
        actor=cast.nadia,
        expected_by=TODAY + dt.timedelta(days=5),
    )

    assert again.is_open
    assert again.next_chase_on == TODAY + dt.timedelta(days=6)


def test_creating_checks_its_input_all_at_once(cast):
    with pytest.raises(ValidationError) as refused:
        tracked_item_create(
            case=cast.paul_case,
            kind="x-ray",
            title="  ",
            expected_by="soon",
            actor=cast.nadia,
            external_id="A1",
        )

    assert set(refused.value.message_dict) == {"kind", "title", "expected_by", "external_id"}
    assert not TrackedItem.objects.exists()


def test_a_state_from_another_kind_is_refused(cast):
    with pytest.raises(ValidationError) as refused:
        make(cast, ItemKind.REFERRAL, state=ItemState.REPORTED)

    assert "state" in refused.value.message_dict


def test_an_imported_item_is_unique_in_its_source_system(cast):
    make(cast, ItemKind.APPOINTMENT, external_id="APT-1", source_system="PAS")

    with pytest.raises(ValidationError) as refused:
        make(cast, ItemKind.APPOINTMENT, external_id="APT-1", source_system="PAS")

    assert "already tracked" in refused.value.message_dict["external_id"][0]
    make(cast, ItemKind.APPOINTMENT, external_id="APT-1", source_system="RIS")


def test_a_closed_case_takes_no_new_items(cast):
    Case.objects.filter(pk=cast.paul_case.pk).update(status=Case.Status.CLOSED)
    cast.paul_case.refresh_from_db()

    with pytest.raises(ValidationError):
        make(cast)

    assert not TrackedItemTransition.objects.exists()


def test_a_booked_appointment_is_expected_on_its_day(cast):
    starts = MORNING + dt.timedelta(days=20)
    item = make(cast, ItemKind.APPOINTMENT, starts_at=starts)

    booked = tracked_item_transition(item=item, to_state=ItemState.BOOKED, actor=cast.nadia)

    assert booked.expected_by == TODAY + dt.timedelta(days=20)
    assert booked.next_chase_on == TODAY + dt.timedelta(days=21)


def test_a_booked_follow_up_without_a_date_is_expected_within_4_weeks(cast):
    item = make(cast, ItemKind.FOLLOW_UP, expected_by=TODAY - dt.timedelta(days=2))

    booked = tracked_item_transition(item=item, to_state=ItemState.BOOKED, actor=cast.nadia)

    assert booked.expected_by == TODAY + dt.timedelta(days=28)
