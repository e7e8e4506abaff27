"""Sign-in by text message: allauth's code, sent to the mobile number on the account."""

import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from navigator.accounts.models import Role, User
from navigator.messaging.models import OutboundMessage, SmsOptOut
from navigator.messaging.services import WITHHELD, message_deliver, message_words
from tests import factories as f
from tests.fakes.twilio import fake_twilio
from tests.outbox_support import outbox_row_as_stored

pytestmark = pytest.mark.django_db

TEXT_CODE = reverse("request_login_code_text")
CONFIRM = reverse("account_confirm_login_code")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def joan(db):
    # Only a mobile number: no email address at all.
    return User.objects.create_user("", None, phone="+447700900456", full_name="Joan Baker")


def code_in(text: str) -> str:
    return re.search(r"service is (\S+)\.", text).group(1)


def test_the_sign_in_page_offers_a_code_by_text(client):
    html = client.get(reverse("account_login")).content.decode()
    assert f'href="{TEXT_CODE}"' in html and "Text me a sign-in code" in html


def test_a_patient_with_only_a_mobile_signs_in_with_a_texted_code(client, joan, settings):
    with fake_twilio(settings) as twilio:
        response = client.post(TEXT_CODE, {"phone": "07700 900456"})
        assert response["Location"] == CONFIRM
        sent = OutboundMessage.objects.get(kind="sign_in_code")
        assert (sent.channel, sent.to_address) == ("sms", "+447700900456")
        assert message_deliver(message_id=sent.pk).status == OutboundMessage.Status.SENT
    [text] = twilio.creates
    assert text["To"] == "+447700900456"
    # Nothing but the code: no name, no care.
    assert "Joan" not in text["Body"] and "cancer" in text["Body"] and "Lung" not in text["Body"]
    page = client.get(CONFIRM).content.decode()
    assert "+447700900456" in page and "Text messages can take" in page
    response = client.post(CONFIRM, {"code": code_in(text["Body"])})
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == joan


@time_machine.travel("2026-03-11 10:00Z")
def test_the_code_waits_sealed_and_is_wiped_once_sent(client, joan, settings):
    client.post(TEXT_CODE, {"phone": "+447700900456"})
    message = OutboundMessage.objects.get(kind="sign_in_code")
    code = code_in(message_words(message)[0])
    waiting = outbox_row_as_stored(message)
    assert code not in waiting and message.sealed_body in waiting
    assert f"service is {WITHHELD['code']}." in message.body
    with fake_twilio(settings) as twilio:
        assert message_deliver(message_id=message.pk).status == OutboundMessage.Status.SENT
    assert code_in(twilio.creates[0]["Body"]) == code
    message.refresh_from_db()
    assert message.sealed_body == ""
    assert code not in outbox_row_as_stored(message)
    assert f"service is {WITHHELD['code']}." in message.body


def test_a_wrong_code_is_refused_and_too_many_end_the_attempt(client, joan):
    client.post(TEXT_CODE, {"phone": "+447700900456"})
    first = client.post(CONFIRM, {"code": "WRONG-CODE"})
    assert b"Enter the code from the email or text message" in first.content
    client.post(CONFIRM, {"code": "WRONG-CODE"})
    last = client.post(CONFIRM, {"code": "WRONG-CODE"})
    assert last.status_code == 302 and last["Location"] != reverse("home")
    assert not client.session.get("_auth_user_id")


def test_codes_by_text_are_rate_limited_per_number(client, joan):
    for _ in range(3):
        assert client.post(TEXT_CODE, {"phone": "+447700900456"}).status_code == 302
    refused = client.post(TEXT_CODE, {"phone": "+447700900456"})
    assert refused.status_code == 200
    assert b"You have tried to sign in too many times" in refused.content
    assert OutboundMessage.objects.filter(kind="sign_in_code").count() == 3


def test_an_unknown_number_gets_the_same_page_and_no_text(client, db):
    response = client.post(TEXT_CODE, {"phone": "07700 900999"})
    assert response["Location"] == CONFIRM
    assert not OutboundMessage.objects.exists()


def test_staff_cannot_sign_in_by_a_texted_code(client, db):
    staff = f.make_user("nadia@nav.test", role=Role.NAVIGATOR, mfa=True)
    User.objects.filter(pk=staff.pk).update(phone="+447700900111")
    client.post(TEXT_CODE, {"phone": "+447700900111"})
    assert not OutboundMessage.objects.exists()


def test_a_shared_number_sends_no_code(client, joan):
    User.objects.create_user("", None, phone="+447700900456", role=Role.CARER)
    client.post(TEXT_CODE, {"phone": "+447700900456"})
    assert not OutboundMessage.objects.exists()


def test_a_number_that_is_not_a_mobile_keeps_what_was_typed(client, db):
    response = client.post(TEXT_CODE, {"phone": "hello"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a mobile phone number" in html and 'value="hello"' in html


def test_a_blank_email_address_names_no_one(db):
    User.objects.create_user("", None, phone="+447700900456")
    User.objects.create_user("", None, phone="+447700900457")
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("")


def test_a_number_that_replied_stop_is_told_to_use_email_or_phone(client, joan):
    SmsOptOut.objects.create(phone="+447700900456")
    response = client.post(TEXT_CODE, {"phone": "+447700900456"})
    assert response.status_code == 200
    assert b"We cannot send a text message to this number" in response.content
    assert not OutboundMessage.objects.exists()


def test_an_opted_out_number_without_an_account_gets_the_same_answer(client, db):
    SmsOptOut.objects.create(phone="+447700900999")
    response = client.post(TEXT_CODE, {"phone": "+447700900999"})
    assert b"We cannot send a text message to this number" in response.content


def test_a_welsh_reader_is_told_of_a_wrong_code_and_the_rate_limit_in_welsh(client, joan):
    """allauth ships no Welsh: what a patient meets signing in is in our catalogue."""
    client.cookies["language"] = "cy"  # the English / Cymraeg switch before signing in
    client.post(TEXT_CODE, {"phone": "+447700900456"})
    wrong = client.post(CONFIRM, {"code": "WRONG-CODE"}).content.decode()
    assert '<html lang="cy">' in wrong
    assert "Rhowch y cod o&#x27;r e-bost neu&#x27;r neges destun a anfonwyd atoch" in wrong
    assert "Enter the code" not in wrong and "Incorrect code" not in wrong
    cache.clear()
    for _ in range(3):
        client.post(TEXT_CODE, {"phone": "+447700900456"})
    refused = client.post(TEXT_CODE, {"phone": "+447700900456"}).content.decode()
    assert "Rydych chi wedi ceisio mewngofnodi ormod o weithiau" in refused
    assert "too many times" not in refused


def test_a_welsh_patient_signing_in_on_an_english_page_is_welcomed_in_welsh(client, joan, settings):
    """The sign-in page was in the browser's language; the page after it is in theirs."""
    User.objects.filter(pk=joan.pk).update(language="cy")
    with fake_twilio(settings) as twilio:
        client.post(TEXT_CODE, {"phone": "07700 900456"})
        message_deliver(message_id=OutboundMessage.objects.get(kind="sign_in_code").pk)
    [text] = twilio.creates
    assert "Eich cod mewngofnodi" in text["Body"]  # the code itself came in Welsh
    code = re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", text["Body"]).group(0)
    response = client.post(CONFIRM, {"code": code}, follow=True)
    page = response.content.decode()
    assert '<html lang="cy">' in page
    assert "Rydych chi wedi mewngofnodi fel Joan Baker." in page
    assert "You are signed in as" not in page
