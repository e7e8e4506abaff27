"""Journey 1, new diagnosis, whole: Nadia (1280 px) signs in, opens a case for Joan, records her
referral and diagnosis, invites her and offers an assessment, all from the case page. Joan
(375 px) opens the invitation email's link, confirms her date of birth, signs in with the code,
sees her navigator and her clocks, and fills in the assessment on her phone, rating her
distress. Nadia reviews the draft plan from the case page; Joan agrees it online from her home
page; Nadia prints it and shares it with the GP practice; the GP opens the link in the email and
reads it. Only links, buttons and forms; axe-core on every page visited."""

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import CarePlan
from navigator.messaging.models import OutboundMessage
from patients.models import Case
from tests import factories as f
from tests.browser.conftest import axe_check, fits
from tests.browser.test_journey_case_hub import reference_data, staff_sign_in  # noqa: F401
from tests.browser.test_journey_invite import daytime, eager, patient_accepts  # noqa: F401
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1280, "height": 900}


def at_desk(page: Any) -> None:
    axe_check(page)
    fits(page, 1280)


def on_phone(page: Any) -> None:
    axe_check(page)
    fits(page, 375)


def fill_date(page: Any, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def add_event(page: Any, kind: str, day: dt.date, summary: str) -> None:
    page.get_by_role("link", name="add a note or event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a note or event")
    at_desk(page)
    page.get_by_label("What happened?").select_option(label=kind)
    fill_date(page, "Date it happened", day)
    page.get_by_label("Summary", exact=True).fill(summary)
    page.get_by_role("button", name="Add to the timeline").click()
    expect(page.get_by_text(summary).first).to_be_visible()
    at_desk(page)
    page.get_by_role("link", name="Back to the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joan Baker")


def back_to_the_case(page: Any) -> None:
    page.get_by_role("link", name="Back to Joan Baker's case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joan Baker")


@pytest.mark.usefixtures("daytime", "eager")
def test_journey_1_a_new_patient_from_case_opening_to_the_gp_reading_her_plan(
    chromium: Any, page: Any, live_server: Any, cast: Cast
) -> None:
    today = timezone.localdate()
    referred, diagnosed = today - dt.timedelta(days=20), today - dt.timedelta(days=6)
    desk = chromium.new_context(base_url=live_server.url, viewport=DESK, bypass_csp=True)
    nadia = desk.new_page()

    # Nadia signs in and opens a case from her case list.
    nadia.goto("/accounts/login/")
    staff_sign_in(nadia, cast.nadia)
    at_desk(nadia)
    nadia.get_by_role("button", name="Open a new case").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Open a case")
    at_desk(nadia)
    nadia.get_by_label("NHS number").fill(f.next_nhs_number())
    nadia.get_by_label("First name").fill("Joan")
    nadia.get_by_label("Last name").fill("Baker")
    fill_date(nadia, "Date of birth", dt.date(1948, 6, 2))
    nadia.get_by_label("Mobile phone number").fill("07700 900456")
    nadia.get_by_label("Email address").fill("joan@example.test")
    nadia.get_by_role("group", name="How should we send messages?").get_by_label("Email").check()
    nadia.get_by_label("Cancer type").fill("Lung")
    fill_date(nadia, "Date of diagnosis", diagnosed)
    nadia.get_by_label("GP practice ODS code (optional)").fill(cast.gp_practice.ods_code)
    nadia.get_by_role("button", name="Open the case").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Joan Baker")
    expect(nadia.get_by_text("Case opened. You are Joan Baker's named navigator.")).to_be_visible()
    at_desk(nadia)
    case = Case.objects.get(patient__given_name="Joan")
    assert case.navigator == cast.nadia

    # The referral and the diagnosis go on the timeline: the clocks start from them.
    add_event(nadia, "Urgent suspected cancer referral", referred, "Referred by her GP")
    add_event(nadia, "Diagnosis", diagnosed, "Lung cancer confirmed at clinic")
    expect(nadia.locator(".app-case-summary")).to_contain_text("62 days from referral to treatment")

    # From the case page: invite Joan, and offer her an assessment.
    nadia.get_by_role("link", name="Invite Joan Baker to use the service").click()
    at_desk(nadia)
    expect(nadia.get_by_label("Email to joan@example.test")).to_be_checked()
    nadia.get_by_role("button", name="Send invitation").click()
    expect(nadia.get_by_text("Invitation sent to Joan Baker.")).to_be_visible()
    at_desk(nadia)
    nadia.get_by_role("link", name="Offer an assessment to Joan Baker").click()
    at_desk(nadia)
    nadia.get_by_label("At diagnosis").check()
    nadia.get_by_role("button", name="Offer the assessment").click()
    expect(nadia.get_by_text("Assessment offered.")).to_be_visible()
    at_desk(nadia)
    back_to_the_case(nadia)
    expect(nadia.locator(".app-case-summary")).to_contain_text("not started")

    # Joan opens the invitation email's link on her phone and signs in with a code.
    [invitation] = [
        m for m in mail.outbox if m.to == ["joan@example.test"] and "/invitation/" in m.body
    ]
    link = re.search(r"https?://\S+/cases/invitation/\S+/", str(invitation.body))
    assert link
    patient_accepts(page, live_server, urlsplit(link.group(0)).path, read_code)

    # Her home: her navigator, what happens next with the clocks, and the assessment offered.
    expect(page.locator(".app-greeting")).to_have_text("Hello Joan")
    clocks = page.locator(".app-clocks")
    expect(clocks.get_by_role("heading", name="How long things should take")).to_be_visible()
    expect(clocks).to_contain_text("62 days from referral to treatment")
    expect(clocks).to_contain_text("Today is day 20 of 62")
    offer = page.locator("#assessment")
    expect(offer).to_contain_text("Tell us how you are")
    on_phone(page)

    # She fills it in on her phone, rating her distress.
    offer.get_by_role("button", name="Start now").click()
    page.wait_for_url("**/step/1/")
    on_phone(page)
    page.get_by_label("Pain").check()
    page.locator("#r-pain").fill("6")
    page.locator("#p-pain").check()
    for step in (2, 3, 4, 5, 6, 7):
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(f"**/step/{step}/")
    on_phone(page)
    page.get_by_label("5", exact=True).check()  # distress over the past week
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/check/")
    on_phone(page)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url("**/plans/**")
    expect(page.get_by_text("This is a draft.")).to_be_visible()
    on_phone(page)

    # Nadia reviews the draft from the case page, with Joan on the phone.
    nadia.get_by_role("link", name="Back to my worklist").click()
    nadia.get_by_role("link", name="BAKER, Joan").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Joan Baker")
    summary = nadia.locator(".app-case-summary")
    expect(summary).to_contain_text("distress 5 out of 10")
    expect(summary).to_contain_text("Version 1, draft")
    at_desk(nadia)
    nadia.get_by_role("link", name="Open care plan version 1").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Your care plan")
    at_desk(nadia)
    nadia.get_by_role("link", name=re.compile("^Change Pain")).click()
    at_desk(nadia)
    nadia.get_by_label("What will happen").fill("Pain clinic referral; Nadia rings on Friday")
    nadia.get_by_role("button", name="Save").click()
    expect(nadia.get_by_text("Pain clinic referral; Nadia rings on Friday")).to_be_visible()
    at_desk(nadia)

    # Joan agrees it online, from her home page.
    page.get_by_role("link", name=re.compile("homepage")).click()
    plans = page.locator("#care-plan")
    expect(plans).to_contain_text("You have a draft care plan. It needs your agreement.")
    on_phone(page)
    plans.get_by_role("link", name="Read and agree the draft care plan (version 1)").click()
    expect(page.get_by_text("Pain clinic referral; Nadia rings on Friday")).to_be_visible()
    on_phone(page)
    page.get_by_role("link", name="Agree this plan").click()
    on_phone(page)
    page.get_by_role("button", name="I agree with this plan").click()
    expect(page.get_by_text("The plan is agreed.")).to_be_visible()
    on_phone(page)
    plan = CarePlan.objects.get(case=case)
    assert plan.status == CarePlan.Status.AGREED

    # Nadia prints it and shares it with the GP practice, from the case page.
    nadia.get_by_role("link", name=re.compile("^Back")).first.click()
    back_to_the_case(nadia)
    expect(nadia.locator(".app-case-summary")).to_contain_text("Version 1, agreed")
    at_desk(nadia)
    with nadia.expect_response(re.compile(r"/pdf/$")) as printed:
        nadia.get_by_role("link", name="Print the care plan (PDF, version 1)").click()
    assert printed.value.status == 200
    assert printed.value.header_value("content-type") == "application/pdf"
    if "/pdf/" in nadia.url:  # shown in the browser's viewer rather than downloaded
        nadia.go_back()
    expect(nadia.get_by_role("heading", level=1)).to_have_text("Joan Baker")
    nadia.get_by_role("link", name="Share the care plan with the GP practice").click()
    expect(nadia.get_by_role("heading", level=1)).to_have_text(
        "Share the care plan with the GP practice"
    )
    at_desk(nadia)
    nadia.get_by_role("button", name="Send a link to the GP practice").click()
    expect(nadia.get_by_text("Link sent to Riverside Surgery")).to_be_visible()
    at_desk(nadia)
    desk.close()

    # The practice opens the link in the email and reads Joan's plan.
    assert OutboundMessage.objects.filter(kind="gp_share", status="sent").count() == 1
    [email] = [m for m in mail.outbox if m.to == ["riverside.gp@nhs.test"]]
    gp_link = re.search(r"https?://\S+/gp/\S+/", str(email.body))
    assert gp_link and "Joan" not in str(email.body)
    practice = chromium.new_context(base_url=live_server.url, viewport=DESK, bypass_csp=True)
    gp = practice.new_page()
    gp.goto(urlsplit(gp_link.group(0)).path)
    expect(gp.get_by_role("heading", level=1)).to_have_text(
        "A care plan has been shared with your practice"
    )
    at_desk(gp)
    fill_date(gp, "Date of birth", dt.date(1948, 6, 2))
    gp.get_by_role("button", name="Continue").click()
    expect(gp.get_by_role("heading", level=1)).to_have_text("Joan Baker")
    expect(gp.get_by_text("Version 1, agreed with the patient on")).to_be_visible()
    expect(gp.get_by_text("Pain clinic referral; Nadia rings on Friday")).to_be_visible()
    expect(gp.get_by_text("Nadia Khan").first).to_be_visible()
    at_desk(gp)
    practice.close()


def read_code() -> str:
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mail.outbox[-1].body))
    assert code and mail.outbox[-1].to == ["joan@example.test"]
    return code.group(1)
