"""Navigator pages to offer an assessment and record what happened, and the offer on the
patient's home page."""

import pytest

from careplans import services
from careplans.models import Assessment, AssessmentOffer
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage

pytestmark = pytest.mark.django_db
WRONG = ["paul", "carol", "oscar", "olive", "adam"]


def url(case, rest: str = "") -> str:
    return f"/cases/{case.pk}/offers/{rest}"


def test_nadia_offers_an_assessment_and_paul_sees_it_at_home(client, cast):
    client.force_login(cast.nadia)
    assert client.get(url(cast.paul_case, "new/")).status_code == 200
    response = client.post(url(cast.paul_case, "new/"), {"reason": "end_of_treatment"})
    assert response.status_code == 302
    offer = AssessmentOffer.objects.get()
    assert offer.pathway_point == Assessment.PathwayPoint.END_OF_TREATMENT
    assert offer.offered_by == cast.nadia
    assert OutboundMessage.objects.filter(kind="assessment_offer").count() == 1

    client.force_login(cast.paul)
    home = client.get("/").content.decode()
    assert "Tell us how you are" in home
    assert f"/cases/{cast.paul_case.pk}/assessments/start/" in home
    client.post(f"/cases/{cast.paul_case.pk}/assessments/start/")
    offer.refresh_from_db()
    assert offer.status == Assessment.OfferStatus.ACCEPTED
    assert offer.assessment.pathway_point == Assessment.PathwayPoint.END_OF_TREATMENT
    assert "Carry on" in client.get("/").content.decode()


def test_carol_sees_the_offer_but_cannot_start_it(client, cast):
    services.assessment_offer(case=cast.paul_case, reason="diagnosis", actor=cast.nadia)
    client.force_login(cast.carol)
    home = client.get("/").content.decode()
    assert "Tell us how Paul is" in home
    assert "Start now" not in home


def test_an_offer_form_with_nothing_chosen_says_what_to_do_and_keeps_the_choice(client, cast):
    client.force_login(cast.nadia)
    response = client.post(url(cast.paul_case, "new/"), {"pathway_point": "palliative"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#reason">Choose why the assessment is being offered' in page
    assert '<option value="palliative" selected>' in page
    assert not AssessmentOffer.objects.exists()


def test_nadia_records_a_declined_offer(client, cast):
    offer = services.assessment_offer(case=cast.paul_case, reason="diagnosis", actor=cast.nadia)
    client.force_login(cast.nadia)
    record = url(cast.paul_case, f"{offer.pk}/record/")
    assert client.get(record).status_code == 200
    missing = client.post(record, {"status": "not_offered", "note": ""})
    assert missing.status_code == 400
    assert "Say why the assessment was not offered" in missing.content.decode()
    assert client.post(record, {"status": "declined", "note": "Not now"}).status_code == 302
    offer.refresh_from_db()
    assert offer.status == Assessment.OfferStatus.DECLINED
    page = client.get(f"/cases/{cast.paul_case.pk}/assessments/").content.decode()
    assert "Offered and declined" in page and "Not now" in page
    assert AuditEvent.objects.filter(
        actor=cast.nadia, summary="Assessment offer recorded as offered and declined"
    ).exists()


@pytest.mark.parametrize("who", WRONG)
def test_only_staff_on_the_case_offer_or_record(client, cast, who):
    offer = services.assessment_offer(case=cast.paul_case, reason="diagnosis", actor=cast.nadia)
    client.force_login(getattr(cast, who))
    assert client.get(url(cast.paul_case, "new/")).status_code == 404
    assert client.post(url(cast.paul_case, "new/"), {"reason": "review"}).status_code == 404
    record = url(cast.paul_case, f"{offer.pk}/record/")
    assert client.get(record).status_code == 404
    assert client.post(record, {"status": "declined"}).status_code == 404
    offer.refresh_from_db()
    assert offer.status == Assessment.OfferStatus.OFFERED


def test_an_offer_is_only_found_through_its_own_case(client, cast):
    offer = services.assessment_offer(case=cast.paul_case, reason="diagnosis", actor=cast.nadia)
    client.force_login(cast.oscar)
    assert client.get(url(cast.olive_case, f"{offer.pk}/record/")).status_code == 404
