"""The paper assessment: a form to print with every question, the thermometer and the version on
it; and Nadia keying a completed one in, on one page, against the version printed."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from careplans import services
from careplans.models import Assessment, CarePlan, CaseFlag, Concern, Questionnaire
from navigator.audit.models import AuditEvent
from tests.careplans.conftest import hna

pytestmark = pytest.mark.django_db


def paper_url(cast, *, key_in: bool = False, query: str = "") -> str:
    url = f"/cases/{cast.paul_case.pk}/assessments/paper/"
    return url + ("key-in/" if key_in else "") + query


def filled(**extra: str) -> dict[str, str]:
    """What a paper form says: money 6, pain 5 (matters most), tiredness 3; distress 8."""
    return {
        "completed_by": "patient",
        "completed_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "r-money": "6",
        "r-pain": "5",
        "p-pain": "yes",
        "r-tiredness": "3",
        "distress_score": "8",
        "anything_else": "Parking at the hospital costs a lot",
        **extra,
    }


# --- The printed form ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["paul", "nadia", "carol"])
def test_the_printed_form_has_every_question_and_the_version(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(paper_url(cast))
    assert response.status_code == 200
    page = response.content.decode()
    questionnaire = hna()
    for domain in questionnaire.domains.prefetch_related("concerns"):
        assert f"<h2>{escape(domain.title)}</h2>" in page
        for concern in domain.concerns.all():
            assert escape(concern.text) in page, concern.code
    concerns = Concern.objects.filter(domain__questionnaire=questionnaire).count()
    # 0 to 10 to circle for each concern and once for the distress thermometer.
    assert page.count("<li>10</li>") == concerns + 1
    assert page.count("Matters most") == concerns
    assert "How distressed have you felt in the past week?" in page
    assert "Which of your concerns matter most?" in page
    assert "Is there anything else you want to tell us?" in page
    assert "NHS number" in page and cast.paul_patient.nhs_number in page
    assert ">Date</dt>" in page and "Paul Jones" in page
    assert page.count(f"Form HNA, version {questionnaire.version}") == 2
    assert "css/paper.css" in page  # the print stylesheet
    assert ("Key in a completed form" in page) == (who == "nadia")


def test_the_printed_form_in_welsh_uses_the_welsh_in_the_data(client, cast):
    client.force_login(cast.paul)
    page = client.get(paper_url(cast, query="?lang=cy")).content.decode()
    assert '<div lang="cy">' in page
    assert "<h2>Eich corff</h2>" in page and "Poen" in page
    assert "Ffurflen HNA, fersiwn 1" in page


@pytest.mark.parametrize("who", ["olive", "oscar"])
def test_others_cannot_open_the_form(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(paper_url(cast)).status_code == 404


def test_an_unknown_version_is_404(client, cast):
    client.force_login(cast.nadia)
    assert client.get(paper_url(cast, query="?version=99")).status_code == 404
    assert client.get(paper_url(cast, query="?version=abc")).status_code == 404


# --- Keying one in ---------------------------------------------------------------------------


def test_nadia_keys_in_a_paper_form_and_a_draft_plan_is_made(client, cast):
    client.force_login(cast.nadia)
    assert client.get(paper_url(cast, key_in=True)).status_code == 200
    response = client.post(paper_url(cast, key_in=True), filled())
    assessment = Assessment.objects.get(case=cast.paul_case)
    plan = CarePlan.objects.get(assessment=assessment)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{cast.paul_case.pk}/plans/{plan.pk}/"

    assert assessment.mode == Assessment.Mode.PAPER
    assert assessment.completed_by == Assessment.CompletedBy.PATIENT
    assert assessment.started_by == cast.nadia  # who keyed it in
    assert assessment.completed_on == timezone.localdate() - dt.timedelta(days=2)
    assert assessment.questionnaire == hna()
    assert assessment.is_submitted and assessment.distress_score == 8
    assert assessment.anything_else == "Parking at the hospital costs a lot"
    ratings = {
        a.concern.code: (a.rating, a.is_priority) for a in assessment.answers.filter(selected=True)
    }
    assert ratings == {"money": (6, False), "pain": (5, True), "tiredness": (3, False)}
    assert CaseFlag.objects.filter(case=cast.paul_case, acknowledged_at__isnull=True).exists()
    assert AuditEvent.objects.filter(
        actor=cast.nadia, object_id=str(assessment.pk), summary__startswith="Keyed in a paper"
    ).exists()
    page = client.get(
        f"/cases/{cast.paul_case.pk}/assessments/{assessment.pk}/check/"
    ).content.decode()
    assert "On paper, keyed in by staff" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("11", "The rating for “Pain” must be from 0 to 10, not 11"),
        ("abc", "Enter the rating for “Pain” as a whole number from 0 to 10, not “abc”"),
        ("-1", "The rating for “Pain” must be from 0 to 10, not -1"),
    ],
)
def test_a_wrong_rating_is_named_and_nothing_typed_is_lost(client, cast, typed, message):
    client.force_login(cast.nadia)
    response = client.post(paper_url(cast, key_in=True), filled(**{"r-pain": typed}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    # In the summary, linking to the box, and beside the box.
    assert f'<a href="#r-pain">{message}</a>' in page
    assert page.count(message) == 2
    assert f'id="r-pain" name="r-pain" type="text" inputmode="numeric" value="{typed}"' in page
    # Everything else as typed.
    assert 'id="r-money" name="r-money" type="text" inputmode="numeric" value="6"' in page
    assert 'id="r-tiredness" name="r-tiredness" type="text" inputmode="numeric" value="3"' in page
    assert 'id="p-pain" name="p-pain" type="checkbox" value="yes" checked' in page
    assert 'value="8"' in page and "Parking at the hospital costs a lot" in page
    assert not Assessment.objects.exists()


def test_every_mistake_is_listed_in_the_order_of_the_form(client, cast):
    client.force_login(cast.nadia)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        paper_url(cast, key_in=True),
        filled(
            completed_on=tomorrow,
            **{"r-pain": "", "r-money": "12", "distress_score": "ten"},
        ),
    )
    assert response.status_code == 400
    summary = response.content.decode().split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    links = [part.split('"')[0] for part in summary.split('href="#')[1:]]
    assert links == ["completed_on", "r-pain", "r-money", "distress_score"]
    assert "The date on the form must be today or earlier" in summary
    assert "Enter the rating circled for “Pain”: it is ticked as mattering most" in summary
    assert "Enter the distress score as a whole number from 0 to 10, not “ten”" in summary


def test_a_missing_distress_score_says_to_ask_the_patient(client, cast):
    client.force_login(cast.nadia)
    response = client.post(paper_url(cast, key_in=True), filled(distress_score=""))
    assert response.status_code == 400
    assert "If none is circled, ask the patient" in response.content.decode()


def test_the_answers_go_against_the_version_printed_on_the_form(client, cast):
    v1 = hna()
    v2 = services.questionnaire_revise(questionnaire=v1)
    Concern.objects.filter(domain__questionnaire=v2, code="money").update(text="Paying for things")
    services.questionnaire_publish(questionnaire=v2)
    client.force_login(cast.nadia)

    page = client.get(paper_url(cast, key_in=True, query="?version=1")).content.decode()
    assert "Money or paying bills" in page and "Paying for things" not in page
    assert "Form HNA, version 2 (current)" in page  # the version chooser

    response = client.post(paper_url(cast, key_in=True, query="?version=1"), filled())
    assert response.status_code == 302
    assessment = Assessment.objects.get(case=cast.paul_case)
    assert assessment.questionnaire == v1
    assert assessment.answers.get(concern__code="money").concern.text == "Money or paying bills"
    assert Questionnaire.objects.get(is_active=True) == v2


@pytest.mark.parametrize("who", ["paul", "carol", "oscar", "olive"])
def test_only_staff_on_the_case_can_key_one_in(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(paper_url(cast, key_in=True)).status_code == 404
    assert client.post(paper_url(cast, key_in=True), filled()).status_code == 404
    assert not Assessment.objects.exists()


def test_the_form_can_be_had_as_a_pdf_with_its_version(client, cast):
    client.force_login(cast.paul)
    response = client.get(paper_url(cast, query="?version=1&format=pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Form HNA, version 1" in text
    assert "Money or paying bills" in text and "How distressed have you felt" in text
    assert cast.paul_patient.nhs_number in text
    assert AuditEvent.objects.filter(
        actor=cast.paul, action="export", summary="Printed the paper assessment form (PDF)"
    ).exists()
