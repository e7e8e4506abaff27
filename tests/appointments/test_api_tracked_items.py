"""The tracked items API: items, transitions and chase tasks, under the case's rules."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from appointments.models import ChaseRecord, ChaseTask, ItemKind, ItemState, TrackedItem
from appointments.services import tracked_item_create
from navigator.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def wednesday(time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 12, 10, 0, tzinfo=LONDON), tick=True)


def items_url(case) -> str:
    return f"/api/cases/{case.pk}/tracked-items/"


def appointment(case, actor, **extra) -> TrackedItem:
    args = {
        "case": case,
        "kind": ItemKind.APPOINTMENT,
        "state": ItemState.BOOKED,
        "title": "Clinic appointment",
        "expected_by": dt.date(2025, 3, 14),
        "actor": actor,
        "starts_at": dt.datetime(2025, 3, 14, 10, 30, tzinfo=LONDON),
        "location": "St James's Hospital",
    }
    return tracked_item_create(**{**args, **extra})


def post(client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("who", ["nadia", "lena", "colin", "paul", "carol"])
def test_the_case_and_the_patients_side_see_the_tracked_items(client, cast, who):
    item = appointment(cast.paul_case, cast.nadia)
    appointment(cast.olive_case, cast.oscar, title="Someone else's")
    client.force_login(getattr(cast, who))
    response = client.get(items_url(cast.paul_case))
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == str(item.pk)
    assert row["state"] == "booked" and row["state_label"] == "Booked"
    assert row["allowed_states"] == ["attended", "did_not_attend", "cancelled", "booked"]
    assert row["location"] == "St James's Hospital"


@pytest.mark.parametrize("who", ["oscar", "olive", "adam"])
def test_anyone_outside_the_case_gets_404_and_no_hint(client, cast, who):
    item = appointment(cast.paul_case, cast.nadia)
    client.force_login(getattr(cast, who))
    assert client.get(items_url(cast.paul_case)).status_code == 404
    assert client.get(f"{items_url(cast.paul_case)}{item.pk}/").status_code == 404
    transition = post(
        client, f"{items_url(cast.paul_case)}{item.pk}/transitions/", {"to_state": "attended"}
    )
    assert transition.status_code == 404
    # No access recorded; the three refusals are in the security log.
    entries = AuditEvent.objects.filter(actor=getattr(cast, who))
    assert not entries.exclude(action=AuditEvent.Action.REFUSE).exists()
    assert entries.refusals().count() == 3


def test_reading_is_audited(client, cast):
    client.force_login(cast.colin)
    client.get(items_url(cast.paul_case))
    event = AuditEvent.objects.get(actor=cast.colin)
    assert event.summary == "Looked at the tracked items through the API"
    assert event.patient_id == cast.paul_patient.pk


def test_staff_on_the_case_start_tracking_an_item(client, cast):
    client.force_login(cast.nadia)
    response = post(
        client,
        items_url(cast.paul_case),
        {"kind": "result", "title": "Your blood test result", "expected_by": "2025-03-20"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["state"]) == ("result", "requested")
    assert body["transitions"][0]["to_state"] == "requested"
    assert TrackedItem.objects.get(pk=body["id"]).case == cast.paul_case


@pytest.mark.parametrize("who", ["paul", "carol"])
def test_the_patients_side_cannot_create_or_move_items(client, cast, who):
    item = appointment(cast.paul_case, cast.nadia)
    client.force_login(getattr(cast, who))
    create = post(
        client,
        items_url(cast.paul_case),
        {"kind": "result", "title": "x", "expected_by": "2025-03-20"},
    )
    assert create.status_code == 404
    move = post(
        client, f"{items_url(cast.paul_case)}{item.pk}/transitions/", {"to_state": "attended"}
    )
    assert move.status_code == 404
    item.refresh_from_db()
    assert item.state == "booked"


def test_a_bad_item_is_a_400_saying_which_field(client, cast):
    client.force_login(cast.nadia)
    response = post(
        client,
        items_url(cast.paul_case),
        {
            "kind": "appointment",
            "title": "Clinic",
            "expected_by": "2025-03-20",
            "state": "reported",
        },
    )
    assert response.status_code == 400
    assert "state" in response.json()
    assert "to be booked" in response.json()["state"][0]
    missing = post(client, items_url(cast.paul_case), {"kind": "nonsense"})
    assert missing.status_code == 400
    assert set(missing.json()) >= {"kind", "title", "expected_by"}


def test_a_transition_moves_the_item_and_records_who(client, cast):
    item = appointment(cast.paul_case, cast.nadia)
    client.force_login(cast.colin)
    response = post(
        client,
        f"{items_url(cast.paul_case)}{item.pk}/transitions/",
        {"to_state": "attended", "note": "Seen in clinic"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "attended" and body["is_open"] is False
    last = body["transitions"][-1]
    assert (last["from_state"], last["to_state"], last["by_name"]) == (
        "booked",
        "attended",
        "Colin Shaw",
    )


@pytest.mark.parametrize("to_state", ["reported", "sent_to_gp", "not-a-state", ""])
def test_an_invalid_transition_is_a_400_with_a_clear_message(client, cast, to_state):
    item = appointment(cast.paul_case, cast.nadia)
    client.force_login(cast.nadia)
    response = post(
        client, f"{items_url(cast.paul_case)}{item.pk}/transitions/", {"to_state": to_state}
    )
    assert response.status_code == 400
    message = response.json()["to_state"][0]
    if to_state:
        assert message.startswith("Appointment that is booked cannot become")
        assert "It can become: attended, did not attend, cancelled, booked." in message
    item.refresh_from_db()
    assert item.state == "booked"


def test_a_stale_transition_is_refused(client, cast):
    item = appointment(cast.paul_case, cast.nadia)
    client.force_login(cast.nadia)
    url = f"{items_url(cast.paul_case)}{item.pk}/transitions/"
    assert (
        post(client, url, {"to_state": "booked", "expected_version": item.version}).status_code
        == 200
    )
    stale = post(client, url, {"to_state": "attended", "expected_version": item.version})
    assert stale.status_code == 400
    assert "Someone else changed this item" in stale.json()["to_state"][0]


def test_an_item_of_another_case_is_404_under_this_case(client, cast):
    olive_item = appointment(cast.olive_case, cast.oscar)
    client.force_login(cast.nadia)
    assert client.get(f"{items_url(cast.paul_case)}{olive_item.pk}/").status_code == 404
    move = post(
        client, f"{items_url(cast.paul_case)}{olive_item.pk}/transitions/", {"to_state": "attended"}
    )
    assert move.status_code == 404


def chase_task(cast) -> ChaseTask:
    item = appointment(cast.paul_case, cast.nadia)
    return ChaseTask.objects.create(item=item, assigned_to=cast.nadia)


def test_staff_on_the_case_list_and_record_chase_tasks(client, cast):
    task = chase_task(cast)
    client.force_login(cast.lena)
    listed = client.get(f"/api/cases/{cast.paul_case.pk}/chase-tasks/")
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert (row["id"], row["status"], row["assigned_to"]) == (str(task.pk), "open", "Nadia Khan")

    url = f"/api/cases/{cast.paul_case.pk}/chase-tasks/{task.pk}/records/"
    recorded = post(client, url, {"outcome": "Phoned the clinic", "next_chase_on": "2025-03-17"})
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["by_name"] == "Lena Ward"
    task.refresh_from_db()
    assert task.status == "done"

    again = post(client, url, {"outcome": "Phoned again", "next_chase_on": "2025-03-17"})
    assert again.status_code == 400
    assert "already been recorded" in again.json()["outcome"][0]
    assert ChaseRecord.objects.count() == 1


def test_a_chase_record_in_the_past_is_refused(client, cast):
    task = chase_task(cast)
    client.force_login(cast.nadia)
    url = f"/api/cases/{cast.paul_case.pk}/chase-tasks/{task.pk}/records/"
    response = post(client, url, {"outcome": "Phoned", "next_chase_on": "2025-03-01"})
    assert response.status_code == 400
    assert "today or in the future" in response.json()["next_chase_on"][0]


@pytest.mark.parametrize("who", ["paul", "carol", "oscar", "olive", "adam"])
def test_chase_tasks_are_for_staff_on_the_case_only(client, cast, who):
    task = chase_task(cast)
    client.force_login(getattr(cast, who))
    assert client.get(f"/api/cases/{cast.paul_case.pk}/chase-tasks/").status_code == 404
    url = f"/api/cases/{cast.paul_case.pk}/chase-tasks/{task.pk}/records/"
    assert post(client, url, {"outcome": "x", "next_chase_on": "2025-03-17"}).status_code == 404
    task.refresh_from_db()
    assert task.status == "open"


def test_the_endpoints_are_in_the_schema(client, cast):
    client.force_login(cast.nadia)
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert {
        "/api/cases/{case_id}/tracked-items/",
        "/api/cases/{case_id}/tracked-items/{item_id}/",
        "/api/cases/{case_id}/tracked-items/{item_id}/transitions/",
        "/api/cases/{case_id}/chase-tasks/",
        "/api/cases/{case_id}/chase-tasks/{task_id}/records/",
        "/api/teams/{team_id}/imports/hospital/",
    } <= set(paths)
