"""The chase job: tasks, nudges, escalation, and never sending anything twice."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appointments.models import (
    ChaseDigest,
    ChaseRecord,
    ChaseTask,
    ItemKind,
    ItemState,
    TrackedItem,
)
from appointments.services import chase_record, chase_run, tracked_item_transition
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage, SmsOptOut
from patients.models import Patient
from tests.appointments.chase_helpers import MORNING, TODAY, hospital, overdue_item
from tests.workerproc import require_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def morning(time_machine, settings):
    time_machine.move_to(MORNING, tick=False)
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8


def sent():
    """(kind, channel, address) of every outbox row, sorted: what the outside world would get."""
    return sorted(OutboundMessage.objects.values_list("kind", "channel", "to_address"))


def test_an_overdue_item_gets_a_task_a_patient_nudge_and_a_provider_email(cast):
    trust = hospital(cast)
    item = overdue_item(cast, responsible_provider=trust)

    report = chase_run()

    assert (report.items, report.messages, report.tasks_opened) == (1, 2, 1)
    task = ChaseTask.objects.get(item=item)
    assert task.is_open and task.assigned_to == cast.nadia and task.chase_round == 1
    assert sent() == [
        ("chase_patient", "sms", "+447700900123"),
        ("chase_provider", "email", "cancer.admin@south.test"),
    ]
    item.refresh_from_db()
    assert (item.chase_count, item.next_chase_on) == (1, TODAY + dt.timedelta(days=3))
    [record] = ChaseRecord.objects.filter(item=item)
    assert record.by is None and record.task == task and record.messages_sent == 2
    assert record.outcome == (
        "Chased automatically: Texted the patient; Emailed Southshire Hospitals NHS Trust"
    )
    assert AuditEvent.objects.filter(
        object_id=str(item.id), patient_id=cast.paul_patient.id, summary__startswith="Chase round 1"
    ).exists()


def test_messages_say_we_are_chasing_but_nothing_clinical(cast, settings):
    trust = hospital(cast)
    overdue_item(cast, responsible_provider=trust, title="CT chest, abdomen and pelvis")

    chase_run()

    sms = OutboundMessage.objects.get(channel="sms")
    assert sms.body == (
        "Your cancer support team is chasing your test or scan result for you. "
        "You do not need to do anything. See updates: "
        f"{settings.SITE_URL}/home/{str(cast.paul_case.id)[:8]}/waiting/"
    )
    for message in OutboundMessage.objects.all():
        for text in (message.subject, message.body, message.body_html):
            for private in ("CT chest", "Lung", "lung", "Paul", cast.paul_patient.nhs_number):
                assert private not in text


def test_chase_twice_sends_once(cast):
    hospital(cast)
    items = [overdue_item(cast, responsible_provider=hospital(cast)) for _ in range(3)]

    first = chase_run(batch_size=2)
    again = chase_run(batch_size=2)

    assert (first.items, again.items) == (3, 0)
    # One text to the patient and one email to the hospital for each batch (2 items, then 1).
    assert OutboundMessage.objects.count() == 4
    assert ChaseTask.objects.count() == 3
    assert ChaseRecord.objects.count() == 3
    assert {i.chase_count for i in TrackedItem.objects.filter(pk__in=[i.pk for i in items])} == {1}


def test_items_not_yet_due_or_closed_are_left_alone(cast):
    overdue_item(cast, days_late=-2)  # expected in two days
    closed = overdue_item(cast, days_late=10)
    tracked_item_transition(item=closed, to_state=ItemState.CANCELLED, actor=cast.nadia)

    assert chase_run().items == 0
    assert not OutboundMessage.objects.exists()


def test_the_next_round_emails_the_provider_again_but_does_not_repeat_to_the_patient(
    cast, time_machine
):
    item = overdue_item(cast, responsible_provider=hospital(cast))
    chase_run()
    time_machine.move_to(MORNING + dt.timedelta(days=3), tick=False)

    report = chase_run()

    assert report.items == 1
    assert sent() == [
        ("chase_patient", "sms", "+447700900123"),
        ("chase_provider", "email", "cancer.admin@south.test"),
        ("chase_provider", "email", "cancer.admin@south.test"),
    ]
    [task] = ChaseTask.objects.filter(item=item)
    assert task.chase_round == 2 and task.is_open


def test_after_the_navigator_records_a_chase_the_next_round_opens_a_new_task(cast, time_machine):
    item = overdue_item(cast, responsible_provider=hospital(cast))
    chase_run()
    task = ChaseTask.objects.get(item=item)

    record = chase_record(
        task=task,
        actor=cast.nadia,
        outcome="Rang radiology: report typed, with the consultant",
        next_chase_on=TODAY + dt.timedelta(days=2),
    )

    task.refresh_from_db()
    item.refresh_from_db()
    assert not task.is_open
    assert (record.by, record.next_chase_on) == (cast.nadia, TODAY + dt.timedelta(days=2))
    assert item.next_chase_on == TODAY + dt.timedelta(days=2)
    assert chase_run().items == 0  # nothing until the navigator's date

    time_machine.move_to(MORNING + dt.timedelta(days=2), tick=False)
    assert chase_run().tasks_opened == 1
    assert ChaseTask.objects.filter(item=item, status="open").count() == 1
    # A new task: the patient hears that we are still chasing.
    assert [k for k, *_ in sent()].count("chase_patient") == 2


def test_a_chase_is_recorded_once(cast):
    overdue_item(cast)
    chase_run()
    task = ChaseTask.objects.get()
    chase_record(task=task, actor=cast.nadia, outcome="Rang them", next_chase_on=TODAY)

    with pytest.raises(Exception, match="already been recorded"):
        chase_record(task=task, actor=cast.lena, outcome="Rang too", next_chase_on=TODAY)


def test_recording_needs_an_outcome_and_a_date_not_in_the_past(cast):
    overdue_item(cast)
    chase_run()
    task = ChaseTask.objects.get()

    with pytest.raises(Exception) as refused:
        chase_record(
            task=task, actor=cast.nadia, outcome=" ", next_chase_on=TODAY - dt.timedelta(days=1)
        )

    assert set(refused.value.message_dict) == {"outcome", "next_chase_on"}
    task.refresh_from_db()
    assert task.is_open


def test_escalates_to_the_team_lead_once_late_enough(cast, time_machine):
    item = overdue_item(cast, days_late=6)
    chase_run()
    assert not ChaseTask.objects.get(item=item).escalated_to

    time_machine.move_to(MORNING + dt.timedelta(days=3), tick=False)
    report = chase_run()

    task = ChaseTask.objects.get(item=item)
    item.refresh_from_db()
    assert report.escalated == 1
    assert task.escalated_to == cast.lena and item.escalated_at is not None
    assert (
        OutboundMessage.objects.filter(kind="chase_escalated", to_address="lena@nav.test").count()
        == 1
    )

    time_machine.move_to(MORNING + dt.timedelta(days=6), tick=False)
    assert chase_run().escalated == 0


def test_a_patient_who_cannot_be_reached_is_noted_on_the_chase(cast):
    Patient.objects.filter(pk=cast.paul_patient.pk).update(phone="", email="")
    item = overdue_item(cast, responsible_provider=hospital(cast))

    chase_run()

    record = ChaseRecord.objects.get(item=item)
    assert "could not message the patient: Paul Jones cannot be reached" in record.outcome
    assert sent() == [("chase_provider", "email", "cancer.admin@south.test")]


def test_a_patient_who_opted_out_of_texts_is_emailed(cast):
    SmsOptOut.objects.create(phone="+447700900123", keyword="STOP")
    overdue_item(cast)

    chase_run()

    assert sent() == [("chase_patient", "email", "paul@example.test")]


def test_a_batch_texts_each_patient_once_and_emails_each_hospital_one_list(cast):
    trust = hospital(cast)
    cast.olive_case.treating_providers.add(trust)
    pauls = [
        overdue_item(cast, responsible_provider=trust),
        overdue_item(cast, responsible_provider=trust, days_late=2),
        overdue_item(cast, kind=ItemKind.REFERRAL, title="Referral", responsible_provider=trust),
    ]
    olives = [overdue_item(cast, case=cast.olive_case, responsible_provider=trust)]

    report = chase_run()

    assert (report.items, report.messages) == (4, 3)
    [to_paul] = OutboundMessage.objects.filter(subject_id=cast.paul_patient.id)
    assert to_paul.body.startswith(
        "Your cancer support team is chasing your test or scan result and an appointment with "
        "another hospital for you."
    )
    [to_olive] = OutboundMessage.objects.filter(subject_id=cast.olive_patient.id)
    assert to_olive.channel == "sms" and "your test or scan result for you" in to_olive.body
    [email] = OutboundMessage.objects.filter(channel="email")
    assert email.to_address == "cancer.admin@south.test" and email.subject_id is None
    assert email.subject == "4 things we are waiting for from your organisation"
    for item in pauls + olives:
        reference = item.reference
        assert f"Reference {reference}: " in email.body
        assert f"<strong>{reference}</strong>" in email.body_html
        [record] = ChaseRecord.objects.filter(item=item)
        assert record.outcome == (
            "Chased automatically: Texted the patient; Emailed Southshire Hospitals NHS Trust"
        )
    for private in ("Paul", "Olive", cast.paul_patient.nhs_number, cast.olive_patient.nhs_number):
        assert private not in email.body and private not in email.body_html
    # One audit entry for each case's part in the batch: Paul's case, and Olive's one item.
    [paul_entry] = AuditEvent.objects.filter(patient_id=cast.paul_patient.id, actor=None)
    assert paul_entry.object_type == "patients.case"
    assert paul_entry.object_id == str(cast.paul_case.id)
    assert paul_entry.summary.startswith(
        "Chased 3 items: Texted the patient; Emailed Southshire Hospitals NHS Trust; "
    )
    assert all(f"{item.reference} (round 1)" in paul_entry.summary for item in pauls)
    [olive_entry] = AuditEvent.objects.filter(patient_id=cast.olive_patient.id, actor=None)
    assert olive_entry.object_id == str(olives[0].id)
    # Run again: every item is chased (for now), and nothing is sent twice.
    assert chase_run().messages == 0


def test_a_treatment_summary_chases_the_hospital_and_the_gp_practice(cast):
    trust = hospital(cast)
    overdue_item(
        cast, kind=ItemKind.TREATMENT_SUMMARY, title="Treatment summary", responsible_provider=trust
    )

    chase_run()

    assert sent() == [
        ("chase_provider", "email", "cancer.admin@south.test"),
        ("chase_provider", "email", "riverside.gp@nhs.test"),
    ]


def chase_statements(cast, trust, count, *, today):
    """Statements one chase run on `today` sends to chase `count` overdue items in one batch."""
    items = [overdue_item(cast, responsible_provider=trust) for _ in range(count)]
    with CaptureQueriesContext(connection) as captured:
        report = chase_run(batch_size=count, today=today)
    # All Paul's, at one hospital: one text and one email, however many items.
    assert (report.items, report.messages, report.batches) == (count, 2, 1)
    TrackedItem.objects.filter(pk__in=[i.pk for i in items]).update(next_chase_on=None)
    # What each statement is (its verb and table), not its parameters or savepoint name.
    return [re.sub(r'"s\d+_x\d+"', "", q["sql"])[:50] for q in captured.captured_queries]


def test_a_batch_costs_the_same_statements_whatever_its_size(cast):
    # SQLite splits a long INSERT by its limit on parameters; PostgreSQL has none that binds.
    require_services(postgres=True)
    trust = hospital(cast)

    # A day apart, so each run texts Paul (one text a day).
    five = chase_statements(cast, trust, 5, today=TODAY)
    fifty = chase_statements(cast, trust, 50, today=TODAY + dt.timedelta(days=1))

    assert five == fifty
    # Savepoint; the claim and its related rows (cases with patients, teams, navigators and
    # whether the patient had the day's text; hospitals); open tasks; SMS opt-outs;
    # messages; items; one INSERT of the new tasks, records,
    # digests and audit entries; release; then a claim that finds nothing left, in its own
    # savepoint; then the run's emails: the digests claimed (in a savepoint), the message,
    # the digests marked sent.
    assert len(fifty) == 18


def test_the_command_runs_the_chase_once(cast, capsys):
    overdue_item(cast)

    call_command("chase")

    assert "Chased 1 item(s) in 1 batch(es): 1 message(s)" in capsys.readouterr().out
    call_command("chase")
    assert "Chased 0 item(s)" in capsys.readouterr().out


def _poison(item):
    """Make the database refuse this item's chase record: real failing data, no patching."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_chase() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_chase BEFORE INSERT ON appointments_chaserecord "
                f"FOR EACH ROW WHEN (NEW.item_id = '{item.id}') EXECUTE FUNCTION refuse_chase()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_chase BEFORE INSERT ON appointments_chaserecord "
                f"WHEN NEW.item_id = '{item.id.hex}' BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )


def _cure():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER refuse_chase ON appointments_chaserecord")
            cursor.execute("DROP FUNCTION refuse_chase()")
        else:
            cursor.execute("DROP TRIGGER refuse_chase")


def test_a_failure_inside_a_batch_loses_nothing_and_duplicates_nothing(cast):
    trust = hospital(cast)
    items = [overdue_item(cast, days_late=n + 1, responsible_provider=trust) for n in range(5)]
    _poison(items[2])

    report = chase_run(batch_size=10)

    # The batch failed as a whole, was retried item by item: only the bad item is left.
    assert report.failed == [str(items[2].id)]
    assert report.items == 4
    assert not ChaseRecord.objects.filter(item=items[2]).exists()
    assert items[2].reference not in emailed_references()
    assert not ChaseTask.objects.filter(item=items[2]).exists()

    _cure()
    rerun = chase_run(batch_size=10)

    assert (rerun.items, rerun.failed) == (1, [])
    for item in items:
        assert ChaseRecord.objects.filter(item=item, by=None).count() == 1
    # Every reference emailed exactly once; the patient texted once for the day (the item
    # chased on the rerun is covered by that text).
    assert sorted(emailed_references()) == sorted(i.reference for i in items)
    assert OutboundMessage.objects.filter(kind="chase_patient").count() == 1
    assert OutboundMessage.objects.filter(kind="chase_provider").count() == 2
    assert "Covered by today's text" in ChaseRecord.objects.get(item=items[2]).outcome
    assert chase_run().items == 0


def emailed_references():
    """Every reference named in a chase email, once per time it was named."""
    return [
        line["reference"]
        for digest in ChaseDigest.objects.exclude(message=None)
        for line in digest.items
    ]


def test_items_on_a_closed_case_stop_being_chased_quietly(cast):
    item = overdue_item(cast)
    cast.paul_case.status = "closed"
    cast.paul_case.save()

    assert chase_run().items == 0

    item.refresh_from_db()
    assert item.next_chase_on is None
    assert not OutboundMessage.objects.exists() and not ChaseTask.objects.exists()
