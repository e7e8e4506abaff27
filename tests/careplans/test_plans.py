import pytest
from django.core.exceptions import ValidationError

from careplans import services
from careplans.models import CarePlan, OwnerKind
from careplans.selectors import care_plan_diff, current_plan
from careplans.services import PlanChangedError
from tests.careplans.conftest import complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(cast, directory):
    return complete(cast.paul_case, cast.paul, ratings={"pain": 5, "money": 6}, distress=2).plan


def test_an_edit_against_an_old_version_is_refused_not_overwritten(cast, draft):
    item = draft.items.get(concern_text="Pain")
    seen = draft.lock_version
    services.plan_item_update(item=item, lock_version=seen, actor=cast.nadia, goal="Sleep through")
    stale = draft.items.get(concern_text="Pain")
    with pytest.raises(PlanChangedError):
        services.plan_item_update(item=stale, lock_version=seen, actor=cast.colin, goal="Other")
    stale.refresh_from_db()
    assert stale.goal == "Sleep through"


def test_the_navigator_adds_rewords_and_removes_items(cast, draft):
    lock = draft.lock_version
    added = services.plan_item_add(
        plan=draft,
        lock_version=lock,
        actor=cast.nadia,
        concern_text="Parking at the hospital",
        goal="Park without worrying about cost",
        owner_kind=OwnerKind.NAVIGATOR,
    )
    draft.refresh_from_db()
    services.plan_item_remove(
        item=draft.items.get(concern_text="Pain"), lock_version=draft.lock_version, actor=cast.nadia
    )
    draft.refresh_from_db()
    assert sorted(i.concern_text for i in draft.items.all()) == [
        "Money or paying bills",
        "Parking at the hospital",
    ]
    with pytest.raises(ValidationError) as refused:
        services.plan_item_update(
            item=added, lock_version=draft.lock_version, actor=cast.nadia, goal=" "
        )
    assert "goal" in refused.value.message_dict


def test_agreeing_and_changing_makes_versions_and_keeps_the_agreed_one(cast, draft):
    agreed = services.care_plan_agree(
        plan=draft, lock_version=draft.lock_version, actor=cast.paul, how="online"
    )
    assert agreed.status == CarePlan.Status.AGREED
    assert agreed.agreed_by == cast.paul
    assert agreed.agreed_at is not None

    with pytest.raises(PlanChangedError):  # an agreed plan cannot be edited in place
        services.plan_item_update(
            item=agreed.items.first(), lock_version=agreed.lock_version, actor=cast.nadia, goal="x"
        )

    v2 = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    assert (v2.version, v2.status) == (2, CarePlan.Status.DRAFT)
    assert services.care_plan_revise(plan=agreed, actor=cast.nadia) == v2
    pain = v2.items.get(concern_text="Pain")
    services.plan_item_update(
        item=pain, lock_version=v2.lock_version, actor=cast.nadia, goal="Pain under control by May"
    )
    assert current_plan(cast.paul_case) == agreed  # the patient still reads the agreed one

    v2.refresh_from_db()
    services.care_plan_agree(
        plan=v2, lock_version=v2.lock_version, actor=cast.nadia, how="by_phone"
    )
    agreed.refresh_from_db()
    v2.refresh_from_db()
    assert agreed.status == CarePlan.Status.SUPERSEDED
    assert agreed.items.get(concern_text="Pain").goal == "Get my pain under control"
    assert (v2.status, v2.agreed_how, v2.agreed_by) == ("agreed", "by_phone", cast.nadia)
    assert current_plan(cast.paul_case) == v2

    (change,) = care_plan_diff(old=agreed, new=v2)
    assert change.kind == "changed"
    assert change.fields == [("Goal", "Get my pain under control", "Pain under control by May")]


def test_how_a_plan_is_agreed_must_fit_who_records_it(cast, draft):
    with pytest.raises(ValidationError):
        services.care_plan_agree(
            plan=draft, lock_version=draft.lock_version, actor=cast.nadia, how="online"
        )
    with pytest.raises(ValidationError):
        services.care_plan_agree(
            plan=draft, lock_version=draft.lock_version, actor=cast.paul, how="by_phone"
        )


def test_the_diff_shows_added_and_removed_items(cast, draft):
    agreed = services.care_plan_agree(
        plan=draft, lock_version=draft.lock_version, actor=cast.paul, how="online"
    )
    v2 = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    services.plan_item_remove(
        item=v2.items.get(concern_text="Money or paying bills"),
        lock_version=v2.lock_version,
        actor=cast.nadia,
    )
    v2.refresh_from_db()
    services.plan_item_add(
        plan=v2,
        lock_version=v2.lock_version,
        actor=cast.nadia,
        concern_text="Parking",
        goal="Free parking",
        owner_kind=OwnerKind.PATIENT,
    )
    changes = {(c.kind, c.title) for c in care_plan_diff(old=agreed, new=v2)}
    assert changes == {("removed", "Money or paying bills"), ("added", "Parking")}
