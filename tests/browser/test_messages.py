"""Paul, on a phone, writes to his care team, reads the reply, keeps his questions, and
chooses who else can see his record; an invited carer accepts.

Signed in by `force_login` and the session cookie, as in test_case_record. Every page visited
is checked with axe-core and for sideways scrolling at 375px (and the conversation at 320px).
"""

from typing import Any

import pytest
from playwright.sync_api import expect

from patients.models import CarerAccess, CaseMessage
from patients.services import carer_invite, case_message_post
from tests import factories as f
from tests.browser.conftest import axe_check, fits, sign_in
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_paul_reads_a_reply_and_sends_a_message_on_a_phone(
    page: Any, live_server: Any, cast: Cast
) -> None:
    case_message_post(case=cast.paul_case, author=cast.nadia, body="Your clinic letter is ready.")
    sign_in(page, live_server, cast.paul)

    page.goto(f"/?case={cast.paul_case.pk}")
    expect(page.get_by_text("You have 1 new message from your care team.")).to_be_visible()
    page.get_by_role("link", name="Messages").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Messages with your care team")
    expect(page.get_by_text("Your clinic letter is ready.")).to_be_visible()
    axe_check(page)
    fits(page, 375)

    # An empty message is explained, in place (htmx), and nothing is sent.
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your message")
    axe_check(page)

    page.get_by_label("Your message").fill("Thank you. Can my daughter come to the clinic?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("status")).to_contain_text("Message sent.")
    expect(page.get_by_text("Can my daughter come to the clinic?")).to_be_visible()
    expect(page.get_by_label("Your message")).to_have_value("")
    assert CaseMessage.objects.filter(author=cast.paul).count() == 1
    axe_check(page)

    page.set_viewport_size({"width": 320, "height": 640})
    fits(page, 320)


def test_paul_keeps_questions_for_his_next_appointment(
    page: Any, live_server: Any, cast: Cast
) -> None:
    sign_in(page, live_server, cast.paul)
    page.goto(f"/?case={cast.paul_case.pk}")
    page.get_by_role("link", name="Add questions, or pick from ones other people ask").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your questions for your next appointment"
    )
    axe_check(page)
    fits(page, 375)

    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your question")
    axe_check(page)

    page.get_by_label("Your question").fill("Can I still drive to work?")
    page.get_by_role("button", name="Add question").click()
    page.get_by_role(
        "button", name="Add this question: Can I bring someone with me to my appointments?"
    ).click()
    expect(page.get_by_text("Can I still drive to work?", exact=True)).to_be_visible()
    axe_check(page)
    fits(page, 375)

    page.get_by_role("button", name="Tick off the question: Can I still drive to work?").click()
    expect(page.get_by_role("heading", name="Already asked")).to_be_visible()
    axe_check(page)

    page.goto(f"/?case={cast.paul_case.pk}")
    expect(page.get_by_text("Can I bring someone with me to my appointments?")).to_be_visible()
    axe_check(page)
    fits(page, 375)


def test_carol_sees_the_messages_read_only_with_the_banner(
    page: Any, live_server: Any, cast: Cast
) -> None:
    case_message_post(case=cast.paul_case, author=cast.nadia, body="Your clinic letter is ready.")
    sign_in(page, live_server, cast.carol)
    page.goto(f"/cases/{cast.paul_case.pk}/messages/")
    expect(page.get_by_text("You are viewing Paul Jones's record")).to_be_visible()
    expect(page.get_by_label("Your message")).to_have_count(0)
    axe_check(page)
    fits(page, 375)


def test_paul_invites_a_carer_and_takes_carols_access_away(
    page: Any, live_server: Any, cast: Cast
) -> None:
    sign_in(page, live_server, cast.paul)
    page.goto(f"/?case={cast.paul_case.pk}")
    page.get_by_role("link", name="Choose who else can see your record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who can see your record")
    expect(page.get_by_text("Carol Jones", exact=True)).to_be_visible()
    axe_check(page)
    fits(page, 375)

    page.get_by_role("button", name="Invite someone").click()
    page.get_by_label("Their name").fill("Dev Patel")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter their email address or mobile")
    expect(page.get_by_label("Their name")).to_have_value("Dev Patel")
    axe_check(page)
    fits(page, 375)

    page.get_by_label("Their email address").fill("dev@example.test")
    page.get_by_label("See my record, but not change anything").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", name="Invitations not yet accepted")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Take away access for Carol Jones").click()
    expect(page.get_by_text("You have not given anyone access to your record.")).to_be_visible()
    axe_check(page)
    assert not cast.carol.has_perm("patients.view_case", cast.paul_case)


def test_an_invited_carer_sets_up_their_account_from_the_link(
    page: Any, live_server: Any, cast: Cast
) -> None:
    _, link = carer_invite(
        patient=cast.paul_patient,
        by=cast.paul,
        carer_name="Dev Patel",
        email="",
        phone="07700 900 456",
        level=CarerAccess.Level.ACT,
    )
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Help Paul Jones with their care")
    axe_check(page)
    fits(page, 375)
    page.get_by_role("button", name="Accept and get a sign-in code").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your full name")
    axe_check(page)
    page.get_by_label("Your full name").fill("Dev Patel")
    page.get_by_label("Your email address").fill("dev@example.test")
    page.get_by_role("button", name="Accept and get a sign-in code").click()
    page.wait_for_url("**/accounts/login/code/confirm/**")
    assert CarerAccess.objects.filter(carer__email="dev@example.test", level="act").exists()


def test_a_signed_in_person_accepts_with_one_button(
    page: Any, live_server: Any, cast: Cast
) -> None:
    dana = f.make_user("dana@example.test", role="carer", name="Dana Lee")
    _, link = carer_invite(
        patient=cast.paul_patient,
        by=cast.paul,
        carer_name="Dana Lee",
        email="dana@example.test",
        phone="",
        level=CarerAccess.Level.READ,
    )
    sign_in(page, live_server, dana)
    page.goto(link)
    axe_check(page)
    fits(page, 375)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("You are viewing Paul Jones's record")).to_be_visible()
    axe_check(page)
