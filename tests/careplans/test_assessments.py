import pytest
from django.core.exceptions import ValidationError

from careplans import services
from careplans.models import Answer, Assessment, Concern
from careplans.services import AnswerInput
from navigator.audit.models import AuditEvent
from tests.careplans.conftest import answer, hna

pytestmark = pytest.mark.django_db


def test_the_checklist_has_six_domains_with_welsh_alongside():
    questionnaire = hna()
    domains = list(questionnaire.domains.all())
    assert [d.code for d in domains] == [
        "physical",
        "emotional",
        "practical",
        "family",
        "spiritual",
        "lifestyle",
    ]
    for domain in domains:
        concerns = list(domain.concerns.all())
        assert 6 <= len(concerns) <= 10, domain.code
        assert domain.title_cy
        assert all(c.text_cy and c.suggested_goal for c in concerns), domain.code


def test_ratings_outside_0_to_10_are_refused_with_a_specific_message(cast):
    assessment = services.assessment_start(
        case=cast.paul_case, actor=cast.paul, completed_by=Assessment.CompletedBy.PATIENT
    )
    domain = assessment.questionnaire.domains.get(code="practical")
    money = domain.concerns.get(code="money")
    with pytest.raises(ValidationError) as refused:
        services.assessment_save_domain(
            assessment=assessment,
            domain=domain,
            answers={money.pk: AnswerInput(selected=True, rating=11)},
            actor=cast.paul,
        )
    assert refused.value.message_dict == {
        "money": ["How much “Money or paying bills” bothers you must be a number from 0 to 10"]
    }
    with pytest.raises(ValidationError):
        services.assessment_save_wellbeing(
            assessment=assessment, distress_score=-1, anything_else="", actor=cast.paul
        )
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_answers_are_saved_and_can_be_changed_until_sent(cast):
    assessment = services.assessment_start(
        case=cast.paul_case, actor=cast.paul, completed_by=Assessment.CompletedBy.PATIENT
    )
    answer(assessment, {"money": 6, "pain": 3})
    answer(assessment, {"money": 2})  # changed their mind: pain no longer applies
    chosen = {a.concern.code: a.rating for a in assessment.answers.filter(selected=True)}
    assert chosen == {"money": 2}
    services.assessment_save_wellbeing(
        assessment=assessment, distress_score=2, anything_else="", actor=cast.paul
    )
    services.assessment_submit(assessment=assessment, actor=cast.paul)
    with pytest.raises(ValidationError):
        answer(assessment, {"money": 5})
    assert AuditEvent.objects.filter(
        object_type="careplans.assessment", object_id=str(assessment.pk)
    ).exists()


def test_sending_needs_a_distress_score(cast):
    assessment = services.assessment_start(
        case=cast.paul_case, actor=cast.paul, completed_by=Assessment.CompletedBy.PATIENT
    )
    with pytest.raises(ValidationError):
        services.assessment_submit(assessment=assessment, actor=cast.paul)


def test_a_definition_edited_midway_leaves_the_patients_version_alone(cast):
    assessment = services.assessment_start(
        case=cast.paul_case, actor=cast.paul, completed_by=Assessment.CompletedBy.PATIENT
    )
    answer(assessment, {"money": 6})
    v1 = assessment.questionnaire

    v2 = services.questionnaire_revise(questionnaire=v1)
    money_v2 = Concern.objects.get(domain__questionnaire=v2, code="money")
    money_v2.text = "Paying for things"
    money_v2.save()
    services.questionnaire_publish(questionnaire=v2)

    assessment.refresh_from_db()
    assert assessment.questionnaire == v1
    assert v2.version == v1.version + 1
    answer(assessment, {"money": 7, "pain": 2})  # carries on against version 1
    money = assessment.answers.get(concern__code="money")
    assert money.concern.text == "Money or paying bills"
    assert money.rating == 7

    later = services.assessment_start(
        case=cast.paul_case, actor=cast.paul, completed_by=Assessment.CompletedBy.PATIENT
    )
    assert later.questionnaire == v2
    assert later.questionnaire.domains.get(code="practical").concerns.get(code="money").text == (
        "Paying for things"
    )
