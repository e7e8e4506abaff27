"""Paul, on a 375px-wide phone, completes an assessment and reads his draft plan; and answers
a domain in Welsh.

Every page visited is checked with axe-core and for sideways scrolling.
"""

from typing import Any

import pytest

from careplans.models import Assessment, CarePlan
from tests.browser.conftest import axe_check
from tests.careplans.conftest import reference_data_restore

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed rows; serialized rollback puts the checklist back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    # An earlier browser test's flush may have emptied the migrated checklist.
    reference_data_restore()


def check_page(page: Any) -> None:
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url


def test_paul_completes_an_assessment_on_his_phone(cast, page, client, live_server):
    client.force_login(cast.paul)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    start_url = f"/cases/{cast.paul_case.pk}/assessments/"
    page.goto(start_url)
    check_page(page)
    page.get_by_role("button", name="Start a new assessment").click()

    page.wait_for_url("**/step/1/")
    assert page.get_by_text("Step 1 of 7").is_visible()
    page.get_by_label("Pain").check()
    page.get_by_label("How much does this bother you, from 0 to 10?").first.fill("12")
    check_page(page)
    page.get_by_role("button", name="Save and continue").click()

    # Out of range: told why, with the number still there to correct.
    assert page.get_by_role("alert").get_by_text("must be a number from 0 to 10").is_visible()
    check_page(page)
    page.locator("#r-pain").fill("5")
    page.locator("#p-pain").check()
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/step/2/")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/step/3/")
    page.get_by_label("Money or paying bills").check()
    page.locator("#r-money").fill("6")
    check_page(page)
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/step/4/")
    page.get_by_role("link", name="Back").click()  # nothing lost going back
    page.wait_for_url("**/step/3/")
    assert page.locator("#r-money").input_value() == "6"
    for step in (4, 5, 6, 7):
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(f"**/step/{step}/")

    assert page.get_by_text("Step 7 of 7").is_visible()
    page.get_by_label("3", exact=True).check()
    page.get_by_label("Is there anything else you want to tell us?").fill("Parking is costly")
    check_page(page)
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/check/")
    check_page(page)
    page.get_by_role("button", name="Send my answers").click()

    page.wait_for_url("**/plans/**")
    assert page.get_by_role("heading", name="Your care plan").is_visible()
    assert page.get_by_role("heading", name="Pain Matters most").is_visible()
    assert page.get_by_text("Know what money help I can get").is_visible()
    check_page(page)

    plan = CarePlan.objects.get(case=cast.paul_case)
    assert plan.status == CarePlan.Status.DRAFT
    assert [i.concern_text for i in plan.items.all()] == ["Pain", "Money or paying bills"]


def test_paul_answers_a_domain_in_welsh_on_his_phone(cast, page, client, live_server):
    client.force_login(cast.paul)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"/cases/{cast.paul_case.pk}/assessments/")
    page.get_by_role("button", name="Start a new assessment").click()
    page.wait_for_url("**/step/1/")
    page.locator("main").get_by_role("button", name="Cymraeg").click()  # not the header's

    page.wait_for_url("**/step/1/")
    content = page.locator("main [lang='cy']").first
    assert content.get_by_role("heading", name="Eich corff").is_visible()
    assert page.get_by_text("Cam 1 o 7").is_visible()
    check_page(page)
    page.get_by_label("Poen", exact=True).check()
    page.get_by_label("Faint mae hyn yn eich poeni, o 0 i 10?").first.fill("11")
    page.get_by_role("button", name="Cadw a pharhau").click()

    # Told in Welsh, with the number kept to correct.
    assert page.get_by_role("alert").get_by_text("yn eich poeni fod yn rhif o 0 i 10").is_visible()
    assert page.locator("#r-pain").input_value() == "11"
    check_page(page)
    page.locator("#r-pain").fill("6")
    page.get_by_label("Mae hyn yn bwysicaf i mi").first.check()
    page.get_by_role("button", name="Cadw a pharhau").click()

    page.wait_for_url("**/step/2/")
    assert page.get_by_text("Cam 2 o 7").is_visible()
    check_page(page)
    assessment = Assessment.objects.get(case=cast.paul_case)
    assert assessment.language == "cy"
    pain = assessment.answers.get(concern__code="pain")
    assert (pain.selected, pain.rating, pain.is_priority) == (True, 6, True)


def test_the_paper_form_prints_and_nadia_keys_one_in(cast, page, client, live_server):
    client.force_login(cast.nadia)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"/cases/{cast.paul_case.pk}/assessments/paper/")
    check_page(page)
    # Printed, only the form is left: no header, footer or links to follow.
    page.emulate_media(media="print")
    assert not page.locator("header").is_visible()
    assert not page.get_by_role("link", name="Key in a completed form").is_visible()
    assert page.get_by_text("Form HNA, version 1").first.is_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Key in a completed form").click()
    page.wait_for_url("**/paper/key-in/?version=1")
    check_page(page)
    page.locator("#completed_on").fill("2025-03-01")
    page.get_by_role("textbox", name="Money or paying bills").fill("abc")
    page.get_by_role("textbox", name="Pain", exact=True).fill("7")
    page.locator("#distress_score").fill("5")
    page.get_by_role("button", name="Save and make a draft plan").click()

    assert page.get_by_role("alert").get_by_text("not “abc”").is_visible()
    assert page.get_by_role("textbox", name="Pain", exact=True).input_value() == "7"
    check_page(page)
    page.get_by_role("textbox", name="Money or paying bills").fill("6")
    page.get_by_role("button", name="Save and make a draft plan").click()
    page.wait_for_url("**/plans/**")
    assessment = Assessment.objects.get(case=cast.paul_case)
    assert assessment.mode == "paper" and assessment.is_submitted
