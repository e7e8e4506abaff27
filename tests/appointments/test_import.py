"""Importing appointments and results from a hospital system: idempotent, all rows or none."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from appointments.models import TrackedItem, TrackedItemTransition
from navigator.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def wednesday(time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 12, 10, 0, tzinfo=LONDON), tick=True)


def url(team) -> str:
    return f"/api/teams/{team.pk}/imports/hospital/"


def send(client, team, rows, source="PAS"):
    return client.post(
        url(team),
        data=json.dumps({"source_system": source, "rows": rows}),
        content_type="application/json",
    )


def appointment_row(cast, external_id="APPT-1", **extra) -> dict:
    return {
        "external_id": external_id,
        "kind": "appointment",
        "nhs_number": cast.paul_patient.nhs_number,
        "title": "Clinic appointment",
        "state": "booked",
        "starts_at": "2025-03-20T09:15:00+00:00",
        "location": "St James's Hospital, Outpatients B",
        "what_to_bring": "Your glasses",
        **extra,
    }


def result_row(cast, external_id="RES-1", **extra) -> dict:
    return {
        "external_id": external_id,
        "kind": "result",
        "nhs_number": cast.paul_patient.nhs_number,
        "title": "Your test result",
        "state": "requested",
        "expected_by": "2025-03-26",
        **extra,
    }


def test_rows_create_items_on_the_patients_case(client, cast):
    client.force_login(cast.nadia)
    response = send(client, cast.team, [appointment_row(cast), result_row(cast)])
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    appointment = TrackedItem.objects.get(source_system="PAS", external_id="APPT-1")
    assert appointment.case == cast.paul_case
    assert (appointment.kind, appointment.state) == ("appointment", "booked")
    assert appointment.starts_at == dt.datetime(2025, 3, 20, 9, 15, tzinfo=dt.UTC)
    assert appointment.expected_by == dt.date(2025, 3, 20)
    assert appointment.what_to_bring == "Your glasses"
    result = TrackedItem.objects.get(external_id="RES-1")
    assert (result.kind, result.state, result.expected_by) == (
        "result",
        "requested",
        dt.date(2025, 3, 26),
    )
    assert body["rows"][0] == {
        "row": 0,
        "external_id": "APPT-1",
        "id": str(appointment.pk),
        "result": "created",
    }
    assert AuditEvent.objects.filter(object_id=str(appointment.pk), actor=cast.nadia).exists()


def test_the_same_import_again_changes_nothing(client, cast):
    client.force_login(cast.nadia)
    rows = [appointment_row(cast), result_row(cast)]
    send(client, cast.team, rows)
    transitions = TrackedItemTransition.objects.count()
    versions = list(TrackedItem.objects.order_by("pk").values_list("version", flat=True))

    for _ in range(3):
        again = send(client, cast.team, rows)
        assert again.status_code == 200
        assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (
            0,
            0,
            2,
        )
    assert TrackedItem.objects.count() == 2
    assert TrackedItemTransition.objects.count() == transitions
    assert list(TrackedItem.objects.order_by("pk").values_list("version", flat=True)) == versions


def test_a_changed_row_updates_its_item_and_moves_its_state(client, cast):
    client.force_login(cast.nadia)
    send(client, cast.team, [appointment_row(cast), result_row(cast)])
    moved = appointment_row(cast, starts_at="2025-03-21T14:00:00+00:00", location="Ward 5")
    reported = result_row(cast, state="done")
    response = send(client, cast.team, [moved, reported])
    assert response.status_code == 200, response.content
    assert response.json()["updated"] == 2

    appointment = TrackedItem.objects.get(external_id="APPT-1")
    assert appointment.starts_at == dt.datetime(2025, 3, 21, 14, 0, tzinfo=dt.UTC)
    assert appointment.location == "Ward 5"
    assert appointment.expected_by == dt.date(2025, 3, 21)
    result = TrackedItem.objects.get(external_id="RES-1")
    assert result.state == "done"
    assert result.transitions.last().note == "From PAS"


def test_the_same_external_id_in_another_source_system_is_another_item(client, cast):
    client.force_login(cast.nadia)
    send(client, cast.team, [result_row(cast)], source="PAS")
    send(client, cast.team, [result_row(cast)], source="RIS")
    assert TrackedItem.objects.filter(external_id="RES-1").count() == 2


def test_malformed_rows_are_rejected_row_by_row_and_nothing_is_imported(client, cast):
    client.force_login(cast.nadia)
    rows = [
        appointment_row(cast),
        {"external_id": "BAD-1", "kind": "appointment", "nhs_number": "x"},  # no title
        result_row(cast, kind="scan", expected_by="next week"),
        "not an object",
    ]
    response = send(client, cast.team, rows)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("3 rows could not be imported, so nothing was imported.")
    problems = {row["row"]: row for row in body["rows"]}
    assert set(problems) == {1, 2, 3}
    assert problems[1]["external_id"] == "BAD-1"
    assert "title" in problems[1]["errors"]
    assert set(problems[2]["errors"]) == {"kind", "expected_by"}
    assert not TrackedItem.objects.exists()


def test_a_row_that_cannot_be_applied_rolls_back_the_rows_before_it(client, cast):
    client.force_login(cast.nadia)
    send(client, cast.team, [appointment_row(cast)])
    rows = [
        appointment_row(cast, location="Ward 9"),  # would update the existing item
        result_row(cast, external_id="RES-NEW"),  # would create one
        result_row(cast, external_id="RES-X", nhs_number="9990000018"),  # no such case
        appointment_row(cast, external_id="APPT-2", state="reported"),  # not an appointment state
    ]
    response = send(client, cast.team, rows)
    assert response.status_code == 400, response.content
    problems = {row["row"]: row["errors"] for row in response.json()["rows"]}
    assert set(problems) == {2, 3}
    assert problems[2] == {"nhs_number": ["No open case of this team is for this NHS number."]}
    assert "state" in problems[3]
    assert TrackedItem.objects.get(external_id="APPT-1").location == (
        "St James's Hospital, Outpatients B"
    )
    assert not TrackedItem.objects.filter(external_id__in=["RES-NEW", "APPT-2"]).exists()


def test_the_import_is_audited_on_the_team_once_and_a_rejected_one_not_at_all(client, cast):
    client.force_login(cast.nadia)
    on_team = AuditEvent.objects.filter(object_type="organisations.team")
    rejected = send(client, cast.team, [result_row(cast, nhs_number="9990000018")])
    assert rejected.status_code == 400
    assert not on_team.exists()
    assert not AuditEvent.objects.filter(object_type="appointments.trackeditem").exists()

    assert send(client, cast.team, [appointment_row(cast), result_row(cast)]).status_code == 200
    (entry,) = on_team
    assert (entry.action, entry.actor, entry.object_id) == ("update", cast.nadia, str(cast.team.pk))
    assert entry.summary == "Imported 2 rows from PAS"


def test_an_invalid_state_move_rejects_the_import(client, cast):
    client.force_login(cast.nadia)
    send(client, cast.team, [result_row(cast, state="done")])
    response = send(client, cast.team, [result_row(cast, state="requested")])
    assert response.status_code == 400
    [problem] = response.json()["rows"]
    assert problem["errors"]["to_state"][0].startswith(
        "Test or scan result that is done, report awaited cannot become requested."
    )
    assert TrackedItem.objects.get().state == "done"


def test_duplicate_external_ids_in_one_import_are_refused(client, cast):
    client.force_login(cast.nadia)
    response = send(client, cast.team, [result_row(cast), result_row(cast)])
    assert response.status_code == 400
    assert response.json()["rows"] == [
        {
            "row": 1,
            "external_id": "RES-1",
            "errors": {"external_id": ["Row 0 has the same external_id."]},
        }
    ]
    assert not TrackedItem.objects.exists()


def test_an_item_cannot_move_to_another_case(client, cast):
    client.force_login(cast.nadia)
    send(client, cast.team, [result_row(cast)])
    other = f.make_patient(given="Ann", family="Other", phone="+447700900555")
    f.make_case(patient=other, team=cast.team, navigator=cast.nadia)
    response = send(client, cast.team, [result_row(cast, nhs_number=other.nhs_number)])
    assert response.status_code == 400
    assert "another case" in response.json()["rows"][0]["errors"]["external_id"][0]


def test_a_case_in_another_team_is_not_found_by_this_teams_import(client, cast):
    client.force_login(cast.nadia)
    response = send(client, cast.team, [result_row(cast, nhs_number=cast.olive_patient.nhs_number)])
    assert response.status_code == 400
    assert response.json()["rows"][0]["errors"] == {
        "nhs_number": ["No open case of this team is for this NHS number."]
    }


def test_results_have_no_time_or_place(client, cast):
    client.force_login(cast.nadia)
    response = send(client, cast.team, [result_row(cast, location="Ward 1")])
    assert response.status_code == 400
    assert "location" in response.json()["rows"][0]["errors"]


def test_an_empty_or_oversized_import_is_a_400(client, cast):
    client.force_login(cast.lena)
    assert send(client, cast.team, []).status_code == 400
    too_many = [result_row(cast, external_id=f"R{n}") for n in range(1001)]
    response = send(client, cast.team, too_many)
    assert response.status_code == 400
    assert "rows" in response.json()
    assert not TrackedItem.objects.exists()


@pytest.mark.parametrize("who", ["colin", "oscar", "paul", "carol", "adam"])
def test_only_the_teams_navigators_and_lead_may_import(client, cast, who):
    client.force_login(getattr(cast, who))
    response = send(client, cast.team, [result_row(cast)])
    assert response.status_code == 404
    assert not TrackedItem.objects.exists()


def test_staff_without_mfa_are_told_to_set_it_up(client, cast):
    nora = f.make_user("nora@nav.test", role="navigator", name="Nora Hale")
    f.join(cast.team, nora)
    client.force_login(nora)
    assert send(client, cast.team, [result_row(cast)]).status_code == 403
