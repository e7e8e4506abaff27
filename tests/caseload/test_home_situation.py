"""The patient home tells the whole situation: what is booked, what the team waits for and
chases, the plan to agree beside the agreed one, and where every nudge's link lands."""

import datetime as dt
import html as entities
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import ItemKind, ItemState
from appointments.services import tracked_item_create
from careplans.models import CarePlan, SurveyInvitation
from careplans.services.surveys import survey_invite
from navigator.organisations.models import Organisation
from patients import links
from patients.models import CarerAccess, CaseMessage
from tests import factories as f

pytestmark = pytest.mark.django_db

HOME = reverse("home")
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON), tick=False)
    return dt.date(2026, 12, 1)


@pytest.fixture
def northshire(cast):
    return Organisation.objects.get(name="Northshire Hospitals NHS Trust")


def _item(cast, kind, expected_by, **extra):
    return tracked_item_create(
        case=cast.paul_case,
        kind=kind,
        title=extra.pop("title", "CT thorax with contrast"),
        expected_by=expected_by,
        actor=cast.nadia,
        **extra,
    )


def _main(client, url=HOME):
    html = client.get(url).content.decode()
    return entities.unescape(html[html.index("<main") : html.index("</main>")])


def test_empty_sections_say_so_in_plain_words(client, cast, today):
    client.force_login(cast.paul)
    html = _main(client)
    assert 'id="coming-up"' in html and 'id="waiting"' in html
    assert "Nothing is booked yet. Your navigator will tell you when something is booked." in html
    assert "We are not waiting for anything for you at the moment." in html
    assert 'id="care-plan"' not in html


def test_a_late_result_says_we_are_chasing_it_from_the_provider(client, cast, today, northshire):
    _item(
        cast,
        ItemKind.RESULT,
        dt.date(2026, 11, 28),
        state=ItemState.DONE,
        responsible_provider=northshire,
    )
    client.force_login(cast.paul)
    html = _main(client)
    assert (
        "We are chasing your test or scan result from Northshire Hospitals NHS Trust."
        " It was due on 28 November." in html
    )
    # The kind's words, never the title the team or a hospital system gave it.
    assert "CT thorax" not in html
    assert "You do not need to do anything." in html


def test_something_not_yet_due_is_waited_for_with_its_date(client, cast, today, northshire):
    _item(cast, ItemKind.REFERRAL, dt.date(2027, 1, 8), responsible_provider=northshire)
    _item(cast, ItemKind.FOLLOW_UP, dt.date(2026, 12, 10))
    client.force_login(cast.paul)
    html = _main(client)
    assert (
        "We are waiting for the booking of your appointment at Northshire Hospitals NHS Trust."
        " We expect it by 8 January 2027." in html
    )
    assert (
        "We are waiting for the booking of your follow-up appointment. We expect it by 10 December."
        in html
    )
    assert "Chasing" not in html


def test_booked_appointments_are_coming_up_with_time_and_place(client, cast, today):
    _item(
        cast,
        ItemKind.APPOINTMENT,
        dt.date(2026, 12, 4),
        state=ItemState.BOOKED,
        starts_at=dt.datetime(2026, 12, 4, 10, 30, tzinfo=LONDON),
        location="Outpatients B, Northshire General",
        what_to_bring="Your medicines",
    )
    client.force_login(cast.paul)
    html = _main(client)
    assert "Nothing is booked yet" not in html
    assert "Friday 4 December at 10:30am" in html
    assert "Outpatients B, Northshire General" in html and "Your medicines" in html
    # Booked, so not also in the list of things waited for.
    assert "We are not waiting for anything for you at the moment." in html


def test_closed_items_and_the_teams_own_work_are_not_listed(client, cast, today):
    item = _item(cast, ItemKind.RESULT, dt.date(2026, 11, 20), state=ItemState.DONE)
    item.closed_at = timezone.now()
    item.save()
    _item(cast, ItemKind.PLAN_ITEM, dt.date(2026, 11, 20))
    client.force_login(cast.paul)
    assert "We are not waiting for anything for you at the moment." in _main(client)


def test_a_due_check_in_asks_how_they_are(client, cast, today):
    _item(cast, ItemKind.CHECK_IN, dt.date(2026, 12, 1))
    client.force_login(cast.paul)
    html = _main(client)
    assert "Your cancer support team would like to hear how you are." in html
    assert reverse("patients:messages", args=[cast.paul_case.id]) in html


def test_a_carer_reads_it_about_the_patient(client, cast, today, northshire):
    _item(
        cast,
        ItemKind.RESULT,
        dt.date(2026, 11, 28),
        state=ItemState.DONE,
        responsible_provider=northshire,
    )
    client.force_login(cast.carol)
    html = _main(client)
    assert "We are chasing Paul's test or scan result from Northshire" in html
    assert "Paul does not need to do anything." in html
    assert "Hello Carol" in html


def test_a_withdrawn_carer_sees_none_of_it(client, cast, today):
    _item(cast, ItemKind.RESULT, dt.date(2026, 11, 28), state=ItemState.DONE)
    cast.carol_grant.revoked_at = timezone.now()
    cast.carol_grant.save()
    client.force_login(cast.carol)
    html = _main(client, f"{HOME}?case={cast.paul_case.id}")
    assert "test or scan result" not in html
    assert "Your access to Paul Jones's record was withdrawn on 1 December 2026." in html


def test_the_patient_is_greeted_by_name(client, cast, today):
    client.force_login(cast.paul)
    greeting = _main(client).split('app-greeting">')[1].split("</p>")[0]
    assert greeting == "Hello Paul"


def _plan(cast, version, status):
    now = timezone.now()
    return CarePlan.objects.create(
        case=cast.paul_case, version=version, status=status, created_at=now, updated_at=now
    )


def test_a_new_draft_is_linked_beside_the_agreed_plan(client, cast, today):
    agreed = _plan(cast, 1, CarePlan.Status.AGREED)
    draft = _plan(cast, 2, CarePlan.Status.DRAFT)
    client.force_login(cast.paul)
    html = _main(client)
    assert "There is a new version of your care plan. It needs your agreement." in html
    assert reverse("careplans:plan_detail", args=[cast.paul_case.id, draft.id]) in html
    assert "Read and agree the new care plan (version 2)" in html
    assert reverse("careplans:plan_detail", args=[cast.paul_case.id, agreed.id]) in html
    assert "Read your agreed care plan (version 1)" in html


def test_a_read_only_carer_is_not_asked_to_agree(client, cast, today):
    _plan(cast, 1, CarePlan.Status.DRAFT)
    client.force_login(cast.carol)
    html = _main(client)
    assert "Paul has a draft care plan. It needs Paul's agreement." in html
    assert "Read the draft care plan (version 1)" in html
    cast.carol_grant.level = CarerAccess.Level.ACT
    cast.carol_grant.save()
    assert "Read and agree the draft care plan (version 1)" in _main(client)


@pytest.mark.parametrize("section", links.SECTIONS)
def test_a_nudge_link_lands_on_its_section_after_sign_in(client, cast, section):
    # What the assessment and care plan sections are about (they show only when there is one).
    _plan(cast, 1, CarePlan.Status.DRAFT)
    cast.paul_case.assessment_offers.create(
        reason="diagnosis",
        pathway_point="diagnosis",
        offered_at=timezone.now(),
        take_by=timezone.localdate() + dt.timedelta(days=14),
    )
    # And a feedback survey, open now.
    invitation = survey_invite(case=cast.paul_case, moment=SurveyInvitation.Moment.DIAGNOSIS)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(opens_at=timezone.now())
    link = links.home_link(case_id=cast.paul_case.id, section=section)
    assert link == f"/home/{str(cast.paul_case.id)[:8]}/{section}/"
    # Signed out: sign in first, with the link kept as `next`.
    response = client.get(link)
    assert response.status_code == 302 and f"next={link}" in response["Location"]
    client.force_login(cast.paul)
    response = client.get(link)
    assert response["Location"] == f"{HOME}?case={cast.paul_case.id}#{section}"
    html = client.get(response["Location"]).content.decode()
    assert f'id="{section}"' in html


def test_an_unknown_section_is_404(client, cast):
    client.force_login(cast.paul)
    assert client.get(f"/home/{cast.paul_case.id}/nowhere/").status_code == 404
    with pytest.raises(ValueError, match="No such section"):
        links.home_link(case_id=cast.paul_case.id, section="nowhere")


def test_a_section_link_to_someone_elses_case_shows_only_their_own(client, cast):
    client.force_login(cast.paul)
    response = client.get(links.home_link(case_id=cast.olive_case.id, section=links.WAITING))
    assert response["Location"] == f"{HOME}#waiting"
    assert "Olive" not in _main(client, response["Location"])


def test_a_section_link_after_access_was_withdrawn_says_so(client, cast):
    link = links.home_link(case_id=cast.paul_case.id, section=links.WAITING)
    cast.carol_grant.revoked_at = timezone.now()
    cast.carol_grant.save()
    client.force_login(cast.carol)
    response = client.get(link)
    assert "record was withdrawn on" in _main(client, response["Location"])


def test_a_malformed_reference_is_404(client, cast):
    client.force_login(cast.paul)
    assert client.get(f"/home/{cast.paul_case.id}/waiting/").status_code == 404


def _grow(cast, n):
    trust = f.make_organisation(f"Trust {n}")
    for i in range(n):
        _item(
            cast,
            ItemKind.RESULT,
            dt.date(2026, 11, 1 + i),
            state=ItemState.DONE,
            responsible_provider=trust,
        )
        _item(
            cast,
            ItemKind.APPOINTMENT,
            dt.date(2026, 12, 10 + i),
            state=ItemState.BOOKED,
            starts_at=dt.datetime(2026, 12, 10 + i, 9, 0, tzinfo=LONDON),
            location=f"Clinic {i}",
        )
        CaseMessage.objects.create(
            case=cast.paul_case,
            author=cast.nadia,
            author_kind=CaseMessage.AuthorKind.STAFF,
            body=f"Message {i}",
        )


def test_the_home_page_query_count_does_not_grow_with_the_record(client, cast, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.paul)
    _grow(cast, 1)
    with CaptureQueriesContext(connection) as one:
        assert "Clinic 0" in client.get(HOME).content.decode()
    _grow(cast, 9)
    with CaptureQueriesContext(connection) as ten:
        html = client.get(HOME).content.decode()
    assert "Clinic 8" in html and "Trust 9" in html
    assert len(ten) == len(one), [q["sql"] for q in ten.captured_queries]


def test_a_late_assessment_offer_asks_how_they_are_like_a_check_in(client, cast, today):
    # The end-of-treatment assessment's chase sends the check-in text, which links to #waiting.
    _item(cast, ItemKind.ASSESSMENT_OFFER, dt.date(2026, 11, 20))
    _item(cast, ItemKind.ASSESSMENT_OFFER, dt.date(2026, 12, 20))
    client.force_login(cast.paul)
    html = _main(client)
    assert html.count("would like to hear how you are") == 1


def test_a_carer_who_may_not_post_is_told_the_team_will_call(client, cast, today):
    _item(cast, ItemKind.CHECK_IN, dt.date(2026, 11, 30))
    client.force_login(cast.carol)
    html = _main(client)
    assert "Paul's cancer support team would like to hear how Paul is." in html
    assert "They will call Paul." in html
