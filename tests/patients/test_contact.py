"""Changing contact details and preferences: who may, and never over someone else's change."""

import pytest
from django.urls import reverse

from navigator.audit.models import AuditEvent
from patients.models import CarerAccess
from patients.services import CommunicationNeeds, patient_contact_update

pytestmark = pytest.mark.django_db


def contact_form(version: int, **overrides: str) -> dict[str, str]:
    data = {
        "version": str(version),
        "phone": "07700 900 777",
        "email": "paul.new@example.test",
        "address": "2 Mill Lane\nNorthtown",
        "postcode": "ls1 4ap",
        "preferred_channel": "email",
        "language": "en",
        "needs_large_print": "on",
    }
    data.update(overrides)
    return data


def url(case):
    return reverse("patients:contact_edit", args=[case.id])


def test_patient_corrects_their_own_details(client, cast):
    client.force_login(cast.paul)
    page = client.get(url(cast.paul_case)).content.decode()
    assert "Your contact details" in page and 'name="version" value="1"' in page

    response = client.post(url(cast.paul_case), contact_form(1))

    assert response["Location"] == f"{reverse('home')}?case={cast.paul_case.id}"
    patient = cast.paul_patient
    patient.refresh_from_db()
    assert (patient.phone, patient.postcode, patient.preferred_channel) == (
        "+447700900777",
        "LS1 4AP",
        "email",
    )
    assert patient.needs_large_print and patient.version == 2
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UPDATE, actor=cast.paul, object_type="patients.patient"
    ).exists()


def test_a_stale_form_is_refused_and_keeps_what_was_typed(client, cast):
    client.force_login(cast.nadia)
    client.get(url(cast.paul_case))  # Nadia opens the form at version 1
    patient_contact_update(  # meanwhile Paul changes his email
        patient=cast.paul_patient,
        by=cast.paul,
        expected_version=1,
        phone="+447700900123",
        email="paul.own@example.test",
        address="",
        postcode="",
        preferred_channel="sms",
        language="en",
        communication_needs=CommunicationNeeds(),
    )

    response = client.post(url(cast.paul_case), contact_form(1, email="nadia.typed@example.test"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed these details after you opened this page" in html
    assert 'value="nadia.typed@example.test"' in html  # what Nadia typed
    assert "paul.own@example.test" in html  # what is saved now
    assert 'name="version" value="2"' in html
    cast.paul_patient.refresh_from_db()
    assert cast.paul_patient.email == "paul.own@example.test"

    # Having seen both, saving again is her deliberate choice.
    client.post(url(cast.paul_case), contact_form(2, email="nadia.typed@example.test"))
    cast.paul_patient.refresh_from_db()
    assert cast.paul_patient.email == "nadia.typed@example.test"
    assert cast.paul_patient.version == 3


def test_invalid_details_are_explained_and_kept(client, cast):
    client.force_login(cast.paul)
    html = client.post(
        url(cast.paul_case),
        contact_form(1, phone="0113 496 0000", preferred_channel="sms", postcode="XYZ"),
    ).content.decode()
    assert '<a href="#id_phone">Text messages need a mobile number' in html
    assert '<a href="#id_postcode">Enter a full UK postcode' in html
    assert 'value="XYZ"' in html and 'value="0113 496 0000"' in html
    html = client.post(
        url(cast.paul_case), contact_form(1, needs_interpreter="on", interpreter_language="")
    ).content.decode()
    assert '<a href="#id_interpreter_language">Enter the language the interpreter' in html
    cast.paul_patient.refresh_from_db()
    assert cast.paul_patient.version == 1


def test_a_carer_who_may_act_can_change_details(client, cast):
    cast.carol_grant.level = CarerAccess.Level.ACT
    cast.carol_grant.save()
    client.force_login(cast.carol)
    assert client.post(url(cast.paul_case), contact_form(1)).status_code == 302
    cast.paul_patient.refresh_from_db()
    assert cast.paul_patient.email == "paul.new@example.test"


@pytest.mark.parametrize("who", ["carol", "oscar", "olive", "adam"])
def test_others_get_404_and_change_nothing(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(url(cast.paul_case)).status_code == 404
    assert client.post(url(cast.paul_case), contact_form(1)).status_code == 404
    cast.paul_patient.refresh_from_db()
    assert cast.paul_patient.version == 1


def test_staff_on_the_case_may_change_details(client, cast):
    client.force_login(cast.colin)
    response = client.post(url(cast.paul_case), contact_form(1))
    assert response["Location"] == reverse("caseload:case_detail", args=[cast.paul_case.id])
