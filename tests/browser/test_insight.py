"""A service manager's journey: sign in with password and authenticator app, land on the
service's figures, narrow them to one team, download a table as CSV; on a phone, axe-core on
every page."""

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from navigator.accounts.models import Role
from navigator.organisations.models import Organisation
from tests import factories as f
from tests.browser.conftest import axe_check, fits
from tests.browser.test_sign_in import sign_in_with_password, totp_now, totp_secret
from tests.careplans.conftest import reference_data_restore
from tests.conftest import Cast
from tests.insight.conftest import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_service_manager_signs_in_to_the_figures_filters_and_downloads(
    page: Any, live_server: Any, cast: Cast
) -> None:
    reference_data_restore()
    manager = f.make_user(
        "sam.okafor@nav.test", role=Role.SERVICE_MANAGER, name="Sam Okafor", mfa=True
    )
    practice = f.make_organisation("Riverside Surgery", kind=Organisation.Kind.GP_PRACTICE)
    for n in range(6):
        person(
            team=cast.team,
            practice=practice,
            diagnosed=dt.date(2026, 7, 10) + dt.timedelta(days=n),
            navigator=cast.nadia,
            distress=4 + n,
        )

    page.goto("/accounts/login/")
    sign_in_with_password(page, manager.email)
    page.get_by_label("Code from your authenticator app").fill(totp_now(totp_secret(manager)))
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server.url}/insight/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Service insight")
    expect(page.get_by_role("banner")).to_contain_text("Sam Okafor")
    reach = page.locator("table[aria-labelledby='table-hna-reach']")
    expect(reach.get_by_role("row", name="At diagnosis")).to_contain_text("6")
    expect(page.locator("svg.app-insight-chart").first).to_be_visible()
    axe_check(page)
    fits(page, 375)

    page.get_by_label("Team", exact=True).select_option(label="Lung navigation")
    page.get_by_role("button", name="Show figures").click()
    expect(page).to_have_url(
        f"{live_server.url}/insight/?team={cast.team.pk}&tumour_site=&period=&area="
    )
    expect(page.get_by_label("Team", exact=True)).to_have_value(str(cast.team.pk))
    axe_check(page)
    fits(page, 375)

    with page.expect_download() as download:
        page.get_by_role(
            "link",
            name='Download "Holistic needs assessments offered, completed and declined" as CSV',
        ).click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.startswith('"Holistic needs assessments offered, completed and declined"')
    assert "Team,Lung navigation" in text
    assert "At diagnosis,6,6,fewer than 5" in text
    # Nothing about anyone: no names, no NHS numbers.
    assert "Person" not in text and cast.paul_patient.nhs_number not in text
