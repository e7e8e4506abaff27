import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from navigator.accounts.models import Role
from navigator.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST_URL = "/api/cases/"


def detail_url(case) -> str:
    return reverse("api-case-detail", kwargs={"case_id": case.pk})


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # Throttle counts live in the cache, which on Redis outlives each test's transaction.
    cache.clear()


def as_user(client, user):
    client.force_login(user)
    return client


def test_it_lists_only_the_cases_each_person_may_see(client, cast):
    expected = {
        cast.nadia: [cast.paul_case],
        cast.lena: [cast.paul_case],
        cast.colin: [cast.paul_case],
        cast.paul: [cast.paul_case],
        cast.carol: [cast.paul_case],
        cast.oscar: [cast.olive_case],
        cast.olive: [cast.olive_case],
        cast.adam: [],
    }
    for user, cases in expected.items():
        response = as_user(client, user).get(LIST_URL)
        assert response.status_code == 200, (user, response.content)
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == [str(case.pk) for case in cases], user


def test_the_list_shows_each_case_in_the_documented_shape(client, cast):
    cast.paul_case.diagnosis_date = dt.date(2025, 2, 3)
    cast.paul_case.save()
    response = as_user(client, cast.nadia).get(LIST_URL)
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": str(cast.paul_case.pk),
                "patient_name": "Paul Jones",
                "nhs_number": cast.paul_patient.nhs_number,
                "date_of_birth": "1950-03-14",
                "tumour_site": "Lung",
                "diagnosis_date": "2025-02-03",
                "status": "open",
                "navigator_name": "Nadia Khan",
                "team_name": "Lung navigation",
            }
        ],
    }


def _add_cases(cast, count: int) -> None:
    """Cases in Lena's team, each with its own patient and navigator, so per-row lookups show."""
    for _ in range(count):
        patient = f.make_patient(given="Test", family="Person")
        navigator = f.make_user(f"nav-{patient.nhs_number}@nav.test", role=Role.NAVIGATOR)
        f.join(cast.team, navigator)
        f.make_case(patient=patient, team=cast.team, navigator=navigator)


def test_the_list_costs_the_same_queries_for_2_cases_as_for_20(
    client, cast, django_assert_num_queries
):
    _add_cases(cast, 1)
    as_user(client, cast.lena)
    with CaptureQueriesContext(connection) as with_two:
        assert client.get(LIST_URL).json()["count"] == 2
    _add_cases(cast, 18)
    cache.clear()
    with django_assert_num_queries(len(with_two.captured_queries)):
        assert client.get(LIST_URL).json()["count"] == 20


def test_detail_is_for_the_case_team_the_patient_and_their_carer(client, cast):
    for user in (cast.nadia, cast.lena, cast.colin, cast.paul, cast.carol):
        response = as_user(client, user).get(detail_url(cast.paul_case))
        assert response.status_code == 200, user
        assert response.json()["id"] == str(cast.paul_case.pk)
        assert response.json()["navigator_name"] == "Nadia Khan"


def test_detail_is_a_404_to_everyone_else_the_same_as_for_no_such_case(client, cast):
    unknown = as_user(client, cast.oscar).get(
        reverse("api-case-detail", kwargs={"case_id": uuid.uuid4()})
    )
    assert unknown.status_code == 404
    for user in (cast.olive, cast.oscar, cast.adam):
        response = as_user(client, user).get(detail_url(cast.paul_case))
        assert response.status_code == 404, user
        assert response.json() == unknown.json() == {"detail": "No such case"}


def test_detail_needs_signing_in(client, cast):
    response = client.get(detail_url(cast.paul_case))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_staff_without_mfa_are_told_to_set_it_up(client, cast):
    cast.nadia.authenticator_set.all().delete()
    for url in (LIST_URL, detail_url(cast.paul_case)):
        response = as_user(client, cast.nadia).get(url)
        assert response.status_code == 403, url
        assert "multi-factor" in response.json()["detail"]


def test_each_read_of_a_case_is_audited(client, cast):
    before = timezone.now()
    as_user(client, cast.colin).get(detail_url(cast.paul_case))
    event = AuditEvent.objects.get()
    assert event.actor == cast.colin
    assert event.actor_label == "Colin Shaw"
    assert event.actor_role == Role.CLINICIAN
    assert event.action == AuditEvent.Action.VIEW
    assert event.object_type == "patients.case"
    assert event.object_id == str(cast.paul_case.pk)
    assert event.patient_id == cast.paul_patient.pk
    assert event.path == detail_url(cast.paul_case)
    assert event.at >= before


def test_a_refused_read_writes_no_audit_entry_for_the_patient(client, cast):
    as_user(client, cast.oscar).get(detail_url(cast.paul_case))
    assert not AuditEvent.objects.about_patient(cast.paul_patient.pk).exists()
    assert AuditEvent.objects.refusals().get().actor == cast.oscar  # the security log's


def test_a_revoked_carer_loses_api_access_at_once(client, cast):
    as_user(client, cast.carol)
    assert client.get(detail_url(cast.paul_case)).status_code == 200
    cast.carol_grant.revoked_at = timezone.now()
    cast.carol_grant.save()
    assert client.get(detail_url(cast.paul_case)).status_code == 404
    assert client.get(LIST_URL).json()["results"] == []
