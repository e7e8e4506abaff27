"""A GP opens a shared care plan link in Chromium, passes the date-of-birth check and reads it.

Every page visited is checked with axe-core and for sideways scrolling at 320px.
"""

import importlib
from typing import Any

import pytest
from django.apps import apps

from careplans.models import Questionnaire, ShareLinkAccess
from tests.browser.conftest import axe_check
from tests.careplans.sharing_support import shared

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def checklist(transactional_db: None) -> None:
    """Put the migrated checklist back if an earlier transactional test flushed it."""
    if not Questionnaire.objects.filter(code="hna").exists():
        importlib.import_module("careplans.migrations.0002_concerns_checklist").load(apps, None)


def check_page(page: Any, width: int = 375) -> None:
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_a_gp_opens_the_link_passes_the_check_and_reads_the_plan(cast, page):
    new = shared(cast)
    page.goto(new.path)
    assert page.get_by_role("heading", name="A care plan has been shared with your practice")
    check_page(page)

    # A wrong date first: told plainly, with what was typed kept.
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("1950")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector(".nhsuk-error-summary")
    alert = page.get_by_role("alert")
    assert alert.get_by_text("do not match this patient").is_visible()
    assert alert.get_by_text("You have 4 tries left").is_visible()
    assert page.get_by_label("Year").input_value() == "1950"
    check_page(page)

    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("3")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("h1:has-text('Paul Jones')")
    assert page.get_by_role("heading", name="Paul Jones", level=1).is_visible()
    assert page.get_by_text("Version 1, agreed with the patient on").is_visible()
    assert page.get_by_role("heading", name="Pain").is_visible()
    assert page.get_by_role("heading", name="What we ask of the practice").is_visible()
    assert page.get_by_text("Nadia Khan").first.is_visible()
    assert page.locator("a[href^='/cases/']").count() == 0
    check_page(page)
    page.set_viewport_size({"width": 320, "height": 740})
    check_page(page, width=320)

    page.get_by_role("button", name="Confirm receipt").click()
    page.wait_for_selector("text=Receipt confirmed on")
    assert page.get_by_text("Receipt confirmed on").is_visible()
    check_page(page, width=320)
    assert ShareLinkAccess.objects.filter(kind="viewed").count() == 2
    assert ShareLinkAccess.objects.filter(kind="acknowledged").count() == 1


def test_a_stopped_link_says_so_plainly(cast, page):
    from careplans.services import sharing

    new = shared(cast)
    sharing.share_link_revoke(link=new.link, actor=cast.nadia)
    response = page.goto(new.path)
    assert response.status == 410
    assert page.get_by_role("heading", name="This link has been stopped").is_visible()
    check_page(page)


def test_nadia_writes_the_treatment_summary_and_the_gp_reads_it(cast, page, live_server):
    from django.test import Client

    new = shared(cast)
    client = Client()
    client.force_login(cast.nadia)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"/cases/{cast.paul_case.pk}/")
    page.get_by_role("link", name="Add the treatment summary").click()
    page.wait_for_selector("h1:has-text('Add the treatment summary')")
    check_page(page)

    # Missing the red flags first: the error summary links to the field; typing is kept.
    page.get_by_label("Diagnosis").fill("Lung cancer, right upper lobe, stage 2.")
    page.get_by_label("Treatment given, with dates").fill("Lobectomy on 2 June 2026.")
    page.get_by_label("Curative: to remove or cure the cancer").check()
    page.get_by_label("Who to contact").fill("Lung CNS team, 0113 000 1111.")
    page.get_by_label("Written by").fill("Dr Asha Patel, consultant oncologist")
    written = page.get_by_role("group", name="Date written")
    written.get_by_label("Day").fill("20")
    written.get_by_label("Month").fill("10")
    written.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save the treatment summary").click()
    page.wait_for_selector(".nhsuk-error-summary")
    assert page.get_by_role("alert").get_by_text("Enter the red-flag symptoms").is_visible()
    assert page.get_by_label("Diagnosis").input_value() == "Lung cancer, right upper lobe, stage 2."
    check_page(page)
    page.get_by_label("Red-flag symptoms and what to do").fill("Coughing blood: call the CNS.")
    page.get_by_role("button", name="Save the treatment summary").click()
    page.wait_for_selector("text=Treatment summary saved")
    check_page(page)

    page.context.clear_cookies()
    page.goto(new.path)
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("1950")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("h2:has-text('Treatment summary')")
    assert page.get_by_text("Coughing blood: call the CNS.").is_visible()
    assert page.get_by_text("Dr Asha Patel, consultant oncologist").is_visible()
    check_page(page)
