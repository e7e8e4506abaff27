"""Journeys 2, 3 and 4 end to end through a real Celery worker, Redis and PostgreSQL, with
Twilio and SMTP faked at the network edge: scan not reported, referral not booked, and the
discharge cliff edge. Each chase runs in the worker (as beat would start it), and its messages
are delivered by the worker too."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone

from appointments.models import ChaseTask, ItemKind, ItemState, TrackedItem
from appointments.services import chase_record, tracked_item_transition
from appointments.tasks import chase_overdue_items
from navigator.messaging.models import OutboundMessage
from patients import links
from patients.models import TimelineEvent
from patients.services import timeline_event_add
from tests.appointments.chase_helpers import hospital, load_default_rules
from tests.fakes.smtp import SmtpSink, smtp_sink
from tests.fakes.twilio import FakeTwilio, fake_twilio
from tests.workerproc import WorkerProcess, celery_worker, require_services, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Kind = TimelineEvent.Kind
SITE = "https://navigator.example.nhs.uk"


@pytest.fixture(autouse=True)
def services(settings):
    require_services(postgres=True, redis=True)
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    settings.SITE_URL = SITE
    load_default_rules()


@pytest.fixture
def outside() -> Iterator[tuple[FakeTwilio, SmtpSink, WorkerProcess]]:
    with fake_twilio() as twilio, smtp_sink() as sink:
        env = {
            **twilio.settings_env(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "false",
            "QUIET_HOURS_START": "0",
            "QUIET_HOURS_END": "0",
            "SITE_URL": SITE,
        }
        with celery_worker(env=env) as worker:
            yield twilio, sink, worker


def chase_in_worker(worker: WorkerProcess) -> dict:
    return chase_overdue_items.delay().get(timeout=60)


def all_delivered(worker: WorkerProcess) -> None:
    def done() -> bool:
        return not OutboundMessage.objects.exclude(status=OutboundMessage.Status.SENT).exists()

    wait_until(
        done,
        timeout=60,
        explain=lambda: (
            f"{list(OutboundMessage.objects.values_list('kind', 'status', 'last_error'))}"
            f"\n{worker.log()}"
        ),
    )


def texts(twilio: FakeTwilio) -> list[str]:
    return [c["Body"] for c in twilio.creates]


def emails(sink: SmtpSink) -> list[tuple[str, str]]:
    return sorted((m["To"], m["Subject"]) for m in sink.messages)


def record(cast, kind, days_ago):
    return timeline_event_add(
        case=cast.paul_case,
        by=cast.colin,
        kind=kind,
        occurred_at=timezone.localdate() - dt.timedelta(days=days_ago),
        summary="Recorded by the care team",
    )


def test_scan_not_reported(cast, outside):
    twilio, sink, worker = outside
    hospital(cast)
    record(cast, Kind.RESULT, days_ago=10)  # a scan done 10 days ago: report due 3 days ago
    item = TrackedItem.objects.get(kind=ItemKind.RESULT)

    assert chase_in_worker(worker)["items"] == 1
    all_delivered(worker)

    assert texts(twilio) == [
        "Your cancer support team is chasing your test or scan result for you. "
        "You do not need to do anything. See updates: "
        f"{SITE}{links.home_link(case_id=item.case_id, section=links.WAITING)}"
    ]
    [(to, subject)] = emails(sink)
    assert to == "cancer.admin@south.test" and "waiting for test or scan result" in subject
    task = ChaseTask.objects.get(item=item)
    assert task.assigned_to == cast.nadia and task.is_open

    # Beat runs it again and again: nothing more goes out.
    assert chase_in_worker(worker)["items"] == 0
    assert chase_in_worker(worker)["items"] == 0

    chase_record(
        task=task,
        actor=cast.nadia,
        outcome="Radiology: reported today",
        next_chase_on=timezone.localdate() + dt.timedelta(days=1),
    )
    tracked_item_transition(item=item, to_state=ItemState.REPORTED, actor=cast.colin)
    assert chase_in_worker(worker)["items"] == 0
    all_delivered(worker)

    item.refresh_from_db()
    assert not item.is_open
    assert len(twilio.creates) == 1 and len(sink.messages) == 1


def test_referral_not_booked_is_chased_until_booked(cast, outside):
    twilio, sink, worker = outside
    hospital(cast)
    record(cast, Kind.REFERRAL, days_ago=21)  # booking due 7 days ago: late enough to escalate
    item = TrackedItem.objects.get(kind=ItemKind.REFERRAL)

    first = chase_in_worker(worker)
    all_delivered(worker)

    assert (first["items"], first["escalated"]) == (1, 1)
    assert emails(sink) == [
        (
            "cancer.admin@south.test",
            f"Reference {str(item.id)[:8].upper()}: we are waiting for referral to another provider",
        ),
        ("lena@nav.test", "An overdue item needs your attention"),
    ]
    assert len(texts(twilio)) == 1 and "an appointment with another hospital" in texts(twilio)[0]

    # The navigator rings the other hospital and will chase again today.
    task = ChaseTask.objects.get(item=item)
    chase_record(
        task=task,
        actor=cast.nadia,
        outcome="Left a message with bookings",
        next_chase_on=timezone.localdate(),
    )
    second = chase_in_worker(worker)
    all_delivered(worker)

    assert (second["items"], second["escalated"]) == (1, 0)
    assert [to for to, _ in emails(sink)].count("cancer.admin@south.test") == 2
    # A new task, but the patient heard this morning that we are chasing: one text a day.
    assert len(texts(twilio)) == 1
    assert "Covered by today's text to the patient" in item.chase_records.last().outcome

    tracked_item_transition(
        item=item, to_state=ItemState.BOOKED, actor=cast.nadia, note="Booked for next Tuesday"
    )
    assert chase_in_worker(worker)["items"] == 0
    assert not ChaseTask.objects.filter(item=item, status="open").exists()
    assert len(sink.messages) == 3 and len(twilio.creates) == 1


def test_discharge_cliff_edge(cast, outside):
    twilio, sink, worker = outside
    hospital(cast)
    # Recorded a fortnight late: its 3-day check-in is past (`CHECK_IN_LATE_LIMIT_DAYS`), so
    # it is left out; the follow-up, the summary and the assessment offer are a day late.
    record(cast, Kind.DISCHARGE, days_ago=15)
    all_delivered(worker)
    offer_text = texts(twilio)
    assert len(offer_text) == 1  # careplans offered the end-of-treatment assessment

    report = chase_in_worker(worker)
    all_delivered(worker)

    chased = set(TrackedItem.objects.filter(chase_count=1).values_list("kind", flat=True))
    assert chased == {ItemKind.ASSESSMENT_OFFER, ItemKind.FOLLOW_UP, ItemKind.TREATMENT_SUMMARY}
    assert report["items"] == 3
    # The 6- and 12-week check-ins wait for their day.
    assert TrackedItem.objects.filter(kind=ItemKind.CHECK_IN, chase_count=0).count() == 2
    assert not TrackedItem.objects.filter(rule__code="discharge-check-in").exists()
    # One chase text for the day, though two items nudge the patient.
    assert texts(twilio)[1:] == [
        "Your cancer support team is chasing your follow-up appointment for you. "
        "You do not need to do anything. See updates: "
        f"{SITE}{links.home_link(case_id=cast.paul_case.pk, section=links.WAITING)}",
    ]
    # The hospital gets one email for the follow-up appointment and the treatment summary.
    hospital_email, gp_email = emails(sink)
    assert hospital_email == (
        "cancer.admin@south.test",
        "2 things we are waiting for from your organisation",
    )
    assert gp_email[0] == "riverside.gp@nhs.test"
    assert gp_email[1].endswith("we are waiting for treatment summary to the GP")
    assert ChaseTask.objects.filter(status="open", assigned_to=cast.nadia).count() == 3

    assert chase_in_worker(worker)["items"] == 0
    all_delivered(worker)
    assert len(twilio.creates) == 2 and len(sink.messages) == 2
