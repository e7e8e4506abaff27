"""Signing in: the NHS.UK pages, code sign-in for patients, password and TOTP for staff,
throttling, no account enumeration, fresh session keys, and single-use TOTP codes."""

import datetime as dt
import re
import time
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, validate_totp_code
from allauth.mfa.utils import decrypt
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from navigator.accounts.models import Role, User
from tests import factories as f
from tests.conftest import Cast

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
CODE_REQUEST = "/accounts/login/code/"
CODE_CONFIRM = "/accounts/login/code/confirm/"
MFA = "/accounts/2fa/authenticate/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def fresh_cache(db: None) -> Iterator[None]:
    """Rate limits and used TOTP codes live in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


def sign_in_code(message: mail.EmailMessage) -> str:
    match = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(message.body))
    assert match, message.body
    return match.group(1)


def totp_secret(user: User) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return str(decrypt(authenticator.data["secret"]))


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def request_code(client: Client, email: str) -> str:
    """Ask for a sign-in code; return it (the email's code), leaving the client at the code page."""
    mail.outbox.clear()
    response = client.post(CODE_REQUEST, {"email": email})
    assert response.status_code == 302
    assert response["Location"] == CODE_CONFIRM
    return sign_in_code(mail.outbox[-1])


# --- The pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [LOGIN, CODE_REQUEST, "/accounts/password/reset/", "/accounts/signup/"],
)
def test_sign_in_pages_use_the_nhs_layout(client: Client, db: None, url: str) -> None:
    html = client.get(url).content.decode()
    assert 'class="nhsuk-header' in html
    assert "<h1>" in html
    assert "Menu:" not in html  # allauth's own bare layout


def test_login_page_puts_the_emailed_code_first(client: Client, db: None) -> None:
    html = client.get(LOGIN).content.decode()
    code_button = html.index(f'href="{CODE_REQUEST}"')
    assert "Email me a sign-in code" in html[code_button : code_button + 200]
    assert code_button < html.index('name="password"')


def test_signup_is_closed_and_says_to_wait_for_an_invitation(client: Client, db: None) -> None:
    response = client.get("/accounts/signup/")
    assert b"You need an invitation" in response.content
    assert not User.objects.exists()


def test_wrong_password_shows_an_error_summary_linking_to_the_field(
    client: Client, cast: Cast
) -> None:
    response = client.post(LOGIN, {"login": "nadia@nav.test", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    summary = html[html.index("nhsuk-error-summary") : html.index("<h1>")]
    assert '<a href="#id_login">Enter a correct email address and password</a>' in summary
    assert "nhsuk-form-group--error" in html
    assert 'class="nhsuk-error-message" id="id_login-error"' in html
    assert 'value="nadia@nav.test"' in html  # what they typed is kept
    assert 'value="wrong"' not in html  # but never the password


def test_empty_code_request_shows_the_error_on_the_field(client: Client, db: None) -> None:
    html = client.post(CODE_REQUEST, {"email": ""}).content.decode()
    assert '<a href="#id_email">Enter your email address</a>' in html
    assert 'aria-describedby="id_email-hint id_email-error"' in html


# --- Patients and carers sign in with an emailed code ---------------------------------------


def test_patient_signs_in_with_an_emailed_code(client: Client, cast: Cast) -> None:
    code = request_code(client, "paul@example.test")
    assert mail.outbox[-1].to == ["paul@example.test"]
    response = client.post(CODE_CONFIRM, {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(cast.paul.pk)
    assert client.get("/").status_code == 200


def test_a_wrong_code_does_not_sign_in(client: Client, cast: Cast) -> None:
    request_code(client, "paul@example.test")
    response = client.post(CODE_CONFIRM, {"code": "AAAA-AAAA"})
    assert response.status_code == 200
    assert b"nhsuk-error-summary" in response.content
    assert signed_in_user_id(client) is None


# --- Staff: password, then TOTP, whatever the first step ------------------------------------


def test_staff_password_sign_in_asks_for_the_authenticator_code(client: Client, cast: Cast) -> None:
    response = client.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})
    assert response["Location"] == MFA
    assert signed_in_user_id(client) is None
    response = client.post(MFA, {"code": totp_now(totp_secret(cast.nadia))})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(cast.nadia.pk)


def test_staff_cannot_skip_the_authenticator_by_signing_in_with_a_code(
    client: Client, cast: Cast
) -> None:
    code = request_code(client, "nadia@nav.test")
    response = client.post(CODE_CONFIRM, {"code": code})
    assert response["Location"] == MFA
    assert signed_in_user_id(client) is None
    assert client.get("/")["Location"].startswith(LOGIN)
    client.post(MFA, {"code": totp_now(totp_secret(cast.nadia))})
    assert signed_in_user_id(client) == str(cast.nadia.pk)


@pytest.mark.parametrize("how", ["password", "code"])
def test_staff_without_totp_are_sent_to_set_it_up_before_any_page(
    client: Client, cast: Cast, how: str
) -> None:
    f.make_user("sam@nav.test", role=Role.CLINICIAN, name="Sam Hill")
    if how == "password":
        client.post(LOGIN, {"login": "sam@nav.test", "password": PASSWORD})
    else:
        client.post(CODE_CONFIRM, {"code": request_code(client, "sam@nav.test")})
    assert signed_in_user_id(client) is not None
    for url in ["/", f"/cases/{cast.paul_case.pk}/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == TOTP_ACTIVATE, url


def test_a_totp_code_works_only_once(client: Client, cast: Cast) -> None:
    secret = totp_secret(cast.nadia)
    # A frozen clock keeps the code inside its 30 seconds, so only replay protection can refuse it.
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, 5, tzinfo=dt.UTC), tick=False):
        code = totp_now(secret)
        client.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})
        client.post(MFA, {"code": code})
        assert signed_in_user_id(client) == str(cast.nadia.pk)

        other = Client()
        other.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})
        response = other.post(MFA, {"code": code})
        assert validate_totp_code(secret, code)  # still the current code...
        assert signed_in_user_id(other) is None  # ...but already used
        assert b"nhsuk-error-summary" in response.content


# --- Session keys ----------------------------------------------------------------------------


def test_the_session_key_changes_when_a_patient_signs_in(client: Client, cast: Cast) -> None:
    code = request_code(client, "paul@example.test")
    before = client.session.session_key
    assert before
    client.post(CODE_CONFIRM, {"code": code})
    assert signed_in_user_id(client) == str(cast.paul.pk)
    assert client.session.session_key != before


def test_the_session_key_changes_when_mfa_completes(client: Client, cast: Cast) -> None:
    client.get(LOGIN)
    client.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})
    after_password = client.session.session_key
    assert after_password
    client.post(MFA, {"code": totp_now(totp_secret(cast.nadia))})
    assert signed_in_user_id(client) == str(cast.nadia.pk)
    assert client.session.session_key != after_password


# --- No enumeration: known and unknown addresses get the same answer ------------------------


def _page_text(response: object) -> str:
    """The response body with per-request noise (CSRF tokens, the typed address) removed."""
    html = response.content.decode()  # type: ignore[attr-defined]
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r"[\w.+-]+@[\w.-]+", "EMAIL", html)


def test_login_answers_the_same_for_unknown_and_known_addresses(cast: Cast) -> None:
    known = Client().post(LOGIN, {"login": "nadia@nav.test", "password": "wrong"})
    unknown = Client().post(LOGIN, {"login": "nobody@nav.test", "password": "wrong"})
    assert known.status_code == unknown.status_code == 200
    assert _page_text(known) == _page_text(unknown)


def test_code_request_answers_the_same_for_unknown_and_known_addresses(cast: Cast) -> None:
    pages = []
    for email in ["paul@example.test", "nobody@example.test"]:
        client = Client()
        response = client.post(CODE_REQUEST, {"email": email})
        assert response.status_code == 302
        assert response["Location"] == CODE_CONFIRM
        pages.append(_page_text(client.get(CODE_CONFIRM)))
    assert pages[0] == pages[1]
    # The unknown address is told there is no account; only its owner reads that.
    assert [m.to for m in mail.outbox] == [["paul@example.test"], ["nobody@example.test"]]
    assert "does not have an account" in str(mail.outbox[1].body)


def test_password_reset_answers_the_same_for_unknown_and_known_addresses(cast: Cast) -> None:
    responses = [
        Client().post("/accounts/password/reset/", {"email": email})
        for email in ["nadia@nav.test", "nobody@nav.test"]
    ]
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]


# --- Throttling on every way in -------------------------------------------------------------


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client: Client, cast: Cast) -> None:
    for _ in range(5):
        client.post(LOGIN, {"login": "nadia@nav.test", "password": "wrong"})
    response = client.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})
    assert response.status_code == 200  # not on to the authenticator step
    assert b"You have tried to sign in too many times" in response.content
    assert signed_in_user_id(client) is None


def test_repeated_wrong_authenticator_codes_are_throttled(client: Client, cast: Cast) -> None:
    client.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})
    for _ in range(5):
        client.post(MFA, {"code": "000000"})
    response = client.post(MFA, {"code": totp_now(totp_secret(cast.nadia))})
    assert b"You have tried to sign in too many times" in response.content
    assert signed_in_user_id(client) is None


def test_code_requests_for_one_address_are_throttled(cast: Cast) -> None:
    # A fresh browser each time, as someone trying to flood a person's inbox would use.
    for _ in range(3):
        assert Client().post(CODE_REQUEST, {"email": "paul@example.test"}).status_code == 302
    response = Client().post(CODE_REQUEST, {"email": "paul@example.test"})
    assert response.status_code == 200
    assert b"You have tried to sign in too many times" in response.content
    assert len(mail.outbox) == 3


def test_admin_login_goes_through_the_allauth_sign_in(client: Client, cast: Cast) -> None:
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert unquote(response["Location"]) == f"{LOGIN}?next=/admin/login/"
    # Credentials posted to the admin's own form are never checked there.
    response = client.post("/admin/login/", {"username": "adam@nav.test", "password": PASSWORD})
    assert response["Location"].startswith(LOGIN)
    assert signed_in_user_id(client) is None


def test_admin_sign_in_failures_are_throttled(client: Client, cast: Cast) -> None:
    admin_login = f"{LOGIN}?next=/admin/"
    for _ in range(5):
        client.post(admin_login, {"login": "adam@nav.test", "password": "wrong"})
    response = client.post(admin_login, {"login": "adam@nav.test", "password": PASSWORD})
    assert b"You have tried to sign in too many times" in response.content
    assert signed_in_user_id(client) is None


def test_admin_still_needs_totp_after_a_password(client: Client, cast: Cast) -> None:
    User.objects.filter(pk=cast.adam.pk).update(is_staff=True, is_superuser=True)
    response = client.post(
        f"{LOGIN}?next=/admin/", {"login": "adam@nav.test", "password": PASSWORD}
    )
    assert response["Location"].startswith(MFA)
    assert client.get("/admin/").status_code == 302  # not signed in until the code is in
    response = client.post(MFA, {"code": totp_now(totp_secret(cast.adam))})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_sign_in_code_email_carries_no_clinical_detail(client: Client, cast: Cast) -> None:
    request_code(client, "paul@example.test")
    body = str(mail.outbox[-1].body).lower()
    for detail in ["paul", "jones", "lung", "diagnosis", "tumour"]:
        assert detail not in body
    assert reverse("account_login") not in body  # the code is typed in, not a link to follow
