"""Celery beat's schedule (navigator/celery.py) holds every periodic job the safety case relies
on (docs/safety/hazard-log.yaml), each naming a task a worker really has, at an interval no
longer than the job's purpose allows.

Beat sends a task by its name only: a name that no worker registers (a typo, a module renamed,
a task module autodiscovery does not import) is dropped with a log line, and the job never runs:
no escalation of a distress flag, no chase of an overdue item, and nothing says so. Inside
pytest every module is already imported, so the registry is read from a fresh interpreter that
imports what a worker imports when it starts, with production settings.
"""

import json
import subprocess
import sys

import pytest
from celery.schedules import crontab
from django.conf import settings

from navigator.celery import app
from tests.navigator.test_deploy_checks import production_env

MINUTE = 60.0
DAY = 24 * 60 * MINUTE
# Every job on the schedule, with the longest interval it may have and why. A job added to the
# schedule must be added here, with its reason.
LONGEST: dict[str, tuple[float, str]] = {
    "careplans.tasks.escalate_unacknowledged_flags": (
        5 * MINUTE,
        "HAZ-001: an unacknowledged distress flag reaches the team lead within minutes of its "
        "deadline",
    ),
    "appointments.tasks.chase_overdue_items": (
        5 * MINUTE,
        "HAZ-005: an overdue item is chased within minutes of going overdue",
    ),
    "navigator.messaging.tasks.sweep_outbox": (
        MINUTE,
        "HAZ-009: a message whose task the broker lost is sent again within two sweeps",
    ),
    "appointments.reminders.send_appointment_reminders": (
        10 * MINUTE,
        "HAZ-014: a reminder goes out soon after it is due, well before the appointment",
    ),
    "careplans.tasks.offer_assessments_due": (
        15 * MINUTE,
        "HAZ-008: a needs assessment is offered on diagnosis, discharge and the review interval",
    ),
    "navigator.audit.tasks.make_audit_partitions": (
        DAY,
        "the audit trail's next months exist before entries arrive for them",
    ),
    "careplans.tasks.ask_signpost_feedback_due": (DAY, "a daily question in the working day"),
    "careplans.tasks.track_overdue_plan_items": (DAY, "overdue plan actions tracked daily"),
    "careplans.tasks.nudge_feedback_surveys_due": (
        60 * MINUTE,
        "a feedback invitation is nudged within the hour it opens",
    ),
    "careplans.tasks.render_care_plans_due_for_review": (
        DAY,
        "HAZ-008: plans due for review are printed ready each morning",
    ),
    "navigator.tasks.clear_expired_sessions": (DAY, "housekeeping"),
    "careplans.tasks.import_directory_feed": (
        DAY,
        "the service directory follows its Open Referral UK feed within a day",
    ),
    "caseload.tasks.purge_expired_record_copies": (
        60 * MINUTE,
        "HAZ-028: a copy of a person's record does not outlive its link by more than an hour",
    ),
    "patients.tasks.list_records_due_for_removal": (
        DAY,
        "records past the retention policy are listed for a team lead within a day",
    ),
    "insight.tasks.refresh_figures": (
        30 * MINUTE,
        "the insight page's default figures are brought up to date within half an hour "
        "(older than two hours, the page counts live again)",
    ),
}
# Shorter than this would run a job back to back with itself.
SHORTEST = 10.0

WORKER_REGISTRY = """
import json
import django
django.setup()
from navigator.celery import app
app.loader.import_default_modules()  # what `celery worker` does as it starts
print(json.dumps(sorted(app.tasks)))
"""


def period(schedule: object) -> float:
    """The longest gap, in seconds, between two runs of a beat schedule."""
    if isinstance(schedule, int | float):
        return float(schedule)
    if isinstance(schedule, crontab):
        every_day = (
            len(schedule.day_of_week) == 7
            and len(schedule.day_of_month) == 31
            and len(schedule.month_of_year) == 12
        )
        assert every_day, f"{schedule} does not run every day"
        times = sorted(h * 60 + m for h in schedule.hour for m in schedule.minute)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        gaps.append(times[0] + 24 * 60 - times[-1])  # from the last run to the next day's first
        return max(gaps) * MINUTE
    return schedule.run_every.total_seconds()  # type: ignore[attr-defined]  # celery.schedule


def test_every_job_the_safety_case_relies_on_is_on_the_schedule_and_nothing_else():
    scheduled = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert sorted(scheduled) == sorted(LONGEST)  # each once, and none unaccounted for


def test_each_job_runs_often_enough_and_not_back_to_back():
    too_slow = {}
    for name, entry in app.conf.beat_schedule.items():
        longest, why = LONGEST[entry["task"]]
        seconds = period(entry["schedule"])
        assert seconds >= SHORTEST, f"{name} runs every {seconds} s"
        if seconds > longest:
            too_slow[name] = f"every {seconds:.0f} s, but at most {longest:.0f} s: {why}"
    assert too_slow == {}
    sweep = app.conf.beat_schedule["messaging-sweep"]["schedule"]
    assert sweep == settings.OUTBOX_SWEEP_SECONDS


def test_a_worker_started_afresh_registers_every_scheduled_task(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", WORKER_REGISTRY],
        env=production_env(tmp_path),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    registered = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert "careplans.tasks.escalate_unacknowledged_flags" in registered
    missing = {
        name: entry["task"]
        for name, entry in app.conf.beat_schedule.items()
        if entry["task"] not in registered
    }
    assert missing == {}


def test_the_checks_catch_a_slow_or_daily_only_in_part_schedule():
    """The period arithmetic itself: what the tests above compare must be right."""
    assert period(300.0) == 300.0
    assert period(crontab(hour=3, minute=41)) == DAY
    assert period(crontab(hour="6,18", minute=0)) == 12 * 60 * MINUTE
    assert period(crontab(hour="1,2", minute=0)) == 23 * 60 * MINUTE
    with pytest.raises(AssertionError, match="does not run every day"):
        period(crontab(hour=3, minute=0, day_of_week="mon-fri"))
