"""The outbox page: staff on the case see what was sent about the patient; nobody else does."""

import pytest
from django.urls import reverse

from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import Recipient, message_send, sms_opt_out

pytestmark = pytest.mark.django_db


def outbox_url(case) -> str:
    return reverse("patients:case_outbox", args=[case.pk])


def nudge(patient, *, key: str, **overrides) -> OutboundMessage:
    recipient = Recipient(
        name=patient.full_name,
        phone=patient.phone,
        email=patient.email,
        preferred_channel=patient.preferred_channel,
    )
    args = {
        "recipient": recipient,
        "kind": "new_update",
        "context": {"link": "/"},
        "idempotency_key": key,
        "subject_id": patient.pk,
    }
    return message_send(**{**args, **overrides})


def test_the_navigator_sees_the_messages_about_her_patient(client, cast):
    older = nudge(cast.paul_patient, key="paul:1")
    OutboundMessage.objects.filter(pk=older.pk).update(
        status="failed", last_error="Twilio refused it (HTTP 400, error 21610)"
    )
    nudge(cast.paul_patient, key="paul:2", kind="new_message", channel="email")
    nudge(cast.olive_patient, key="olive:1")

    client.force_login(cast.nadia)
    response = client.get(outbox_url(cast.paul_case))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Messages sent" in page and "Paul Jones" in page
    assert page.index("New message") < page.index("New update")  # newest first
    assert "Twilio refused it (HTTP 400, error 21610)" in page
    assert "Failed" in page and "Queued" in page
    assert "+44•••••123" in page and "p•••@example.test" in page
    assert "+447700900123" not in page and "paul@example.test" not in page
    assert list(response.context["page"].object_list) == list(
        OutboundMessage.objects.filter(subject_id=cast.paul_patient.pk).order_by("-created_at")
    )


def test_viewing_the_outbox_is_audited(client, cast):
    client.force_login(cast.nadia)
    client.get(outbox_url(cast.paul_case))

    event = AuditEvent.objects.get(actor=cast.nadia, patient_id=cast.paul_patient.pk)
    assert event.action == AuditEvent.Action.VIEW
    assert event.object_id == str(cast.paul_case.pk)
    assert event.summary == "Looked at the messages sent"
    assert event.path == outbox_url(cast.paul_case)


def test_an_empty_outbox_says_so(client, cast):
    client.force_login(cast.lena)
    response = client.get(outbox_url(cast.paul_case))
    assert response.status_code == 200
    assert "No messages have been sent to Paul yet." in response.content.decode()


def test_an_sms_opt_out_is_shown_with_its_reason(client, cast):
    sms_opt_out(phone=cast.paul_patient.phone, keyword="STOP")
    client.force_login(cast.colin)
    page = client.get(outbox_url(cast.paul_case)).content.decode()
    assert "opted out of text messages (replied STOP)" in page


@pytest.mark.parametrize("who", ["paul", "carol", "oscar", "adam", "olive"])
def test_it_is_404_to_everyone_not_on_the_case_team(client, cast, who):
    nudge(cast.paul_patient, key="paul:1")
    client.force_login(getattr(cast, who))
    response = client.get(outbox_url(cast.paul_case))
    assert response.status_code == 404
    # Only the security log's refusal: nothing in Paul's "who has looked".
    assert not AuditEvent.objects.about_patient(cast.paul_patient.pk).exists()
    assert AuditEvent.objects.refusals().get().actor == getattr(cast, who)


def test_signed_out_visitors_are_sent_to_sign_in(client, cast):
    response = client.get(outbox_url(cast.paul_case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
