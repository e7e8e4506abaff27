"""Journey "second assessment": Paul has an agreed plan; his team offers another assessment; he
opens the link in the text, signs in, fills it in, and from his home page reaches the new draft
(version 2) and agrees it, by links and buttons only. At 375 px, axe-core on every page."""

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import AssessmentOffer, CarePlan
from careplans.services.offers import assessment_offer
from navigator.messaging.models import OutboundMessage
from tests.browser.conftest import axe_check, fits
from tests.browser.test_journey_result_chase import patient_sign_in_with_code
from tests.careplans.conftest import reference_data_restore
from tests.conftest import Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    reference_data_restore()


def check_page(page: Any) -> None:
    axe_check(page)
    fits(page, 375)


def test_paul_agrees_his_second_plan_from_home(
    page: Any, live_server: Any, cast: Cast, settings: Any
) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    now = timezone.now()
    first = CarePlan.objects.create(
        case=cast.paul_case,
        version=1,
        status=CarePlan.Status.AGREED,
        created_at=now,
        updated_at=now,
        agreed_at=now,
        agreed_how=CarePlan.AgreedHow.BY_PHONE,
    )
    assessment_offer(case=cast.paul_case, reason=AssessmentOffer.Reason.REVIEW, actor=cast.nadia)
    text = OutboundMessage.objects.get(kind="assessment_offer")
    link = re.search(r"https?://\S+", text.body)
    assert link
    page.goto(urlsplit(link.group(0)).path)

    patient_sign_in_with_code(page, "paul@example.test")
    expect(page).to_have_url(re.compile(r"#assessment$"))
    expect(page.locator("#assessment")).to_contain_text("Tell us how you are")
    check_page(page)
    page.get_by_role("button", name="Start now").click()

    page.wait_for_url("**/step/1/")
    page.get_by_label("Pain").check()
    page.locator("#r-pain").fill("5")
    page.locator("#p-pain").check()
    check_page(page)
    for step in (2, 3, 4, 5, 6, 7):
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(f"**/step/{step}/")
    page.get_by_label("3", exact=True).check()  # distress over the past week
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/check/")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/plans/**")
    check_page(page)

    # Back home: the new version is there to agree, beside the one agreed before.
    page.get_by_role("link", name=re.compile("homepage")).click()
    plans = page.locator("#care-plan")
    expect(plans).to_contain_text("There is a new version of your care plan.")
    expect(plans.get_by_role("link", name="Read your agreed care plan (version 1)")).to_be_visible()
    check_page(page)
    plans.get_by_role("link", name="Read and agree the new care plan (version 2)").click()
    check_page(page)
    page.get_by_role("link", name="Agree this plan").click()
    check_page(page)
    page.get_by_role("button", name="I agree with this plan").click()
    expect(page.get_by_text("The plan is agreed.")).to_be_visible()
    check_page(page)

    second = CarePlan.objects.get(case=cast.paul_case, version=2)
    assert second.status == CarePlan.Status.AGREED
    first.refresh_from_db()
    assert first.status == CarePlan.Status.SUPERSEDED

    page.get_by_role("link", name=re.compile("homepage")).click()
    plans = page.locator("#care-plan")
    expect(plans.get_by_role("link", name="Read your agreed care plan (version 2)")).to_be_visible()
    expect(plans).not_to_contain_text("needs your agreement")
    check_page(page)
