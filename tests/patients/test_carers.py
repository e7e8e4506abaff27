"""Carers: the patient invites, the carer accepts, the patient revokes, and access ends at once."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from navigator.accounts.models import Invitation, Role, User
from navigator.accounts.services import invitation_create
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import message_words
from patients.models import CarerAccess, CarerInvitation
from patients.services import carer_invitation_accept, carer_invite
from tests import factories as f

pytestmark = pytest.mark.django_db


def url(case, name="carers"):
    return reverse(f"patients:{name}", args=[case.id])


def invite(cast, **overrides):
    args = {
        "patient": cast.paul_patient,
        "by": cast.paul,
        "carer_name": "Dev Patel",
        "email": "dev@example.test",
        "phone": "",
        "level": CarerAccess.Level.READ,
    }
    return carer_invite(**{**args, **overrides})


def token_of(link):
    return re.search(r"/carer-invitation/([^/]+)/", link).group(1)


def test_patient_invites_by_email_and_the_email_says_nothing_about_them(client, cast):
    client.force_login(cast.paul)

    response = client.post(
        url(cast.paul_case, "carer_invite"),
        {"carer_name": "Dev Patel", "email": "Dev@Example.test", "phone": "", "level": "act"},
    )

    assert response.status_code == 302
    carer_invitation = CarerInvitation.objects.get()
    assert (carer_invitation.patient, carer_invitation.level) == (cast.paul_patient, "act")
    invitation = carer_invitation.invitation
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "dev@example.test",
        Role.CARER,
        cast.paul,
    )
    sent = OutboundMessage.objects.get()
    assert sent.channel == "email" and sent.to_address == "dev@example.test"
    text = f"{sent.subject} {' '.join(message_words(sent))}"
    assert "Paul" not in text and "Lung" not in text and "/cases/carer-invitation/" in text
    page = client.get(url(cast.paul_case)).content.decode()
    assert "Dev Patel" in page and "Invitations not yet accepted" in page
    assert AuditEvent.objects.filter(
        actor=cast.paul, object_type="patients.carerinvitation", action="create"
    ).exists()


def test_patient_invites_by_text_message(cast):
    carer_invitation, link = invite(cast, email="", phone="07700 900 456")
    sent = OutboundMessage.objects.get()
    assert (sent.channel, sent.to_address) == ("sms", "+447700900456")
    words, _ = message_words(sent)
    assert words.endswith(link) and len(words) <= 160
    assert link not in sent.body  # kept only sealed until sent


def test_invite_form_errors_keep_what_was_typed(client, cast):
    client.force_login(cast.paul)
    html = client.post(
        url(cast.paul_case, "carer_invite"),
        {"carer_name": "Dev Patel", "email": "not-an-email", "phone": "123", "level": ""},
    ).content.decode()
    assert "There is a problem" in html
    assert "Choose what they can do" in html
    assert 'value="Dev Patel"' in html and 'value="not-an-email"' in html
    assert not CarerInvitation.objects.exists()
    with pytest.raises(ValidationError) as error:
        invite(cast, email="", phone="", carer_name=" ", level="everything")
    assert set(error.value.message_dict) == {"carer_name", "email", "level"}


def test_only_the_patient_manages_carers(client, cast):
    cast.carol_grant.level = CarerAccess.Level.ACT
    cast.carol_grant.save()
    for who in ("carol", "nadia", "olive", "oscar", "adam"):
        client.force_login(getattr(cast, who))
        assert client.get(url(cast.paul_case)).status_code == 404, who
        assert client.post(url(cast.paul_case, "carer_invite"), {}).status_code == 404, who
        assert (
            client.post(
                url(cast.paul_case, "carer_revoke"), {"grant": str(cast.carol_grant.pk)}
            ).status_code
            == 404
        ), who
    with pytest.raises(PermissionDenied):
        invite(cast, by=cast.carol)
    cast.carol_grant.refresh_from_db()
    assert cast.carol_grant.revoked_at is None


def test_new_carer_accepts_and_gets_the_chosen_access(client, cast):
    _, link = invite(cast, level=CarerAccess.Level.ACT)

    page = client.get(link)
    assert page.status_code == 200 and b"Help Paul Jones with their care" in page.content
    response = client.post(link, {"full_name": "Dev Patel"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    dev = User.objects.get(email="dev@example.test")
    assert dev.role == Role.CARER and dev.full_name == "Dev Patel"
    grant = CarerAccess.objects.get(carer=dev)
    assert (grant.patient, grant.level, grant.revoked_at) == (cast.paul_patient, "act", None)
    assert dev.has_perm("patients.act_for_patient", cast.paul_case)
    assert Invitation.objects.get().accepted_by == dev
    # The link works once.
    assert client.get(link).status_code == 410


def test_invited_by_text_the_carer_gives_an_email_for_sign_in_codes(client, cast):
    _, link = invite(cast, email="", phone="07700 900 456")
    html = client.post(link, {"full_name": "Dev Patel", "email": "bad"}).content.decode()
    assert "Enter an email address in the right format" in html and 'value="Dev Patel"' in html
    client.post(link, {"full_name": "Dev Patel", "email": "dev@example.test"})
    dev = User.objects.get(email="dev@example.test")
    assert dev.phone == "+447700900456"
    assert CarerAccess.objects.filter(carer=dev, level="read").exists()


def test_someone_signed_in_accepts_with_one_button(client, cast):
    dana = f.make_user("dana@example.test", role=Role.CARER, name="Dana Lee")
    _, link = invite(cast, email="dana@example.test")
    client.force_login(dana)

    page = client.get(link)
    assert b"You are signed in as" in page.content
    response = client.post(link)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('home')}?case={cast.paul_case.pk}"
    assert dana.has_perm("patients.view_case", cast.paul_case)
    assert not dana.has_perm("patients.act_for_patient", cast.paul_case)


def test_an_existing_account_signed_out_is_asked_to_sign_in_first(client, cast):
    f.make_user("dana@example.test", role=Role.CARER, name="Dana Lee")
    _, link = invite(cast, email="dana@example.test")
    response = client.get(link)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_and_the_patient_cannot_accept(cast):
    carer_invitation, _ = invite(cast)
    with pytest.raises(ValidationError):
        carer_invitation_accept(carer_invitation=carer_invitation, user=cast.nadia)
    with pytest.raises(ValidationError):
        carer_invitation_accept(carer_invitation=carer_invitation, user=cast.paul)
    assert not CarerAccess.objects.exclude(pk=cast.carol_grant.pk).exists()


def test_withdrawn_and_unknown_links(client, cast):
    carer_invitation, link = invite(cast)
    client.force_login(cast.paul)
    client.post(
        url(cast.paul_case, "carer_invitation_withdraw"), {"invitation": str(carer_invitation.pk)}
    )
    client.logout()
    assert client.get(link).status_code == 410
    assert client.get(link.replace(token_of(link), "nope")).status_code == 404


def test_a_staff_invitation_token_is_not_a_carer_invitation(client, cast):
    _, staff_link = invitation_create(
        invited_by=cast.nadia, email="new@example.test", phone="", role=Role.PATIENT, team=None
    )
    token = staff_link.rstrip("/").rsplit("/", 1)[-1]
    assert client.get(reverse("patients:carer_invitation_accept", args=[token])).status_code == 404


def test_revocation_takes_effect_on_the_carers_next_request(client, cast):
    """The carer's session stays open; the very next request is refused."""
    client.force_login(cast.carol)
    assert client.get(f"{reverse('home')}?case={cast.paul_case.pk}").status_code == 200
    assert client.get(reverse("patients:messages", args=[cast.paul_case.id])).status_code == 200

    patient_client = type(client)()
    patient_client.force_login(cast.paul)
    page = patient_client.get(url(cast.paul_case)).content.decode()
    assert "Carol Jones" in page
    response = patient_client.post(
        url(cast.paul_case, "carer_revoke"), {"grant": str(cast.carol_grant.pk)}
    )
    assert response.status_code == 302

    # Home shows nothing of the record, only that access was withdrawn (tests/caseload).
    home = client.get(f"{reverse('home')}?case={cast.paul_case.pk}").content.decode()
    assert "record was withdrawn on" in home and "What happens next" not in home
    assert client.get(reverse("patients:messages", args=[cast.paul_case.id])).status_code == 404
    assert client.get(reverse("patients:questions", args=[cast.paul_case.id])).status_code == 404
    assert client.get(reverse("api-case-detail", args=[cast.paul_case.id])).status_code == 404
    assert AuditEvent.objects.filter(
        actor=cast.paul, object_type="patients.careraccess", action="update"
    ).exists()
    assert (
        "You have not given anyone access"
        in patient_client.get(url(cast.paul_case)).content.decode()
    )


def test_a_grant_of_another_patient_cannot_be_revoked_through_my_case(client, cast):
    other = CarerAccess.objects.create(patient=cast.olive_patient, carer=cast.carol)
    client.force_login(cast.paul)
    response = client.post(url(cast.paul_case, "carer_revoke"), {"grant": str(other.pk)})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert client.post(url(cast.paul_case, "carer_revoke"), {"grant": "x"}).status_code == 404


def test_the_patients_home_links_to_the_carers_page_but_a_carers_does_not(client, cast):
    client.force_login(cast.paul)
    assert url(cast.paul_case).encode() in client.get(reverse("home")).content
    client.force_login(cast.carol)
    assert url(cast.paul_case).encode() not in client.get(reverse("home")).content


def test_the_carer_pages_are_audited(client, cast):
    client.force_login(cast.paul)
    client.get(url(cast.paul_case))
    client.get(url(cast.paul_case, "carer_invite"))
    summaries = set(
        AuditEvent.objects.filter(actor=cast.paul, patient_id=cast.paul_patient.pk).values_list(
            "summary", flat=True
        )
    )
    assert {"Looked at who can see the record", "Opened the carer invitation form"} <= summaries


def test_a_carer_invited_by_text_with_no_email_signs_in_by_text(client, cast):
    carer_invitation, link = invite(cast, email="", phone="07700 900 321")

    response = client.post(link, {"full_name": "Dev Patel", "email": ""})

    assert response["Location"] == reverse("account_confirm_login_code")
    dev = User.objects.get(phone="+447700900321")
    assert (dev.email, dev.role, dev.full_name) == ("", Role.CARER, "Dev Patel")
    assert CarerAccess.objects.filter(carer=dev, patient=cast.paul_patient).exists()
    code = OutboundMessage.objects.get(kind="sign_in_code")
    assert (code.channel, code.to_address) == ("sms", "+447700900321")
    words, _ = message_words(code)  # the code is kept only sealed until sent
    assert "Paul" not in words
    typed = re.search(r"service is (\S+)\.", words).group(1)
    client.post(reverse("account_confirm_login_code"), {"code": typed})
    assert client.session["_auth_user_id"] == str(dev.pk)
