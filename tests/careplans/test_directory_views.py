"""The service directory's pages: staff search by need, area and name (a constant number of
queries however big the directory), and team leads map the feed's taxonomy to our topics, with
matching following at once. Everyone else gets 404."""

import copy
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careplans.directory_feed import SAMPLE_FEED
from careplans.models import DirectoryService, FeedTaxonomyTerm
from careplans.selectors import directory_match
from careplans.services.directory import directory_feed_import
from caseload.demo.directory import demo_directory_load
from navigator.accounts.models import Role
from navigator.audit.models import AuditEvent
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

SEARCH = reverse("directory:search")
TOPICS = reverse("directory:topics")


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def names(response: Any) -> set[str]:
    return {s.name for s in response.context["services"]}


@pytest.fixture
def directory(db: None) -> None:
    demo_directory_load()


def test_every_member_of_staff_can_search_and_finds_it_in_the_header(cast: Cast, directory):
    for user in (cast.nadia, cast.colin, cast.lena, cast.adam):
        response = as_user(user).get(SEARCH)
        assert response.status_code == 200, user
        assert f'href="{SEARCH}"' in response.content.decode()


def test_patients_carers_and_staff_without_mfa_get_404(cast: Cast, directory):
    for user in (cast.paul, cast.carol):
        client = as_user(user)
        assert client.get(SEARCH).status_code == 404, user
        assert client.get(TOPICS).status_code == 404, user
    no_mfa = f.make_user("newbie@nav.test", role=Role.NAVIGATOR, name="New Starter")
    assert as_user(no_mfa).get(SEARCH).url == reverse("mfa_activate_totp")
    assert f'href="{SEARCH}"' not in as_user(cast.paul).get("/").content.decode()


def test_search_by_need_area_and_name(cast: Cast, directory):
    client = as_user(cast.nadia)
    riverton_money = names(client.get(SEARCH, {"need": "money", "area": "NS2 7HD"}))
    assert {
        "Money and benefits advice",  # Northshire and Riverton
        "Debt and benefits advice",  # Riverton only
        "National cancer support line",  # the whole UK
    } <= riverton_money
    assert "Welfare rights service" not in riverton_money  # Northshire County only
    northshire_money = names(client.get(SEARCH, {"need": "money", "area": "Northshire"}))
    assert "Welfare rights service" in northshire_money
    assert "Debt and benefits advice" not in northshire_money
    assert names(client.get(SEARCH, {"name": "hospice"})) == {
        "Bereavement support",
        "Symptom and wellbeing clinic",
    }
    nothing = client.get(SEARCH, {"name": "no such service"})
    assert "No services found" in nothing.content.decode()


def test_withdrawn_services_are_not_found(cast: Cast, directory):
    DirectoryService.objects.filter(name="Wellbeing cafe").update(
        status=DirectoryService.Status.WITHDRAWN
    )
    assert names(as_user(cast.nadia).get(SEARCH, {"name": "cafe"})) == set()


def bigger_feed(copies: int) -> dict[str, Any]:
    feed = json.loads(SAMPLE_FEED.read_text())
    content = list(feed["content"])
    for n in range(copies):
        for service in feed["content"]:
            twin = copy.deepcopy(service)
            twin["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{service['id']}/{n}"))
            twin["name"] = f"{service['name']} {n}"
            content.append(twin)
    return {**feed, "totalElements": len(content), "content": content}


def queries_for(client: Client, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(SEARCH, params).status_code == 200
    return len(queries)


def test_the_search_page_runs_the_same_number_of_queries_however_big_the_directory(
    cast: Cast, directory
):
    client = as_user(cast.nadia)
    params = {"need": "money", "area": "NS2 7HD", "name": ""}
    small = queries_for(client, params)
    found_small = client.get(SEARCH, params).context["total"]
    result = directory_feed_import(document=bigger_feed(4), source="bigger")
    assert (result.ok, result.record.added, result.record.withdrawn) == (True, 120, 0)
    big = queries_for(client, params)
    found_big = client.get(SEARCH, params).context["total"]
    assert found_big > found_small
    assert big == small


def test_a_team_lead_maps_a_feed_term_and_matching_follows(cast: Cast, directory):
    term = FeedTaxonomyTerm.objects.get(feed_id="nsneeds:transport")
    blue_badge = DirectoryService.objects.get(name="Blue Badge parking permits")

    def suggested_for(concern: str) -> bool:
        matches = directory_match(
            concern_codes=[concern], tumour_site="Lung", postcode="NS2 7HD", language="en"
        )
        return blue_badge in {m.service for m in matches}

    assert suggested_for("travel")  # "getting to appointments", as the demo maps it
    assert not suggested_for("money")
    client = as_user(cast.lena)
    page = client.get(TOPICS)
    assert page.status_code == 200
    edit = reverse("directory:topic_edit", kwargs={"term_id": term.pk})
    assert edit in page.content.decode()
    form_page = client.get(edit).content.decode()
    # Each of our topics says which assessment concerns it serves; the term's services listed.
    assert "getting to appointments (for: Getting to appointments)" in form_page
    assert "Blue Badge parking permits, Riverton City Council" in form_page

    response = client.post(edit, {"topics": ["transport", "money"]})
    assert response.status_code == 302
    assert sorted(term.topics.values_list("code", flat=True)) == ["money", "transport"]
    assert sorted(blue_badge.taxonomy_terms.values_list("code", flat=True)) == [
        "money",
        "transport",
    ]
    assert suggested_for("money")
    entry = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).latest("id")
    assert entry.actor == cast.lena
    assert entry.summary == (
        "Mapped feed term Transport to appointments to money, transport; was transport"
    )

    # Unmapped: the service carries no topic and is suggested for nothing.
    client.post(edit, {})
    assert not blue_badge.taxonomy_terms.exists()
    assert not suggested_for("travel")
    assert "Not mapped" in client.get(TOPICS).content.decode()


def test_a_term_naming_a_cancer_limits_its_services_to_that_cancer(cast: Cast, directory):
    term = FeedTaxonomyTerm.objects.get(feed_id="nscancer:lung")
    group = DirectoryService.objects.get(name="Lung cancer support group")
    assert group.tumour_site_list() == ["lung"]
    client = as_user(cast.lena)
    edit = reverse("directory:topic_edit", kwargs={"term_id": term.pk})
    client.post(edit, {"topics": [], "tumour_site": ""})
    group.refresh_from_db()
    assert group.tumour_sites == ""


def test_navigators_and_clinicians_cannot_change_the_mapping(cast: Cast, directory):
    term = FeedTaxonomyTerm.objects.get(feed_id="nsneeds:money-advice")
    edit = reverse("directory:topic_edit", kwargs={"term_id": term.pk})
    for user in (cast.nadia, cast.colin):
        client = as_user(user)
        assert client.get(TOPICS).status_code == 404
        assert client.post(edit, {"topics": []}).status_code == 404
    assert term.topics.filter(code="money").exists()
    assert (
        as_user(cast.lena)
        .get(reverse("directory:topic_edit", kwargs={"term_id": uuid.uuid4()}))
        .status_code
        == 404
    )
