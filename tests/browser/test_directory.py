"""The service directory in a real browser, at phone width: Nadia, a navigator, follows the
header's link from her worklist and looks for money help near a patient; Lena, a team lead,
goes on from the search page to what the feed's topics mean and maps one. axe-core checks
every page."""

from typing import Any

import pytest
from playwright.sync_api import expect

from careplans.models import DirectoryService
from caseload.demo.directory import demo_directory_load
from tests.browser.conftest import axe_check, fits, sign_in
from tests.careplans.conftest import reference_data_restore
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nadia_finds_money_help_near_a_patient(page: Any, live_server: Any, cast: Cast) -> None:
    reference_data_restore()
    demo_directory_load()
    sign_in(page, live_server, cast.nadia)
    page.goto("/cases/worklist/")
    page.get_by_role("link", name="Service directory").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Service directory")
    axe_check(page)
    fits(page, 375)
    page.get_by_label("Need").select_option(label="Money or paying bills")
    page.get_by_label("Area").fill("NS2 7HD")
    page.get_by_role("button", name="Search").click()

    results = page.locator(".app-directory-results")
    expect(results).to_contain_text("Debt and benefits advice")
    expect(results).to_contain_text("Riverton Advice Centre")
    expect(results).to_contain_text("01632 960 021")
    expect(results).not_to_contain_text("Welfare rights service")
    expect(page.get_by_role("link", name="What the directory's topics mean")).to_have_count(0)
    axe_check(page)
    fits(page, 375)


def test_lena_maps_a_feed_topic_and_the_search_follows(
    page: Any, live_server: Any, cast: Cast
) -> None:
    reference_data_restore()
    demo_directory_load()
    sign_in(page, live_server, cast.lena)
    page.goto("/cases/worklist/")
    page.get_by_role("link", name="Service directory").click()
    page.get_by_role("link", name="What the directory's topics mean").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("What the directory's topics mean")
    expect(page.get_by_text("Last import")).to_be_visible()
    axe_check(page)
    fits(page, 375)
    page.get_by_role("link", name="Change Transport to appointments").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Transport to appointments")
    axe_check(page)
    fits(page, 375)
    page.get_by_label("money worries", exact=False).check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Saved what “Transport to appointments” means")).to_be_visible()
    blue_badge = DirectoryService.objects.get(name="Blue Badge parking permits")
    assert set(blue_badge.taxonomy_terms.values_list("code", flat=True)) == {"money", "transport"}
    page.goto("/directory/?need=money&area=Riverton")
    expect(page.locator(".app-directory-results")).to_contain_text("Blue Badge parking permits")
