"""The case page says when texts to the patient are stopped, and why (journey 8, opt-out)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from navigator.messaging.models import SmsOptOut

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def case_page(client, cast) -> str:
    client.force_login(cast.nadia)
    response = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_case_page_says_the_patient_replied_stop_and_when(client, cast, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 12, 9, 41, tzinfo=LONDON))
    cast.paul_patient.phone = "+447700900123"
    cast.paul_patient.save()
    SmsOptOut.objects.create(phone="+447700900123", keyword="STOP")

    html = case_page(client, cast)

    assert "Texts stopped" in html
    assert "Paul replied STOP on 12 March 2026, 09:41, so we send no text messages." in html


def test_a_number_that_cannot_get_texts_is_explained(client, cast):
    cast.paul_patient.phone = "+447700900123"
    cast.paul_patient.save()
    SmsOptOut.objects.create(
        phone="+447700900123",
        reason=SmsOptOut.Reason.UNDELIVERABLE,
        keyword="Twilio 30006",
        detail="Landline or unreachable carrier",
    )

    html = case_page(client, cast)

    assert "their number cannot receive text messages (Twilio 30006: Landline" in html


def test_nothing_is_said_while_texts_go_and_anothers_stop_does_not_count(client, cast):
    cast.paul_patient.phone = "+447700900123"
    cast.paul_patient.save()
    SmsOptOut.objects.create(phone="+447700900999", keyword="STOP")

    assert "Texts stopped" not in case_page(client, cast)


def test_the_outbox_back_link_to_the_case_is_inside_the_main_landmark(client, cast):
    """axe-core's "region" rule: the texts-and-emails page's back link sits inside <main>."""
    client.force_login(cast.nadia)
    html = client.get(reverse("patients:case_outbox", args=[cast.paul_case.id])).content.decode()
    back = html.index("nhsuk-back-link")
    assert html.index('<main class="nhsuk-main-wrapper"') < back < html.index("</main>")
