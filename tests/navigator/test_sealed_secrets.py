"""Secrets sealed at rest (navigator.crypto): TOTP secrets and recovery codes in
`mfa_authenticator`, read the way a database dump would, hold nothing usable without the key;
signing in still works; keys rotate; production refuses to start without a key."""

import importlib
import json
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from navigator.accounts.models import Role
from navigator.crypto import UnsealError, is_sealed, seal, unseal
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import (
    UNSEALABLE,
    Recipient,
    message_deliver,
    message_send,
    message_words,
)
from tests import factories as f
from tests.fakes.smtp import smtp_sink
from tests.fakes.twilio import fake_twilio
from tests.navigator.test_deploy_checks import manage, production_env

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
MFA = "/accounts/2fa/authenticate/"


@pytest.fixture(autouse=True)
def fresh_cache(db: None):
    cache.clear()  # used TOTP codes and rate limits outlive a test's transaction
    yield
    cache.clear()


def stored_data(authenticator: Authenticator) -> str:
    """The `data` column as the database holds it."""
    with connection.cursor() as cursor:
        key = authenticator.pk
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [key])
        [value] = cursor.fetchone()
    return value if isinstance(value, str) else json.dumps(value)


def code_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_the_database_holds_no_totp_secret_and_sign_in_still_works(client: Client, db: None):
    nadia = f.make_user("nadia@nav.test", role=Role.NAVIGATOR, name="Nadia Khan")
    secret = f.enrol_totp(nadia)
    totp = Authenticator.objects.get(user=nadia, type=Authenticator.Type.TOTP)
    stored = stored_data(totp)
    assert secret not in stored
    assert unseal(totp.data["secret"]) == secret

    assert client.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})["Location"] == MFA
    assert client.post(MFA, {"code": code_now(secret)}).status_code == 302
    assert client.session["_auth_user_id"] == str(nadia.pk)


def test_recovery_codes_are_sealed_and_still_sign_in(client: Client, db: None):
    nadia = f.make_user("nadia@nav.test", role=Role.NAVIGATOR, name="Nadia Khan", mfa=True)
    codes = RecoveryCodes.activate(nadia)
    seed = unseal(codes.instance.data["seed"])
    stored = stored_data(codes.instance)
    assert seed not in stored
    assert not any(code in stored for code in codes.get_unused_codes())

    client.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})
    assert client.post(MFA, {"code": codes.get_unused_codes()[0]}).status_code == 302
    assert client.session["_auth_user_id"] == str(nadia.pk)


def test_a_secret_sealed_under_no_configured_key_is_refused_not_used(db: None, settings):
    sealed = seal("JBSWY3DPEHPK3PXP")
    settings.DATA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(UnsealError):
        unseal(sealed)
    with pytest.raises(UnsealError):
        unseal("JBSWY3DPEHPK3PXP")  # a plain value is never taken as a secret


def test_secrets_stored_in_clear_are_sealed_by_the_migration(client: Client, db: None):
    nadia = f.make_user("nadia@nav.test", role=Role.NAVIGATOR, name="Nadia Khan")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    # As allauth stored it before our adapter sealed it.
    Authenticator.objects.create(user=nadia, type=Authenticator.Type.TOTP, data={"secret": secret})
    Authenticator.objects.create(
        user=nadia, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "ab" * 40, "used_mask": 0}
    )
    migration = importlib.import_module("navigator.accounts.migrations.0004_seal_mfa_secrets")

    migration.seal_plain(apps, None)
    migration.seal_plain(apps, None)  # twice changes nothing more

    totp = Authenticator.objects.get(user=nadia, type=Authenticator.Type.TOTP)
    assert secret not in stored_data(totp) and unseal(totp.data["secret"]) == secret
    codes = Authenticator.objects.get(user=nadia, type=Authenticator.Type.RECOVERY_CODES)
    assert unseal(codes.data["seed"]) == "ab" * 40 and codes.data["used_mask"] == 0
    client.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})
    assert client.post(MFA, {"code": code_now(secret)}).status_code == 302
    assert client.session["_auth_user_id"] == str(nadia.pk)


def test_waiting_links_stored_in_clear_are_sealed_by_the_migration(db: None, settings):
    link = f"{settings.SITE_URL}/gp/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG/"
    waiting = OutboundMessage.objects.create(
        idempotency_key="gp-share:old",
        channel="email",
        to_address="riverside.gp@nhs.test",
        kind="gp_share",
        subject="A care plan has been shared with your practice",
        body=f"A care plan has been shared with your practice: {link}\n",
        body_html=f'<a href="{link}">{link}</a>',
        not_before="2026-03-11T10:00Z",
    )
    sent = OutboundMessage.objects.create(
        idempotency_key="sign-in-code:old",
        channel="sms",
        to_address="+447700900456",
        kind="sign_in_code",
        body="Your sign-in code for your cancer support service is ABCD-EFGH. It works for 10 "
        "minutes.",
        status="sent",
        not_before="2026-03-11T10:00Z",
    )
    invite = f"{settings.SITE_URL}/cases/carer-invitation/abcdefghijklmnopqrstuvwxyz0123/"
    invited = OutboundMessage.objects.create(
        idempotency_key="carer-invitation:old",
        channel="sms",
        to_address="+447700900457",
        kind="carer_invitation",
        body=f"You have been invited to help someone with their cancer care: {invite}",
        status="delivered",
        not_before="2026-03-11T10:00Z",
    )
    migration = importlib.import_module("navigator.messaging.migrations.0007_seal_waiting_secrets")

    migration.withhold(apps, None)

    waiting.refresh_from_db()
    assert link not in waiting.body + waiting.body_html and "[link withheld]" in waiting.body
    assert link in message_words(waiting)[0] and link in message_words(waiting)[1]
    sent.refresh_from_db()
    assert "ABCD-EFGH" not in sent.body and sent.sealed_body == ""
    assert "service is [code withheld]." in sent.body
    invited.refresh_from_db()
    assert invited.body.endswith("care: [link withheld]") and invited.sealed_body == ""
    with smtp_sink(settings) as sink:
        OutboundMessage.objects.filter(pk=waiting.pk).update(not_before="2000-01-01T00:00Z")
        assert message_deliver(message_id=waiting.pk).status == OutboundMessage.Status.SENT
    assert link in sink.messages[0].get_body(("plain",)).get_content()


def test_rotating_the_key_keeps_every_secret_readable(client: Client, db: None, settings):
    nadia = f.make_user("nadia@nav.test", role=Role.NAVIGATOR, name="Nadia Khan")
    secret = f.enrol_totp(nadia)
    old = settings.DATA_ENCRYPTION_KEYS
    new = Fernet.generate_key().decode()

    settings.DATA_ENCRYPTION_KEYS = [new, *old]  # the new key first, the old still opens
    call_command("secrets_reseal", stdout=None)
    settings.DATA_ENCRYPTION_KEYS = [new]  # the old key removed

    totp = Authenticator.objects.get(user=nadia, type=Authenticator.Type.TOTP)
    assert is_sealed(totp.data["secret"]) and unseal(totp.data["secret"]) == secret
    client.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})
    assert client.post(MFA, {"code": code_now(secret)}).status_code == 302


def test_production_refuses_to_start_without_the_key_naming_it(tmp_path):
    result = manage("check", env=production_env(tmp_path, DATA_ENCRYPTION_KEYS=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set the environment variable DATA_ENCRYPTION_KEYS" in result.stderr


def test_production_refuses_a_key_that_is_not_a_fernet_key(tmp_path):
    result = manage("check", env=production_env(tmp_path, DATA_ENCRYPTION_KEYS="not-a-key"))
    assert result.returncode != 0
    assert "DATA_ENCRYPTION_KEYS: key 1 is not a Fernet key" in result.stderr


def test_a_waiting_link_sealed_under_a_lost_key_fails_unsent_and_says_why(
    client: Client, cast, settings
):
    """Every key lost (README, "Rotating the data key"): a waiting invitation cannot be opened,
    so it is failed, never sent with its link withheld, and the care team sees why."""
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    message = message_send(
        recipient=Recipient(name="Paul Jones", phone="+447700900123"),
        kind="patient_invitation",
        context={"link": "/cases/invitation/" + "x" * 43 + "/"},
        idempotency_key="lost-key:invitation",
        subject_id=cast.paul_patient.pk,
    )
    assert message.sealed_body
    settings.DATA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key is gone

    with fake_twilio(settings) as twilio:
        assert message_deliver(message_id=message.pk).status == OutboundMessage.Status.FAILED
    assert twilio.creates == []
    message.refresh_from_db()
    assert message.last_error == UNSEALABLE and message.sealed_body == ""
    client.force_login(cast.nadia)
    outbox = client.get(reverse("patients:case_outbox", args=[cast.paul_case.pk]))
    assert "sealed under a key no longer in DATA_ENCRYPTION_KEYS" in outbox.content.decode()


def test_a_lost_key_at_the_second_sign_in_step_is_a_page_saying_so_and_a_critical_log_line(
    db: None, settings, caplog
):
    """HAZ-018: with the key that sealed a staff member's TOTP secret gone, the second sign-in
    step answers 503 with a page saying it is not their code and whom to tell, and the log
    has one CRITICAL line naming the variable and the way back; never a 500."""
    client = Client(raise_request_exception=False)
    nadia = f.make_user("nadia@nav.test", role=Role.NAVIGATOR, name="Nadia Khan")
    secret = f.enrol_totp(nadia)
    client.post(LOGIN, {"login": "nadia@nav.test", "password": PASSWORD})
    settings.DATA_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key lost

    with caplog.at_level("INFO"):
        response = client.post(MFA, {"code": code_now(secret)})

    assert response.status_code == 503
    html = response.content.decode()
    assert "Your sign-in code cannot be checked at the moment" in html
    assert "not a problem with your code" in html
    assert "Tell your service administrator" in html
    assert secret not in html
    critical = [r for r in caplog.records if r.levelname == "CRITICAL"]
    assert len(critical) == 1
    assert "DATA_ENCRYPTION_KEYS" in critical[0].getMessage()
    assert "remove each affected authenticator in the admin" in critical[0].getMessage()
    assert not [r for r in caplog.records if r.levelname == "ERROR" and r.exc_info]
    assert "_auth_user_id" not in client.session  # still not signed in


def test_a_lost_key_on_the_api_is_a_json_503(db: None, rf):
    from navigator.views import server_error

    request = rf.get("/api/cases/")
    try:
        raise UnsealError("no key opens it")
    except UnsealError:
        response = server_error(request)
    assert response.status_code == 503
    assert "service's key" in json.loads(response.content)["detail"]
