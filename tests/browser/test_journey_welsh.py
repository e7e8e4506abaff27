"""Paul reads everything in Welsh (Cymraeg), on a 375px-wide phone: he chooses Cymraeg in the
header of his home page, answers the needs assessment his team offered, reads his draft care
plan, writes to his team and looks at who can see his record. Every page is in Welsh, says so
(`<html lang="cy">`), fits the screen and passes axe-core; he moves only by links and forms.
"""

from typing import Any

import pytest
from playwright.sync_api import expect

from careplans import services as careplans_services
from careplans.models import Assessment, CarePlan
from patients.models import CaseMessage
from tests.browser.conftest import axe_check, fits, sign_in
from tests.careplans.conftest import reference_data_restore

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    reference_data_restore()


def welsh_page(page: Any) -> None:
    assert page.locator("html").get_attribute("lang") == "cy", page.url
    axe_check(page)
    fits(page, 375)


def test_paul_uses_the_service_in_welsh_on_his_phone(cast, page, live_server):
    careplans_services.assessment_offer(case=cast.paul_case, reason="diagnosis", actor=cast.nadia)
    sign_in(page, live_server, cast.paul)
    page.goto("/")

    # English first; the header's switch reads "Cymraeg" (in Welsh) and saves his choice.
    assert page.locator("html").get_attribute("lang") == "en-gb"
    page.get_by_role("button", name="Cymraeg").click()
    page.wait_for_load_state()
    welsh_page(page)
    assert page.get_by_role("heading", name="Beth sy'n digwydd nesaf").is_visible()
    assert page.get_by_role("heading", name="Eich llywiwr").is_visible()
    assert page.get_by_role("button", name="English").is_visible()
    cast.paul_patient.refresh_from_db()
    assert cast.paul_patient.language == "cy"

    # The assessment his team offered, in Welsh because he chose Welsh.
    page.get_by_role("button", name="Dechrau nawr").click()
    page.wait_for_url("**/step/1/")
    welsh_page(page)
    assert page.get_by_text("Cam 1 o 7").is_visible()
    page.get_by_label("Poen", exact=True).check()
    page.locator("#r-pain").fill("5")
    page.get_by_label("Mae hyn yn bwysicaf i mi").first.check()
    page.get_by_role("button", name="Cadw a pharhau").click()
    for step in (2, 3, 4, 5, 6):
        page.wait_for_url(f"**/step/{step}/")
        page.get_by_role("button", name="Cadw a pharhau").click()
    page.wait_for_url("**/step/7/")
    welsh_page(page)
    page.get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Cadw a pharhau").click()
    page.wait_for_url("**/check/")
    welsh_page(page)
    assert page.get_by_role("heading", name="Gwiriwch eich atebion").is_visible()
    page.get_by_role("button", name="Anfon fy atebion").click()

    # His draft plan.
    page.wait_for_url("**/plans/**")
    welsh_page(page)
    assert page.get_by_role("heading", name="Eich cynllun gofal").is_visible()
    assert page.get_by_text("Diolch. Mae eich atebion wedi'u hanfon.").is_visible()
    # The information prescribed with it, in Welsh too (data with its own Welsh fields).
    expect(page.get_by_text("Cwestiynau i'w gofyn yn eich apwyntiadau")).to_be_visible()
    assert CarePlan.objects.get(case=cast.paul_case).status == CarePlan.Status.DRAFT
    assert Assessment.objects.get(case=cast.paul_case).language == "cy"

    # Messages, from his home page.
    page.get_by_role("link", name="Hafan").click()
    page.wait_for_url("**/")
    page.get_by_role("link", name="Negeseuon").click()
    page.wait_for_url("**/messages/")
    welsh_page(page)
    page.get_by_label("Eich neges").fill("Diolch am eich help")
    page.get_by_role("button", name="Anfon neges").click()
    expect(page.get_by_role("status")).to_contain_text("Neges wedi'i hanfon.")
    expect(page.get_by_text("Diolch am eich help")).to_be_visible()
    welsh_page(page)
    assert CaseMessage.objects.get(case=cast.paul_case).body == "Diolch am eich help"

    # Who can see his record (carers).
    page.get_by_role("link", name="Yn ôl").click()
    page.get_by_role("link", name="Dewis pwy arall all weld eich cofnod").click()
    page.wait_for_url("**/carers/")
    welsh_page(page)
    assert page.get_by_role("heading", name="Pwy all weld eich cofnod").is_visible()
    assert page.get_by_text("Carol Jones", exact=True).is_visible()
    assert page.get_by_role(
        "button", name="Tynnu'r mynediad yn ôl ar gyfer Carol Jones"
    ).is_visible()
    page.get_by_role("button", name="Gwahodd rhywun").click()
    page.wait_for_url("**/carers/invite/")
    welsh_page(page)
