"""Journey 1's start: the navigator invites a new patient from the case; the patient opens the
link on their phone, confirms their date of birth, signs in with a code and lands on their own
home page. Once by email (read from the locmem outbox), once by text message (read from the
fake Twilio). Staff at 1280 px, the patient at 375 px, axe-core on every page visited."""

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from navigator.accounts.models import User
from navigator.celery import app
from navigator.messaging.models import OutboundMessage
from patients.models import Case
from tests import factories as f
from tests.browser.conftest import axe_check, fits
from tests.conftest import Cast
from tests.fakes.twilio import FakeTwilio, fake_twilio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
BIRTHDAY = dt.date(1948, 6, 2)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def daytime(time_machine: Any) -> None:
    """Midday today, London time: invitations are not held back for quiet hours."""
    today = timezone.localdate()
    time_machine.move_to(dt.datetime(today.year, today.month, today.day, 12, tzinfo=LONDON))


@pytest.fixture
def eager() -> Iterator[None]:
    """Deliver messages in the live server's own thread, as soon as they are committed."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def twilio(settings: Any) -> Iterator[FakeTwilio]:
    with fake_twilio(settings) as fake:
        yield fake


@pytest.fixture
def joan_case(cast: Cast) -> Case:
    joan = f.make_patient(
        given="Joan",
        family="Baker",
        email="joan@example.test",
        phone="+447700900456",
        date_of_birth=BIRTHDAY,
        preferred_channel="email",
    )
    return f.make_case(patient=joan, team=cast.team, navigator=cast.nadia)


def totp_now(user: Any) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = str(decrypt(authenticator.data["secret"]))
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def navigator_invites(chromium: Any, live_server: Any, cast: Cast, *, channel: str) -> None:
    """Nadia signs in, opens Joan's case from her worklist and invites her."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        axe_check(page)
        page.get_by_label("Email address").fill("nadia@nav.test")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in with a password").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Enter the code from your authenticator app"
        )
        axe_check(page)
        page.get_by_label("Code from your authenticator app").fill(totp_now(cast.nadia))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("banner")).to_contain_text("Nadia Khan")
        axe_check(page)

        page.get_by_role("link", name="Worklist").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My worklist")
        axe_check(page)
        page.get_by_role("link", name="BAKER, Joan").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Joan Baker")
        axe_check(page)
        fits(page, 1280)

        page.get_by_role("link", name="Invite Joan Baker to use the service").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Invite Joan Baker to use the service"
        )
        # Her preferred channel is chosen for the navigator already.
        expect(page.get_by_label("Email to joan@example.test")).to_be_checked()
        axe_check(page)
        label = "Email to joan@example.test" if channel == "email" else "Text message to"
        page.get_by_label(label).check()
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Joan Baker")
        expect(page.get_by_text("Invitation sent to Joan Baker.")).to_be_visible()
        axe_check(page)
    finally:
        context.close()


def patient_accepts(page: Any, live_server: Any, link: str, read_code: Any) -> None:
    """Joan opens the link on her phone, gets her date of birth wrong once, then right."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your date of birth")
    axe_check(page)
    fits(page, 375)

    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("1948")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("does not match our record")
    expect(page.get_by_label("Year")).to_have_value("1948")  # what she typed is kept
    axe_check(page)

    page.get_by_label("Day").fill("2")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    axe_check(page)
    fits(page, 375)

    page.get_by_label("Sign-in code").fill(read_code())
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("We cannot find a record")
    expect(page.get_by_text("Nadia Khan is your navigator")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Joan Baker")
    expect(page.get_by_role("banner")).not_to_contain_text("joan@example.test")
    axe_check(page)
    fits(page, 375)


def test_a_patient_invited_by_email_lands_on_their_own_home(
    chromium: Any,
    page: Any,
    live_server: Any,
    cast: Cast,
    joan_case: Case,
    daytime: None,
    eager: None,
) -> None:
    navigator_invites(chromium, live_server, cast, channel="email")

    [invitation] = [m for m in mail.outbox if m.to == ["joan@example.test"]]
    assert "Joan" not in invitation.body and "Lung" not in invitation.body
    link = re.search(r"https?://\S+/cases/invitation/\S+/", str(invitation.body)).group(0)

    def read_code() -> str:
        code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mail.outbox[-1].body))
        assert code and mail.outbox[-1].to == ["joan@example.test"]
        return code.group(1)

    patient_accepts(
        page, live_server, link.removeprefix(re.match(r"https?://[^/]+", link)[0]), read_code
    )
    joan_case.patient.refresh_from_db()
    assert joan_case.patient.user is not None


def test_a_patient_invited_by_text_lands_on_their_own_home(
    chromium: Any,
    page: Any,
    live_server: Any,
    cast: Cast,
    joan_case: Case,
    daytime: None,
    eager: None,
    twilio: FakeTwilio,
) -> None:
    navigator_invites(chromium, live_server, cast, channel="sms")

    [text] = [c for c in twilio.creates if c["To"] == "+447700900456"]
    assert text["Body"].startswith("Your cancer support team has invited you")
    assert "Joan" not in text["Body"] and "Lung" not in text["Body"]
    link = re.search(r"https?://[^/\s]+(/cases/invitation/\S+/)", text["Body"]).group(1)

    def read_code() -> str:
        body = twilio.creates[-1]["Body"]
        assert twilio.creates[-1]["To"] == "+447700900456"
        assert "Joan" not in body and "Lung" not in body
        return re.search(r"service is (\S+)\.", body).group(1)

    patient_accepts(page, live_server, link, read_code)
    assert OutboundMessage.objects.filter(kind="sign_in_code", channel="sms").count() == 1


def test_a_patient_with_only_a_mobile_signs_in_by_text_next_time(
    page: Any, live_server: Any, cast: Cast, joan_case: Case, eager: None, twilio: FakeTwilio
) -> None:
    joan = User.objects.create_user("", None, phone="+447700900456", full_name="Joan Baker")
    joan_case.patient.user = joan
    joan_case.patient.email = ""
    joan_case.patient.save()

    page.goto("/accounts/login/")
    axe_check(page)
    page.get_by_role("button", name="Text me a sign-in code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get a sign-in code by text message")
    axe_check(page)
    fits(page, 375)
    page.get_by_label("Mobile phone number").fill("07700 900")
    page.get_by_role("button", name="Text me a code").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a mobile phone number")
    expect(page.get_by_label("Mobile phone number")).to_have_value("07700 900")
    axe_check(page)

    page.get_by_label("Mobile phone number").fill("07700 900456")
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    axe_check(page)
    [text] = twilio.creates
    assert text["To"] == "+447700900456" and "Joan" not in text["Body"]
    page.get_by_label("Sign-in code").fill(re.search(r"service is (\S+)\.", text["Body"]).group(1))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Nadia Khan is your navigator")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Joan Baker")
    axe_check(page)
    fits(page, 375)
