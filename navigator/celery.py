"""The Celery app and its beat schedule: every periodic job is listed here, so a change shows in a diff."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "navigator.settings")

app = Celery("navigator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "messaging-sweep": {
        "task": "navigator.messaging.tasks.sweep_outbox",
        "schedule": 60.0,
    },
    "clear-expired-sessions": {
        "task": "navigator.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "escalate-unacknowledged-flags": {
        "task": "careplans.tasks.escalate_unacknowledged_flags",
        "schedule": 300.0,
    },
}
