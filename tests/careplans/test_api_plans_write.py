"""Co-producing a care plan through the API: changing the draft, agreeing it, new versions,
comparing them; stale changes are 409s, never silent overwrites. The matrix
(tests/navigator/test_api_matrix.py) calls each operation as each member of the cast; this file
is about what happens."""

import datetime as dt
import json
from typing import Any

import pytest
import yaml
from django.utils import timezone

from careplans import services
from careplans.models import CarePlan, DirectoryService, PlanItem
from navigator.audit.models import AuditEvent
from patients.models import CarerAccess
from tests.api_support import field_errors
from tests.careplans.conftest import complete

pytestmark = pytest.mark.django_db


def plans(case: Any, rest: str = "") -> str:
    return f"/api/cases/{case.pk}/care-plans/{rest}"


def send(client: Any, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.generic(method, url, data=json.dumps(body or {}), content_type="application/json")


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def draft(cast: Any) -> CarePlan:
    """Paul's first plan, drafted from his assessment: money (rated 6) first, then pain."""
    return complete(cast.paul_case, cast.paul, ratings={"money": 6, "pain": 3}, distress=2).plan


@pytest.fixture
def agreed(draft: CarePlan, cast: Any) -> CarePlan:
    return services.care_plan_agree(
        plan=draft, lock_version=draft.lock_version, actor=cast.paul, how="online"
    )


def pain(plan: CarePlan) -> PlanItem:
    return plan.items.get(concern_text="Pain")


def audited(actor: Any, summary: str) -> bool:
    return AuditEvent.objects.filter(actor=actor, summary=summary).exists()


# Changing the draft ------------------------------------------------------------------------


def test_a_navigator_adds_an_item_to_the_draft(client, cast, draft):
    client.force_login(cast.nadia)
    response = send(
        client,
        "POST",
        plans(cast.paul_case, f"{draft.pk}/items/"),
        {
            "lock_version": draft.lock_version,
            "concern": "  Getting to appointments ",
            "goal": "Transport booked for every appointment",
            "actions": "Nadia applies for hospital transport",
            "due_date": in_days(7),
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["concern"] == "Getting to appointments"
    assert body["owner"] == "navigator"  # the default
    assert body["concern_code"] is None
    assert body["due_date"] == in_days(7)
    assert body["plan_lock_version"] == draft.lock_version + 1
    added = PlanItem.objects.get(pk=body["id"])
    assert added.plan == draft and added.goal == "Transport booked for every appointment"
    assert audited(cast.nadia, "Asked to add a care plan item through the API")
    assert audited(cast.nadia, "Added plan item “Getting to appointments” (version 1)")


def test_a_navigator_rewords_an_item_and_gives_it_to_a_service(client, cast, draft, directory):
    item = pain(draft)
    client.force_login(cast.nadia)
    response = send(
        client,
        "PATCH",
        plans(cast.paul_case, f"{draft.pk}/items/{item.pk}/"),
        {
            "lock_version": draft.lock_version,
            "goal": "Pain under control by May",
            "owner": "service",
            "owner_service_id": str(directory.lung_group.pk),
            "due_date": in_days(21),
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["goal"] == "Pain under control by May"
    assert body["owner"] == "service"
    assert body["owner_service_id"] == str(directory.lung_group.pk)
    assert body["plan_lock_version"] == draft.lock_version + 1
    item.refresh_from_db()
    assert item.concern_text == "Pain"  # not sent, so unchanged
    assert item.due_date == dt.date.fromisoformat(in_days(21))
    assert audited(cast.nadia, "Asked to change a care plan item through the API")
    assert audited(cast.nadia, "Changed plan item “Pain” (version 1)")


def test_giving_an_item_back_to_the_navigator_drops_its_service(client, cast, draft, directory):
    item = pain(draft)
    services.plan_item_update(
        item=item,
        lock_version=draft.lock_version,
        actor=cast.nadia,
        owner_kind="service",
        owner_service=directory.lung_group,
    )
    draft.refresh_from_db()
    client.force_login(cast.lena)
    response = send(
        client,
        "PATCH",
        plans(cast.paul_case, f"{draft.pk}/items/{item.pk}/"),
        {"lock_version": draft.lock_version, "owner": "navigator"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner_service_id"] is None


def test_a_team_lead_removes_an_item(client, cast, draft):
    item = pain(draft)
    client.force_login(cast.lena)
    response = send(
        client,
        "POST",
        plans(cast.paul_case, f"{draft.pk}/items/{item.pk}/remove/"),
        {"lock_version": draft.lock_version},
    )

    assert response.status_code == 200, response.content
    assert response.json()["lock_version"] == draft.lock_version + 1
    assert not PlanItem.objects.filter(pk=item.pk).exists()
    assert list(draft.items.values_list("concern_text", flat=True)) == ["Money or paying bills"]
    assert audited(cast.lena, "Asked to remove a care plan item through the API")
    assert AuditEvent.objects.filter(
        actor=cast.lena, action=AuditEvent.Action.DELETE, object_id=str(item.pk)
    ).exists()


def test_a_review_date_is_set_on_the_draft(client, cast, draft):
    client.force_login(cast.nadia)
    url = plans(cast.paul_case, f"{draft.pk}/review-date/")
    response = send(
        client, "POST", url, {"lock_version": draft.lock_version, "review_date": in_days(60)}
    )
    assert response.status_code == 200, response.content
    assert response.json()["review_date"] == in_days(60)
    past = send(
        client, "POST", url, {"lock_version": draft.lock_version + 1, "review_date": in_days(-1)}
    )
    assert past.status_code == 400
    assert field_errors(past) == {"review_date": ["The review date must be in the future"]}


# Agreeing ----------------------------------------------------------------------------------


def test_the_patient_agrees_the_draft_online(client, cast, draft):
    client.force_login(cast.paul)
    response = send(
        client,
        "POST",
        plans(cast.paul_case, f"{draft.pk}/agree/"),
        {"lock_version": draft.lock_version},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "agreed" and body["agreed_how"] == "online"
    assert body["agreed_by"] == "Paul Jones" and body["agreed_at"]
    assert [i["concern"] for i in body["items"]] == ["Money or paying bills", "Pain"]
    draft.refresh_from_db()
    assert draft.agreed_by == cast.paul
    assert audited(cast.paul, "Asked to agree a care plan through the API")
    assert audited(cast.paul, "Care plan version 1 agreed online")


def test_a_navigator_records_that_the_patient_agreed_by_phone(client, cast, draft):
    client.force_login(cast.nadia)
    url = plans(cast.paul_case, f"{draft.pk}/agree/")
    unsaid = send(client, "POST", url, {"lock_version": draft.lock_version})
    assert unsaid.status_code == 400
    assert field_errors(unsaid) == {"how": ["Choose how the plan was agreed"]}
    online = send(client, "POST", url, {"lock_version": draft.lock_version, "how": "online"})
    assert online.status_code == 400
    assert field_errors(online) == {
        "how": ["Choose whether the patient agreed in person or by phone"]
    }

    response = send(client, "POST", url, {"lock_version": draft.lock_version, "how": "by_phone"})
    assert response.status_code == 200, response.content
    assert response.json()["agreed_how"] == "by_phone"
    assert response.json()["agreed_by"] == "Nadia Khan"
    assert audited(cast.nadia, "Care plan version 1 agreed by phone")


def test_the_patient_cannot_say_they_agreed_by_phone(client, cast, draft):
    client.force_login(cast.paul)
    response = send(
        client,
        "POST",
        plans(cast.paul_case, f"{draft.pk}/agree/"),
        {"lock_version": draft.lock_version, "how": "by_phone"},
    )
    assert response.status_code == 400
    assert field_errors(response) == {"how": ["A plan agreed here is agreed online"]}
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_carer_allowed_to_act_agrees_for_the_patient(client, cast, draft):
    cast.carol_grant.level = CarerAccess.Level.ACT
    cast.carol_grant.save()
    client.force_login(cast.carol)
    response = send(
        client,
        "POST",
        plans(cast.paul_case, f"{draft.pk}/agree/"),
        {"lock_version": draft.lock_version},
    )
    assert response.status_code == 200, response.content
    assert response.json()["agreed_by"] == "Carol Jones"


def test_a_plan_with_no_items_cannot_be_agreed(client, cast):
    empty = complete(cast.paul_case, cast.paul, ratings={}, distress=1).plan
    client.force_login(cast.paul)
    response = send(
        client,
        "POST",
        plans(cast.paul_case, f"{empty.pk}/agree/"),
        {"lock_version": empty.lock_version},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "A plan needs at least one item before it can be agreed."}


# Two people, one draft ---------------------------------------------------------------------


def test_a_second_edit_from_the_same_version_is_a_409_not_an_overwrite(client, cast, draft):
    item = pain(draft)
    url = plans(cast.paul_case, f"{draft.pk}/items/{item.pk}/")
    seen = draft.lock_version  # both Nadia and Lena opened the draft at this version
    client.force_login(cast.nadia)
    first = send(client, "PATCH", url, {"lock_version": seen, "goal": "Sleep through the night"})
    assert first.status_code == 200

    client.force_login(cast.lena)
    second = send(client, "PATCH", url, {"lock_version": seen, "goal": "Walk to the shops"})

    assert second.status_code == 409
    assert second.json() == {
        "detail": "Someone else changed this plan since you read it, so nothing was saved. "
        f"Read it again and send your change with its lock_version ({seen + 1}).",
        "code": "plan_changed",
        "plan_id": str(draft.pk),
        "status": "draft",
        "lock_version": seen + 1,
        "draft_id": str(draft.pk),
    }
    item.refresh_from_db()
    assert item.goal == "Sleep through the night"
    again = send(client, "PATCH", url, {"lock_version": seen + 1, "goal": "Walk to the shops"})
    assert again.status_code == 200


@pytest.mark.parametrize(
    ("who", "method", "rest", "body"),
    [
        ("nadia", "POST", "items/", {"concern": "Sleep", "goal": "Sleep better"}),
        ("nadia", "POST", "items/{pain}/remove/", {}),
        ("nadia", "POST", "review-date/", {"review_date": "2099-01-01"}),
        ("paul", "POST", "agree/", {}),
    ],
)
def test_every_change_from_an_old_version_is_refused(client, cast, draft, who, method, rest, body):
    before = draft.lock_version
    services.plan_item_update(
        item=draft.items.get(concern_text="Money or paying bills"),
        lock_version=before,
        actor=cast.colin,
        goal="Claim the benefits Paul is owed",
    )
    client.force_login(getattr(cast, who))
    url = plans(cast.paul_case, f"{draft.pk}/{rest.format(pain=pain(draft).pk)}")

    response = send(client, method, url, {"lock_version": before, **body})

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "plan_changed"
    assert response.json()["lock_version"] == before + 1
    draft.refresh_from_db()
    assert draft.is_draft and draft.lock_version == before + 1
    assert draft.items.count() == 2


# A plan agreed, then changed -------------------------------------------------------------------


def test_changing_an_agreed_plan_needs_a_new_version(client, cast, agreed):
    item = pain(agreed)
    url = plans(cast.paul_case, f"{agreed.pk}/items/{item.pk}/")
    client.force_login(cast.nadia)
    refused = send(client, "PATCH", url, {"lock_version": agreed.lock_version, "goal": "x"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "plan_not_draft"
    assert refused.json()["draft_id"] is None
    assert "Start a new version from the agreed plan" in refused.json()["detail"]

    revised = send(client, "POST", plans(cast.paul_case, f"{agreed.pk}/revise/"))
    assert revised.status_code == 201
    refused = send(client, "PATCH", url, {"lock_version": agreed.lock_version, "goal": "x"})
    assert refused.status_code == 409
    assert refused.json()["draft_id"] == revised.json()["id"]
    assert "Version 2 is the draft" in refused.json()["detail"]
    item.refresh_from_db()
    assert item.goal != "x"


def test_a_new_version_keeps_the_agreed_one_readable_and_can_be_compared(client, cast, agreed):
    client.force_login(cast.nadia)
    started = send(client, "POST", plans(cast.paul_case, f"{agreed.pk}/revise/"))
    assert started.status_code == 201, started.content
    v2 = started.json()
    assert (v2["version"], v2["status"]) == (2, "draft")
    lineages = {i["lineage"] for i in v2["items"]}
    assert lineages == {str(i.lineage) for i in agreed.items.all()}
    again = send(client, "POST", plans(cast.paul_case, f"{agreed.pk}/revise/"))
    assert again.status_code == 200 and again.json()["id"] == v2["id"]
    assert audited(cast.nadia, "Care plan version 2 started from version 1")

    v2_pain = next(i for i in v2["items"] if i["concern"] == "Pain")
    changed = send(
        client,
        "PATCH",
        plans(cast.paul_case, f"{v2['id']}/items/{v2_pain['id']}/"),
        {"lock_version": v2["lock_version"], "goal": "Pain under control by May"},
    )
    assert changed.status_code == 200
    agreed_now = client.get(plans(cast.paul_case, f"{agreed.pk}/")).json()
    assert agreed_now["status"] == "agreed"
    assert "Pain under control by May" not in [i["goal"] for i in agreed_now["items"]]

    client.force_login(cast.paul)
    agreed_v2 = send(
        client,
        "POST",
        plans(cast.paul_case, f"{v2['id']}/agree/"),
        {"lock_version": changed.json()["plan_lock_version"]},
    )
    assert agreed_v2.status_code == 200, agreed_v2.content
    v1 = client.get(plans(cast.paul_case, f"{agreed.pk}/")).json()
    assert (v1["status"], v1["agreed_how"], v1["agreed_by"]) == (
        "superseded",
        "online",
        "Paul Jones",
    )
    assert "Pain under control by May" not in [i["goal"] for i in v1["items"]]
    listed = client.get(plans(cast.paul_case)).json()["results"]
    assert [(p["version"], p["status"]) for p in listed] == [(2, "agreed"), (1, "superseded")]

    compared = client.get(plans(cast.paul_case, f"{v2['id']}/compare/"))
    assert compared.status_code == 200
    body = compared.json()
    assert (body["old"]["version"], body["new"]["version"]) == (1, 2)
    (change,) = body["changes"]
    assert change["change"] == "changed" and change["concern"] == "Pain"
    assert change["old_item_id"] == str(pain(agreed).pk)
    assert change["new_item_id"] == v2_pain["id"]
    assert change["changed_fields"] == [
        {"name": "Goal", "before": pain(agreed).goal, "after": "Pain under control by May"}
    ]
    assert audited(cast.paul, "Compared care plan versions through the API")


def test_compare_names_the_other_version_or_refuses(client, cast, agreed):
    v2 = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    services.plan_item_remove(item=pain(v2), lock_version=v2.lock_version, actor=cast.nadia)
    client.force_login(cast.carol)
    url = plans(cast.paul_case, f"{agreed.pk}/compare/")

    named = client.get(f"{url}?with={v2.pk}")
    assert named.status_code == 200
    assert [(c["change"], c["concern"], c["new_item_id"]) for c in named.json()["changes"]] == [
        ("removed", "Pain", None)
    ]
    assert client.get(url).status_code == 404  # version 1 has no version before it
    bad = client.get(f"{url}?with=yesterday")
    assert bad.status_code == 400 and field_errors(bad) == {"with": ["Must be a valid UUID."]}
    olives = complete(cast.olive_case, cast.olive, ratings={"pain": 2}, distress=1).plan
    assert client.get(f"{url}?with={olives.pk}").status_code == 404


def test_only_the_agreed_plan_starts_a_new_version(client, cast, agreed):
    v2 = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    services.care_plan_agree(plan=v2, lock_version=v2.lock_version, actor=cast.paul, how="online")
    client.force_login(cast.nadia)
    response = send(client, "POST", plans(cast.paul_case, f"{agreed.pk}/revise/"))
    assert response.status_code == 409
    assert response.json()["code"] == "plan_not_draft"
    assert CarePlan.objects.filter(case=cast.paul_case).count() == 2


# Who may do what ---------------------------------------------------------------------------

WRITES = [
    ("POST", "items/", {"concern": "Sleep", "goal": "Sleep better"}),
    ("PATCH", "items/{pain}/", {"goal": "Pain gone"}),
    ("POST", "items/{pain}/remove/", {}),
    ("POST", "review-date/", {"review_date": "2099-01-01"}),
    ("POST", "agree/", {"how": "in_person"}),
]


@pytest.mark.parametrize(
    ("who", "method", "rest", "body"),
    [
        (who, *write)
        for who in ("olive", "oscar", "adam", "carol", "paul")
        for write in WRITES
        if not (who == "paul" and write[1] == "agree/")  # his to agree: tested above
    ],
)
def test_people_not_on_the_case_team_cannot_change_the_draft(
    client, cast, draft, who, method, rest, body
):
    before = draft.lock_version
    client.force_login(getattr(cast, who))
    url = plans(cast.paul_case, f"{draft.pk}/{rest.format(pain=pain(draft).pk)}")

    response = send(client, method, url, {"lock_version": before, **body})

    assert response.status_code == 404, response.content
    draft.refresh_from_db()
    assert (draft.status, draft.lock_version, draft.items.count()) == ("draft", before, 2)


@pytest.mark.parametrize("who", ["olive", "oscar", "adam", "carol", "paul"])
def test_people_not_on_the_case_team_cannot_start_a_new_version(client, cast, agreed, who):
    client.force_login(getattr(cast, who))
    response = send(client, "POST", plans(cast.paul_case, f"{agreed.pk}/revise/"))
    assert response.status_code == 404
    assert CarePlan.objects.filter(case=cast.paul_case).count() == 1


def test_a_clinician_on_the_care_team_edits_as_on_the_web(client, cast, draft):
    client.force_login(cast.colin)
    response = send(
        client,
        "PATCH",
        plans(cast.paul_case, f"{draft.pk}/items/{pain(draft).pk}/"),
        {"lock_version": draft.lock_version, "goal": "Pain reviewed"},
    )
    assert response.status_code == 200


def test_a_carer_who_may_only_read_reads_and_compares(client, cast, agreed):
    v2 = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    client.force_login(cast.carol)
    assert client.get(plans(cast.paul_case, f"{v2.pk}/")).status_code == 200
    assert client.get(plans(cast.paul_case, f"{v2.pk}/compare/")).status_code == 200
    refused = send(
        client, "POST", plans(cast.paul_case, f"{v2.pk}/agree/"), {"lock_version": v2.lock_version}
    )
    assert refused.status_code == 404


def test_a_plan_through_another_case_is_404(client, cast, draft):
    client.force_login(cast.oscar)
    olives = complete(cast.olive_case, cast.olive, ratings={"pain": 2}, distress=1).plan
    url = plans(cast.olive_case, f"{draft.pk}/items/{pain(draft).pk}/")
    assert send(client, "PATCH", url, {"lock_version": 0, "goal": "x"}).status_code == 404
    item_of_paul = plans(cast.olive_case, f"{olives.pk}/items/{pain(draft).pk}/")
    assert send(client, "PATCH", item_of_paul, {"lock_version": 0, "goal": "x"}).status_code == 404
    assert (
        send(
            client,
            "POST",
            plans(cast.olive_case, f"{draft.pk}/agree/"),
            {"lock_version": 0, "how": "in_person"},
        ).status_code
        == 404
    )


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {},
            {
                "concern": ["This field is required."],
                "goal": ["This field is required."],
            },
        ),
        (
            {"lock_version": "first", "concern": " ", "goal": "Sleep better"},
            {
                "lock_version": ["A valid integer is required."],
                "concern": ["This field may not be blank."],
            },
        ),
        (
            {"concern": "Sleep", "goal": "Sleep better", "owner": "boss"},
            {"owner": ['"boss" is not a valid choice.']},
        ),
        (
            {"concern": "Sleep", "goal": "Sleep better", "due_date": "next Tuesday"},
            {"due_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        (
            {"concern": "Sleep", "goal": "Sleep better", "owner_service_id": "not-a-uuid"},
            {"owner_service_id": ["Must be a valid UUID."]},
        ),
        (
            {
                "concern": "Sleep",
                "goal": "Sleep better",
                "owner_service_id": "00000000-0000-4000-8000-000000000000",
            },
            {"owner_service_id": ["There is no such service in the directory."]},
        ),
        (
            {"concern": "Sleep", "goal": "Sleep better", "owner": "service"},
            {"owner_service_id": ["Choose which service will do this"]},
        ),
        (
            {"concern": "x" * 201, "goal": "Sleep better"},
            {"concern": ["Ensure this field has no more than 200 characters."]},
        ),
    ],
)
def test_a_bad_new_item_is_a_400_saying_which_field(client, cast, draft, body, errors):
    client.force_login(cast.nadia)
    body = {"lock_version": draft.lock_version} | body
    response = send(client, "POST", plans(cast.paul_case, f"{draft.pk}/items/"), body)
    assert response.status_code == 400
    assert field_errors(response) == errors
    assert draft.items.count() == 2


def test_a_service_that_left_the_directory_cannot_be_given_an_item(client, cast, draft, directory):
    directory.money_local.status = DirectoryService.Status.WITHDRAWN
    directory.money_local.save()
    client.force_login(cast.nadia)
    response = send(
        client,
        "PATCH",
        plans(cast.paul_case, f"{draft.pk}/items/{pain(draft).pk}/"),
        {
            "lock_version": draft.lock_version,
            "owner": "service",
            "owner_service_id": str(directory.money_local.pk),
        },
    )
    assert response.status_code == 400
    assert field_errors(response) == {
        "owner_service_id": ["That service has left the directory: choose another."]
    }


def test_an_item_keeps_its_service_after_the_service_leaves_the_directory(
    client, cast, draft, directory
):
    item = pain(draft)
    services.plan_item_update(
        item=item,
        lock_version=draft.lock_version,
        actor=cast.nadia,
        owner_kind="service",
        owner_service=directory.money_local,
    )
    directory.money_local.status = DirectoryService.Status.WITHDRAWN
    directory.money_local.save()
    client.force_login(cast.nadia)
    response = send(
        client,
        "PATCH",
        plans(cast.paul_case, f"{draft.pk}/items/{item.pk}/"),
        {
            "lock_version": draft.lock_version,  # refreshed: the item's plan is `draft`
            "goal": "Pain checked weekly",
            "owner_service_id": str(directory.money_local.pk),
        },
    )
    assert response.status_code == 200, response.content


def test_a_change_that_changes_nothing_is_a_400(client, cast, draft):
    client.force_login(cast.nadia)
    unversioned = send(
        client, "PATCH", plans(cast.paul_case, f"{draft.pk}/items/{pain(draft).pk}/"), {"goal": "x"}
    )
    assert unversioned.status_code == 400
    assert field_errors(unversioned) == {"lock_version": ["This field is required."]}
    response = send(
        client,
        "PATCH",
        plans(cast.paul_case, f"{draft.pk}/items/{pain(draft).pk}/"),
        {"lock_version": draft.lock_version},
    )
    assert response.status_code == 400
    assert "Send at least one field to change" in response.json()["non_field_errors"][0]
    blank = send(
        client,
        "PATCH",
        plans(cast.paul_case, f"{draft.pk}/items/{pain(draft).pk}/"),
        {"lock_version": draft.lock_version, "goal": ""},
    )
    assert field_errors(blank) == {"goal": ["This field may not be blank."]}


@pytest.mark.parametrize(
    ("rest", "body", "errors"),
    [
        ("agree/", {"how": "by_pigeon"}, {"how": ['"by_pigeon" is not a valid choice.']}),
        (
            "agree/",
            {"lock_version": -1},
            {"lock_version": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            "review-date/",
            {"review_date": "soon"},
            {
                "review_date": [
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                ]
            },
        ),
        (
            "items/{pain}/remove/",
            {"lock_version": None},
            {"lock_version": ["This field may not be null."]},
        ),
    ],
)
def test_bad_plan_input_is_a_400_saying_which_field(client, cast, draft, rest, body, errors):
    client.force_login(cast.nadia)
    url = plans(cast.paul_case, f"{draft.pk}/{rest.format(pain=pain(draft).pk)}")
    response = send(client, "POST", url, {"lock_version": draft.lock_version} | body)
    assert response.status_code == 400
    assert field_errors(response) == errors


def test_a_malformed_id_in_the_path_is_a_404(client, cast, draft):
    client.force_login(cast.nadia)
    response = send(client, "PATCH", plans(cast.paul_case, f"{draft.pk}/items/42/"), {"goal": "x"})
    assert response.status_code == 404


# The schema --------------------------------------------------------------------------------


def test_the_schema_documents_every_plan_write(client, cast):
    client.force_login(cast.nadia)
    schema = yaml.safe_load(client.get("/api/schema/").content)
    operations = {
        spec["operationId"]: spec for item in schema["paths"].values() for spec in item.values()
    }
    for name in (
        "cases_care_plan_items_create",
        "cases_care_plan_items_partial_update",
        "cases_care_plan_items_remove",
        "cases_care_plans_agree",
        "cases_care_plans_review_date",
        "cases_care_plans_revise",
    ):
        assert "409" in operations[name]["responses"], name
    assert "cases_care_plans_compare" in operations
    change = schema["components"]["schemas"]["PlanItemChangeInputRequest"]
    assert change["required"] == ["lock_version"]


def test_the_api_names_every_field_the_item_services_take():
    from careplans.serializers import ITEM_VALUE_NAMES

    assert set(ITEM_VALUE_NAMES.values()) == set(services.ITEM_FIELDS)
