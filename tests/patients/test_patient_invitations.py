"""The patient's own invitation: sent from the case, tied to them, accepted once with their
date of birth; a forwarded link opens no one's record."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from navigator.accounts.models import Invitation, Role
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import message_words
from patients.models import PATIENT_INVITATION_MAX_CHECKS, PatientInvitation
from patients.services import patient_invitation_accept, patient_invite
from tests import factories as f

pytestmark = pytest.mark.django_db

BIRTHDAY = dt.date(1948, 6, 2)


@pytest.fixture
def joan_case(cast):
    joan = f.make_patient(
        given="Joan",
        family="Baker",
        email="joan@example.test",
        phone="+447700900456",
        date_of_birth=BIRTHDAY,
        preferred_channel="email",
    )
    return f.make_case(patient=joan, team=cast.team, navigator=cast.nadia)


def token_of(link):
    return re.search(r"/invitation/([^/]+)/", link).group(1)


def dob(date):
    return {
        "date_of_birth-day": str(date.day),
        "date_of_birth-month": str(date.month),
        "date_of_birth-year": str(date.year),
    }


def test_the_case_page_links_to_the_invitation(client, cast, joan_case):
    client.force_login(cast.nadia)
    html = client.get(reverse("caseload:case_detail", args=[joan_case.id])).content.decode()
    assert reverse("patients:patient_invite", args=[joan_case.id]) in html
    assert "Invite Joan Baker to use the service" in html


def test_navigator_invites_by_the_preferred_channel_with_no_clinical_detail(
    client, cast, joan_case
):
    client.force_login(cast.nadia)
    page = client.get(reverse("patients:patient_invite", args=[joan_case.id]))
    assert 'value="email" checked' in page.content.decode()

    response = client.post(
        reverse("patients:patient_invite", args=[joan_case.id]), {"channel": "email"}
    )

    assert response.status_code == 302
    patient_invitation = PatientInvitation.objects.get()
    assert patient_invitation.patient == joan_case.patient
    assert patient_invitation.invitation.role == Role.PATIENT
    sent = OutboundMessage.objects.get()
    assert (sent.channel, sent.to_address) == ("email", "joan@example.test")
    text = f"{sent.subject} {' '.join(message_words(sent))}"
    assert "Your cancer support team has invited you" in text
    assert "Joan" not in text and "Lung" not in text and "/cases/invitation/" in text
    assert AuditEvent.objects.filter(
        object_id=str(patient_invitation.pk), action=AuditEvent.Action.CREATE
    ).exists()


def test_navigator_may_choose_a_text_message(client, cast, joan_case):
    client.force_login(cast.nadia)
    client.post(reverse("patients:patient_invite", args=[joan_case.id]), {"channel": "sms"})
    sent = OutboundMessage.objects.get()
    assert (sent.channel, sent.to_address) == ("sms", "+447700900456")
    words, _ = message_words(sent)
    assert "Joan" not in words and "Lung" not in words and "/cases/invitation/" in words


def test_another_team_cannot_invite_the_patient(client, cast, joan_case):
    client.force_login(cast.oscar)
    response = client.post(
        reverse("patients:patient_invite", args=[joan_case.id]), {"channel": "email"}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        patient_invite(case=joan_case, by=cast.oscar, channel="email")
    assert not Invitation.objects.exists()


def test_a_patient_with_an_account_is_not_invited_again(cast):
    with pytest.raises(ValidationError):
        patient_invite(case=cast.paul_case, by=cast.nadia, channel="email")


def test_a_new_invitation_withdraws_the_old_link(cast, joan_case):
    first, _ = patient_invite(case=joan_case, by=cast.nadia, channel="email")
    patient_invite(case=joan_case, by=cast.nadia, channel="sms")
    first.invitation.refresh_from_db()
    assert first.invitation.status == Invitation.Status.REVOKED


def test_the_right_date_of_birth_links_the_account_to_the_patient_once(client, cast, joan_case):
    patient_invitation, link = patient_invite(case=joan_case, by=cast.nadia, channel="email")

    response = client.post(link, dob(BIRTHDAY))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    joan = joan_case.patient
    joan.refresh_from_db()
    assert joan.user is not None
    assert (joan.user.full_name, joan.user.email, joan.user.role) == (
        "Joan Baker",
        "joan@example.test",
        Role.PATIENT,
    )
    # The same link again: used, so it says so and links nothing.
    client.logout()
    again = client.post(link, dob(BIRTHDAY))
    assert again.status_code == 410
    with pytest.raises(ValidationError):
        patient_invitation_accept(patient_invitation=patient_invitation, date_of_birth=BIRTHDAY)


def test_a_wrong_date_of_birth_is_refused_counted_and_keeps_what_was_typed(client, cast, joan_case):
    patient_invitation, link = patient_invite(case=joan_case, by=cast.nadia, channel="email")

    response = client.post(link, dob(dt.date(1950, 1, 1)))

    html = response.content.decode()
    assert response.status_code == 200
    assert "does not match our record" in html and "2 more tries" in html
    assert 'value="1950"' in html
    patient_invitation.refresh_from_db()
    assert patient_invitation.failed_checks == 1
    joan = joan_case.patient
    joan.refresh_from_db()
    assert joan.user is None
    assert AuditEvent.objects.filter(
        object_id=str(patient_invitation.pk), summary__contains="wrong date of birth"
    ).exists()


def test_too_many_wrong_dates_lock_the_invitation_and_tell_the_navigator(client, cast, joan_case):
    patient_invitation, link = patient_invite(case=joan_case, by=cast.nadia, channel="email")
    for _ in range(PATIENT_INVITATION_MAX_CHECKS - 1):
        client.post(link, dob(dt.date(1950, 1, 1)))

    locked = client.post(link, dob(dt.date(1950, 1, 1)))

    assert locked.status_code == 410 and b"This invitation is locked" in locked.content
    # Even the right date now opens nothing.
    assert client.post(link, dob(BIRTHDAY)).status_code == 410
    joan = joan_case.patient
    joan.refresh_from_db()
    assert joan.user is None
    assert AuditEvent.objects.filter(
        object_id=str(patient_invitation.pk), summary__startswith="Invitation locked"
    ).exists()
    told = OutboundMessage.objects.get(kind="invitation_locked")
    assert (told.channel, told.to_address) == ("email", "nadia@nav.test")
    assert (
        "Joan" not in told.body
        and reverse("patients:patient_invite", args=[joan_case.id]) in told.body
    )
    client.force_login(cast.nadia)
    page = client.get(reverse("patients:patient_invite", args=[joan_case.id])).content.decode()
    assert "Locked on" in page and "3 wrong dates of birth" in page


def test_an_invitation_opens_only_its_own_patients_record(cast, joan_case):
    other = f.make_patient(
        given="Ann", family="Other", email="ann@example.test", date_of_birth=BIRTHDAY
    )
    f.make_case(patient=other, team=cast.team, navigator=cast.nadia)
    patient_invitation, _ = patient_invite(case=joan_case, by=cast.nadia, channel="email")

    check = patient_invitation_accept(patient_invitation=patient_invitation, date_of_birth=BIRTHDAY)

    other.refresh_from_db()
    assert check.user is not None and other.user is None
    assert check.user.patient == joan_case.patient


def test_an_unknown_link_is_not_found(client, db):
    assert (
        client.get(reverse("patients:patient_invitation_accept", args=["nope"])).status_code == 404
    )


def test_accepting_a_text_invitation_sends_the_code_by_text(client, cast, joan_case):
    _, link = patient_invite(case=joan_case, by=cast.nadia, channel="sms")

    client.post(link, dob(BIRTHDAY))

    code = OutboundMessage.objects.filter(kind="sign_in_code").get()
    assert (code.channel, code.to_address) == ("sms", "+447700900456")
    words, _ = message_words(code)  # the code is kept only sealed until sent
    assert "Joan" not in words and "Lung" not in words
    typed = re.search(r"code for your cancer support service is (\S+)\.", words).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": typed})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_welsh_reader_is_told_of_a_wrong_date_of_birth_in_welsh(client, cast, joan_case):
    _invitation, link = patient_invite(case=joan_case, by=cast.nadia, channel="email")
    client.cookies["language"] = "cy"

    html = client.post(link, dob(dt.date(1950, 1, 1))).content.decode()
    assert "Dydy&#x27;r dyddiad geni ddim yn cyfateb i&#x27;n cofnod" in html
    assert "mae gennych 2 gynnig arall" in html
    assert "does not match" not in html
    html = client.post(link, dob(dt.date(1950, 1, 1))).content.decode()
    assert "mae gennych 1 cynnig arall" in html
