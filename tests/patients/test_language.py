"""The person's language wins: a signed-in patient or carer reads their pages, texts, emails
and printed plan in the language on their record; the English / Cymraeg switch in the header
changes it (and is saved when signed in); staff pages stay English."""

import pytest
from django.urls import reverse

from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from patients.models import CaseMessage

HOME = "/"
SWITCH = reverse("patients:language_switch")


def welsh(cast):
    cast.paul_patient.language = "cy"
    cast.paul_patient.save()
    cast.paul.language = "cy"
    cast.paul.save()


def test_a_welsh_patient_gets_their_pages_in_welsh(client, cast):
    welsh(cast)
    client.force_login(cast.paul)
    page = client.get(f"{HOME}?case={cast.paul_case.pk}").content.decode()
    assert '<html lang="cy">' in page
    assert "Beth sy'n digwydd nesaf" in page and "Eich llywiwr" in page
    assert "What happens next" not in page
    # The switch offers English, in English.
    assert 'value="en" lang="en">English</button>' in page


def test_an_english_patient_gets_english_and_the_switch_offers_cymraeg(client, cast):
    client.force_login(cast.paul)
    page = client.get(f"{HOME}?case={cast.paul_case.pk}").content.decode()
    assert '<html lang="en-gb">' in page and "What happens next" in page
    assert 'value="cy" lang="cy">Cymraeg</button>' in page


def test_the_switch_saves_the_patients_preference_on_their_record(client, cast):
    client.force_login(cast.paul)
    back = f"/?case={cast.paul_case.pk}"
    response = client.post(SWITCH, {"language": "cy", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    cast.paul_patient.refresh_from_db()
    cast.paul.refresh_from_db()
    assert (cast.paul_patient.language, cast.paul.language) == ("cy", "cy")
    assert AuditEvent.objects.filter(
        patient_id=cast.paul_patient.pk, summary="Changed the preferred language to Welsh (Cymraeg)"
    ).exists()
    assert '<html lang="cy">' in client.get(back).content.decode()
    # Their messages follow: a new message from the team is announced in Welsh.
    client.force_login(cast.nadia)
    client.post(reverse("patients:messages", args=[cast.paul_case.pk]), {"body": "Hello"})
    message = CaseMessage.objects.get()
    text = OutboundMessage.objects.get(
        idempotency_key=f"case-message:{message.pk}:patient-{cast.paul_patient.pk}"
    )
    assert text.language == "cy"
    assert text.body.startswith("Mae gennych neges newydd gan eich gwasanaeth cymorth canser: ")


def test_changing_the_language_on_the_contact_page_changes_the_pages(client, cast):
    client.force_login(cast.paul)
    url = reverse("patients:contact_edit", args=[cast.paul_case.pk])
    form = {
        "phone": "07700 900123",
        "email": cast.paul_patient.email,
        "address": "",
        "postcode": "",
        "preferred_channel": "sms",
        "language": "cy",
        "version": cast.paul_patient.version,
    }
    assert client.post(url, form).status_code == 302
    cast.paul.refresh_from_db()
    assert cast.paul.language == "cy"
    page = client.get(url).content.decode()
    assert '<html lang="cy">' in page and "Eich manylion cyswllt" in page


def test_a_carer_choosing_cymraeg_keeps_it_on_their_account(client, cast):
    client.force_login(cast.carol)
    client.post(SWITCH, {"language": "cy", "next": "/"})
    cast.carol.refresh_from_db()
    cast.paul_patient.refresh_from_db()
    assert cast.carol.language == "cy" and cast.paul_patient.language == "en"
    page = client.get(f"/?case={cast.paul_case.pk}").content.decode()
    assert '<html lang="cy">' in page and "Beth sy'n digwydd nesaf i Paul" in page


def test_someone_not_signed_in_gets_a_cookie(client):
    response = client.post(SWITCH, {"language": "cy", "next": reverse("account_login")})
    assert response.cookies["language"].value == "cy"
    page = client.get(reverse("account_login")).content.decode()
    assert '<html lang="cy">' in page and "Cleifion a gofalwyr" in page


def test_a_welsh_browser_gets_welsh_sign_in_pages(client):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert '<html lang="cy">' in page


def test_staff_pages_stay_english_without_a_switch(client, cast):
    client.cookies["language"] = "cy"
    client.force_login(cast.nadia)
    page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.pk])).content.decode()
    assert '<html lang="en-gb">' in page
    assert reverse("patients:language_switch") not in page


def test_staff_see_the_patients_preferred_language(client, cast):
    welsh(cast)
    client.force_login(cast.nadia)
    page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.pk])).content.decode()
    assert "Cymraeg" in page


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_the_switch_goes_back_only_to_our_own_pages(client, next_url):
    response = client.post(SWITCH, {"language": "cy", "next": next_url})
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_switch_refuses_other_languages_and_get(client, cast):
    client.force_login(cast.paul)
    assert client.post(SWITCH, {"language": "fr"}).status_code == 400
    assert client.get(SWITCH).status_code == 405
    cast.paul_patient.refresh_from_db()
    assert cast.paul_patient.language == "en"


def test_the_home_page_dates_are_in_welsh(client, cast, settings):
    welsh(cast)
    client.force_login(cast.paul)
    client.force_login(cast.nadia)
    client.post(reverse("patients:messages", args=[cast.paul_case.pk]), {"body": "Hello"})
    client.force_login(cast.paul)
    page = client.get(reverse("patients:messages", args=[cast.paul_case.pk])).content.decode()
    months = (
        "Ionawr Chwefror Mawrth Ebrill Mai Mehefin Gorffennaf Awst Medi Hydref Tachwedd Rhagfyr"
    ).split()
    assert any(month in page for month in months)


def test_a_welsh_carer_is_told_of_new_messages_in_welsh(client, cast):
    cast.carol.language = "cy"
    cast.carol.save()
    client.force_login(cast.nadia)
    client.post(reverse("patients:messages", args=[cast.paul_case.pk]), {"body": "Hello"})
    message = CaseMessage.objects.get()
    to_carol = OutboundMessage.objects.get(
        idempotency_key=f"case-message:{message.pk}:user-{cast.carol.pk}"
    )
    to_paul = OutboundMessage.objects.get(
        idempotency_key=f"case-message:{message.pk}:patient-{cast.paul_patient.pk}"
    )
    assert (to_carol.language, to_paul.language) == ("cy", "en")
    assert to_carol.subject == "Neges newydd gan eich tîm cymorth canser"


def test_a_welsh_patient_gets_message_errors_and_banners_in_welsh(client, cast):
    welsh(cast)
    client.force_login(cast.paul)
    url = reverse("patients:messages", args=[cast.paul_case.pk])
    too_long = client.post(url, {"body": "x" * 5001}).content.decode()
    assert "Rhaid i&#x27;ch neges fod yn 5000 nod neu lai" in too_long
    assert "characters or fewer" not in too_long
    page = client.post(url, {"body": "Diolch"}, follow=True).content.decode()
    assert "Neges wedi&#x27;i hanfon." in page and "Message sent." not in page


def test_service_errors_are_in_the_readers_language(cast):
    """A service's ValidationError is worded when shown, in the language of the page."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from patients.services import case_message_post

    cast.paul_case.status = "closed"
    with pytest.raises(ValidationError) as refused:
        case_message_post(case=cast.paul_case, author=cast.paul, body="y" * 5001)
    with translation.override("cy"):
        welsh_words = refused.value.message_dict["body"]
    with translation.override("en-gb"):
        english_words = refused.value.message_dict["body"]
    assert welsh_words == [
        "Rhaid i'ch neges fod yn 5000 nod neu lai.",
        "Mae'r achos hwn wedi cau, felly does dim modd anfon negeseuon newydd yma.",
    ]
    assert english_words[0] == "Your message must be 5000 characters or fewer."
