"""The Celery app and its beat schedule: every periodic job is listed here, so a change shows in a diff."""

import os
from typing import Any

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "navigator.settings")

app = Celery("navigator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Every settings.OUTBOX_SWEEP_SECONDS (set below, once the settings are loaded): a message
    # whose task the broker lost is enqueued again within two sweeps.
    "messaging-sweep": {
        "task": "navigator.messaging.tasks.sweep_outbox",
        "schedule": 30.0,
    },
    "clear-expired-sessions": {
        "task": "navigator.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    # The audit trail's monthly partitions, made months ahead (idempotent).
    "make-audit-partitions": {
        "task": "navigator.audit.tasks.make_audit_partitions",
        "schedule": crontab(hour=3, minute=41),
    },
    # Listed once per case and kind (a unique key, conflicts ignored), read by index in batches;
    # nothing is removed until a team lead confirms (patients.services.retention).
    "list-records-due-for-removal": {
        "task": "patients.tasks.list_records_due_for_removal",
        "schedule": crontab(hour=4, minute=23),
    },
    "escalate-unacknowledged-flags": {
        "task": "careplans.tasks.escalate_unacknowledged_flags",
        "schedule": 300.0,
    },
    # Claims overdue tracked items with SKIP LOCKED, so overlapping runs never double up.
    "chase-overdue-items": {
        "task": "appointments.tasks.chase_overdue_items",
        "schedule": 300.0,
    },
    # Idempotent per appointment, time and reminder (the outbox key), so reruns queue nothing twice.
    "send-appointment-reminders": {
        "task": "appointments.reminders.send_appointment_reminders",
        "schedule": 600.0,
    },
    "offer-assessments-due": {
        "task": "careplans.tasks.offer_assessments_due",
        "schedule": 900.0,
    },
    # Daily, in the morning, so the question and the chase arrive in the working day.
    "ask-signpost-feedback-due": {
        "task": "careplans.tasks.ask_signpost_feedback_due",
        "schedule": crontab(hour=10, minute=5),
    },
    # Hourly: an opened feedback invitation is nudged within the hour (quiet hours defer the text
    # to the morning); claimed with SKIP LOCKED, each nudged once.
    "nudge-feedback-surveys-due": {
        "task": "careplans.tasks.nudge_feedback_surveys_due",
        "schedule": 3600.0,
    },
    "track-overdue-plan-items": {
        "task": "careplans.tasks.track_overdue_plan_items",
        "schedule": crontab(hour=6, minute=35),
    },
    # Nightly, so plans due for review are ready to print in the morning; cached per plan
    # version and claimed per PDF, so reruns and overlapping runs make nothing twice.
    "render-care-plans-due-for-review": {
        "task": "careplans.tasks.render_care_plans_due_for_review",
        "schedule": crontab(hour=2, minute=40),
    },
    # A copy of a person's record is deleted within the hour after its link expires (HAZ-028);
    # claimed with SKIP LOCKED, in batches, by the (status, expires_at) index.
    "purge-expired-record-copies": {
        "task": "caseload.tasks.purge_expired_record_copies",
        "schedule": crontab(minute=11),
    },
    # Nightly; off while DIRECTORY_FEED_URL is blank. All or nothing, and idempotent.
    "import-directory-feed": {
        "task": "careplans.tasks.import_directory_feed",
        "schedule": crontab(hour=4, minute=23),
    },
    # The insight page's default view (every team, all time), counted ahead of time: the page
    # reads it instead of a year of records, and says when it was counted.
    "insight-refresh-figures": {
        "task": "insight.tasks.refresh_figures",
        "schedule": 900.0,
    },
}


@app.on_after_configure.connect
def _sweep_interval(sender: Celery, **kwargs: Any) -> None:
    # Django's settings cannot be read while this module is imported (the settings import it).
    sender.conf.beat_schedule["messaging-sweep"]["schedule"] = float(settings.OUTBOX_SWEEP_SECONDS)
