"""The end-of-treatment summary: written by the staff on the case, shown to the GP by the care
plan link and printed with the plan; nobody outside the case reaches it."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from careplans.printed_plan import plan_html
from careplans.services.printing import care_plan_pdf
from navigator.audit.models import AuditEvent
from patients.models import TreatmentSummary
from patients.services import StaleSummary, treatment_summary_save
from tests.careplans.conftest import checklist, directory  # noqa: F401 - fixtures
from tests.careplans.sharing_support import agreed_plan, shared
from tests.careplans.test_pdf import one_line, pdf_pages
from tests.careplans.test_sharing import passed_check

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def summary_form(**overrides: str) -> dict[str, str]:
    data = {
        "diagnosis": "Non-small cell lung cancer, right upper lobe, stage 2. Diagnosed May 2026.",
        "treatment_given": "Lobectomy on 2 June 2026, then 4 cycles of chemotherapy.",
        "treatment_ended_on-day": "15",
        "treatment_ended_on-month": "10",
        "treatment_ended_on-year": "2026",
        "intent": "curative",
        "side_effects": "Tiredness for some months; numb fingers from the chemotherapy.",
        "red_flags": "New cough with blood, or new bone pain: call the lung CNS the same day.",
        "gp_actions": "Cancer Care Review due by May 2027. Continue the inhalers.",
        "contacts": "Lung CNS team, 0113 000 1111, weekdays 9 to 5.",
        "written_by": "Dr Asha Patel, consultant oncologist",
        "written_on-day": "20",
        "written_on-month": "10",
        "written_on-year": "2026",
    }
    data.update(overrides)
    return data


def write(cast, **overrides):
    values = {
        "diagnosis": "Lung cancer, stage 2.",
        "treatment_given": "Surgery in June 2026.",
        "intent": TreatmentSummary.Intent.CURATIVE,
        "red_flags": "Coughing blood: call the CNS.",
        "contacts": "Lung CNS team, 0113 000 1111.",
        "written_by": "Dr Asha Patel",
        "written_on": dt.date(2026, 10, 20),
    }
    values.update(overrides)
    current = TreatmentSummary.objects.filter(case=cast.paul_case).first()
    return treatment_summary_save(
        case=cast.paul_case,
        by=cast.nadia,
        expected_version=current.version if current else None,
        **values,
    )


def url(case) -> str:
    return reverse("patients:treatment_summary_edit", args=[case.pk])


# Writing it -----------------------------------------------------------------------------------


def test_the_navigator_writes_the_summary_from_the_case(cast, client):
    client.force_login(cast.nadia)
    page = client.get(reverse("caseload:case_detail", args=[cast.paul_case.pk]))
    assert url(cast.paul_case) in page.content.decode()
    assert client.get(url(cast.paul_case)).status_code == 200
    response = client.post(url(cast.paul_case), summary_form())
    assert response.status_code == 302
    assert response["Location"] == reverse("caseload:case_detail", args=[cast.paul_case.pk])
    summary = TreatmentSummary.objects.get(case=cast.paul_case)
    assert summary.intent == "curative"
    assert summary.treatment_ended_on == dt.date(2026, 10, 15)
    assert summary.written_on == dt.date(2026, 10, 20)
    assert summary.version == 1 and summary.updated_by == cast.nadia
    entry = AuditEvent.objects.get(object_type="patients.treatmentsummary")
    assert entry.action == AuditEvent.Action.CREATE
    assert entry.actor == cast.nadia and entry.patient_id == cast.paul_patient.pk


def test_changing_it_adds_a_version_and_is_audited(cast, client):
    write(cast)
    client.force_login(cast.colin)  # a clinician on Paul's care team
    page = client.get(url(cast.paul_case)).content.decode()
    assert "Change the treatment summary" in page and 'value="1"' in page
    response = client.post(url(cast.paul_case), summary_form(version="1"))
    assert response.status_code == 302
    summary = TreatmentSummary.objects.get(case=cast.paul_case)
    assert summary.version == 2 and summary.updated_by == cast.colin
    assert "Lobectomy" in summary.treatment_given
    assert AuditEvent.objects.filter(
        object_type="patients.treatmentsummary",
        action=AuditEvent.Action.UPDATE,
        actor=cast.colin,
        summary__contains="version 2",
    ).exists()


def test_errors_are_summarised_and_what_was_typed_is_kept(cast, client):
    client.force_login(cast.nadia)
    response = client.post(
        url(cast.paul_case),
        summary_form(red_flags="", intent="", **{"written_on-year": "26"}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert '<a href="#id_red_flags">Enter the red-flag symptoms and what to do</a>' in page
    assert '<a href="#id_intent">Choose the aim of the treatment</a>' in page
    assert '<a href="#id_written_on-day">Date written must be a real date' in page
    assert "Lobectomy on 2 June 2026, then 4 cycles of chemotherapy." in page
    assert "Error: Treatment summary" in page
    assert not TreatmentSummary.objects.exists()


def test_a_future_date_is_refused(cast, client, time_machine):
    time_machine.move_to(dt.datetime(2026, 10, 21, 12, tzinfo=dt.UTC), tick=False)
    client.force_login(cast.nadia)
    response = client.post(url(cast.paul_case), summary_form(**{"written_on-year": "2027"}))
    assert response.status_code == 200
    assert "The date written must be today or in the past" in response.content.decode()


def test_a_save_from_an_older_version_does_not_overwrite_a_newer_one(cast, client):
    write(cast)
    write(cast, diagnosis="Lung cancer, stage 2 (corrected).")
    with pytest.raises(StaleSummary):
        treatment_summary_save(
            case=cast.paul_case,
            by=cast.nadia,
            expected_version=1,
            diagnosis="Old",
            treatment_given="Old",
            intent="curative",
            red_flags="Old",
            contacts="Old",
            written_by="Old",
            written_on=dt.date(2026, 10, 1),
        )
    client.force_login(cast.nadia)
    response = client.post(url(cast.paul_case), summary_form(version="1", diagnosis="Mine"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this treatment summary" in page
    assert "Lung cancer, stage 2 (corrected)." in page and "Mine" in page
    assert TreatmentSummary.objects.get().diagnosis == "Lung cancer, stage 2 (corrected)."


@pytest.mark.parametrize("who", ["paul", "carol", "olive", "oscar", "adam"])
def test_nobody_outside_the_staff_on_the_case_reaches_the_form(cast, client, who):
    write(cast)
    client.force_login(getattr(cast, who))
    assert client.get(url(cast.paul_case)).status_code == 404
    assert client.post(url(cast.paul_case), summary_form(version="1")).status_code == 404
    assert TreatmentSummary.objects.get().version == 1


def test_another_teams_navigator_cannot_reach_it_through_their_own_case(cast, client):
    client.force_login(cast.oscar)
    assert client.get(url(cast.olive_case)).status_code == 200  # his own case
    assert client.get(url(cast.paul_case)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(cast, client):
    response = client.get(url(cast.paul_case))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Where it shows -------------------------------------------------------------------------------


def test_the_gp_link_page_shows_the_summary_and_the_view_is_audited(cast, client):
    new = shared(cast)
    write(cast, gp_actions="Cancer Care Review due by May 2027.")
    passed_check(client, new)
    page = client.get(new.path).content.decode()
    assert "Treatment summary" in page
    for text in (
        "Lung cancer, stage 2.",
        "Surgery in June 2026.",
        "Curative: to remove or cure the cancer",
        "Coughing blood: call the CNS.",
        "Cancer Care Review due by May 2027.",
        "Lung CNS team, 0113 000 1111.",
        "Dr Asha Patel, 20 October 2026",
    ):
        assert text in page, text
    entry = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, actor=None).latest("id")
    assert "and the treatment summary version 1" in entry.summary


def test_the_gp_page_without_a_summary_has_no_summary_section(cast, client):
    new = shared(cast)
    passed_check(client, new)
    assert "Treatment summary</h2>" not in client.get(new.path).content.decode()


@pytest.mark.usefixtures("directory")
def test_the_printed_plan_has_the_summary_in_its_own_section(cast):
    plan = agreed_plan(cast)
    before = care_plan_pdf(plan=plan)
    write(cast, side_effects="Numb fingers.", treatment_ended_on=dt.date(2026, 10, 15))
    whole = one_line(" ".join(pdf_pages(care_plan_pdf(plan=plan))))
    assert before != care_plan_pdf(plan=plan)  # a new summary version is a new PDF
    for text in (
        "Treatment summary",
        "Diagnosis Lung cancer, stage 2.",
        "Treatment given Surgery in June 2026.",
        "Treatment ended on 15 October 2026.",
        "Aim of the treatment: Curative: to remove or cure the cancer",
        "Side effects and late effects to watch for Numb fingers.",
        "Red-flag symptoms and what to do Coughing blood: call the CNS.",
        "Who to contact Lung CNS team, 0113 000 1111.",
        "Written by: Dr Asha Patel, 20 October 2026.",
    ):
        assert text in whole, text


@pytest.mark.usefixtures("directory")
def test_the_welsh_print_labels_the_summary_in_welsh(cast):
    plan = agreed_plan(cast)
    write(cast, intent=TreatmentSummary.Intent.NON_CURATIVE)
    whole = one_line(" ".join(pdf_pages(care_plan_pdf(plan=plan, language="cy"))))
    assert "Crynodeb o'r driniaeth" in whole
    assert "Heb fod yn iachaol" in whole
    assert "Lung cancer, stage 2." in whole  # typed text is printed as typed


@pytest.mark.usefixtures("directory")
def test_typed_text_is_escaped_on_every_page(cast, client):
    crafted = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    new = shared(cast)
    write(cast, diagnosis=crafted, written_by=crafted)
    passed_check(client, new)
    page = client.get(new.path).content.decode()
    assert crafted not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    client.force_login(cast.nadia)
    form_page = client.get(url(cast.paul_case)).content.decode()
    assert crafted not in form_page and "&lt;img src=x onerror=alert(1)&gt;" in form_page
    detail = client.get(reverse("caseload:case_detail", args=[cast.paul_case.pk])).content
    assert crafted.encode() not in detail
    html = plan_html(plan=new.link.plan)
    assert crafted not in html and "&lt;script&gt;" in html


def test_the_patient_and_their_carer_read_it_on_their_home_page(cast, client):
    home = reverse("home")
    client.force_login(cast.paul)
    assert "Your treatment summary" not in client.get(home).content.decode()
    write(cast, red_flags="Coughing blood: call the CNS the same day.")
    page = client.get(home).content.decode()
    assert "Your treatment summary" in page
    assert "Coughing blood: call the CNS the same day." in page
    assert "Dr Asha Patel" in page

    client.force_login(cast.carol)  # Paul's carer, read-only
    page = client.get(home).content.decode()
    assert "Paul's treatment summary" in page and "Coughing blood" in page
