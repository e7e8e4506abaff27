"""A newly invited patient whose team has offered no assessment starts their Holistic Needs
Assessment from their own home page on their phone, and saves its first page; the navigator
then finds it on the case, recorded as an offer the patient asked for. 375 px, axe-core on
every page the patient visits."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from careplans.models import Assessment, AssessmentOffer
from navigator.celery import app
from patients.models import Case
from patients.services.invitations import patient_invite
from tests.browser.conftest import axe_check, fits
from tests.browser.test_journey_invite import daytime, eager, joan_case, patient_accepts
from tests.careplans.conftest import reference_data_restore
from tests.conftest import Cast

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
__all__ = ["daytime", "eager", "joan_case"]  # fixtures shared with the invitation journey


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    reference_data_restore()  # an earlier browser test's flush may have emptied the checklist


def test_an_invited_patient_starts_their_hna_from_home(
    page: Any,
    live_server: Any,
    cast: Cast,
    joan_case: Case,
    daytime: None,
    eager: None,
    mailoutbox: Any,
) -> None:
    assert app.conf.task_always_eager
    _, link = patient_invite(case=joan_case, by=cast.nadia, channel="email")
    assert not AssessmentOffer.objects.filter(case=joan_case).exists()

    def read_code() -> str:
        code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mailoutbox[-1].body))
        assert code and mailoutbox[-1].to == ["joan@example.test"]
        return code.group(1)

    patient_accepts(page, live_server, link, read_code)  # ends on her home page, checked

    card = page.locator("#assessment")
    expect(card).to_contain_text("Holistic Needs Assessment")
    page.get_by_role("button", name="Start your Holistic Needs Assessment").click()
    page.wait_for_url("**/step/1/")
    expect(page.get_by_text("Step 1 of 7")).to_be_visible()
    axe_check(page)
    fits(page, 375)
    page.get_by_label("Pain").check()
    page.locator("#r-pain").fill("4")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/step/2/")
    axe_check(page)
    fits(page, 375)

    assessment = Assessment.objects.get(case=joan_case)
    assert assessment.completed_by == Assessment.CompletedBy.PATIENT
    assert assessment.answers.filter(concern__code="pain", rating=4).exists()
    joan_case.patient.refresh_from_db()
    offer = AssessmentOffer.objects.get(case=joan_case)
    assert offer.reason == AssessmentOffer.Reason.ON_REQUEST
    assert offer.offered_by == joan_case.patient.user
    assert offer.assessment == assessment

    # Back home, she is asked to carry on, not to start again.
    page.get_by_role("link", name="Home").first.click()
    expect(page.locator("#assessment")).to_contain_text("Carry on")
    expect(page.get_by_role("button", name="Start your Holistic Needs Assessment")).to_have_count(0)
    axe_check(page)
    fits(page, 375)
