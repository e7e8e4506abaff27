"""Importing the service directory from an Open Referral UK feed: the sample we ship, the same
feed twice, a feed that changed, a malformed or partial feed (nothing changes, every problem
named), a service that left the feed (withdrawn, still on the plans that used it), the URL form
against a fake ORUK API on a loopback port, the command and the nightly job."""

import datetime as dt
import json
import logging
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from careplans.directory_feed import SAMPLE_FEED
from careplans.models import (
    DirectoryImport,
    DirectoryOrganization,
    DirectoryService,
    FeedTaxonomyTerm,
    Location,
    RegularSchedule,
    ServiceArea,
    ServiceLanguage,
    Signpost,
)
from careplans.selectors import directory_match
from careplans.services.directory import directory_feed_import, directory_feed_import_from
from careplans.tasks import import_directory_feed
from caseload.demo.directory import demo_directory_load
from navigator.audit.models import AuditEvent
from tests.careplans.conftest import complete
from tests.conftest import Cast
from tests.fakes.oruk import fake_open_referral

pytestmark = pytest.mark.django_db


def sample() -> dict[str, Any]:
    return json.loads(SAMPLE_FEED.read_text())


def snapshot() -> dict[str, Any]:
    """Everything the import may write, so a test can say nothing changed."""
    models = [
        DirectoryOrganization, DirectoryService, Location, ServiceArea, ServiceLanguage,
        RegularSchedule, FeedTaxonomyTerm, AuditEvent,
    ]  # fmt: skip
    return {
        "counts": {m.__name__: m.objects.count() for m in models},
        "services": sorted(
            DirectoryService.objects.values_list("feed_id", "name", "status", "updated_at")
        ),
        "areas": sorted(ServiceArea.objects.values_list("service__feed_id", "kind", "value")),
        "topics": sorted(
            DirectoryService.objects.values_list("feed_id", "taxonomy_terms__code", "tumour_sites")
        ),
    }


def by_name(name: str) -> DirectoryService:
    return DirectoryService.objects.get(name=name)


def test_the_sample_feed_imports_every_service_in_the_standards_shape():
    result = directory_feed_import(document=sample(), source="sample")
    assert result.ok, result.problems
    assert result.record.added == DirectoryService.objects.count() == 30
    group = by_name("Lung cancer support group")
    assert group.organization.name == "Breathe Easy Riverton"
    assert group.phone == "01632 960 008"
    assert group.self_refer
    assert sorted(group.areas.values_list("kind", "value")) == [
        ("postcode_district", f"NS{n}") for n in range(1, 5)
    ]
    assert [str(s) for s in group.schedules.all()] == ["Tuesday 14:00–16:00 (2nd of the month)"]
    assert [str(s) for s in by_name("Move More after cancer").schedules.all()] == [
        "Monday 10:00–11:30",
        "Wednesday 10:00–11:30",
    ]
    (location,) = group.locations.all()
    assert (location.name, location.postcode) == ("Riverton Central Library", "NS2 4EF")
    assert sorted(group.feed_terms.values_list("feed_id", flat=True)) == [
        "nscancer:lung", "nsneeds:activity", "nsneeds:peer", "nsneeds:symptoms",
    ]  # fmt: skip
    welsh = by_name("Llinell gymorth Gymraeg (Welsh-language support line)")
    assert sorted(welsh.languages.values_list("code", "name")) == [
        ("cy", "Welsh"),
        ("en", "English"),
    ]
    assert list(welsh.areas.values_list("kind", flat=True)) == ["nationwide"]
    counselling = by_name("Counselling for people with cancer")
    assert not counselling.self_refer  # attending_access "referral"
    # Nothing is suggested until the feed's terms are mapped to our topics.
    assert not DirectoryService.objects.filter(taxonomy_terms__isnull=False).exists()


def test_the_same_feed_twice_changes_nothing(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), tick=False)
    demo_directory_load()
    before = snapshot()
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False)
    result = directory_feed_import(document=sample(), source="sample")
    demo_directory_load()
    assert result.record.outcome == DirectoryImport.Outcome.UNCHANGED
    assert (result.record.unchanged, result.record.added, result.record.updated) == (30, 0, 0)
    assert snapshot() == before  # counts, updated timestamps, areas, topics, audit trail


def test_a_changed_service_alone_is_updated(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), tick=False)
    directory_feed_import(document=sample(), source="sample")
    feed = sample()
    feed["content"][0]["name"] = "Money, benefits and grants advice"
    feed["content"][0]["contacts"][0]["phones"][0]["number"] = "01632 960 099"
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False)
    result = directory_feed_import(document=feed, source="sample")
    assert (result.record.updated, result.record.unchanged) == (1, 29)
    changed = DirectoryService.objects.get(feed_id=feed["content"][0]["id"])
    assert (changed.name, changed.phone) == ("Money, benefits and grants advice", "01632 960 099")
    assert changed.updated_at == dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)
    assert set(
        DirectoryService.objects.exclude(pk=changed.pk).values_list("updated_at", flat=True)
    ) == {dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)}
    assert DirectoryService.objects.count() == 30


def malformed() -> dict[str, Any]:
    feed = sample()
    content = feed["content"]
    content[0]["name"] = "Money advice, renamed"  # a good change that must not be applied
    del content[2]["name"]
    content[5]["regular_schedules"][0]["opens_at"] = "9am"
    content[7]["languages"].append({"id": "x", "language": "Klingon"})
    content[9]["id"] = content[8]["id"]
    content[11]["service_areas"] = []
    content[12]["organization"] = "Northshire Carers"
    content[13]["email"] = "clinic at hospice"
    return feed


def test_a_malformed_feed_changes_nothing_and_names_every_entry_wrong():
    demo_directory_load()
    before = snapshot()
    feed = malformed()
    result = directory_feed_import(document=feed, source="https://directory.example.test/services")
    assert not result.ok
    assert snapshot() == before
    content = feed["content"]
    found = {(p.index, p.id, p.field) for p in result.problems}
    assert found == {
        (2, content[2]["id"], "name"),
        (5, content[5]["id"], "regular_schedules[0].opens_at"),
        (7, content[7]["id"], "languages[1].language"),
        (9, content[9]["id"], "id"),
        (11, content[11]["id"], "service_areas"),
        (12, content[12]["id"], "organization"),
        (13, content[13]["id"], "email"),
    }
    problems = {p.field: p.problem for p in result.problems}
    assert problems["regular_schedules[0].opens_at"] == "'9am' is not a time (HH:MM)"
    assert problems["id"] == "is used by service 8 too"
    assert "Klingon" in problems["languages[1].language"]
    record = DirectoryImport.objects.get(outcome=DirectoryImport.Outcome.REFUSED)
    assert {"index": 2, "id": content[2]["id"], "field": "name", "problem": "is missing"} in (
        record.problems
    )
    assert by_name("Money and benefits advice")  # the good change was not applied either


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        ({"totalElements": 30, "content": []}, "totalElements", "partial feed"),
        ({"content": []}, "content", "lists no services"),
        ({"services": []}, "content", "not an Open Referral UK services feed"),
        ("nothing", "content", "not an Open Referral UK services feed"),
    ],
)
def test_a_partial_or_empty_feed_withdraws_nothing(document, field, words):
    demo_directory_load()
    before = snapshot()
    result = directory_feed_import(document=document, source="sample")
    assert not result.ok
    assert any(
        (p.index, p.field) == (None, field) and words in p.problem for p in result.problems
    ), result.problems
    assert snapshot() == before


def test_a_page_short_of_its_total_is_a_partial_feed():
    feed = sample()
    feed["content"] = feed["content"][:20]
    result = directory_feed_import(document=feed, source="sample")
    (problem,) = result.problems
    assert problem.problem == ("the feed says it has 30 services but 20 arrived (a partial feed)")
    assert not DirectoryService.objects.exists()


def test_a_service_that_leaves_the_feed_is_withdrawn_and_stays_on_plans(cast: Cast, client: Any):
    demo_directory_load()
    cast.paul_patient.postcode = "NS2 7HD"
    cast.paul_patient.save()
    plan = complete(cast.paul_case, cast.paul, ratings={"money": 7}, distress=2).plan
    signposted = {s.service for s in Signpost.objects.filter(item__plan=plan)}
    leaving = by_name("Debt and benefits advice")
    assert leaving in signposted

    feed = sample()
    feed["content"] = [s for s in feed["content"] if s["id"] != leaving.feed_id]
    feed["totalElements"] = len(feed["content"])
    result = directory_feed_import(document=feed, source="sample")

    assert result.record.withdrawn == 1
    leaving.refresh_from_db()
    assert leaving.status == DirectoryService.Status.WITHDRAWN
    assert leaving.withdrawn_at is not None
    assert {s.service for s in Signpost.objects.filter(item__plan=plan)} == signposted
    matches = directory_match(
        concern_codes=["money"], tumour_site="Lung", postcode="NS2 7HD", language="en"
    )
    assert leaving not in {m.service for m in matches}
    client.force_login(cast.nadia)
    page = client.get(
        reverse("careplans:plan_detail", kwargs={"case_id": cast.paul_case.pk, "plan_id": plan.pk})
    ).content.decode()
    assert (
        'Debt and benefits advice</strong> <strong class="nhsuk-tag nhsuk-tag--grey">no longer listed'
        in page
    )

    # Back in the feed: listed again.
    result = directory_feed_import(document=sample(), source="sample")
    assert result.record.updated == 1
    leaving.refresh_from_db()
    assert (leaving.status, leaving.withdrawn_at) == (DirectoryService.Status.ACTIVE, None)


def test_a_service_added_by_hand_is_never_withdrawn_by_the_feed():
    org = DirectoryOrganization.objects.create(name="Ward 7 volunteers")
    by_hand = DirectoryService.objects.create(organization=org, name="Ward 7 tea trolley")
    directory_feed_import(document=sample(), source="sample")
    by_hand.refresh_from_db()
    assert by_hand.status == DirectoryService.Status.ACTIVE


# The URL form, against a fake ORUK API ------------------------------------------------------


def test_it_reads_every_page_of_a_feed_at_a_url(settings):
    with fake_open_referral(sample()["content"], per_page=8) as api:
        result = directory_feed_import_from(source=api.url)
    assert result.ok, result.problems
    assert result.record.added == 30
    pages = [parse_qs(urlsplit(r).query)["page"] for r in api.requests]
    assert pages == [["1"], ["2"], ["3"], ["4"]]


def test_a_feed_that_does_not_answer_in_time_changes_nothing(settings):
    demo_directory_load()
    before = snapshot()
    settings.DIRECTORY_FEED_TIMEOUT_SECONDS = 1
    with fake_open_referral(sample()["content"]) as api:
        api.hang_seconds = 2
        result = directory_feed_import_from(source=api.url)
    (problem,) = result.problems
    assert problem.field == "source"
    assert "could not be read" in problem.problem
    assert snapshot() == before


def test_a_feed_larger_than_the_limit_is_refused(settings):
    settings.DIRECTORY_FEED_MAX_BYTES = 5_000
    with fake_open_referral(sample()["content"], per_page=30) as api:
        result = directory_feed_import_from(source=api.url)
    (problem,) = result.problems
    assert "is larger than 5000 bytes" in problem.problem
    assert not DirectoryService.objects.exists()


def test_an_error_status_is_refused(settings):
    with fake_open_referral(sample()["content"]) as api:
        api.status = 503
        result = directory_feed_import_from(source=api.url)
    (problem,) = result.problems
    assert "answered 503" in problem.problem


def test_a_truncated_file_is_refused(tmp_path: Path):
    path = tmp_path / "feed.json"
    path.write_text(SAMPLE_FEED.read_text()[:5000])
    result = directory_feed_import_from(source=str(path))
    (problem,) = result.problems
    assert "is not JSON" in problem.problem
    assert not DirectoryService.objects.exists()


# The command and the job ----------------------------------------------------------------


def test_the_command_imports_a_file_and_says_what_it_did():
    out = StringIO()
    call_command("import_directory", str(SAMPLE_FEED), stdout=out)
    assert "Imported 30 services" in out.getvalue()
    assert "30 added" in out.getvalue()


def test_the_command_exits_non_zero_listing_each_problem(tmp_path: Path):
    path = tmp_path / "feed.json"
    feed = malformed()
    path.write_text(json.dumps(feed))
    err = StringIO()
    with pytest.raises(CommandError, match="7 problem"):
        call_command("import_directory", str(path), stderr=err)
    assert f"service 2 (id {feed['content'][2]['id']}), name: is missing" in err.getvalue()
    assert not DirectoryService.objects.exists()


def test_the_command_with_no_source_and_no_setting_says_so(settings):
    settings.DIRECTORY_FEED_URL = ""
    with pytest.raises(CommandError, match="set DIRECTORY_FEED_URL"):
        call_command("import_directory")


def test_the_job_is_off_while_no_url_is_set(settings, caplog):
    settings.DIRECTORY_FEED_URL = ""
    with caplog.at_level(logging.INFO):
        assert import_directory_feed() == "off"
    assert not DirectoryImport.objects.exists()
    assert "DIRECTORY_FEED_URL is not set" in caplog.text


def test_the_job_imports_from_the_url_in_settings_and_records_a_refusal(settings, caplog):
    with fake_open_referral(sample()["content"]) as api:
        settings.DIRECTORY_FEED_URL = api.url
        assert import_directory_feed() == "applied"
        assert import_directory_feed() == "unchanged"
        api.services = malformed()["content"]
        with caplog.at_level(logging.WARNING):
            assert import_directory_feed() == "refused"
    outcomes = list(
        DirectoryImport.objects.order_by("started_at").values_list("outcome", flat=True)
    )
    assert outcomes == ["applied", "unchanged", "refused"]
    assert "Refused the feed" in caplog.text
    assert "name: is missing" in caplog.text
