"""Feedback after a key moment, from Paul's side: two weeks after his diagnosis the nudge job
texts him a line and a link; he opens it on his phone, signs in with a code, lands on the
feedback card of his home page, opens the questions, is told plainly what he missed, answers
and sends them, and the card is gone. At 375 px, axe-core on every page visited."""

import datetime as dt
import importlib
import re
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from playwright.sync_api import expect

from careplans.models import Survey, SurveyResponse
from careplans.services.surveys import survey_invitations_nudge_due
from navigator.messaging.models import OutboundMessage
from patients.models import TimelineEvent
from patients.services import timeline_event_add
from tests.browser.conftest import axe_check, fits
from tests.browser.test_journey_result_chase import patient_sign_in_with_code
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def surveys(transactional_db: None, settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    if not Survey.objects.exists():
        importlib.import_module("careplans.migrations.0011_feedback_surveys_v1").load(apps, None)


def test_paul_answers_the_feedback_questions_from_the_text(
    page: Any, live_server: Any, cast: Cast, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON))
    timeline_event_add(
        case=cast.paul_case,
        by=cast.nadia,
        kind=TimelineEvent.Kind.DIAGNOSIS,
        occurred_at=dt.date(2026, 11, 2),
        summary="Diagnosis given in clinic",
    )
    time_machine.move_to(dt.datetime(2026, 11, 16, 10, 30, tzinfo=LONDON))
    assert survey_invitations_nudge_due() == 1
    [text] = OutboundMessage.objects.filter(kind="feedback_survey", channel="sms")
    link = re.search(r"https?://\S+", text.body)
    assert link and "iagnos" not in text.body
    page.goto(urlsplit(link.group(0)).path)  # Paul taps the link in the text

    patient_sign_in_with_code(page, "paul@example.test")
    expect(page).to_have_url(re.compile(r"/\?case=[0-9a-f-]+#feedback$"))
    card = page.locator("#feedback")
    expect(card.get_by_role("heading", level=2)).to_have_text("Tell us how we are doing")
    axe_check(page)
    fits(page, 375)

    card.get_by_role("link", name="After your diagnosis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your support after diagnosis")
    expect(page.get_by_text("This is not for urgent problems.")).to_be_visible()
    axe_check(page)
    fits(page, 375)

    # Sent with one question unanswered: the page says which, and keeps what he wrote.
    who = page.get_by_role("group", name="Did you know who to contact if you had questions?")
    who.get_by_label("Yes").check()
    page.get_by_label("Anything else you would like to tell us (optional)").fill("Kind staff")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose an answer")
    expect(page.get_by_label("Anything else you would like to tell us (optional)")).to_have_value(
        "Kind staff"
    )
    axe_check(page)
    fits(page, 375)

    page.get_by_role("group", name="Did you understand what would happen next?").get_by_label(
        "Partly"
    ).check()
    page.get_by_role(
        "group", name="Overall, how would you rate the support from your cancer support team?"
    ).get_by_label("Very good").check()
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_text("Thank you for telling us.")).to_be_visible()
    expect(page.locator("#feedback")).to_have_count(0)
    axe_check(page)
    fits(page, 375)
    response = SurveyResponse.objects.get()
    assert response.via == "web" and not response.wants_reply
    assert sorted(response.answers.values_list("choice", flat=True)) == [
        "partly",
        "very-good",
        "yes",
    ]
