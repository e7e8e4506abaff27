"""At most one chase text per patient per day, however the items fall across batches and
runs; one email per organisation per run listing its references; an organisation the chase
cannot email is said so on the navigator's task, once."""

import datetime as dt

import pytest
from django.urls import reverse

from appointments.models import ChaseDigest, ChaseRecord, ChaseTask, ItemKind
from appointments.services import chase_run
from navigator.messaging.models import OutboundMessage
from tests import factories as f
from tests.appointments.chase_helpers import MORNING, TODAY, hospital, overdue_item

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def morning(time_machine, settings):
    time_machine.move_to(MORNING, tick=False)
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8


def texts():
    return list(OutboundMessage.objects.filter(kind="chase_patient"))


def emails():
    return list(OutboundMessage.objects.filter(kind="chase_provider").order_by("created_at"))


def test_three_items_in_three_batches_and_two_runs_send_one_text(cast):
    trust = hospital(cast)
    items = [overdue_item(cast, days_late=n + 1, responsible_provider=trust) for n in range(3)]

    first = chase_run(batch_size=1, max_batches=2)
    second = chase_run(batch_size=1)

    assert (first.batches, first.items, second.items) == (2, 2, 1)
    [text] = texts()
    assert text.to_address == cast.paul_patient.phone
    assert text.idempotency_key == f"chase:patient:{cast.paul_patient.pk}:{TODAY.isoformat()}"
    outcomes = [ChaseRecord.objects.get(item=i, by=None).outcome for i in items]
    assert sum("Texted the patient" in o for o in outcomes) == 1
    assert sum("Covered by today's text to the patient" in o for o in outcomes) == 2
    assert all(ChaseTask.objects.open().filter(item=i).exists() for i in items)


def test_a_second_day_sends_one_more_text(cast, time_machine):
    trust = hospital(cast)
    overdue_item(cast, days_late=2, responsible_provider=trust)
    chase_run(batch_size=1)

    time_machine.move_to(MORNING + dt.timedelta(days=1), tick=False)
    overdue_item(cast, days_late=1, responsible_provider=trust)
    overdue_item(cast, days_late=1, kind=ItemKind.REFERRAL, responsible_provider=trust)
    chase_run(batch_size=1)
    chase_run(batch_size=1)

    assert sorted(t.idempotency_key[-10:] for t in texts()) == [
        TODAY.isoformat(),
        (TODAY + dt.timedelta(days=1)).isoformat(),
    ]


def test_a_provider_gets_one_email_a_run_listing_its_references(cast, settings):
    trust = hospital(cast)
    other = f.make_patient(given="Olga", family="Brown", gp_practice=cast.gp_practice)
    other_case = f.make_case(patient=other, team=cast.team, navigator=cast.nadia)
    other_case.treating_providers.add(trust)
    items = [overdue_item(cast, days_late=n + 1, responsible_provider=trust) for n in range(3)]
    items.append(overdue_item(cast, case=other_case, responsible_provider=trust))

    report = chase_run(batch_size=1)

    assert report.batches == 4  # one item a batch
    [email] = emails()
    assert email.to_address == "cancer.admin@south.test"
    for item in items:
        assert item.reference in email.body
    assert email.subject == "4 things we are waiting for from your organisation"
    assert email.subject_id is None  # two patients' items
    assert len(texts()) == 2  # one for each patient
    assert report.messages == 3

    # The next run, with one newly overdue item, emails once more, naming only that one.
    later = overdue_item(cast, responsible_provider=trust, kind=ItemKind.REFERRAL)
    chase_run(batch_size=1)
    assert len(emails()) == 2
    assert later.reference in emails()[1].body
    assert items[0].reference not in emails()[1].body
    assert chase_run().messages == 0


def test_digests_left_by_a_run_that_died_go_with_the_next_run(cast):
    trust = hospital(cast)
    overdue_item(cast, responsible_provider=trust)
    with pytest.MonkeyPatch.context() as patch:
        # The run dies after its batches committed, before its emails went.
        patch.setattr("appointments.services.chase.digests_send", lambda: 0)
        chase_run()
    assert emails() == [] and ChaseDigest.objects.filter(sent_at=None).count() == 1

    chase_run()

    assert len(emails()) == 1
    assert not ChaseDigest.objects.filter(sent_at=None).exists()


def test_an_unreachable_provider_is_shown_on_the_queue_with_one_task(cast, client):
    trust = f.make_organisation("Eastshire Hospitals NHS Trust")  # no email address
    cast.paul_case.treating_providers.add(trust)
    item = overdue_item(cast, responsible_provider=trust)

    chase_run()
    chase_run()

    [task] = ChaseTask.objects.filter(item=item)
    problem = (
        "We could not contact Eastshire Hospitals NHS Trust: it has no email address. "
        "Contact them another way."
    )
    assert task.is_open and task.contact_problem == problem
    assert emails() == []
    record = ChaseRecord.objects.get(item=item, by=None)
    assert "could not email Eastshire Hospitals NHS Trust: no email address" in record.outcome
    client.force_login(cast.nadia)
    assert problem in client.get(reverse("appointments:chase_queue")).content.decode()
    items_page = client.get(reverse("appointments:case_items", args=[cast.paul_case.pk]))
    assert problem in items_page.content.decode()
