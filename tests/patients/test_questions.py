"""Questions for the next appointment: kept by the patient or a carer acting for them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from navigator.audit.models import AuditEvent
from patients.models import AppointmentQuestion, CarerAccess
from patients.services import appointment_question_add, suggested_questions

pytestmark = pytest.mark.django_db


def url(case, name="questions", *args):
    return reverse(f"patients:{name}", args=[case.id, *args])


def test_patient_adds_a_question_and_sees_it_on_home(client, cast):
    client.force_login(cast.paul)

    response = client.post(url(cast.paul_case), {"text": "  Can   I still drive?  "})

    assert response.status_code == 302
    question = AppointmentQuestion.objects.get()
    assert (question.text, question.created_by, question.case) == (
        "Can I still drive?",
        cast.paul,
        cast.paul_case,
    )
    assert AuditEvent.objects.filter(
        actor=cast.paul, action="create", object_type="patients.appointmentquestion"
    ).exists()
    home = client.get(reverse("home")).content.decode()
    assert "Your questions for your next appointment" in home and "Can I still drive?" in home


def test_suggested_questions_are_offered_and_added_as_written(client, cast):
    suggestions = suggested_questions()
    client.force_login(cast.paul)
    page = client.get(url(cast.paul_case)).content.decode()
    for suggestion in suggestions:
        assert suggestion.replace("'", "&#x27;") in page

    client.post(url(cast.paul_case, "question_suggested_add"), {"text": suggestions[0]})
    client.post(url(cast.paul_case, "question_suggested_add"), {"text": "Not a suggestion"})

    assert list(AppointmentQuestion.objects.values_list("text", flat=True)) == [suggestions[0]]
    page = client.get(url(cast.paul_case)).content.decode()
    # Once on the list it is no longer offered as a suggestion.
    assert f'name="text" value="{suggestions[0]}"' not in page
    assert f'name="text" value="{suggestions[1]}"' in page
    assert f'<p class="app-question__text">{suggestions[0]}</p>' in page


def test_a_welsh_reader_is_offered_welsh_suggestions_and_keeps_one_in_welsh(client, cast):
    cast.paul.language = "cy"
    cast.paul.save()
    welsh = "Ydw i'n cael dod â rhywun gyda fi i fy apwyntiadau?"
    client.force_login(cast.paul)
    page = client.get(url(cast.paul_case)).content.decode()
    assert welsh.replace("'", "&#x27;") in page
    assert "Can I bring someone with me" not in page

    client.post(url(cast.paul_case, "question_suggested_add"), {"text": welsh})
    # The English wording is not a suggestion to a Welsh reader: nothing more is added.
    client.post(
        url(cast.paul_case, "question_suggested_add"),
        {"text": "Can I bring someone with me to my appointments?"},
    )
    assert list(AppointmentQuestion.objects.values_list("text", flat=True)) == [welsh]
    page = client.get(url(cast.paul_case)).content.decode()
    assert "Mae&#x27;r cwestiwn wedi&#x27;i ychwanegu." in page


def test_edit_tick_off_untick_and_delete(client, cast):
    question = appointment_question_add(case=cast.paul_case, by=cast.paul, text="Old words")
    client.force_login(cast.paul)

    client.post(url(cast.paul_case, "question_edit", question.id), {"text": "New words"})
    question.refresh_from_db()
    assert question.text == "New words"

    client.post(url(cast.paul_case, "question_asked", question.id), {"asked": "yes"})
    question.refresh_from_db()
    assert question.is_asked
    page = client.get(url(cast.paul_case)).content.decode()
    assert "Already asked" in page
    assert "New words" not in client.get(reverse("home")).content.decode()

    client.post(url(cast.paul_case, "question_asked", question.id), {"asked": "no"})
    question.refresh_from_db()
    assert not question.is_asked

    client.post(url(cast.paul_case, "question_delete", question.id))
    assert not AppointmentQuestion.objects.exists()
    actions = set(
        AuditEvent.objects.filter(object_type="patients.appointmentquestion").values_list(
            "action", flat=True
        )
    )
    assert actions == {"create", "update", "delete"}


def test_an_error_keeps_what_was_typed(client, cast):
    client.force_login(cast.paul)
    long_text = "Why " + "x" * 600
    html = client.post(url(cast.paul_case), {"text": long_text}).content.decode()
    assert "There is a problem" in html and "500 characters or fewer" in html
    assert long_text in html
    question = appointment_question_add(case=cast.paul_case, by=cast.paul, text="Fine")
    html = client.post(url(cast.paul_case, "question_edit", question.id), {"text": " "}).content
    assert b"Enter your question" in html
    with pytest.raises(ValidationError):
        appointment_question_add(case=cast.paul_case, by=cast.paul, text="")


def test_staff_on_the_case_read_but_do_not_change(client, cast):
    appointment_question_add(case=cast.paul_case, by=cast.paul, text="Can I still drive?")
    client.force_login(cast.nadia)
    page = client.get(url(cast.paul_case))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Can I still drive?" in html and 'name="text"' not in html
    assert client.post(url(cast.paul_case), {"text": "Staff question"}).status_code == 404
    case_page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert url(cast.paul_case).encode() in case_page.content


def test_read_only_carer_reads_but_cannot_change(client, cast):
    question = appointment_question_add(case=cast.paul_case, by=cast.paul, text="Drive?")
    client.force_login(cast.carol)
    html = client.get(url(cast.paul_case)).content.decode()
    assert "Drive?" in html and 'name="text"' not in html
    assert "You are viewing Paul Jones" in html
    assert client.post(url(cast.paul_case), {"text": "x"}).status_code == 404
    assert client.get(url(cast.paul_case, "question_edit", question.id)).status_code == 404
    assert client.post(url(cast.paul_case, "question_delete", question.id)).status_code == 404
    assert client.post(url(cast.paul_case, "question_asked", question.id)).status_code == 404
    assert AppointmentQuestion.objects.get().text == "Drive?"


def test_carer_acting_for_the_patient_keeps_the_list(client, cast):
    cast.carol_grant.level = CarerAccess.Level.ACT
    cast.carol_grant.save()
    client.force_login(cast.carol)
    client.post(url(cast.paul_case), {"text": "Paul wants to ask about pain"})
    assert AppointmentQuestion.objects.get().created_by == cast.carol


@pytest.mark.parametrize("who", ["olive", "oscar", "adam"])
def test_people_outside_the_case_get_404(client, cast, who):
    question = appointment_question_add(case=cast.paul_case, by=cast.paul, text="Private")
    client.force_login(getattr(cast, who))
    assert client.get(url(cast.paul_case)).status_code == 404
    assert client.post(url(cast.paul_case), {"text": "x"}).status_code == 404
    assert client.post(url(cast.paul_case, "question_delete", question.id)).status_code == 404
    assert AppointmentQuestion.objects.count() == 1


def test_a_question_from_another_case_is_404_even_on_your_own_case(client, cast):
    olives = appointment_question_add(case=cast.olive_case, by=cast.olive, text="Olive's")
    client.force_login(cast.paul)
    assert client.post(url(cast.paul_case, "question_delete", olives.id)).status_code == 404
    assert client.get(url(cast.paul_case, "question_edit", olives.id)).status_code == 404
    assert AppointmentQuestion.objects.filter(pk=olives.pk).exists()


def test_revoked_carer_loses_the_questions_on_the_next_request(client, cast):
    client.force_login(cast.carol)
    assert client.get(url(cast.paul_case)).status_code == 200
    cast.carol_grant.revoked_at = cast.carol_grant.granted_at
    cast.carol_grant.save()
    assert client.get(url(cast.paul_case)).status_code == 404


def test_every_view_of_the_list_is_audited(client, cast):
    client.force_login(cast.nadia)
    client.get(url(cast.paul_case))
    assert AuditEvent.objects.filter(
        actor=cast.nadia,
        action="view",
        summary="Looked at the questions for the next appointment",
        patient_id=cast.paul_patient.pk,
    ).exists()


def test_empty_list_says_so(client, cast):
    client.force_login(cast.paul)
    assert b"There are no questions on your list yet." in client.get(url(cast.paul_case)).content
