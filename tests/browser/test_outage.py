"""A patient signs in while Redis (where sign-in attempts are counted) is down, on a phone:
the service-unavailable page, what they typed shown back, and signing in once it is back."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_check
from tests.conftest import Cast
from tests.outages import OwnRedis, own_redis_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    with own_redis_server() as server:
        yield server


def test_signing_in_during_a_redis_outage_then_after_it(
    page: Any, live_server: Any, cast: Cast, own_redis: OwnRedis, settings: Any
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    page.goto("/accounts/login/")
    own_redis.stop()
    page.get_by_label("Email address").fill("paul@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    response_status = []
    page.on("response", lambda r: response_status.append(r.status))
    page.get_by_role("button", name="Sign in with a password").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sorry, the service is unavailable")
    assert 503 in response_status
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    entered = page.locator(".nhsuk-summary-list")
    expect(entered).to_contain_text("paul@example.test")
    expect(entered).not_to_contain_text(PASSWORD)
    axe_check(page)

    own_redis.start()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill("paul@example.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in with a password").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
