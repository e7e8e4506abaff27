"""The API's foundations: who am I, tokens, authentication, bad input, throttling."""

import base64
import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

ME = "/api/me/"
TOKEN = "/api/token/"
JSON = "application/json"


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # Throttle counts live in the cache, which on Redis outlives each test's transaction.
    cache.clear()


def token_client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_me_says_who_is_signed_in(client, cast):
    client.force_login(cast.nadia)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json() == {
        "id": str(cast.nadia.pk),
        "email": "nadia@nav.test",
        "name": "Nadia Khan",
        "role": "navigator",
        "mfa_enrolled": True,
    }


def test_me_for_a_patient_without_mfa(client, cast):
    client.force_login(cast.paul)
    assert client.get(ME).json()["mfa_enrolled"] is False


def test_me_needs_signing_in(client, db):
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_staff_without_mfa_get_a_403_saying_what_to_do(client, cast):
    cast.nadia.authenticator_set.all().delete()
    client.force_login(cast.nadia)
    response = client.get(ME)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Staff must set up multi-factor authentication before using the API."
    }


def test_a_signed_in_user_gets_a_token_that_then_works_alone(client, cast):
    client.force_login(cast.paul)
    response = client.post(TOKEN, content_type=JSON)
    assert response.status_code == 201
    key = response.json()["token"]
    assert Token.objects.get(user=cast.paul).key == key
    assert token_client(key).get(ME).json()["email"] == "paul@example.test"


def test_a_new_token_replaces_the_old_one(client, cast):
    client.force_login(cast.colin)
    old = client.post(TOKEN, content_type=JSON).json()["token"]
    new = client.post(TOKEN, content_type=JSON).json()["token"]
    assert old != new
    assert token_client(old).get(ME).status_code == 401
    assert token_client(new).get(ME).status_code == 200


def test_a_revoked_token_stops_working(client, cast):
    client.force_login(cast.paul)
    key = client.post(TOKEN, content_type=JSON).json()["token"]
    assert client.delete(TOKEN).status_code == 204
    assert token_client(key).get(ME).status_code == 401


def test_staff_without_mfa_get_no_token(client, cast):
    cast.lena.authenticator_set.all().delete()
    client.force_login(cast.lena)
    response = client.post(TOKEN, content_type=JSON)
    assert response.status_code == 403
    assert not Token.objects.filter(user=cast.lena).exists()


def test_a_token_stops_working_when_staff_remove_their_mfa(client, cast):
    client.force_login(cast.nadia)
    key = client.post(TOKEN, content_type=JSON).json()["token"]
    cast.nadia.authenticator_set.all().delete()
    assert token_client(key).get(ME).status_code == 403


def test_a_token_cannot_mint_tokens(client, cast):
    """Only a website session, where the second factor was asked for, may issue a token."""
    client.force_login(cast.paul)
    key = client.post(TOKEN, content_type=JSON).json()["token"]
    response = token_client(key).post(TOKEN, content_type=JSON)
    assert response.status_code == 403
    assert Token.objects.get(user=cast.paul).key == key


def test_a_password_is_never_accepted_by_the_api(db, cast):
    basic = base64.b64encode(b"paul@example.test:correct horse battery staple").decode()
    response = Client(HTTP_AUTHORIZATION=f"Basic {basic}").get(ME)
    assert response.status_code == 401


def test_the_session_api_checks_csrf(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.paul)
    response = client.post(TOKEN, content_type=JSON)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Token.objects.filter(user=cast.paul).exists()


def test_malformed_json_is_a_400_saying_so(client, cast):
    client.force_login(cast.paul)
    response = client.post(TOKEN, data='{"unclosed": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_json_of_the_wrong_shape_is_a_400(client, cast):
    client.force_login(cast.paul)
    response = client.post(TOKEN, data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert "Expected a dictionary" in str(response.json())


def test_a_body_that_is_not_json_is_a_415(client, cast):
    client.force_login(cast.paul)
    for content_type in ("application/x-www-form-urlencoded", "text/plain", "application/xml"):
        response = client.post(TOKEN, data="token=please", content_type=content_type)
        assert response.status_code == 415, content_type
        assert response.json() == {"detail": f'Unsupported media type "{content_type}" in request.'}


def test_asking_for_anything_but_json_is_a_406(client, cast):
    client.force_login(cast.paul)
    response = client.get(ME, HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response.json() == {"detail": "Could not satisfy the request Accept header."}


def test_a_method_the_endpoint_lacks_is_a_405_in_json(client, cast):
    client.force_login(cast.paul)
    response = client.put(ME, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.'}


def test_throttling_answers_429_past_the_rate(client, cast, settings):
    # DRF checks throttles after permissions, so in practice the rate is per signed-in user.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "3/minute"},
    }
    client.force_login(cast.paul)
    assert [client.get(ME).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(ME).json()["detail"].startswith("Request was throttled.")
    # Each person has their own allowance.
    client.force_login(cast.carol)
    assert client.get(ME).status_code == 200


def test_a_token_expires_after_its_lifetime(client, cast, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    client.force_login(cast.paul)
    issued = client.post(TOKEN, content_type=JSON).json()
    token = Token.objects.get(key=issued["token"])
    assert issued["expires"] == (token.created + dt.timedelta(days=30)).isoformat().replace(
        "+00:00", "Z"
    )
    assert token_client(issued["token"]).get(ME).status_code == 200
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=30))
    response = token_client(issued["token"]).get(ME)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_guessing_tokens_is_throttled_per_address(db, settings):
    settings.API_TOKEN_FAILURES_PER_MINUTE = 3
    guesses = [token_client(f"{n:040x}").get(ME).status_code for n in range(5)]
    assert guesses == [401, 401, 401, 429, 429]
    response = token_client("0" * 40).get(ME)
    assert "wrong API token" in response.json()["detail"]


def test_an_unknown_api_path_or_malformed_id_is_a_json_404(client, cast):
    client.force_login(cast.paul)
    for path in ("/api/cases/not-a-uuid/", "/api/no-such-thing/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}
