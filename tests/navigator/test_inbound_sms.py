"""Texts people send to our number: Twilio's signed webhook, keywords, and the case's answer.

Requests are signed with Twilio's own RequestValidator against the public https address, as
Twilio signs them; the app sits behind a proxy that ends TLS, so Django itself sees http.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from appointments.models import ChaseTask, ItemKind, ItemState, TrackedItem
from appointments.reminders import appointment_reminder_send
from appointments.services import tracked_item_create
from navigator.audit.models import AuditEvent
from navigator.messaging.inbound import sms_keyword
from navigator.messaging.models import InboundSms, OutboundMessage, SmsOptOut
from navigator.messaging.services import Recipient, message_deliver, message_send
from patients.models import CaseMessage, TimelineEvent
from tests.fakes.twilio import AUTH_TOKEN

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PUBLIC = "https://navigator.example.nhs.uk"
PATH = "/webhooks/twilio/sms/"
PAUL_PHONE = "+447700900123"
OUR_NUMBER = "+447700900001"
CLINICAL_WORDS = ("lung", "tumour", "cancer care review", "diagnos", "scan", "result", "chemo")


@pytest.fixture(autouse=True)
def twilio_settings(settings, time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 12, 10, 0, tzinfo=LONDON), tick=True)
    settings.SITE_URL = settings.TWILIO_WEBHOOK_BASE_URL = PUBLIC
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


def sms_params(body: str, *, sid: str = "SM" + "a" * 32, sender: str = PAUL_PHONE) -> dict:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": OUR_NUMBER,
        "Body": body,
        "NumSegments": "1",
    }


def deliver(client, params: dict[str, str], *, signature: str | None = None, path: str = PATH):
    """Post as Twilio does, through a proxy that ended TLS (Django sees http and its own host)."""
    headers = {
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "navigator.example.nhs.uk",
    }
    if signature is None:
        signature = sign(PUBLIC + path, params)
    if signature:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    return client.post(path, params, **headers)


def text_sent_to_paul(cast, *, kind: str = "new_update", key: str = "nudge:1", **extra):
    """An SMS about Paul that has left us (so a reply can be to it)."""
    message = message_send(
        recipient=Recipient(name="Paul Jones", phone=PAUL_PHONE),
        kind=kind,
        context={"link": "/"},
        idempotency_key=key,
        subject_id=cast.paul_patient.pk,
        **extra,
    )
    OutboundMessage.objects.filter(pk=message.pk).update(status="sent", provider_id=f"SM-{key}")
    return message


def booked_appointment(cast, **extra) -> TrackedItem:
    args = {
        "case": cast.paul_case,
        "kind": ItemKind.APPOINTMENT,
        "state": ItemState.BOOKED,
        "title": "Lung clinic follow-up",
        "expected_by": dt.date(2025, 3, 14),
        "actor": cast.nadia,
        "starts_at": dt.datetime(2025, 3, 14, 10, 30, tzinfo=LONDON),
        "location": "St James's Hospital, Bexley Wing",
        "what_to_bring": "a list of your medicines",
    }
    return tracked_item_create(**{**args, **extra})


def reminded_appointment(cast) -> TrackedItem:
    item = booked_appointment(cast)
    reminder = appointment_reminder_send(item=item, days_before=2)
    OutboundMessage.objects.filter(pk=reminder.pk).update(status="sent", provider_id="SM-rem")
    return item


# --- The signature ------------------------------------------------------------------------


def test_a_text_signed_for_the_public_https_address_is_taken(client, cast):
    response = deliver(client, sms_params("Hello"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
    )
    assert InboundSms.objects.count() == 1


def test_the_webhook_base_can_differ_from_the_site(client, cast, settings):
    settings.TWILIO_WEBHOOK_BASE_URL = "https://hooks.navigator.example.nhs.uk"
    params = sms_params("Hello")
    signed_for_site = sign(PUBLIC + PATH, params)
    assert deliver(client, params, signature=signed_for_site).status_code == 403
    signed = sign("https://hooks.navigator.example.nhs.uk" + PATH, params)
    assert deliver(client, params, signature=signed).status_code == 200


def test_a_signature_over_the_address_django_sees_behind_the_proxy_is_refused(client, cast):
    params = sms_params("Hello")
    inside = sign("http://testserver" + PATH, params)
    assert deliver(client, params, signature=inside).status_code == 403
    assert not InboundSms.objects.exists()


@pytest.mark.parametrize(
    "signature",
    [
        "",  # no header at all
        "   ",
        "not-a-signature",
        sign(PUBLIC + PATH, sms_params("Hello"), token="someone-elses-token"),
        sign(PUBLIC + PATH, sms_params("STOP")),  # signed for another body
    ],
    ids=["missing", "blank", "garbage", "wrong-token", "tampered-body"],
)
def test_unsigned_or_wrongly_signed_texts_are_403_and_change_nothing(client, cast, signature):
    text_sent_to_paul(cast)
    response = deliver(client, sms_params("Hello"), signature=signature)
    assert response.status_code == 403
    assert b"signed by Twilio" in response.content
    assert not InboundSms.objects.exists()
    assert not CaseMessage.objects.exists()


def test_a_forged_stop_does_not_opt_anyone_out(client, cast):
    response = deliver(client, sms_params("STOP"), signature="forged")
    assert response.status_code == 403
    assert not SmsOptOut.objects.exists()


def test_no_auth_token_configured_refuses_everything_rather_than_failing(client, cast, settings):
    params = sms_params("Hello")
    signature = sign(PUBLIC + PATH, params)
    settings.TWILIO_AUTH_TOKEN = ""
    assert deliver(client, params, signature=signature).status_code == 403


def test_a_body_django_cannot_parse_is_403_not_500(client, cast):
    response = client.post(
        PATH,
        data=b"--broken\r\nContent-Disposition: form-data; name=",
        content_type="multipart/form-data; boundary=broken",
        HTTP_X_TWILIO_SIGNATURE="abc",
    )
    assert response.status_code == 403


def test_get_is_refused(client, cast):
    assert client.get(PATH).status_code == 403  # unsigned: nothing said about the method
    signed = sign(PUBLIC + PATH, {})
    assert client.get(PATH, HTTP_X_TWILIO_SIGNATURE=signed).status_code == 405


def test_a_signed_request_without_a_sender_is_a_400(client, cast):
    params = {"MessageSid": "SM" + "b" * 32, "Body": "Hello"}
    assert deliver(client, params).status_code == 400


# --- Idempotency ----------------------------------------------------------------------------


def test_the_same_text_delivered_five_times_has_one_effect(client, cast):
    text_sent_to_paul(cast)
    params = sms_params("Can someone call me about my transport?")
    for _ in range(5):
        assert deliver(client, params).status_code == 200

    assert InboundSms.objects.count() == 1
    [message] = CaseMessage.objects.filter(case=cast.paul_case)
    assert message.body == "Can someone call me about my transport?"
    assert OutboundMessage.objects.filter(kind="sms_reply_received").count() == 1
    assert TimelineEvent.objects.filter(case=cast.paul_case, kind="message").count() == 1


def test_stop_five_times_records_one_opt_out_and_one_note(client, cast):
    text_sent_to_paul(cast)
    for _ in range(5):
        deliver(client, sms_params("STOP"))
    assert SmsOptOut.objects.count() == 1
    assert TimelineEvent.objects.filter(summary__startswith="Text messages stopped").count() == 1


# --- Keywords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("STOP", "STOP"),
        (" stop. ", "STOP"),
        ("Stop all", "STOPALL"),
        ("opt-out", "OPTOUT"),
        ("Unsubscribe", "UNSUBSCRIBE"),
        ("start", "START"),
        ("Confirm", "CONFIRM"),
        ("Stop sending me these", ""),
        ("yes please", ""),
        ("I'll be there", ""),
        ("", ""),
    ],
)
def test_keywords_are_whole_texts_in_any_case(body, keyword):
    assert sms_keyword(body) == keyword


@pytest.mark.parametrize(
    "word", ["STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "OPTOUT", "REVOKE", "CANCEL"]
)
def test_every_standard_opt_out_word_stops_texts_at_once(client, cast, word):
    queued = text_sent_to_paul(cast, key="before")
    OutboundMessage.objects.filter(pk=queued.pk).update(status="sent")
    pending = message_send(
        recipient=Recipient(name="Paul Jones", phone=PAUL_PHONE),
        kind="new_update",
        context={"link": "/"},
        idempotency_key="pending",
        subject_id=cast.paul_patient.pk,
    )

    deliver(client, sms_params(word.lower()))

    opt_out = SmsOptOut.objects.get(phone=PAUL_PHONE)
    assert opt_out.keyword == word
    # A text queued before the STOP is not sent, and the outbox says why.
    assert message_deliver(message_id=pending.pk).status == "failed"
    pending.refresh_from_db()
    assert pending.last_error == f"Not sent: this number opted out of text messages ({word})."
    # The next nudge goes by email instead.
    paul = cast.paul_patient
    nudge = message_send(
        recipient=Recipient(name=paul.full_name, phone=paul.phone, email=paul.email),
        kind="new_update",
        context={"link": "/"},
        idempotency_key="after",
        subject_id=paul.pk,
    )
    assert nudge.channel == "email"
    # The navigator sees why, on the case.
    event = TimelineEvent.objects.get(case=cast.paul_case, summary__startswith="Text messages")
    assert event.summary == f"Text messages stopped: Paul replied {word}"
    assert not event.shared_with_patient
    inbound = InboundSms.objects.get()
    assert inbound.subject_id == paul.pk
    assert "Stopped all text messages" in inbound.outcome
    assert not OutboundMessage.objects.filter(kind__startswith="sms_reply").exists()


def test_start_resumes_texts_and_the_navigator_sees_it(client, cast):
    text_sent_to_paul(cast)
    deliver(client, sms_params("STOP", sid="SM" + "1" * 32))
    deliver(client, sms_params("Start", sid="SM" + "2" * 32))

    assert not SmsOptOut.objects.exists()
    summaries = list(
        TimelineEvent.objects.filter(case=cast.paul_case).values_list("summary", flat=True)
    )
    assert "Text messages resumed: Paul replied START" in summaries
    nudge = message_send(
        recipient=Recipient(name="Paul Jones", phone=PAUL_PHONE, email="paul@example.test"),
        kind="new_update",
        context={"link": "/"},
        idempotency_key="after-start",
    )
    assert nudge.channel == "sms"


def test_confirm_confirms_the_appointment_the_latest_reminder_was_about(client, cast):
    item = reminded_appointment(cast)
    text_sent_to_paul(cast, key="later-nudge")  # a later, unrelated message

    deliver(client, sms_params("Confirm"))

    item.refresh_from_db()
    assert item.state == ItemState.BOOKED
    last = item.transitions.order_by("-at", "-id").first()
    assert (last.from_state, last.to_state) == ("booked", "booked")
    assert last.note == "Paul Jones confirmed it by text message (replied CONFIRM)."
    reply = OutboundMessage.objects.get(kind="sms_reply_confirmed")
    assert reply.to_address == PAUL_PHONE and reply.channel == "sms"
    assert "confirmed" in reply.body and "Lung" not in reply.body
    assert InboundSms.objects.get().outcome == "Confirmed Lung clinic follow-up."
    assert AuditEvent.objects.filter(object_id=str(item.pk), actor=None).exists()


def test_change_puts_the_appointment_on_the_navigators_worklist(client, cast):
    item = reminded_appointment(cast)
    deliver(client, sms_params("CHANGE"))

    task = ChaseTask.objects.get(item=item, status="open")
    assert task.assigned_to == cast.nadia
    event = TimelineEvent.objects.get(case=cast.paul_case, summary__contains="asked to change")
    assert "rearrange" in event.detail
    assert OutboundMessage.objects.filter(kind="sms_reply_change").count() == 1
    assert not SmsOptOut.objects.exists()


def test_cancel_stops_texts_and_still_tells_the_navigator_about_the_appointment(client, cast):
    """CANCEL is an opt-out word to Twilio, so it stops texts here too; since it answered a
    reminder, the appointment also goes on the worklist for the navigator to call about."""
    item = reminded_appointment(cast)
    deliver(client, sms_params("cancel"))

    assert SmsOptOut.objects.get().keyword == "CANCEL"
    assert ChaseTask.objects.filter(item=item, status="open").exists()
    event = TimelineEvent.objects.get(summary__contains="replied CANCEL to the reminder")
    assert "call or email" in event.detail
    item.refresh_from_db()
    assert item.state == ItemState.BOOKED  # a person decides, not a keyword
    assert not OutboundMessage.objects.filter(kind__startswith="sms_reply").exists()


def test_help_asks_the_navigator_and_replies_with_the_helpline(client, cast, settings):
    item = reminded_appointment(cast)
    deliver(client, sms_params("HELP"))

    assert ChaseTask.objects.filter(item=item, status="open").exists()
    message = CaseMessage.objects.get(case=cast.paul_case)
    assert message.author_kind == CaseMessage.AuthorKind.SMS
    assert message.body.startswith("HELP")
    reply = OutboundMessage.objects.get(kind="sms_reply_help")
    assert settings.URGENT_HELP_LINE in reply.body


def test_a_keyword_with_no_reminder_to_answer_is_a_message_for_the_navigator(client, cast):
    text_sent_to_paul(cast)
    deliver(client, sms_params("CONFIRM"))
    assert CaseMessage.objects.get(case=cast.paul_case).body == "CONFIRM"
    assert not ChaseTask.objects.exists()


def test_a_reply_after_the_appointment_has_passed_is_a_message(client, cast, time_machine):
    reminded_appointment(cast)
    time_machine.move_to(dt.datetime(2025, 3, 15, 9, 0, tzinfo=LONDON), tick=True)
    deliver(client, sms_params("Confirm"))
    assert CaseMessage.objects.get(case=cast.paul_case).body == "Confirm"


def test_any_other_text_becomes_a_message_in_the_case_and_the_reply_is_not_clinical(client, cast):
    text_sent_to_paul(cast)
    deliver(client, sms_params("My scan result letter has not come, is my lung ok?"))

    message = CaseMessage.objects.get(case=cast.paul_case)
    assert message.author_kind == CaseMessage.AuthorKind.SMS
    assert message.author == cast.paul
    assert message.read_by_team_at is None  # unread for the navigator
    reply = OutboundMessage.objects.get(kind="sms_reply_received")
    assert reply.urgent  # answers the text they just sent, whatever the hour
    assert not [w for w in CLINICAL_WORDS if w in reply.body.lower()]
    assert len(reply.body) <= 160


# --- Matching the sender --------------------------------------------------------------------


def test_a_shared_number_is_matched_by_the_latest_message_sent_to_it(client, cast):
    """Paul and Olive share a phone (the cast's default number): the text is Olive's when the
    latest text to that number was about her."""
    assert cast.olive_patient.phone == PAUL_PHONE
    text_sent_to_paul(cast, key="to-paul")
    olive = message_send(
        recipient=Recipient(name="Olive Smith", phone=PAUL_PHONE),
        kind="new_update",
        context={"link": "/"},
        idempotency_key="to-olive",
        subject_id=cast.olive_patient.pk,
    )
    OutboundMessage.objects.filter(pk=olive.pk).update(status="sent", provider_id="SM-olive")

    deliver(client, sms_params("Thank you"))

    inbound = InboundSms.objects.get()
    assert inbound.in_reply_to_id == olive.pk
    assert inbound.subject_id == cast.olive_patient.pk
    assert CaseMessage.objects.get().case == cast.olive_case


def test_a_shared_number_with_nothing_sent_to_it_is_not_guessed(client, cast):
    deliver(client, sms_params("Thank you"))
    inbound = InboundSms.objects.get()
    assert inbound.subject_id is None
    assert inbound.outcome == "No single patient has this number, so nobody was told."
    assert not CaseMessage.objects.exists()


def test_an_unknown_number_is_kept_but_reaches_no_case(client, cast):
    deliver(client, sms_params("Who is this?", sender="+447700900999"))
    inbound = InboundSms.objects.get()
    assert inbound.subject_id is None
    assert not CaseMessage.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_a_stop_from_an_unknown_number_still_stops_texts_to_it(client, cast):
    deliver(client, sms_params("STOP", sender="+447700900999"))
    assert SmsOptOut.objects.filter(phone="+447700900999").exists()


def test_webhook_url_is_named():
    assert reverse("messaging:twilio_inbound_sms") == PATH
