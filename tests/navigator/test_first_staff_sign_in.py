"""At first sign-in, staff type their password once, then set up their authenticator app."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from navigator.accounts.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_a_new_member_of_staff_goes_from_the_password_to_the_authenticator(client):
    f.make_user("nia@nav.test", role=Role.NAVIGATOR, name="Nia Hale")

    signed_in = client.post(
        reverse("account_login"), {"login": "nia@nav.test", "password": PASSWORD}
    )
    to_activate = client.get(signed_in["Location"])

    assert to_activate["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200  # not "enter your password again"


def test_patients_signing_in_are_not_marked_as_reauthenticated(client):
    f.make_user("pat@example.test", role=Role.PATIENT, name="Pat Lee")
    client.post(reverse("account_login"), {"login": "pat@example.test", "password": PASSWORD})
    records = client.session.get("account_authentication_methods", [])
    assert not any(record.get("reauthenticated") for record in records)
