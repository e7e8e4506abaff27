"""The careplans API: FHIR-shaped questionnaires and assessments, offers, plans, plan items and
the directory. Who may call what is in tests/navigator/test_api_matrix.py; this is about what
comes back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careplans import services
from careplans.models import DirectoryService
from navigator.audit.models import AuditEvent
from tests.careplans.conftest import complete

pytestmark = pytest.mark.django_db


def api(case, rest: str) -> str:
    return f"/api/cases/{case.pk}/{rest}"


def test_questionnaires_are_fhir_with_welsh_alongside(client, cast):
    client.force_login(cast.paul)
    body = client.get("/api/questionnaires/?code=hna").json()
    assert body["resourceType"] == "Bundle" and body["total"] == 1
    questionnaire = body["entry"][0]["resource"]
    assert questionnaire["resourceType"] == "Questionnaire"
    assert questionnaire["status"] == "active" and questionnaire["version"] == "1"
    physical = questionnaire["item"][0]
    assert physical["type"] == "group" and physical["linkId"] == "physical"
    welsh = physical["_text"]["extension"][0]["extension"]
    assert {"url": "lang", "valueCode": "cy"} in welsh
    pain = physical["item"][0]
    assert [i["linkId"] for i in pain["item"]] == ["pain.rating", "pain.priority"]
    assert questionnaire["item"][-2]["linkId"] == "distress"


def test_every_version_is_listed_on_request(client, cast):
    from careplans.models import Questionnaire

    services.questionnaire_revise(questionnaire=Questionnaire.objects.get(code="hna"))
    client.force_login(cast.nadia)
    assert client.get("/api/questionnaires/").json()["total"] == 1
    versions = client.get("/api/questionnaires/?all=true").json()["entry"]
    assert [(e["resource"]["version"], e["resource"]["status"]) for e in versions] == [
        ("2", "draft"),
        ("1", "active"),
    ]


def test_an_assessment_is_a_questionnaire_response_with_the_dataset_codes(client, cast):
    sent = complete(
        cast.paul_case, cast.paul, ratings={"money": 6, "pain": 3}, distress=5, priorities=("pain",)
    ).assessment
    client.force_login(cast.nadia)
    response = client.get(api(cast.paul_case, f"assessments/{sent.pk}/")).json()
    assert response["resourceType"] == "QuestionnaireResponse"
    assert response["status"] == "completed"
    assert response["questionnaire"].endswith("/fhir/Questionnaire/hna|1")
    assert response["subject"]["identifier"] == {
        "system": "https://fhir.nhs.uk/Id/nhs-number",
        "value": cast.paul_patient.nhs_number,
    }
    codes = {e["url"].rsplit("/", 1)[1]: e["valueCoding"]["code"] for e in response["extension"]}
    assert codes == {
        "hna-offer-status": "accepted",
        "hna-point-of-pathway": "diagnosis",
        "hna-completed-by": "patient",
    }
    physical = next(i for i in response["item"] if i["linkId"] == "physical")
    pain = next(i for i in physical["item"] if i["linkId"] == "pain")
    assert pain["item"] == [
        {"linkId": "pain.rating", "answer": [{"valueInteger": 3}]},
        {"linkId": "pain.priority", "answer": [{"valueBoolean": True}]},
    ]
    assert {"linkId": "distress", "answer": [{"valueInteger": 5}]} in response["item"]
    assert AuditEvent.objects.filter(
        actor=cast.nadia, summary="Read an assessment through the API"
    ).exists()


def test_an_assessment_of_another_case_is_404_through_this_one(client, cast):
    sent = complete(cast.paul_case, cast.paul, ratings={}, distress=1).assessment
    client.force_login(cast.oscar)
    assert client.get(api(cast.olive_case, f"assessments/{sent.pk}/")).status_code == 404


def test_listing_assessments_takes_the_same_queries_however_many(client, cast):
    client.force_login(cast.nadia)
    complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=1)
    client.get(api(cast.paul_case, "assessments/"))
    with CaptureQueriesContext(connection) as one:
        client.get(api(cast.paul_case, "assessments/"))
    for n in range(3):
        complete(cast.paul_case, cast.paul, ratings={"money": n, "pain": n}, distress=n)
    with CaptureQueriesContext(connection) as four:
        body = client.get(api(cast.paul_case, "assessments/")).json()
    assert body["total"] == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_an_offer_through_the_api_is_sent_once(client, cast):
    client.force_login(cast.nadia)
    first = client.post(
        api(cast.paul_case, "assessment-offers/"),
        {"reason": "discharge"},
        content_type="application/json",
    )
    assert first.status_code == 201
    assert first.json()["pathway_point"] == "end_of_treatment"
    again = client.post(
        api(cast.paul_case, "assessment-offers/"),
        {"reason": "review"},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    bad = client.post(
        api(cast.paul_case, "assessment-offers/"),
        {"reason": "because", "pathway_point": 7},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) >= {"reason", "pathway_point"}


@pytest.fixture
def agreed(cast, directory):
    cast.paul_patient.postcode = "CF14 1AA"
    cast.paul_patient.save()
    plan = complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=2).plan
    return services.care_plan_agree(
        plan=plan, lock_version=plan.lock_version, actor=cast.paul, how="online"
    )


def test_a_plan_shows_items_signposts_and_withdrawn_services(client, cast, agreed, directory):
    directory.money_national.status = DirectoryService.Status.WITHDRAWN
    directory.money_national.save()
    client.force_login(cast.carol)
    plans = client.get(api(cast.paul_case, "care-plans/")).json()
    assert [p["status"] for p in plans["results"]] == ["agreed"]
    plan = client.get(api(cast.paul_case, f"care-plans/{agreed.pk}/")).json()
    assert (plan["agreed_how"], plan["agreed_by"]) == ("online", "Paul Jones")
    (item,) = plan["items"]
    assert item["concern_code"] == "money" and item["owner"] == "service"
    listed = {s["service_name"]: s["listed"] for s in item["signposts"]}
    assert listed == {"Cardiff Money Matters": True, "National Cancer Money Line": False}
    assert "money-benefits" in [i["code"] for i in plan["information"]]


def test_completing_and_answering_through_the_api(client, cast, agreed):
    item = agreed.items.get()
    url = api(cast.paul_case, f"care-plans/{agreed.pk}/items/{item.pk}/")
    client.force_login(cast.paul)
    early = client.post(f"{url}feedback/", {"answer": "yes"}, content_type="application/json")
    assert early.status_code == 400
    assert "Nobody has been put in touch" in str(early.json())
    services.plan_item_signpost(item=item, actor=cast.nadia)
    answered = client.post(f"{url}feedback/", {"answer": "partly"}, content_type="application/json")
    assert answered.status_code == 200 and answered.json()["feedback_answer"] == "partly"
    nonsense = client.post(f"{url}feedback/", {"answer": 11}, content_type="application/json")
    assert nonsense.status_code == 400 and "answer" in nonsense.json()

    client.force_login(cast.nadia)
    empty = client.post(f"{url}complete/", {"outcome": ""}, content_type="application/json")
    assert empty.status_code == 400 and "outcome" in empty.json()
    done = client.post(f"{url}complete/", {"outcome": "Benefits sorted"},
                       content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and done.json()["completed_at"]
    again = client.post(f"{url}complete/", {"outcome": "Twice"}, content_type="application/json")
    assert again.status_code == 400 and "already complete" in str(again.json())


def test_answering_for_an_item_not_on_the_agreed_plan_is_a_400_saying_why(client, cast, agreed):
    services.plan_item_signpost(item=agreed.items.get(), actor=cast.nadia)
    draft = services.care_plan_revise(plan=agreed, actor=cast.nadia)
    item = draft.items.get()
    client.force_login(cast.paul)
    url = api(cast.paul_case, f"care-plans/{draft.pk}/items/{item.pk}/feedback/")
    refused = client.post(url, {"answer": "no"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Only items of the agreed plan can be answered: this is a draft of the plan."
    }
    item.refresh_from_db()
    assert item.feedback_answer == ""


def test_the_directory_lists_services_and_explains_matches(client, cast, directory):
    client.force_login(cast.paul)
    listed = client.get("/api/services/").json()
    assert listed["count"] == 5
    matches = client.get(
        "/api/services/matches/?concern=money&postcode=CF10%201AA&tumour_site=Lung&language=cy"
    ).json()
    assert [m["service"]["name"] for m in matches] == [
        "Cardiff Money Matters",
        "National Cancer Money Line",
    ]
    assert matches[0]["reasons"] == ["money worries", "your area", "Welsh speaking"]
