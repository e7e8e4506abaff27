"""Journey 6, the carer: Paul gives Dev access from his phone; Dev accepts from the link in the
email, signs in with a code and sees Paul's home; Paul takes the access away; Dev's next page
says so, and when. Both at 375 px, axe-core on every page."""

import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import message_words
from tests.browser.conftest import axe_check, fits, sign_in
from tests.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _latest_link(to: str) -> str:
    """The link in the invitation as queued in the outbox (no worker delivers it here), where
    it is kept sealed until sent."""
    message = OutboundMessage.objects.get(kind="carer_invitation", to_address=to)
    link = re.search(r"https?://\S+", message_words(message)[0])
    assert link
    return link.group(0)


def test_a_carer_is_told_when_their_access_was_taken_away(
    page: Any, chromium: Any, live_server: Any, cast: Cast, settings: Any
) -> None:
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    settings.SITE_URL = live_server.url
    sign_in(page, live_server, cast.paul)
    page.goto("/")
    page.get_by_role("link", name="Choose who else can see your record").click()
    page.get_by_role("button", name="Invite someone").click()
    page.get_by_label("Their name").fill("Dev Patel")
    page.get_by_label("Their email address").fill("dev@example.test")
    page.get_by_label("See my record, but not change anything").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", name="Invitations not yet accepted")).to_be_visible()
    axe_check(page)

    # Dev opens the link in the email on his own phone.
    phone = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, bypass_csp=True
    )
    dev = phone.new_page()
    dev.goto(_latest_link("dev@example.test"))
    expect(dev.get_by_role("heading", level=1)).to_have_text("Help Paul Jones with their care")
    axe_check(dev)
    dev.get_by_label("Your full name").fill("Dev Patel")
    sent = len(mail.outbox)
    dev.get_by_role("button", name=re.compile("Accept")).click()
    expect(dev.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    axe_check(dev)
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mail.outbox[sent].body))
    assert code
    dev.get_by_label("Sign-in code").fill(code.group(1))
    dev.get_by_role("button", name="Sign in", exact=True).click()
    expect(dev.get_by_text("You are viewing Paul Jones's record")).to_be_visible()
    expect(dev.locator(".app-greeting")).to_have_text("Hello Dev")
    axe_check(dev)
    fits(dev, 375)

    # Dev opens Paul's messages, and leaves them there.
    dev.get_by_role("link", name="Messages", exact=True).first.click()
    expect(dev).to_have_url(re.compile(r"/messages/$"))

    # Paul takes the access away.
    page.get_by_role("link", name=re.compile("homepage")).click()
    page.get_by_role("link", name="Choose who else can see your record").click()
    expect(page.get_by_text("Dev Patel", exact=True)).to_be_visible()
    page.get_by_role("button", name="Take away access for Dev Patel").click()
    expect(page.get_by_text("Dev Patel", exact=True)).to_have_count(0)
    axe_check(page)

    # Dev's next page shows nothing of Paul's record, and says why.
    dev.get_by_role("link", name=re.compile("homepage")).click()
    today = timezone.localdate()
    expect(dev.locator("main")).to_contain_text(
        f"Your access to Paul Jones's record was withdrawn on {today.day} {today:%B %Y}."
    )
    expect(dev.get_by_text("You are viewing Paul Jones's record")).to_have_count(0)
    expect(dev.get_by_text("We cannot find a record")).to_have_count(0)
    axe_check(dev)
    fits(dev, 375)

    # The page of the record he had open before (Back) says the same: a
    # 404 that names whose access ended and when, and nothing else of the record.
    dev.go_back()
    expect(dev.get_by_role("heading", level=1)).to_have_text(
        "Your access to Paul's record has ended"
    )
    expect(dev.locator("main")).to_contain_text(
        f"Paul stopped sharing their record with you on {today.day} {today:%B %Y}"
    )
    expect(dev.locator("main")).not_to_contain_text("Nadia")
    axe_check(dev)
    fits(dev, 375)
    phone.close()
