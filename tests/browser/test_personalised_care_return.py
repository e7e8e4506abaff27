"""Lena, a team lead, downloads her team's personalised care return from her worklist, and Nadia
asks for a reply to feedback on Paul's case page: the staff pages this branch adds, axe-clean at
a desk's width and at a phone's."""

import csv
import datetime as dt
import importlib
import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from playwright.sync_api import expect

from careplans import cosd
from careplans.models import AssessmentOffer, Survey, SurveyInvitation
from careplans.services import assessment_offer
from careplans.services.surveys import survey_invite, survey_response_submit
from tests.browser.conftest import axe_check, fits
from tests.browser.test_journey_case_hub import staff_sign_in
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def surveys(transactional_db: None, settings: Any) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    if not Survey.objects.exists():
        importlib.import_module("careplans.migrations.0011_feedback_surveys_v1").load(apps, None)


def test_lena_downloads_the_return_from_her_worklist(
    page: Any, live_server: Any, cast: Cast, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON))
    assessment_offer(case=cast.paul_case, reason=AssessmentOffer.Reason.DIAGNOSIS, actor=cast.nadia)
    page.goto("/accounts/login/")
    staff_sign_in(page, cast.lena)
    page.get_by_role("banner").get_by_role("link", name="Worklist").click()
    page.get_by_role("link", name="Download the personalised care return (COSD)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personalised care return")
    axe_check(page)
    fits(page, 375)
    page.get_by_label("Team").select_option(label=cast.team.name)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    body = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(body)))
    assert tuple(rows[0]) == cosd.RETURN_COLUMNS
    assert [r[0] for r in rows[1:]] == [cast.paul_patient.nhs_number]


def test_nadia_sees_a_request_for_a_reply_and_records_her_reply(
    page: Any, live_server: Any, cast: Cast, time_machine: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON))
    invitation = survey_invite(case=cast.paul_case, moment=SurveyInvitation.Moment.DIAGNOSIS)
    assert invitation is not None
    time_machine.move_to(dt.datetime(2026, 11, 17, 10, 0, tzinfo=LONDON))
    survey_response_submit(
        invitation=invitation,
        answers={"knew-who-to-contact": "no", "understood-next-steps": "no", "overall": "poor"},
        via="web",
        actor=cast.paul,
        comment="Nobody rang me back",
        wants_reply=True,
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/accounts/login/")
    staff_sign_in(page, cast.nadia)
    page.get_by_role("banner").get_by_role("link", name="Worklist").click()
    page.get_by_role("link", name="JONES, Paul").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paul Jones")
    card = page.locator("#feedback-replies")
    expect(card).to_contain_text("Nobody rang me back")
    axe_check(page)
    card.get_by_role("button", name="I have replied").click()
    expect(page.get_by_text("Recorded that you replied to their feedback.")).to_be_visible()
    expect(page.locator("#feedback-replies")).to_have_count(0)
    axe_check(page)
