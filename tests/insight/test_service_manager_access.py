"""A service manager sees the service's anonymised figures and nothing about any patient: every
page and API route that is not about their own account or the insight pages is a 404 to them.

The routes come from the URL configuration (as in tests/navigator/test_security.py), so a page
added later is covered the moment it exists. The API's routes are in the API matrix
(tests/navigator/test_api_matrix.py, person "sam")."""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.navigator.test_security import project_routes

pytestmark = pytest.mark.django_db

# Routes a service manager may open, by URL name, each for a reason. Everything else is a 404.
OPEN_TO_SERVICE_MANAGERS = {
    "insight:page": "the service's anonymised figures",
    "insight:csv": "a table of those figures as CSV",
    "home": "where everyone lands after signing in: on to the insight page",
    "api-me": "their own account",
    "api-token": "their own API token",
    "api-questionnaires": "the assessment questions (no one's answers)",
    "api-services-match": "the service directory (no one's record)",
    "directory:search": "the service directory's search page (services, no one's record)",
    "patients:language_switch": "English or Cymraeg",
    "healthz": "health check (says only ok)",
    "admin:logout": "signing out of the admin, which they cannot use",
    "api-schema": "the API's description (no records)",
    "api-docs": "the API's documentation page (no records)",
    "fhir-metadata": "the FHIR API's CapabilityStatement (open to anyone: it names no one)",
}
# Allauth's pages about the account itself (password, email, MFA, sign in and out).
ACCOUNT_PREFIXES = ("/accounts/",)
# Public by design: a GP's link answers 404 without a live token, whoever asks; Twilio's
# webhooks answer 403 to anything without Twilio's signature; a hospital system's FHIR Bundles
# (POST /fhir/) are taken only with an organisation's key, so a person, signed in or not, is 401.
PUBLIC_PREFIXES = ("/gp/", "/webhooks/")
ORGANISATION_KEY_ONLY = {"fhir-transaction"}


def _is_refused(response) -> bool:
    if response.status_code == 404:
        return True
    # The admin's sign-in refuses anyone signed in who is not an administrator.
    if response.status_code == 403 and response.request["PATH_INFO"].startswith("/admin/"):
        return True
    # The admin sends everyone who is not an administrator to its sign-in page.
    return response.status_code == 302 and urlsplit(response["Location"]).path.startswith(
        "/admin/login/"
    )


def test_a_service_manager_is_refused_every_page_about_patients(client, cast, sam):
    cache.clear()
    client.force_login(sam)
    answered = []
    for route in project_routes(cast):
        if route.name in OPEN_TO_SERVICE_MANAGERS or route.path.startswith(
            ACCOUNT_PREFIXES + PUBLIC_PREFIXES
        ):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(route.path)
            if response.status_code == 405:
                continue
            if route.name in ORGANISATION_KEY_ONLY and response.status_code == 401:
                continue
            if not _is_refused(response):
                answered.append(f"{method.upper()} {route}: {response.status_code}")
    assert not answered, "A service manager reached:\n" + "\n".join(answered)


def test_the_open_list_names_only_urls_that_exist(cast):
    names = {route.name for route in project_routes(cast)}
    assert set(OPEN_TO_SERVICE_MANAGERS) <= names, set(OPEN_TO_SERVICE_MANAGERS) - names


def test_a_service_manager_lands_on_the_insight_page(client, sam):
    client.force_login(sam)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("insight:page")


def test_a_service_manager_without_mfa_must_enrol_first(client, db):
    from navigator.accounts.models import Role
    from tests import factories as f

    new = f.make_user("new.manager@nav.test", role=Role.SERVICE_MANAGER)
    client.force_login(new)
    response = client.get(reverse("insight:page"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
