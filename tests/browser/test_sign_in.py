"""Signing in, as people do it: a navigator with password and authenticator app, a patient with
an emailed code, a new member of staff setting up the app; on a phone, with axe-core on every
page."""

import re
import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from navigator.accounts.models import Role, User
from navigator.accounts.services import invitation_create
from tests import factories as f
from tests.browser.conftest import axe_check
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def totp_secret(user: User) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return str(decrypt(authenticator.data["secret"]))


def expect_signed_in_at_home(page: Any, live_server: Any, name: str) -> None:
    """Home, or the case list home sends staff to, with their name in the header."""
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/(cases/)?$"))
    expect(page.get_by_role("banner")).to_contain_text(name)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_in_with_password(page: Any, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in with a password").click()


def test_a_navigator_signs_in_with_password_and_authenticator(
    page: Any, live_server: Any, cast: Cast
) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    axe_check(page)

    sign_in_with_password(page, "nadia@nav.test")
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter the code from your authenticator app"
    )
    axe_check(page)

    page.get_by_label("Code from your authenticator app").fill(totp_now(totp_secret(cast.nadia)))
    page.get_by_role("button", name="Continue").click()
    expect_signed_in_at_home(page, live_server, "Nadia Khan")
    axe_check(page)


def test_a_wrong_authenticator_code_is_summarised_at_the_top(
    page: Any, live_server: Any, cast: Cast
) -> None:
    page.goto("/accounts/login/")
    sign_in_with_password(page, "nadia@nav.test")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # NHS.UK frontend moves focus there, so it is read out
    summary.get_by_role("link").click()
    expect(page.get_by_label("Code from your authenticator app")).to_be_focused()
    axe_check(page)


def test_a_patient_signs_in_with_an_emailed_code(page: Any, live_server: Any, cast: Cast) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Email me a sign-in code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get a sign-in code")
    axe_check(page)

    page.get_by_label("Email address").fill("paul@example.test")
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    axe_check(page)

    # The live server runs in this process, so its locmem outbox is ours to read.
    assert [message.to for message in mail.outbox] == [["paul@example.test"]]
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mail.outbox[0].body))
    assert code
    page.get_by_label("Sign-in code").fill(code.group(1))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect_signed_in_at_home(page, live_server, "Paul Jones")
    axe_check(page)


def test_new_staff_are_sent_to_set_up_an_authenticator_app(
    page: Any, live_server: Any, cast: Cast
) -> None:
    f.make_user("sam@nav.test", role=Role.NAVIGATOR, name="Sam Hill")
    f.join(cast.team, User.objects.get(email="sam@nav.test"))
    page.goto("/accounts/login/")
    sign_in_with_password(page, "sam@nav.test")

    # The password they typed a moment ago counts: they are not asked for it a second time.
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/totp/activate/")
    # Still held here whatever they ask for.
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/totp/activate/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: URI loaded under our CSP
    # Each visit to the page makes a new secret, so read it from the page that is submitted.
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("Code from your authenticator app").fill(totp_now(secret))
    page.get_by_role("button", name="Turn on the authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    axe_check(page)
    page.get_by_role("button", name="Continue").click()
    expect_signed_in_at_home(page, live_server, "Sam Hill")
    assert User.objects.get(email="sam@nav.test").has_mfa


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/login/code/"])
def test_sign_in_pages_fit_a_320px_screen(page: Any, live_server: Any, path: str) -> None:
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_sign_in_csp(chromium: Any, live_server: Any, transactional_db: None, cast: Cast) -> None:
    """With the Content Security Policy enforced, the pages break no rule and their scripts run."""
    context = chromium.new_context(base_url=live_server.url)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    try:
        tab.goto("/accounts/login/")
        # NHS.UK frontend's module ran: it reveals the password show/hide button.
        expect(tab.get_by_role("button", name="Show password")).to_be_visible()
        tab.goto("/accounts/login/code/")
        tab.get_by_label("Email address").fill("paul@example.test")
        tab.get_by_role("button", name="Email me a code").click()
        expect(tab.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    finally:
        context.close()
    # No console error at all: not even the Frutiger font NHS.UK frontend's CSS names, which
    # our stylesheet no longer uses (the policy keeps fonts to this origin).
    assert problems == []


def test_a_new_member_of_staff_accepts_an_invitation(
    page: Any, live_server: Any, cast: Cast
) -> None:
    _, link = invitation_create(
        invited_by=cast.lena, email="nia@nav.test", phone="", role=Role.NAVIGATOR, team=cast.team
    )
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your account")
    axe_check(page)

    page.get_by_label("Your full name").fill("Nia Evans")
    page.get_by_label("Create a password").fill("a long and new passphrase")
    page.get_by_label("Type your password again").fill("something else")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The passwords do not match")
    expect(page.get_by_label("Your full name")).to_have_value("Nia Evans")
    axe_check(page)

    page.get_by_label("Create a password").fill("a long and new passphrase")
    page.get_by_label("Type your password again").fill("a long and new passphrase")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")

    page.goto(link)  # used up
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This invitation has already been used"
    )
    axe_check(page)


def test_a_team_lead_sends_an_invitation(page: Any, live_server: Any, cast: Cast) -> None:
    client = Client()
    client.force_login(cast.lena)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto("/accounts/invitations/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    axe_check(page)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose a role")
    axe_check(page)

    page.get_by_label("Email address").fill("nia@nav.test")
    page.get_by_label("They are a").select_option("navigator")
    page.get_by_label("Team").select_option(label="Lung navigation")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to nia@nav.test")
    expect(page.get_by_role("table")).to_contain_text("Waiting to be accepted")
    axe_check(page)


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/2fa/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/reauthenticate/",
        "/accounts/2fa/reauthenticate/",
        "/accounts/logout/",
        "/accounts/password/reset/",
    ],
)
def test_account_pages_are_accessible(page: Any, live_server: Any, cast: Cast, path: str) -> None:
    """allauth's other pages, drawn by our element templates: whatever each shows, axe passes."""
    client = Client()
    client.force_login(cast.nadia)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(path)
    expect(page.locator("h1")).to_have_count(1)
    axe_check(page)
