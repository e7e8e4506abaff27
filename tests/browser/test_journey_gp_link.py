"""Journey 7, the GP link, from the email: Nadia (1280 px) shares Paul's agreed plan from his
case page; the practice opens the link in the email, passes the check, reads the plan and
prints it; Paul (375 px, from his home page) and Nadia (from the case page and the share page)
see when the practice viewed it; a stopped link and an expired link each say so plainly. Only
links, buttons and forms; axe-core on every page visited."""

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import ShareLink, ShareLinkAccess
from tests.browser.conftest import axe_check, fits
from tests.browser.test_journey_case_hub import reference_data, staff_sign_in  # noqa: F401
from tests.browser.test_journey_invite import daytime, eager  # noqa: F401
from tests.browser.test_journey_result_chase import patient_sign_in_with_code
from tests.careplans.sharing_support import agreed_plan
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1280, "height": 900}
PRACTICE = "riverside.gp@nhs.test"


def at_desk(page: Any) -> None:
    axe_check(page)
    fits(page, 1280)


def link_in_newest_email() -> str:
    emails = [m for m in mail.outbox if m.to == [PRACTICE]]
    assert emails, "no email to the practice"
    found = re.search(r"https?://\S+/gp/\S+/", str(emails[-1].body))
    assert found and "Paul" not in str(emails[-1].body)
    return urlsplit(found.group(0)).path


def open_case(page: Any) -> None:
    page.get_by_role("banner").get_by_role("link", name="Worklist").click()
    page.get_by_role("link", name="JONES, Paul").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paul Jones")


def on(day: dt.datetime) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.mark.usefixtures("daytime", "eager")
def test_journey_7_the_gp_reads_and_prints_the_plan_and_everyone_sees_when(
    chromium: Any, page: Any, live_server: Any, cast: Cast, time_machine: Any
) -> None:
    agreed_plan(cast)

    # Nadia shares Paul's plan from his case page.
    desk = chromium.new_context(base_url=live_server.url, viewport=DESK, bypass_csp=True)
    nadia = desk.new_page()
    nadia.goto("/accounts/login/")
    staff_sign_in(nadia, cast.nadia)
    open_case(nadia)
    expect(
        nadia.get_by_text("The GP practice has not viewed the plan through a link.")
    ).to_be_visible()
    at_desk(nadia)
    nadia.get_by_role("link", name="Share the care plan with the GP practice").click()
    at_desk(nadia)
    nadia.get_by_role("button", name="Send a link to the GP practice").click()
    expect(nadia.get_by_text("Link sent to Riverside Surgery")).to_be_visible()
    at_desk(nadia)

    # The practice opens the link in the email, passes the check, reads and prints the plan.
    practice = chromium.new_context(base_url=live_server.url, viewport=DESK, bypass_csp=True)
    gp = practice.new_page()
    first_link = link_in_newest_email()
    gp.goto(first_link)
    expect(gp.get_by_role("heading", level=1)).to_have_text(
        "A care plan has been shared with your practice"
    )
    at_desk(gp)
    gp.get_by_label("NHS number").fill(cast.paul_patient.nhs_number)
    gp.get_by_role("button", name="Continue").click()
    expect(gp.get_by_role("heading", level=1)).to_have_text("Paul Jones")
    expect(gp.get_by_text("Version 1, agreed with the patient on")).to_be_visible()
    expect(gp.get_by_role("heading", name="Pain")).to_be_visible()
    at_desk(gp)
    with gp.expect_response(re.compile(r"/pdf/$")) as printed:
        gp.get_by_role("link", name=re.compile("^Download the plan")).click()
    assert printed.value.status == 200
    assert printed.value.header_value("content-type") == "application/pdf"
    viewed = timezone.localtime(ShareLinkAccess.objects.filter(kind="viewed").latest("at").at)
    assert ShareLinkAccess.objects.filter(kind="downloaded").count() == 1

    # Paul, on his phone, sees from his plan when the practice viewed it.
    page.goto("/accounts/login/")
    patient_sign_in_with_code(page, "paul@example.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("What happens next")
    page.locator("#care-plan").get_by_role(
        "link", name="Read your agreed care plan (version 1)"
    ).click()
    axe_check(page)
    fits(page, 375)
    page.get_by_role("link", name="Share with the GP practice").click()
    expect(page.locator(".app-share-link")).to_contain_text(
        f"Viewed by the GP practice on {on(viewed)} at {viewed:%H:%M}."
    )
    axe_check(page)
    fits(page, 375)

    # Nadia sees it on the case page and the share page, and stops the link.
    open_case(nadia)
    expect(
        nadia.get_by_text(
            re.compile(rf"Riverside Surgery last (viewed|downloaded) the plan on {on(viewed)}")
        )
    ).to_be_visible()
    at_desk(nadia)
    nadia.get_by_role("link", name="Share the care plan with the GP practice").click()
    sent = nadia.locator(".app-share-link")
    expect(sent).to_contain_text(f"Viewed by the GP practice on {on(viewed)}")
    at_desk(nadia)
    sent.get_by_role("button", name=re.compile("^Stop this link")).click()
    expect(nadia.get_by_text("The link for Riverside Surgery has been stopped.")).to_be_visible()
    expect(nadia.locator(".app-share-link")).to_contain_text("Stopped")
    at_desk(nadia)

    # The practice opens the stopped link again from the email: it says so plainly.
    response = gp.goto(first_link)
    assert response.status == 410
    expect(gp.get_by_role("heading", level=1)).to_have_text("This link has been stopped")
    expect(gp.get_by_text("contact Lung navigation")).to_be_visible()
    at_desk(gp)

    # Nadia sends a new link; the practice leaves it until it has expired.
    nadia.get_by_role("button", name="Send a link to the GP practice").click()
    expect(nadia.get_by_text("Link sent to Riverside Surgery")).to_be_visible()
    second_link = link_in_newest_email()
    assert second_link != first_link
    desk.close()
    expires_at = ShareLink.objects.get(revoked_at__isnull=True).expires_at
    time_machine.move_to(expires_at + dt.timedelta(days=1))
    response = gp.goto(second_link)
    expect(gp.get_by_role("heading", level=1)).to_have_text("This link has expired")
    expect(
        gp.get_by_text(f"This one expired on {on(timezone.localtime(expires_at))}.")
    ).to_be_visible()
    at_desk(gp)
    practice.close()
