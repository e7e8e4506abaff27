"""Outages answer 503 with Retry-After, log one line, and lose nothing a person typed.

The database is made unreachable by pointing the connection at a closed PostgreSQL port (on
SQLite runs too); Redis by stopping a redis-server of the test's own."""

import logging
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from patients.models import TimelineEvent
from tests.outages import OwnRedis, database_unreachable, own_redis_server

pytestmark = pytest.mark.django_db

UNAVAILABLE = "Sorry, the service is unavailable"


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    with own_redis_server() as server:
        yield server


def outage_client() -> Client:
    # A real browser gets the error page; the test client would otherwise re-raise the error.
    return Client(raise_request_exception=False, enforce_csrf_checks=True)


def assert_one_line_logged(caplog: pytest.LogCaptureFixture, service: str) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert f"{service} unreachable" in errors[0].getMessage()
    assert errors[0].exc_info is None  # no traceback


def test_pages_and_api_answer_503_when_the_database_is_unreachable(cast, caplog):
    client = outage_client()
    client.force_login(cast.nadia)
    case_page = reverse("caseload:case_detail", args=[cast.paul_case.id])
    assert client.get(case_page).status_code == 200

    with database_unreachable():
        caplog.clear()
        page = client.get(case_page)
        assert page.status_code == 503
        assert page["Retry-After"] == "30"
        assert UNAVAILABLE in page.content.decode()
        assert "Nothing was saved" not in page.content.decode()  # a GET saves nothing anyway
        assert_one_line_logged(caplog, "database")

        caplog.clear()
        api = client.get("/api/cases/")
        assert api.status_code == 503
        assert api["Retry-After"] == "30"
        assert "Nothing was saved" in api.json()["detail"]
        assert_one_line_logged(caplog, "database")

    # Back again without a restart.
    assert client.get(case_page).status_code == 200


def test_healthz_is_503_whatever_the_cookies(cast):
    client = outage_client()
    client.force_login(cast.nadia)  # a session cookie, which /healthz must not read
    with database_unreachable():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["database"] == "unavailable"


def timeline_form(client: Client, url: str) -> dict[str, str]:
    client.get(url)  # the form page sets the CSRF cookie, as in a browser
    return {
        "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        "kind": "note",
        "occurred_date-day": "3",
        "occurred_date-month": "12",
        "occurred_date-year": "2026",
        "summary": "Phoned Paul about his scan",
        "detail": "He asked for the letter\nto go to his daughter",
    }


def test_a_form_sent_during_an_outage_is_shown_back_and_nothing_saved(cast, caplog):
    client = outage_client()
    client.force_login(cast.nadia)
    url = reverse("patients:timeline_add", args=[cast.paul_case.id])
    data = timeline_form(client, url)
    events = TimelineEvent.objects.count()

    with database_unreachable():
        caplog.clear()
        response = client.post(url, data)

    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Nothing was saved" in page
    assert "What you entered" in page
    assert "Phoned Paul about his scan" in page
    assert "He asked for the letter<br>to go to his daughter" in page
    assert data["csrfmiddlewaretoken"] not in page
    assert TimelineEvent.objects.count() == events
    assert_one_line_logged(caplog, "database")


def test_a_form_from_another_site_is_not_shown_back(cast):
    client = outage_client()
    client.force_login(cast.nadia)
    url = reverse("patients:timeline_add", args=[cast.paul_case.id])
    data = {**timeline_form(client, url), "csrfmiddlewaretoken": "x" * 64}
    data["summary"] = "Call 0900 000 000 now"

    with database_unreachable():
        response = client.post(url, data)

    page = response.content.decode()
    assert response.status_code == 503
    assert "Nothing was saved" in page
    assert "What you entered" not in page and "0900" not in page


def test_redis_stopping_answers_503_and_its_return_needs_no_restart(
    cast, own_redis: OwnRedis, settings, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    client = outage_client()
    client.force_login(cast.nadia)
    assert client.get("/api/cases/").status_code == 200  # the API's throttle uses the cache

    own_redis.stop()
    caplog.clear()
    api = client.get("/api/cases/")
    assert api.status_code == 503
    assert api["Retry-After"] == "30"
    assert_one_line_logged(caplog, "cache")

    # Signing in counts attempts in the cache: the page says so and keeps the email address.
    visitor = outage_client()
    login = reverse("account_login")
    visitor.get(login)
    caplog.clear()
    response = visitor.post(
        login,
        {
            "csrfmiddlewaretoken": visitor.cookies["csrftoken"].value,
            "login": "paul@example.test",
            "password": "correct horse battery staple",
        },
    )
    page = response.content.decode()
    assert response.status_code == 503
    assert "paul@example.test" in page and "correct horse" not in page
    assert_one_line_logged(caplog, "cache")

    own_redis.start()
    assert client.get("/api/cases/").status_code == 200
