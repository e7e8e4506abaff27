"""The case overview: the navigator's hub for one case, and the door in front of it."""

import pytest
from django.urls import reverse

from navigator.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["nadia", "lena", "colin"])
def test_case_team_sees_the_overview_and_each_look_is_audited(client, cast, who):
    client.force_login(getattr(cast, who))
    before = AuditEvent.objects.filter(patient_id=cast.paul_patient.id).count()

    response = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Named navigator" in html and "Nadia Khan" in html
    assert "Colin Shaw" in html and "Clinical nurse specialist" in html
    assert "Carol Jones" in html and "See my record" in html
    assert AuditEvent.objects.filter(patient_id=cast.paul_patient.id).count() == before + 1


@pytest.mark.parametrize("who", ["oscar", "olive", "adam"])
def test_overview_is_404_to_anyone_outside_the_case(client, cast, who):
    client.force_login(getattr(cast, who))
    if who == "olive":
        # Patients are sent to their own page, where the same door refuses them.
        response = client.get(
            reverse("caseload:case_detail", args=[cast.paul_case.id]), follow=True
        )
    else:
        response = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(patient_id=cast.paul_patient.id).exists()


def test_patient_opening_their_case_url_gets_their_own_page(client, cast):
    client.force_login(cast.paul)
    response = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]), follow=True)
    assert response.status_code == 200
    assert "What happens next" in response.content.decode()
    assert "Care team" not in response.content.decode()
