"""Invitations: who may send them, what is stored and sent, and what the link does."""

import datetime as dt
import hashlib
import re
from collections.abc import Iterator

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from navigator.accounts.models import Invitation, Role, User
from navigator.accounts.services import invitation_create, invitation_revoke
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import message_words
from navigator.organisations.models import Membership
from tests import factories as f
from tests.conftest import Cast

NEW_PASSWORD = "a long and new passphrase"


@pytest.fixture(autouse=True)
def fresh_cache(db: None) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def invite(cast: Cast, **overrides: object) -> tuple[Invitation, str]:
    details: dict = {
        "invited_by": cast.lena,
        "email": "new.nurse@nav.test",
        "phone": "",
        "role": Role.NAVIGATOR,
        "team": cast.team,
    }
    details.update(overrides)
    return invitation_create(**details)


def token_of(link: str) -> str:
    match = re.fullmatch(r"/accounts/invitation/([\w-]+)/", link)
    assert match, link
    return match.group(1)


# --- Creating and sending ------------------------------------------------------------------


def test_only_a_hash_of_the_token_is_stored(cast: Cast) -> None:
    invitation, link = invite(cast)
    token = token_of(link)
    assert len(token) >= 43  # 32 random bytes
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert not any(token in str(value) for value in row.values())


def test_the_link_goes_out_by_email_without_clinical_detail(cast: Cast) -> None:
    invitation, link = invite(cast)
    message = OutboundMessage.objects.get(idempotency_key=f"invitation:{invitation.id}")
    assert message.kind == "invitation"
    assert message.channel == "email"
    assert message.to_address == "new.nurse@nav.test"
    body, body_html = message_words(message)
    assert f"{settings.SITE_URL}{link}" in body
    assert f"{settings.SITE_URL}{link}" in body_html
    assert link not in message.body + message.body_html  # kept only sealed until sent
    assert "You have been invited to your cancer support team's service" in body
    for detail in ["lung", "diagnosis", "tumour", cast.team.name.lower()]:
        assert detail not in body.lower()


def test_a_patient_with_only_a_mobile_is_invited_by_sms(cast: Cast) -> None:
    invitation, link = invite(
        cast, invited_by=cast.nadia, email="", phone="07700 900456", role=Role.PATIENT
    )
    assert invitation.phone == "+447700900456"
    message = OutboundMessage.objects.get(idempotency_key=f"invitation:{invitation.id}")
    assert message.channel == "sms"
    assert message.to_address == "+447700900456"
    assert message_words(message)[0] == (
        f"You have been invited to your cancer support team's service: {settings.SITE_URL}{link}"
    )
    assert (
        message.body
        == "You have been invited to your cancer support team's service: [link withheld]"
    )


def test_an_invitation_lasts_seven_days(cast: Cast) -> None:
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        invitation, _ = invite(cast)
    assert invitation.expires_at == dt.datetime(2026, 5, 8, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("inviter", "role", "team", "allowed"),
    [
        ("lena", Role.NAVIGATOR, "team", True),  # lead of her own team
        ("lena", Role.CLINICIAN, "other_team", False),  # not her team
        ("lena", Role.ADMIN, None, False),  # leads do not make administrators
        ("nadia", Role.NAVIGATOR, "team", False),  # navigators do not invite staff
        ("colin", Role.TEAM_LEAD, "team", False),
        ("adam", Role.TEAM_LEAD, "other_team", True),  # administrators invite anyone
        ("adam", Role.ADMIN, None, True),
        ("nadia", Role.PATIENT, "team", True),  # navigators invite patients to their team
        ("oscar", Role.PATIENT, "team", False),  # ...but not to another team
        ("paul", Role.CARER, None, False),  # patients invite nobody
    ],
)
def test_who_may_invite_whom(
    cast: Cast, inviter: str, role: str, team: str | None, allowed: bool
) -> None:
    def attempt() -> None:
        invitation_create(
            invited_by=getattr(cast, inviter),
            email=f"someone.{inviter}@nav.test",
            phone="",
            role=role,
            team=getattr(cast, team) if team else None,
        )

    if allowed:
        attempt()
    else:
        with pytest.raises(PermissionDenied):
            attempt()
        assert not Invitation.objects.exists()
        assert not OutboundMessage.objects.exists()


def test_staff_without_totp_cannot_invite(cast: Cast) -> None:
    lead = f.make_user("new.lead@nav.test", role=Role.TEAM_LEAD)
    f.join(cast.team, lead, lead=True)
    with pytest.raises(PermissionDenied):
        invite(cast, invited_by=lead)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "", "phone": ""}, None),
        ({"email": "", "phone": "+447700900456"}, "email"),  # staff sign in with email
        ({"team": None}, "team"),
        ({"email": "nadia@nav.test"}, "email"),  # already has an account
        ({"phone": "12345", "role": Role.PATIENT}, None),
    ],
)
def test_bad_details_are_refused(cast: Cast, overrides: dict, field: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        invite(cast, **overrides)
    if field:
        assert field in caught.value.message_dict
    assert not Invitation.objects.exists()


# --- The link --------------------------------------------------------------------------------


def test_an_unknown_or_tampered_token_is_not_found(client: Client, cast: Cast) -> None:
    _, link = invite(cast)
    token = token_of(link)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/accounts/invitation/{tampered}/").status_code == 404
    assert client.get("/accounts/invitation/nonsense/").status_code == 404


def test_an_expired_invitation_says_so_and_whom_to_ask(client: Client, cast: Cast) -> None:
    _, link = invite(cast)
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        response = client.get(link)
    assert response.status_code == 410
    html = response.content.decode()
    assert "This invitation has expired" in html
    assert "Lena Ward" in html
    assert "Lung navigation" in html
    assert 'name="password1"' not in html


def test_a_withdrawn_invitation_says_so(client: Client, cast: Cast) -> None:
    invitation, link = invite(cast)
    with pytest.raises(PermissionDenied):
        invitation_revoke(invitation=invitation, by=cast.nadia)
    invitation_revoke(invitation=invitation, by=cast.lena)
    response = client.get(link)
    assert response.status_code == 410
    assert b"This invitation has been withdrawn" in response.content


def test_a_member_of_staff_sets_a_password_then_must_enrol_totp(client: Client, cast: Cast) -> None:
    invitation, link = invite(cast, role=Role.TEAM_LEAD)
    page = client.get(link)
    assert page.status_code == 200
    assert b'name="password1"' in page.content

    response = client.post(
        link, {"full_name": "Nia Evans", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.nurse@nav.test")
    assert user.role == Role.TEAM_LEAD
    assert user.full_name == "Nia Evans"
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_staff  # Django admin access is for administrators only
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user, team=cast.team).is_lead
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None

    # Signed in, but held at authenticator set-up until they have one; the password they
    # have just chosen counts as entered, so set-up opens without asking for it again.
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200

    # The link is used up.
    assert Client().get(link).status_code == 410


def test_staff_form_errors_are_summarised_and_keep_what_was_typed(
    client: Client, cast: Cast
) -> None:
    _, link = invite(cast)
    response = client.post(
        link, {"full_name": "Nia Evans", "password1": NEW_PASSWORD, "password2": "different"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Set up your account" in html
    assert '<a href="#id_password2">The passwords do not match</a>' in html
    assert 'value="Nia Evans"' in html
    assert NEW_PASSWORD not in html
    response = client.post(
        link, {"full_name": "Nia Evans", "password1": "short", "password2": "short"}
    )
    assert '<a href="#id_password1">' in response.content.decode()
    assert not User.objects.filter(email="new.nurse@nav.test").exists()


def test_a_patient_confirms_their_email_and_signs_in_with_a_code(
    client: Client, cast: Cast
) -> None:
    _, link = invite(cast, invited_by=cast.nadia, email="pat@example.test", role=Role.PATIENT)
    page = client.get(link)
    assert b"pat@example.test" in page.content
    assert b'name="password1"' not in page.content

    response = client.post(link, {"full_name": "Pat Hill"})
    assert response["Location"] == "/accounts/login/code/confirm/"
    user = User.objects.get(email="pat@example.test")
    assert user.role == Role.PATIENT
    assert user.get_short_name() == "Pat"  # greeted by name, not by email address
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert not Membership.objects.filter(user=user).exists()
    assert "_auth_user_id" not in client.session  # not until the code is entered

    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mail.outbox[-1].body))
    assert code and mail.outbox[-1].to == ["pat@example.test"]
    response = client.post("/accounts/login/code/confirm/", {"code": code.group(1)})
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/").status_code == 200


def test_a_carer_invited_by_sms_gives_an_email_address_verified_by_their_code(
    client: Client, cast: Cast
) -> None:
    _, link = invite(cast, invited_by=cast.nadia, email="", phone="+447700900789", role=Role.CARER)
    response = client.post(link, {"email": "not an email"})
    assert response.status_code == 200
    assert b'<a href="#id_email">' in response.content
    assert b'value="not an email"' in response.content

    client.post(link, {"email": "Cara@Example.test", "full_name": "Cara Lee"})
    user = User.objects.get(email="cara@example.test")
    assert user.role == Role.CARER
    assert user.phone == "+447700900789"
    assert not EmailAddress.objects.get(user=user).verified  # nothing has reached it yet

    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mail.outbox[-1].body))
    assert code
    client.post("/accounts/login/code/confirm/", {"code": code.group(1)})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified


def test_someone_signed_in_is_asked_to_sign_out_first(client: Client, cast: Cast) -> None:
    _, link = invite(cast, invited_by=cast.nadia, email="pat@example.test", role=Role.PATIENT)
    client.force_login(cast.paul)
    response = client.post(link, {"full_name": "Pat Hill"})
    assert response.status_code == 200
    assert b"You are already signed in" in response.content
    assert not User.objects.filter(email="pat@example.test").exists()


# --- The page for sending invitations --------------------------------------------------------


def test_a_team_lead_invites_a_navigator_from_the_page(client: Client, cast: Cast) -> None:
    client.force_login(cast.lena)
    page = client.get("/accounts/invitations/new/").content.decode()
    assert '<option value="navigator">' in page
    assert '<option value="admin">' not in page
    assert str(cast.other_team.pk) not in page  # only the team she leads

    response = client.post(
        "/accounts/invitations/new/",
        {"email": "Nia@nav.test", "phone": "", "role": "navigator", "team": str(cast.team.pk)},
    )
    assert response["Location"] == "/accounts/invitations/new/"
    invitation = Invitation.objects.get(email="nia@nav.test")
    assert (invitation.role, invitation.team, invitation.invited_by) == (
        Role.NAVIGATOR,
        cast.team,
        cast.lena,
    )
    assert OutboundMessage.objects.filter(idempotency_key=f"invitation:{invitation.id}").exists()
    assert b"nia@nav.test" in client.get("/accounts/invitations/new/").content


def test_a_navigator_may_invite_patients_but_not_staff(client: Client, cast: Cast) -> None:
    client.force_login(cast.nadia)
    page = client.get("/accounts/invitations/new/").content.decode()
    assert '<option value="patient">' in page
    assert '<option value="navigator">' not in page
    response = client.post(
        "/accounts/invitations/new/",
        {"email": "x@nav.test", "phone": "", "role": "navigator", "team": str(cast.team.pk)},
    )
    assert response.status_code == 200
    assert b'<a href="#id_role">' in response.content
    assert not Invitation.objects.exists()


def test_the_page_shows_service_errors_on_their_fields(client: Client, cast: Cast) -> None:
    client.force_login(cast.lena)
    response = client.post(
        "/accounts/invitations/new/",
        {"email": "", "phone": "07700 900456", "role": "clinician", "team": str(cast.team.pk)},
    )
    html = response.content.decode()
    assert '<a href="#id_email">Enter an email address: staff sign in with it</a>' in html
    assert 'value="07700 900456"' in html


@pytest.mark.parametrize("who", ["paul", "carol", "unenrolled"])
def test_people_who_may_not_invite_do_not_find_the_page(
    client: Client, cast: Cast, who: str
) -> None:
    if who == "unenrolled":
        user = f.make_user("new.lead@nav.test", role=Role.TEAM_LEAD)
        f.join(cast.team, user, lead=True)
    else:
        user = getattr(cast, who)
    client.force_login(user)
    assert client.get("/accounts/invitations/new/").status_code == 404


def test_a_patient_invited_by_text_may_give_no_email_and_signs_in_by_text(
    client: Client, cast: Cast
) -> None:
    _, link = invite(
        cast, invited_by=cast.nadia, email="", phone="+447700900790", role=Role.PATIENT
    )
    assert b"Get a sign-in code" in client.get(link).content

    response = client.post(link, {"full_name": "Ray Moss", "email": ""})

    assert response["Location"] == "/accounts/login/code/confirm/"
    user = User.objects.get(phone="+447700900790")
    assert (user.email, user.get_short_name()) == ("", "Ray")
    assert not EmailAddress.objects.filter(user=user).exists()
    code = OutboundMessage.objects.get(kind="sign_in_code")
    assert code.to_address == "+447700900790"
    typed = re.search(r"service is (\S+)\.", message_words(code)[0]).group(1)
    client.post("/accounts/login/code/confirm/", {"code": typed})
    assert client.session["_auth_user_id"] == str(user.pk)
