"""Appointment reminders: once per appointment and reminder, the day and time and a link, nothing
staff typed (the place and what to bring are behind the link), through the outbox (channel,
quiet hours)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from appointments.models import ItemKind, ItemState, TrackedItem
from appointments.reminders import appointment_reminders_send, reference_for
from appointments.services import tracked_item_create, tracked_item_transition
from navigator.celery import app
from navigator.messaging.models import OutboundMessage
from navigator.messaging.services import SMS_MAX_LENGTH, sms_opt_out
from patients.models import Case

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SITE = "https://navigator.example.nhs.uk"
CLINICAL_WORDS = (
    "lung",
    "oncolog",
    "tumour",
    "cancer clinic",
    "chemo",
    "scan",
    "biopsy",
    "diagnos",
)


def london(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def wednesday_morning(time_machine, settings):
    time_machine.move_to(london(2025, 3, 12, 10, 0), tick=False)
    settings.SITE_URL = SITE
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 21, 8
    settings.APPOINTMENT_REMINDER_DAYS = [2]


def appointment(cast, starts_at: dt.datetime, **extra) -> TrackedItem:
    args = {
        "case": cast.paul_case,
        "kind": ItemKind.APPOINTMENT,
        "state": ItemState.BOOKED,
        "title": "Lung oncology review after CT scan",
        "expected_by": starts_at.date(),
        "actor": cast.nadia,
        "starts_at": starts_at,
        "location": "St James's Hospital, Bexley Wing",
        "what_to_bring": "a list of your medicines",
    }
    return tracked_item_create(**{**args, **extra})


def reminders() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(kind="appointment_reminder").order_by("created_at"))


def test_a_reminder_gives_the_time_and_a_link_and_nothing_staff_typed(cast):
    item = appointment(cast, london(2025, 3, 14, 9, 30))
    report = appointment_reminders_send()
    assert report.queued == 1
    [reminder] = reminders()
    assert reminder.channel == "sms" and reminder.to_address == "+447700900123"
    assert reminder.body == (
        "Reminder from your cancer support team: you have an appointment on Fri 14 Mar at "
        "9:30am. Reply CONFIRM if you can go, or CHANGE to rearrange. "
        f"Where to go and what to bring: {SITE}/home/{str(cast.paul_case.id)[:8]}/coming-up/"
    )
    assert len(reminder.body) <= SMS_MAX_LENGTH
    assert not [word for word in CLINICAL_WORDS if word in reminder.body.lower()]
    assert "CANCEL" not in reminder.body  # Twilio takes CANCEL as "stop all texts"
    assert reminder.reference == reference_for(item)
    assert reminder.subject_id == cast.paul_patient.pk


def test_running_twice_or_more_queues_one_reminder(cast):
    appointment(cast, london(2025, 3, 14, 9, 30))
    appointment_reminders_send()
    second = appointment_reminders_send()
    appointment_reminders_send()
    assert (second.queued, second.already_sent) == (0, 1)
    assert len(reminders()) == 1


def test_nothing_is_sent_before_the_reminder_is_due(cast, time_machine):
    appointment(cast, london(2025, 3, 14, 10, 30))
    assert appointment_reminders_send().queued == 0
    time_machine.move_to(london(2025, 3, 12, 10, 30), tick=False)
    assert appointment_reminders_send().queued == 1


def test_an_appointment_about_to_start_gets_no_reminder(cast):
    appointment(cast, london(2025, 3, 12, 11, 0))
    assert appointment_reminders_send().queued == 0


def test_cancelled_attended_and_unbooked_appointments_get_none(cast):
    cancelled = appointment(cast, london(2025, 3, 13, 10, 0))
    tracked_item_transition(item=cancelled, to_state=ItemState.CANCELLED, actor=cast.nadia)
    appointment(cast, london(2025, 3, 13, 11, 0), state=ItemState.TO_BE_BOOKED)
    tracked_item_create(
        case=cast.paul_case,
        kind=ItemKind.RESULT,
        title="Your result",
        expected_by=dt.date(2025, 3, 13),
        actor=cast.nadia,
    )
    assert appointment_reminders_send().queued == 0


def test_a_closed_case_gets_no_reminders(cast):
    appointment(cast, london(2025, 3, 13, 10, 0))
    Case.objects.filter(pk=cast.paul_case.pk).update(status=Case.Status.CLOSED)
    assert appointment_reminders_send().queued == 0


def test_a_moved_appointment_gets_a_reminder_for_its_new_time(cast, time_machine):
    item = appointment(cast, london(2025, 3, 13, 10, 0))
    appointment_reminders_send()
    TrackedItem.objects.filter(pk=item.pk).update(starts_at=london(2025, 3, 13, 15, 0))
    appointment_reminders_send()
    first, second = reminders()
    assert "10am" in first.body and "3pm" in second.body


def test_with_two_reminders_the_nearest_due_one_is_sent_never_both(cast, settings, time_machine):
    settings.APPOINTMENT_REMINDER_DAYS = [7, 2]
    soon = appointment(cast, london(2025, 3, 13, 10, 0), location="Clinic A")
    later = appointment(cast, london(2025, 3, 17, 10, 0), location="Clinic B")
    appointment_reminders_send()
    keys = sorted(m.idempotency_key for m in reminders())
    assert keys == sorted(
        [
            f"appointment-reminder:{soon.pk}:20250313T1000+0000:2d",
            f"appointment-reminder:{later.pk}:20250317T1000+0000:7d",
        ]
    )
    time_machine.move_to(london(2025, 3, 15, 12, 0), tick=False)
    appointment_reminders_send()
    assert len(reminders()) == 3  # and now the 2-day one for the later appointment


def test_quiet_hours_defer_the_reminder_to_the_morning(cast, time_machine):
    time_machine.move_to(london(2025, 3, 12, 22, 30), tick=False)
    appointment(cast, london(2025, 3, 14, 21, 0))
    appointment_reminders_send()
    [reminder] = reminders()
    assert reminder.status == "queued"
    assert reminder.not_before == london(2025, 3, 13, 8, 0)


def test_a_patient_who_prefers_email_gets_everything_by_email(cast):
    patient = cast.paul_patient
    patient.preferred_channel = "email"
    patient.save()
    appointment(cast, london(2025, 3, 14, 9, 30), what_to_bring="Your glasses and a drink")
    appointment_reminders_send()
    [reminder] = reminders()
    assert reminder.channel == "email" and reminder.to_address == "paul@example.test"
    assert reminder.subject == "A reminder about your appointment"
    assert "Friday 14 March at 9:30am" in reminder.body
    assert "where to go and what to bring" in reminder.body
    assert f"{SITE}/home/{str(cast.paul_case.id)[:8]}/coming-up/" in reminder.body_html
    for typed in ("St James's", "Bexley", "glasses", "drink"):
        assert typed not in f"{reminder.subject} {reminder.body} {reminder.body_html}", typed
    text = f"{reminder.subject} {reminder.body} {reminder.body_html}".lower()
    assert not [word for word in CLINICAL_WORDS if word in text]


def test_an_opted_out_patient_is_reminded_by_email(cast):
    sms_opt_out(phone="+447700900123", keyword="STOP")
    appointment(cast, london(2025, 3, 14, 9, 30))
    appointment_reminders_send()
    assert reminders()[0].channel == "email"


def test_the_place_and_what_to_bring_are_on_the_page_the_link_opens(client, cast):
    appointment(
        cast,
        london(2025, 3, 14, 9, 30),
        location="Chemotherapy suite, Bexley Wing",
        what_to_bring="Your chemotherapy drug list",
    )
    appointment_reminders_send()
    [reminder] = reminders()
    assert "chemotherapy" not in reminder.body.lower()
    link = reminder.body.rsplit(" ", 1)[1].removeprefix(SITE)

    client.force_login(cast.paul)
    page = client.get(link, follow=True)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Chemotherapy suite, Bexley Wing" in html
    assert "Your chemotherapy drug list" in html


def test_a_patient_who_cannot_be_reached_does_not_stop_the_others(cast):
    olive = cast.olive_patient
    olive.phone = ""
    olive.save()
    tracked_item_create(
        case=cast.olive_case,
        kind=ItemKind.APPOINTMENT,
        state=ItemState.BOOKED,
        title="Clinic",
        expected_by=dt.date(2025, 3, 14),
        actor=cast.oscar,
        starts_at=london(2025, 3, 14, 9, 0),
    )
    appointment(cast, london(2025, 3, 14, 9, 30))
    report = appointment_reminders_send()
    assert report.queued == 1 and len(report.failed) == 1


def test_the_job_is_a_registered_task_on_the_beat_schedule():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["send-appointment-reminders"]
    assert entry["task"] in app.tasks


def test_a_run_costs_the_same_statements_for_few_or_many_appointments(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run_with(count: int, day: int) -> int:
        for n in range(count):
            appointment(cast, london(2025, 3, day, 9, n))
        with CaptureQueriesContext(connection) as queries:
            report = appointment_reminders_send()
        assert report.queued == count
        return len(queries)

    # Reminders are 2 days ahead: each run sees only the appointments it created.
    few = run_with(2, 14)
    OutboundMessage.objects.all().delete()
    TrackedItem.objects.all().update(state=ItemState.CANCELLED, closed_at=timezone.now())
    many = run_with(12, 14)
    assert few == many
