"""The security log in a real browser: Lena, a team lead, starts at her worklist, follows the
header's link and sees the attempt another team's navigator made at one of her team's cases.
axe-core checks the page, at a staff desk's width."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import axe_check, fits, sign_in
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lena_reviews_a_refused_attempt_from_her_worklist(
    page: Any, live_server: Any, cast: Cast
) -> None:
    oscar = Client()
    oscar.force_login(cast.oscar)
    case_page = reverse("caseload:case_detail", kwargs={"case_id": cast.paul_case.pk})
    assert oscar.get(case_page).status_code == 404

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server, cast.lena)
    page.goto("/cases/worklist/")
    page.get_by_role("link", name="Security log").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Security log")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("Oscar Reid (navigator)")
    expect(row).to_contain_text(f"GET {case_page}")
    expect(row).to_contain_text("404")
    expect(page.locator("main")).not_to_contain_text("Paul")
    axe_check(page)
    fits(page, 1280)
