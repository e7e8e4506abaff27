"""Journeys through the case page, the navigator's hub, in Chromium at 1280 px.

Nadia signs in, opens Paul's case from her worklist and reaches every part of his record by
links alone, coming back to the case each time. Journey 5 (distress): Paul rates his distress 8;
the case is flagged on Nadia's worklist at once; nobody acts, the escalation job runs, and Lena,
the team lead, follows the email's link, signs in and sees the case marked escalated, with Nadia
named as the one who was meant to act. axe-core checks every page visited.
"""

import datetime as dt
import importlib
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.apps import apps
from playwright.sync_api import expect

from appointments.models import PathwayStandard
from careplans.tasks import escalate_unacknowledged_flags
from navigator.messaging.models import OutboundMessage
from tests.browser.conftest import axe_check, fits
from tests.browser.test_sign_in import sign_in_with_password, totp_now, totp_secret
from tests.careplans.conftest import complete, reference_data_restore
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 1280


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    """Put back the migrated standards and checklist if an earlier test's flush removed them."""
    if not PathwayStandard.objects.exists():
        migration = importlib.import_module("appointments.migrations.0002_pathway_standards")
        migration.load(apps, None)
    reference_data_restore()


def staff_sign_in(page: Any, user: Any) -> None:
    sign_in_with_password(page, user.email)
    page.get_by_label("Code from your authenticator app").fill(totp_now(totp_secret(user)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("banner")).to_contain_text(user.get_full_name())


def check(page: Any) -> None:
    axe_check(page)
    fits(page, WIDTH)


def back_to_the_case(page: Any, name: str) -> None:
    page.get_by_role("link", name=re.compile(r"^Back")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_nadia_reaches_every_part_of_pauls_record_from_his_case_page(
    page: Any, live_server: Any, cast: Cast
) -> None:
    complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=2, priorities=("money",))
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto("/accounts/login/")
    staff_sign_in(page, cast.nadia)

    page.get_by_role("banner").get_by_role("link", name="Worklist").click()
    page.get_by_role("link", name="JONES, Paul").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paul Jones")
    expect(page.get_by_role("heading", name="At a glance")).to_be_visible()
    check(page)
    record = page.get_by_role("navigation", name="In this record")

    record.get_by_role("link", name="Assessments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your needs and concerns")
    check(page)
    back_to_the_case(page, "Paul Jones")

    record.get_by_role("link", name="Care plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("plan")
    check(page)
    # The plan item edit page: its "Who will do this" radios each have their own label.
    page.get_by_role("link", name=re.compile("^Change")).first.click()
    expect(page.get_by_role("group", name="Who will do this")).to_be_visible()
    check(page)
    page.go_back()
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paul Jones")

    with page.expect_response(re.compile(r"/pdf/$")) as printed:
        page.get_by_role("link", name=re.compile("^Print the care plan")).click()
    assert printed.value.status == 200
    assert printed.value.header_value("content-type") == "application/pdf"
    if "/pdf/" in page.url:  # shown in the browser's viewer rather than downloaded
        page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paul Jones")

    page.get_by_role("link", name="Share the care plan with the GP practice").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("GP")
    check(page)
    page.go_back()

    record.get_by_role("link", name="Tracked items and chases").click()
    check(page)
    back_to_the_case(page, "Paul Jones")

    record.get_by_role("link", name="Timeline").click()
    check(page)
    back_to_the_case(page, "Paul Jones")

    record.get_by_role("link", name=re.compile("^Messages")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Messages")
    check(page)
    back_to_the_case(page, "Paul Jones")

    record.get_by_role("link", name="Carers").click()
    expect(page).to_have_url(re.compile("#carers$"))
    expect(page.get_by_role("heading", name="Carers")).to_be_in_viewport()
    expect(page.get_by_text("Carol Jones")).to_be_visible()

    # The same page works on a phone: nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 740})
    axe_check(page)
    fits(page, 375)


def test_journey_5_distress_is_flagged_then_escalated_to_the_team_lead(
    page: Any, live_server: Any, cast: Cast
) -> None:
    # Paul sends an assessment with distress 8 (through the service his pages call).
    flag = complete(cast.paul_case, cast.paul, ratings={}, distress=8).flag
    assert flag is not None

    # At once, the case is flagged at the top of Nadia's worklist.
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto("/accounts/login/")
    staff_sign_in(page, cast.nadia)
    page.get_by_role("banner").get_by_role("link", name="Worklist").click()
    first = page.locator("tbody tr").first
    expect(first).to_contain_text("JONES, Paul")
    expect(first).to_contain_text("Urgent distress")
    check(page)
    page.get_by_role("button", name="Sign out").click()

    # Nobody acts; the escalation job runs once the set time has passed.
    with time_machine.travel(flag.escalate_after + dt.timedelta(minutes=1), tick=False):
        assert escalate_unacknowledged_flags() == 1
    flag.refresh_from_db()
    assert flag.escalated_to == cast.lena
    email = OutboundMessage.objects.get(kind="flag_escalated")
    link = re.search(r"https?://\S+", email.body)
    assert link is not None
    target = urlsplit(link.group(0))

    # Lena follows the email's link, signs in and lands on what needs her.
    page.goto(f"{target.path}?{target.query}")
    staff_sign_in(page, cast.lena)
    escalated = page.locator("#escalated")
    expect(escalated.get_by_role("heading", level=2)).to_have_text("Escalated: 1 waiting for you")
    row = escalated.locator("tbody tr")
    expect(row).to_contain_text("JONES, Paul")
    expect(row).to_contain_text("Escalated")
    expect(row).to_contain_text("Nadia Khan")
    expect(row).to_contain_text("Raised")
    check(page)

    # From there to the case, where the summary says the same.
    row.get_by_role("link", name="JONES, Paul").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paul Jones")
    expect(page.get_by_text("as Nadia Khan had not acted")).to_be_visible()
    check(page)
