"""The organisations page: team leads and administrators list, add and edit providers."""

import pytest
from django.urls import reverse

from navigator.audit.models import AuditEvent
from navigator.organisations.models import Organisation

pytestmark = pytest.mark.django_db

LIST = reverse("organisations:list")
ADD = reverse("organisations:add")


def form(**changes):
    data = {
        "name": "Westshire Hospitals NHS Trust",
        "ods_code": "RW1",
        "kind": Organisation.Kind.TRUST,
        "email": "cancer.admin@west.test",
        "phone": "",
        "other_contact": "",
    }
    return {**data, **changes}


@pytest.mark.parametrize("who", ["lena", "adam"])
def test_team_leads_and_admins_manage_organisations(cast, client, who):
    client.force_login(getattr(cast, who))

    assert client.get(LIST).status_code == 200
    response = client.post(ADD, form())

    assert response.status_code == 302
    created = Organisation.objects.get(ods_code="RW1")
    assert created.email == "cancer.admin@west.test"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=str(created.pk), actor=getattr(cast, who)
    ).exists()


@pytest.mark.parametrize("who", ["nadia", "colin", "paul", "carol"])
def test_everyone_else_is_refused_with_a_404(cast, client, who):
    client.force_login(getattr(cast, who))
    edit = reverse("organisations:edit", args=[cast.gp_practice.pk])

    assert client.get(LIST).status_code == 404
    assert client.get(ADD).status_code == 404
    assert client.post(ADD, form()).status_code == 404
    assert client.post(edit, form(ods_code=cast.gp_practice.ods_code)).status_code == 404
    assert not Organisation.objects.filter(ods_code="RW1").exists()


def test_the_link_shows_only_to_those_who_may_manage(cast, client):
    client.force_login(cast.nadia)
    page = client.get(reverse("appointments:chase_queue")).content.decode()
    assert f'href="{LIST}"' not in page

    client.force_login(cast.lena)
    page = client.get(reverse("appointments:chase_queue")).content.decode()
    assert f'href="{LIST}"' in page


def test_a_bad_ods_code_is_refused_and_kept_as_typed(cast, client):
    client.force_login(cast.lena)

    response = client.post(ADD, form(ods_code="R-W 1!"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "An ODS code is 3 to 6 capital letters and digits" in page
    assert 'value="R-W 1!"' in page
    assert 'value="Westshire Hospitals NHS Trust"' in page
    assert not Organisation.objects.filter(name="Westshire Hospitals NHS Trust").exists()


def test_a_lower_case_ods_code_is_kept_in_capitals_and_a_taken_one_refused(cast, client):
    client.force_login(cast.lena)

    client.post(ADD, form(ods_code="rw1"))
    again = client.post(ADD, form(ods_code="RW1", name="Another"))

    assert Organisation.objects.filter(ods_code="RW1").count() == 1
    assert "Another organisation already has this ODS code" in again.content.decode()


def test_an_edit_adds_an_email_address_and_is_audited(cast, client):
    trust = Organisation.objects.create(ods_code="RE1", name="Eastshire Hospitals", kind="trust")
    client.force_login(cast.lena)
    edit = reverse("organisations:edit", args=[trust.pk])

    response = client.post(
        edit, form(name=trust.name, ods_code="RE1", email="admin@east.test", phone="0113 496 0000")
    )

    assert response.status_code == 302
    trust.refresh_from_db()
    assert (trust.email, trust.phone, trust.can_be_emailed) == (
        "admin@east.test",
        "0113 496 0000",
        True,
    )
    entry = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(trust.pk))
    assert entry.actor == cast.lena and "email" in entry.summary and "phone" in entry.summary


def test_a_bad_email_address_is_refused(cast, client):
    client.force_login(cast.adam)

    response = client.post(ADD, form(email="not an address"))

    assert "Enter an email address like team@nhs.net" in response.content.decode()
    assert not Organisation.objects.filter(ods_code="RW1").exists()
