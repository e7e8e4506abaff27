"""Printing the care plans due for review across a caseload: who sees the list, what is ready,
and the button that has a real Celery worker make the rest."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careplans import services
from careplans.models import CarePlan
from careplans.services import printing
from careplans.services.printing import care_plan_pdf, plans_ready
from careplans.tasks import prepare_care_plans_for_printing
from navigator.audit.models import AuditEvent
from tests.careplans.conftest import complete
from tests.careplans.sharing_support import agreed_plan, plan_due_today
from tests.workerproc import celery_worker, require_services, wait_until

PAGE = reverse("careplans_printing:plans_due")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def due(plan: CarePlan, days: int = 3) -> CarePlan:
    CarePlan.objects.filter(pk=plan.pk).update(
        review_date=timezone.localdate() + dt.timedelta(days)
    )
    plan.refresh_from_db()
    return plan


def olives_plan(cast) -> CarePlan:
    plan = complete(cast.olive_case, cast.olive, ratings={"money": 5}, distress=2).plan
    return services.care_plan_agree(
        plan=plan, lock_version=plan.lock_version, actor=cast.olive, how="online"
    )


@pytest.mark.django_db
def test_the_navigator_sees_plans_due_on_her_cases_and_which_are_ready(client, cast, directory):
    paul = due(agreed_plan(cast))
    olive = due(olives_plan(cast))  # another team's case
    client.force_login(cast.nadia)

    response = client.get(PAGE)

    assert response.status_code == 200
    body = response.content.decode()
    assert "JONES, Paul" in body and cast.paul_patient.nhs_number_display in body
    assert "SMITH" not in body and str(olive.pk) not in body
    assert "Not prepared yet" in body and "Prepare all for printing" in body
    assert reverse("careplans:plan_pdf", args=[paul.case_id, paul.pk]) in body
    assert AuditEvent.objects.filter(
        actor=cast.nadia, object_type="careplans.plansdue", action="view"
    ).exists()

    care_plan_pdf(plan=paul)  # printed once from the plan's page: cached with its marker

    body = client.get(PAGE).content.decode()
    assert "Ready" in body and "Not prepared yet" not in body
    assert "It is ready to print" in body


@pytest.mark.django_db
def test_plans_not_due_or_not_agreed_are_not_listed(client, cast, directory):
    due(agreed_plan(cast), days=40)
    client.force_login(cast.nadia)

    body = client.get(PAGE).content.decode()

    assert "No agreed care plans are due for review in the next 14 days" in body
    # A stale page's button with nothing due says so, and asks the worker for nothing.
    response = client.post(PAGE, follow=True)
    assert "nothing to print" in response.content.decode()


@pytest.mark.django_db
def test_prepare_all_is_audited_and_asks_the_worker_only_once_committed(
    client, cast, directory, django_capture_on_commit_callbacks
):
    paul = due(agreed_plan(cast))
    client.force_login(cast.nadia)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(PAGE)

    assert response.status_code == 302
    assert len(callbacks) == 1 and callbacks[0].args == ([str(paul.pk)],)
    assert (
        AuditEvent.objects.filter(
            actor=cast.nadia, object_type="careplans.plansdue", action="export"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_with_nothing_due_prepare_all_asks_nothing_and_audits_no_export(
    client, cast, directory, django_capture_on_commit_callbacks
):
    client.force_login(cast.nadia)

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(PAGE)

    assert callbacks == []
    assert not AuditEvent.objects.filter(object_type="careplans.plansdue", action="export").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["paul", "carol", "colin", "adam"])
def test_people_who_do_not_work_a_caseload_get_no_page(client, cast, directory, who):
    due(agreed_plan(cast))
    client.force_login(getattr(cast, who))

    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE).status_code == 404


@pytest.mark.django_db
def test_the_page_reads_the_same_whatever_the_number_of_plans(client, cast, directory):
    due(agreed_plan(cast))
    client.force_login(cast.nadia)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE)
    for n in range(4):
        plan_due_today(cast, n)
    with CaptureQueriesContext(connection) as five:
        body = client.get(PAGE).content.decode()
    assert body.count("Not prepared yet") == 5
    assert len(five) == len(one)


@pytest.mark.django_db
def test_the_task_prepares_agreed_plans_in_each_patients_settings_and_skips_others(cast, directory):
    paul = due(agreed_plan(cast))
    cast.paul_patient.needs_large_print = True
    cast.paul_patient.save()
    paul = CarePlan.objects.select_related("case__patient").get(pk=paul.pk)
    draft = complete(cast.olive_case, cast.olive, ratings={"money": 5}, distress=2).plan

    report = prepare_care_plans_for_printing([str(paul.pk), str(draft.pk)])

    assert report == {"rendered": 1, "cached": 0, "claimed_elsewhere": 0, "failed": 0}
    assert plans_ready([paul]) == {paul.pk}
    assert cache.get(printing._cache_key(paul, large=True, language="en")).startswith(b"%PDF-")
    # Again: nothing new is made.
    assert prepare_care_plans_for_printing([str(paul.pk)])["cached"] == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_prepare_all_has_the_worker_make_them_and_the_page_then_says_ready(client, cast):
    require_services(postgres=True, redis=True)
    paul = due(agreed_plan(cast))
    client.force_login(cast.nadia)

    with celery_worker() as worker:
        response = client.post(PAGE)
        assert response.status_code == 302 and response["Location"] == PAGE
        wait_until(lambda: plans_ready([paul]) == {paul.pk}, timeout=60, explain=worker.log)

    body = client.get(PAGE).content.decode()
    assert "Preparing 1 care plan for printing" in body
    assert "It is ready to print" in body
    assert AuditEvent.objects.filter(
        actor=cast.nadia, object_type="careplans.plansdue", action="export"
    ).exists()
