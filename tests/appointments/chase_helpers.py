"""Shared set-up for the tracked item and chase tests (not a conftest: other files here are
another feature's)."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from appointments.models import ItemKind, TrackedItem
from appointments.services import tracked_item_create
from navigator.organisations.models import Organisation
from tests import factories as f

LONDON = ZoneInfo("Europe/London")
# A Wednesday, mid-morning in London: outside quiet hours, so messages are due at once.
MORNING = dt.datetime(2026, 3, 11, 10, 0, tzinfo=LONDON)
TODAY = MORNING.date()


def hospital(cast: Any) -> Organisation:
    """Paul's treating hospital, with a team mailbox the chase can email."""
    trust = f.make_organisation("Southshire Hospitals NHS Trust", email="cancer.admin@south.test")
    cast.paul_case.treating_providers.add(trust)
    return trust


def overdue_item(cast: Any, *, days_late: int = 1, **extra: Any) -> TrackedItem:
    """A result awaited for Paul, `days_late` days past its expected-by date."""
    extra.setdefault("kind", ItemKind.RESULT)
    extra.setdefault("title", "Your test or scan result")
    extra.setdefault("case", cast.paul_case)
    extra.setdefault("actor", cast.nadia)
    return tracked_item_create(expected_by=TODAY - dt.timedelta(days=days_late), **extra)


def load_default_rules() -> None:
    """Put back the follow-up rules migrations 0004 and 0008 load: a transactional test's flush
    empties every table, data migrations' rows included."""
    import importlib

    from django.apps import apps

    for name in ("0004_follow_up_rules", "0008_discharge_rules"):
        importlib.import_module(f"appointments.migrations.{name}").load(apps, None)
