"""Assessment pages in Welsh: the questions from the data's Welsh, the interface from
careplans.wording, `lang="cy"` on the content, and the choice remembered."""

import pytest

from careplans import services
from careplans.models import Assessment
from careplans.wording import LABELS, labels
from navigator.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def start(client, cast, who="paul") -> Assessment:
    client.force_login(getattr(cast, who))
    response = client.post(f"/cases/{cast.paul_case.pk}/assessments/start/")
    assert response.status_code == 302
    return Assessment.objects.get(case=cast.paul_case)


def url(assessment: Assessment, tail: str) -> str:
    return f"/cases/{assessment.case_id}/assessments/{assessment.pk}/{tail}"


def choose(client, assessment: Assessment, language: str, step: int = 1):
    return client.post(url(assessment, "language/"), {"language": language, "step": step})


def test_paul_chooses_cymraeg_and_the_questions_come_in_welsh(client, cast):
    assessment = start(client, cast)
    english = client.get(url(assessment, "step/1/")).content.decode()
    assert "Your body" in english and '<div lang="en">' in english
    assert '<button class="app-link-button" type="submit" lang="cy">Cymraeg</button>' in english

    response = choose(client, assessment, "cy")
    assert response.status_code == 302 and response["Location"] == url(assessment, "step/1/")
    page = client.get(url(assessment, "step/1/")).content.decode()
    assert '<div lang="cy">' in page
    assert "<title>Eich corff – Cam 1 o 7" in page
    assert "Eich corff</h1>" in page and ">Poen</label>" in page
    assert "Faint mae hyn yn eich poeni, o 0 i 10?" in page
    assert "Mae hyn yn bwysicaf i mi" in page
    assert "Cadw a pharhau" in page and "Cadw a dod yn ôl yn nes ymlaen" in page
    assert '<button class="app-link-button" type="submit" lang="en">English</button>' in page

    assessment.refresh_from_db()
    cast.paul_patient.refresh_from_db()
    assert assessment.language == "cy"
    assert cast.paul_patient.language == "cy"  # remembered: his next one starts in Welsh
    assert AuditEvent.objects.filter(
        object_id=str(assessment.pk), summary="Assessment shown in Welsh (Cymraeg)"
    ).exists()


def test_a_mistake_is_explained_in_welsh_and_kept(client, cast):
    assessment = start(client, cast)
    choose(client, assessment, "cy")
    response = client.post(url(assessment, "step/1/"), {"c-pain": "yes", "r-pain": "12"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mae yna broblem" in page
    assert "Rhaid i faint mae “Poen” yn eich poeni fod yn rhif o 0 i 10" in page
    assert 'id="r-pain" name="r-pain" type="text" inputmode="numeric" value="12"' in page
    response = client.post(url(assessment, "step/1/"), {"c-pain": "yes", "r-pain": ""})
    assert "Dewiswch faint mae “Poen” yn eich poeni, o 0 i 10" in response.content.decode()


def test_the_whole_assessment_can_be_done_in_welsh(client, cast):
    cast.paul_patient.language = "cy"
    cast.paul_patient.save()
    assessment = start(client, cast)
    assert assessment.language == "cy"  # from his preference, without choosing again
    client.post(url(assessment, "step/1/"), {"c-pain": "yes", "r-pain": "5", "p-pain": "yes"})
    wellbeing = client.get(url(assessment, "step/7/")).content.decode()
    assert "Pa mor ofidus ydych chi wedi teimlo yn ystod yr wythnos ddiwethaf?" in wellbeing
    response = client.post(url(assessment, "step/7/"), {"distress_score": "11"})
    assert "Rhaid i&#x27;ch sgôr gofid fod yn rhif o 0 i 10" in response.content.decode()
    client.post(url(assessment, "step/7/"), {"distress_score": "3", "anything_else": ""})

    check = client.get(url(assessment, "check/")).content.decode()
    assert "Gwiriwch eich atebion" in check
    assert "Poen" in check and "5 allan o 10" in check and "Pwysicaf" in check
    assert "Anfon fy atebion" in check
    assert client.post(url(assessment, "check/")).status_code == 302
    answer = assessment.answers.get(concern__code="pain")
    assert (answer.rating, answer.is_priority) == (5, True)

    sent = client.get(url(assessment, "check/")).content.decode()
    assert "Eich atebion" in sent and "Anfonwyd" in sent
    # A sent assessment stays as it was answered: no assessment switch (the header's English /
    # Cymraeg switch changes the person's pages, not the assessment).
    assert 'class="app-link-button"' not in sent
    client.force_login(cast.nadia)
    assert "Your answers" in client.get(url(assessment, "check/")).content.decode()


def test_staff_switching_changes_the_assessment_not_the_patients_preference(client, cast):
    assessment = start(client, cast, who="nadia")
    choose(client, assessment, "cy", step=2)
    assessment.refresh_from_db()
    cast.paul_patient.refresh_from_db()
    assert assessment.language == "cy" and cast.paul_patient.language == "en"


def test_a_sent_assessment_keeps_its_language(client, cast):
    assessment = start(client, cast)
    services.assessment_save_wellbeing(
        assessment=assessment, distress_score=2, anything_else="", actor=cast.paul
    )
    services.assessment_submit(assessment=assessment, actor=cast.paul)
    assert choose(client, assessment, "cy").status_code == 302
    assessment.refresh_from_db()
    assert assessment.language == "en"


@pytest.mark.parametrize("who", ["olive", "oscar"])
def test_others_cannot_change_the_language(client, cast, who):
    assessment = start(client, cast)
    client.force_login(getattr(cast, who))
    assert choose(client, assessment, "cy").status_code == 404
    assessment.refresh_from_db()
    assert assessment.language == "en"


def test_every_interface_word_has_its_welsh():
    """The words come from the gettext catalogue (tests/test_translations.py checks it is
    complete); here, that the assessment pages really get the Welsh of each one."""
    english, welsh = labels("en"), labels("cy")
    assert english.keys() == welsh.keys() == {*LABELS, "switch", "switch_to"}
    assert [key for key in LABELS if welsh[key] == english[key]] == []
