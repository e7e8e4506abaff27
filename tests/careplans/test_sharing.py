"""Sharing the agreed care plan with the GP practice by a read-only link, and the GP's pages."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from careplans import services
from careplans.models import CarePlan, ShareLink, ShareLinkAccess
from careplans.models.sharing import MAX_FAILED_CHECKS
from careplans.services import sharing
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import WITHHELD, message_deliver, message_words
from patients.models import CareTeamMember
from tests import factories as f
from tests.careplans.conftest import complete
from tests.careplans.sharing_support import agreed_plan, shared
from tests.fakes.smtp import smtp_sink
from tests.outbox_support import outbox_row_as_stored

pytestmark = pytest.mark.django_db

PAUL_DOB = {"date_of_birth-day": "14", "date_of_birth-month": "3", "date_of_birth-year": "1950"}
WRONG_DOB = {"date_of_birth-day": "15", "date_of_birth-month": "3", "date_of_birth-year": "1950"}
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def passed_check(client, new: sharing.NewLink):
    response = client.post(new.path, PAUL_DOB, HTTP_USER_AGENT=FIREFOX)
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == new.path
    return response


# Making a link ------------------------------------------------------------------------------


def test_only_the_hash_of_the_token_is_stored(cast):
    new = shared(cast)
    link = ShareLink.objects.get()
    assert link.token_hash == hashlib.sha256(new.token.encode()).hexdigest()
    assert len(new.token) == 43
    for row in ShareLink.objects.values():
        assert new.token not in str(row)
    for row in AuditEvent.objects.values():
        assert new.token not in str(row)
    # The queued email to the practice carries the link only sealed, until it is sent (see
    # test_the_email_carries_the_link_sealed_until_it_is_sent_then_wipes_it).
    message = OutboundMessage.objects.get(kind="gp_share")
    assert new.token not in outbox_row_as_stored(message)
    assert new.token in message_words(message)[0]


def test_the_email_carries_the_link_sealed_until_it_is_sent_then_wipes_it(cast, client, settings):
    # A weekday morning, outside quiet hours, so the email is due at once.
    with (
        time_machine.travel(dt.datetime(2026, 3, 11, 10, tzinfo=dt.UTC)),
        smtp_sink(settings) as sink,
    ):
        new = shared(cast)
        message = OutboundMessage.objects.get(kind="gp_share")
        waiting = outbox_row_as_stored(message)
        assert new.token not in waiting and message.sealed_body in waiting
        assert f"A care plan has been shared with your practice: {WITHHELD['link']}" in waiting
        assert message_deliver(message_id=message.pk).status == OutboundMessage.Status.SENT
    [email] = sink.messages
    assert f"{settings.SITE_URL}{new.path}" in email.get_body(("plain",)).get_content()
    assert f'href="{settings.SITE_URL}{new.path}"' in email.get_body(("html",)).get_content()
    row = OutboundMessage.objects.get(pk=message.pk)
    assert row.status == OutboundMessage.Status.SENT
    assert row.sealed_body == ""
    sent = outbox_row_as_stored(row)
    assert new.token not in sent and message.sealed_body not in sent
    assert f"A care plan has been shared with your practice: {WITHHELD['link']}" in row.body
    assert "To open it you will need the patient's date of birth" in row.body
    # The link in the email still works (a few minutes later).
    with time_machine.travel(dt.datetime(2026, 3, 11, 10, 5, tzinfo=dt.UTC)):
        passed_check(client, new)
        assert client.get(new.path).status_code == 200


def test_an_email_that_failed_for_good_keeps_no_link_either(cast, settings):
    with (
        time_machine.travel(dt.datetime(2026, 3, 11, 10, tzinfo=dt.UTC)),
        smtp_sink(settings) as sink,
    ):
        sink.reject_rcpt_code = 550
        new = shared(cast)
        message = OutboundMessage.objects.get(kind="gp_share")
        assert message_deliver(message_id=message.pk).status == OutboundMessage.Status.FAILED
    row = OutboundMessage.objects.get(pk=message.pk)
    assert "550" in row.last_error
    assert row.sealed_body == ""
    assert new.token not in outbox_row_as_stored(row)


def test_the_practice_gets_an_email_with_the_link_and_no_clinical_detail(cast, settings):
    new = shared(cast)
    message = OutboundMessage.objects.get(kind="gp_share")
    assert message.channel == "email"
    assert message.to_address == "riverside.gp@nhs.test"
    assert message.subject == "A care plan has been shared with your practice"
    body, body_html = message_words(message)
    assert f"{settings.SITE_URL}{new.path}" in body
    assert message.idempotency_key == f"gp-share:{new.link.pk}"
    for detail in ("Paul", "Jones", "Lung", cast.paul_patient.nhs_number, "Pain", "1950"):
        assert detail not in body + body_html + message.subject


def test_a_link_expires_after_the_configured_days(cast, settings):
    settings.SHARE_LINK_DAYS = 30
    with time_machine.travel(dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC), tick=False):
        new = shared(cast)
    assert new.link.expires_at == dt.datetime(2026, 5, 31, 10, tzinfo=dt.UTC)


def test_a_plan_with_no_agreed_version_cannot_be_shared(cast, client):
    complete(cast.paul_case, cast.paul, ratings={"pain": 5}, distress=2)
    with pytest.raises(sharing.SharingError, match="no agreed care plan"):
        sharing.share_link_create(case=cast.paul_case, actor=cast.nadia)
    client.force_login(cast.nadia)
    response = client.post(f"/cases/{cast.paul_case.pk}/sharing/new/")
    assert response.status_code == 400
    assert "There is no agreed care plan to share yet" in response.content.decode()
    assert not ShareLink.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_without_a_gp_practice_email_nothing_is_shared(cast):
    agreed_plan(cast)
    cast.gp_practice.email = ""
    cast.gp_practice.save()
    with pytest.raises(sharing.SharingError, match="no GP practice with an email"):
        sharing.share_link_create(case=cast.paul_case, actor=cast.nadia)


def test_the_gp_practice_on_the_care_team_comes_before_the_patients_own(cast):
    other = f.make_organisation("Hillside Practice", kind="gp_practice", email="hill@nhs.test")
    CareTeamMember.objects.create(case=cast.paul_case, organisation=other, role="gp")
    new = shared(cast)
    assert new.link.practice == other
    assert OutboundMessage.objects.get(kind="gp_share").to_address == "hill@nhs.test"


@pytest.mark.parametrize("who", ["nadia", "lena", "colin", "paul"])
def test_the_care_team_and_the_patient_may_share(cast, client, who):
    agreed_plan(cast)
    client.force_login(getattr(cast, who))
    page = client.get(f"/cases/{cast.paul_case.pk}/sharing/")
    assert page.status_code == 200
    response = client.post(f"/cases/{cast.paul_case.pk}/sharing/new/")
    assert response.status_code == 200
    link = ShareLink.objects.get()
    assert link.created_by == getattr(cast, who)
    content = response.content.decode()
    assert "This is the only time the link is shown" in content
    assert "/gp/" in content
    assert AuditEvent.objects.filter(action="create", object_id=str(link.pk)).exists()


@pytest.mark.parametrize("who", ["carol", "olive", "oscar", "adam"])
def test_everyone_else_is_refused_sharing(cast, client, who):
    agreed_plan(cast)
    client.force_login(getattr(cast, who))
    case = cast.paul_case.pk
    assert client.get(f"/cases/{case}/sharing/").status_code == 404
    assert client.post(f"/cases/{case}/sharing/new/").status_code == 404
    assert client.post(f"/cases/{case}/sharing/consent/", {"allowed": "no"}).status_code == 404
    assert not ShareLink.objects.exists()


def test_a_carer_allowed_to_act_may_share(cast, client):
    cast.carol_grant.level = "act"
    cast.carol_grant.save()
    agreed_plan(cast)
    client.force_login(cast.carol)
    assert client.post(f"/cases/{cast.paul_case.pk}/sharing/new/").status_code == 200
    assert ShareLink.objects.get().created_by == cast.carol


def test_signed_out_visitors_are_sent_to_sign_in(cast, client):
    response = client.get(f"/cases/{cast.paul_case.pk}/sharing/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_link_from_another_case_cannot_be_revoked_through_this_one(cast, client):
    new = shared(cast)
    other_case = f.make_case(patient=cast.olive_patient, team=cast.team, navigator=cast.nadia)
    client.force_login(cast.nadia)
    response = client.post(f"/cases/{other_case.pk}/sharing/{new.link.pk}/revoke/")
    assert response.status_code == 404
    new.link.refresh_from_db()
    assert new.link.revoked_at is None


# Opening a link -----------------------------------------------------------------------------


def test_unknown_tampered_and_truncated_tokens_get_404(cast, client):
    new = shared(cast)
    flipped = ("A" if new.token[5] != "A" else "B").join([new.token[:5], new.token[6:]])
    for token in ["x", flipped, new.token[:-1], new.token + "A", "A" * 43]:
        response = client.get(f"/gp/{token}/")
        assert response.status_code == 404, token
        assert "This link is not recognised" in response.content.decode()


def test_the_gp_passes_the_date_of_birth_check_and_reads_the_plan(cast, client):
    new = shared(cast)
    first = client.get(new.path)
    assert first.status_code == 200
    assert "Enter their date of birth or their NHS number" in first.content.decode()
    assert "Pain" not in first.content.decode()  # nothing of the plan before the check

    passed_check(client, new)
    page = client.get(new.path, HTTP_USER_AGENT=FIREFOX)
    content = page.content.decode()
    assert page.status_code == 200
    assert "Paul Jones" in content and cast.paul_patient.nhs_number_display in content
    assert "Version 1, agreed with the patient on" in content
    for item in ("Pain", "Money or paying bills", "Trouble sleeping"):
        assert item in content
    assert "Nadia Khan" in content and "nadia@nav.test" in content
    # Read-only and self-contained: no way into the app, nothing to edit.
    assert "/cases/" not in content and "Sign out" not in content
    assert "Olive" not in content
    assert "<textarea" not in content


def test_the_nhs_number_passes_the_check_too(cast, client):
    new = shared(cast)
    number = cast.paul_patient.nhs_number_display
    response = client.post(new.path, {"nhs_number": number})
    assert response.status_code == 302
    assert "Personalised care and support plan" in client.get(new.path).content.decode()


def test_an_empty_check_is_explained_and_does_not_count(cast, client):
    new = shared(cast)
    response = client.post(new.path, {"date_of_birth-day": "", "nhs_number": ""})
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Enter the patient&#x27;s date of birth or NHS number" in content
    new.link.refresh_from_db()
    assert new.link.failed_checks == 0


def test_wrong_answers_lock_the_link(cast, client):
    new = shared(cast)
    for attempt in range(1, MAX_FAILED_CHECKS):
        response = client.post(new.path, WRONG_DOB if attempt % 2 else {"nhs_number": "9990001"})
        assert response.status_code == 400
        left = MAX_FAILED_CHECKS - attempt
        assert (
            f"You have {left} {'try' if left == 1 else 'tries'} left" in response.content.decode()
        )
        # What was typed is kept for correcting.
        if attempt % 2:
            assert 'value="15"' in response.content.decode()
    locked = client.post(new.path, WRONG_DOB)
    assert locked.status_code == 403
    assert "This link has been locked" in locked.content.decode()
    assert "Lung navigation" in locked.content.decode()
    # Now even the right answer is refused.
    assert client.post(new.path, PAUL_DOB).status_code == 403
    assert client.get(new.path).status_code == 403
    new.link.refresh_from_db()
    assert new.link.locked_at is not None and new.link.failed_checks == MAX_FAILED_CHECKS
    failed = ShareLinkAccess.objects.filter(kind="check_failed").count()
    assert failed == MAX_FAILED_CHECKS


def test_a_revoked_link_says_so_with_410_and_whom_to_contact(cast, client):
    new = shared(cast)
    passed_check(client, new)
    sharing.share_link_revoke(link=new.link, actor=cast.nadia)
    response = client.get(new.path)
    assert response.status_code == 410
    content = response.content.decode()
    assert "This link has been stopped" in content and "Lung navigation" in content
    assert "Paul" not in content
    assert "Traceback" not in content and "/accounts/login/" not in content
    assert client.get(f"{new.path}pdf/").status_code == 410


def test_a_link_works_until_it_expires_then_says_so(cast, client, settings):
    settings.SHARE_LINK_DAYS = 90
    start = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        new = shared(cast)
    with time_machine.travel(start + dt.timedelta(days=89, hours=23), tick=False):
        assert client.get(new.path).status_code == 200
    with time_machine.travel(start + dt.timedelta(days=90), tick=False):
        response = client.get(new.path)
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        assert "30 June 2026" in response.content.decode()


def test_the_check_lasts_half_an_hour_in_that_browser(cast, client):
    start = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        new = shared(cast)
        passed_check(client, new)
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert "Personalised care and support plan" in client.get(new.path).content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert "Personalised care" not in client.get(new.path).content.decode()


def test_passing_the_check_for_one_link_does_not_open_another(cast, client):
    first = shared(cast)
    second = sharing.share_link_create(case=cast.paul_case, actor=cast.nadia)
    passed_check(client, first)
    assert "Personalised care" not in client.get(second.path).content.decode()


def test_withdrawing_consent_revokes_links_and_stops_new_ones(cast, client):
    new = shared(cast)
    client.force_login(cast.paul)
    response = client.post(f"/cases/{cast.paul_case.pk}/sharing/consent/", {"allowed": "no"})
    assert response.status_code == 302
    new.link.refresh_from_db()
    assert new.link.revoked_at is not None
    assert new.link.revoked_reason == "The patient withdrew sharing with the GP."
    client.logout()
    assert client.get(new.path).status_code == 410
    with pytest.raises(sharing.SharingError, match="asked us not to share"):
        sharing.share_link_create(case=cast.paul_case, actor=cast.nadia)
    sharing.sharing_set(patient=cast.paul_patient, allowed=True, actor=cast.paul)
    assert sharing.share_link_create(case=cast.paul_case, actor=cast.nadia).link.revoked_at is None


def test_the_link_shows_the_latest_agreed_version_and_says_when_a_newer_one_exists(cast, client):
    new = shared(cast)
    passed_check(client, new)
    draft = services.care_plan_revise(plan=new.link.plan, actor=cast.nadia)
    content = client.get(new.path).content.decode()
    assert "Version 1, agreed" in content
    assert "A newer version of this plan is being prepared" in content

    services.plan_item_add(
        plan=draft,
        lock_version=draft.lock_version,
        actor=cast.nadia,
        concern_text="Getting to appointments",
        goal="Book hospital transport",
        owner_kind="navigator",
    )
    draft.refresh_from_db()
    services.care_plan_agree(
        plan=draft, lock_version=draft.lock_version, actor=cast.paul, how="online"
    )
    content = client.get(new.path).content.decode()
    assert "Version 2, agreed" in content
    assert "Getting to appointments" in content
    assert "updated since it was shared with you (version 1 was shared)" in content
    assert "being prepared" not in content


def test_what_is_asked_of_the_gp(cast, client):
    cast.paul_case.diagnosis_date = dt.date(2026, 2, 10)
    cast.paul_case.save()
    new = shared(cast)
    passed_check(client, new)
    content = client.get(new.path).content.decode()
    # "Trouble sleeping" is the GP's in the checklist; the Cancer Care Review from diagnosis.
    assert "Sleep better" in content
    assert "Cancer Care Review: expected within 12 months of diagnosis, by 10 February 2027" in (
        content
    )


# Every view is recorded -------------------------------------------------------------------------


def test_every_view_is_recorded_with_coarse_client_details_and_audited(cast, client):
    new = shared(cast)
    passed_check(client, new)
    client.get(new.path, HTTP_USER_AGENT=FIREFOX)
    client.get(new.path, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) AppleWebKit Safari/604.1 Mobile")
    views = ShareLinkAccess.objects.filter(kind="viewed").order_by("at", "id")
    assert [(v.browser, v.device, v.plan_version) for v in views] == [
        ("Firefox", "computer", 1),
        ("Safari", "mobile", 1),
    ]
    audits = AuditEvent.objects.filter(
        object_type="careplans.sharelink", summary__contains="viewed the care plan"
    )
    assert audits.count() == 2
    for entry in audits:
        assert entry.patient_id == cast.paul_patient.pk
        assert entry.actor is None and entry.actor_label == "Anonymous"
        assert entry.ip_address is None  # not the full address: the link and browser only
        assert new.token not in entry.path
        assert "Riverside Surgery" in entry.summary


def test_the_patient_and_navigator_see_when_the_practice_viewed_it(cast, client):
    new = shared(cast)
    with time_machine.travel(dt.datetime(2026, 6, 3, 14, 5, tzinfo=dt.UTC), tick=False):
        passed_check(client, new)
        client.get(new.path)
    for who in (cast.paul, cast.nadia):
        client.force_login(who)
        content = client.get(f"/cases/{cast.paul_case.pk}/sharing/").content.decode()
        assert "Viewed by the GP practice on 3 June 2026 at 15:05" in content


def test_the_practice_acknowledges_receipt_once(cast, client):
    new = shared(cast)
    passed_check(client, new)
    response = client.post(f"{new.path}acknowledge/")
    assert response.status_code == 302
    client.post(f"{new.path}acknowledge/")
    new.link.refresh_from_db()
    assert new.link.acknowledged_at is not None
    assert ShareLinkAccess.objects.filter(kind="acknowledged").count() == 1
    assert "Receipt confirmed on" in client.get(new.path).content.decode()
    client.force_login(cast.nadia)
    assert (
        "Receipt confirmed on"
        in client.get(f"/cases/{cast.paul_case.pk}/sharing/").content.decode()
    )


def test_acknowledging_needs_the_check(cast, client):
    new = shared(cast)
    client.post(f"{new.path}acknowledge/")
    new.link.refresh_from_db()
    assert new.link.acknowledged_at is None


# Headers and rate limits --------------------------------------------------------------------------


def test_gp_pages_are_not_indexed_cached_or_referred(cast, client):
    new = shared(cast)
    responses = [client.get(new.path), client.get("/gp/unknown/")]
    passed_check(client, new)
    responses.append(client.get(new.path))
    sharing.share_link_revoke(link=new.link, actor=cast.nadia)
    responses.append(client.get(new.path))
    for response in responses:
        assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cache-Control"] == "no-store"
        content = response.content.decode()
        assert '<meta name="robots" content="noindex, nofollow, noarchive">' in content
        assert '<meta name="referrer" content="same-origin">' in content


def test_link_requests_are_rate_limited_per_address(cast, client, settings):
    settings.GP_LINK_REQUESTS_PER_MINUTE = 5
    new = shared(cast)
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, 5, tzinfo=dt.UTC), tick=False):
        answers = [client.get(new.path).status_code for _ in range(5)]
        answers.append(client.get("/gp/" + "B" * 43 + "/").status_code)
        limited = client.get(new.path)
        other_address = client.get(new.path, REMOTE_ADDR="10.1.2.3")
    assert answers == [200] * 5 + [429]
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert "Too many requests" in limited.content.decode()
    assert other_address.status_code == 200
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, 1, 5, tzinfo=dt.UTC), tick=False):
        assert client.get(new.path).status_code == 200


def test_the_state_of_a_link(cast):
    new = shared(cast)
    link = new.link
    now = timezone.now()
    assert link.state(now) == ShareLink.State.ACTIVE
    assert link.state(link.expires_at) == ShareLink.State.EXPIRED
    link.locked_at = now
    assert link.state(now) == ShareLink.State.LOCKED
    link.revoked_at = now
    assert link.state(now) == ShareLink.State.REVOKED
    assert CarePlan.objects.get().share_links.get() == new.link


def test_acknowledging_closes_the_treatment_summary_waiting_for_the_gp(cast, client):
    from appointments.models import ItemKind, ItemState
    from appointments.services import tracked_item_create

    summary = tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.TREATMENT_SUMMARY,
        title="Your treatment summary to your GP",
        expected_by=timezone.localdate() + dt.timedelta(days=7),
        actor=cast.nadia,
        state=ItemState.SENT_TO_GP,
    )
    still_due = tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.TREATMENT_SUMMARY,
        title="Another summary, not written yet",
        expected_by=timezone.localdate() + dt.timedelta(days=7),
        actor=cast.nadia,
    )
    review = tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.CANCER_CARE_REVIEW,
        title="A review with your GP",
        expected_by=dt.date(2027, 1, 20),
        actor=cast.nadia,
    )
    new = shared(cast)
    passed_check(client, new)
    content = client.get(new.path).content.decode()
    assert "Cancer Care Review (due): expected by 20 January 2027." in content
    assert "Treatment summary: sent to the practice; please confirm you have it" in content

    client.post(f"{new.path}acknowledge/")
    summary.refresh_from_db()
    still_due.refresh_from_db()
    review.refresh_from_db()
    assert summary.state == ItemState.ACKNOWLEDGED and summary.closed_at is not None
    assert still_due.state == ItemState.DUE and still_due.closed_at is None
    assert review.closed_at is None
    transition = summary.transitions.get(to_state=ItemState.ACKNOWLEDGED)
    assert "Riverside Surgery confirmed receipt" in transition.note


def _summary_to_gp(cast):
    from appointments.models import ItemKind
    from appointments.services import tracked_item_create

    return tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.TREATMENT_SUMMARY,
        title="Your treatment summary to your GP",
        expected_by=timezone.localdate() + dt.timedelta(days=14),
        actor=cast.nadia,
    )


def test_sharing_with_a_written_summary_marks_it_sent_and_the_gp_closes_it(cast, client):
    from appointments.models import ItemState
    from patients.services import treatment_summary_save

    item = _summary_to_gp(cast)
    treatment_summary_save(
        case=cast.paul_case,
        by=cast.nadia,
        expected_version=None,
        diagnosis="Lung cancer",
        treatment_given="Chemoradiotherapy",
        intent="curative",
        red_flags="New cough lasting three weeks",
        contacts="Lung nurse team",
        written_by="Dr Okafor",
        written_on=timezone.localdate(),
    )
    new = shared(cast)
    item.refresh_from_db()
    assert item.state == ItemState.SENT_TO_GP and item.closed_at is None
    sent = item.transitions.get(to_state=ItemState.SENT_TO_GP)
    assert sent.note == "Sent to Riverside Surgery with the care plan link."

    passed_check(client, new)
    client.post(f"{new.path}acknowledge/")
    item.refresh_from_db()
    assert item.state == ItemState.ACKNOWLEDGED and item.closed_at is not None


def test_sharing_without_a_written_summary_leaves_it_due(cast):
    from appointments.models import ItemState

    item = _summary_to_gp(cast)
    shared(cast)
    item.refresh_from_db()
    assert item.state == ItemState.DUE


def test_two_cancer_care_review_items_each_say_which_they_are(cast):
    """A diagnosis schedules the offer of a review and the review itself: the practice sees
    each with its own words, not two identical "Cancer Care Review (due)" lines."""
    from appointments.models import ItemKind
    from appointments.services import tracked_item_create
    from careplans.services.sharing import gp_asks

    for title, due in (
        ("Your GP offers you a Cancer Care Review", dt.date(2027, 2, 1)),
        ("Your Cancer Care Review with your GP", dt.date(2027, 11, 1)),
    ):
        tracked_item_create(
            case=cast.paul_case,
            kind=ItemKind.CANCER_CARE_REVIEW,
            title=title,
            expected_by=due,
            actor=cast.nadia,
        )

    asks = gp_asks(cast.paul_case, None)

    assert asks == [
        "Cancer Care Review (due): expected by 1 February 2027. "
        "On the patient's list as “Your GP offers you a Cancer Care Review”.",
        "Cancer Care Review (due): expected by 1 November 2027. "
        "On the patient's list as “Your Cancer Care Review with your GP”.",
    ]
