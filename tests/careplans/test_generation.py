import datetime as dt

import pytest
import time_machine

from careplans.models import CarePlan, DirectoryService, OwnerKind
from careplans.selectors import directory_match, plan_for_case
from caseload.demo.directory import demo_directory_load
from tests.careplans.conftest import complete

pytestmark = pytest.mark.django_db


def test_directory_match_explains_each_suggestion(directory):
    matches = directory_match(
        concern_codes=["money", "loneliness"],
        tumour_site="Lung",
        postcode="CF14 4XW",
        language="cy",
    )
    assert [(m.service, m.reasons) for m in matches] == [
        (directory.money_local, ["money worries", "your area", "Welsh speaking"]),
        (directory.lung_group, ["meeting others", "your area", "for lung cancer"]),
        (directory.money_national, ["money worries", "available across the UK"]),
    ]


def test_directory_match_leaves_out_other_areas_and_other_cancers(directory):
    matches = directory_match(
        concern_codes=["low-mood", "loneliness"],
        tumour_site="Breast",
        postcode="CF10 1AA",
        language="en",
    )
    assert [m.service for m in matches] == [directory.breast_group]  # Swansea is out of area


def test_a_known_assessment_gives_the_expected_plan(cast, directory):
    cast.paul_patient.postcode = "CF14 4XW"
    cast.paul_patient.language = "cy"
    cast.paul_patient.save()
    with time_machine.travel(dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC), tick=False):
        result = complete(
            cast.paul_case,
            cast.paul,
            ratings={"pain": 5, "money": 8, "loneliness": 3},
            priorities=("loneliness",),
            distress=6,
        )
    plan = plan_for_case(cast.paul_case, result.plan.pk)
    assert plan.status == CarePlan.Status.DRAFT
    assert plan.version == 1
    assert plan.review_date == dt.date(2025, 6, 1)
    items = list(plan.items.all())
    # The one that matters most first, then by how much each bothers them.
    assert [i.concern_text for i in items] == ["Feeling alone", "Money or paying bills", "Pain"]
    alone, money, pain = items
    assert alone.is_priority
    assert alone.goal == "Feel less alone"
    assert alone.owner_kind == OwnerKind.SERVICE
    assert alone.owner_service == directory.lung_group
    assert alone.due_date == dt.date(2025, 3, 24)
    assert [(s.service, s.reasons) for s in alone.signposts.all()] == [
        (directory.lung_group, ["meeting others", "your area", "for lung cancer"])
    ]
    assert money.owner_service == directory.money_local
    assert [(s.service, s.reasons) for s in money.signposts.all()] == [
        (directory.money_local, ["money worries", "your area", "Welsh speaking"]),
        (directory.money_national, ["money worries", "available across the UK"]),
    ]
    assert pain.owner_kind == OwnerKind.NAVIGATOR
    assert pain.due_date == dt.date(2025, 3, 10)
    assert [s.service for s in pain.signposts.all()] == [directory.lung_group]


def test_a_concern_meant_for_a_service_with_none_nearby_goes_to_the_navigator(cast, directory):
    result = complete(cast.paul_case, cast.paul, ratings={"housing": 5}, distress=1)
    (item,) = result.plan.items.all()
    assert item.owner_kind == OwnerKind.NAVIGATOR
    assert item.owner_service is None
    assert not item.signposts.exists()


def test_a_withdrawn_service_stays_on_plans_marked_no_longer_listed(client, cast, directory):
    cast.paul_patient.postcode = "CF10 1AA"
    cast.paul_patient.save()
    plan = complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=1).plan
    directory.money_local.status = DirectoryService.Status.WITHDRAWN
    directory.money_local.save()

    assert directory.money_local not in [
        m.service
        for m in directory_match(
            concern_codes=["money"], tumour_site="Lung", postcode="CF10 1AA", language="en"
        )
    ]
    item = plan.items.get()
    assert directory.money_local in [s.service for s in item.signposts.all()]

    client.force_login(cast.paul)
    page = client.get(f"/cases/{cast.paul_case.pk}/plans/{plan.pk}/").content.decode()
    assert "Cardiff Money Matters" in page
    assert "no longer listed" in page
    # Once as the item's owner ("Who"), once among the services suggested.
    assert page.count("no longer listed") == 2


def test_the_sample_feed_loads_once_and_matches_in_welsh():
    from django.core.management import call_command

    call_command("import_directory", "--sample")
    call_command("import_directory", "--sample")
    assert DirectoryService.objects.count() == 30
    demo_directory_load()  # the demo's mapping of the feed's terms to our topics
    matches = directory_match(
        concern_codes=["money"], tumour_site="Lung", postcode="NS5 8JB", language="cy"
    )
    assert (matches[0].service.name, matches[0].reasons) == (
        "Welfare rights service",
        ["money worries", "your area", "Welsh speaking"],
    )
    assert "Cyngor ariannol yn Gymraeg (money advice in Welsh)" in [
        m.service.name for m in matches if m.speaks_language and not m.is_local
    ]
