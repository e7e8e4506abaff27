"""The chase queue and a case's tracked items: who may see and do what, recording in one step,
forms that keep what was typed, and a constant number of queries as the queue grows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.models import ChaseRecord, ChaseTask, ItemKind, ItemState, TrackedItem
from appointments.services import chase_run, tracked_item_transition
from navigator.audit.models import AuditEvent
from tests import factories as f
from tests.appointments.chase_helpers import MORNING, TODAY, hospital, overdue_item

pytestmark = pytest.mark.django_db

QUEUE = reverse("appointments:chase_queue")


@pytest.fixture(autouse=True)
def morning(time_machine, settings):
    time_machine.move_to(MORNING, tick=False)


@pytest.fixture
def task(cast):
    item = overdue_item(cast, responsible_provider=hospital(cast))
    chase_run()
    return ChaseTask.objects.get(item=item)


def record_form(task, **overrides):
    prefix = f"chase-{task.pk}"
    data = {
        "outcome": "Rang radiology: report typed, waiting for sign-off",
        "next_chase_on-day": "13",
        "next_chase_on-month": "3",
        "next_chase_on-year": "2026",
        **overrides,
    }
    return {f"{prefix}-{key}": value for key, value in data.items()}


# --- the queue --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["nadia", "lena"])
def test_the_queue_shows_overdue_items_on_cases_the_user_works(client, cast, task, who):
    client.force_login(getattr(cast, who))

    response = client.get(QUEUE)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Paul Jones" in body and "Your test or scan result" in body and "1 day late" in body
    # The reference the hospital's email quotes, for when they call back.
    assert f"reference {task.item.reference}" in body
    assert AuditEvent.objects.filter(
        actor=getattr(cast, who), object_type="appointments.chasequeue"
    ).exists()


def test_another_teams_navigator_sees_none_of_it(client, cast, task):
    client.force_login(cast.oscar)

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert "Paul Jones" not in response.content.decode()
    assert "Nothing to chase" in response.content.decode()


@pytest.mark.parametrize("who", ["colin", "adam", "paul", "carol", "olive"])
def test_the_queue_is_not_there_for_other_roles(client, cast, task, who):
    client.force_login(getattr(cast, who))

    assert client.get(QUEUE).status_code == 404


def test_a_navigator_without_mfa_is_refused(client, cast, task):
    unverified = f.make_user("nina@nav.test", role="navigator", name="Nina Bell")
    f.join(cast.team, unverified)
    client.force_login(unverified)

    response = client.get(QUEUE)

    assert response.status_code in (302, 404)
    assert "Paul Jones" not in response.content.decode()


def test_signed_out_people_are_sent_to_sign_in(client, task):
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_escalated_items_come_first_then_the_longest_overdue(client, cast):
    trust = hospital(cast)
    late = overdue_item(cast, days_late=5, title="Five days late", responsible_provider=trust)
    later = overdue_item(cast, days_late=3, title="Three days late", responsible_provider=trust)
    escalated = overdue_item(cast, days_late=8, title="Escalated one", responsible_provider=trust)
    overdue_item(cast, days_late=1, title="One day late", responsible_provider=trust)
    chase_run()
    assert ChaseTask.objects.get(item=escalated).escalated_to == cast.lena
    client.force_login(cast.nadia)

    body = client.get(QUEUE).content.decode()

    positions = [
        body.index(t)
        for t in ("Escalated one", "Five days late", "Three days late", "One day late")
    ]
    assert positions == sorted(positions)
    assert late and later


def test_only_mine_filters_to_the_named_navigators_cases(client, cast, task):
    client.force_login(cast.lena)

    assert "Paul Jones" not in client.get(QUEUE, {"mine": "1"}).content.decode()
    assert "Paul Jones" in client.get(QUEUE).content.decode()


def _queue_queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE).status_code == 200
    return len(captured.captured_queries)


def test_the_queue_takes_the_same_queries_however_long(client, cast):
    trust = hospital(cast)
    client.force_login(cast.nadia)
    overdue_item(cast, responsible_provider=trust)
    chase_run()
    small = _queue_queries(client)

    others = [
        f.make_case(
            patient=f.make_patient(given=f"P{n}", family="Other"),
            team=cast.team,
            navigator=cast.nadia,
            tumour_site=f"Site {n}",
        )
        for n in range(12)
    ]
    for case in others:
        for _ in range(2):
            overdue_item(cast, case=case, responsible_provider=trust)
    chase_run()
    assert ChaseTask.objects.filter(status="open").count() == 25

    assert _queue_queries(client) == small


# --- recording a chase --------------------------------------------------------------------------


def test_recording_a_chase_in_one_step(client, cast, task):
    client.force_login(cast.nadia)

    response = client.post(reverse("appointments:chase_record", args=[task.pk]), record_form(task))

    assert response.status_code == 302 and response["Location"] == QUEUE
    record = ChaseRecord.objects.get(by=cast.nadia)
    assert record.outcome == "Rang radiology: report typed, waiting for sign-off"
    assert record.next_chase_on == dt.date(2026, 3, 13)
    task.refresh_from_db()
    assert not task.is_open
    assert TrackedItem.objects.get().next_chase_on == dt.date(2026, 3, 13)


def test_recording_with_htmx_swaps_the_card(client, cast, task):
    client.force_login(cast.nadia)

    response = client.post(
        reverse("appointments:chase_record", args=[task.pk]),
        record_form(task),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "chase recorded" in body and "Next chase 13 March 2026" in body
    assert "<html" not in body


@pytest.mark.parametrize("htmx", [False, True])
def test_a_mistake_keeps_what_was_typed_and_says_what_to_fix(client, cast, task, htmx):
    client.force_login(cast.nadia)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    response = client.post(
        reverse("appointments:chase_record", args=[task.pk]),
        record_form(task, **{"next_chase_on-day": "9"}),
        **headers,
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "The next chase date must be today or in the future." in body
    assert "Rang radiology: report typed, waiting for sign-off" in body
    assert 'value="9"' in body
    assert not ChaseRecord.objects.filter(by__isnull=False).exists()


def test_the_record_page_works_without_javascript(client, cast, task):
    client.force_login(cast.nadia)

    response = client.get(reverse("appointments:chase_record", args=[task.pk]))

    assert response.status_code == 200
    assert "Record a chase" in response.content.decode()


def test_the_record_page_links_to_the_queue_and_to_the_case(client, cast, task):
    client.force_login(cast.nadia)

    body = client.get(reverse("appointments:chase_record", args=[task.pk])).content.decode()

    assert f'href="{QUEUE}"' in body
    case = task.item.case
    case_url = reverse("caseload:case_detail", args=[case.pk])
    assert f'href="{case_url}">Go to {case.patient.full_name}\'s case</a>' in body
    # The link lands on the case: the navigator may open it.
    assert client.get(case_url).status_code == 200


@pytest.mark.parametrize("who", ["oscar", "paul", "carol", "olive", "adam"])
def test_recording_is_refused_to_anyone_not_working_the_case(client, cast, task, who):
    client.force_login(getattr(cast, who))
    url = reverse("appointments:chase_record", args=[task.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, record_form(task)).status_code == 404
    task.refresh_from_db()
    assert task.is_open


def test_a_made_up_task_is_not_found(client, cast):
    client.force_login(cast.nadia)

    url = reverse("appointments:chase_record", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


# --- a case's tracked items -------------------------------------------------------------------


def items_url(cast):
    return reverse("appointments:case_items", args=[cast.paul_case.pk])


# --- finding an item by the reference a provider quotes -----------------------------------------


def test_a_reference_from_a_chase_email_finds_the_item_on_its_case(client, cast, task):
    item = task.item
    ref = item.reference
    client.force_login(cast.nadia)

    # As a caller might read it out: lower case, with a space.
    response = client.get(QUEUE, {"ref": f" {ref[:4].lower()} {ref[4:].lower()}"})

    assert response.status_code == 302
    assert response["Location"] == f"{items_url(cast)}#item-{item.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'id="item-{item.pk}"' in page and f"reference {ref}" in page


def test_a_reference_on_a_case_the_user_does_not_work_is_not_found(client, cast, task):
    client.force_login(cast.oscar)  # another team's navigator

    response = client.get(QUEUE, {"ref": task.item.reference})

    assert response.status_code == 200
    body = response.content.decode()
    assert f"No item with reference {task.item.reference} on the cases you work on" in body
    assert "Paul" not in body


def test_a_malformed_reference_says_what_to_type_and_keeps_it(client, cast, task):
    client.force_login(cast.nadia)

    response = client.get(QUEUE, {"ref": "3076-EEC"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "8 letters and numbers, for example 3076EEC4" in body
    assert 'value="3076-EEC"' in body
    # The queue is still there beneath.
    assert "Your test or scan result" in body


@pytest.mark.parametrize("who", ["nadia", "lena", "colin"])
def test_the_case_page_lists_items_with_history(client, cast, task, who):
    item = task.item
    client.force_login(getattr(cast, who))

    response = client.get(items_url(cast))

    assert response.status_code == 200
    body = response.content.decode()
    assert item.title in body and "1 day late" in body
    assert f"reference {item.reference}" in body
    assert "Chased automatically: Texted the patient" in body
    assert "Pathway clocks" in body or "pathway" in body.lower()
    assert AuditEvent.objects.filter(
        actor=getattr(cast, who), object_id=str(cast.paul_case.pk), summary="Viewed tracked items"
    ).exists()


@pytest.mark.parametrize("who", ["oscar", "paul", "carol", "olive", "adam"])
def test_the_case_page_is_not_found_for_others(client, cast, task, who):
    client.force_login(getattr(cast, who))

    assert client.get(items_url(cast)).status_code == 404
    add = reverse("appointments:item_add", args=[cast.paul_case.pk])
    assert client.get(add).status_code == 404
    assert client.post(add, {"kind": "result"}).status_code == 404
    move = reverse("appointments:item_transition", args=[cast.paul_case.pk, task.item.pk])
    assert client.post(move, {}).status_code == 404


def test_the_case_page_says_when_nothing_is_tracked(client, cast):
    client.force_login(cast.nadia)

    assert "Nothing is being tracked" in client.get(items_url(cast)).content.decode()


def test_the_case_page_takes_the_same_queries_however_many_items(client, cast):
    client.force_login(cast.nadia)
    overdue_item(cast)
    chase_run()
    with CaptureQueriesContext(connection) as few:
        client.get(items_url(cast))
    for _ in range(8):
        overdue_item(cast)
    chase_run()
    with CaptureQueriesContext(connection) as many:
        client.get(items_url(cast))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_adding_an_item(client, cast):
    client.force_login(cast.nadia)
    trust = hospital(cast)

    response = client.post(
        reverse("appointments:item_add", args=[cast.paul_case.pk]),
        {
            "kind": ItemKind.REFERRAL,
            "title": "Appointment at Southshire to be booked",
            "expected_by-day": "20",
            "expected_by-month": "3",
            "expected_by-year": "2026",
            "responsible_provider": str(trust.pk),
        },
    )

    assert response.status_code == 302
    item = TrackedItem.objects.get()
    assert (item.kind, item.state, item.expected_by, item.responsible_provider) == (
        ItemKind.REFERRAL,
        ItemState.SENT,
        dt.date(2026, 3, 20),
        trust,
    )
    assert item.created_by == cast.nadia


def test_adding_with_mistakes_keeps_what_was_typed(client, cast):
    client.force_login(cast.nadia)

    response = client.post(
        reverse("appointments:item_add", args=[cast.paul_case.pk]),
        {
            "kind": "",
            "title": "Your blood test result",
            "expected_by-day": "31",
            "expected_by-month": "2",
            "expected_by-year": "2026",
        },
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose what the patient is waiting for" in body
    assert "Expected by must be a real date" in body
    assert 'value="Your blood test result"' in body and 'value="31"' in body
    assert not TrackedItem.objects.exists()


def test_moving_an_item_on_and_a_stale_form_is_refused(client, cast, task):
    client.force_login(cast.nadia)
    item = task.item
    url = reverse("appointments:item_transition", args=[cast.paul_case.pk, item.pk])
    prefix = f"item-{item.pk}"
    stale = {f"{prefix}-to_state": "reported", f"{prefix}-version": str(item.version)}
    tracked_item_transition(item=item, to_state=ItemState.CANCELLED, actor=cast.lena)

    refused = client.post(url, stale)

    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    item.refresh_from_db()
    assert item.state == ItemState.CANCELLED


def test_moving_an_item_on(client, cast, task):
    client.force_login(cast.nadia)
    item = task.item
    url = reverse("appointments:item_transition", args=[cast.paul_case.pk, item.pk])
    prefix = f"item-{item.pk}"

    response = client.post(
        url,
        {
            f"{prefix}-to_state": "cancelled",
            f"{prefix}-note": "Test no longer needed",
            f"{prefix}-version": str(item.version),
        },
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.CANCELLED and not item.is_open
    assert item.transitions.last().note == "Test no longer needed"
    task.refresh_from_db()
    assert not task.is_open


def test_an_item_of_another_case_is_not_found_through_this_one(client, cast):
    client.force_login(cast.oscar)
    other = overdue_item(cast, case=cast.olive_case, actor=cast.oscar)
    url = reverse("appointments:item_transition", args=[cast.olive_case.pk, other.pk])
    assert client.get(url).status_code == 200
    client.force_login(cast.nadia)
    sneaky = reverse("appointments:item_transition", args=[cast.paul_case.pk, other.pk])

    assert client.get(sneaky).status_code == 404
    assert TODAY
