"""The care team, timeline and messages API: the same rules as the pages, bad input as 400s."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from patients.models import CarerAccess, CareTeamMember, CaseMessage, TimelineEvent
from patients.services import case_message_post, timeline_event_add
from tests import factories as f
from tests.api_support import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()


def api(case, what):
    return reverse(f"api-case-{what}", kwargs={"case_id": case.pk})


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def nadia_on_the_team(cast):
    # case_open puts the opener on the care team; the cast's case is made directly.
    return CareTeamMember.objects.create(
        case=cast.paul_case, user=cast.nadia, role=CareTeamMember.Role.NAVIGATOR
    )


def test_care_team_list_shows_the_team_navigator_first(client, cast):
    nadia_on_the_team(cast)
    client.force_login(cast.paul)
    rows = client.get(api(cast.paul_case, "care-team")).json()["results"]
    assert [(r["name"], r["is_named_navigator"]) for r in rows] == [
        ("Nadia Khan", True),
        ("Colin Shaw", False),
    ]
    assert rows[1]["role"] == "cns" and rows[1]["email"] == "colin@nav.test"


def test_staff_add_and_remove_care_team_members(client, cast):
    client.force_login(cast.nadia)
    gp = cast.gp_practice
    response = post(
        client,
        api(cast.paul_case, "care-team"),
        {"role": "gp", "name": "Dr Rao", "organisation_ods_code": gp.ods_code.lower()},
    )
    assert response.status_code == 201, response.content
    member = CareTeamMember.objects.get(name="Dr Rao")
    assert member.organisation == gp and response.json()["organisation_name"] == gp.name

    url = reverse(
        "api-case-care-team-member", kwargs={"case_id": cast.paul_case.pk, "member_id": member.pk}
    )
    assert client.delete(url).status_code == 204
    assert not CareTeamMember.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(
        actor=cast.nadia, action="delete", object_type="patients.careteammember"
    ).exists()


def test_care_team_bad_input_gets_field_errors(client, cast):
    client.force_login(cast.nadia)
    url = api(cast.paul_case, "care-team")
    response = post(client, url, {"role": "navigator", "user_id": "not-a-uuid"})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"role", "user_id"}
    response = post(client, url, {"role": "other"})
    assert response.status_code == 400 and "name" in response.json()
    response = post(client, url, {"role": "other", "user_id": str(cast.paul_patient.pk)})
    assert response.status_code == 400 and field_errors(response) == {
        "user_id": ["No account has this id."]
    }
    response = post(client, url, {"role": "cns", "user_id": str(cast.colin.pk)})
    assert response.status_code == 400 and "already on the care team" in response.json()["user"][0]
    response = post(client, url, {"role": "other", "name": "X", "organisation_ods_code": "NOPE"})
    assert field_errors(response) == {
        "organisation_ods_code": ["No organisation has this ODS code."]
    }
    response = post(client, url, ["a", "list"])
    assert response.status_code == 400


def test_the_named_navigator_cannot_be_removed_through_the_api(client, cast):
    client.force_login(cast.lena)
    nadia_place = nadia_on_the_team(cast)
    url = reverse(
        "api-case-care-team-member",
        kwargs={"case_id": cast.paul_case.pk, "member_id": nadia_place.pk},
    )
    response = client.delete(url)
    assert response.status_code == 400 and "Hand the case over" in json.dumps(response.json())


def test_a_member_of_another_case_is_404(client, cast):
    olive_member = CareTeamMember.objects.create(
        case=cast.olive_case, role="other", name="Olive's adviser"
    )
    client.force_login(cast.nadia)
    url = reverse(
        "api-case-care-team-member",
        kwargs={"case_id": cast.paul_case.pk, "member_id": olive_member.pk},
    )
    assert client.delete(url).status_code == 404
    assert CareTeamMember.objects.filter(pk=olive_member.pk).exists()


@pytest.mark.parametrize("who", ["paul", "carol", "olive", "oscar", "adam"])
def test_only_staff_on_the_case_change_the_care_team(client, cast, who):
    client.force_login(getattr(cast, who))
    response = post(client, api(cast.paul_case, "care-team"), {"role": "other", "name": "X"})
    assert response.status_code == 404
    assert response.json()["detail"]
    assert not CareTeamMember.objects.filter(name="X").exists()


def test_timeline_staff_see_everything_patients_see_what_is_shared(client, cast):
    today = timezone.localdate()
    timeline_event_add(
        case=cast.paul_case, by=cast.nadia, kind="note", occurred_at=today, summary="Internal"
    )
    timeline_event_add(
        case=cast.paul_case,
        by=cast.nadia,
        kind="appointment",
        occurred_at=today,
        summary="Clinic visit",
        detail="Staff only detail",
        shared_with_patient=True,
    )
    client.force_login(cast.nadia)
    staff_rows = client.get(api(cast.paul_case, "timeline")).json()["results"]
    assert {r["summary"] for r in staff_rows} == {"Internal", "Clinic visit"}
    assert "detail" in staff_rows[0] and staff_rows[0]["recorded_by_name"] == "Nadia Khan"

    for who in ("paul", "carol"):
        client.force_login(getattr(cast, who))
        rows = client.get(api(cast.paul_case, "timeline")).json()["results"]
        assert [r["summary"] for r in rows] == ["Clinic visit"]
        assert set(rows[0]) == {"id", "kind", "occurred_at", "time_known", "summary"}

    client.force_login(cast.nadia)
    filtered = client.get(api(cast.paul_case, "timeline"), {"kind": "note"}).json()["results"]
    assert [r["summary"] for r in filtered] == ["Internal"]
    bad = client.get(api(cast.paul_case, "timeline"), {"kind": "nonsense"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_timeline_create_with_a_date_or_a_time_and_refusals(client, cast):
    client.force_login(cast.colin)
    url = api(cast.paul_case, "timeline")
    today = timezone.localdate()
    response = post(
        client, url, {"kind": "result", "occurred_on": today.isoformat(), "summary": "CT done"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["time_known"] is False
    at = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = post(client, url, {"kind": "note", "occurred_at": at, "summary": "Rang Paul"})
    assert response.status_code == 201 and response.json()["time_known"] is True

    both = post(
        client,
        url,
        {"kind": "note", "occurred_at": at, "occurred_on": today.isoformat(), "summary": "x"},
    )
    assert both.status_code == 400 and "occurred_at" in both.json()
    future = post(
        client,
        url,
        {
            "kind": "note",
            "occurred_on": (today + dt.timedelta(days=3)).isoformat(),
            "summary": "Later",
        },
    )
    assert future.status_code == 400 and "occurred_at" in future.json()
    missing = post(client, url, {"occurred_on": "2026-02-30"})
    assert missing.status_code == 400 and {"kind", "summary", "occurred_on"} <= set(missing.json())
    assert TimelineEvent.objects.count() == 2

    for who in ("paul", "carol", "olive"):
        client.force_login(getattr(cast, who))
        refused = post(
            client, url, {"kind": "note", "occurred_on": today.isoformat(), "summary": "x"}
        )
        assert refused.status_code == 404, who


def test_messages_api_reads_and_posts_with_the_same_rules(client, cast):
    case_message_post(case=cast.paul_case, author=cast.nadia, body="Your letter is ready")
    client.force_login(cast.paul)
    rows = client.get(api(cast.paul_case, "messages")).json()["results"]
    assert [(r["author_kind"], r["author_name"], r["body"]) for r in rows] == [
        ("staff", "Nadia Khan", "Your letter is ready")
    ]
    response = post(client, api(cast.paul_case, "messages"), {"body": "Thank you"})
    assert response.status_code == 201
    assert response.json()["author_name"] == "Paul Jones"
    nudge = OutboundMessage.objects.get(to_address=cast.nadia.email)
    assert "Thank you" not in nudge.body and "Thank you" not in nudge.body_html

    client.force_login(cast.carol)  # read only
    assert client.get(api(cast.paul_case, "messages")).status_code == 200
    assert post(client, api(cast.paul_case, "messages"), {"body": "x"}).status_code == 404
    cast.carol_grant.level = CarerAccess.Level.ACT
    cast.carol_grant.save()
    response = post(client, api(cast.paul_case, "messages"), {"body": "From Carol"})
    assert response.status_code == 201 and response.json()["author_name"] == "Carol Jones (carer)"

    for who in ("olive", "oscar", "adam"):
        client.force_login(getattr(cast, who))
        assert client.get(api(cast.paul_case, "messages")).status_code == 404, who
        assert post(client, api(cast.paul_case, "messages"), {"body": "x"}).status_code == 404
    assert CaseMessage.objects.count() == 3


def test_message_bad_input_is_a_400_with_field_errors(client, cast):
    client.force_login(cast.paul)
    url = api(cast.paul_case, "messages")
    assert field_errors(post(client, url, {})) == {"body": ["This field is required."]}
    assert post(client, url, {"body": "   "}).status_code == 400
    long = post(client, url, {"body": "x" * 5001})
    assert long.status_code == 400 and "body" in long.json()
    # Not coerced to text: the schema says a string, so a number is a mistake the client hears of.
    assert field_errors(post(client, url, {"body": 12})) == {"body": ["Not a valid string."]}
    broken = client.post(url, data='{"body": ', content_type="application/json")
    assert broken.status_code == 400 and broken.json()["detail"].startswith("JSON parse error")


def test_patient_a_cannot_reach_patient_b_through_the_api(client, cast):
    case_message_post(case=cast.olive_case, author=cast.oscar, body="For Olive")
    client.force_login(cast.paul)
    for what in ("messages", "timeline", "care-team"):
        response = client.get(api(cast.olive_case, what))
        assert response.status_code == 404
        assert b"Olive" not in response.content


def test_revoked_carer_gets_404_from_the_api_on_the_next_request(client, cast):
    client.force_login(cast.carol)
    assert client.get(api(cast.paul_case, "messages")).status_code == 200
    cast.carol_grant.revoked_at = timezone.now()
    cast.carol_grant.save()
    for what in ("messages", "timeline", "care-team"):
        assert client.get(api(cast.paul_case, what)).status_code == 404


def test_every_api_read_is_audited(client, cast):
    client.force_login(cast.colin)
    for what, summary in (
        ("messages", "Read the messages through the API"),
        ("timeline", "Looked at the timeline through the API"),
        ("care-team", "Looked at the care team through the API"),
    ):
        client.get(api(cast.paul_case, what))
        assert AuditEvent.objects.filter(
            actor=cast.colin, summary=summary, patient_id=cast.paul_patient.pk
        ).exists(), what


@pytest.mark.parametrize("what", ["messages", "timeline", "care-team"])
def test_api_lists_keep_a_constant_number_of_queries(client, cast, what, django_assert_num_queries):
    client.force_login(cast.nadia)

    def grow(n):
        for i in range(n):
            case_message_post(case=cast.paul_case, author=cast.paul, body=f"m{i}")
            CareTeamMember.objects.create(
                case=cast.paul_case,
                role="other",
                name=f"Contact {i}",
                organisation=f.make_organisation(f"Org {i}"),
            )

    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(api(cast.paul_case, what)).status_code == 200
    grow(20)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(api(cast.paul_case, what)).status_code == 200
