"""The case door records access on the tracked item and chase pages; the service records the
write, once: a form sent back with errors leaves only the access in the trail."""

import pytest
from django.urls import reverse

from appointments.models import ChaseTask, ItemKind, TrackedItem
from appointments.services import chase_run
from navigator.audit.models import AuditEvent
from tests.appointments.chase_helpers import MORNING, hospital, overdue_item
from tests.audit_support import ACCESS, Form, form_sent, others_in, writes_in
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def morning(time_machine):
    time_machine.move_to(MORNING, tick=False)


def _task(cast: Cast) -> ChaseTask:
    item = overdue_item(cast, responsible_provider=hospital(cast))
    chase_run()
    return ChaseTask.objects.get(item=item)


def _chase(task: ChaseTask, outcome: str) -> dict[str, str]:
    prefix = f"chase-{task.pk}"
    return {
        f"{prefix}-outcome": outcome,
        f"{prefix}-next_chase_on-day": "13",
        f"{prefix}-next_chase_on-month": "3",
        f"{prefix}-next_chase_on-year": "2026",
    }


def _move(item: TrackedItem, to_state: str) -> dict[str, str]:
    prefix = f"item-{item.pk}"
    return {
        f"{prefix}-to_state": to_state,
        f"{prefix}-note": "Phoned radiology",
        f"{prefix}-version": str(item.version),
    }


def _new_item(kind: str) -> dict[str, str]:
    return {
        "kind": kind,
        "title": "Appointment at Southshire to be booked",
        "expected_by-day": "20",
        "expected_by-month": "3",
        "expected_by-year": "2026",
    }


FORMS = {
    "item_add": Form(
        who="nadia",
        url=lambda cast, obj: reverse("appointments:item_add", args=[cast.paul_case.pk]),
        bad=lambda cast, obj: _new_item(""),
        good=lambda cast, obj: _new_item(ItemKind.REFERRAL),
        writes=((AuditEvent.Action.CREATE, "appointments.trackeditem"),),
    ),
    "item_transition": Form(
        who="colin",
        setup=lambda cast: overdue_item(cast),
        url=lambda cast, obj: reverse(
            "appointments:item_transition", args=[cast.paul_case.pk, obj.pk]
        ),
        bad=lambda cast, obj: _move(obj, "not a state"),
        good=lambda cast, obj: _move(obj, "done"),
        writes=((AuditEvent.Action.UPDATE, "appointments.trackeditem"),),
    ),
    "chase_record": Form(
        who="nadia",
        setup=_task,
        url=lambda cast, obj: reverse("appointments:chase_record", args=[obj.pk]),
        bad=lambda cast, obj: _chase(obj, ""),
        good=lambda cast, obj: _chase(obj, "Rang radiology: report typed"),
        writes=((AuditEvent.Action.UPDATE, "appointments.trackeditem"),),
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_a_form_sent_back_with_errors_records_the_access_and_no_write(client, cast, name):
    form = FORMS[name]
    response, written = form_sent(client, cast, form, good=False)

    assert response.status_code == 200, response
    assert written == ACCESS


@pytest.mark.parametrize("name", FORMS)
def test_a_good_form_records_the_access_and_one_write_by_the_service(client, cast, name):
    form = FORMS[name]
    response, written = form_sent(client, cast, form, good=True)

    assert response.status_code == 302, response
    assert others_in(written) == ACCESS
    assert writes_in(written) == list(form.writes)
