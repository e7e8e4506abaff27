import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from navigator.memo import RequestMemoMiddleware
from patients.models import Case
from patients.rules import case_access_q, case_access_test, visible_cases

pytestmark = pytest.mark.django_db


def test_it_lets_the_case_team_patient_and_carer_view(cast):
    for user in (cast.nadia, cast.lena, cast.colin, cast.paul, cast.carol):
        assert user.has_perm("patients.view_case", cast.paul_case), user


def test_it_hides_other_teams_cases(cast):
    for user in (cast.oscar, cast.olive, cast.adam):
        assert not user.has_perm("patients.view_case", cast.paul_case), user
    assert list(visible_cases(cast.oscar)) == [cast.olive_case]


@pytest.mark.parametrize("kind", [{}, {"act": True}, {"change": True}])
def test_the_per_row_test_lets_through_exactly_the_cases_the_list_holds(cast, kind):
    """`case_access_test` (the worklist's check of its caseload) and `case_access_q` (every
    list) are the same paths: for every user, each kind of access, the same cases."""
    cast.carol_grant.level = "act"
    cast.carol_grant.save()
    for user in (cast.nadia, cast.lena, cast.colin, cast.oscar, cast.adam, cast.paul, cast.carol):
        listed = set(Case.objects.filter(case_access_q(user, **kind)).values_list("pk", flat=True))
        tested = set(
            Case.objects.filter(case_access_test(user, **kind)).values_list("pk", flat=True)
        )
        assert tested == listed, (user, kind)
    assert set(Case.objects.filter(case_access_test(cast.nadia))) == {cast.paul_case}
    assert not Case.objects.filter(case_access_test(cast.adam)).exists()


def test_only_staff_on_the_case_may_change_it(cast):
    assert cast.nadia.has_perm("patients.change_case", cast.paul_case)
    assert cast.colin.has_perm("patients.change_case", cast.paul_case)
    for user in (cast.paul, cast.carol, cast.oscar):
        assert not user.has_perm("patients.change_case", cast.paul_case), user


def test_staff_without_mfa_see_nothing(cast):
    cast.nadia.authenticator_set.all().delete()
    nadia = type(cast.nadia).objects.get(pk=cast.nadia.pk)
    assert not nadia.has_perm("patients.view_case", cast.paul_case)
    assert not visible_cases(nadia).exists()


def test_read_only_carer_cannot_act_and_loses_access_on_revocation(cast):
    assert not cast.carol.has_perm("patients.act_for_patient", cast.paul_case)
    assert cast.paul.has_perm("patients.act_for_patient", cast.paul_case)
    cast.carol_grant.revoked_at = timezone.now()
    cast.carol_grant.save()
    assert not cast.carol.has_perm("patients.view_case", cast.paul_case)


def test_a_superuser_is_held_to_the_same_rules(client, cast):
    """Django lets superusers past every permission check; the case rules must not."""
    type(cast.adam).objects.filter(pk=cast.adam.pk).update(is_superuser=True, is_staff=True)
    adam = type(cast.adam).objects.get(pk=cast.adam.pk)
    assert not adam.has_perm("patients.view_case", cast.paul_case)
    assert not adam.has_perm("patients.change_case", cast.paul_case)
    assert adam.has_perm("patients.view_patient")  # the admin's own model permissions stay
    client.force_login(adam)
    assert client.get(f"/cases/{cast.paul_case.pk}/").status_code == 404
    assert client.get(f"/api/cases/{cast.paul_case.pk}/").status_code == 404


def test_access_is_asked_once_a_request_and_afresh_outside_one(cast):
    """Inside a request (navigator.memo) the page's repeated checks share one query; outside
    one (jobs, the shell) every check asks the database, so nothing stale outlives a request."""

    def ask_three_times() -> int:
        with CaptureQueriesContext(connection) as captured:
            for _ in range(3):
                assert cast.paul.has_perm("patients.view_case", cast.paul_case)
        return len(captured.captured_queries)

    def view(request):
        return HttpResponse(str(ask_three_times()))

    response = RequestMemoMiddleware(view)(RequestFactory().get("/"))

    assert response.content == b"1"
    assert ask_three_times() == 3


def test_a_team_member_is_answered_by_the_case_in_hand(cast):
    """The case in hand names its team, so a member of it needs only their own teams (asked
    once a request), with no lookup of the case; seeing and changing it are then both known."""
    nadia = type(cast.nadia).objects.get(pk=cast.nadia.pk)

    def view(request):
        with CaptureQueriesContext(connection) as captured:
            seen = nadia.has_perm("patients.view_case", cast.paul_case)
            changed = nadia.has_perm("patients.change_case", cast.paul_case)
        # Her authenticator (staff see nothing without one) and her teams.
        return HttpResponse(f"{seen} {changed} {len(captured.captured_queries)}")

    assert RequestMemoMiddleware(view)(RequestFactory().get("/")).content == b"True True 2"


def test_a_case_handed_to_another_team_is_no_longer_its_old_teams(cast):
    """The team is read off the case's row as it now is: moved to another team, the old
    team's members without a place on its care team lose it, the new team's gain it."""
    Case.objects.filter(pk=cast.paul_case.pk).update(team=cast.olive_case.team)
    moved = Case.objects.get(pk=cast.paul_case.pk)

    assert not cast.lena.has_perm("patients.view_case", moved)
    assert cast.oscar.has_perm("patients.change_case", moved)
