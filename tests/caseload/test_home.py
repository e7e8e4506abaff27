"""The patient's home page, "what happens next", for the patient and for their carer."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from navigator.audit.models import AuditEvent
from patients.models import CarerAccess, Case
from patients.selectors import cases_for_patient_home
from patients.services import timeline_event_add

pytestmark = pytest.mark.django_db

HOME = reverse("home")


@pytest.fixture
def paul_referred(cast, time_machine):
    """Paul was referred urgently 20 days ago and diagnosed 6 days ago (England)."""
    time_machine.move_to(
        dt.datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )
    cast.team.phone = "01632 960 001"
    cast.team.save()
    for kind, day, summary in (
        ("urgent_referral", dt.date(2026, 11, 4), "Your GP referred you urgently"),
        ("diagnosis", dt.date(2026, 11, 18), "Your diagnosis was confirmed"),
    ):
        timeline_event_add(
            case=cast.paul_case,
            by=cast.nadia,
            kind=kind,
            occurred_at=day,
            summary=summary,
            shared_with_patient=True,
        )
    timeline_event_add(
        case=cast.paul_case,
        by=cast.nadia,
        kind="note",
        occurred_at=dt.date(2026, 11, 20),
        summary="Internal: check transport needs",
    )
    return cast


def test_patient_sees_their_navigator_and_how_to_reach_them(client, paul_referred):
    client.force_login(paul_referred.paul)
    html = client.get(HOME).content.decode()
    assert "What happens next" in html
    assert "<strong>Nadia Khan</strong> is your navigator" in html
    assert 'href="tel:01632960001">01632 960 001</a>' in html
    assert "Nothing is booked yet." in html


def test_patient_sees_shared_events_but_not_staff_notes(client, paul_referred):
    client.force_login(paul_referred.paul)
    html = client.get(HOME).content.decode()
    assert "Your GP referred you urgently" in html and "Your diagnosis was confirmed" in html
    assert "check transport needs" not in html
    assert "Recorded by" not in html


def test_patient_sees_their_clocks_in_plain_words(client, paul_referred):
    client.force_login(paul_referred.paul)
    html = client.get(HOME).content.decode()
    assert "the standards the NHS aims for, not a promise about your care" in html
    assert (
        "28 days to find out" in html and "This took 14 days. That is within the 28 days." in html
    )
    assert "62 days from referral to treatment" in html
    assert "Today is <strong>day 20 of 62</strong>. There are 42 days left." in html


def test_no_clocks_or_events_yet(client, cast):
    client.force_login(cast.paul)
    html = client.get(HOME).content.decode()
    assert "There are no waiting times to show yet." in html
    assert "There is nothing to show yet." in html


def test_every_view_of_the_home_page_is_audited(client, cast):
    client.force_login(cast.paul)
    client.get(HOME)
    entry = AuditEvent.objects.get(patient_id=cast.paul_patient.id)
    assert (entry.actor, entry.action, entry.summary) == (
        cast.paul,
        AuditEvent.Action.VIEW,
        "Viewed what happens next",
    )


def test_patient_may_change_their_details_from_home(client, cast):
    client.force_login(cast.paul)
    html = client.get(HOME).content.decode()
    assert reverse("patients:contact_edit", args=[cast.paul_case.id]) in html


def test_carer_sees_a_banner_and_cannot_change_anything(client, paul_referred):
    client.force_login(paul_referred.carol)
    html = client.get(HOME).content.decode()
    assert "You are viewing Paul Jones's record" in html
    assert "You can look, but not change anything." in html
    assert "<strong>Nadia Khan</strong> is Paul's navigator" in html
    assert "Today is <strong>day 20 of 62</strong>" in html
    assert reverse("patients:contact_edit", args=[paul_referred.paul_case.id]) not in html


def test_carer_who_may_act_gets_the_change_link(client, cast):
    cast.carol_grant.level = CarerAccess.Level.ACT
    cast.carol_grant.save()
    client.force_login(cast.carol)
    html = client.get(HOME).content.decode()
    assert reverse("patients:contact_edit", args=[cast.paul_case.id]) in html


def test_carer_loses_access_on_the_next_request_after_revocation(client, cast, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 5, 14, 0, tzinfo=ZoneInfo("Europe/London")))
    client.force_login(cast.carol)
    paul_home = f"{HOME}?case={cast.paul_case.id}"
    assert "Paul Jones" in client.get(paul_home).content.decode()

    cast.carol_grant.revoked_at = timezone.now()
    cast.carol_grant.save()

    # Her next page shows nothing of Paul's record, and says why.
    for page in (paul_home, HOME):
        html = client.get(page).content.decode()
        assert "What happens next" not in html and "Nadia Khan" not in html
        assert "Your access to Paul Jones's record was withdrawn on 5 December 2026." in html
        assert "We cannot find a record" not in html
    contact = reverse("patients:contact_edit", args=[cast.paul_case.id])
    assert client.get(contact).status_code == 404


def test_a_carer_given_access_again_sees_the_record_not_the_withdrawal(client, cast):
    cast.carol_grant.revoked_at = timezone.now()
    cast.carol_grant.save()
    CarerAccess.objects.create(patient=cast.paul_patient, carer=cast.carol)
    client.force_login(cast.carol)
    html = client.get(HOME).content.decode()
    assert "What happens next for Paul" in html and "withdrawn" not in html


def test_a_withdrawn_carer_cannot_learn_of_other_cases_by_url(client, cast):
    cast.carol_grant.revoked_at = timezone.now()
    cast.carol_grant.save()
    client.force_login(cast.carol)
    assert client.get(f"{HOME}?case={cast.olive_case.id}").status_code == 404


def test_someone_with_no_record_is_greeted_by_name_not_email(client, cast):
    client.force_login(cast.carol)
    cast.carol_grant.delete()
    html = client.get(HOME).content.decode()
    assert "We cannot find a record for you to see yet." in html
    assert "carol@" not in html.split("<main")[1]


def test_paul_cannot_reach_olives_case_by_url(client, cast):
    client.force_login(cast.paul)
    assert client.get(f"{HOME}?case={cast.olive_case.id}").status_code == 404
    detail = reverse("caseload:case_detail", args=[cast.olive_case.id])
    assert client.get(detail, follow=True).status_code == 404
    assert (
        client.get(reverse("patients:contact_edit", args=[cast.olive_case.id])).status_code == 404
    )
    # Nothing for Olive's "who has looked"; each attempt in the security log instead.
    assert not AuditEvent.objects.about_patient(cast.olive_patient.id).exists()
    assert AuditEvent.objects.refusals().filter(patient_id=cast.olive_patient.id).count() == 3


def test_a_malformed_case_id_is_404(client, cast):
    client.force_login(cast.paul)
    assert client.get(f"{HOME}?case=not-a-uuid").status_code == 404


def test_a_carer_who_helps_two_people_can_switch(client, cast):
    CarerAccess.objects.create(patient=cast.olive_patient, carer=cast.carol)
    client.force_login(cast.carol)
    html = client.get(HOME).content.decode()
    assert "Other people you help" in html
    for case, name in ((cast.paul_case, "Paul Jones"), (cast.olive_case, "Olive Smith")):
        page = client.get(HOME, {"case": str(case.id)}).content.decode()
        assert f"You are viewing {name}'s record" in page


def test_staff_home_is_their_case_list(client, cast):
    client.force_login(cast.nadia)
    assert client.get(HOME)["Location"] == reverse("patients:case_list")


def test_an_open_case_is_shown_before_a_closed_one(client, cast):
    """Cases are ordered open first, not by the status's spelling ("closed" < "open")."""
    Case.objects.filter(pk=cast.paul_case.pk).update(status=Case.Status.CLOSED)
    newer = Case.objects.create(
        patient=cast.paul_patient, team=cast.team, navigator=cast.nadia, tumour_site="Bowel"
    )
    Case.objects.filter(pk=cast.paul_case.pk).update(opened_at=newer.opened_at + dt.timedelta(1))
    client.force_login(cast.paul)

    response = client.get(HOME)

    assert response.context["case"] == newer
    assert [c.status for c in cases_for_patient_home(user=cast.paul)] == ["open", "closed"]


def test_a_welsh_patient_sees_the_standards_names_and_meanings_in_welsh(client, paul_referred):
    paul_referred.paul.language = "cy"
    paul_referred.paul.save()
    client.force_login(paul_referred.paul)
    html = client.get(HOME).content.decode()
    assert "28 diwrnod i gael gwybod" in html
    assert "62 diwrnod o&#x27;r atgyfeiriad i&#x27;r driniaeth" in html
    assert "dylai eich triniaeth gyntaf ddechrau o fewn 62 diwrnod" in html
    assert "28 days to find out" not in html and "within 62 days" not in html


def test_staff_see_the_standards_in_english(client, paul_referred):
    paul_referred.paul_patient.language = "cy"
    paul_referred.paul_patient.save()
    client.force_login(paul_referred.nadia)
    html = client.get(reverse("caseload:case_detail", args=[paul_referred.paul_case.pk]))
    assert "62 days from referral to treatment" in html.content.decode()
